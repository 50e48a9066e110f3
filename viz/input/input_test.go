package input

import (
	"testing"

	"github.com/ebitengine/debugui"
	"github.com/hajimehoshi/ebiten/v2"
)

func TestCapture(t *testing.T) {
	tests := []struct {
		name       string
		c          debugui.InputCapturingState
		free, keys bool
	}{
		{"nothing", 0, true, true},
		{"pointer over the panel", debugui.InputCapturingStateHover, false, true},
		{"text field focused", debugui.InputCapturingStateFocus, false, false},
	}
	for _, tc := range tests {
		var s Snapshot
		s.Keys[ebiten.KeyZ] = 1
		s.Keys[ebiten.KeyControl] = 5
		s.Capture(tc.c)
		if s.Free() != tc.free {
			t.Errorf("%s: Free() = %v, want %v", tc.name, s.Free(), tc.free)
		}
		if got := s.KeyJustPressed(ebiten.KeyZ) && s.Ctrl(); got != tc.keys {
			t.Errorf("%s: Ctrl+Z seen = %v, want %v", tc.name, got, tc.keys)
		}
	}
}

func TestButtonsAndKeys(t *testing.T) {
	var s Snapshot
	s.Press(Left)
	if !s.Pressed(Left) || !s.JustPressed(Left) || s.JustReleased(Left) {
		t.Fatalf("press: %+v", s.Buttons[Left])
	}
	s.Hold(Left)
	if !s.Pressed(Left) || s.JustPressed(Left) {
		t.Fatalf("hold: %+v", s.Buttons[Left])
	}
	s.Release(Left)
	if s.Pressed(Left) || !s.JustReleased(Left) {
		t.Fatalf("release: %+v", s.Buttons[Left])
	}
	if s.Duration(-1) != 0 || s.Duration(ebiten.KeyMax+1) != 0 {
		t.Fatal("keys out of range must read as up")
	}
	s.Keys[ebiten.KeyShift] = 3
	if !s.Shift() || s.KeyJustPressed(ebiten.KeyShift) {
		t.Fatal("a held Shift is held, not just pressed")
	}
	if at := s.At(3, 4); at.X != 3 || at.Y != 4 || s.X != 0 {
		t.Fatal("At must return a moved copy")
	}
}

// TestCountTransitions: a key or a button that went down this tick is a
// press, a button that went up a release; one held since an earlier tick
// is neither.
func TestCountTransitions(t *testing.T) {
	for _, tc := range []struct {
		name              string
		set               func(*Snapshot)
		presses, releases int
	}{
		{"nothing", func(*Snapshot) {}, 0, 0},
		{"a key down this tick", func(s *Snapshot) { s.Keys[ebiten.KeyV] = 1 }, 1, 0},
		{"a key held", func(s *Snapshot) { s.Keys[ebiten.KeyV] = 2 }, 0, 0},
		{"a button down", func(s *Snapshot) { s.Press(Left) }, 1, 0},
		{"a button held", func(s *Snapshot) { s.Hold(Right) }, 0, 0},
		{"a button released", func(s *Snapshot) { s.Release(Left) }, 0, 1},
		{"a key and a button down", func(s *Snapshot) { s.Keys[ebiten.KeyV] = 1; s.Press(Left) }, 2, 0},
	} {
		var s Snapshot
		tc.set(&s)
		s.countTransitions()
		if s.Presses != tc.presses || s.Releases != tc.releases {
			t.Errorf("%s: %d presses and %d releases, want %d and %d", tc.name, s.Presses, s.Releases, tc.presses, tc.releases)
		}
	}
}
