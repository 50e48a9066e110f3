package e2e

import (
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/jezek/xgb/xproto"
)

// Window is a viewable window found by WaitWindow, in root (screen) coordinates.
type Window struct {
	ID            xproto.Window
	Title         string
	X, Y          int
	Width, Height int
}

// Center is the window's middle in screen coordinates, where a click lands on its content.
func (w Window) Center() (x, y int) { return w.X + w.Width/2, w.Y + w.Height/2 }

// WaitWindow polls the window tree until a viewable window whose _NET_WM_NAME or WM_NAME
// contains titleSubstring appears, and fails the test after timeout.
func (x *X) WaitWindow(t testing.TB, titleSubstring string, timeout time.Duration) Window {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		windows, err := x.windows()
		if err != nil {
			t.Fatalf("e2e: list windows on %s: %v", x.display, err)
		}
		for _, w := range windows {
			if strings.Contains(w.Title, titleSubstring) {
				return w
			}
		}
		if time.Now().After(deadline) {
			titles := make([]string, len(windows))
			for i, w := range windows {
				titles[i] = w.Title
			}
			sort.Strings(titles)
			t.Fatalf("e2e: no window titled *%s* on %s after %v; viewable titled windows: %q",
				titleSubstring, x.display, timeout, titles)
		}
		time.Sleep(25 * time.Millisecond)
	}
}

// windows lists every viewable window with a title, depth first from the root. Without a
// window manager the app's windows are children of the root; a reparenting one would nest
// them, so the walk goes all the way down.
func (x *X) windows() ([]Window, error) {
	netWMName, err := x.atom("_NET_WM_NAME")
	if err != nil {
		return nil, err
	}
	var found []Window
	var walk func(w xproto.Window) error
	walk = func(w xproto.Window) error {
		tree, err := xproto.QueryTree(x.conn, w).Reply()
		if err != nil {
			return nil // the window went away while we looked: not an error
		}
		for _, child := range tree.Children {
			attrs, err := xproto.GetWindowAttributes(x.conn, child).Reply()
			if err != nil || attrs.MapState != xproto.MapStateViewable {
				continue
			}
			if title := x.title(child, netWMName); title != "" {
				if win, ok := x.geometry(child, title); ok {
					found = append(found, win)
				}
			}
			if err := walk(child); err != nil {
				return err
			}
		}
		return nil
	}
	return found, walk(x.root)
}

// title prefers the UTF-8 _NET_WM_NAME and falls back to the Latin-1 WM_NAME.
func (x *X) title(w xproto.Window, netWMName xproto.Atom) string {
	for _, prop := range []xproto.Atom{netWMName, xproto.AtomWmName} {
		reply, err := xproto.GetProperty(x.conn, false, w, prop, xproto.GetPropertyTypeAny, 0, 1024).Reply()
		if err == nil && reply.Format == 8 && len(reply.Value) > 0 {
			return string(reply.Value)
		}
	}
	return ""
}

func (x *X) geometry(w xproto.Window, title string) (Window, bool) {
	geom, err := xproto.GetGeometry(x.conn, xproto.Drawable(w)).Reply()
	if err != nil {
		return Window{}, false
	}
	pos, err := xproto.TranslateCoordinates(x.conn, w, x.root, 0, 0).Reply()
	if err != nil {
		return Window{}, false
	}
	return Window{ID: w, Title: title, X: int(pos.DstX), Y: int(pos.DstY),
		Width: int(geom.Width), Height: int(geom.Height)}, true
}

func (x *X) atom(name string) (xproto.Atom, error) {
	reply, err := xproto.InternAtom(x.conn, true, uint16(len(name)), name).Reply()
	if err != nil {
		return 0, err
	}
	return reply.Atom, nil
}

// Resize sets the window's size, as a user dragging its corner would
// (without a window manager the request goes straight to the server), and
// waits until the server reports it.
func (x *X) Resize(t testing.TB, w Window, width, height int) Window {
	t.Helper()
	err := xproto.ConfigureWindowChecked(x.conn, w.ID, xproto.ConfigWindowWidth|xproto.ConfigWindowHeight,
		[]uint32{uint32(width), uint32(height)}).Check()
	if err != nil {
		t.Fatalf("resize window: %v", err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		g, err := xproto.GetGeometry(x.conn, xproto.Drawable(w.ID)).Reply()
		if err == nil && int(g.Width) == width && int(g.Height) == height {
			w.Width, w.Height = width, height
			return w
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("the window did not become %d×%d", width, height)
	return w
}
