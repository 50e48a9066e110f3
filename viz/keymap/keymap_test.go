package keymap

import "testing"

func TestTableIsConsistent(t *testing.T) {
	keys := map[string]bool{}
	actions := map[Action]bool{}
	for _, b := range Table {
		if keys[b.Key] {
			t.Errorf("key %q bound twice", b.Key)
		}
		// An action's first binding carries the help line; further keys
		// of the same action (Tab beside H, the lesson digits) have none.
		if actions[b.Action] != (b.Help == "") {
			t.Errorf("binding %q: help %q, but the action was bound before: %v", b.Key, b.Help, actions[b.Action])
		}
		keys[b.Key], actions[b.Action] = true, true
		if b.Label == "" {
			t.Errorf("binding %q lacks a label", b.Key)
		}
	}
	for a := PlayPause; a <= LeaveLesson; a++ {
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
