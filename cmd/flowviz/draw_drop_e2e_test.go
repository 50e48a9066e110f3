package main_test

// Dropping a file on the window, as a file manager does: the test plays the
// drag source of the XDND protocol (Enter, Position, Drop, then answering
// the target's request for the text/uri-list) on its own X connection.

import (
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jezek/xgb"
	"github.com/jezek/xgb/xproto"

	"github.com/flowviz/flowviz/viz/appstate"
)

// dropFile drags path from an invisible source window onto target at the
// root coordinates (x, y) and drops it, serving the file's URI when asked.
func dropFile(t *testing.T, display string, target xproto.Window, x, y int, path string) {
	t.Helper()
	conn, err := xgb.NewConnDisplay(display)
	if err != nil {
		t.Fatalf("xdnd: connect: %v", err)
	}
	defer conn.Close()
	atom := func(name string) xproto.Atom {
		r, err := xproto.InternAtom(conn, false, uint16(len(name)), name).Reply()
		if err != nil {
			t.Fatalf("xdnd: atom %s: %v", name, err)
		}
		return r.Atom
	}
	enter, position, drop := atom("XdndEnter"), atom("XdndPosition"), atom("XdndDrop")
	status, finished, selection := atom("XdndStatus"), atom("XdndFinished"), atom("XdndSelection")
	copyAction, uriList := atom("XdndActionCopy"), atom("text/uri-list")

	root := xproto.Setup(conn).DefaultScreen(conn).Root
	src, err := xproto.NewWindowId(conn)
	if err != nil {
		t.Fatal(err)
	}
	if err := xproto.CreateWindowChecked(conn, 0, src, root, 0, 0, 1, 1, 0, xproto.WindowClassInputOnly, 0, 0, nil).Check(); err != nil {
		t.Fatalf("xdnd: source window: %v", err)
	}
	if err := xproto.SetSelectionOwnerChecked(conn, src, selection, xproto.TimeCurrentTime).Check(); err != nil {
		t.Fatal(err)
	}
	send := func(typ xproto.Atom, data ...uint32) {
		ev := xproto.ClientMessageEvent{Format: 32, Window: target, Type: typ,
			Data: xproto.ClientMessageDataUnionData32New(append(data, make([]uint32, 5-len(data))...))}
		if err := xproto.SendEventChecked(conn, false, target, xproto.EventMaskNoEvent, string(ev.Bytes())).Check(); err != nil {
			t.Fatalf("xdnd: send: %v", err)
		}
	}
	events := make(chan xgb.Event, 16)
	go func() {
		for {
			ev, err := conn.WaitForEvent()
			if ev == nil && err == nil {
				close(events)
				return
			}
			if ev != nil {
				events <- ev
			}
		}
	}()
	// wait returns the next event for which ok holds, answering selection
	// requests meanwhile.
	wait := func(what string, ok func(xgb.Event) bool) {
		t.Helper()
		deadline := time.After(drawWait)
		for {
			select {
			case ev, open := <-events:
				if !open {
					t.Fatalf("xdnd: connection closed waiting for %s", what)
				}
				if req, isReq := ev.(xproto.SelectionRequestEvent); isReq {
					uri := "file://" + path + "\r\n"
					xproto.ChangeProperty(conn, xproto.PropModeReplace, req.Requestor, req.Property, req.Target, 8, uint32(len(uri)), []byte(uri))
					notify := xproto.SelectionNotifyEvent{Time: req.Time, Requestor: req.Requestor, Selection: req.Selection, Target: req.Target, Property: req.Property}
					xproto.SendEvent(conn, false, req.Requestor, xproto.EventMaskNoEvent, string(notify.Bytes()))
				}
				if ok(ev) {
					return
				}
			case <-deadline:
				t.Fatalf("xdnd: no %s from the window", what)
			}
		}
	}
	isMsg := func(typ xproto.Atom) func(xgb.Event) bool {
		return func(ev xgb.Event) bool {
			m, ok := ev.(xproto.ClientMessageEvent)
			return ok && m.Type == typ
		}
	}
	send(enter, uint32(src), 5<<24, uint32(uriList))
	send(position, uint32(src), 0, uint32(x)<<16|uint32(y), 0, uint32(copyAction))
	wait("XdndStatus", isMsg(status))
	send(drop, uint32(src), 0, 0)
	wait("XdndFinished", isMsg(finished))
}

func TestDropImageBecomesTheTarget(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end")
	}
	// A white image with a black bar across its upper half.
	img := image.NewGray(image.Rect(0, 0, 200, 100))
	for y := range 100 {
		for x := range 200 {
			c := uint8(255)
			if y >= 20 && y < 40 {
				c = 0
			}
			img.SetGray(x, y, color.Gray{Y: c})
		}
	}
	file := filepath.Join(t.TempDir(), "bar.png")
	f, err := os.Create(file)
	if err == nil {
		err = png.Encode(f, img)
		f.Close()
	}
	if err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(t.TempDir(), "broken.png")
	if err := os.WriteFile(bad, []byte("not a png"), 0o644); err != nil {
		t.Fatal(err)
	}

	s := startAppIn(t, t.TempDir(), "-particles", "2000")
	win := s.win
	dropFile(t, s.x.Display(), win.ID, win.X+400, win.Y+300, bad)
	s.waitStateFor(t, drawWait, "a clear message for the broken image", func(st *appstate.State) bool {
		return strings.Contains(st.Status, "broken.png") && strings.Contains(st.Status, "Nothing changed") && st.Drawing.Points == 0
	})
	dropFile(t, s.x.Display(), win.ID, win.X+400, win.Y+300, file)
	// The image spans 8 world units wide, 4 high, centred on the origin:
	// its bar covers y from 4/100·(50−40) = 0.4 to 1.2.
	st := s.waitStateFor(t, drawWait, "the image's ink as the target", func(st *appstate.State) bool {
		return st.Drawing.Points > 1000 && strings.HasPrefix(st.Target, "drawing(") && st.Drawing.Box != nil
	})
	box := *st.Drawing.Box
	if box[0] > -3.9 || box[2] < 3.9 || box[1] < 0.35 || box[3] > 1.25 {
		t.Fatalf("drawing box %v, want about [-4, 0.4, 4, 1.2]", box)
	}
	s.waitStateFor(t, drawWait, "particles on the bar", func(st *appstate.State) bool {
		f := st.Final
		return st.SceneStep > 0 && f.P25[1] > 0.3 && f.P75[1] < 1.3 && f.P25[0] < -1 && f.P75[0] > 1
	})
}
