package e2e

import (
	"fmt"
	"math"
	"time"

	"github.com/jezek/xgb/xproto"
	"github.com/jezek/xgb/xtest"
)

// The input methods inject events through XTEST, as if a person used the mouse and the
// keyboard, so the app sees them through its normal event path. Failures go to the test
// given to StartX.

// inputPause lets the app's frame loop (60 Hz) see one state before the next: GLFW reports
// positions and buttons as they are when it polls, so two changes inside one frame can
// merge into one.
const inputPause = 20 * time.Millisecond

// Mouse buttons as X numbers them.
const (
	ButtonLeft       = 1
	ButtonMiddle     = 2
	ButtonRight      = 3
	buttonScrollUp   = 4
	buttonScrollDown = 5
)

func (x *X) fake(eventType byte, detail byte, px, py int) {
	x.t.Helper()
	err := xtest.FakeInputChecked(x.conn, eventType, detail, 0, x.root, int16(px), int16(py), 0).Check()
	if err != nil {
		x.t.Errorf("e2e: XTEST event %d/%d on %s: %v", eventType, detail, x.display, err)
	}
}

// MouseMove moves the pointer to (px, py) in screen coordinates.
func (x *X) MouseMove(px, py int) {
	x.t.Helper()
	x.fake(xproto.MotionNotify, 0, px, py) // detail 0: absolute position
}

// MouseDown presses a mouse button (ButtonLeft, ...) where the pointer is.
func (x *X) MouseDown(button int) {
	x.t.Helper()
	x.fake(xproto.ButtonPress, byte(button), 0, 0)
}

// MouseUp releases a mouse button.
func (x *X) MouseUp(button int) {
	x.t.Helper()
	x.fake(xproto.ButtonRelease, byte(button), 0, 0)
}

// Click moves to (px, py) and presses and releases button there.
func (x *X) Click(px, py, button int) {
	x.t.Helper()
	x.MouseMove(px, py)
	time.Sleep(inputPause)
	x.MouseDown(button)
	time.Sleep(inputPause)
	x.MouseUp(button)
	time.Sleep(inputPause)
}

// Drag presses button at (x0, y0), moves to (x1, y1) in steps equal moves with a pause
// after each so the app sees the motion, and releases it there.
func (x *X) Drag(x0, y0, x1, y1, button int, steps int) {
	x.t.Helper()
	if steps < 1 {
		steps = 1
	}
	x.MouseMove(x0, y0)
	time.Sleep(inputPause)
	x.MouseDown(button)
	time.Sleep(inputPause)
	for i := 1; i <= steps; i++ {
		// Linear interpolation, rounded: p = p0 + (p1 − p0)·i/steps.
		f := float64(i) / float64(steps)
		x.MouseMove(x0+int(math.Round(float64(x1-x0)*f)), y0+int(math.Round(float64(y1-y0)*f)))
		time.Sleep(inputPause)
	}
	x.MouseUp(button)
	time.Sleep(inputPause)
}

// Scroll turns the wheel at (px, py): clicks > 0 scrolls up (button 4), < 0 down (button 5).
func (x *X) Scroll(px, py, clicks int) {
	x.t.Helper()
	x.MouseMove(px, py)
	time.Sleep(inputPause)
	button := buttonScrollUp
	if clicks < 0 {
		button, clicks = buttonScrollDown, -clicks
	}
	for range clicks {
		x.MouseDown(button)
		x.MouseUp(button)
		time.Sleep(inputPause)
	}
}

// Focus gives w the keyboard focus. Without it, and with no window manager, keys go to the
// window under the pointer (the server starts with focus PointerRoot), so a test either
// moves the pointer into the window first or calls Focus.
func (x *X) Focus(w Window) {
	x.t.Helper()
	err := xproto.SetInputFocusChecked(x.conn, xproto.InputFocusPointerRoot, w.ID, xproto.TimeCurrentTime).Check()
	if err != nil {
		x.t.Errorf("e2e: focus window %#x on %s: %v", w.ID, x.display, err)
	}
}

// KeyDown presses the key that produces keysym (use it for modifiers: KeyDown(ControlL)).
func (x *X) KeyDown(keysym uint32) {
	x.t.Helper()
	if code, _, ok := x.keycode(keysym); ok {
		x.fake(xproto.KeyPress, code, 0, 0)
	}
}

// KeyUp releases the key that produces keysym.
func (x *X) KeyUp(keysym uint32) {
	x.t.Helper()
	if code, _, ok := x.keycode(keysym); ok {
		x.fake(xproto.KeyRelease, code, 0, 0)
	}
}

// KeyTap presses and releases each keysym in turn, holding Shift for those that the
// keyboard only produces shifted (uppercase letters, most punctuation).
func (x *X) KeyTap(keysyms ...uint32) {
	x.t.Helper()
	for _, sym := range keysyms {
		code, shifted, ok := x.keycode(sym)
		if !ok {
			continue
		}
		shift, _, _ := x.keycode(ShiftL)
		if shifted {
			x.fake(xproto.KeyPress, shift, 0, 0)
		}
		x.fake(xproto.KeyPress, code, 0, 0)
		time.Sleep(inputPause)
		x.fake(xproto.KeyRelease, code, 0, 0)
		if shifted {
			x.fake(xproto.KeyRelease, shift, 0, 0)
		}
		time.Sleep(inputPause)
	}
}

// Type taps the keys that produce text (ASCII and Latin-1; "\n" is Return, "\t" Tab).
func (x *X) Type(text string) {
	x.t.Helper()
	for _, r := range text {
		x.KeyTap(KeysymOf(r))
	}
}

// keycode finds the key for keysym, reporting errors to the test.
func (x *X) keycode(keysym uint32) (code byte, shifted, ok bool) {
	x.t.Helper()
	x.keymapOnce.Do(func() { x.keymap, x.keymapErr = x.loadKeyboardMapping() })
	if x.keymapErr != nil {
		x.t.Errorf("e2e: keyboard mapping of %s: %v", x.display, x.keymapErr)
		return 0, false, false
	}
	code, shifted, ok = x.keymap.find(keysym)
	if !ok {
		x.t.Errorf("e2e: no key produces keysym %#x on %s", keysym, x.display)
	}
	return code, shifted, ok
}

func (x *X) loadKeyboardMapping() (keyboardMapping, error) {
	setup := xproto.Setup(x.conn)
	count := int(setup.MaxKeycode) - int(setup.MinKeycode) + 1
	reply, err := xproto.GetKeyboardMapping(x.conn, setup.MinKeycode, byte(count)).Reply()
	if err != nil {
		return keyboardMapping{}, err
	}
	m := keyboardMapping{minKeycode: byte(setup.MinKeycode), perKeycode: int(reply.KeysymsPerKeycode)}
	m.keysyms = make([]uint32, len(reply.Keysyms))
	for i, s := range reply.Keysyms {
		m.keysyms[i] = uint32(s)
	}
	if m.perKeycode == 0 || len(m.keysyms)%m.perKeycode != 0 {
		return keyboardMapping{}, fmt.Errorf("%d keysyms at %d per keycode", len(m.keysyms), m.perKeycode)
	}
	return m, nil
}

// keyboardMapping is GetKeyboardMapping's table: row k−minKeycode lists the keysyms of
// keycode k, column 0 unshifted, column 1 with Shift (the X core protocol's groups).
type keyboardMapping struct {
	minKeycode byte
	perKeycode int
	keysyms    []uint32
}

// find returns a keycode producing sym, preferring one that needs no Shift.
func (m keyboardMapping) find(sym uint32) (code byte, shifted, ok bool) {
	for col := 0; col < min(2, m.perKeycode); col++ {
		for row := 0; row*m.perKeycode < len(m.keysyms); row++ {
			if m.keysyms[row*m.perKeycode+col] == sym && int(m.minKeycode)+row <= 255 {
				return m.minKeycode + byte(row), col == 1, true
			}
		}
	}
	return 0, false, false
}
