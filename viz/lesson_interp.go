package viz

import (
	"math"

	"github.com/hajimehoshi/ebiten/v2"

	"github.com/flowviz/flowviz/flow"
	"github.com/flowviz/flowviz/viz/camera"
	"github.com/flowviz/flowviz/viz/input"
	"github.com/flowviz/flowviz/viz/lesson"
	"github.com/flowviz/flowviz/viz/scene"
)

// interpKind is lesson 2: xt and its velocity x1 − x0 as the ends are
// dragged.
type interpKind struct {
	x0, x1 flow.Vec
	drag   int // the end being dragged: 0 none, 1 x0, 2 x1
}

var (
	_ lessonKind = (*interpKind)(nil)
	_ lessonEnds = (*interpKind)(nil)
)

func (k *interpKind) open(c *lessonContext, l *lesson.Lesson, _ *scene.Settings) {
	k.x0, k.x1 = l.X0, l.X1
	c.tl.Pause()
	c.tl.Scrub(0.5)
}

func (*interpKind) chips(*lessonContext) {}

func (k *interpKind) draw(c *lessonContext, dst *ebiten.Image) { drawPair(c, dst, k.x0, k.x1, false) }

func (k *interpKind) lines(c *lessonContext) []numLine { return pairLines(c, k.x0, k.x1, false) }

func (*interpKind) geometric() bool { return true }

func (k *interpKind) ends() (x0, x1 flow.Vec) { return k.x0, k.x1 }

// update lets the pointer drag x0 and x1.
func (k *interpKind) update(c *lessonContext, in *input.Snapshot, at flow.Vec, free bool) {
	ls := c.lessons
	mx, my := in.X, in.Y
	if !in.Pressed(input.Left) {
		k.drag = 0
		return
	}
	if k.drag == 0 && free && in.JustPressed(input.Left) {
		// Grab the nearer end if it is within reach of the pointer.
		reach := 40 * c.scale
		cam := &c.pane.canvas.Cam
		d0, d1 := screenDist(cam, k.x0, mx, my), screenDist(cam, k.x1, mx, my)
		switch {
		case d0 <= d1 && d0 < reach:
			k.drag = 1
		case d1 < reach:
			k.drag = 2
		}
	}
	// A dragged end stays in the figure, clear of the text column.
	if fig := ls.lay.figure; fig.W > 0 && !fig.contains(mx, my) {
		m := 8 * c.scale
		wx, wy := c.pane.canvas.Cam.ToWorld(math.Min(math.Max(mx, fig.X+m), fig.X+fig.W-m), math.Min(math.Max(my, fig.Y+m), fig.Y+fig.H-m))
		at = flow.Vec{wx, wy}
	}
	switch k.drag {
	case 1:
		k.x0 = at
	case 2:
		k.x1 = at
	}
}

// screenDist is the distance in pixels from world point p to the screen
// point (mx, my).
func screenDist(cam *camera.Camera, p flow.Vec, mx, my float64) float64 {
	sx, sy := cam.ToScreen(p[0], p[1])
	return math.Hypot(sx-mx, sy-my)
}
