package deck

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/flowviz/flowviz/assets"
	"github.com/flowviz/flowviz/flow"
	"github.com/flowviz/flowviz/flow/data"
	"github.com/flowviz/flowviz/flow/mlp"
	"github.com/flowviz/flowviz/flow/train"
	"github.com/flowviz/flowviz/viz/scene"
	"github.com/flowviz/flowviz/viz/storage"
)

// deckJSON wraps scenes in a version-1 header.
func deckJSON(scenes string) []byte {
	return []byte(`{"format": "flowviz-deck", "version": 1, "scenes": [` + scenes + `]}`)
}

func TestExampleDecksParse(t *testing.T) {
	names, err := fs.Glob(assets.Decks(), "*.json")
	if err != nil || len(names) == 0 {
		t.Fatalf("no example decks: %v", err)
	}
	for _, name := range names {
		b, err := fs.ReadFile(assets.Decks(), name)
		if err != nil {
			t.Fatal(err)
		}
		d, err := Parse(b)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if len(d.Scenes) < 5 {
			t.Errorf("%s: %d scenes; the example should show every kind", name, len(d.Scenes))
		}
		for i := range d.Scenes {
			s := &d.Scenes[i]
			if s.IsLesson() {
				continue
			}
			if _, _, err := s.Target.Dist("."); err != nil {
				t.Errorf("%s scene %d: target: %v", name, i+1, err)
			}
		}
	}
}

// TestBuiltinDeckIsEveryLesson: the lessons are the built-in deck, found
// by their files in name order, so lessons added later join it.
func TestBuiltinDeckIsEveryLesson(t *testing.T) {
	d, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	names, _ := fs.Glob(assets.Lessons(), "*.json")
	if len(d.Scenes) != len(names) || len(names) < 8 {
		t.Fatalf("%d scenes for %d lesson files", len(d.Scenes), len(names))
	}
	for i, n := range names {
		if got := d.Scenes[i].Lesson; got != strings.TrimSuffix(n, ".json") {
			t.Errorf("scene %d is %q, want %q", i+1, got, n)
		}
	}
	if err := d.Validate(); err != nil {
		t.Error(err)
	}
	if got := d.Label(0); got != "1 lesson 01-one-pair" {
		t.Errorf("label %q", got)
	}
}

func TestParseRefuses(t *testing.T) {
	for _, tc := range []struct {
		name, file, want string
	}{
		{"empty", ``, "empty"},
		{"not JSON", `{"format": `, "damaged or truncated"},
		{"foreign", `{"format": "flowviz-session", "version": 1}`, "not a deck file"},
		{"newer", `{"format": "flowviz-deck", "version": 2, "scenes": [], "slides": 1}`, "version 2 is not supported"},
		{"unknown field", string(deckJSON(`{"lesson": "01-one-pair", "colour": "red"}`)), "unknown field"},
		{"trailing", string(deckJSON(`{"lesson": "01-one-pair"}`)) + `{}`, "trailing data"},
		{"no such lesson", string(deckJSON(`{"lesson": "99-nothing"}`)), "no built-in lesson"},
		{"lesson with fields", string(deckJSON(`{"lesson": "01-one-pair", "t": 0.5}`)), "takes no other fields"},
		{"two data kinds", string(deckJSON(`{"target": {"spec": "moons", "points": [[1, 2]]}}`)), "exactly one"},
		{"bad spec", string(deckJSON(`{"target": {"spec": "moonz"}}`)), "unknown distribution"},
		{"a file as spec", string(deckJSON(`{"target": {"spec": "/etc/passwd.csv"}}`)), "unknown distribution"},
		{"image outside", string(deckJSON(`{"target": {"image": "../secret.png"}}`)), "deck's folder"},
		{"image absolute", string(deckJSON(`{"target": {"image": "/tmp/x.png"}}`)), "deck's folder"},
		{"image kind", string(deckJSON(`{"target": {"image": "x.bmp"}}`)), ".png"},
		{"point of 3", string(deckJSON(`{"target": {"points": [[1, 2, 3]]}}`)), "3 coordinates"},
		{"far point", string(deckJSON(`{"target": {"points": [[1e300, 2]]}}`)), "beyond"},
		{"steps", string(deckJSON(`{"settings": {"steps": 5000}}`)), "steps 5000"},
		{"negative", string(deckJSON(`{"settings": {"particles": -3}}`)), "negative"},
		{"solver", string(deckJSON(`{"settings": {"solver": "rk9"}}`)), "rk9"},
		{"huge net", string(deckJSON(`{"settings": {"width": 4096, "depth": 16}}`)), "parameters"},
		{"view", string(deckJSON(`{"view": [1, 0, 0, 1]}`)), "view"},
		{"view short", string(deckJSON(`{"view": [1, 0, 0]}`)), "view"},
		{"layer", string(deckJSON(`{"layers": ["arrows"]}`)), "unknown layer"},
		{"t", string(deckJSON(`{"t": 1.5}`)), "outside 0..1"},
		{"compare", string(deckJSON(`{"compare": "colour=red"}`)), "compare"},
		{"b weights alone", string(deckJSON(`{"compare_model": ` + modelJSON(t, 8, 1) + `}`)), "without compare"},
		{"weights of another net", string(deckJSON(`{"settings": {"width": 32}, "model": ` + modelJSON(t, 8, 1) + `}`)), "width-32"},
		{"caption", string(deckJSON(`{"caption": "` + strings.Repeat("é", MaxCaption+1) + `"}`)), "caption"},
		{"too many scenes", string(deckJSON(strings.TrimSuffix(strings.Repeat(`{},`, MaxScenes+1), ","))), "at most 99"},
		{"too many points", string(deckJSON(`{"target": {"points": [` + strings.TrimSuffix(strings.Repeat(`[1,1],`, 50_001), ",") + `]}}`)), "more than"},
	} {
		_, err := Parse([]byte(tc.file))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err %v, want one saying %q", tc.name, err, tc.want)
		}
	}
}

// modelJSON is a flowviz-model object of a width×depth network.
func modelJSON(t *testing.T, width, depth int) string {
	t.Helper()
	tr, err := train.New(train.Config{Source: "gaussian", Target: "moons", Path: "linear", Net: mlp.Config{Width: width, Depth: depth, Act: mlp.SiLU}, Batch: 16, LR: 1e-3, Seed: 1, Coupling: train.CouplingIndependent})
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := train.WriteModel(&b, tr.Latest().Model()); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// TestRoundTrip: a deck with every kind of scene and data, frozen weights
// included, writes and reads back the same.
func TestRoundTrip(t *testing.T) {
	playing := false
	view := [4]float64{-3, -2, 3, 2}
	d := &Deck{Title: "course", Scenes: []Scene{
		{Lesson: "03-many-pairs-cross"},
		{Title: "moons", Caption: "c", Formula: "f", Target: Data{Spec: "moons"}, Settings: SettingsOf(scene.DefaultSettings()),
			View: &view, Layers: []string{"particles", "grid"}, T: 0.25, Playing: &playing, Compare: "coupling=ot"},
		{Target: Data{Points: []flow.Vec{{1, 2}, {-0.5, 0.25}}, Jitter: 0.1, Name: "drawing"}, Source: Data{Spec: "text:Hi"}},
		{Target: Data{Image: "pics/logo.png:threshold=0.4"}},
	}}
	m, err := train.ReadModel(strings.NewReader(modelJSON(t, 8, 1)))
	if err != nil {
		t.Fatal(err)
	}
	d.Scenes[2].Settings = Settings{Width: 8, Depth: 1}
	if err := d.Scenes[2].Freeze(m, nil); err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := Write(&b, d); err != nil {
		t.Fatal(err)
	}
	back, err := Parse(b.Bytes())
	if err != nil {
		t.Fatalf("%v\n%s", err, b.String())
	}
	var again bytes.Buffer
	if err := Write(&again, back); err != nil {
		t.Fatal(err)
	}
	if again.String() != b.String() {
		t.Errorf("round trip changed the deck:\n%s\n---\n%s", b.String(), again.String())
	}
	wa, _, err := back.Scenes[2].Weights()
	if err != nil || wa == nil || len(wa.Params) != len(m.Params) || wa.Params[3] != m.Params[3] {
		t.Errorf("frozen weights did not come back: %v", err)
	}
}

func TestDataDist(t *testing.T) {
	dir := t.TempDir()
	if _, ok, err := (Data{}).Dist(dir); ok || err != nil {
		t.Errorf("zero data: ok %v err %v", ok, err)
	}
	d, ok, err := Data{Points: []flow.Vec{{1, 1}, {2, 2}}, Name: "two"}.Dist(dir)
	if !ok || err != nil || d.(*data.PointSet).Name != "two" {
		t.Errorf("points: %v %v", ok, err)
	}
	if _, _, err := (Data{Image: "missing.png"}).Dist(dir); err == nil || !errors.Is(err, fs.ErrNotExist) && !strings.Contains(err.Error(), "missing.png") {
		t.Errorf("a missing image: %v", err)
	}
	if got := DataOf(mustLoad(t, "text:Hi")); got.Spec != "text:Hi" {
		t.Errorf("text kept as %+v", got)
	}
	if got := DataOf(mustLoad(t, "moons")); got.Spec == "" || len(got.Points) != 0 {
		t.Errorf("a preset kept as %+v", got)
	}
}

func mustLoad(t *testing.T, spec string) data.Dist {
	t.Helper()
	d, err := data.Load(spec)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// TestFileSaveKeepsWhatItDidNotWrite: a deck file that could not be read,
// or that changed since it was read, is moved aside before a save, never
// written over; the save itself is whole.
func TestFileSaveKeepsWhatItDidNotWrite(t *testing.T) {
	dir := t.TempDir()
	st := storage.Files{}
	path := filepath.Join(dir, "lecture.json")
	newer := `{"format": "flowviz-deck", "version": 9, "scenes": []}`
	os.WriteFile(path, []byte(newer), 0o644)
	f, d, err := Open(st, path)
	if err == nil || !strings.Contains(err.Error(), "version 9") || len(d.Scenes) != 0 {
		t.Fatalf("a newer deck opened: %v", err)
	}
	d.Scenes = append(d.Scenes, Scene{Lesson: "01-one-pair"})
	moved, err := f.Save(d)
	if err != nil || moved == "" {
		t.Fatalf("save: moved %q, %v", moved, err)
	}
	if b, _ := os.ReadFile(moved); string(b) != newer {
		t.Errorf("the newer deck was not kept: %q", b)
	}
	if _, err := Load(st, path); err != nil {
		t.Errorf("saved deck does not load: %v", err)
	}
	// Saved again, untouched: written in place.
	d.Scenes = append(d.Scenes, Scene{Lesson: "02-interpolation"})
	if moved, err := f.Save(d); err != nil || moved != "" {
		t.Errorf("second save: moved %q, %v", moved, err)
	}
	// Edited by someone else meanwhile: kept aside.
	os.WriteFile(path, deckJSON(`{"lesson": "05-the-average-field"}`), 0o644)
	if moved, err := f.Save(d); err != nil || moved == "" {
		t.Errorf("save over an edited deck: moved %q, %v", moved, err)
	}
	// A missing file is an empty deck to start.
	if _, d, err := Open(st, filepath.Join(dir, "new.json")); err != nil || len(d.Scenes) != 0 {
		t.Errorf("a new deck: %v", err)
	}
	// Too large: refused before reading.
	big := filepath.Join(dir, "big.json")
	os.WriteFile(big, append(deckJSON(``), bytes.Repeat([]byte(" "), MaxBytes)...), 0o644)
	if _, err := Load(st, big); err == nil {
		t.Error("a deck beyond MaxBytes was read")
	}
}

func TestApplyKeepsDefaults(t *testing.T) {
	base := scene.DefaultSettings()
	got := Settings{Steps: 7, Coupling: "ot"}.Apply(base)
	want := base
	want.Steps, want.Coupling = 7, "ot"
	if got != want {
		t.Errorf("Apply = %+v", got)
	}
	if SettingsOf(base).Apply(scene.Settings{}) != func() scene.Settings { b := base; b.Source, b.Target, b.View = "", "", [4]float64{}; return b }() {
		t.Error("SettingsOf does not carry every setting")
	}
}
