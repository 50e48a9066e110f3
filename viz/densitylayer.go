package viz

import (
	"fmt"
	"math"
	"time"

	"github.com/hajimehoshi/ebiten/v2"

	"github.com/flowviz/flowviz/flow"
	"github.com/flowviz/flowviz/flow/density"
	"github.com/flowviz/flowviz/flow/train"
	"github.com/flowviz/flowviz/viz/appstate"
	"github.com/flowviz/flowviz/viz/camera"
	"github.com/flowviz/flowviz/viz/densityview"
	"github.com/flowviz/flowviz/viz/live"
	"github.com/flowviz/flowviz/viz/palette"
	"github.com/flowviz/flowviz/viz/scene"
	"github.com/flowviz/flowviz/viz/timeline"
)

// densityLayer is a pane's density heatmap (the Y key) and its live NLL:
// densityview decides what to compute and show; this part uploads a new
// layer into an image once when it arrives and draws it under the
// particles, with its legend.
type densityLayer struct {
	view  densityview.View
	nll   densityview.Monitor
	heat  heatImage
	lastT float64 // the timeline's t at the previous tick
	batch Batch
	// nllTurn: in the stepwise mode, the monitor goes first this tick.
	nllTurn bool

	// The scene's target cloud thinned for the exact density and the NLL,
	// kept while the cloud is the same: the views key their caches on it.
	drawsOf              cloud
	exactDraws, nllDraws []flow.Vec
}

// draws returns the thinned target clouds of the scene sc.
func (d *densityLayer) draws(sc *scene.Scene) (exact, nll []flow.Vec) {
	if sc == nil {
		return nil, nil
	}
	if id := cloudID(sc.Target); id != d.drawsOf {
		d.drawsOf = id
		d.exactDraws = subsample(sc.Target, maxExactTargets)
		d.nllDraws = subsample(sc.Target, densityview.NLLSamples)
	}
	return d.exactDraws, d.nllDraws
}

// heatImage is a computed layer as an image, one pixel a cell, uploaded
// once when a new layer arrives.
type heatImage struct {
	version  uint64 // changes with every layer taken
	img      *ebiten.Image
	pix      []byte         // its premultiplied RGBA, reused
	uploaded *density.Layer // the layer img holds
	mode     densityview.Mode
	scale    densityview.Scale
}

// take uploads l shown as mode unless it is already there.
func (h *heatImage) take(l *density.Layer, mode densityview.Mode) {
	if l == nil || l.Err != nil || (l == h.uploaded && h.mode == mode) {
		return
	}
	g := l.Grid
	if h.img == nil || h.img.Bounds().Dx() != g.NX || h.img.Bounds().Dy() != g.NY {
		if h.img != nil {
			h.img.Deallocate()
		}
		h.img = ebiten.NewImage(g.NX, g.NY)
	}
	h.pix, h.scale = densityview.Paint(h.pix, mode, l.Values)
	h.img.WritePixels(h.pix)
	h.uploaded, h.mode = l, mode
	h.version++
}

// ready reports whether the image holds a layer shown as mode.
func (h *heatImage) ready(mode densityview.Mode) bool {
	return mode != densityview.Off && h.uploaded != nil && h.mode == mode && h.img != nil
}

// draw maps the layer's grid rectangle through cam onto dst, smoothed
// between cells.
func (h *heatImage) draw(dst *ebiten.Image, cam *camera.Camera) {
	g := h.uploaded.Grid
	cw, ch := g.CellSize()
	var op ebiten.DrawImageOptions
	op.GeoM.Scale(cw*cam.Zoom, ch*cam.Zoom)
	x, y := cam.ToScreen(g.View.MinX, g.View.MaxY)
	op.GeoM.Translate(x, y)
	op.Filter = ebiten.FilterLinear
	dst.DrawImage(h.img, &op)
}

// update runs one tick for pane p at the timeline's t: the mode from the
// pane's layers, the newest snapshot, and a new layer uploaded if one
// arrived.
// In the stepwise mode (stepwise) neither the view's worker nor the NLL's
// monitor gets a goroutine: the game loop computes them with advance.
func (d *densityLayer) update(p *Pane, tl *timeline.Timeline, stepwise bool) {
	// Paused, t moves only by hand: then a layer for the old t may go.
	moving := !tl.Playing && tl.T != d.lastT
	d.lastT = tl.T
	model := p.model()
	if !stepwise {
		d.nll.Start(live.LowerPriority)
	}
	in := densityview.NLLInput{Model: model, Source: p.applied.Source, Target: p.applied.Target}
	_, in.TargetDraws = d.draws(p.sc)
	d.nll.Set(in)

	d.view.Mode = p.canvas.Layers.Density
	// The canvas caches the heatmap with its grid: it is redrawn when a new
	// layer arrives or the mode changes, not every frame.
	defer func() { p.canvas.UnderlayVersion = d.heat.version<<3 | uint64(d.view.Mode) }()
	if d.view.Mode == densityview.Off {
		return
	}
	if stepwise {
		d.view.StartStepwise()
	} else {
		d.view.Start(live.LowerPriority)
	}
	d.view.Update(p.densityFrame(tl, model, moving))
	l, _ := d.view.Shown()
	d.heat.take(l, d.view.Mode)
}

// advance computes the layer's and the live NLL's work in the stepwise
// mode for about budget, the two taking turns at going first, and reports
// whether either has more to do.
func (d *densityLayer) advance(budget time.Duration) bool {
	start := time.Now()
	first, second := d.view.Advance, d.nll.Advance
	if d.nllTurn = !d.nllTurn; d.nllTurn {
		first, second = second, first
	}
	busy := first(budget)
	if rest := budget - time.Since(start); rest > 0 {
		busy = second(rest) || busy
	}
	return busy
}

// densityFrame is what a density view needs of pane p this tick.
func (p *Pane) densityFrame(tl *timeline.Timeline, model *train.Model, moving bool) densityview.Frame {
	x0, y0, x1, y1 := p.canvas.Cam.Visible()
	k, _ := tl.Step()
	f := densityview.Frame{
		Visible: density.Rect{MinX: x0, MinY: y0, MaxX: x1, MaxY: y1},
		Settled: p.viewMoved.IsZero(),
		Step:    k, Steps: tl.N, Moving: moving,
		Model:    model,
		Training: p.backend.Status().State == "running",
		Source:   p.applied.Source, Target: p.applied.Target,
		Path: p.applied.Path, Sigma: p.applied.Sigma, Coupling: p.applied.Coupling,
	}
	// The exact density of a target without a closed form: the draws the
	// exact field uses.
	f.TargetDraws, _ = p.dens.draws(p.sc)
	return f
}

// model returns the pane's newest snapshot, nil without one.
func (p *Pane) model() *train.Model {
	in, ok := p.backend.(scene.Inspector)
	if !ok {
		return nil
	}
	return in.Model()
}

// close stops the layer's goroutines.
func (d *densityLayer) close() {
	d.view.Close()
	d.nll.Close()
}

// shown reports whether a layer is on screen.
func (d *densityLayer) shown() bool { return d.heat.ready(d.view.Mode) }

// drawHeat draws the layer under the arrows and particles, mapped from its
// grid's world rectangle through the camera, smoothed between cells.
func (d *densityLayer) drawHeat(dst *ebiten.Image, cam *camera.Camera) {
	if d.shown() {
		d.heat.draw(dst, cam)
	}
}

// densLegend is the density key laid out for one width: its size and the
// texts wrapped to it.
type densLegend struct {
	w, h                             float64
	title, unit, caption, note, wait string
	lo, hi                           string // the bar's ends
	endsApart                        bool   // lo and hi on lines of their own
}

// legendLayout lays the layer's key out w wide: what it shows at which t,
// the colour bar with its ends in its unit, the caption and any note (no
// layer yet, what the exact density approximates), every text wrapped to
// the width. ok is false when the layer is off.
func (d *densityLayer) legendLayout(w float64, fonts Fonts, s float64) (lay densLegend, ok bool) {
	mode := d.view.Mode
	if mode == densityview.Off {
		return densLegend{}, false
	}
	l, note := d.view.Shown()
	pad, barH := 10*s, 12*s
	inner := w - 2*pad
	boldH := fonts.Bold.Size * 1.35
	smallH := fonts.Small.Size * 1.35
	title := mode.Title()
	if l != nil && l.Err == nil {
		title += fmt.Sprintf(" · t = %.2f", l.T)
	}
	if _, busy := d.view.Worker().Running(); busy {
		title += " · computing…"
	}
	lay.w = w
	lay.title = wrap(title, fonts.Bold, inner)
	lay.unit = wrap(densityview.Unit(mode), fonts.Small, inner)
	lay.caption = wrap(densityview.Caption(mode), fonts.Small, inner)
	ends := 1.0
	if d.shown() {
		lay.lo, lay.hi = d.heat.scale.Ends(mode)
		lay.endsApart = textWidth(lay.lo, fonts.Small)+textWidth(lay.hi, fonts.Small)+8*s > inner
		if lay.endsApart {
			ends = 2
		}
	} else {
		lay.wait = wrap("waiting for the first layer…", fonts.Small, inner)
		ends = math.Max(0, linesOf(lay.wait)-1)
	}
	if note != "" {
		lay.note = wrap(note, fonts.Small, inner)
	}
	lay.h = pad + boldH*linesOf(lay.title) + barH + 4*s +
		smallH*(ends+linesOf(lay.unit)+linesOf(lay.caption)) + pad
	if lay.note != "" {
		lay.h += smallH * linesOf(lay.note)
	}
	return lay, true
}

// drawLegend draws the key laid out as lay in r (of lay's size), where
// the presenter placed it.
func (d *densityLayer) drawLegend(dst *ebiten.Image, r rect, lay densLegend, fonts Fonts, s float64) {
	pad, barH := 10*s, 12*s
	boldH := fonts.Bold.Size * 1.35
	smallH := fonts.Small.Size * 1.35
	b := &d.batch
	b.Begin(dst)
	b.Rect(float32(r.X), float32(r.Y), float32(r.W), float32(r.H), palette.PanelBG.WithAlpha(0.88))
	bx, by, bw := r.X+pad, r.Y+pad+boldH*linesOf(lay.title), r.W-2*pad
	shown := lay.wait == ""
	if shown {
		const n = 48
		for i := range n {
			u0, u1 := float64(i)/n, float64(i+1)/n
			// The bar in the heatmap's own colours, alpha included, over
			// the box's dark ground as the heatmap is over the canvas.
			c0 := d.heat.scale.Colour(d.heat.scale.Lo + u0*(d.heat.scale.Hi-d.heat.scale.Lo))
			c1 := d.heat.scale.Colour(d.heat.scale.Lo + u1*(d.heat.scale.Hi-d.heat.scale.Lo))
			x0, x1 := float32(bx+bw*u0), float32(bx+bw*u1)
			b.Quad(x0, float32(by), x1, float32(by), x1, float32(by+barH), x0, float32(by+barH), c0, c1, c1, c0)
		}
	}
	b.Flush()
	drawText(dst, lay.title, fonts.Bold, bx, r.Y+pad, TopLeft, palette.Label)
	ty := by + barH + 4*s
	switch {
	case !shown:
		drawText(dst, lay.wait, fonts.Small, bx, by, TopLeft, palette.Dim)
		ty += smallH * math.Max(0, linesOf(lay.wait)-1)
	case lay.endsApart:
		drawText(dst, lay.lo, fonts.Small, bx, ty, TopLeft, palette.Dim)
		drawText(dst, lay.hi, fonts.Small, bx+bw, ty+smallH, TopRight, palette.Dim)
		ty += 2 * smallH
	default:
		drawText(dst, lay.lo, fonts.Small, bx, ty, TopLeft, palette.Dim)
		drawText(dst, lay.hi, fonts.Small, bx+bw, ty, TopRight, palette.Dim)
		ty += smallH
	}
	drawText(dst, lay.unit, fonts.Small, bx, ty, TopLeft, palette.Label)
	ty += smallH * linesOf(lay.unit)
	drawText(dst, lay.caption, fonts.Small, bx, ty, TopLeft, palette.Accent)
	ty += smallH * linesOf(lay.caption)
	if lay.note != "" {
		drawText(dst, lay.note, fonts.Small, bx, ty, TopLeft, palette.Dim)
	}
}

// nllLine is the HUD's and the panel's NLL line, "" without one.
func (d *densityLayer) nllLine() string {
	n, ok := d.nll.Latest()
	if !ok {
		return ""
	}
	return n.String()
}

// state is the density part of the state file.
func (d *densityLayer) state() *appstate.Density {
	n, haveNLL := d.nll.Latest()
	if d.view.Mode == densityview.Off && !haveNLL {
		return nil
	}
	s := &appstate.Density{Mode: d.view.Mode.String()}
	if w := d.view.Worker(); w != nil {
		_, s.Computing = w.Running()
	}
	l, note := d.view.Shown()
	s.Note = note
	if d.shown() && l != nil {
		s.Shown, s.T, s.Grid, s.Model = true, l.T, [2]int{l.Grid.NX, l.Grid.NY}, l.Model
		s.ElapsedMs = float64(l.Elapsed.Microseconds()) / 1000
		s.Lo, s.Hi = d.heat.scale.Lo, d.heat.scale.Hi
	}
	if haveNLL {
		if n.Err != nil {
			s.NLLReport = n.Err.Error()
		} else {
			s.NLL, s.NLLSE, s.NLLN, s.NLLStep = n.Value, n.SE, n.N, n.Step
			if n.HaveEntropy {
				s.Entropy = n.Entropy
			}
		}
	}
	return s
}
