package keymap

import (
	"strings"
	"testing"
)

func TestTableIsConsistent(t *testing.T) {
	keys := map[string]bool{}
	actions := map[Action]bool{}
	for _, b := range Table {
		// A key may have a second binding with Shift (H and Shift+H).
		id := b.Key
		if b.NeedsShift() {
			id = "Shift+" + id
		}
		if keys[id] {
			t.Errorf("key %q bound twice", id)
		}
		// An action's first binding carries the help line; further keys
		// of the same action (Tab beside H, the lesson digits) have none.
		// Or a line of the help names the key in its label (N · Bksp).
		if actions[b.Action] != (b.Help == "") && !namedElsewhere(b) {
			t.Errorf("binding %q: help %q, but the action was bound before: %v", b.Key, b.Help, actions[b.Action])
		}
		keys[id], actions[b.Action] = true, true
		if b.Label == "" {
			t.Errorf("binding %q lacks a label", b.Key)
		}
	}
	for a := PlayPause; a <= Presentation; a++ {
		if !actions[a] {
			t.Errorf("action %d has no key", a)
		}
	}
}

func TestRequiredKeys(t *testing.T) {
	// The keys the issue asks for by name.
	tests := []struct {
		key  string
		want Action
	}{
		{"Space", PlayPause},
		{"ArrowRight", StepForward},
		{"ArrowLeft", StepBack},
		{"Home", Start},
		{"End", End},
		{"F11", Fullscreen},
		{"Slash", Help},
		{"PageDown", NextLesson},
		{"PageUp", PrevLesson},
		{"Escape", LeaveLesson},
		{"H", TogglePanel},
		{"Q", ToggleProbe},
		{"Z", ToggleReverse},
		{"U", ToggleScore},
	}
	for _, tc := range tests {
		b, ok := Lookup(tc.key)
		if !ok || b.Action != tc.want {
			t.Errorf("Lookup(%q) = %v, %v; want action %d", tc.key, b, ok, tc.want)
		}
	}
	if _, ok := Lookup("NoSuchKey"); ok {
		t.Errorf("Lookup of an unbound key succeeded")
	}
	if !StepForward.Repeats() || PlayPause.Repeats() {
		t.Errorf("Repeats wrong")
	}
}

// TestPresenterKeys: the keys issue 17 assigns, and Shift+H kept apart
// from H.
func TestPresenterKeys(t *testing.T) {
	for _, tc := range []struct {
		key  string
		want Action
	}{{"N", ToggleInk}, {"Backspace", ClearInk}} {
		if b, ok := Lookup(tc.key); !ok || b.Action != tc.want {
			t.Errorf("Lookup(%q) = %v, %v; want action %d", tc.key, b, ok, tc.want)
		}
	}
	found := false
	for _, b := range Table {
		if b.Key == "H" && b.NeedsShift() {
			found = b.Action == Presentation
		}
	}
	if !found || !ShiftMatters("H") || ShiftMatters("V") {
		t.Errorf("Shift+H is not the presentation key apart from H")
	}
}

func TestLessonDigits(t *testing.T) {
	seen := map[int]bool{}
	for _, b := range Table {
		if d := b.Digit(); d != 0 {
			if b.Action != GoLesson {
				t.Errorf("digit key %q does %d, want GoLesson", b.Key, b.Action)
			}
			seen[d] = true
		}
	}
	for d := 1; d <= 8; d++ {
		if !seen[d] {
			t.Errorf("no key goes to lesson %d", d)
		}
	}
	if (Binding{Key: "D"}).Digit() != 0 || (Binding{Key: "Digit"}).Digit() != 0 {
		t.Error("Digit of a non-digit key is not 0")
	}
}

// namedElsewhere reports whether another binding's label names b's key, so
// the help covers b on that line.
func namedElsewhere(b Binding) bool {
	short := map[string]string{"Backspace": "Bksp"}
	for _, o := range Table {
		if o.Help == "" || o.Action == b.Action {
			continue
		}
		for _, part := range strings.Split(o.Label, " · ") {
			if part == b.Label || part == short[b.Label] {
				return true
			}
		}
	}
	return false
}
