package viz

import (
	"fmt"
	"math"

	"github.com/hajimehoshi/ebiten/v2"

	"github.com/flowviz/flowviz/flow"
	"github.com/flowviz/flowviz/flow/density"
	"github.com/flowviz/flowviz/viz/densityview"
	"github.com/flowviz/flowviz/viz/input"
	"github.com/flowviz/flowviz/viz/lesson"
	"github.com/flowviz/flowviz/viz/live"
	"github.com/flowviz/flowviz/viz/palette"
	"github.com/flowviz/flowviz/viz/scene"
)

// massKind is lesson 9, where the mass goes: the particles over a density
// layer on the canvas, and in an inset the other half of the continuity
// equation at the same t — the divergence beside the density, or the
// density beside the divergence.
type massKind struct {
	main  densityview.Mode // the canvas's layer, chosen by the chips
	set   bool             // main has been applied to the canvas
	inset densityview.View // the inset's layer, on a worker of its own
	heat  heatImage
	lastT float64
	dots  Batch
}

var (
	_ lessonKind   = (*massKind)(nil)
	_ lessonCloser = (*massKind)(nil)
)

func init() { registerLessonKind("mass", func() lessonKind { return &massKind{} }, nil) }

// massChoices are the chips: the canvas's layer.
var massChoices = []densityview.Mode{densityview.Learned, densityview.Divergence, densityview.Exact}

func (k *massKind) open(c *lessonContext, _ *lesson.Lesson, _ *scene.Settings) {
	k.main = densityview.Learned
	c.tl.Pause()
	c.tl.Scrub(0.5)
}

func (k *massKind) close() { k.inset.Close() }

func (*massKind) geometric() bool { return false }

func (k *massKind) chips(c *lessonContext) {
	labels := []string{"density p_t", "divergence", "exact p_t"}
	c.setChips(labels, func(i int) bool { return k.main == massChoices[i] }, func(i int) {
		k.main = massChoices[i]
		c.pane.canvas.Layers.Density = k.main
	})
}

// insetMode is what the inset shows beside the canvas's layer.
func (k *massKind) insetMode() densityview.Mode {
	if k.main == densityview.Divergence {
		return densityview.Learned
	}
	return densityview.Divergence
}

// update applies the chosen layer once the lesson's layers are set (the Y
// key may change it afterwards) and keeps the inset's layer at the clock's t.
func (k *massKind) update(c *lessonContext, _ *input.Snapshot, _ flow.Vec, _ bool) {
	p := c.pane
	if !k.set {
		k.set = true
		p.canvas.Layers.Density = k.main
	}
	if m := p.canvas.Layers.Density; m != densityview.Off {
		k.main = m
	}
	k.inset.Mode = k.insetMode()
	k.inset.Start(live.LowerPriority)
	moving := !c.tl.Playing && c.tl.T != k.lastT
	k.lastT = c.tl.T
	k.inset.Update(p.densityFrame(c.tl, p.model(), moving))
	l, _ := k.inset.Shown()
	k.heat.take(l, k.inset.Mode)
}

// insetRect is the inset's place: the figure's top-left corner (the
// legends take the bottom), a third of its width, with the figure's aspect.
func (k *massKind) insetRect(c *lessonContext) rect {
	f := c.lessons.lay.figure
	s := c.scale
	w := math.Round(f.W / 3)
	h := math.Round(w * f.H / math.Max(f.W, 1))
	return rect{f.X + 10*s, f.Y + 10*s, w, h}
}

// draw draws the inset: the other layer through a camera that shows what
// the canvas shows, shrunk, with the particles at t over it.
func (k *massKind) draw(c *lessonContext, dst *ebiten.Image) {
	r := k.insetRect(c)
	s := c.scale
	if r.W < 80*s || r.H < 60*s {
		return
	}
	cam := c.pane.canvas.Cam
	f := c.lessons.lay.figure
	cam.Zoom *= r.W / math.Max(f.W, 1)
	cam.SetViewport(r.X, r.Y, r.W, r.H)
	// The figure's centre is the canvas camera's view of it.
	cx, cy := c.pane.canvas.Cam.ToWorld(f.X+f.W/2, f.Y+f.H/2)
	cam.CenterX, cam.CenterY = cx, cy

	b := &k.dots
	b.Begin(dst)
	b.Rect(float32(r.X), float32(r.Y), float32(r.W), float32(r.H), palette.Background)
	b.Flush()
	sub := dst.SubImage(imageRect(int(r.X), int(r.Y), int(r.X+r.W), int(r.Y+r.H))).(*ebiten.Image)
	if k.heat.ready(k.inset.Mode) {
		k.heat.draw(sub, &cam)
	}
	b.Begin(sub)
	size := float32(math.Max(1.5, 1.5*s))
	pos := c.pane.pos
	stride := max(1, len(pos)/3000)
	for i := 0; i < len(pos); i += stride {
		p := pos[i]
		if !scene.Finite(p) {
			continue
		}
		x, y := cam.ToScreen(p[0], p[1])
		if r.contains(x, y) {
			b.Rect(float32(x)-size/2, float32(y)-size/2, size, size, palette.Label.WithAlpha(0.8))
		}
	}
	b.Flush()
	b.Begin(dst)
	b.Frame(float32(r.X), float32(r.Y), float32(r.W), float32(r.H), float32(math.Max(1, s)), palette.GridMajor)
	b.Flush()
	label := "div v: red spreads, blue converges"
	if k.inset.Mode != densityview.Divergence {
		label = "learned log p_t"
	}
	drawText(dst, label, c.ui.fonts.Small, r.X+6*s, r.Y+4*s, TopLeft, palette.Label)
	if _, note := k.inset.Shown(); note != "" && !k.heat.ready(k.inset.Mode) {
		drawText(dst, wrap(note, c.ui.fonts.Small, r.W-12*s), c.ui.fonts.Small, r.X+6*s, r.Y+r.H/2, TopLeft, palette.Dim)
	}
}

// lines are the column's live numbers: t, the mass in view, how fast log p
// rises along the particles, and the NLL.
func (k *massKind) lines(c *lessonContext) []numLine {
	p := c.pane
	if p.sc == nil {
		return []numLine{proseLine("waiting for the first sample…")}
	}
	lines := []numLine{textLine(fmt.Sprintf("t = %s   at training step %s", lesson.FormatNum(c.tl.T), thousands(p.sc.Step)))}
	var dens, div *density.Layer
	if p.dens.shown() {
		dens = p.dens.heat.uploaded
	}
	if k.heat.ready(k.inset.Mode) {
		div = k.heat.uploaded
	}
	if k.main == densityview.Divergence {
		dens, div = div, dens
	}
	if dens != nil && dens.Kind != density.KindDivergence {
		lines = append(lines, textLine(fmt.Sprintf("mass in view: ∫ p_t dx = %.3f", dens.Grid.Mass(dens.Values))))
	}
	if div != nil && div.Kind == density.KindDivergence {
		if rate, ok := alongParticles(div, p.pos); ok {
			lines = append(lines, textLine(fmt.Sprintf("along the particles: d/dt log p = −div v = %+.2f", rate)))
		}
	}
	if nll := p.dens.nllLine(); nll != "" {
		lines = append(lines, textLine(nll))
	}
	return append(lines, proseLine("blue: the arrows converge, particles crowd and p_t rises; red: they spread and p_t falls. Step t with ← → to watch the mass move."))
}

// alongParticles is the mean of −div v over the particles in the layer's
// grid, each read from the cell it is in: how fast log p_t rises, on
// average, following the particles (d/dt log p(x_t) = −div v(x_t, t)).
func alongParticles(div *density.Layer, pos []flow.Vec) (float64, bool) {
	g := div.Grid
	cw, ch := g.CellSize()
	sum, n := 0.0, 0
	for _, p := range pos {
		i := int(math.Floor((p[0] - g.View.MinX) / cw))
		j := int(math.Floor((g.View.MaxY - p[1]) / ch))
		if i < 0 || j < 0 || i >= g.NX || j >= g.NY {
			continue
		}
		if v := div.Values[j*g.NX+i]; !math.IsNaN(v) && !math.IsInf(v, 0) {
			sum -= v
			n++
		}
	}
	return sum / float64(max(n, 1)), n > 0
}
