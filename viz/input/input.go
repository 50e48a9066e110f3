// Package input reads one tick of keyboard, mouse, wheel, touch and dropped
// files from ebiten into a Snapshot. It is the only code in viz that reads
// ebiten's input: every part's Update receives the Snapshot instead, so tests
// feed input without a window or an X server.
package input

import (
	"io/fs"
	"math"

	"github.com/ebitengine/debugui"
	"github.com/hajimehoshi/ebiten/v2"
	"github.com/hajimehoshi/ebiten/v2/inpututil"
)

// Button names a pointer button.
type Button int

// The pointer buttons the app uses. A touch acts as the left button.
const (
	Left Button = iota
	Right
	Middle
	numButtons
)

// ButtonState is one button during one tick.
type ButtonState struct {
	Pressed      bool // held down now
	JustPressed  bool // went down this tick
	JustReleased bool // went up this tick
}

// Snapshot is the input of one tick. The zero value is a tick without input
// with the pointer at (0, 0).
type Snapshot struct {
	X, Y    float64 // pointer in device-independent pixels
	Buttons [numButtons]ButtonState
	WheelY  float64 // wheel notches this tick, up positive; never NaN
	// Keys holds how many ticks each key has been held (1 on the tick it
	// went down, 0 when up), indexed by ebiten.Key.
	Keys [ebiten.KeyMax + 1]int
	// Dropped holds the files dropped on the window this tick, nil if none.
	Dropped fs.FS
	// PointerCaptured says the panel holds the pointer: the canvas must not
	// start a drag or take a click. Drags already running may continue.
	PointerCaptured bool
	// KeysCaptured says a panel text field has the keyboard; Keys are then
	// all zero.
	KeysCaptured bool
	// Presses and Releases count the keys and buttons that went down and up
	// this tick, before Capture: input the app has seen, whoever took it.
	// The state report adds them up so that a driver (the end-to-end tests)
	// can wait for its press to be seen instead of guessing a frame time.
	Presses, Releases int
}

// Read takes the snapshot of the current tick from ebiten. Call it once per
// Update, then Capture with the panel's capture state.
func Read() Snapshot {
	var s Snapshot
	cx, cy := ebiten.CursorPosition()
	s.X, s.Y = float64(cx), float64(cy)
	for b, eb := range [numButtons]ebiten.MouseButton{ebiten.MouseButtonLeft, ebiten.MouseButtonRight, ebiten.MouseButtonMiddle} {
		s.Buttons[b] = ButtonState{
			Pressed:      ebiten.IsMouseButtonPressed(eb),
			JustPressed:  inpututil.IsMouseButtonJustPressed(eb),
			JustReleased: inpututil.IsMouseButtonJustReleased(eb),
		}
	}
	if _, wy := ebiten.Wheel(); !math.IsNaN(wy) {
		s.WheelY = wy
	}
	for k := range s.Keys {
		s.Keys[k] = inpututil.KeyPressDuration(ebiten.Key(k))
	}
	s.Dropped = ebiten.DroppedFiles()
	if s.Dropped == nil {
		s.Dropped = picked() // a browser's file picker (Pick)
	}
	s.readTouch()
	s.addLatched()
	s.countTransitions()
	return s
}

// countTransitions sets Presses and Releases from the buttons and keys.
func (s *Snapshot) countTransitions() {
	for _, b := range s.Buttons {
		if b.JustPressed {
			s.Presses++
		}
		if b.JustReleased {
			s.Releases++
		}
	}
	for k, d := range s.Keys {
		if d == 1 {
			s.Presses++
		}
		if inpututil.IsKeyJustReleased(ebiten.Key(k)) {
			s.Releases++
		}
	}
}

// readTouch lets the first touch drive the pointer as the left button, so a
// touch screen draws, probes and scrubs as the mouse does.
func (s *Snapshot) readTouch() {
	var ids []ebiten.TouchID
	ids = ebiten.AppendTouchIDs(ids)
	var just []ebiten.TouchID
	just = inpututil.AppendJustPressedTouchIDs(just)
	if len(ids) > 0 {
		x, y := ebiten.TouchPosition(ids[0])
		s.X, s.Y = float64(x), float64(y)
		s.Buttons[Left].Pressed = true
		s.Buttons[Left].JustPressed = s.Buttons[Left].JustPressed || len(just) > 0
		return
	}
	var released []ebiten.TouchID
	released = inpututil.AppendJustReleasedTouchIDs(released)
	if len(released) > 0 {
		x, y := inpututil.TouchPositionInPreviousTick(released[0])
		s.X, s.Y = float64(x), float64(y)
		s.Buttons[Left].JustReleased = true
	}
}

// Capture applies the panel's capture state: a focused text field takes
// the keyboard, a pointer over the panel takes the pointer.
func (s *Snapshot) Capture(c debugui.InputCapturingState) {
	if c&debugui.InputCapturingStateFocus != 0 {
		s.KeysCaptured = true
		clear(s.Keys[:])
	}
	s.PointerCaptured = c != 0
}

// Pressed reports whether b is held.
func (s *Snapshot) Pressed(b Button) bool { return s.Buttons[b].Pressed }

// JustPressed reports whether b went down this tick.
func (s *Snapshot) JustPressed(b Button) bool { return s.Buttons[b].JustPressed }

// JustReleased reports whether b went up this tick.
func (s *Snapshot) JustReleased(b Button) bool { return s.Buttons[b].JustReleased }

// Free reports whether the canvas may take the pointer: the panel does not
// hold it.
func (s *Snapshot) Free() bool { return !s.PointerCaptured }

// Duration is how many ticks k has been held (0 when up).
func (s *Snapshot) Duration(k ebiten.Key) int {
	if k < 0 || int(k) >= len(s.Keys) {
		return 0
	}
	return s.Keys[k]
}

// KeyPressed reports whether k is held.
func (s *Snapshot) KeyPressed(k ebiten.Key) bool { return s.Duration(k) > 0 }

// KeyJustPressed reports whether k went down this tick.
func (s *Snapshot) KeyJustPressed(k ebiten.Key) bool { return s.Duration(k) == 1 }

// Ctrl reports whether Control (or Command on macOS) is held.
func (s *Snapshot) Ctrl() bool {
	return s.KeyPressed(ebiten.KeyControl) || s.KeyPressed(ebiten.KeyMeta)
}

// Shift reports whether Shift is held.
func (s *Snapshot) Shift() bool { return s.KeyPressed(ebiten.KeyShift) }

// Press sets b as going down this tick (for tests and replays).
func (s *Snapshot) Press(b Button) { s.Buttons[b] = ButtonState{Pressed: true, JustPressed: true} }

// Hold sets b as held since an earlier tick.
func (s *Snapshot) Hold(b Button) { s.Buttons[b] = ButtonState{Pressed: true} }

// Release sets b as going up this tick.
func (s *Snapshot) Release(b Button) { s.Buttons[b] = ButtonState{JustReleased: true} }

// At returns a copy of s with the pointer at (x, y).
func (s Snapshot) At(x, y float64) Snapshot { s.X, s.Y = x, y; return s }
