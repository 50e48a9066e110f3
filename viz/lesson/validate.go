package lesson

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"unicode/utf8"

	"github.com/flowviz/flowviz/flow"
	"github.com/flowviz/flowviz/flow/data"
	"github.com/flowviz/flowviz/flow/hd"
	"github.com/flowviz/flowviz/flow/mlp"
	"github.com/flowviz/flowviz/flow/train"
	"github.com/flowviz/flowviz/viz/scene"
)

// Limits on lesson fields. Captions are rendered large on a projector, so
// they must stay short; the counts keep a lesson's numbers quick to compute.
const (
	MaxCaption   = 240  // runes
	MaxPairs     = 500  // crossing pairs, batch rows
	MaxStepCount = 1000 // a sampling step choice
	maxSpec      = 256  // bytes of a data spec: a lesson names data, it does not carry it
)

// Validate reports every problem of the lesson, each naming its file and
// field: a known kind, the texts a lesson shows, a sensible view, what the
// kind needs, and settings the app can apply.
func (l Lesson) Validate() error {
	v := validator{file: l.File}
	if !Known(l.Kind) {
		v.fail("kind", "unknown kind %q (want one of %v)", l.Kind, Kinds())
	}
	v.text("title", l.Title)
	v.text("caption", l.Caption)
	v.text("formula", l.Formula)
	if n := utf8.RuneCountInString(l.Caption); n > MaxCaption {
		v.fail("caption", "%d characters, at most %d", n, MaxCaption)
	}
	v.view(l.View)
	v.vec("x0", l.X0)
	v.vec("x1", l.X1)
	for i, name := range l.Show {
		if !slices.Contains(layers, name) {
			v.fail("show", "unknown layer %q (want one of %v)", name, layers)
		} else if slices.Contains(l.Show[:i], name) {
			v.fail("show", "layer %q named twice", name)
		}
	}
	v.kind(l)
	v.settings(l.Settings)
	if l.Compare != "" {
		if _, err := l.Settings.Apply(scene.DefaultSettings()).Differ(l.Compare); err != nil {
			v.fail("compare", "%v", err)
		}
	}
	return v.err()
}

// validator collects the problems of one lesson.
type validator struct {
	file string
	errs []error
}

func (v *validator) fail(field, format string, args ...any) {
	prefix := "lesson"
	if v.file != "" {
		prefix += " " + v.file
	}
	v.errs = append(v.errs, fmt.Errorf("%s: %s: %s", prefix, field, fmt.Sprintf(format, args...)))
}

func (v *validator) err() error { return errors.Join(v.errs...) }

func (v *validator) text(field, s string) {
	if s == "" {
		v.fail(field, "empty")
	}
}

func (v *validator) vec(field string, p flow.Vec) {
	if !finite(p[0]) || !finite(p[1]) {
		v.fail(field, "(%v, %v) is not a finite point", p[0], p[1])
	}
}

// view needs a finite rectangle of positive size, or the camera would divide
// by zero fitting it.
func (v *validator) view(r [4]float64) {
	for _, x := range r {
		if !finite(x) {
			v.fail("view", "%v is not finite", r)
			return
		}
	}
	if r[0] >= r[2] || r[1] >= r[3] {
		v.fail("view", "%v: want minX < maxX and minY < maxY", r)
	}
}

// kind checks the fields the lesson's kind uses.
func (v *validator) kind(l Lesson) {
	if check := kindChecks[l.Kind]; check != nil {
		check(v, l)
	}
	if check := registeredCheck(l.Kind); check != nil {
		check(l, v.fail)
	}
}

// kindChecks holds what each kind needs of its fields: one line per kind
// that reads fields of its own (the others need none).
var kindChecks = map[Kind]func(*validator, Lesson){
	Pair:     (*validator).pair,
	Interp:   (*validator).interp,
	Crossing: (*validator).pairs,
	Batch:    (*validator).pairs,
	Sampling: (*validator).sampling,
	Straight: (*validator).straight,
}

func (v *validator) pair(l Lesson) {
	v.count("steps", l.Steps, scene.MinSteps, scene.MaxSteps)
	if l.X0 == l.X1 {
		v.fail("x1", "equals x0: a pair needs two distinct points")
	}
}

func (v *validator) interp(l Lesson) {
	// The lesson draws the velocity x1 − x0; a zero arrow shows nothing.
	if l.X0 == l.X1 {
		v.fail("x1", "equals x0: the velocity x1 − x0 would be zero")
	}
}

func (v *validator) pairs(l Lesson) { v.count("pairs", l.Pairs, 1, MaxPairs) }

func (v *validator) sampling(l Lesson) {
	if len(l.StepChoices) == 0 {
		v.fail("step_choices", "empty")
	}
	for _, n := range l.StepChoices {
		v.count("step_choices", n, 1, MaxStepCount)
	}
	if len(l.Solvers) == 0 {
		v.fail("solvers", "empty")
	}
	for _, s := range l.Solvers {
		if _, err := flow.ParseSolver(s); err != nil {
			v.fail("solvers", "%v", err)
		}
	}
}

func (v *validator) straight(l Lesson) {
	if len(l.Couplings) == 0 {
		v.fail("couplings", "empty")
	}
	for _, c := range l.Couplings {
		v.coupling("couplings", c)
	}
}

func (v *validator) count(field string, n, lo, hi int) {
	if n < lo || n > hi {
		v.fail(field, "%d out of range %d..%d", n, lo, hi)
	}
}

func (v *validator) coupling(field, c string) {
	if !slices.Contains(train.Couplings(), c) {
		v.fail(field, "unknown coupling %q (want one of %v)", c, train.Couplings())
	}
}

// settings checks what Apply would hand the app: zero keeps the app's value,
// anything else must be a value the app accepts.
func (v *validator) settings(s Settings) {
	v.spec("settings.source", s.Source)
	v.spec("settings.target", s.Target)
	if s.Solver != "" {
		if _, err := flow.ParseSolver(s.Solver); err != nil {
			v.fail("settings.solver", "%v", err)
		}
	}
	if s.Coupling != "" {
		v.coupling("settings.coupling", s.Coupling)
	}
	v.setting("settings.steps", s.Steps, scene.MinSteps, scene.MaxSteps)
	v.setting("settings.particles", s.Particles, scene.MinParticles, scene.MaxParticles)
	v.setting("settings.grid", s.Grid, scene.MinGrid, scene.MaxGrid)
	v.setting("settings.width", s.Width, 1, mlp.MaxWidth)
	if s.Schedule != "" {
		if _, err := flow.ParseScheduler(s.Schedule); err != nil {
			v.fail("settings.schedule", "%v", err)
		}
	}
	if s.Predict != "" {
		if _, err := flow.ParseTarget(s.Predict); err != nil {
			v.fail("settings.predict", "%v", err)
		}
	}
	if s.Cond && s.Target != "" {
		if d, err := data.Load(s.Target); err == nil && data.NumClasses(d) == 0 {
			v.fail("settings.cond", "target %s has no classes", s.Target)
		}
	}
}

func (v *validator) setting(field string, n, lo, hi int) {
	if n != 0 {
		v.count(field, n, lo, hi)
	}
}

func (v *validator) spec(field, spec string) {
	if spec == "" {
		return
	}
	if len(spec) > maxSpec {
		v.fail(field, "%d bytes, at most %d", len(spec), maxSpec)
		return
	}
	if hd.IsTarget(spec) && field == "settings.target" {
		return // an image target: the image view trains on it
	}
	if _, err := data.Load(spec); err != nil {
		v.fail(field, "%v", err)
	}
}

func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }
