package data

import (
	"strings"
	"testing"
)

func TestParseStringRoundTrip(t *testing.T) {
	specs := []string{
		"gaussian", "gaussian:std=2,x=1,y=-1", "uniform:a=1.5", "moons", "moons:noise=0.2,scale=3,shift=1,shift_y=1",
		"8gaussians:radius=5,std=0.5623413251903491", "checkerboard", "checkerboard:scale=2", "2spirals:noise=0",
		"circles:factor=0.3", "rings:rings=7", "pinwheel:arms=3,rate=-0.5", "swissroll:noise=0.5,scale=0.25",
		"scurve:scale=1.5", "  MOONS : noise = 0.1 ", "8gaussians:std=1e-3",
	}
	for _, s := range specs {
		d := mustParse(t, s)
		canon := d.String()
		again := mustParse(t, canon)
		if again.String() != canon {
			t.Errorf("%q → %q → %q: not stable", s, canon, again.String())
		}
		if again != d {
			t.Errorf("%q: parsed %#v, re-parsed %#v", s, d, again)
		}
	}
}

func TestParseDefaults(t *testing.T) {
	tests := []struct{ spec, want string }{
		{"gaussian", "gaussian:std=1,x=0,y=0"},
		{"moons", "moons:noise=0.05,scale=2,shift=1,shift_y=0"},
		{"8gaussians", "8gaussians:radius=5,std=1"},
		{"checkerboard", "checkerboard:scale=2.2222222222222223"},
		{"rings:", "rings:radius=3,rings=4,noise=0.08"},
		{"pinwheel:scale=1", "pinwheel:arms=5,radial=0.3,tangential=0.1,rate=0.25,scale=1"},
	}
	for _, tc := range tests {
		if got := mustParse(t, tc.spec).String(); got != tc.want {
			t.Errorf("Parse(%q).String() = %q, want %q", tc.spec, got, tc.want)
		}
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		spec string
		want []string // substrings the error must contain
	}{
		{"", []string{"unknown distribution", "moons"}},
		{"banana", []string{`"banana"`, "known:", "8gaussians"}},
		{"moons:nosie=0.1", []string{`"nosie"`, "keys: noise, scale, shift, shift_y"}},
		{"moons:noise", []string{`"noise" is not key=value`}},
		{"moons:=3", []string{"not key=value"}},
		{"moons:noise=abc", []string{"noise", "not a number"}},
		{"moons:noise=NaN", []string{"noise=NaN", "not a finite"}},
		{"moons:scale=inf", []string{"scale=inf", "not a finite"}},
		{"moons:scale=1e400", []string{"scale=1e400", "out of range"}},
		{"gaussian:std=-1", []string{"std=-1", "out of range [0, 1000]"}},
		{"rings:rings=1e9", []string{"rings=1e9", "out of range"}},
		{"rings:rings=2.5", []string{"rings=2.5", "whole number"}},
		{"pinwheel:arms=0", []string{"arms=0", "out of range"}},
		{"moons:noise=0.1,noise=0.2", []string{`"noise" given twice`}},
		{"moons:noise=0.1,", []string{"not key=value"}},
		{"circles:factor=2", []string{"factor=2", "out of range [0, 1]"}},
	}
	for _, tc := range tests {
		_, err := Parse(tc.spec)
		if err == nil {
			t.Errorf("Parse(%q) succeeded, want an error", tc.spec)
			continue
		}
		for _, w := range tc.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("Parse(%q) error %q does not mention %q", tc.spec, err, w)
			}
		}
	}
}

func TestNamesAndDescribe(t *testing.T) {
	want := []string{"gaussian", "uniform", "moons", "8gaussians", "checkerboard", "2spirals",
		"circles", "rings", "pinwheel", "swissroll", "scurve"}
	names := Names()
	if strings.Join(names, " ") != strings.Join(want, " ") {
		t.Fatalf("Names() = %v, want %v", names, want)
	}
	for _, name := range names {
		desc := Describe(name)
		if !strings.HasPrefix(desc, name+": ") || strings.Contains(desc, "\n") {
			t.Errorf("Describe(%q) = %q: want one line starting with the name", name, desc)
		}
		for _, p := range lookup(name).params {
			if !strings.Contains(desc, p.key+"="+formatValue(p.def)) {
				t.Errorf("Describe(%q) = %q lacks the default %s=%s", name, desc, p.key, formatValue(p.def))
			}
		}
	}
	if Describe("nope") != "" {
		t.Errorf(`Describe("nope") = %q, want ""`, Describe("nope"))
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"moons", "moons:noise=0.1,scale=2", "rings:rings=3", "gaussian:std=-1",
		"8gaussians:std=NaN", "pinwheel:arms=1e9", "checkerboard:", ":", "a=b,c", "2spirals:noise=0x1p-3",
		// Size bombs: counts and sizes far beyond their ranges, a huge spec.
		"rings:rings=1e300", "moons:scale=1e308", "checkerboard:" + strings.Repeat("a=1,", 1<<14)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := Parse(s)
		if err != nil {
			return
		}
		canon := d.String()
		again, err := Parse(canon)
		if err != nil {
			t.Fatalf("Parse(%q) ok but its String %q does not parse: %v", s, canon, err)
		}
		if again.String() != canon {
			t.Fatalf("%q → %q → %q", s, canon, again.String())
		}
		pts := Sample(d, newRNG(1), 16)
		for _, p := range pts {
			for _, v := range p {
				if v != v {
					t.Fatalf("%q sampled NaN", canon)
				}
			}
		}
	})
}
