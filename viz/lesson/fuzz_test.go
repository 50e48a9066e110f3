package lesson

import (
	"encoding/json"
	"io/fs"
	"strings"
	"testing"

	"github.com/flowviz/flowviz/assets"
)

// FuzzParse: Parse never panics, and whatever it accepts validates again and
// survives a round trip through JSON.
func FuzzParse(f *testing.F) {
	names, err := fs.Glob(assets.Lessons(), "*.json")
	if err != nil {
		f.Fatal(err)
	}
	for _, name := range names {
		b, err := fs.ReadFile(assets.Lessons(), name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(validJSON))
	f.Add([]byte(`{"kind": "sampling", "step_choices": [1e9], "solvers": ["x"]}`))
	f.Add([]byte(`{"view": [0, 0, 1], "x0": [1]} {}`))
	// Size bombs: a hundred thousand step choices, a file beyond MaxFileSize.
	f.Add([]byte(`{"kind": "sampling", "step_choices": [` + strings.Repeat("1,", 100_000) + `1]}`))
	f.Add([]byte(`{"caption": "` + strings.Repeat("x", MaxFileSize) + `"}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		l, err := Parse("fuzz.json", b)
		if err != nil {
			return
		}
		if err := l.Validate(); err != nil {
			t.Fatalf("accepted, then refused: %v", err)
		}
		out, err := json.Marshal(l)
		if err != nil {
			t.Fatalf("accepted, then cannot marshal: %v", err)
		}
		back, err := Parse("fuzz.json", out)
		if err != nil {
			t.Fatalf("round trip of %s refused: %v", out, err)
		}
		again, _ := json.Marshal(back)
		if string(again) != string(out) {
			t.Fatalf("round trip changed %s into %s", out, again)
		}
	})
}
