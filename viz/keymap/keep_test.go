package keymap

import "testing"

func TestKeepBindings(t *testing.T) {
	tests := []struct {
		key      string
		want     Action
		needCtrl bool
	}{
		{"S", SaveSession, true},
		{"O", OpenSession, true},
		{"E", ExportData, true},
		{"F12", Screenshot, false},
		{"F9", RecordGIF, false},
		{"P", ToggleParticles, false},
	}
	for _, tc := range tests {
		b, ok := Lookup(tc.key)
		if !ok || b.Action != tc.want || b.NeedsCtrl() != tc.needCtrl {
			t.Errorf("Lookup(%q) = %+v, %v; want action %d, ctrl %v", tc.key, b, ok, tc.want, tc.needCtrl)
		}
	}
	for a := SaveSession; a <= RecordGIF; a++ {
		found := false
		for _, b := range Table {
			found = found || b.Action == a
		}
		if !found {
			t.Errorf("action %d has no key", a)
		}
	}
}
