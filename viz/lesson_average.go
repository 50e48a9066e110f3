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

// averageKind is lesson 5: the learned field over the exact marginal field,
// and where they differ.
type averageKind struct {
	key   avgKey
	exact []flow.Vec // the exact field on the arrow grid
	err   []float64  // |learned − exact| per grid point
	mean  float64
	// Weighted by the particles at t: the error where the flow goes,
	// absolute and relative to the exact speed there (NaN without any).
	near, nearRel float64
	show          int // avgBoth, avgNetwork or avgExact
}

var _ lessonKind = (*averageKind)(nil)

type avgKey struct {
	seq int
	t   float64
	exp *flow.Vec
}

// What lesson 5 draws: both fields, or one alone.
const (
	avgBoth = iota
	avgNetwork
	avgExact
)

// avgTargets is how many target draws the exact field on the grid averages.
const avgTargets = 600

func (k *averageKind) open(c *lessonContext, _ *lesson.Lesson, _ *scene.Settings) {
	c.tl.Pause()
	c.tl.Scrub(0.5)
}

func (k *averageKind) chips(c *lessonContext) {
	c.setChips([]string{"both", "network", "exact"}, func(i int) bool { return k.show == i }, func(i int) {
		k.show = i
		// The canvas draws the network's arrows; the lesson the exact ones.
		c.pane.canvas.Layers.Field = i != avgExact
	})
}

func (*averageKind) geometric() bool { return false }

// update measures the learned field against the exact one on the
// arrow grid at the clock's t.
func (k *averageKind) update(c *lessonContext, _ *input.Snapshot, _ flow.Vec, _ bool) {
	if c.pane.sc == nil || len(c.pane.sc.GridPts) == 0 {
		return
	}
	ex, _ := c.pane.exactField()
	if ex == nil {
		return
	}
	t := math.Round(c.tl.T*200) / 200
	key := avgKey{seq: c.pane.sc.Seq, t: t, exp: &ex.Targets[0]}
	if key == k.key {
		return
	}
	k.key = key
	grid := *ex
	grid.Targets = subsample(ex.Targets, avgTargets)
	n := len(c.pane.sc.GridPts)
	k.exact = slices.Grow(k.exact[:0], n)[:n]
	grid.Velocity(k.exact, c.pane.sc.GridPts, t)
	learned := c.pane.sc.FieldAt(nil, t)
	k.err = append(k.err[:0], make([]float64, n)...)
	sum, cnt := 0.0, 0
	for j := range n {
		d := math.Hypot(learned[j][0]-k.exact[j][0], learned[j][1]-k.exact[j][1])
		k.err[j] = d
		if !math.IsNaN(d) && !math.IsInf(d, 0) {
			sum += d
			cnt++
		}
	}
	k.mean = sum / float64(max(1, cnt))

	// The same where the flow actually goes: each cell weighted by the
	// particles in it at this t. Far from them no pair ever passes, the
	// loss never looks there, and the network's field is a guess.
	v, n := c.pane.sc.View, c.pane.sc.Grid
	dx, dy := (v[2]-v[0])/float64(n), (v[3]-v[1])/float64(n)
	wErr, wSpeed, wSum := 0.0, 0.0, 0.0
	for _, p := range c.pane.pos {
		c, r := int(math.Floor((p[0]-v[0])/dx)), int(math.Floor((p[1]-v[1])/dy))
		if c < 0 || r < 0 || c >= n || r >= n {
			continue
		}
		j := r*n + c
		if e := k.err[j]; !math.IsNaN(e) && !math.IsInf(e, 0) {
			wErr += e
			wSpeed += math.Hypot(k.exact[j][0], k.exact[j][1])
			wSum++
		}
	}
	k.near, k.nearRel = math.NaN(), math.NaN()
	if wSum > 0 {
		k.near = wErr / wSum
		k.nearRel = wErr / math.Max(wSpeed, 1e-12)
	}
}

// drawAverage draws the error heatmap and the exact field's arrows over the
// learned field the canvas drew.
func (k *averageKind) draw(c *lessonContext, dst *ebiten.Image) {
	sc := c.pane.sc
	cam := &c.pane.canvas.Cam
	s := c.scale
	ex, _ := c.pane.exactField()
	if sc == nil || ex == nil || len(k.exact) != len(sc.GridPts) {
		return
	}
	cellW := (sc.View[2] - sc.View[0]) / float64(sc.Grid) * cam.Zoom
	cellH := (sc.View[3] - sc.View[1]) / float64(sc.Grid) * cam.Zoom
	cell := math.Min(cellW, cellH)
	maxSpeed := math.Max(sc.MaxSpeed, 1e-9)
	b := c.toolBatch
	b.Begin(dst)
	for j, p := range sc.GridPts {
		e := k.err[j] / maxSpeed
		if !(e > 0.02) {
			continue
		}
		sx, sy := cam.ToScreen(p[0], p[1])
		b.Rect(float32(sx-cellW/2), float32(sy-cellH/2), float32(cellW), float32(cellH), palette.Error.WithAlpha(float32(math.Min(0.55, e))))
	}
	width := 1.6 * s
	if k.show == avgBoth {
		width = 1 * s // thin, so the network's arrows show beneath
	}
	for j, p := range sc.GridPts {
		if k.show == avgNetwork {
			break
		}
		v := k.exact[j]
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

func (k *averageKind) lines(c *lessonContext) []numLine {
	sc := c.pane.sc
	ex, why := c.pane.exactField()
	if sc == nil || ex == nil || len(k.exact) != len(sc.GridPts) {
		if why != "" {
			return []numLine{proseLine("exact field: " + why)}
		}
		return []numLine{proseLine("waiting for the first sample…")}
	}
	lines := []numLine{
		textLine(fmt.Sprintf("t = %s   at training step %s", lesson.FormatNum(c.tl.T), thousands(sc.Step))),
	}
	draws := thousands(min(len(ex.Targets), avgTargets)) // as many as update subsamples
	switch k.show {
	case avgBoth:
		lines = append(lines, proseLine("white: the exact average field over "+draws+" target draws; coloured: the network's"))
	case avgNetwork:
		lines = append(lines, proseLine("the network's field alone"))
	case avgExact:
		lines = append(lines, proseLine("the exact average field alone, over "+draws+" target draws"))
	}
	lines = append(lines, textLine("mean |v_network − v_exact|"))
	if !math.IsNaN(k.near) {
		lines = append(lines, textLine(fmt.Sprintf("  where the particles are: %s (%.0f %% of their speed)", lesson.FormatNum(k.near), 100*k.nearRel)))
	}
	return append(lines,
		textLine("  over the whole grid: "+lesson.FormatNum(k.mean)),
		proseLine("red cells: where the two differ; far from the particles no pair passes, so the network has nothing to learn there"))
}
