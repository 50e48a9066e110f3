package viz

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/hajimehoshi/ebiten/v2"

	"github.com/flowviz/flowviz/flow"
	"github.com/flowviz/flowviz/viz/appstate"
	"github.com/flowviz/flowviz/viz/pace"
	"github.com/flowviz/flowviz/viz/palette"
	"github.com/flowviz/flowviz/viz/scene"
)

// Sizes of the live measurement: W2 by exact assignment between meterPoints
// samples and as many target draws (a few ms off the render loop), class
// accuracy over up to meterClassPoints particles against meterRefPoints
// labelled target draws.
const (
	meterPoints      = 600
	meterClassPoints = 2000
	meterRefPoints   = 1000
	meterInterval    = time.Second // at most one measurement a second
)

// diffusionView is the app's live readout of sampling: the W2 from the
// particles at t = 1 to the target beside the two-sample floor (what W2
// between two target samples of that size is), and for a class-conditional
// model the class accuracy beside chance. It measures off the render loop,
// one scene at a time, and draws a small box on the canvas while any of the
// Diffusion section's settings is not the default.
type diffusionView struct {
	busy bool
	done chan diffusionResult
	at   time.Time
	seq  int // scene measured last (or being measured)
	res  diffusionResult
	has  bool

	batch Batch
}

// diffusionResult is one measurement of one scene.
type diffusionResult struct {
	w2, floor float64
	accuracy  float64 // −1 without classes
	chance    float64
	classes   int
	step      int
	sampling  scene.Sampling
}

// update starts a measurement of the pane's scene when a new one has
// arrived, and takes a finished one.
func (d *diffusionView) update(p *Pane) {
	select {
	case r := <-d.done:
		// The interval counts from the end, as compare mode's does.
		d.busy, d.res, d.has, d.at = false, r, true, time.Now()
	default:
	}
	sc := p.sc
	if !diffusionOn(p.applied) || d.busy || sc == nil || sc.Seq == d.seq || time.Since(d.at) < meterInterval || len(sc.Traj) == 0 || len(sc.Target) < 2 {
		return
	}
	d.busy, d.at, d.seq = true, time.Now(), sc.Seq
	if d.done == nil {
		d.done = make(chan diffusionResult, 1)
	}
	done := d.done
	go func() { done <- measureScene(pace.With(context.Background()), sc) }()
}

// measureScene measures sc (immutable, so any goroutine may read it),
// resting between its parts in a page (pace.Pause).
func measureScene(ctx context.Context, sc *scene.Scene) diffusionResult {
	final := sc.Traj[len(sc.Traj)-1]
	r := diffusionResult{step: sc.Step, sampling: sc.Sampling, accuracy: -1, w2: math.NaN(), floor: math.NaN()}
	// Two disjoint target samples: one to compare the particles with, one
	// to measure the floor any finite sample of the target itself shows.
	n := min(meterPoints, len(sc.Target)/2)
	a, b := sc.Target[:n], sc.Target[n:2*n]
	if w, err := flow.W2(finiteSubsample(final, n), a); err == nil {
		r.w2 = w
	}
	pace.Pause(ctx)
	if w, err := flow.W2(b, a); err == nil {
		r.floor = w
	}
	pace.Pause(ctx)
	if len(sc.Labels) == len(final) && len(sc.TargetLabels) == len(sc.Target) {
		r.accuracy, r.classes = classAccuracy(final, sc.Labels, sc.Target, sc.TargetLabels)
		if r.classes > 0 {
			r.chance = 1 / float64(r.classes)
		}
	}
	return r
}

// classAccuracy is the fraction of the particles (up to meterClassPoints,
// evenly strided) whose nearest labelled target draw has their class, and
// the target's number of classes.
func classAccuracy(pts []flow.Vec, labels []int, ref []flow.Vec, refLabels []int) (float64, int) {
	classes := 0
	for _, k := range refLabels {
		classes = max(classes, k+1)
	}
	m := min(meterRefPoints, len(ref))
	refSub, refLab := make([]flow.Vec, m), make([]int, m)
	for i := range m {
		j := i * len(ref) / m
		refSub[i], refLab[i] = ref[j], refLabels[j]
	}
	n := min(meterClassPoints, len(pts))
	hits, total := 0, 0
	for i := range n {
		j := i * len(pts) / n
		if !scene.Finite(pts[j]) {
			continue
		}
		total++
		if flow.NearestClass(pts[j], refSub, refLab) == labels[j] {
			hits++
		}
	}
	if total == 0 {
		return math.NaN(), classes
	}
	return float64(hits) / float64(total), classes
}

// finiteSubsample returns n finite points of pts, evenly strided (fewer if
// pts has fewer finite ones).
func finiteSubsample(pts []flow.Vec, n int) []flow.Vec {
	out := make([]flow.Vec, 0, n)
	for i := range n {
		if p := pts[i*len(pts)/max(1, n)]; scene.Finite(p) {
			out = append(out, p)
		}
	}
	return out
}

// diffusionOn reports whether s uses anything beyond the blog post's run:
// then the canvas shows the readout.
func diffusionOn(s scene.Settings) bool {
	return normalName(s.Schedule, "linear") != "linear" || normalName(s.Predict, "velocity") != "velocity" ||
		s.Noise > 0 || s.Cond || s.Score
}

// diffusionRetrains reports whether going from a to b retrains the model
// for a Diffusion setting: the path's scheduler, the target, the classes.
func diffusionRetrains(a, b scene.Settings) bool {
	return normalName(a.Schedule, "linear") != normalName(b.Schedule, "linear") ||
		normalName(a.Predict, "velocity") != normalName(b.Predict, "velocity") ||
		a.Cond != b.Cond
}

// lines is the readout's text, one entry per line.
func (d *diffusionView) lines(s scene.Settings) []infoLine {
	var out []infoLine
	sched := normalName(s.Schedule, "linear")
	out = append(out, infoLine{fmt.Sprintf("path %s · network predicts %s", sched, normalName(s.Predict, "velocity")), palette.Label})
	if s.Score {
		out = append(out, infoLine{"arrows: the score grad log p(t) (U for the velocity)", palette.Dim})
	}
	if !d.has {
		return append(out, infoLine{"measuring W2 to the target…", palette.Dim})
	}
	r := d.res
	how := "ODE"
	if r.sampling.Noise > 0 {
		how = fmt.Sprintf("SDE g = %.1f", r.sampling.Noise)
	}
	out = append(out, infoLine{fmt.Sprintf("%s: W2 to the target %s  (floor %s)", how, fmtNum(r.w2), fmtNum(r.floor)), palette.Accent})
	if r.accuracy >= 0 {
		which := "every class"
		if r.sampling.OneClass {
			which = fmt.Sprintf("class %d", r.sampling.Class)
		}
		out = append(out, infoLine{fmt.Sprintf("w = %.1f, %s: class accuracy %s  (chance %s)", r.sampling.Guidance+1, which, fmtNum(r.accuracy), fmtNum(r.chance)), palette.Accent})
	}
	return out
}

func fmtNum(v float64) string {
	if math.IsNaN(v) {
		return "–"
	}
	return fmt.Sprintf("%.3f", v)
}

// draw draws the readout where the placer finds room, preferring the
// top right: clear of the training readout, the legend and the figure.
func (d *diffusionView) draw(dst *ebiten.Image, pl *placer, s scene.Settings, fonts Fonts, scale float64) {
	if !diffusionOn(s) {
		return
	}
	lines := d.lines(s)
	face := fonts.Body
	lineH := face.Size * 1.35
	w := 0.0
	for _, l := range lines {
		w = math.Max(w, textWidth(l.Text, face))
	}
	pad := 8 * scale
	boxW, boxH := w+2*pad, float64(len(lines))*lineH+2*pad
	r, ok := pl.place(boxW, boxH, topRight)
	if !ok {
		return // a small canvas keeps its picture
	}
	x, y := r.X, r.Y
	b := &d.batch
	b.Begin(dst)
	b.Rect(float32(x), float32(y), float32(boxW), float32(boxH), palette.PanelBG.WithAlpha(0.82))
	b.Flush()
	for i, l := range lines {
		drawText(dst, l.Text, face, x+pad, y+pad+float64(i)*lineH, TopLeft, l.Color)
	}
}

// state is the state file's view of the settings and the measurement.
func (d *diffusionView) state(s scene.Settings, sc *scene.Scene) appstate.Diffusion {
	st := appstate.Diffusion{
		Schedule: normalName(s.Schedule, "linear"), Predict: normalName(s.Predict, "velocity"),
		Noise: s.Noise, Cond: s.Cond, Class: -1, W: s.Guidance + 1, Score: s.Score,
		Classes: sceneClasses(sc), Accuracy: -1,
	}
	if s.OneClass {
		st.Class = s.Class
	}
	if d.has {
		r := d.res
		st.Measured = r.sampling == samplingOf(s)
		st.W2, st.Floor, st.Accuracy, st.Chance, st.Step = jsonNum(r.w2), jsonNum(r.floor), jsonNum(r.accuracy), r.chance, r.step
	}
	return st
}

// samplingOf is the part of s a scene's Sampling records.
func samplingOf(s scene.Settings) scene.Sampling {
	return scene.Sampling{Noise: s.Noise, OneClass: s.OneClass, Class: s.Class, Guidance: s.Guidance, Score: s.Score}
}

// jsonNum maps NaN, which JSON cannot hold, to −1.
func jsonNum(v float64) float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return -1
	}
	return v
}

// sceneClasses is the number of classes of the scene's target draws, 0
// when they carry none.
func sceneClasses(sc *scene.Scene) int {
	if sc == nil {
		return 0
	}
	n := 0
	for _, k := range sc.TargetLabels {
		n = max(n, k+1)
	}
	return n
}

// classColours colours each particle by its class when the scene has
// classes, cached while the scene's labels stay the same; nil otherwise.
func (cv *Canvas) classColours(sc *scene.Scene) []palette.RGBA {
	if len(sc.Labels) == 0 || len(sc.Traj) == 0 || len(sc.Labels) != len(sc.Traj[0]) {
		return nil
	}
	if &sc.Labels[0] == cv.labelsFor && len(cv.colours) == len(sc.Labels) {
		return cv.colours
	}
	cv.colours = cv.colours[:0]
	for _, k := range sc.Labels {
		cv.colours = append(cv.colours, palette.Class(k))
	}
	cv.labelsFor, cv.colFor = &sc.Labels[0], nil
	return cv.colours
}

// toggleScoreArrows switches the pane's arrows between the velocity and
// the score (key U). Only a Gaussian path has a score: the linear path
// with σ > 0 keeps its velocity arrows and says so on ui's status line.
func (p *Pane) toggleScoreArrows(ui *Chrome) {
	if msg, isErr := toggleScore(&p.settings); isErr {
		ui.say(msg, true)
	} else {
		p.dirty, p.editedAt = true, time.Time{}
		ui.panel.Sync(p.settings, p.backend.Options())
		ui.say(msg, false)
	}
}

// toggleScore switches s between velocity and score arrows and says what
// the arrows now show; it refuses (isErr) where there is no score.
func toggleScore(s *scene.Settings) (msg string, isErr bool) {
	if !s.Score && normalName(s.Schedule, "linear") == "linear" && s.Path == "linear" && s.Sigma > 0 {
		return "the linear path with σ > 0 has no score: set σ to 0 or pick a schedule", true
	}
	s.Score = !s.Score
	if s.Score {
		return "arrows: the score grad log p(t), converted exactly from the trained prediction (U for the velocity)", false
	}
	return "arrows: the velocity u(x, t) (U for the score)", false
}
