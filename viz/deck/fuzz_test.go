package deck

import (
	"bytes"
	"io/fs"
	"strings"
	"testing"

	"github.com/flowviz/flowviz/assets"
)

// FuzzParse: Parse never panics, and whatever it accepts validates again and
// survives a round trip through Write unchanged.
func FuzzParse(f *testing.F) {
	names, err := fs.Glob(assets.Decks(), "*.json")
	if err != nil {
		f.Fatal(err)
	}
	for _, name := range names {
		b, err := fs.ReadFile(assets.Decks(), name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add(deckJSON(`{"lesson": "01-one-pair"}, {"target": {"points": [[1, 2], [3, 4]], "jitter": 0.1}, "t": 0.5}`))
	f.Add(deckJSON(`{"target": {"image": "a/b.png:threshold=0.3"}, "view": [-1, -1, 1, 1], "layers": ["grid"]}`))
	f.Add(deckJSON(`{"settings": {"steps": 1e9}, "compare": "coupling=ot,solver=rk4"}`))
	f.Add([]byte(`{"format": "flowviz-deck", "version": 1, "scenes": [{}]} {}`))
	// Size bombs: a hundred thousand scenes, a hundred thousand points, a
	// caption of a megabyte, deeply nested arrays.
	f.Add(deckJSON(strings.TrimSuffix(strings.Repeat(`{},`, 100_000), ",")))
	f.Add(deckJSON(`{"target": {"points": [` + strings.TrimSuffix(strings.Repeat(`[1,1],`, 100_000), ",") + `]}}`))
	f.Add(deckJSON(`{"caption": "` + strings.Repeat("x", 1<<20) + `"}`))
	f.Add(deckJSON(`{"target": {"points": ` + strings.Repeat("[", 10_000) + strings.Repeat("]", 10_000) + `}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		d, err := Parse(b)
		if err != nil {
			return
		}
		if err := d.Validate(); err != nil {
			t.Fatalf("accepted, then refused: %v", err)
		}
		var out bytes.Buffer
		if err := Write(&out, d); err != nil {
			t.Fatalf("accepted, then cannot write: %v", err)
		}
		back, err := Parse(out.Bytes())
		if err != nil {
			t.Fatalf("round trip of %s refused: %v", out.String(), err)
		}
		var again bytes.Buffer
		if err := Write(&again, back); err != nil || again.String() != out.String() {
			t.Fatalf("round trip changed %s into %s (%v)", out.String(), again.String(), err)
		}
	})
}
