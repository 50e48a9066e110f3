package viz

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hajimehoshi/ebiten/v2"

	"github.com/flowviz/flowviz/flow"
	"github.com/flowviz/flowviz/viz/lesson"
	"github.com/flowviz/flowviz/viz/palette"
	"github.com/flowviz/flowviz/viz/scene"
)

// What lesson 5 draws: both fields, or one alone.
const (
	avgBoth = iota
	avgNetwork
	avgExact
)

// Figures of the lessons that measure the model.
const (
	tablePoints   = 400             // particles per W2 measurement
	tableInterval = 4 * time.Second // remeasure at most this often while training runs
	batchInterval = 150 * time.Millisecond
	avgTargets    = 600 // target draws of the exact field on the arrow grid
)

// lessonChips lays out the clickable choices of the lesson shown.
func (g *Game) lessonChips() {
	ls := &g.lessons
	l := ls.current()
	switch l.Kind {
	case lesson.Sampling:
		// "N = 1" "2" "5" "10" "100", then the solvers as a second group.
		var labels []string
		for i, n := range l.StepChoices {
			if i == 0 {
				labels = append(labels, fmt.Sprintf("N = %d", n))
			} else {
				labels = append(labels, fmt.Sprint(n))
			}
		}
		for _, s := range l.Solvers {
			labels = append(labels, solverName(s))
		}
		k := len(l.StepChoices)
		g.setChips(labels, func(i int) bool {
			if i < k {
				return g.pane.settings.Steps == l.StepChoices[i]
			}
			return g.pane.settings.Solver == l.Solvers[i-k]
		}, func(i int) {
			if i < k {
				g.pane.settings.Steps = l.StepChoices[i]
			} else {
				g.pane.settings.Solver = l.Solvers[i-k]
			}
			g.editSetting()
		})
		if k < len(ls.chips) {
			ls.chips[k].group = true
		}
	case lesson.Straight:
		var labels []string
		for _, c := range l.Couplings {
			labels = append(labels, couplingName(c))
		}
		g.setChips(labels, func(i int) bool { return g.pane.settings.Coupling == l.Couplings[i] }, func(i int) {
			g.pane.settings.Coupling = l.Couplings[i]
			g.editSetting()
		})
	case lesson.Average:
		g.setChips([]string{"both", "network", "exact"}, func(i int) bool { return ls.avgShow == i }, func(i int) {
			ls.avgShow = i
			// The canvas draws the network's arrows; the lesson the exact ones.
			g.pane.canvas.Layers.Field = i != avgExact
		})
	case lesson.Batch:
		g.setChips([]string{"new batch"}, func(int) bool { return false }, func(int) {
			ls.batchNo++
			ls.batchStep = -1
		})
	default:
		ls.chips = ls.chips[:0]
	}
}

// setChips sets the lesson's chips; layoutLesson places them.
func (g *Game) setChips(labels []string, on func(i int) bool, do func(i int)) {
	ls := &g.lessons
	ls.chips = ls.chips[:0]
	for i, lab := range labels {
		ls.chips = append(ls.chips, chip{label: lab, on: on(i), do: func() { do(i) }})
	}
}

// editSetting applies an edit made by a lesson at once and shows it in the
// panel.
func (g *Game) editSetting() {
	g.pane.dirty, g.pane.editedAt = true, time.Time{}
	g.panel.Sync(g.pane.settings, g.pane.backend.Options())
}

func solverName(s string) string {
	switch s {
	case "euler":
		return "Euler"
	case "rk4":
		return "RK4"
	}
	return s
}

func couplingName(c string) string {
	switch c {
	case "independent":
		return "independent pairs"
	case "ot":
		return "minibatch OT"
	case "reflow":
		return "reflow (one round)"
	}
	return c
}

// updateBatch re-evaluates the lesson's batch with the newest weights, so
// the predictions are seen to approach the targets as training runs.
func (g *Game) updateBatch() {
	ls := &g.lessons
	f, m := g.pane.learned()
	if f == nil || m.Step == ls.batchStep || g.tick%int(math.Max(1, batchInterval.Seconds()*60)) != 0 && ls.batchStep >= 0 {
		return
	}
	l := ls.current()
	src, tgt := loadOr(g.pane.applied.Source, "gaussian"), loadOr(g.pane.applied.Target, "moons")
	rng := rand.New(rand.NewPCG(l.Seed, ls.batchNo))
	ls.rows, ls.batchLoss = lesson.BatchRows(l.Pairs, rng, src, tgt, f)
	ls.batchStep = m.Step
}

// updateAverage measures the learned field against the exact one on the
// arrow grid at the clock's t.
func (g *Game) updateAverage() {
	ls := &g.lessons
	if g.pane.sc == nil || len(g.pane.sc.GridPts) == 0 {
		return
	}
	ex, _ := g.pane.exactField()
	if ex == nil {
		return
	}
	t := math.Round(g.tl.T*200) / 200
	key := avgKey{seq: g.pane.sc.Seq, t: t, exp: &ex.Targets[0]}
	if key == ls.avgKey {
		return
	}
	ls.avgKey = key
	grid := *ex
	grid.Targets = subsample(ex.Targets, avgTargets)
	n := len(g.pane.sc.GridPts)
	ls.avgExact = slices.Grow(ls.avgExact[:0], n)[:n]
	grid.Velocity(ls.avgExact, g.pane.sc.GridPts, t)
	learned := g.pane.sc.FieldAt(nil, t)
	ls.avgErr = append(ls.avgErr[:0], make([]float64, n)...)
	sum, cnt := 0.0, 0
	for j := range n {
		d := math.Hypot(learned[j][0]-ls.avgExact[j][0], learned[j][1]-ls.avgExact[j][1])
		ls.avgErr[j] = d
		if !math.IsNaN(d) && !math.IsInf(d, 0) {
			sum += d
			cnt++
		}
	}
	ls.avgMean = sum / float64(max(1, cnt))

	// The same where the flow actually goes: each cell weighted by the
	// particles in it at this t. Far from them no pair ever passes, the
	// loss never looks there, and the network's field is a guess.
	v, n := g.pane.sc.View, g.pane.sc.Grid
	dx, dy := (v[2]-v[0])/float64(n), (v[3]-v[1])/float64(n)
	wErr, wSpeed, wSum := 0.0, 0.0, 0.0
	for _, p := range g.pane.pos {
		c, r := int(math.Floor((p[0]-v[0])/dx)), int(math.Floor((p[1]-v[1])/dy))
		if c < 0 || r < 0 || c >= n || r >= n {
			continue
		}
		j := r*n + c
		if e := ls.avgErr[j]; !math.IsNaN(e) && !math.IsInf(e, 0) {
			wErr += e
			wSpeed += math.Hypot(ls.avgExact[j][0], ls.avgExact[j][1])
			wSum++
		}
	}
	ls.avgNear, ls.avgNearRel = math.NaN(), math.NaN()
	if wSum > 0 {
		ls.avgNear = wErr / wSum
		ls.avgNearRel = wErr / math.Max(wSpeed, 1e-12)
	}
}

// tableKey names the W2 table of the lesson's current comparison.
func (g *Game) tableKey() string {
	if g.lessons.current().Kind == lesson.Straight {
		return g.pane.applied.Coupling
	}
	return ""
}

// updateTable starts a W2 measurement off the render loop when the model has
// moved on, and takes its result when it is done.
func (g *Game) updateTable() {
	ls := &g.lessons
	select {
	case r := <-ls.tableDone:
		ls.tableBusy = false
		if r.err == nil {
			ls.table[r.key] = r.results
			ls.tableStep[r.key] = r.step
		}
	default:
	}
	if ls.tableBusy || g.pane.sc == nil || len(g.pane.sc.Target) == 0 || g.pane.dirty {
		return
	}
	_, m := g.pane.learned()
	if m == nil || m.Step == 0 || m.Config.Coupling != g.pane.applied.Coupling && g.pane.applied.Coupling != "" {
		return
	}
	key := g.tableKey()
	if last, ok := ls.tableStep[key]; ok && (m.Step == last || time.Since(ls.tableAt) < tableInterval) {
		return
	}
	l := ls.current()
	steps, solvers := l.StepChoices, l.Solvers
	if l.Kind == lesson.Straight {
		steps, solvers = []int{1, 2}, []string{"euler"}
	}
	src := loadOr(g.pane.applied.Source, "gaussian")
	x0 := make([]flow.Vec, tablePoints)
	src.Sample(rand.New(rand.NewPCG(7, 7)), x0)
	target := append([]flow.Vec(nil), subsample(g.pane.sc.Target, tablePoints)...)
	ctx, cancel := context.WithCancel(context.Background())
	ls.cancel = cancel
	if ls.tableDone == nil {
		ls.tableDone = make(chan tableResult, 1)
	}
	done := ls.tableDone
	ls.tableBusy, ls.tableAt = true, time.Now()
	step := m.Step
	go func() {
		res, err := lesson.SamplingTable(ctx, func() flow.Field { return m.Field() }, x0, target, steps, solvers)
		done <- tableResult{key: key, step: step, results: res, err: err}
	}()
}

// stopTable cancels a measurement in flight and forgets its result.
func (g *Game) stopTable() {
	ls := &g.lessons
	if ls.cancel != nil {
		ls.cancel()
		ls.cancel = nil
	}
	if ls.tableBusy {
		// The goroutine sends once into the buffered channel; a fresh
		// channel keeps its late result out of the next lesson.
		ls.tableDone = nil
		ls.tableBusy = false
	}
}

// drawLessonFigure draws the lesson's own picture in its figure, over the
// canvas; the tools and the text column go on top of it.
func (g *Game) drawLessonFigure(dst *ebiten.Image) {
	switch g.lessons.current().Kind {
	case lesson.Pair:
		g.drawPair(dst, true)
	case lesson.Interp:
		g.drawPair(dst, false)
	case lesson.Crossing:
		g.drawCrossing(dst)
	case lesson.Batch:
		g.drawBatch(dst)
	case lesson.Average:
		g.drawAverage(dst)
	}
}

// lessonLines is the live numbers of the lesson shown.
func (g *Game) lessonLines() []numLine {
	ls := &g.lessons
	l := ls.current()
	switch l.Kind {
	case lesson.Pair, lesson.Interp:
		k, exact := g.tl.Step()
		var lines []numLine
		for _, t := range pairText(ls.x0, ls.x1, g.tl.T, k, g.tl.N, exact, l.Kind == lesson.Pair) {
			lines = append(lines, textLine(t))
		}
		return lines
	case lesson.Crossing:
		return g.crossingLines()
	case lesson.Batch:
		return g.batchLines()
	case lesson.Average:
		return g.averageLines()
	case lesson.Sampling:
		return g.samplingLines()
	case lesson.Straight:
		return g.straightLines()
	case lesson.Shape:
		return g.shapeLines()
	}
	return nil
}

// pairText is the numbers of lessons 1 and 2 at time t.
func pairText(x0, x1 flow.Vec, t float64, k, n int, exact, steps bool) []string {
	xt, v := lesson.Interpolate(x0, x1, t)
	tText := "t = " + lesson.FormatNum(t)
	if steps && exact {
		tText = fmt.Sprintf("t = %d/%d = %s", k, n, lesson.FormatNum(t))
	}
	lines := []string{
		fmt.Sprintf("x0 = %s     x1 = %s", lesson.FormatVec(x0), lesson.FormatVec(x1)),
		tText,
		fmt.Sprintf("xt = (1 − %s)·%s + %s·%s = %s", lesson.FormatNum(t), lesson.FormatVec(x0), lesson.FormatNum(t), lesson.FormatVec(x1), lesson.FormatVec(xt)),
		fmt.Sprintf("v = x1 − x0 = %s at every t", lesson.FormatVec(v)),
	}
	if steps {
		lines = append(lines, fmt.Sprintf("each of the %d steps moves x by v/%d = %s", n, n, lesson.FormatVec(flow.Vec{v[0] / float64(n), v[1] / float64(n)})))
	}
	return lines
}

// drawPair draws one source–target pair: the straight path, its points at
// the solver steps (lesson 1) or draggable ends (lesson 2), and xt.
func (g *Game) drawPair(dst *ebiten.Image, steps bool) {
	ls := &g.lessons
	cam := &g.pane.canvas.Cam
	s := g.scale
	f := g.lessonFaces()
	b := &g.toolBatch
	x0, x1 := ls.x0, ls.x1
	n := g.tl.N
	b.Begin(dst)
	ax, ay := cam.ToScreen(x0[0], x0[1])
	bx, by := cam.ToScreen(x1[0], x1[1])
	b.Line(float32(ax), float32(ay), float32(bx), float32(by), float32(2*s), palette.Source.WithAlpha(0.9), palette.Target.WithAlpha(0.9))
	var pts []flow.Vec
	if steps {
		pts = lesson.StepPoints(x0, x1, n)
		// The constant direction: one arrow per step, each (x1 − x0)/N long.
		for k := 0; k+1 < len(pts); k++ {
			px, py := cam.ToScreen(pts[k][0], pts[k][1])
			qx, qy := cam.ToScreen(pts[k+1][0], pts[k+1][1])
			dx, dy := (qx-px)*0.8, (qy-py)*0.8
			b.Arrow(float32(px+(qx-px)*0.1), float32(py+(qy-py)*0.1), float32(dx), float32(dy), float32(3*s), float32(14*s), palette.Accent.WithAlpha(0.85))
		}
		for _, p := range pts {
			px, py := cam.ToScreen(p[0], p[1])
			r := float32(8 * s)
			b.Rect(float32(px)-r/2, float32(py)-r/2, r, r, palette.Label)
		}
	}
	handle := float32(14 * s)
	b.Rect(float32(ax)-handle/2, float32(ay)-handle/2, handle, handle, palette.Source.WithAlpha(1))
	b.Rect(float32(bx)-handle/2, float32(by)-handle/2, handle, handle, palette.Target.WithAlpha(1))
	xt, v := lesson.Interpolate(x0, x1, g.tl.T)
	tx, ty := cam.ToScreen(xt[0], xt[1])
	if !steps {
		// The velocity at xt, drawn as the move over Δt = 0.2.
		b.Arrow(float32(tx), float32(ty), float32(v[0]*0.2*cam.Zoom), float32(-v[1]*0.2*cam.Zoom), float32(3.5*s), float32(16*s), palette.Accent)
	}
	b.Ring(float32(tx), float32(ty), float32(11*s), float32(3*s), ringSegments, palette.Accent)
	b.Flush()

	if steps {
		// Labels right of and below each point, clear of the line, which
		// runs up and to the right; xt's own label goes above and left.
		k, exact := g.tl.Step()
		for i, p := range pts {
			if exact && i == k {
				continue
			}
			px, py := cam.ToScreen(p[0], p[1])
			drawText(dst, lesson.FormatVec(p), f.body, px+14*s, py+4*s, TopLeft, palette.Label)
		}
		drawText(dst, "x0", f.body, ax-12*s, ay, CenterRight, palette.Source.WithAlpha(1))
		drawText(dst, "x1", f.body, bx-12*s, by, CenterRight, palette.Target.WithAlpha(1))
	} else {
		drawText(dst, "x0 "+lesson.FormatVec(x0), f.body, ax-14*s, ay+8*s, TopRight, palette.Source.WithAlpha(1))
		drawText(dst, "x1 "+lesson.FormatVec(x1), f.body, bx+14*s, by-8*s, BottomLeft, palette.Target.WithAlpha(1))
	}
	drawText(dst, "xt = "+lesson.FormatVec(xt), f.formula, tx+18*s, ty+6*s, TopLeft, palette.Accent)
}

// updateCrossing finds the paths that pass under the pointer, at whatever
// time each one gets there.
func (g *Game) updateCrossing() {
	ls := &g.lessons
	ls.conflicts, ls.conflictT, ls.mean = ls.conflicts[:0], ls.conflictT[:0], flow.Vec{}
	if ls.hoverOn {
		radius := crossRadius * g.scale / g.pane.canvas.Cam.Zoom
		ls.conflicts, ls.conflictT, ls.mean = lesson.CrossingPaths(ls.pairs0, ls.pairs1, ls.hover, radius)
	}
}

// Lesson 3: the reach of the pointer in pixels at scale 1, and the arrows'
// length, the move of a direction u over Δt = crossArrow.
const (
	crossRadius = 18
	crossArrow  = 0.3
)

// drawCrossing draws many straight conditional paths and, under the
// pointer, the directions that meet there.
func (g *Game) drawCrossing(dst *ebiten.Image) {
	ls := &g.lessons
	cam := &g.pane.canvas.Cam
	s := g.scale
	t := g.tl.T
	b := &g.toolBatch
	b.Begin(dst)
	for i := range ls.pairs0 {
		ax, ay := cam.ToScreen(ls.pairs0[i][0], ls.pairs0[i][1])
		bx, by := cam.ToScreen(ls.pairs1[i][0], ls.pairs1[i][1])
		b.Line(float32(ax), float32(ay), float32(bx), float32(by), float32(1.5*s), palette.Source.WithAlpha(0.7), palette.Target.WithAlpha(0.7))
	}
	for i := range ls.pairs0 {
		xt, _ := lesson.Interpolate(ls.pairs0[i], ls.pairs1[i], t)
		px, py := cam.ToScreen(xt[0], xt[1])
		r := float32(6 * s)
		b.Rect(float32(px)-r/2, float32(py)-r/2, r, r, palette.Label)
	}
	if ls.hoverOn {
		hx, hy := cam.ToScreen(ls.hover[0], ls.hover[1])
		b.Ring(float32(hx), float32(hy), float32(crossRadius*s), float32(2*s), ringSegments, palette.Label.WithAlpha(0.8))
		// Each crossing path lit, with its own direction u = x1 − x0 from
		// the pointer, drawn as the move over Δt = 0.15; their mean in
		// white, thicker.
		idx := ls.conflicts
		for n, i := range idx {
			col := palette.OKLCH(0.78, 0.14, 2*math.Pi*float64(n)/float64(max(1, len(idx))))
			ax, ay := cam.ToScreen(ls.pairs0[i][0], ls.pairs0[i][1])
			bx, by := cam.ToScreen(ls.pairs1[i][0], ls.pairs1[i][1])
			b.Line(float32(ax), float32(ay), float32(bx), float32(by), float32(2.5*s), col, col)
			u := velocityOf(ls, i)
			b.Arrow(float32(hx), float32(hy), float32(u[0]*crossArrow*cam.Zoom), float32(-u[1]*crossArrow*cam.Zoom), float32(3*s), float32(13*s), col)
		}
		if len(idx) > 0 {
			// The mean on top, white on a dark outline so it reads over
			// the coloured ones.
			mx, my := float32(ls.mean[0]*crossArrow*cam.Zoom), float32(-ls.mean[1]*crossArrow*cam.Zoom)
			b.Arrow(float32(hx), float32(hy), mx, my, float32(8*s), float32(24*s), palette.Background)
			b.Arrow(float32(hx), float32(hy), mx, my, float32(5*s), float32(18*s), palette.Label)
		}
	}
	b.Flush()
}

func (g *Game) crossingLines() []numLine {
	ls := &g.lessons
	idx := ls.conflicts
	lines := []numLine{
		textLine(fmt.Sprintf("%d random pairs (x0, x1), t = %s", len(ls.pairs0), lesson.FormatNum(g.tl.T))),
		proseLine("each pair is a straight path with its own direction u = x1 − x0"),
	}
	switch {
	case !ls.hoverOn:
		lines = append(lines, proseLine("point at a place where paths cross"))
	case len(idx) == 0:
		lines = append(lines, proseLine("no path passes under the pointer: move it where lines meet"))
	case len(idx) == 1:
		lines = append(lines, proseLine("one path passes here: its direction "+lesson.FormatVec(velocityOf(ls, idx[0]))))
	default:
		lo, hi := slices.Min(ls.conflictT), slices.Max(ls.conflictT)
		lines = append(lines,
			proseLine(fmt.Sprintf("%d paths cross here (at t from %s to %s), pulling in %d directions (coloured)", len(idx), lesson.FormatNum(lo), lesson.FormatNum(hi), len(idx))),
			proseLine("their average "+lesson.FormatVec(ls.mean)+" (white) is the one direction a field can take here"))
	}
	return lines
}

func velocityOf(ls *Lessons, i int) flow.Vec {
	_, v := lesson.Interpolate(ls.pairs0[i], ls.pairs1[i], 0)
	return v
}

// drawBatch draws the lesson's batch on the plane.
func (g *Game) drawBatch(dst *ebiten.Image) {
	ls := &g.lessons
	cam := &g.pane.canvas.Cam
	s := g.scale
	b := &g.toolBatch
	scaleV := 0.15 * cam.Zoom
	b.Begin(dst)
	for _, r := range ls.rows {
		ax, ay := cam.ToScreen(r.X0[0], r.X0[1])
		bx, by := cam.ToScreen(r.X1[0], r.X1[1])
		b.Line(float32(ax), float32(ay), float32(bx), float32(by), float32(1.2*s), palette.Source.WithAlpha(0.8), palette.Target.WithAlpha(0.8))
		px, py := cam.ToScreen(r.Xt[0], r.Xt[1])
		// The target u in white like every exact field here, the
		// network's v in gold like every learned one.
		b.Arrow(float32(px), float32(py), float32(r.U[0]*scaleV), float32(-r.U[1]*scaleV), float32(3.5*s), float32(14*s), palette.Label)
		if scene.Finite(r.V) {
			b.Arrow(float32(px), float32(py), float32(r.V[0]*scaleV), float32(-r.V[1]*scaleV), float32(2.5*s), float32(12*s), palette.Accent)
		}
		rr := float32(9 * s)
		b.Ring(float32(px), float32(py), float32(5*s), float32(1.5*s), ringSegments, palette.Label)
		b.Rect(float32(ax)-rr/2, float32(ay)-rr/2, rr, rr, palette.Source.WithAlpha(1))
		b.Rect(float32(bx)-rr/2, float32(by)-rr/2, rr, rr, palette.Target.WithAlpha(1))
	}
	b.Flush()
}

func (g *Game) batchLines() []numLine {
	ls := &g.lessons
	if len(ls.rows) == 0 {
		return []numLine{proseLine("waiting for the first trained weights…")}
	}
	// The heading is the legend: each vector column in its colour on the plane.
	head := tableHead("t", "xt", "u = x1 − x0", "v(xt, t)", "|v − u|²")
	head.colours = []palette.RGBA{{}, {}, palette.Label, palette.Accent}
	lines := []numLine{head}
	for _, r := range ls.rows {
		// One decimal keeps the five columns beside the figure.
		lines = append(lines, tableRow(lesson.FormatNum(r.T), lesson.FormatVecPrec(r.Xt, 1), lesson.FormatVecPrec(r.U, 1), lesson.FormatVecPrec(r.V, 1), lesson.FormatNum(r.SqErr)))
	}
	return append(lines,
		textLine(fmt.Sprintf("loss = mean |v − u|² = %s at step %s", lesson.FormatNum(ls.batchLoss), thousands(ls.batchStep))))
}

// drawAverage draws the error heatmap and the exact field's arrows over the
// learned field the canvas drew.
func (g *Game) drawAverage(dst *ebiten.Image) {
	ls := &g.lessons
	sc := g.pane.sc
	cam := &g.pane.canvas.Cam
	s := g.scale
	ex, _ := g.pane.exactField()
	if sc == nil || ex == nil || len(ls.avgExact) != len(sc.GridPts) {
		return
	}
	cellW := (sc.View[2] - sc.View[0]) / float64(sc.Grid) * cam.Zoom
	cellH := (sc.View[3] - sc.View[1]) / float64(sc.Grid) * cam.Zoom
	cell := math.Min(cellW, cellH)
	maxSpeed := math.Max(sc.MaxSpeed, 1e-9)
	b := &g.toolBatch
	b.Begin(dst)
	for j, p := range sc.GridPts {
		e := ls.avgErr[j] / maxSpeed
		if !(e > 0.02) {
			continue
		}
		sx, sy := cam.ToScreen(p[0], p[1])
		b.Rect(float32(sx-cellW/2), float32(sy-cellH/2), float32(cellW), float32(cellH), palette.Error.WithAlpha(float32(math.Min(0.55, e))))
	}
	width := 1.6 * s
	if ls.avgShow == avgBoth {
		width = 1 * s // thin, so the network's arrows show beneath
	}
	for j, p := range sc.GridPts {
		if ls.avgShow == avgNetwork {
			break
		}
		v := ls.avgExact[j]
		speed := math.Hypot(v[0], v[1])
		if !scene.Finite(v) || !(speed > 0) {
			continue
		}
		sx, sy := cam.ToScreen(p[0], p[1])
		l := 0.9 * cell * (0.3 + 0.7*math.Min(1, speed/maxSpeed))
		dx, dy := v[0]/speed*l, -v[1]/speed*l
		b.Arrow(float32(sx-dx/2), float32(sy-dy/2), float32(dx), float32(dy), float32(width), float32(math.Min(7*s, cell*0.3)), palette.Label.WithAlpha(0.85))
	}
	b.Flush()
}

func (g *Game) averageLines() []numLine {
	ls := &g.lessons
	sc := g.pane.sc
	ex, why := g.pane.exactField()
	if sc == nil || ex == nil || len(ls.avgExact) != len(sc.GridPts) {
		if why != "" {
			return []numLine{proseLine("exact field: " + why)}
		}
		return []numLine{proseLine("waiting for the first sample…")}
	}
	lines := []numLine{
		textLine(fmt.Sprintf("t = %s   at training step %s", lesson.FormatNum(g.tl.T), thousands(sc.Step))),
	}
	draws := thousands(min(len(ex.Targets), avgTargets)) // as many as updateAverage subsamples
	switch ls.avgShow {
	case avgBoth:
		lines = append(lines, proseLine("white: the exact average field over "+draws+" target draws; coloured: the network's"))
	case avgNetwork:
		lines = append(lines, proseLine("the network's field alone"))
	case avgExact:
		lines = append(lines, proseLine("the exact average field alone, over "+draws+" target draws"))
	}
	lines = append(lines, textLine("mean |v_network − v_exact|"))
	if !math.IsNaN(ls.avgNear) {
		lines = append(lines, textLine(fmt.Sprintf("  where the particles are: %s (%.0f %% of their speed)", lesson.FormatNum(ls.avgNear), 100*ls.avgNearRel)))
	}
	return append(lines,
		textLine("  over the whole grid: "+lesson.FormatNum(ls.avgMean)),
		proseLine("red cells: where the two differ; far from the particles no pair passes, so the network has nothing to learn there"))
}

// samplingLines is the W2 table: a row per step count, a column per
// solver, the setting sampled now lit.
func (g *Game) samplingLines() []numLine {
	ls := &g.lessons
	l := ls.current()
	res := ls.table[""]
	lines := []numLine{}
	if len(res) == 0 {
		lines = append(lines, proseLine("measuring W2 to the target for each setting…"))
	} else {
		lines = append(lines, proseLine(fmt.Sprintf("W2 to the target (lower is better) and network evaluations; weights of step %s", thousands(ls.tableStep[""]))))
	}
	head := []string{"NUM_STEPS"}
	for _, sv := range l.Solvers {
		head = append(head, solverName(sv))
	}
	lines = append(lines, tableHead(head...))
	// SamplingTable's order: result i·len(solvers) + j is steps[i], solvers[j].
	for i, n := range l.StepChoices {
		row := tableRow(fmt.Sprint(n))
		for j, sv := range l.Solvers {
			w2 := "…"
			if k := i*len(l.Solvers) + j; k < len(res) {
				w2 = lesson.FormatNum(res[k].W2)
			}
			row.cells = append(row.cells, fmt.Sprintf("%s  (%d)", w2, n*evalsPerStep(sv)))
			if n == g.pane.applied.Steps && sv == g.pane.applied.Solver {
				row.hi, row.hiCell = true, j+2
			}
		}
		lines = append(lines, row)
	}
	return lines
}

func evalsPerStep(solver string) int {
	s, err := flow.ParseSolver(solver)
	if err != nil {
		return 1
	}
	return s.EvalsPerStep()
}

// updateStraightness measures S on each new scene of the coupling trained.
func (g *Game) updateStraightness() {
	ls := &g.lessons
	if g.pane.sc != nil && g.pane.sc.Seq != ls.straightSeq && !g.pane.dirty {
		ls.straightSeq = g.pane.sc.Seq
		ls.straightness[g.pane.applied.Coupling] = flow.Straightness(g.pane.sc.Traj)
	}
}

// straightLines is the straightness and few-step quality of each coupling
// measured so far, the one trained now lit.
func (g *Game) straightLines() []numLine {
	ls := &g.lessons
	lines := []numLine{
		proseLine("S is 0 when every path is straight; W2 after 1 and 2 Euler steps, lower is better"),
		tableHead("coupling", "S", "W2, 1 step", "W2, 2 steps"),
	}
	missing := false
	for _, c := range ls.current().Couplings {
		cells := []string{couplingName(c), "—", "—", "—"}
		if v, ok := ls.straightness[c]; ok {
			cells[1] = significant(v)
		} else {
			missing = true
		}
		for _, r := range ls.table[c] {
			if r.Steps == 1 || r.Steps == 2 {
				cells[1+r.Steps] = lesson.FormatNum(r.W2)
			}
		}
		row := tableRow(cells...)
		row.hi = c == g.pane.applied.Coupling
		lines = append(lines, row)
	}
	if missing {
		lines = append(lines, proseLine("— not trained yet: click its chip"))
	}
	return lines
}

// significant prints x as FormatNum does, but a small x with two
// significant digits: a reflowed S of 0.004 is not 0.
func significant(x float64) string {
	if x != 0 && math.Abs(x) < 0.1 {
		return strings.Replace(strconv.FormatFloat(x, 'g', 2, 64), "-", "−", 1)
	}
	return lesson.FormatNum(x)
}

// shapeLines says what to do in the last lesson.
func (g *Game) shapeLines() []numLine {
	n := 0
	if doc := g.draw.target; doc != nil {
		n = doc.Len()
	}
	return []numLine{
		textLine(fmt.Sprintf("%s points drawn", thousands(n))),
		proseLine("hold the left button on the canvas to paint the target, or type text in the panel's Draw section; Ctrl+Z undoes"),
		proseLine("an image is one point in H×W×3 dimensions: the same loop learns it, only the network is larger"),
	}
}
