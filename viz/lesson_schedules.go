package viz

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/hajimehoshi/ebiten/v2"

	"github.com/flowviz/flowviz/flow"
	"github.com/flowviz/flowviz/viz/lesson"
	"github.com/flowviz/flowviz/viz/palette"
	"github.com/flowviz/flowviz/viz/scene"
)

// schedulesKind is lesson 10: the Gaussian path xt = α·x1 + σ·x0 under
// each scheduler. It draws fixed pairs' conditional paths under the chosen
// one, with xt and its velocity at the clock's t, and an α/σ plot beside;
// the column compares every scheduler's α and σ at t.
type schedulesKind struct {
	ownSteps
	chosen int // index into names
	names  []string
	scheds []flow.Scheduler
	x0, x1 []flow.Vec
	plot   schedulePlot
}

var _ lessonKind = (*schedulesKind)(nil)

func init() {
	registerLessonKind("schedules", func() lessonKind { return &schedulesKind{} }, checkSchedules)
}

// schedulesParams are the lesson's own fields: the schedulers its chips
// offer, as flow.ParseScheduler reads them.
type schedulesParams struct {
	Schedules []string `json:"schedules"`
}

// checkSchedules needs schedulers the flow package knows, and pairs to draw.
func checkSchedules(l lesson.Lesson, fail func(field, format string, args ...any)) {
	var p schedulesParams
	if err := l.DecodeParams(&p); err != nil {
		fail("params", "%v", err)
		return
	}
	if len(p.Schedules) == 0 {
		fail("params.schedules", "empty")
	}
	for _, s := range p.Schedules {
		if _, err := flow.ParseScheduler(s); err != nil {
			fail("params.schedules", "%v", err)
		}
	}
	if l.Pairs < 1 || l.Pairs > lesson.MaxPairs {
		fail("pairs", "%d out of range 1..%d", l.Pairs, lesson.MaxPairs)
	}
	checkSteps(l, fail)
}

// pathSegments is how many straight pieces draw one conditional path.
const pathSegments = 48

func (k *schedulesKind) open(c *lessonContext, l *lesson.Lesson, next *scene.Settings) {
	var p schedulesParams
	_ = l.DecodeParams(&p) // checked on load
	k.chosen, k.names, k.scheds = 0, p.Schedules, k.scheds[:0]
	for _, name := range p.Schedules {
		s, _ := flow.ParseScheduler(name) // validated on load
		k.scheds = append(k.scheds, s)
	}
	// Independent pairs, the same every time the lesson opens.
	rng := rand.New(rand.NewPCG(l.Seed, 0x736368))
	k.x0, k.x1 = make([]flow.Vec, l.Pairs), make([]flow.Vec, l.Pairs)
	loadOr(next.Source, "gaussian").Sample(rng, k.x0)
	loadOr(next.Target, "moons").Sample(rng, k.x1)
	k.ownSteps = ownSteps(l.Steps)
	c.tl.SetSteps(l.Steps)
	c.tl.Start()
	c.tl.Play()
}

func (k *schedulesKind) chips(c *lessonContext) {
	c.setChips(k.names, func(i int) bool { return i == k.chosen }, func(i int) { k.chosen = i })
}

// draw draws each pair's path xt for t ∈ [0, 1] under the chosen
// scheduler, xt at the clock's t with its velocity ut = α′·x1 + σ′·x0, and
// the α/σ plot in the figure's top right corner.
func (k *schedulesKind) draw(c *lessonContext, dst *ebiten.Image) {
	if len(k.scheds) == 0 {
		return
	}
	sched := k.scheds[k.chosen]
	cam := &c.pane.canvas.Cam
	s := c.scale
	b := c.toolBatch
	b.Begin(dst)
	t := c.tl.T
	co := sched.At(t)
	for i := range k.x0 {
		x0, x1 := k.x0[i], k.x1[i]
		col := palette.Start(x0[0], x0[1], 1)
		// The path itself, fading in towards the data.
		var px, py float64
		for j := 0; j <= pathSegments; j++ {
			cj := sched.At(float64(j) / pathSegments)
			sx, sy := cam.ToScreen(cj.Alpha*x1[0]+cj.Sigma*x0[0], cj.Alpha*x1[1]+cj.Sigma*x0[1])
			if j > 0 {
				b.Line(float32(px), float32(py), float32(sx), float32(sy), float32(1.6*s), col.WithAlpha(0.45), col.WithAlpha(0.45))
			}
			px, py = sx, sy
		}
		ax, ay := cam.ToScreen(x1[0], x1[1])
		b.Rect(float32(ax-3*s), float32(ay-3*s), float32(6*s), float32(6*s), palette.Target.WithAlpha(1))
		xt := flow.Vec{co.Alpha*x1[0] + co.Sigma*x0[0], co.Alpha*x1[1] + co.Sigma*x0[1]}
		ut := flow.Vec{co.DAlpha*x1[0] + co.DSigma*x0[0], co.DAlpha*x1[1] + co.DSigma*x0[1]}
		sx, sy := cam.ToScreen(xt[0], xt[1])
		// Arrows of a tenth of the velocity per unit t, capped so that
		// VE's fast start stays on screen.
		dx, dy := 0.1*ut[0]*cam.Zoom, -0.1*ut[1]*cam.Zoom
		if l := math.Hypot(dx, dy); l > 80*s {
			dx, dy = dx*80*s/l, dy*80*s/l
		}
		b.Arrow(float32(sx), float32(sy), float32(dx), float32(dy), float32(2*s), float32(9*s), palette.Accent)
		b.Rect(float32(sx-4*s), float32(sy-4*s), float32(8*s), float32(8*s), col)
	}
	b.Flush()
	fig := c.lessons.lay.figure
	w, h := math.Min(420*s, fig.W*0.5), 120*s
	k.plot.sched, k.plot.t = sched, t
	k.plot.draw(dst, rect{fig.X + fig.W - w - 10*s, fig.Y + 10*s, w, h}, s)
}

// lines shows the chosen scheduler's coefficients at t and a table of every
// scheduler's α and σ there.
func (k *schedulesKind) lines(c *lessonContext) []numLine {
	if len(k.scheds) == 0 {
		return nil
	}
	t := c.tl.T
	co := k.scheds[k.chosen].At(t)
	lines := []numLine{
		proseLine(fmt.Sprintf("t = %s:  α = %s,  σ = %s,  α′ = %s,  σ′ = %s", lesson.FormatNum(t),
			lesson.FormatNum(co.Alpha), lesson.FormatNum(co.Sigma), lesson.FormatNum(co.DAlpha), lesson.FormatNum(co.DSigma))),
		proseLine("dots: xt of each pair; arrows: ut = α′·x1 + σ′·x0"),
		tableHead("schedule", "α", "σ", "α² + σ²"),
	}
	for i, s := range k.scheds {
		ci := s.At(t)
		row := tableRow(k.names[i], lesson.FormatNum(ci.Alpha), lesson.FormatNum(ci.Sigma), lesson.FormatNum(ci.Alpha*ci.Alpha+ci.Sigma*ci.Sigma))
		row.hi = i == k.chosen
		lines = append(lines, row)
	}
	return lines
}

func (*schedulesKind) geometric() bool { return true }
