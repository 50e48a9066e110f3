package viz

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/hajimehoshi/ebiten/v2"
	"github.com/hajimehoshi/ebiten/v2/text/v2"

	"github.com/flowviz/flowviz/flow"
	"github.com/flowviz/flowviz/viz/appstate"
	"github.com/flowviz/flowviz/viz/camera"
	"github.com/flowviz/flowviz/viz/input"
	"github.com/flowviz/flowviz/viz/lesson"
	"github.com/flowviz/flowviz/viz/palette"
	"github.com/flowviz/flowviz/viz/scene"
)

// Tool names a canvas tool that answers "what does the field do here?".
type Tool int

// The canvas tools.
const (
	NoTool      Tool = iota
	ProbeTool        // click: learned v(x, t) beside the exact marginal v and its posterior weights
	ReverseTool      // drag from the target: integrate backwards to the noise that flows there
)

// String is the tool's name in the state file.
func (t Tool) String() string {
	switch t {
	case ProbeTool:
		return "probe"
	case ReverseTool:
		return "reverse"
	}
	return ""
}

// Reverse integration: RK4 in reverseSteps steps from t = 1 to t = 0 is
// accurate to far below a pixel for these fields, and 100 steps of one point
// cost nothing.
const (
	reverseSteps = 100
	maxReverse   = 12 // finished reverse paths kept on screen
)

// Tools is the probe and the reverse tool: each tick's pointer goes to
// Update, and Draw shows the active one over the canvas.
type Tools struct {
	Mode Tool

	probeSet  bool
	probeAt   flow.Vec
	dragging  bool
	weights   []float64 // posterior weight of each exact-field target at the probe
	order     []int     // targets by falling weight
	learnedV  flow.Vec
	exactV    flow.Vec
	hasLearn  bool
	exactWhy  string
	probeStep int // training step of the learned field at the probe
	// In compare mode, the other pane's learned velocity at the probe.
	otherV    flow.Vec
	hasOther  bool
	otherStep int

	reverse [][]flow.Vec // reverse paths, newest last; path[0] at t = 1
	// In compare mode, the same paths through the other pane's field.
	otherReverse [][]flow.Vec
	batch        Batch
	// box is where the last frame put the info box; boxShown false when
	// it had to be left out, boxWanted when there was one to show.
	box                 rect
	boxShown, boxWanted bool

	score probeScore // the learned and exact score at the probe
}

// toolFrame is what the tools see of the app in one tick.
type toolFrame struct {
	area      rect    // where the tool takes clicks and draws
	pane      *Pane   // the model the tool asks, and its camera
	other     *Pane   // in compare mode the other model, also asked; else nil
	otherArea rect    // the other pane's area, where its answer is drawn
	t         float64 // the clock's time
	scale     float64
	fonts     Fonts
	// blocked reports a screen point the tool must leave alone (a
	// lesson's caption or chip); nil for none.
	blocked func(x, y float64) bool
	// avoid is what the tools' info boxes keep clear of where they can:
	// the panes' training readouts.
	avoid []rect
	// place, when set, puts the info box in free space clear of the
	// figure and the overlays placed before (and leaves it out when there
	// is none); nil puts it beside the point.
	place *placer
}

// Toggle switches a tool on or off and says what to do with it. Tools and
// draw mode exclude each other (all use the left button on the canvas):
// the caller turns draw mode off when Mode is not NoTool.
func (tl *Tools) Toggle(mode Tool) string {
	if tl.Mode == mode {
		tl.Off()
		return "tool off"
	}
	tl.Mode = mode
	switch mode {
	case ProbeTool:
		return "Probe: click or drag on the canvas to compare the learned v(x, t) with the exact average field."
	case ReverseTool:
		return "Reverse: press on the target and drag; the path runs back to the noise x0 that flows there."
	}
	return ""
}

// Off turns the tools off and forgets the reverse paths.
func (tl *Tools) Off() { tl.Mode, tl.reverse, tl.otherReverse = NoTool, nil, nil }

// Update applies one tick of the pointer to the active tool. It returns an
// error message for the status line, or "".
func (tl *Tools) Update(in *input.Snapshot, f toolFrame) string {
	if tl.Mode == NoTool {
		return ""
	}
	mx, my := in.X, in.Y
	left := in.Pressed(input.Left)
	down := in.JustPressed(input.Left)
	canvasR := f.area
	msg := ""
	if down && in.Free() && canvasR.contains(mx, my) && (f.blocked == nil || !f.blocked(mx, my)) {
		tl.dragging = true
		if tl.Mode == ReverseTool {
			tl.reverse = append(tl.reverse, nil)
			tl.otherReverse = append(tl.otherReverse, nil)
			if len(tl.reverse) > maxReverse {
				tl.reverse, tl.otherReverse = tl.reverse[1:], tl.otherReverse[1:]
			}
		}
	}
	if tl.dragging && !left {
		tl.dragging = false
	}
	if tl.dragging && canvasR.contains(mx, my) {
		wx, wy := f.pane.canvas.Cam.ToWorld(mx, my)
		at := flow.Vec{wx, wy}
		switch tl.Mode {
		case ProbeTool:
			tl.probeAt, tl.probeSet = at, true
		case ReverseTool:
			if field, _ := f.pane.learned(); field != nil {
				tl.reverse[len(tl.reverse)-1] = reversePath(field, at)
			} else {
				msg = "reverse: no trained model yet"
			}
			// Compare mode: the same end x1 runs back through the
			// other model too, so the two noises it came from show.
			tl.otherReverse[len(tl.otherReverse)-1] = nil
			if f.other != nil {
				if field, _ := f.other.learned(); field != nil {
					tl.otherReverse[len(tl.otherReverse)-1] = reversePath(field, at)
				}
			}
		}
	}
	if tl.Mode == ProbeTool && tl.probeSet {
		tl.updateProbe(f.pane, f.t)
		tl.hasOther = false
		if f.other != nil {
			if field, m := f.other.learned(); field != nil {
				tl.otherV, tl.otherStep, tl.hasOther = velocityAt(field, tl.probeAt, f.t), m.Step, true
			}
		}
	}
	return msg
}

// reversePath integrates dx/dt = v(x, t) from t = 1 at x1 back to t = 0 and
// returns the states, x1 first.
func reversePath(f flow.Field, x1 flow.Vec) []flow.Vec {
	x := []flow.Vec{x1}
	traj := make([][]flow.Vec, reverseSteps+1)
	for k := range traj {
		traj[k] = make([]flow.Vec, 1)
	}
	flow.Integrate(f, flow.RK4, x, 1, 0, reverseSteps, traj)
	path := make([]flow.Vec, len(traj))
	for k := range traj {
		path[k] = traj[k][0]
	}
	return path
}

// updateProbe evaluates both fields of p at the probe at time t.
func (tl *Tools) updateProbe(p *Pane, t float64) {
	f, m := p.learned()
	tl.hasLearn = f != nil
	if f != nil {
		tl.learnedV = velocityAt(f, tl.probeAt, t)
		tl.probeStep = m.Step
	}
	tl.score.update(p, tl.probeAt, t, tl.learnedV, tl.hasLearn)
	ex, why := p.exactField()
	tl.exactWhy = why
	if ex == nil {
		tl.weights, tl.order = tl.weights[:0], tl.order[:0]
		return
	}
	tl.exactV = velocityAt(ex, tl.probeAt, t)
	n := len(ex.Targets)
	tl.weights = slices.Grow(tl.weights[:0], n)[:n]
	ex.Weights(tl.probeAt, t, tl.weights)
	tl.order = tl.order[:0]
	for j := range n {
		tl.order = append(tl.order, j)
	}
	slices.SortFunc(tl.order, func(a, b int) int {
		switch {
		case tl.weights[a] > tl.weights[b]:
			return -1
		case tl.weights[a] < tl.weights[b]:
			return 1
		}
		return 0
	})
}

// Draw draws the probe or the reverse paths over the canvas.
func (tl *Tools) Draw(dst *ebiten.Image, f toolFrame) {
	tl.boxShown, tl.boxWanted = false, false
	switch {
	case tl.Mode == ProbeTool && tl.probeSet:
		tl.drawProbe(dst, f)
	case tl.Mode == ReverseTool:
		tl.drawReverse(dst, f)
	}
}

// posteriorColour lights the targets the probe's average weighs: violet,
// apart from the gold learned and the white exact arrow drawn over them.
var posteriorColour = palette.OKLCH(0.7, 0.17, 305*math.Pi/180)

// otherColour is the compared pane's learned arrow at the probe: cyan,
// apart from the gold arrow of the pane being edited.
var otherColour = palette.OKLCH(0.8, 0.13, 200*math.Pi/180)

// probeArrowPixels is the screen length of the longer of the probe's two
// arrows, as a fraction of the canvas's shorter side: long enough to read
// from the back of the room wherever the field is slow.
const probeArrowPixels = 0.14

func (tl *Tools) drawProbe(dst *ebiten.Image, f toolFrame) {
	s, canvasR := f.scale, f.area
	cam := &f.pane.canvas.Cam
	b := &tl.batch
	b.Begin(dst)
	// The targets the average is taken over, brighter and larger the more
	// they weigh: w_j(x, t) ∝ exp(−|x − mean(t)·x1_j|² / 2·std(t)²).
	if ex, _ := f.pane.exactField(); ex != nil && len(tl.order) > 0 {
		wmax := tl.weights[tl.order[0]]
		for _, j := range tl.order {
			w := tl.weights[j] / wmax
			if w < 0.02 {
				break
			}
			sx, sy := cam.ToScreen(ex.Targets[j][0], ex.Targets[j][1])
			r := float32((2 + 5*math.Sqrt(w)) * s)
			b.Rect(float32(sx)-r/2, float32(sy)-r/2, r, r, posteriorColour.WithAlpha(float32(0.25+0.75*w)))
		}
	}
	px, py := cam.ToScreen(tl.probeAt[0], tl.probeAt[1])
	scaleV := tl.probeArrowScale(canvasR)
	width, head := float32(3*s), float32(14*s)
	if tl.exactWhy == "" {
		v := tl.exactV
		b.Arrow(float32(px), float32(py), float32(v[0]*scaleV), float32(-v[1]*scaleV), width+float32(2*s), head+float32(3*s), palette.Label)
	}
	if tl.hasOther && f.other != nil {
		v := tl.otherV
		b.Arrow(float32(px), float32(py), float32(v[0]*scaleV), float32(-v[1]*scaleV), width, head, otherColour)
	}
	if tl.hasLearn {
		v := tl.learnedV
		b.Arrow(float32(px), float32(py), float32(v[0]*scaleV), float32(-v[1]*scaleV), width, head, palette.Accent)
	}
	tl.score.draw(b, px, py, canvasR, s)
	b.Ring(float32(px), float32(py), float32(9*s), float32(2*s), ringSegments, palette.Label)
	if tl.hasOther && f.other != nil {
		// The same point in the other pane, with the exact arrow and that
		// pane's own learned one: each picture answers for its model.
		oc := &f.other.canvas.Cam
		ox, oy := oc.ToScreen(tl.probeAt[0], tl.probeAt[1])
		if f.otherArea.contains(ox, oy) {
			if tl.exactWhy == "" {
				v := tl.exactV
				b.Arrow(float32(ox), float32(oy), float32(v[0]*scaleV), float32(-v[1]*scaleV), width+float32(2*s), head+float32(3*s), palette.Label)
			}
			v := tl.otherV
			b.Arrow(float32(ox), float32(oy), float32(v[0]*scaleV), float32(-v[1]*scaleV), width, head, otherColour)
			b.Ring(float32(ox), float32(oy), float32(9*s), float32(2*s), ringSegments, palette.Label)
		}
	}
	b.Flush()

	lines := []infoLine{
		{fmt.Sprintf("probe  x = %s   t = %s", lesson.FormatVec(tl.probeAt), lesson.FormatNum(f.t)), palette.Label},
	}
	if tl.hasLearn {
		lines = append(lines, infoLine{fmt.Sprintf("learned  v(x, t) = %s   (step %s)", lesson.FormatVec(tl.learnedV), thousands(tl.probeStep)), palette.Accent})
	} else {
		lines = append(lines, infoLine{"learned  v(x, t): no trained model yet", palette.Dim})
	}
	if tl.hasOther && f.other != nil {
		lines = append(lines, infoLine{fmt.Sprintf("other pane  v(x, t) = %s   (step %s)", lesson.FormatVec(tl.otherV), thousands(tl.otherStep)), otherColour})
	}
	if tl.exactWhy == "" {
		d := math.Hypot(tl.learnedV[0]-tl.exactV[0], tl.learnedV[1]-tl.exactV[1])
		lines = append(lines, infoLine{fmt.Sprintf("exact  v(x, t) = %s", lesson.FormatVec(tl.exactV)), palette.Label})
		if tl.hasLearn {
			lines = append(lines, infoLine{fmt.Sprintf("difference  |Δv| = %s", lesson.FormatNum(d)), palette.Label})
		}
		lines = append(lines, infoLine{weightSummary(tl.weights, tl.order), palette.Dim})
	} else {
		lines = append(lines, infoLine{"exact field: " + tl.exactWhy, palette.Dim})
	}
	lines = append(lines, tl.score.lines()...)
	// For a narrow free strip: the same numbers, each under its name.
	compact := []infoLine{{"probe  t = " + lesson.FormatNum(f.t), palette.Label}}
	if tl.hasLearn {
		compact = append(compact, infoLine{"learned v", palette.Accent}, infoLine{lesson.FormatVec(tl.learnedV), palette.Accent})
	}
	if tl.hasOther && f.other != nil {
		compact = append(compact, infoLine{"other pane v", otherColour}, infoLine{lesson.FormatVec(tl.otherV), otherColour})
	}
	if tl.exactWhy == "" {
		compact = append(compact, infoLine{"exact v", palette.Label}, infoLine{lesson.FormatVec(tl.exactV), palette.Label})
		if tl.hasLearn {
			d := math.Hypot(tl.learnedV[0]-tl.exactV[0], tl.learnedV[1]-tl.exactV[1])
			compact = append(compact, infoLine{"|Δv| = " + lesson.FormatNum(d), palette.Label})
		}
	}
	tl.infoBox(dst, f.place, canvasR, px, py, lines, compact, f.fonts, s, f.avoid)
}

// infoBox draws the tool's box of lines: in free space when there is a
// placer (wrapped to the free strips' widths, then in smaller type, then
// compact, until it fits; left out when nothing fits), else beside the
// point (x, y) in area.
func (tl *Tools) infoBox(dst *ebiten.Image, place *placer, area rect, x, y float64, lines, compact []infoLine, fonts Fonts, s float64, avoid []rect) {
	tl.boxWanted = true
	if place == nil {
		tl.box, tl.boxShown = drawInfoBox(dst, &tl.batch, area, x, y, lines, fonts.Body, s, avoid), true
		return
	}
	for _, ls := range [][]infoLine{lines, compact} {
		for _, face := range []*text.GoTextFace{fonts.Body, fonts.Small} {
			for _, free := range place.freeWidths() {
				maxW := free - 20*s // the box's padding
				if maxW < 60*s || len(ls) == 0 {
					continue
				}
				texts, w, h := infoBoxSize(ls, face, maxW, s)
				if r, ok := place.place(w, h, topRight); ok {
					drawBoxAt(dst, &tl.batch, r, ls, texts, face, s)
					tl.box, tl.boxShown = r, true
					return
				}
			}
		}
	}
}

// boxAt reports where the last frame put the tool's info box.
func (tl *Tools) boxAt() (rect, bool) { return tl.box, tl.boxShown }

// hasBox reports whether the last frame had an info box to show.
func (tl *Tools) hasBox() bool { return tl.boxWanted }

// probeArrowScale maps a velocity to screen pixels: the longer of the
// learned and the exact arrow is probeArrowPixels of the canvas's shorter
// side, the other in proportion, so their difference shows.
func (tl *Tools) probeArrowScale(canvasR rect) float64 {
	longest := 0.0
	if tl.exactWhy == "" && scene.Finite(tl.exactV) {
		longest = math.Hypot(tl.exactV[0], tl.exactV[1])
	}
	if tl.hasLearn && scene.Finite(tl.learnedV) {
		longest = math.Max(longest, math.Hypot(tl.learnedV[0], tl.learnedV[1]))
	}
	if tl.hasOther && scene.Finite(tl.otherV) {
		longest = math.Max(longest, math.Hypot(tl.otherV[0], tl.otherV[1]))
	}
	if !(longest > 1e-9) {
		return 0
	}
	return probeArrowPixels * math.Min(canvasR.W, canvasR.H) / longest
}

// weightSummary says how concentrated the average is: how many targets carry
// half of the weight.
func weightSummary(w []float64, order []int) string {
	sum, k := 0.0, 0
	for _, j := range order {
		sum += w[j]
		k++
		if sum >= 0.5 {
			break
		}
	}
	top := 0.0
	if len(order) > 0 {
		top = w[order[0]]
	}
	if k == 1 {
		return fmt.Sprintf("average over %s targets (violet): one alone carries %.0f %% of the weight", thousands(len(w)), 100*top)
	}
	return fmt.Sprintf("average over %s targets (violet): %s of them carry half the weight, the top one %s %%", thousands(len(w)), thousands(k), significant(100*top))
}

func (tl *Tools) drawReverse(dst *ebiten.Image, f toolFrame) {
	tl.drawPaths(dst, f.place, f.area, &f.pane.canvas.Cam, tl.reverse, "the learned field", f.fonts, f.scale, f.avoid)
	if f.other != nil {
		tl.drawPaths(dst, nil, f.otherArea, &f.other.canvas.Cam, tl.otherReverse, "this pane's learned field", f.fonts, f.scale, f.avoid)
	}
}

// drawPaths draws reverse paths through cam, the newest brightest, and an
// info box on the newest one's noise x0 in area; field names the field.
func (tl *Tools) drawPaths(dst *ebiten.Image, place *placer, canvasR rect, cam *camera.Camera, paths [][]flow.Vec, field string, fonts Fonts, s float64, avoid []rect) {
	b := &tl.batch
	b.Begin(dst)
	for i, path := range paths {
		if len(path) < 2 {
			continue
		}
		alpha := float32(0.45)
		if i == len(paths)-1 {
			alpha = 1
		}
		for k := 1; k < len(path); k++ {
			a, c := path[k-1], path[k]
			if !scene.Finite(a) || !scene.Finite(c) {
				break
			}
			ax, ay := cam.ToScreen(a[0], a[1])
			cx, cy := cam.ToScreen(c[0], c[1])
			// Colour runs from the target's (t = 1) to the source's (t = 0).
			u0, u1 := float32(k-1)/float32(len(path)-1), float32(k)/float32(len(path)-1)
			b.Line(float32(ax), float32(ay), float32(cx), float32(cy), float32(2.5*s),
				mix(palette.Target, palette.Source, u0).WithAlpha(alpha), mix(palette.Target, palette.Source, u1).WithAlpha(alpha))
		}
		x1, x0 := path[0], path[len(path)-1]
		sx, sy := cam.ToScreen(x1[0], x1[1])
		b.Ring(float32(sx), float32(sy), float32(7*s), float32(2*s), ringSegments, palette.Target.WithAlpha(alpha))
		if scene.Finite(x0) {
			sx, sy = cam.ToScreen(x0[0], x0[1])
			r := float32(9 * s)
			b.Rect(float32(sx)-r/2, float32(sy)-r/2, r, r, palette.Source.WithAlpha(alpha))
		}
	}
	b.Flush()
	if n := len(paths); n > 0 && len(paths[n-1]) > 1 {
		path := paths[n-1]
		x1, x0 := path[0], path[len(path)-1]
		sx, sy := cam.ToScreen(x0[0], x0[1])
		tl.infoBox(dst, place, canvasR, sx, sy, []infoLine{
			{"noise  x0 = " + lesson.FormatVec(x0) + "   (t = 0)", palette.Source.WithAlpha(1)},
			{"flows to  x1 = " + lesson.FormatVec(x1) + "   (t = 1)", palette.Target.WithAlpha(1)},
			{fmt.Sprintf("RK4, %d steps backwards through %s", reverseSteps, field), palette.Dim},
		}, []infoLine{
			{"noise x0", palette.Source.WithAlpha(1)}, {lesson.FormatVec(x0), palette.Source.WithAlpha(1)},
			{"flows to x1", palette.Target.WithAlpha(1)}, {lesson.FormatVec(x1), palette.Target.WithAlpha(1)},
		}, fonts, s, avoid)
	}
}

// mix blends two colours: (1−u)·a + u·b.
func mix(a, b palette.RGBA, u float32) palette.RGBA {
	return palette.RGBA{R: a.R + u*(b.R-a.R), G: a.G + u*(b.G-a.G), B: a.B + u*(b.B-a.B), A: a.A + u*(b.A-a.A)}
}

// ring strokes a circle of radius r as 24 segments.
// ringSegments is enough straight pieces for the tools' small rings.
const ringSegments = 24

// infoLine is one line of an info box.
type infoLine struct {
	Text  string
	Color palette.RGBA
}

// infoBoxSize wraps lines wider than maxW and measures their box.
func infoBoxSize(lines []infoLine, face *text.GoTextFace, maxW, s float64) (texts []string, w, h float64) {
	lineH := face.Size * 1.35
	pad := 10 * s
	n := 0.0
	texts = make([]string, len(lines))
	for i, l := range lines {
		texts[i] = l.Text
		if textWidth(l.Text, face) > maxW {
			texts[i] = wrap(l.Text, face, maxW)
		}
		for _, part := range strings.Split(texts[i], "\n") {
			w = math.Max(w, textWidth(part, face))
		}
		n += linesOf(texts[i])
	}
	return texts, w + 2*pad, n*lineH + 2*pad
}

// drawInfoBox draws lines in a box beside the screen point (x, y), inside
// area, its frame through b: on the first side of the point (below right,
// below left, above right, above left) where it fits and covers neither the
// point nor any of avoid, else in a free corner of area, else below right.
// It returns the box.
func drawInfoBox(dst *ebiten.Image, b *Batch, area rect, x, y float64, lines []infoLine, face *text.GoTextFace, s float64, avoid []rect) rect {
	pad := 10 * s
	// Lines wider than the area wrap, so the box never leaves it.
	texts, bw, bh := infoBoxSize(lines, face, math.Max(100*s, area.W-2*pad-4*s), s)
	bx, by := infoBoxPlace(area, x, y, bw, bh, 24*s, avoid)
	r := rect{bx, by, bw, bh}
	drawBoxAt(dst, b, r, lines, texts, face, s)
	return r
}

// drawBoxAt draws an info box in r: lines, as wrapped into texts.
func drawBoxAt(dst *ebiten.Image, b *Batch, r rect, lines []infoLine, texts []string, face *text.GoTextFace, s float64) {
	lineH := face.Size * 1.35
	pad := 10 * s
	b.Begin(dst)
	b.Rect(float32(r.X), float32(r.Y), float32(r.W), float32(r.H), palette.PanelBG.WithAlpha(0.92))
	b.Frame(float32(r.X), float32(r.Y), float32(r.W), float32(r.H), float32(s), palette.GridMajor)
	b.Flush()
	ty := r.Y + pad
	for i, l := range lines {
		drawLines(dst, texts[i], face, r.X+pad, ty, lineH, l.Color)
		ty += linesOf(texts[i]) * lineH
	}
}

// infoBoxPlace is where drawInfoBox puts a box of size bw×bh for the point
// (x, y), gap away from it; see drawInfoBox.
func infoBoxPlace(area rect, x, y, bw, bh, gap float64, avoid []rect) (bx, by float64) {
	clamp := func(bx, by float64) rect {
		return rect{math.Max(area.X, math.Min(bx, area.X+area.W-bw)), math.Max(area.Y, math.Min(by, area.Y+area.H-bh)), bw, bh}
	}
	free := func(r rect) bool {
		for _, a := range avoid {
			if r.overlaps(a) {
				return false
			}
		}
		return true
	}
	sides := []rect{
		clamp(x+gap, y+gap), clamp(x-gap-bw, y+gap), clamp(x+gap, y-gap-bh), clamp(x-gap-bw, y-gap-bh),
	}
	corners := []rect{
		clamp(area.X+area.W, area.Y+area.H), clamp(area.X, area.Y+area.H), clamp(area.X+area.W, area.Y), clamp(area.X, area.Y),
	}
	for _, r := range append(sides, corners...) {
		if !r.contains(x, y) && free(r) {
			return r.X, r.Y
		}
	}
	return sides[0].X, sides[0].Y
}

// overlaps reports whether r and o share any area.
func (r rect) overlaps(o rect) bool {
	return r.X < o.X+o.W && o.X < r.X+r.W && r.Y < o.Y+o.H && o.Y < r.Y+r.H
}

// State is the tools' part of the state file.
func (tl *Tools) State() appstate.Tool {
	st := appstate.Tool{Mode: tl.Mode.String()}
	switch tl.Mode {
	case ProbeTool:
		if tl.probeSet {
			at := tl.probeAt
			st.ProbeAt = &at
			if tl.hasLearn {
				v := tl.learnedV
				st.Learned = &v
			}
			if tl.hasOther {
				v := tl.otherV
				st.Other = &v
			}
			if tl.exactWhy == "" && len(tl.order) > 0 {
				v := tl.exactV
				st.Exact = &v
				st.TopShare = tl.weights[tl.order[0]]
			}
			if sc := tl.score; sc.hasLearned {
				st.LearnedScore = &sc.learned
			}
			if sc := tl.score; sc.hasExact {
				st.ExactScore = &sc.exact
			}
		}
	case ReverseTool:
		for _, p := range tl.reverse {
			if len(p) > 1 {
				st.Reverse = append(st.Reverse, [2]flow.Vec{p[0], p[len(p)-1]})
			}
		}
		for _, p := range tl.otherReverse {
			if len(p) > 1 {
				st.OtherReverse = append(st.OtherReverse, [2]flow.Vec{p[0], p[len(p)-1]})
			}
		}
	}
	return st
}
