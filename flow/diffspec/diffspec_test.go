package diffspec

import (
	"slices"
	"strings"
	"testing"
)

// model is a T to apply specs to.
type model struct {
	Source, Coupling string
	Width            int
	LR               float64
	Seed             uint64
}

var keys = Keys[model]{
	{"source", "source data", String(func(m *model) *string { return &m.Source })},
	{"coupling", "independent or ot", String(func(m *model) *string { return &m.Coupling })},
	{"width", "hidden units", Int(func(m *model) *int { return &m.Width })},
	{"lr", "learning rate", Float(func(m *model) *float64 { return &m.LR })},
	{"seed", "seed", Uint(func(m *model) *uint64 { return &m.Seed })},
}

func TestSplit(t *testing.T) {
	for _, tc := range []struct {
		spec string
		want []Setting
		err  string
	}{
		{"", nil, ""},
		{"coupling=ot", []Setting{{"coupling", "ot"}}, ""},
		{"Coupling=ot", []Setting{{"coupling", "ot"}}, ""},
		{"source=8gaussians:radius=5,std=1,coupling=ot width=16",
			[]Setting{{"source", "8gaussians:radius=5,std=1"}, {"coupling", "ot"}, {"width", "16"}}, ""},
		{" lr=1e-2 , width=3 ", []Setting{{"lr", "1e-2"}, {"width", "3"}}, ""},
		{"std=1", nil, `"std=1" is not a key=value setting`},
		{"coupling", nil, `"coupling" is not a key=value setting`},
		{"coupling=ot,,width=3", nil, `"" is not`},
		{"speed=3", nil, "keys: source, coupling, width, lr, seed"},
		{strings.Repeat("x", MaxLen+1), nil, "at most"},
	} {
		got, err := keys.Split(tc.spec)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("Split(%q) error %v, want %q", tc.spec, err, tc.err)
			}
			continue
		}
		if err != nil || !slices.Equal(got, tc.want) {
			t.Errorf("Split(%q) = %q, %v; want %q", tc.spec, got, err, tc.want)
		}
	}
}

func TestApply(t *testing.T) {
	var m model
	if err := keys.Apply(&m, "source=moons:noise=0.1,scale=2 width=16,lr=0.01 seed=7"); err != nil {
		t.Fatal(err)
	}
	if want := (model{Source: "moons:noise=0.1,scale=2", Width: 16, LR: 0.01, Seed: 7}); m != want {
		t.Fatalf("applied %+v, want %+v", m, want)
	}
	for spec, want := range map[string]string{
		"width=wide":      "width=wide: not a number",
		"width=2.5":       "width=2.5: not a number",
		"seed=-1":         "seed=-1: not a number",
		"lr=fast":         "lr=fast: not a number",
		"lr=1,lr=2":       "lr is given twice",
		"coupling=":       "coupling= has no value",
		"width=3 source":  `"source" is not`,
		"width=3,std=0.5": "width=3,std=0.5: not a number",
	} {
		m := model{}
		if err := keys.Apply(&m, spec); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Apply(%q) error %v, want %q", spec, err, want)
		}
	}
}

// A spec comes from a command line, a lesson file or a session: whatever
// its text, Split never panics, and what it splits writes back (key=value,
// space-separated) to the same settings.
func FuzzSplit(f *testing.F) {
	for _, s := range []string{
		"", "coupling=ot", "source=8gaussians:radius=5,std=1,coupling=ot width=16", " , ", "lr=1e-2,lr=1e-3",
		"std=1", ",,,", "seed=18446744073709551615", "width=" + strings.Repeat("9", 400), strings.Repeat("width=1,", 2000),
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, spec string) {
		var m model
		_ = keys.Apply(&m, spec)
		settings, err := keys.Split(spec)
		if err != nil {
			return
		}
		parts := make([]string, len(settings))
		for i, s := range settings {
			parts[i] = s.Key + "=" + s.Value
		}
		again, err := keys.Split(strings.Join(parts, " "))
		if err != nil || !slices.Equal(again, settings) {
			t.Fatalf("%q split as %q, written back as %q, split again as %q (%v)", spec, settings, parts, again, err)
		}
	})
}
