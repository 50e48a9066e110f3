package viz

import (
	"fmt"

	"github.com/hajimehoshi/ebiten/v2"

	"github.com/flowviz/flowviz/flow"
	"github.com/flowviz/flowviz/viz/lesson"
	"github.com/flowviz/flowviz/viz/palette"
	"github.com/flowviz/flowviz/viz/scene"
)

// pairKind is lesson 1: one pair x0 → x1 walked in NUM_STEPS equal steps.
type pairKind struct {
	ownSteps
	x0, x1 flow.Vec
}

var (
	_ lessonKind = (*pairKind)(nil)
	_ lessonEnds = (*pairKind)(nil)
)

func (k *pairKind) open(c *lessonContext, l *lesson.Lesson, next *scene.Settings) {
	k.x0, k.x1, k.ownSteps = l.X0, l.X1, ownSteps(l.Steps)
	next.Steps = l.Steps
	c.tl.SetSteps(l.Steps)
	c.tl.Pause()
	c.tl.Start()
}

func (*pairKind) chips(*lessonContext) {}

func (k *pairKind) draw(c *lessonContext, dst *ebiten.Image) { drawPair(c, dst, k.x0, k.x1, true) }

func (k *pairKind) lines(c *lessonContext) []numLine { return pairLines(c, k.x0, k.x1, true) }

func (*pairKind) geometric() bool { return true }

func (k *pairKind) ends() (x0, x1 flow.Vec) { return k.x0, k.x1 }

// pairLines is the numbers of lessons 1 and 2 at the clock's t.
func pairLines(c *lessonContext, x0, x1 flow.Vec, steps bool) []numLine {
	k, exact := c.tl.Step()
	var lines []numLine
	for _, t := range pairText(x0, x1, c.tl.T, k, c.tl.N, exact, steps) {
		lines = append(lines, textLine(t))
	}
	return lines
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
func drawPair(c *lessonContext, dst *ebiten.Image, x0, x1 flow.Vec, steps bool) {
	cam := &c.pane.canvas.Cam
	s := c.scale
	f := c.lessonFaces()
	b := c.toolBatch
	n := c.tl.N
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
	xt, v := lesson.Interpolate(x0, x1, c.tl.T)
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
		k, exact := c.tl.Step()
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
