package lesson

import (
	"encoding/json"
	"io/fs"
	"math"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/flowviz/flowviz/assets"
	"github.com/flowviz/flowviz/viz/scene"
)

// The built-in lessons load, are numbered from 1 and follow the blog post
// in the order of the built-in kinds; lessons of kinds registered by the
// app (RegisterKind) follow, their own fields checked by the app's tests.
func TestBuiltin(t *testing.T) {
	registerAppKinds(t)
	lessons, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	if len(lessons) < len(kinds) {
		t.Fatalf("%d lessons, want at least %d", len(lessons), len(kinds))
	}
	for i, l := range lessons {
		if l.Number != i+1 {
			t.Errorf("%s: number %d, want %d", l.File, l.Number, i+1)
		}
		if i < len(kinds) && l.Kind != kinds[i] {
			t.Errorf("%s: kind %q, want %q", l.File, l.Kind, kinds[i])
		}
		if err := l.Validate(); err != nil {
			t.Error(err)
		}
		// Captions are read from the back of a room: keep them short.
		if n := len([]rune(l.Caption)); n > 220 {
			t.Errorf("%s: caption of %d characters, want at most 220", l.File, n)
		}
		// The projector shows Unicode, never the ASCII stand-ins.
		for _, s := range []string{l.Caption, l.Formula, l.Hint} {
			for _, ascii := range []string{"->", "||", "~=", " * ", "(1-t)", "x1 - x0"} {
				if strings.Contains(s, ascii) {
					t.Errorf("%s: %q uses ASCII %q", l.File, s, ascii)
				}
			}
		}
	}
}

// registerAppKinds registers, without a check, the kinds of the built-in
// lessons that the app registers (this package alone does not know them).
func registerAppKinds(t *testing.T) {
	t.Helper()
	files, err := fs.Glob(assets.Lessons(), "*.json")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range files {
		b, err := fs.ReadFile(assets.Lessons(), name)
		if err != nil {
			t.Fatal(err)
		}
		var head struct{ Kind Kind }
		if err := json.Unmarshal(b, &head); err == nil && head.Kind != "" && !Known(head.Kind) {
			RegisterKind(head.Kind, nil)
		}
	}
}

// A kind registered from outside (as the app's lesson files do) is valid,
// its check runs in Validate, and its params decode strictly.
func TestRegisterKind(t *testing.T) {
	const kind Kind = "test-registered"
	type params struct {
		Bins int `json:"bins"`
	}
	RegisterKind(kind, func(l Lesson, fail func(field, format string, args ...any)) {
		var p params
		if err := l.DecodeParams(&p); err != nil {
			fail("params", "%v", err)
			return
		}
		if p.Bins < 1 {
			fail("params.bins", "%d, want at least 1", p.Bins)
		}
	})
	if !Known(kind) || !slices.Contains(Kinds(), kind) {
		t.Fatalf("%q not known after RegisterKind: %v", kind, Kinds())
	}
	base := `{"title": "T", "kind": "test-registered", "caption": "C.", "formula": "F", "view": [-1, -1, 1, 1]`
	for _, tc := range []struct {
		name, json, wantErr string
	}{
		{"ok", base + `, "params": {"bins": 3}}`, ""},
		{"check fails", base + `, "params": {"bins": 0}}`, "params.bins"},
		{"misspelt param", base + `, "params": {"bin": 3}}`, "unknown field"},
		{"no params", base + `}`, "params.bins"},
	} {
		_, err := Parse("t.json", []byte(tc.json))
		switch {
		case tc.wantErr == "" && err != nil:
			t.Errorf("%s: %v", tc.name, err)
		case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
			t.Errorf("%s: error %v, want one naming %q", tc.name, err, tc.wantErr)
		}
	}
	for _, name := range []Kind{kind, Pair, ""} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("registering %q again did not panic", name)
				}
			}()
			RegisterKind(name, nil)
		}()
	}
}

// Lesson 1 is the blog post's example, number for number.
func TestBuiltinOnePair(t *testing.T) {
	lessons, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	l := lessons[0]
	if l.X0 != [2]float64{1, 1} || l.X1 != [2]float64{6, 6} || l.Steps != 5 {
		t.Errorf("lesson 1: x0 %v, x1 %v, steps %d; want (1, 1), (6, 6), 5", l.X0, l.X1, l.Steps)
	}
	if l.Formula != "xt = (1−t)·x0 + t·x1" {
		t.Errorf("lesson 1 formula %q", l.Formula)
	}
	if !strings.Contains(l.Caption, "(1, 1) → (2, 2)") || !strings.Contains(l.Caption, "(6, 6)") {
		t.Errorf("lesson 1 caption %q does not walk the steps", l.Caption)
	}
	if got := lessons[5].StepChoices; !slices.Equal(got, []int{1, 2, 5, 10, 100}) {
		t.Errorf("lesson 6 step choices %v", got)
	}
	if got := lessons[6].Couplings; !slices.Equal(got, []string{"independent", "ot", "reflow"}) {
		t.Errorf("lesson 7 couplings %v", got)
	}
}

// validLesson is a pair lesson that passes Validate; the table below breaks
// it one way at a time.
func validLesson() Lesson {
	return Lesson{
		File: "t.json", Title: "One pair", Kind: Pair, Caption: "A straight line.",
		Formula: "xt = (1−t)·x0 + t·x1", View: [4]float64{0, 0, 7, 7},
		X0: [2]float64{1, 1}, X1: [2]float64{6, 6}, Steps: 5,
	}
}

func TestValidate(t *testing.T) {
	if err := validLesson().Validate(); err != nil {
		t.Fatalf("valid lesson refused: %v", err)
	}
	tests := []struct {
		name   string
		change func(*Lesson)
		field  string // the error must name it
	}{
		{"unknown kind", func(l *Lesson) { l.Kind = "quiz" }, "kind"},
		{"compare unknown setting", func(l *Lesson) { l.Compare = "seed=3" }, "compare"},
		{"compare changes nothing", func(l *Lesson) { l.Compare = "coupling=independent" }, "compare"},
		{"empty title", func(l *Lesson) { l.Title = "" }, "title"},
		{"empty caption", func(l *Lesson) { l.Caption = "" }, "caption"},
		{"empty formula", func(l *Lesson) { l.Formula = "" }, "formula"},
		{"long caption", func(l *Lesson) { l.Caption = strings.Repeat("→", MaxCaption+1) }, "caption"},
		{"empty view", func(l *Lesson) { l.View = [4]float64{} }, "view"},
		{"inverted view", func(l *Lesson) { l.View = [4]float64{0, 7, 7, 0} }, "view"},
		{"NaN in view", func(l *Lesson) { l.View[2] = math.NaN() }, "view"},
		{"Inf in view", func(l *Lesson) { l.View[0] = math.Inf(-1) }, "view"},
		{"NaN x0", func(l *Lesson) { l.X0[1] = math.NaN() }, "x0"},
		{"pair x0 = x1", func(l *Lesson) { l.X1 = l.X0 }, "x1"},
		{"pair no steps", func(l *Lesson) { l.Steps = 0 }, "steps"},
		{"pair too many steps", func(l *Lesson) { l.Steps = scene.MaxSteps + 1 }, "steps"},
		{"interp x0 = x1", func(l *Lesson) { l.Kind, l.X1 = Interp, l.X0 }, "x1"},
		{"crossing no pairs", func(l *Lesson) { l.Kind = Crossing }, "pairs"},
		{"batch too many pairs", func(l *Lesson) { l.Kind, l.Pairs = Batch, MaxPairs+1 }, "pairs"},
		{"sampling no steps", func(l *Lesson) { l.Kind, l.Solvers = Sampling, []string{"euler"} }, "step_choices"},
		{"sampling step 0", func(l *Lesson) {
			l.Kind, l.StepChoices, l.Solvers = Sampling, []int{1, 0}, []string{"euler"}
		}, "step_choices"},
		{"sampling step 1001", func(l *Lesson) {
			l.Kind, l.StepChoices, l.Solvers = Sampling, []int{MaxStepCount + 1}, []string{"euler"}
		}, "step_choices"},
		{"bad solver", func(l *Lesson) {
			l.Kind, l.StepChoices, l.Solvers = Sampling, []int{1}, []string{"euler", "leapfrog"}
		}, "solvers"},
		{"straight no couplings", func(l *Lesson) { l.Kind = Straight }, "couplings"},
		{"unknown prediction", func(l *Lesson) { l.Settings.Predict = "epsilon-ish" }, "settings.predict"},
		{"conditional without classes", func(l *Lesson) { l.Settings.Cond, l.Settings.Target = true, "gaussian" }, "settings.cond"},
		{"unknown coupling", func(l *Lesson) { l.Kind, l.Couplings = Straight, []string{"ot", "greedy"} }, "couplings"},
		{"unknown layer", func(l *Lesson) { l.Show = []string{"field", "heatmap"} }, "show"},
		{"layer twice", func(l *Lesson) { l.Show = []string{"grid", "grid"} }, "show"},
		{"bad settings solver", func(l *Lesson) { l.Settings.Solver = "rk5" }, "settings.solver"},
		{"bad settings coupling", func(l *Lesson) { l.Settings.Coupling = "random" }, "settings.coupling"},
		{"bad source spec", func(l *Lesson) { l.Settings.Source = "gaussian:std=-1" }, "settings.source"},
		{"bad target spec", func(l *Lesson) { l.Settings.Target = "moonz" }, "settings.target"},
		{"long target spec", func(l *Lesson) { l.Settings.Target = "text:" + strings.Repeat("a", maxSpec) }, "settings.target"},
		{"negative steps", func(l *Lesson) { l.Settings.Steps = -1 }, "settings.steps"},
		{"too many particles", func(l *Lesson) { l.Settings.Particles = scene.MaxParticles + 1 }, "settings.particles"},
		{"grid too small", func(l *Lesson) { l.Settings.Grid = scene.MinGrid - 1 }, "settings.grid"},
		{"width too large", func(l *Lesson) { l.Settings.Width = 1 << 20 }, "settings.width"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l := validLesson()
			tc.change(&l)
			err := l.Validate()
			if err == nil {
				t.Fatal("accepted")
			}
			if !strings.Contains(err.Error(), "t.json") || !strings.Contains(err.Error(), tc.field+":") {
				t.Errorf("error %q does not name the file and the field %q", err, tc.field)
			}
		})
	}
}

const validJSON = `{
  "title": "One pair", "kind": "pair", "caption": "A line.", "formula": "xt = (1−t)·x0 + t·x1",
  "view": [0, 0, 7, 7], "x0": [1, 1], "x1": [6, 6], "steps": 5,
  "settings": {"target": "moons", "solver": "rk4", "reset": true}
}`

func TestParse(t *testing.T) {
	l, err := Parse("01-pair.json", []byte(validJSON))
	if err != nil {
		t.Fatal(err)
	}
	if l.File != "01-pair.json" || l.Steps != 5 || l.X1 != [2]float64{6, 6} || !l.Settings.Reset || l.Settings.Solver != "rk4" {
		t.Errorf("parsed %+v", l)
	}
	tests := []struct {
		name, text, want string // want: a part of the error
	}{
		{"unknown field", strings.Replace(validJSON, `"steps"`, `"stepz"`, 1), "stepz"},
		{"unknown settings field", strings.Replace(validJSON, `"reset"`, `"rest"`, 1), "rest"},
		{"trailing garbage", validJSON + " x", "trailing"},
		{"second object", validJSON + validJSON, "trailing"},
		{"wrong type", strings.Replace(validJSON, `"steps": 5`, `"steps": "5"`, 1), "steps"},
		{"long vector", strings.Replace(validJSON, `"x0": [1, 1]`, `"x0": [1, 1, 1]`, 1), "x0"},
		{"short vector", strings.Replace(validJSON, `"x1": [6, 6]`, `"x1": [6]`, 1), "x1"},
		{"short view", strings.Replace(validJSON, `[0, 0, 7, 7]`, `[0, 0, 7]`, 1), "view"},
		{"not JSON", "title: One pair", ""},
		{"empty", "", ""},
		{"bad data spec", strings.Replace(validJSON, `"moons"`, `"moons:noise=x"`, 1), "settings.target"},
		{"too large", validJSON + strings.Repeat(" ", MaxFileSize), "bytes"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("01-pair.json", []byte(tc.text))
			if err == nil {
				t.Fatal("accepted")
			}
			if !strings.Contains(err.Error(), "01-pair.json") || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not name the file and %q", err, tc.want)
			}
		})
	}
}

func TestLoad(t *testing.T) {
	fsys := fstest.MapFS{
		"02-b.json":  {Data: []byte(strings.Replace(validJSON, "One pair", "B", 1))},
		"01-a.json":  {Data: []byte(strings.Replace(validJSON, "One pair", "A", 1))},
		"README.txt": {Data: []byte("not a lesson")},
	}
	lessons, err := Load(fsys)
	if err != nil {
		t.Fatal(err)
	}
	if len(lessons) != 2 || lessons[0].Title != "A" || lessons[0].Number != 1 || lessons[1].Title != "B" || lessons[1].Number != 2 {
		t.Errorf("loaded %+v", lessons)
	}
	fsys["03-c.json"] = &fstest.MapFile{Data: []byte(`{"title": "C"}`)}
	if _, err := Load(fsys); err == nil || !strings.Contains(err.Error(), "03-c.json") {
		t.Errorf("bad third file: error %v", err)
	}
	if _, err := Load(fstest.MapFS{}); err == nil {
		t.Error("no lessons accepted")
	}
}

func TestApply(t *testing.T) {
	base := scene.DefaultSettings()
	if got := (Settings{Reset: true}).Apply(base); got != base {
		t.Errorf("zero settings changed %+v into %+v", base, got)
	}
	s := Settings{Source: "uniform", Target: "8gaussians", Solver: "rk4", Coupling: "ot", Steps: 7, Particles: 9, Grid: 10, Width: 32}
	got := s.Apply(base)
	want := base
	want.Source, want.Target, want.Solver, want.Coupling = "uniform", "8gaussians", "rk4", "ot"
	want.Steps, want.Particles, want.Grid, want.Width = 7, 9, 10, 32
	if got != want {
		t.Errorf("Apply = %+v, want %+v", got, want)
	}
}

// TestDiffusionSettingsApply checks what the diffusion lessons' settings do
// to the app's: a schedule replaces the path, a conditional model takes the
// independent coupling, the defaults are stored as "".
func TestDiffusionSettingsApply(t *testing.T) {
	base := scene.DefaultSettings()
	base.Path, base.Sigma, base.Coupling = "ot", 0.2, "ot"
	got := Settings{Schedule: "vp", Predict: "score", Cond: true}.Apply(base)
	if got.Schedule != "vp" || got.Predict != "score" || got.Path != "linear" || got.Sigma != 0 || !got.Cond || got.Coupling != "independent" {
		t.Errorf("applied: %+v", got)
	}
	back := Settings{Schedule: "linear", Predict: "velocity"}.Apply(got)
	if back.Schedule != "" || back.Predict != "" {
		t.Errorf("linear and velocity stored as %q, %q", back.Schedule, back.Predict)
	}
	if keep := (Settings{}).Apply(got); keep != got {
		t.Errorf("empty settings changed %+v into %+v", got, keep)
	}
}
