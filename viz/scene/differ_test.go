package scene

import (
	"strings"
	"testing"
)

func TestDiffer(t *testing.T) {
	a := DefaultSettings()
	tests := []struct {
		spec, err string
		check     func(Settings) bool
	}{
		{spec: "coupling=ot", check: func(b Settings) bool { return b.Coupling == "ot" && b.Width == a.Width }},
		{spec: " solver=rk4 , steps=5", check: func(b Settings) bool { return b.Solver == "rk4" && b.Steps == 5 }},
		{spec: "width=256,lr=1e-2", check: func(b Settings) bool { return b.Width == 256 && b.LR == 1e-2 }},
		{spec: "", err: "no setting"},
		{spec: "coupling", err: "not a key=value setting"},
		{spec: "seed=3", err: "not a key=value setting (keys: coupling, path"},
		{spec: "Coupling=OT, steps=5", check: func(b Settings) bool { return b.Coupling == "OT" && b.Steps == 5 }},
		{spec: "lr=1e-2 lr=1e-3", err: "lr is given twice"},
		{spec: "width=wide", err: "not a number"},
		{spec: "coupling=independent", err: "changes nothing"},
	}
	for _, tc := range tests {
		b, err := a.Differ(tc.spec)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%q: error %v, want %q", tc.spec, err, tc.err)
			}
			continue
		}
		if err != nil || !tc.check(b) {
			t.Errorf("%q: %+v, %v", tc.spec, b, err)
		}
		if b.Source != a.Source || b.Target != a.Target || b.Seed != a.Seed || b.Particles != a.Particles {
			t.Errorf("%q changed the shared data, seed or particles", tc.spec)
		}
		if d := Diff(a, b); d == "" {
			t.Errorf("%q: Diff says nothing differs", tc.spec)
		}
	}
}
