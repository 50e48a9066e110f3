package viz

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/hajimehoshi/ebiten/v2"

	"github.com/flowviz/flowviz/flow"
	"github.com/flowviz/flowviz/viz/input"
	"github.com/flowviz/flowviz/viz/lesson"
	"github.com/flowviz/flowviz/viz/palette"
	"github.com/flowviz/flowviz/viz/scene"
)

// batchKind is lesson 4: the rows of one training batch, re-evaluated as
// the network trains, and their loss.
type batchKind struct {
	no   uint64 // which batch: the same draws are re-evaluated until "new batch"
	rows []lesson.Row
	loss float64
	step int       // training step the rows were evaluated at; -1 to redo now
	at   time.Time // when they were
}

var (
	_ lessonKind      = (*batchKind)(nil)
	_ lessonResampler = (*batchKind)(nil)
)

// batchInterval is how often the rows follow the training.
const batchInterval = 150 * time.Millisecond

func (k *batchKind) open(c *lessonContext, _ *lesson.Lesson, _ *scene.Settings) {
	k.step = -1
	c.tl.Play()
}

func (k *batchKind) chips(c *lessonContext) {
	c.setChips([]string{"new batch"}, func(int) bool { return false }, func(int) { k.resample() })
}

// resample draws a fresh batch for the table.
func (k *batchKind) resample() {
	k.no++
	k.step = -1
}

func (*batchKind) geometric() bool { return false }

// update re-evaluates the lesson's batch with the newest weights, so
// the predictions are seen to approach the targets as training runs.
func (k *batchKind) update(c *lessonContext, _ *input.Snapshot, _ flow.Vec, _ bool) {
	f, m := c.pane.learned()
	if f == nil || m.Step == k.step || time.Since(k.at) < batchInterval && k.step >= 0 {
		return
	}
	k.at = time.Now()
	l := c.lessons.current()
	src, tgt := loadOr(c.pane.applied.Source, "gaussian"), loadOr(c.pane.applied.Target, "moons")
	rng := rand.New(rand.NewPCG(l.Seed, k.no))
	k.rows, k.loss = lesson.BatchRows(l.Pairs, rng, src, tgt, f)
	k.step = m.Step
}

// drawBatch draws the lesson's batch on the plane.
func (k *batchKind) draw(c *lessonContext, dst *ebiten.Image) {
	cam := &c.pane.canvas.Cam
	s := c.scale
	b := c.toolBatch
	scaleV := 0.15 * cam.Zoom
	b.Begin(dst)
	for _, r := range k.rows {
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

func (k *batchKind) lines(*lessonContext) []numLine {
	if len(k.rows) == 0 {
		return []numLine{proseLine("waiting for the first trained weights…")}
	}
	// The heading is the legend: each vector column in its colour on the plane.
	head := tableHead("t", "xt", "u = x1 − x0", "v(xt, t)", "|v − u|²")
	head.colours = []palette.RGBA{{}, {}, palette.Label, palette.Accent}
	lines := []numLine{head}
	for _, r := range k.rows {
		// One decimal keeps the five columns beside the figure.
		lines = append(lines, tableRow(lesson.FormatNum(r.T), lesson.FormatVecPrec(r.Xt, 1), lesson.FormatVecPrec(r.U, 1), lesson.FormatVecPrec(r.V, 1), lesson.FormatNum(r.SqErr)))
	}
	return append(lines,
		textLine(fmt.Sprintf("loss = mean |v − u|² = %s at step %s", lesson.FormatNum(k.loss), thousands(k.step))))
}
