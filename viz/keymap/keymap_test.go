package keymap

import "testing"

func TestTableIsConsistent(t *testing.T) {
	keys := map[string]bool{}
	actions := map[Action]bool{}
	for _, b := range Table {
		if keys[b.Key] {
			t.Errorf("key %q bound twice", b.Key)
		}
		if actions[b.Action] {
			t.Errorf("action %d bound twice", b.Action)
		}
		keys[b.Key], actions[b.Action] = true, true
		if b.Label == "" || b.Help == "" {
			t.Errorf("binding %q lacks a label or help", b.Key)
		}
	}
	for a := PlayPause; a <= Help; a++ {
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
