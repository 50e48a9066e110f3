package link

import (
	"strings"
	"testing"

	"github.com/flowviz/flowviz/viz/scene"
)

func TestParse(t *testing.T) {
	base := scene.DefaultSettings()
	for _, c := range []struct {
		frag    string
		want    func(*Link)
		wantErr string // "" for success
	}{
		{"", func(*Link) {}, ""},
		{"#", func(*Link) {}, ""},
		{"#target=moons&coupling=ot&lesson=3", func(l *Link) { l.Settings.Coupling = "ot"; l.Lesson = 3 }, ""},
		{"target=8gaussians:radius=5,std=1", func(l *Link) { l.Settings.Target = "8gaussians:radius=5,std=1" }, ""},
		{"#target=8gaussians%3Aradius%3D5", func(l *Link) { l.Settings.Target = "8gaussians:radius=5" }, ""},
		{"#width=128&depth=4&steps=8&solver=rk4&path=linear&source=gaussian", func(l *Link) {
			l.Settings.Width, l.Settings.Depth, l.Settings.Steps, l.Settings.Solver = 128, 4, 8, "rk4"
		}, ""},
		{"#compare=coupling=ot", func(l *Link) { l.Compare = "coupling=ot" }, ""},
		{"#compare=solver%3Drk4%2Csteps%3D5", func(l *Link) { l.Compare = "solver=rk4,steps=5" }, ""},
		{"#&&target=moons&", func(*Link) {}, ""},
		{"#target=digits8", func(l *Link) { l.Settings.Target = "digits8" }, ""},
		{"#target=Digits&width=32", func(l *Link) { l.Settings.Target, l.Settings.Width = "digits", 32 }, ""},
		{"#source=digits", nil, "source=digits"},
		{"#colour=red", nil, "unknown key"},
		{"#target", nil, "not key=value"},
		{"#target=moons&target=circles", nil, "given twice"},
		{"#target=nosuchshape", nil, "target=nosuchshape"},
		{"#width=0", nil, "outside 1..512"},
		{"#width=99999999999999999999", nil, "not a whole number"},
		{"#depth=9", nil, "outside 1..8"},
		{"#steps=0", nil, "outside"},
		{"#lesson=-1", nil, "outside 0..99"},
		{"#solver=leapfrog", nil, "solver=leapfrog"},
		{"#coupling=magic", nil, "coupling=magic"},
		{"#compare=speed", nil, "compare=speed"},
		{"#target=%zz", nil, "two hex digits"},
		{"#target=moons%", nil, "two hex digits"},
		{"#target=" + strings.Repeat("a", MaxLen), nil, "longer than"},
	} {
		t.Run(c.frag, func(t *testing.T) {
			got, err := Parse(c.frag, base)
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) {
					t.Fatalf("error %v, want one containing %q", err, c.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			want := Link{Settings: base}
			c.want(&want)
			if got.Settings != want.Settings || got.Lesson != want.Lesson || got.Compare != want.Compare {
				t.Errorf("got %+v, lesson %d, compare %q; want %+v, lesson %d, compare %q",
					got.Settings, got.Lesson, got.Compare, want.Settings, want.Lesson, want.Compare)
			}
		})
	}
}

// TestFormatRoundTrips: what Format writes, Parse reads back to the same
// scene, from any base.
func TestFormatRoundTrips(t *testing.T) {
	s := scene.DefaultSettings()
	s.Target, s.Source = "8gaussians:radius=5,std=1", "uniform"
	s.Width, s.Depth, s.Steps, s.Coupling, s.Solver = 128, 4, 12, "ot", "heun"
	frag := Format(s, 3, "solver=rk4,steps=5")
	want := "#source=uniform&target=8gaussians:radius=5,std=1&width=128&depth=4&path=linear&coupling=ot&solver=heun&steps=12&lesson=3&compare=solver=rk4,steps=5"
	if frag != want {
		t.Errorf("Format = %s\nwant     %s", frag, want)
	}
	other := scene.DefaultSettings()
	other.Width, other.Solver = 7, "midpoint"
	l, err := Parse(frag, other)
	if err != nil {
		t.Fatal(err)
	}
	if l.Settings != s || l.Lesson != 3 || l.Compare != "solver=rk4,steps=5" {
		t.Errorf("round trip: %+v lesson %d compare %q", l.Settings, l.Lesson, l.Compare)
	}
	if got := Format(scene.DefaultSettings(), 0, ""); strings.Contains(got, "lesson") || strings.Contains(got, "compare") {
		t.Errorf("no lesson and no compare, yet %s", got)
	}
	if got := escape("a b&c#d%e+f"); got != "a%20b%26c%23d%25e%2Bf" {
		t.Errorf("escape = %s", got)
	}
}

// FuzzParse: no fragment panics Parse or makes it read past MaxLen, and
// whatever it accepts Format writes back to the same scene.
func FuzzParse(f *testing.F) {
	for _, seed := range []string{
		"#target=moons&coupling=ot&lesson=3",
		"#compare=solver%3Drk4%2Csteps%3D5&width=64",
		"#target=8gaussians:radius=5,std=1",
		// Size bombs: a huge count, a long fragment, many keys, deep escapes.
		"#target=moons:n=1000000000000&width=512&depth=8&steps=200",
		"#" + strings.Repeat("target=moons&", 300),
		"#target=" + strings.Repeat("%25", 1000),
		"#" + strings.Repeat("&", MaxLen+1),
		"#lesson=99999999999999999999999",
	} {
		f.Add(seed)
	}
	base := scene.DefaultSettings()
	f.Fuzz(func(t *testing.T, frag string) {
		l, err := Parse(frag, base)
		if err != nil {
			return
		}
		if len(frag) > MaxLen {
			t.Fatalf("accepted %d bytes", len(frag))
		}
		again, err := Parse(Format(l.Settings, l.Lesson, l.Compare), base)
		if err != nil {
			t.Fatalf("Format(%q) = %q does not parse: %v", frag, Format(l.Settings, l.Lesson, l.Compare), err)
		}
		if again.Settings != l.Settings || again.Lesson != l.Lesson || again.Compare != l.Compare {
			t.Fatalf("round trip of %q changed the scene", frag)
		}
	})
}
