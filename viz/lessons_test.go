package viz

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/hajimehoshi/ebiten/v2"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/sfnt"

	"github.com/flowviz/flowviz/flow"
	"github.com/flowviz/flowviz/flow/mlp"
	"github.com/flowviz/flowviz/flow/train"
	"github.com/flowviz/flowviz/viz/keymap"
	"github.com/flowviz/flowviz/viz/lesson"
)

// inspectBackend is a static scene with a model to inspect: a small network
// trained a few hundred steps, enough that its field is not the initial one.
type inspectBackend struct {
	*staticBackend
	model   *train.Model
	teacher *train.Model
}

func (b *inspectBackend) Model() *train.Model       { return b.model }
func (b *inspectBackend) SetTeacher(m *train.Model) { b.teacher = m }

func newInspectBackend(tb testing.TB) *inspectBackend {
	tb.Helper()
	cfg := train.DefaultConfig()
	cfg.Source, cfg.Target = "gaussian", "circles"
	cfg.Net = mlp.Config{Width: 16, Depth: 2, Act: mlp.SiLU}
	cfg.Batch = 64
	tr, err := train.New(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	for range 200 {
		if _, err := tr.Step(); err != nil {
			tb.Fatal(err)
		}
	}
	tr.Publish()
	return &inspectBackend{staticBackend: newSynthetic(1500, 20, 12), model: tr.Latest().Model()}
}

func inspectGame(tb testing.TB) (*Game, *ebiten.Image) {
	tb.Helper()
	b := newInspectBackend(tb)
	g := testGame(tb, b.staticBackend, 1600, 900)
	g.panes.cur.backend = b
	screen := ebiten.NewImage(1600, 900)
	frame(tb, g, screen)
	return g, screen
}

func TestBuiltinLessonsLoadInTheApp(t *testing.T) {
	g, _ := inspectGame(t)
	if g.lessons.loadErr != nil {
		t.Fatalf("lessons: %v", g.lessons.loadErr)
	}
	if len(g.lessons.all) < 8 {
		t.Fatalf("%d lessons, want at least 8", len(g.lessons.all))
	}
}

func TestLessonKeysNavigateAndEscRestores(t *testing.T) {
	g, screen := inspectGame(t)
	before := g.panes.cur.settings
	layers, cam := g.panes.cur.canvas.Layers, g.panes.cur.canvas.Cam
	want := func(n int) {
		t.Helper()
		frame(t, g, screen)
		if !g.lessons.active() || g.lessons.current().Number != n {
			t.Fatalf("lesson %+v shown, want %d", g.lessons.state(), n)
		}
		if st := g.lessons.state(); st.Number != n || st.Title == "" {
			t.Fatalf("state file reports %+v", st)
		}
	}
	g.do(keymap.NextLesson)
	want(1)
	if g.panes.cur.settings.Steps != 5 || g.tl.N != 5 {
		t.Errorf("lesson 1 runs %d steps on a timeline of %d, want 5", g.panes.cur.settings.Steps, g.tl.N)
	}
	g.do(keymap.NextLesson)
	want(2)
	g.do(keymap.PrevLesson)
	want(1)
	g.lessons.key(lessonGo, 7)
	want(7)
	g.do(keymap.NextLesson)
	want(8)
	if !g.draw.On {
		t.Error("lesson 8 does not turn draw mode on")
	}
	last := len(g.lessons.all)
	for n := 9; n <= last; n++ {
		g.do(keymap.NextLesson)
		want(n)
	}
	g.do(keymap.NextLesson) // past the last lesson: stays
	want(last)
	g.lessons.key(lessonGo, last+1) // no such lesson
	want(last)
	g.do(keymap.LeaveLesson)
	frame(t, g, screen)
	if g.lessons.active() {
		t.Fatal("Esc did not leave the lesson view")
	}
	// The arrow grid's view follows the restored camera viewDelay later
	// (the lesson may have run longer than that on a loaded machine).
	restored := g.panes.cur.settings
	restored.View = before.View
	if restored != before || g.panes.cur.canvas.Layers != layers || g.panes.cur.canvas.Cam != cam || g.draw.On {
		t.Errorf("Esc did not restore the app:\n settings %+v\n want     %+v", g.panes.cur.settings, before)
	}
	// PageDown comes back to the lesson last seen.
	g.do(keymap.NextLesson)
	want(last)
	// Esc closes the help first, then the lesson.
	g.do(keymap.Help)
	g.do(keymap.LeaveLesson)
	if g.ui.showHelp || !g.lessons.active() {
		t.Errorf("Esc with the help open: help %v, lesson %v", g.ui.showHelp, g.lessons.active())
	}
}

func TestLessonOneShowsTheBlogPostsNumbers(t *testing.T) {
	g, screen := inspectGame(t)
	g.lessons.key(lessonGo, 1)
	frame(t, g, screen)
	tests := []struct {
		k    int
		want []string
	}{
		{0, []string{"t = 0/5 = 0", "= (1, 1)"}},
		{3, []string{"t = 3/5 = 0.6", "xt = (1 − 0.6)·(1, 1) + 0.6·(6, 6) = (4, 4)"}},
		{5, []string{"t = 5/5 = 1", "= (6, 6)"}},
	}
	for _, tc := range tests {
		g.tl.Goto(tc.k)
		frame(t, g, screen)
		all := strings.Join(g.lessons.numbers(), "\n")
		for _, w := range tc.want {
			if !strings.Contains(all, w) {
				t.Errorf("step %d: numbers lack %q:\n%s", tc.k, w, all)
			}
		}
		if !strings.Contains(all, "v = x1 − x0 = (5, 5)") || !strings.Contains(all, "v/5 = (1, 1)") {
			t.Errorf("step %d: the velocity is not shown as (5, 5) per unit t and (1, 1) per step:\n%s", tc.k, all)
		}
	}
	// The arrow keys step t by 1/5.
	g.tl.Goto(2)
	g.do(keymap.StepForward)
	if k, exact := g.tl.Step(); k != 3 || !exact {
		t.Errorf("→ from step 2 gave step %d (exact %v)", k, exact)
	}
}

func TestEveryLessonDrawsItsFigures(t *testing.T) {
	if _, ok := missingGlyph(t, "‖"); !ok {
		t.Fatal("the glyph check misses U+2016, which the Go fonts lack")
	}
	g, screen := inspectGame(t)
	for i := range g.lessons.all {
		g.lessons.key(lessonGo, i+1)
		for range 3 {
			frame(t, g, screen)
		}
		l := g.lessons.current()
		if len(g.lessons.numbers()) == 0 {
			t.Errorf("lesson %d (%s) drew no figures", l.Number, l.Kind)
		}
		if k, ok := g.lessons.kind.(*batchKind); ok && len(k.rows) != l.Pairs {
			t.Errorf("lesson %d shows %d batch rows, want %d", l.Number, len(k.rows), l.Pairs)
		}
		if k, ok := g.lessons.kind.(*averageKind); ok && len(k.exact) != len(g.panes.cur.sc.GridPts) {
			t.Errorf("lesson %d: exact field on %d of %d grid points", l.Number, len(k.exact), len(g.panes.cur.sc.GridPts))
		}
		// Every character shown has a glyph in the font: a missing one
		// draws as an empty box on the projector.
		shown := append([]string{l.Title, l.Caption, l.Formula, l.Hint}, g.lessons.numbers()...)
		for _, c := range g.lessons.chips {
			shown = append(shown, c.label)
		}
		for _, text := range shown {
			if r, ok := missingGlyph(t, text); ok {
				t.Errorf("lesson %d shows %q (U+%04X), which the font lacks, in %q", l.Number, r, r, text)
			}
		}
		// The figure is clear of the text column, and the lesson's view
		// fits inside it.
		lay, v, cam := g.lessons.lay, l.View, g.panes.cur.canvas.Cam
		if !lay.stacked && lay.figure.X < lay.column.X+lay.column.W-1 {
			t.Errorf("lesson %d: figure %v overlaps the column %v", l.Number, lay.figure, lay.column)
		}
		for _, p := range [][2]float64{{v[0], v[1]}, {v[2], v[3]}} {
			if sx, sy := cam.ToScreen(p[0], p[1]); !lay.figure.contains(sx, sy) {
				t.Errorf("lesson %d: the view's corner %v at (%.0f, %.0f) is outside the figure %v", l.Number, p, sx, sy, lay.figure)
			}
		}
	}
}

// missingGlyph returns the first rune of s the lesson fonts cannot draw.
func missingGlyph(t *testing.T, s string) (rune, bool) {
	t.Helper()
	var buf sfnt.Buffer
	for _, ttf := range [][]byte{goregular.TTF, gobold.TTF} {
		f, err := sfnt.Parse(ttf)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range s {
			if i, err := f.GlyphIndex(&buf, r); err != nil || i == 0 && r != '\n' {
				return r, true
			}
		}
	}
	return 0, false
}

func TestSamplingChipsSetTheSampler(t *testing.T) {
	g, screen := inspectGame(t)
	for i, l := range g.lessons.all {
		if l.Kind != lesson.Sampling {
			continue
		}
		g.lessons.key(lessonGo, i+1)
		frame(t, g, screen)
		chips := g.lessons.chips
		if len(chips) != len(l.StepChoices)+len(l.Solvers) {
			t.Fatalf("%d chips for %d step counts and %d solvers", len(chips), len(l.StepChoices), len(l.Solvers))
		}
		chips[0].do()
		chips[len(chips)-1].do()
		frame(t, g, screen)
		if g.panes.cur.settings.Steps != l.StepChoices[0] || g.panes.cur.settings.Solver != l.Solvers[len(l.Solvers)-1] {
			t.Errorf("chips set steps %d solver %s", g.panes.cur.settings.Steps, g.panes.cur.settings.Solver)
		}
		st := g.lessons.state()
		if !strings.HasPrefix(st.Chips[0], "*") {
			t.Errorf("the chosen step count is not marked: %v", st.Chips)
		}
		return
	}
	t.Fatal("no sampling lesson")
}

// exactByHand is the marginal field of the linear path with σ = 0 and a
// standard Gaussian source, written out: xt = (1−t)·x0 + t·x1 gives
// p(x | x1) = N(t·x1, (1−t)²·I), u(x | x1) = (x1 − x)/(1 − t), and the field
// is the posterior-weighted mean of u.
func exactByHand(x flow.Vec, t float64, targets []flow.Vec) flow.Vec {
	logs := make([]float64, len(targets))
	best := math.Inf(-1)
	for j, x1 := range targets {
		dx, dy := x[0]-t*x1[0], x[1]-t*x1[1]
		logs[j] = -(dx*dx + dy*dy) / (2 * (1 - t) * (1 - t))
		best = math.Max(best, logs[j])
	}
	var v flow.Vec
	sum := 0.0
	for j, x1 := range targets {
		w := math.Exp(logs[j] - best)
		sum += w
		v[0] += w * (x1[0] - x[0]) / (1 - t)
		v[1] += w * (x1[1] - x[1]) / (1 - t)
	}
	return flow.Vec{v[0] / sum, v[1] / sum}
}

func TestProbeComparesLearnedAndExactFields(t *testing.T) {
	g, screen := inspectGame(t)
	g.do(keymap.ToggleProbe)
	if g.tools.Mode != ProbeTool {
		t.Fatal("Q did not switch the probe on")
	}
	model := g.panes.cur.backend.(*inspectBackend).model
	for _, tc := range []struct {
		x flow.Vec
		t float64
	}{{flow.Vec{0.3, -0.2}, 0.2}, {flow.Vec{1.5, 0.4}, 0.5}, {flow.Vec{-1.2, -1.4}, 0.85}} {
		g.tools.probeAt, g.tools.probeSet = tc.x, true
		g.tl.Scrub(tc.t)
		g.tools.updateProbe(g.panes.cur, g.tl.T)
		want := exactByHand(tc.x, g.tl.T, g.panes.cur.sc.Target)
		if got := g.tools.exactV; math.Hypot(got[0]-want[0], got[1]-want[1]) > 1e-9*math.Max(1, math.Hypot(want[0], want[1])) {
			t.Errorf("exact v(%v, %v) = %v, by hand %v", tc.x, g.tl.T, got, want)
		}
		learned := velocityAt(model.Field(), tc.x, g.tl.T)
		if g.tools.learnedV != learned {
			t.Errorf("learned v(%v, %v) = %v, network says %v", tc.x, g.tl.T, g.tools.learnedV, learned)
		}
		sum := 0.0
		for _, w := range g.tools.weights {
			sum += w
		}
		if math.Abs(sum-1) > 1e-9 || len(g.tools.weights) != len(g.panes.cur.sc.Target) {
			t.Errorf("posterior weights sum to %v over %d targets", sum, len(g.tools.weights))
		}
		frame(t, g, screen)
		st := g.tools.State()
		if st.Mode != "probe" || st.Exact == nil || st.Learned == nil || *st.ProbeAt != tc.x {
			t.Errorf("state file reports %+v", st)
		}
	}
	// A source the formula does not cover says so instead of a wrong field.
	g.panes.cur.applied.Source = "uniform"
	g.tools.updateProbe(g.panes.cur, g.tl.T)
	if g.tools.exactWhy == "" {
		t.Error("the exact field was computed for a uniform source")
	}
}

func TestReversePathUndoesTheFlow(t *testing.T) {
	// Rotation v(x, t) = (−y, x): integrating backwards over t ∈ [0, 1]
	// rotates x1 by −1 radian.
	rot := flow.FieldFunc(func(dst, x []flow.Vec, _ float64) {
		for i, p := range x {
			dst[i] = flow.Vec{-p[1], p[0]}
		}
	})
	x1 := flow.Vec{2, 0.5}
	path := reversePath(rot, x1)
	if len(path) != reverseSteps+1 || path[0] != x1 {
		t.Fatalf("path of %d states starting at %v", len(path), path[0])
	}
	c, s := math.Cos(-1), math.Sin(-1)
	want := flow.Vec{c*x1[0] - s*x1[1], s*x1[0] + c*x1[1]}
	if got := path[len(path)-1]; math.Hypot(got[0]-want[0], got[1]-want[1]) > 1e-8 {
		t.Errorf("x0 = %v, want %v", got, want)
	}
}

func TestToolsAndDrawModeExcludeEachOther(t *testing.T) {
	g, _ := inspectGame(t)
	g.do(keymap.ToggleDraw)
	g.do(keymap.ToggleReverse)
	if g.draw.On || g.tools.Mode != ReverseTool {
		t.Errorf("reverse on: draw %v, tool %d", g.draw.On, g.tools.Mode)
	}
	g.do(keymap.ToggleProbe)
	if g.tools.Mode != ProbeTool {
		t.Errorf("Q after Z: tool %d", g.tools.Mode)
	}
	g.do(keymap.LeaveLesson) // Esc with no lesson closes the tool
	if g.tools.Mode != NoTool {
		t.Errorf("Esc left tool %d on", g.tools.Mode)
	}
}

// At every UI scale, with the panel or without, no part of a lesson is
// drawn over another: chips under the caption, numbers under the chips,
// the figure beside the column (or, stacked, below it).
func TestLessonLayoutAtEveryScale(t *testing.T) {
	if raceEnabled {
		t.Skip("a layout sweep on one goroutine that takes minutes under the race detector: make test runs it without -race")
	}
	g, screen := inspectGame(t)
	for _, panel := range []bool{true, false} {
		for _, scale := range []float64{1, 2, 3, 4} {
			g.ui.showPanel = panel
			g.ui.setScale(scale, g.panes)
			for i := range g.lessons.all {
				g.lessons.key(lessonGo, i+1)
				frame(t, g, screen)
				canvasR, _, _ := g.layout()
				lay, l := g.lessons.lay, g.lessons.current()
				where := fmt.Sprintf("scale %g, panel %v, lesson %d", scale, panel, l.Number)
				for _, c := range g.lessons.chips {
					if c.r.Y < lay.caption.Y+lay.caption.H-1 || c.r.Y+c.r.H > lay.numbers.Y+1 {
						t.Errorf("%s: chip %q at %v between caption %v and numbers %v", where, c.label, c.r, lay.caption, lay.numbers)
					}
				}
				if lay.numbers.Y < lay.caption.Y+lay.caption.H-1 {
					t.Errorf("%s: numbers %v over the caption %v", where, lay.numbers, lay.caption)
				}
				switch {
				case !lay.stacked && lay.figure.X < lay.column.X+lay.column.W-1:
					t.Errorf("%s: figure %v overlaps the column %v", where, lay.figure, lay.column)
				case lay.stacked && lay.figure != canvasR && lay.figure.Y < lay.column.Y+lay.column.H-1:
					t.Errorf("%s: stacked figure %v overlaps the text %v", where, lay.figure, lay.column)
				}
				if !lay.stacked && lay.numbers.Y+lay.numbers.H > canvasR.Y+canvasR.H {
					t.Errorf("%s: numbers %v run off the canvas %v", where, lay.numbers, canvasR)
				}
			}
		}
	}
}

// TestEveryLessonKindIsRegistered: each built-in lesson's kind has its state
// in lessonKinds, so no lesson falls back to the plain view.
func TestEveryLessonKindIsRegistered(t *testing.T) {
	all, err := lesson.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range all {
		if _, ok := lessonKinds[l.Kind]; !ok {
			t.Errorf("lesson %d: kind %q is not in lessonKinds", l.Number, l.Kind)
		}
	}
}

// TestLessonKeysReachTheLastLesson walks past lesson 9 to the last one:
// PageDown stops there, and a number beyond it changes nothing.
func TestLessonKeysReachTheLastLesson(t *testing.T) {
	g, screen := inspectGame(t)
	last := len(g.lessons.all)
	g.lessons.key(lessonGo, 9)
	for n := 10; n <= last; n++ {
		g.do(keymap.NextLesson)
		frame(t, g, screen)
		if !g.lessons.active() || g.lessons.current().Number != n {
			t.Fatalf("PageDown from lesson %d shows %+v", n-1, g.lessons.state())
		}
	}
	g.do(keymap.NextLesson) // past the last lesson: stays
	g.lessons.key(lessonGo, last+1)
	frame(t, g, screen)
	if g.lessons.current().Number != last {
		t.Errorf("past the last lesson: lesson %d shown, want %d", g.lessons.current().Number, last)
	}
}

// TestLessonFromTheStartOpens opens each lesson as -lesson and a link's
// lesson=N do, on the tick the first scene is on screen. A lesson with two
// panes opened there used to leave that tick with one pane's rectangle for
// two panes, and the page stopped with an index out of range.
func TestLessonFromTheStartOpens(t *testing.T) {
	twoPanes := 0
	for i := range builtinLessonCount(t) {
		g, _, _, screen := compareGame(t)
		g.lessons.startAt, g.lessons.started = i+1, false
		for range 3 {
			frame(t, g, screen)
		}
		if g.lessons.cur != i {
			t.Errorf("lesson %d from the start: lesson %d open", i+1, g.lessons.cur+1)
		}
		if len(g.panes.all) > 1 {
			twoPanes++
		}
	}
	if twoPanes == 0 {
		t.Error("no lesson opened a second pane: the case this test is for was not tried")
	}
}

// builtinLessonCount is the number of built-in lessons.
func builtinLessonCount(t *testing.T) int {
	g, _ := inspectGame(t)
	return len(g.lessons.all)
}
