package viz

import (
	"context"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/ebitengine/debugui"
	"github.com/hajimehoshi/ebiten/v2"

	"github.com/flowviz/flowviz/flow"
	"github.com/flowviz/flowviz/flow/compare"
	"github.com/flowviz/flowviz/flow/data"
	"github.com/flowviz/flowviz/flow/train"
	"github.com/flowviz/flowviz/viz/appstate"
	"github.com/flowviz/flowviz/viz/pace"
	"github.com/flowviz/flowviz/viz/palette"
	"github.com/flowviz/flowviz/viz/scene"
)

// Compare mode's timing: the strip's sample metrics (W2, straightness, …)
// are measured off the render loop on compare.DefaultN samples at most this
// often, both panes from the same draws.
const measureEvery = 3 * time.Second

// DefaultCompare is what K compares when no -compare was given: the
// coupling, the sharpest single choice the app teaches.
const DefaultCompare = "coupling=ot"

// Compare is compare mode: a second pane B beside the app's own pane A, B
// being A with Spec's settings changed, both trained at once on the same
// data, seed and batches, shown through one camera and one timeline, with a
// strip of their numbers below. Its methods keep the second model's life
// (backend goroutines, measurements); the app lays the panes out.
type Compare struct {
	Spec string // how B differs: "coupling=ot"; DefaultCompare if empty
	Link bool   // the panel edits both panes

	stop  func()          // ends B's backend; nil while B does not run
	share []scene.Backend // the backends training in lockstep

	// kept is pane A's run as it was when compare mode opened mid-run:
	// the two panes then race from the same fresh start (same seed, same
	// batches), and closing compare mode brings A's run back.
	kept    *train.SavedState
	keptAt  int            // its training step
	keptSet scene.Settings // A's applied settings then

	// The strip's sample metrics, measured by a goroutine; step/loss/steps/s
	// are read live from the backends.
	measured  [2]compare.Metrics
	hasMeas   bool
	measuring bool
	measureAt time.Time
	results   chan [2]compare.Metrics
	cancel    context.CancelFunc
}

// spec is the comparison asked for.
func (c *Compare) spec() string {
	if c.Spec == "" {
		return DefaultCompare
	}
	return c.Spec
}

// open starts pane B from a's applied settings with the spec's changes: a
// fresh model of its own, the same data, seed and particles. start runs
// the backend the way the app runs its own (goroutines or stepwise). keep
// sets A's run aside when it has trained already (keepRun), for a race
// from step 0; a lesson restarts A itself.
func (c *Compare) open(a *Pane, keep bool, newBackend func(scene.Settings) (scene.Backend, error), start func(scene.Backend) func(), say func(string, bool)) (*Pane, error) {
	if newBackend == nil {
		return nil, fmt.Errorf("compare mode needs the live trainer: start without -demo")
	}
	sb, err := a.applied.Differ(c.spec())
	if err != nil {
		return nil, err
	}
	backend, err := newBackend(sb)
	if err != nil {
		return nil, fmt.Errorf("compare: %w", err)
	}
	if err := backend.Apply(sb); err != nil {
		return nil, fmt.Errorf("compare: %w", err)
	}
	c.kept = nil
	if keep {
		c.keepRun(a)
	}
	b := newPane(backend, sb, a.lastCanvas, a.canvas.Scale, say)
	b.canvas.Layers = a.canvas.Layers
	b.canvas.Cam = a.canvas.Cam
	b.fitData = false // the shared camera already shows the data
	// Both train in lockstep, so that they share the CPU fairly whatever
	// else the machine runs and are compared at the same step.
	c.share = nil
	for _, be := range []scene.Backend{a.backend, backend} {
		if _, ok := be.(scene.Lockstepper); ok {
			c.share = append(c.share, be)
		}
	}
	c.relock()
	c.stop = start(backend)
	c.hasMeas, c.measureAt = false, time.Time{}
	return b, nil
}

// keepRun sets pane A's run aside when it has trained already, and starts
// A afresh, so that A and B race from step 0 on the same initial weights
// and batches: a B starting at 0 beside an A thousands of steps ahead
// would make every number of the strip favour A for its head start. A
// backend that cannot hand its state over keeps training (see raceNote).
func (c *Compare) keepRun(a *Pane) {
	st := a.backend.Status()
	tr, ok := a.backend.(Trainer)
	if st.Step == 0 || !ok {
		return
	}
	run, err := tr.TrainingState()
	if err != nil {
		return
	}
	c.kept, c.keptAt, c.keptSet = run, st.Step, a.applied
	a.backend.Reset()
}

// restoreKept brings pane A's run from before compare mode back, unless
// A's model settings were changed since (then that run no longer fits what
// the panel shows, and A keeps its new one). It says what happened.
func (c *Compare) restoreKept(a *Pane) string {
	run := c.kept
	c.kept = nil
	if run == nil {
		return "compare mode closed"
	}
	now, then := a.applied, c.keptSet
	now.View, then.View = scene.Settings{}.View, scene.Settings{}.View
	if now != then {
		return "compare mode closed; pane A keeps the model it trained in the race (its settings changed)"
	}
	tr := a.backend.(Trainer)
	if err := tr.Restore(a.applied, run, run.Source, run.Target); err != nil {
		return "compare mode closed; pane A's earlier run could not be restored: " + err.Error()
	}
	return fmt.Sprintf("compare mode closed: pane A is back at step %s, where it was before K", thousands(c.keptAt))
}

// raceNote is the strip's line on how the race started; "" when both
// panes started together.
func (c *Compare) raceNote() string {
	if c.kept == nil {
		return ""
	}
	return fmt.Sprintf("K restarted A: both race from step 0 on the same weights and batches · A's own run (step %s) returns when K closes", thousands(c.keptAt))
}

// relock joins the compared backends to a fresh Lockstep, counting from
// now.
func (c *Compare) relock() {
	step := new(scene.Lockstep)
	for _, be := range c.share {
		be.(scene.Lockstepper).Lockstep(step)
	}
}

// unlock lets the compared backends train freely again.
func (c *Compare) unlock() {
	for _, be := range c.share {
		be.(scene.Lockstepper).Lockstep(nil)
	}
}

// stopMeasuring cancels a measurement in flight and forgets its result.
func (c *Compare) stopMeasuring() {
	if c.cancel != nil {
		c.cancel()
		c.cancel = nil
	}
	// The goroutine sends once into the buffered channel; a fresh one
	// keeps its late result out.
	c.measuring, c.results = false, nil
}

// close stops B's backend and any measurement in flight.
func (c *Compare) close() {
	c.stopMeasuring()
	if c.stop != nil {
		c.stop()
		c.stop = nil
	}
	c.unlock()
	c.share = nil
}

// update takes a finished measurement and starts the next one when it is
// due: both panes' newest models, sampled from the same draws with each
// pane's own solver and step count.
func (c *Compare) update(panes []*Pane) {
	select {
	case r := <-c.results:
		// The interval counts from the end: in a page a paced
		// measurement takes several times its computing time.
		c.measured, c.hasMeas, c.measuring, c.measureAt = r, true, false, time.Now()
	default:
	}
	if c.measuring || len(panes) != 2 || time.Since(c.measureAt) < measureEvery {
		return
	}
	type job struct {
		field     func() flow.Field
		solver    flow.Solver
		steps, at int
	}
	var jobs [2]job
	for i, p := range panes {
		_, m := p.learned()
		if m == nil || p.sc == nil || len(p.sc.Source) == 0 || len(p.sc.Target) == 0 {
			return
		}
		solver, err := flow.ParseSolver(p.applied.Solver)
		if err != nil {
			return
		}
		// The scene's own draws of the data: drawn shapes have no spec.
		// Both panes show the same data, so pane A's clouds serve both and
		// the two are measured against the very same points.
		jobs[i] = job{field: m.Field, solver: solver, steps: p.applied.Steps, at: m.Step}
	}
	src := &data.PointSet{Points: append([]flow.Vec(nil), panes[0].sc.Source...), Name: "source"}
	tgt := &data.PointSet{Points: append([]flow.Vec(nil), panes[0].sc.Target...), Name: "target"}
	ctx, cancel := context.WithCancel(pace.With(context.Background()))
	c.cancel = cancel
	if c.results == nil {
		c.results = make(chan [2]compare.Metrics, 1)
	}
	done := c.results
	c.measuring, c.measureAt = true, time.Now()
	go func() {
		var out [2]compare.Metrics
		for i, j := range jobs {
			if i > 0 {
				pace.Pause(ctx) // in a page, the page draws between the two
			}
			m, err := compare.MeasureField(ctx, j.field(), src, tgt, compare.Options{Solver: j.solver, Steps: j.steps, Seed: 1})
			if err != nil {
				m = compare.Metrics{W2: math.NaN(), W2OneStep: math.NaN(), Straightness: math.NaN(), NPE: math.NaN()}
			}
			m.Step = j.at
			out[i] = m
		}
		done <- out
	}()
}

// metrics is the strip's row of pane i: live step, loss and steps/s, and
// the newest sample metrics.
func (c *Compare) metrics(p *Pane, i int) compare.Metrics {
	st := p.backend.Status()
	m := compare.Metrics{W2: math.NaN(), W2OneStep: math.NaN(), Straightness: math.NaN(), NPE: math.NaN()}
	if c.hasMeas {
		m = c.measured[i]
	}
	m.Step, m.Loss, m.StepsPerSec = st.Step, st.Loss, st.StepsPerSec
	if m.NFE == 0 {
		m.NFE = p.applied.Steps * evalsPerStep(p.applied.Solver)
	}
	return m
}

// labels name the panes by what differs: "A  coupling=independent".
func compareLabels(a, b scene.Settings) [2]string {
	return [2]string{"A  " + scene.Diff(b, a), "B  " + scene.Diff(a, b)}
}

// stripRow is one metric of the strip: how to print it and which side the
// verdict favours.
type stripRow struct {
	name   string
	widest string // a value as wide as the metric's values get, to lay the strip out
	text   func(compare.Metrics) string
	side   func(compare.Verdict) compare.Side
}

var stripRows = []stripRow{
	{"step", "8,888,888", func(m compare.Metrics) string { return thousands(m.Step) }, nil},
	{"loss", "8.88e-08", func(m compare.Metrics) string { return lossText(m.Loss) }, func(v compare.Verdict) compare.Side { return v.Loss }},
	{"W2", "0.0088", func(m compare.Metrics) string { return numText(m.W2) }, func(v compare.Verdict) compare.Side { return v.W2 }},
	{"W2 1 step", "0.0088", func(m compare.Metrics) string { return numText(m.W2OneStep) }, func(v compare.Verdict) compare.Side { return v.W2OneStep }},
	{"straightness", "0.0088", func(m compare.Metrics) string { return numText(m.Straightness) }, func(v compare.Verdict) compare.Side { return v.Straightness }},
	{"NPE", "0.0088", func(m compare.Metrics) string { return numText(m.NPE) }, func(v compare.Verdict) compare.Side { return v.NPE }},
	{"NFE", "8,888", func(m compare.Metrics) string { return thousands(m.NFE) }, func(v compare.Verdict) compare.Side { return v.NFE }},
	{"steps/s", "88,888", func(m compare.Metrics) string { return thousands(int(math.Round(m.StepsPerSec))) }, func(v compare.Verdict) compare.Side { return v.StepsPerSec }},
}

// numText prints a measured number, "…" before the first measurement.
func numText(x float64) string {
	if math.IsNaN(x) {
		return "…"
	}
	return significant(x)
}

// stripLayout is the strip laid out for a width: the metrics in blocks of
// cols columns stacked one under the other (each a heading row and a row
// per pane), each column as wide as its widest heading or value, so that
// a narrow figure or a large UI scale gets fewer columns rather than
// values written over each other. Where even that is too tall for the
// height it may take, the metrics that matter least for a comparison go
// first (stripPriority), and the race note before them. Where a table
// does not fit, the strip is a list, one line a metric or more: its name,
// then A's value and B's, each behind its pane's letter.
type stripLayout struct {
	compact            bool      // the list form
	nameW, labW, valW  float64   // the list's name, pane letter and value widths
	shown              []int     // indices into stripRows, in the strip's order
	x                  []float64 // each column's left edge from the strip's
	cols, blocks       int
	pad, lineH, blockH float64
	note               string
	h                  float64 // the height all of it needs
}

// stripPriority orders the strip's metrics by how much they say about two
// models compared: sample quality and straightness first, bookkeeping last.
var stripPriority = []string{"W2 1 step", "W2", "straightness", "loss", "step", "NPE", "steps/s", "NFE"}

// layoutStrip lays the strip out w wide and at most maxH high at UI scale s.
func layoutStrip(w, maxH float64, note string, fonts Fonts, s float64) stripLayout {
	l := stripLayout{pad: 5 * s, lineH: fonts.Body.Size * 1.45}
	l.blockH = 3*l.lineH + 4*s
	labelW := textWidth("B", fonts.Bold) + 20*s
	avail := w - 2*l.pad - labelW
	cellW := func(r int) float64 {
		row := stripRows[r]
		// The gap after it holds the next value's mark.
		return math.Max(textWidth(row.name, fonts.Small), textWidth(row.widest, fonts.Body)) + 16*s
	}
	for k := len(stripRows); k > 0; k-- {
		var shown []int
		for r, row := range stripRows {
			if slices.Index(stripPriority, row.name) < k {
				shown = append(shown, r)
			}
		}
		if l.table(shown, avail, labelW, maxH, cellW, s) || l.list(shown, w, maxH, fonts, s) {
			if note != "" {
				n := wrap(note, fonts.Small, w-2*l.pad)
				if nh := fonts.Small.Size * 1.5 * linesOf(n); l.h+nh <= maxH {
					l.note, l.h = n, l.h+nh
				}
			}
			return l
		}
	}
	return l // nothing fits: no strip
}

// table lays shown out as a table in the fewest blocks that fit avail
// (the width beside the pane letters) and maxH; false if none does.
func (l *stripLayout) table(shown []int, avail, labelW, maxH float64, cellW func(int) float64, s float64) bool {
	k := len(shown)
	for blocks := 1; blocks <= k; blocks++ {
		if float64(blocks)*l.blockH+6*s > maxH {
			break
		}
		cols := (k + blocks - 1) / blocks
		widths := make([]float64, cols)
		for j, r := range shown {
			widths[j%cols] = math.Max(widths[j%cols], cellW(r))
		}
		total := 0.0
		for _, cw := range widths {
			total += cw
		}
		if total > avail {
			continue
		}
		// What is left over is shared out between the columns.
		spare := (avail - total) / float64(cols)
		x := l.pad + labelW
		for _, cw := range widths {
			l.x = append(l.x, x)
			x += cw + spare
		}
		l.shown, l.cols, l.blocks = shown, cols, blocks
		l.h = float64(blocks)*l.blockH + 6*s
		return true
	}
	return false
}

// list lays shown out as a list, as many metrics a line as fit w, if the
// lines fit maxH.
func (l *stripLayout) list(shown []int, w, maxH float64, fonts Fonts, s float64) bool {
	l.nameW, l.valW = 0, 0
	for _, r := range shown {
		l.nameW = math.Max(l.nameW, textWidth(stripRows[r].name, fonts.Small)+10*s)
		l.valW = math.Max(l.valW, textWidth(stripRows[r].widest, fonts.Body)+10*s)
	}
	l.labW = textWidth("B", fonts.Bold) + 14*s // the letter, then the better value's mark
	entry := l.nameW + 2*(l.labW+l.valW) + 10*s
	perLine := min(len(shown), int((w-2*l.pad)/entry))
	if perLine < 1 {
		return false
	}
	lines := (len(shown) + perLine - 1) / perLine
	h := float64(lines)*l.lineH + 2*l.pad
	if h > maxH {
		return false
	}
	l.x = l.x[:0]
	spare := (w - 2*l.pad - float64(perLine)*entry) / float64(perLine)
	for c := range perLine {
		l.x = append(l.x, l.pad+float64(c)*(entry+spare))
	}
	l.compact, l.shown, l.cols, l.blocks, l.h = true, shown, perLine, lines, h
	return true
}

// cell is where the j-th metric shown starts in area: its heading (row
// −1) or pane i's value (row i).
func (l stripLayout) cell(area rect, j, row int, s float64) (x, y float64) {
	block, col := j/l.cols, j%l.cols
	if l.compact {
		x = area.X + l.x[col]
		if row >= 0 {
			x += l.nameW + l.labW + float64(row)*(l.valW+l.labW)
		}
		return x, area.Y + l.pad + float64(block)*l.lineH
	}
	return area.X + l.x[col], area.Y + l.pad + float64(block)*l.blockH + float64(row+1)*l.lineH
}

// colW is the width of the j-th metric's column, to the next one or the
// strip's right edge; in the list, the width a value has.
func (l stripLayout) colW(area rect, j int) float64 {
	col := j % l.cols
	if l.compact {
		return l.valW
	}
	if col+1 < len(l.x) {
		return l.x[col+1] - l.x[col]
	}
	return area.W - l.pad - l.x[col]
}

// drawStrip draws the comparison strip in area, laid out as l: a column
// per metric, a row per pane, the better value of each metric lit with a
// mark beside it.
func (c *Compare) drawStrip(dst *ebiten.Image, b *Batch, area rect, l stripLayout, panes []*Pane, labels [2]string, fonts Fonts, s float64) {
	if len(panes) != 2 {
		return
	}
	ma, mb := c.metrics(panes[0], 0), c.metrics(panes[1], 1)
	v := compare.Better(ma, mb)
	b.Begin(dst)
	b.Rect(float32(area.X), float32(area.Y), float32(area.W), float32(area.H), palette.PanelBG.WithAlpha(0.95))
	b.Rect(float32(area.X), float32(area.Y), float32(area.W), float32(math.Max(1, s)), palette.GridMajor)
	b.Flush()
	lineH := l.lineH
	for j, r := range l.shown {
		x, y := l.cell(area, j, -1, s)
		dy := 2 * s
		if l.compact {
			dy = (fonts.Body.Size - fonts.Small.Size) * 0.6 // on the values' line
		}
		drawText(dst, stripRows[r].name, fonts.Small, x, y+dy, TopLeft, palette.Dim)
	}
	for i, m := range [2]compare.Metrics{ma, mb} {
		for j := range l.shown {
			if l.compact {
				x, y := l.cell(area, j, i, s)
				drawText(dst, labels[i][:1], fonts.Bold, x-l.labW, y, TopLeft, paneColour(i))
			}
		}
		for block := range l.blocks {
			if l.compact {
				break
			}
			// The panes carry their full labels; the strip names them A and B.
			_, y := l.cell(area, block*l.cols, i, s)
			drawText(dst, labels[i][:1], fonts.Bold, area.X+l.pad, y, TopLeft, paneColour(i))
		}
		for j, r := range l.shown {
			row := stripRows[r]
			x, y := l.cell(area, j, i, s)
			col := palette.Label
			better := row.side != nil && (row.side(v) == compare.A && i == 0 || row.side(v) == compare.B && i == 1)
			if better {
				col = palette.Accent
				b.Begin(dst)
				d := float32(6 * s)
				b.Rect(float32(x-9*s), float32(y+lineH/2)-d/2-float32(2*s), d, d, palette.Accent)
				b.Flush()
			}
			drawText(dst, row.text(m), fonts.Body, x, y, TopLeft, col)
		}
	}
	if l.note != "" {
		drawText(dst, l.note, fonts.Small, area.X+l.pad, area.Y+l.h-fonts.Small.Size*1.5*linesOf(l.note), TopLeft, palette.Dim)
	}
}

// paneColour tells the panes apart in labels and frames.
func paneColour(i int) palette.RGBA {
	if i == 0 {
		return palette.Source.WithAlpha(1)
	}
	return palette.Target.WithAlpha(1)
}

// drawPaneFrame marks pane i: its label at the top, and a frame in the
// accent colour when the panel edits it.
func drawPaneFrame(dst *ebiten.Image, b *Batch, r rect, label string, i int, focused bool, fonts Fonts, s float64) {
	b.Begin(dst)
	if focused {
		w := float32(math.Max(2, 3*s))
		b.Frame(float32(r.X)+w/2, float32(r.Y)+w/2, float32(r.W)-w, float32(r.H)-w, w, palette.Accent)
	}
	tw := textWidth(label, fonts.Bold) + 16*s
	x := r.X + r.W/2 - tw/2
	b.Rect(float32(x), float32(r.Y+4*s), float32(tw), float32(fonts.Bold.Size*1.5), palette.PanelBG.WithAlpha(0.85))
	b.Flush()
	drawText(dst, label, fonts.Bold, r.X+r.W/2, r.Y+4*s+fonts.Bold.Size*0.2, TopCenter, paneColour(i))
}

// panel is the panel's Compare section.
func (c *Compare) panel(ctx *debugui.Context, on bool, toggle func()) {
	ctx.Header("Compare", true, func() {
		ctx.SetGridLayout([]int{-1, -1}, nil)
		open := on
		ctx.Checkbox(&open, "compare (K)").On(toggle)
		ctx.Checkbox(&c.Link, "link: edit both")
		ctx.SetGridLayout(nil, nil)
		ctx.Text("B = A with: " + c.spec())
		ctx.Text("click a pane to edit it")
		ctx.Text("W2, straightness, NPE: measured every 3 s on 1,000 shared draws")
	})
}

// state is compare mode's part of the state file.
func (c *Compare) state(panes []*Pane, rects []rect, focus int) *appstate.Compare {
	if len(panes) != 2 {
		return nil
	}
	labels := compareLabels(panes[0].applied, panes[1].applied)
	ma, mb := c.metrics(panes[0], 0), c.metrics(panes[1], 1)
	v := compare.Better(ma, mb)
	st := &appstate.Compare{Spec: c.spec(), Focus: focus, Link: c.Link, Race: c.raceNote()}
	if c.kept != nil {
		st.KeptAt = c.keptAt
	}
	for i, m := range [2]compare.Metrics{ma, mb} {
		p, r := panes[i], rects[i]
		cam := p.canvas.Cam
		ps := appstate.Pane{
			Label: labels[i], Canvas: [4]float64{r.X, r.Y, r.W, r.H},
			Camera:   appstate.Camera{X: cam.CenterX, Y: cam.CenterY, Zoom: cam.Zoom, Canvas: [4]float64{cam.X, cam.Y, cam.W, cam.H}},
			Coupling: p.applied.Coupling,
			Step:     m.Step, Loss: m.Loss, StepsPerSec: m.StepsPerSec,
			W2: m.W2, W2OneStep: m.W2OneStep, Straightness: m.Straightness, NPE: m.NPE, NFE: m.NFE,
			Better: map[string]string{},
		}
		if c.hasMeas {
			ps.Measured = c.measured[i].Step
		}
		for _, row := range stripRows {
			if row.side != nil {
				ps.Better[row.name] = row.side(v).String()
			}
		}
		st.Panes = append(st.Panes, ps)
	}
	return st
}
