package viz

import (
	"math"
	"slices"
	"time"

	"github.com/ebitengine/debugui"
	"github.com/hajimehoshi/ebiten/v2"

	"github.com/flowviz/flowviz/flow"
	"github.com/flowviz/flowviz/viz/appstate"
	"github.com/flowviz/flowviz/viz/camera"
	"github.com/flowviz/flowviz/viz/densityview"
	"github.com/flowviz/flowviz/viz/keymap"
	"github.com/flowviz/flowviz/viz/palette"
	"github.com/flowviz/flowviz/viz/scene"
)

// Presenter is what a lecturer at the projector adds to the app: the ink,
// the presentation mode (Shift+H: nothing but figure, timeline and
// caption), and the placement of the overlays — training readout, legend,
// hints, the probe's box — in the free space around the figure, so that no
// box hides what is being explained.
type Presenter struct {
	Ink Ink
	On  bool // presentation mode

	// figures are the panes' figure boxes on screen, made each Update.
	figures []figureBox
	// placed are the overlays drawn in the last frame by name, hidden the
	// ones that found no free space.
	placed map[string]rect
	hidden []string
}

// presenterPanel is the panel's ink and presentation controls: one click
// each, for a presenter at the laptop rather than at the keys.
func (pr *Presenter) presenterPanel(ctx *debugui.Context, do func(keymap.Action)) {
	ctx.SetGridLayout([]int{-1, -1}, nil)
	label := "Ink (N)"
	if pr.Ink.On {
		label = "Ink on: end (N)"
	}
	ctx.Button(label).On(func() {
		do(keymap.ToggleInk)
	})
	ctx.Button("Clear ink (Bksp)").On(pr.Ink.Clear)
	ctx.Checkbox(&pr.Ink.Keep, "ink stays")
	ctx.Button("Present (Shift+H)").On(func() { do(keymap.Presentation) })
	ctx.SetGridLayout(nil, nil)
}

// drawReadout draws the training readout where pl finds room for it: the
// full box, else a narrow one, else a single line; with no room clear of
// the figure it is left out (the panel shows the same numbers). It
// returns the box, empty when left out.
func (pr *Presenter) drawReadout(screen *ebiten.Image, ui *Chrome, pl *placer, name string, st scene.Status, nll, status string, statusErr bool) rect {
	status = ui.hud.hudStatus(status, statusErr, time.Now())
	for _, v := range []hudVariant{hudFull, hudNarrow, hudLine} {
		lay := ui.hud.layoutTraining(v, st, nll, status, statusErr, ui.fonts, math.Max(pl.area.W*0.45, 200*ui.scale))
		if r, ok := pl.place(lay.w, lay.h, topLeft); ok {
			ui.hud.drawTraining(screen, r, lay, st, statusErr, ui.fonts)
			pr.record(name, r, true)
			return r
		}
	}
	pr.record(name, rect{}, false)
	return rect{}
}

// drawPlacedLegend draws the legend where pl finds room, narrower if it
// must; else it is left out.
func (pr *Presenter) drawPlacedLegend(screen *ebiten.Image, ui *Chrome, pl *placer, name string, maxSpeed float64, l Layers) {
	for _, barW := range []float64{200 * ui.scale, 110 * ui.scale} {
		w, h := ui.hud.legendSize(barW, l.Field, l.Particles, ui.fonts)
		if r, ok := pl.place(w, h, bottomRight); ok {
			ui.hud.drawLegend(screen, r, barW, maxSpeed, l.Field, l.Particles, ui.fonts)
			pr.record(name, r, true)
			return
		}
	}
	pr.record(name, rect{}, false)
}

// drawPlacedDensityKey draws the density layer's key (Y) where pl finds
// room, after the speed legend so that the two share the legend's corner
// (the key above or beside the speed legend), narrower if it must; else it
// is left out.
func (pr *Presenter) drawPlacedDensityKey(screen *ebiten.Image, ui *Chrome, pl *placer, name string, d *densityLayer) {
	if d.view.Mode == densityview.Off {
		return
	}
	// The usual widths, then whatever the strips beside the figure leave
	// (the key's texts wrap to any width of at least ~100 px a scale step).
	ws := []float64{360 * ui.scale, 260 * ui.scale, 200 * ui.scale}
	for _, w := range pl.freeWidths()[1:] {
		if w >= 100*ui.scale && w < ws[len(ws)-1] {
			ws = append(ws, w)
		}
	}
	for _, w := range ws {
		lay, _ := d.legendLayout(w, ui.fonts, ui.scale)
		if r, ok := pl.place(lay.w, lay.h, bottomRight); ok {
			d.drawLegend(screen, r, lay, ui.fonts, ui.scale)
			pr.record(name, r, true)
			return
		}
	}
	pr.record(name, rect{}, false)
}

// drawHints draws the canvas's hints (draw something; waiting for the
// first sample, when waiting) in free space.
func (pr *Presenter) drawHints(screen *ebiten.Image, ui *Chrome, pl *placer, st scene.Status, waiting bool) {
	hint, col := "", palette.Accent
	switch {
	case st.State == "waiting":
		hint = "draw something: press D, then hold the left button on the canvas"
	case waiting:
		hint, col = "waiting for the first sample…", palette.Dim
	}
	if hint == "" {
		return
	}
	face := ui.fonts.Large
	w, h := textWidth(hint, face)+8*ui.scale, face.Size*1.4
	r, ok := pl.place(w, h, topLeft)
	if pl.area.W > w {
		// Centred when that is free, as a hint on an empty canvas is.
		c := rect{pl.area.X + (pl.area.W-w)/2, pl.area.Y + pl.area.H*0.4 - h/2, w, h}
		if !pl.hits(c) {
			r, ok = c, true
			pl.avoid = append(pl.avoid, c)
		}
	}
	if ok {
		drawText(screen, hint, face, r.X+r.W/2, r.Y+r.H/2, Center, col)
	}
	pr.record("hint", r, ok)
}

// figureBox is where a pane's particles and data are on screen.
type figureBox struct {
	particles rect // the particles at the clock's t
	figure    rect // particles ∪ the source and target clouds
	ok        bool
}

// figureSample bounds the points each robust box is taken over: a strided
// subsample of 1,000 gives the percentiles to a pixel at a few µs.
const figureSample = 1000

// robustScreenBox is the box spanned by the 1st to 99th percentile of the
// finite points on each axis, on screen through cam: a handful of outliers
// of a Gaussian are not "where the particles are".
func robustScreenBox(cam *camera.Camera, sets ...[]flow.Vec) (rect, bool) {
	var xs, ys []float64
	for _, pts := range sets {
		stride := max(1, len(pts)/figureSample)
		for i := 0; i < len(pts); i += stride {
			if p := pts[i]; scene.Finite(p) {
				sx, sy := cam.ToScreen(p[0], p[1])
				xs, ys = append(xs, sx), append(ys, sy)
			}
		}
	}
	if len(xs) == 0 {
		return rect{}, false
	}
	slices.Sort(xs)
	slices.Sort(ys)
	x0, x1 := appstate.Percentile(xs, 0.01), appstate.Percentile(xs, 0.99)
	y0, y1 := appstate.Percentile(ys, 0.01), appstate.Percentile(ys, 0.99)
	return rect{x0, y0, x1 - x0, y1 - y0}, true
}

// measure finds each pane's figure on screen for this frame.
func (pr *Presenter) measure(panes []*Pane) {
	pr.figures = pr.figures[:0]
	for _, p := range panes {
		var fb figureBox
		if p.sc != nil {
			// What is on screen: the canvas clips what lies beyond it.
			cam := &p.canvas.Cam
			view := rect{cam.X, cam.Y, cam.W, cam.H}
			fb.particles, fb.ok = robustScreenBox(cam, p.pos)
			fb.figure, _ = robustScreenBox(cam, p.pos, p.sc.Source, p.sc.Target)
			fb.figure = fb.figure.union(fb.particles).clip(view)
			fb.particles = fb.particles.clip(view)
			fb.ok = fb.ok && fb.particles.W > 0 && fb.particles.H > 0
		}
		pr.figures = append(pr.figures, fb)
	}
}

// figureOf is pane i's figure box (ok false before its first scene).
func (pr *Presenter) figureOf(i int) figureBox {
	if i < len(pr.figures) {
		return pr.figures[i]
	}
	return figureBox{}
}

// beginFrame forgets the last frame's placements.
func (pr *Presenter) beginFrame() {
	if pr.placed == nil {
		pr.placed = map[string]rect{}
	}
	clear(pr.placed)
	pr.hidden = pr.hidden[:0]
}

// record notes where overlay name went, or that it is hidden.
func (pr *Presenter) record(name string, r rect, ok bool) {
	if ok {
		pr.placed[name] = r
	} else {
		pr.hidden = append(pr.hidden, name)
	}
}

// state is the overlays' part of the state file.
func (pr *Presenter) state(s *appstate.State) {
	s.Presentation = pr.On
	s.Ink = appstate.Ink{On: pr.Ink.On, Keep: pr.Ink.Keep, Strokes: pr.Ink.Strokes()}
	if fb := pr.figureOf(0); fb.ok {
		p, f := fb.particles, fb.figure
		s.ParticlesBox = &[4]float64{p.X, p.Y, p.W, p.H}
		s.FigureBox = &[4]float64{f.X, f.Y, f.W, f.H}
	}
	if len(pr.placed) > 0 {
		s.Overlays = map[string][4]float64{}
		for name, r := range pr.placed {
			s.Overlays[name] = [4]float64{r.X, r.Y, r.W, r.H}
		}
	}
	s.HiddenOverlays = append([]string(nil), pr.hidden...)
}

// placer finds free places for overlay boxes in an area: clear of the
// figure and of the boxes placed before.
type placer struct {
	area   rect
	avoid  []rect
	margin float64
}

// newPlacer starts placing in area around the figure (if any).
func newPlacer(area rect, fb figureBox, margin float64) *placer {
	p := &placer{area: area, margin: margin}
	if fb.ok {
		// A dot is drawn a few pixels around its centre.
		p.avoid = append(p.avoid, fb.figure.grow(margin/2))
	}
	return p
}

// corner is where a box would rather sit.
type corner int

const (
	topLeft corner = iota
	topRight
	bottomLeft
	bottomRight
)

// place returns a position for a w×h box inside the area and clear of
// everything avoided, the one nearest the preferred corner; ok is false
// when there is none. Candidates line the box up with the area's edges and
// with the edges of what it must avoid.
func (p *placer) place(w, h float64, pref corner) (rect, bool) {
	m, a := p.margin, p.area
	if w+2*m > a.W || h+2*m > a.H {
		return rect{}, false
	}
	xs := []float64{a.X + m, a.X + a.W - m - w}
	ys := []float64{a.Y + m, a.Y + a.H - m - h}
	for _, r := range p.avoid {
		xs = append(xs, r.X+r.W+m, r.X-m-w)
		ys = append(ys, r.Y+r.H+m, r.Y-m-h)
	}
	cx, cy := a.X, a.Y
	if pref == topRight || pref == bottomRight {
		cx = a.X + a.W
	}
	if pref == bottomLeft || pref == bottomRight {
		cy = a.Y + a.H
	}
	best, bestD := rect{}, math.Inf(1)
	for _, x := range xs {
		for _, y := range ys {
			r := rect{x, y, w, h}
			if !a.holds(r) || p.hits(r) {
				continue
			}
			// Distance from the preferred corner to the box's nearest corner.
			nx := math.Min(math.Abs(cx-x), math.Abs(cx-(x+w)))
			ny := math.Min(math.Abs(cy-y), math.Abs(cy-(y+h)))
			if d := math.Hypot(nx, ny); d < bestD {
				best, bestD = r, d
			}
		}
	}
	if math.IsInf(bestD, 1) {
		return rect{}, false
	}
	p.avoid = append(p.avoid, best)
	return best, true
}

// freeWidths are the widths a box may have to fit beside the figure: the
// whole area's, and the strips left and right of the figure.
func (p *placer) freeWidths() []float64 {
	m, a := p.margin, p.area
	ws := []float64{a.W - 2*m}
	if len(p.avoid) > 0 {
		f := p.avoid[0]
		ws = append(ws, f.X-a.X-2*m, a.X+a.W-(f.X+f.W)-2*m)
	}
	return ws
}

func (p *placer) hits(r rect) bool {
	for _, o := range p.avoid {
		if r.overlaps(o) {
			return true
		}
	}
	return false
}

// holds reports whether o lies inside r.
func (r rect) holds(o rect) bool {
	const eps = 1e-6
	return o.X >= r.X-eps && o.Y >= r.Y-eps && o.X+o.W <= r.X+r.W+eps && o.Y+o.H <= r.Y+r.H+eps
}

// union is the smallest rectangle holding both; an empty one adds nothing.
func (r rect) union(o rect) rect {
	if o.W <= 0 && o.H <= 0 {
		return r
	}
	if r.W <= 0 && r.H <= 0 {
		return o
	}
	x0, y0 := math.Min(r.X, o.X), math.Min(r.Y, o.Y)
	x1, y1 := math.Max(r.X+r.W, o.X+o.W), math.Max(r.Y+r.H, o.Y+o.H)
	return rect{x0, y0, x1 - x0, y1 - y0}
}

// clip is the part of r inside o (empty, at r's corner, when none).
func (r rect) clip(o rect) rect {
	x0, y0 := math.Max(r.X, o.X), math.Max(r.Y, o.Y)
	x1, y1 := math.Min(r.X+r.W, o.X+o.W), math.Min(r.Y+r.H, o.Y+o.H)
	if x1 <= x0 || y1 <= y0 {
		return rect{x0, y0, 0, 0}
	}
	return rect{x0, y0, x1 - x0, y1 - y0}
}

// grow widens r by d on every side.
func (r rect) grow(d float64) rect { return rect{r.X - d, r.Y - d, r.W + 2*d, r.H + 2*d} }
