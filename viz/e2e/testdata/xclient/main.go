// Command xclient is the e2e harness's test subject: it opens one window painted in known
// colours and prints, one line each, the input events the X server delivers to it.
package main

import (
	"flag"
	"fmt"
	"log"

	"github.com/jezek/xgb"
	"github.com/jezek/xgb/xproto"
)

// The colours as 0xRRGGBB pixel values, which is what a depth-24 TrueColor visual takes.
const (
	background = 0x3366cc // the whole window, painted by the server
	patch      = 0xff8800 // a square drawn by this program on every Expose
)

func main() {
	title := flag.String("title", "e2e-probe", "window title (WM_NAME and _NET_WM_NAME)")
	x := flag.Int("x", 100, "window left edge")
	y := flag.Int("y", 80, "window top edge")
	w := flag.Int("w", 200, "window width")
	h := flag.Int("h", 150, "window height")
	flag.Parse()
	log.SetFlags(0)
	log.SetPrefix("xclient: ")

	conn, err := xgb.NewConn()
	if err != nil {
		log.Fatal(err)
	}
	defer conn.Close()
	screen := xproto.Setup(conn).DefaultScreen(conn)
	keymap := loadKeymap(conn)

	win, err := xproto.NewWindowId(conn)
	if err != nil {
		log.Fatal(err)
	}
	events := uint32(xproto.EventMaskExposure | xproto.EventMaskKeyPress | xproto.EventMaskKeyRelease |
		xproto.EventMaskButtonPress | xproto.EventMaskButtonRelease | xproto.EventMaskPointerMotion)
	err = xproto.CreateWindowChecked(conn, screen.RootDepth, win, screen.Root,
		int16(*x), int16(*y), uint16(*w), uint16(*h), 0,
		xproto.WindowClassInputOutput, screen.RootVisual,
		xproto.CwBackPixel|xproto.CwEventMask, []uint32{background, events}).Check()
	if err != nil {
		log.Fatal(err)
	}
	setTitle(conn, win, *title)

	gc, err := xproto.NewGcontextId(conn)
	if err != nil {
		log.Fatal(err)
	}
	if err := xproto.CreateGCChecked(conn, gc, xproto.Drawable(win), xproto.GcForeground, []uint32{patch}).Check(); err != nil {
		log.Fatal(err)
	}
	if err := xproto.MapWindowChecked(conn, win).Check(); err != nil {
		log.Fatal(err)
	}

	for {
		ev, err := conn.WaitForEvent()
		if ev == nil && err == nil {
			return // connection closed
		}
		if err != nil {
			log.Printf("X error: %v", err)
			continue
		}
		switch e := ev.(type) {
		case xproto.ExposeEvent:
			xproto.PolyFillRectangle(conn, xproto.Drawable(win), gc,
				[]xproto.Rectangle{{X: 10, Y: 10, Width: 20, Height: 20}})
			if e.Count == 0 {
				// A round trip, so the fill is on screen before the harness hears of it.
				if _, err := xproto.GetInputFocus(conn).Reply(); err != nil {
					log.Fatal(err)
				}
				fmt.Println("expose")
			}
		case xproto.KeyPressEvent:
			fmt.Printf("key press sym=%#x state=%#x\n", keymap.sym(byte(e.Detail), e.State), e.State)
		case xproto.KeyReleaseEvent:
			fmt.Printf("key release sym=%#x state=%#x\n", keymap.sym(byte(e.Detail), e.State), e.State)
		case xproto.ButtonPressEvent:
			fmt.Printf("button press %d at %d,%d\n", e.Detail, e.EventX, e.EventY)
		case xproto.ButtonReleaseEvent:
			fmt.Printf("button release %d at %d,%d\n", e.Detail, e.EventX, e.EventY)
		case xproto.MotionNotifyEvent:
			fmt.Printf("motion %d,%d state=%#x\n", e.EventX, e.EventY, e.State)
		}
	}
}

func setTitle(conn *xgb.Conn, win xproto.Window, title string) {
	xproto.ChangeProperty(conn, xproto.PropModeReplace, win, xproto.AtomWmName, xproto.AtomString,
		8, uint32(len(title)), []byte(title))
	netName := internAtom(conn, "_NET_WM_NAME")
	utf8 := internAtom(conn, "UTF8_STRING")
	xproto.ChangeProperty(conn, xproto.PropModeReplace, win, netName, utf8,
		8, uint32(len(title)), []byte(title))
}

func internAtom(conn *xgb.Conn, name string) xproto.Atom {
	r, err := xproto.InternAtom(conn, false, uint16(len(name)), name).Reply()
	if err != nil {
		log.Fatal(err)
	}
	return r.Atom
}

// keymap is the core keyboard mapping: per keycode, keysyms for no modifier and Shift.
type keymap struct {
	min  byte
	per  int
	syms []xproto.Keysym
}

func loadKeymap(conn *xgb.Conn) keymap {
	setup := xproto.Setup(conn)
	n := int(setup.MaxKeycode) - int(setup.MinKeycode) + 1
	r, err := xproto.GetKeyboardMapping(conn, setup.MinKeycode, byte(n)).Reply()
	if err != nil {
		log.Fatal(err)
	}
	return keymap{min: byte(setup.MinKeycode), per: int(r.KeysymsPerKeycode), syms: r.Keysyms}
}

// sym is the keysym of keycode under state: the Shift column when Shift is held and
// that column has a symbol, else the plain one.
func (k keymap) sym(code byte, state uint16) uint32 {
	row := (int(code) - int(k.min)) * k.per
	if row < 0 || row+k.per > len(k.syms) {
		return 0
	}
	if state&xproto.ModMaskShift != 0 && k.per > 1 && k.syms[row+1] != 0 {
		return uint32(k.syms[row+1])
	}
	return uint32(k.syms[row])
}
