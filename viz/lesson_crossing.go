package viz

import (
	"fmt"
	"math"
	"slices"

	"github.com/hajimehoshi/ebiten/v2"

	"github.com/flowviz/flowviz/flow"
	"github.com/flowviz/flowviz/viz/input"
	"github.com/flowviz/flowviz/viz/lesson"
	"github.com/flowviz/flowviz/viz/palette"
	"github.com/flowviz/flowviz/viz/scene"
)

// crossingKind is lesson 3: many random pairs whose straight paths cross,
// and under the pointer the directions that meet there.
type crossingKind struct {
	pairs0, pairs1 []flow.Vec
	hover          flow.Vec
	hoverOn        bool
	conflicts      []int     // the paths under the pointer
	conflictT      []float64 // each one's time at the pointer
	mean           flow.Vec  // their mean direction
}

var _ lessonKind = (*crossingKind)(nil)

// Lesson 3: the reach of the pointer in pixels at scale 1, and the arrows'
// length, the move of a direction u over Δt = crossArrow.
const (
	crossRadius = 18
	crossArrow  = 0.3
)

func (k *crossingKind) open(c *lessonContext, l *lesson.Lesson, _ *scene.Settings) {
	src, tgt := loadOr(l.Settings.Source, "gaussian"), loadOr(l.Settings.Target, "8gaussians")
	k.pairs0, k.pairs1 = lesson.RandomPairs(l.Pairs, l.Seed, src, tgt)
	c.tl.Pause()
	c.tl.Scrub(0.5)
}

func (k *crossingKind) update(c *lessonContext, in *input.Snapshot, at flow.Vec, free bool) {
	k.hover, k.hoverOn = at, free && !c.lessonHit(in.X, in.Y)
	k.measure(c)
}

func (*crossingKind) chips(*lessonContext) {}

func (*crossingKind) geometric() bool { return true }

// measure finds the paths that pass under the pointer, at whatever
// time each one gets there.
func (k *crossingKind) measure(c *lessonContext) {
	k.conflicts, k.conflictT, k.mean = k.conflicts[:0], k.conflictT[:0], flow.Vec{}
	if k.hoverOn {
		radius := crossRadius * c.scale / c.pane.canvas.Cam.Zoom
		k.conflicts, k.conflictT, k.mean = lesson.CrossingPaths(k.pairs0, k.pairs1, k.hover, radius)
	}
}

// drawCrossing draws many straight conditional paths and, under the
// pointer, the directions that meet there.
func (k *crossingKind) draw(c *lessonContext, dst *ebiten.Image) {
	cam := &c.pane.canvas.Cam
	s := c.scale
	t := c.tl.T
	b := c.toolBatch
	b.Begin(dst)
	for i := range k.pairs0 {
		ax, ay := cam.ToScreen(k.pairs0[i][0], k.pairs0[i][1])
		bx, by := cam.ToScreen(k.pairs1[i][0], k.pairs1[i][1])
		b.Line(float32(ax), float32(ay), float32(bx), float32(by), float32(1.5*s), palette.Source.WithAlpha(0.7), palette.Target.WithAlpha(0.7))
	}
	for i := range k.pairs0 {
		xt, _ := lesson.Interpolate(k.pairs0[i], k.pairs1[i], t)
		px, py := cam.ToScreen(xt[0], xt[1])
		r := float32(6 * s)
		b.Rect(float32(px)-r/2, float32(py)-r/2, r, r, palette.Label)
	}
	if k.hoverOn {
		hx, hy := cam.ToScreen(k.hover[0], k.hover[1])
		b.Ring(float32(hx), float32(hy), float32(crossRadius*s), float32(2*s), ringSegments, palette.Label.WithAlpha(0.8))
		// Each crossing path lit, with its own direction u = x1 − x0 from
		// the pointer, drawn as the move over Δt = 0.15; their mean in
		// white, thicker.
		idx := k.conflicts
		for n, i := range idx {
			col := palette.OKLCH(0.78, 0.14, 2*math.Pi*float64(n)/float64(max(1, len(idx))))
			ax, ay := cam.ToScreen(k.pairs0[i][0], k.pairs0[i][1])
			bx, by := cam.ToScreen(k.pairs1[i][0], k.pairs1[i][1])
			b.Line(float32(ax), float32(ay), float32(bx), float32(by), float32(2.5*s), col, col)
			u := k.velocityOf(i)
			b.Arrow(float32(hx), float32(hy), float32(u[0]*crossArrow*cam.Zoom), float32(-u[1]*crossArrow*cam.Zoom), float32(3*s), float32(13*s), col)
		}
		if len(idx) > 0 {
			// The mean on top, white on a dark outline so it reads over
			// the coloured ones.
			mx, my := float32(k.mean[0]*crossArrow*cam.Zoom), float32(-k.mean[1]*crossArrow*cam.Zoom)
			b.Arrow(float32(hx), float32(hy), mx, my, float32(8*s), float32(24*s), palette.Background)
			b.Arrow(float32(hx), float32(hy), mx, my, float32(5*s), float32(18*s), palette.Label)
		}
	}
	b.Flush()
}

func (k *crossingKind) lines(c *lessonContext) []numLine {
	idx := k.conflicts
	lines := []numLine{
		textLine(fmt.Sprintf("%d random pairs (x0, x1), t = %s", len(k.pairs0), lesson.FormatNum(c.tl.T))),
		proseLine("each pair is a straight path with its own direction u = x1 − x0"),
	}
	switch {
	case !k.hoverOn:
		lines = append(lines, proseLine("point at a place where paths cross"))
	case len(idx) == 0:
		lines = append(lines, proseLine("no path passes under the pointer: move it where lines meet"))
	case len(idx) == 1:
		lines = append(lines, proseLine("one path passes here: its direction "+lesson.FormatVec(k.velocityOf(idx[0]))))
	default:
		lo, hi := slices.Min(k.conflictT), slices.Max(k.conflictT)
		lines = append(lines,
			proseLine(fmt.Sprintf("%d paths cross here (at t from %s to %s), pulling in %d directions (coloured)", len(idx), lesson.FormatNum(lo), lesson.FormatNum(hi), len(idx))),
			proseLine("their average "+lesson.FormatVec(k.mean)+" (white) is the one direction a field can take here"))
	}
	return lines
}

func (k *crossingKind) velocityOf(i int) flow.Vec {
	_, v := lesson.Interpolate(k.pairs0[i], k.pairs1[i], 0)
	return v
}
