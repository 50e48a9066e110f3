package viz

import (
	"context"
	"math/rand/v2"
	"time"

	"github.com/flowviz/flowviz/flow"
	"github.com/flowviz/flowviz/flow/mlp"
	"github.com/flowviz/flowviz/flow/train"
	"github.com/flowviz/flowviz/viz/lesson"
	"github.com/flowviz/flowviz/viz/pace"
	"github.com/flowviz/flowviz/viz/scene"
)

// Sizes of the diffusion lessons' tables: particles per row, measured off
// the render loop at most every tableInterval while training runs.
const measurePoints = 400

// modelTable is a lesson's table of numbers measured on the trained model
// off the render loop: one row per choice (a noise level, a guidance w),
// remeasured when the weights have moved on.
type modelTable struct {
	rows   [][]float64
	step   int // training step of rows; −1 before the first
	at     time.Time
	busy   bool
	done   chan measuredRows
	cancel context.CancelFunc
}

type measuredRows struct {
	step int
	rows [][]float64
	err  error
}

// measureFunc computes the rows for model m; it returns ctx.Err() when
// cancelled.
type measureFunc func(ctx context.Context, m *train.Model) ([][]float64, error)

func newModelTable() modelTable { return modelTable{step: -1} }

// update takes a finished measurement and starts one when the model has
// moved on and the last is older than tableInterval; prepare, called on the
// render loop only then, copies what the measurement needs.
func (mt *modelTable) update(c *lessonContext, prepare func() measureFunc) {
	select {
	case r := <-mt.done:
		// The interval counts from the end: in a page a paced
		// measurement takes several times its computing time.
		mt.busy, mt.at = false, time.Now()
		if r.err == nil {
			mt.rows, mt.step = r.rows, r.step
		}
	default:
	}
	if mt.busy || c.pane.dirty {
		return
	}
	_, m := c.pane.learned()
	if m == nil || m.Step == 0 || m.Step == mt.step || mt.step >= 0 && time.Since(mt.at) < tableInterval {
		return
	}
	measure := prepare()
	if measure == nil {
		return
	}
	ctx, cancel := context.WithCancel(pace.With(context.Background()))
	mt.cancel = cancel
	if mt.done == nil {
		mt.done = make(chan measuredRows, 1)
	}
	done := mt.done
	mt.busy, mt.at = true, time.Now()
	go func() {
		rows, err := measure(ctx, m)
		done <- measuredRows{step: m.Step, rows: rows, err: err}
	}()
}

// stop cancels a measurement in flight and forgets its result.
func (mt *modelTable) stop() {
	if mt.cancel != nil {
		mt.cancel()
		mt.cancel = nil
	}
	if mt.busy {
		mt.done, mt.busy = nil, false
	}
}

// generate samples n particles of model m for class y (mlp.NullClass for
// none) with guidance w and SDE noise g in steps Euler–Maruyama steps (g = 0
// is Euler on the ODE), from source draws x0 (copied). The noise is seeded,
// so a table is the same every time for the same weights.
func generate(ctx context.Context, m *train.Model, x0 []flow.Vec, y int, w, g float64, steps int, seed uint64) ([]flow.Vec, error) {
	x := make([]flow.Vec, len(x0))
	scale := m.StartScale()
	for i, p := range x0 {
		x[i] = flow.Vec{scale * p[0], scale * p[1]}
	}
	drift, err := m.SDEDrift(y, w, g)
	// One step at a time, from t_k = k/N to t_(k+1), so that in a page
	// the measurement rests between steps (pace.Pause) and the page draws.
	var step func(t0, t1 float64)
	if err != nil {
		if g != 0 {
			return nil, err
		}
		// No Gaussian path: Euler on the velocity.
		v := m.VelocityField(y, w)
		step = func(t0, t1 float64) { flow.Integrate(v, flow.Euler, x, t0, t1, 1, nil) }
	} else {
		rng := rand.New(rand.NewPCG(seed, 0x6c65736e))
		scratch := make([]flow.Vec, len(x))
		step = func(t0, t1 float64) { flow.EulerMaruyama(drift, drift.G, x, t0, t1, 1, rng, nil, scratch) }
	}
	for k := range steps {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		step(float64(k)/float64(steps), float64(k+1)/float64(steps))
		pace.Pause(ctx)
	}
	return x, ctx.Err()
}

// sourceDraws returns n seeded draws of the pane's source.
func sourceDraws(c *lessonContext, n int) []flow.Vec {
	x0 := make([]flow.Vec, n)
	loadOr(c.pane.applied.Source, "gaussian").Sample(rand.New(rand.NewPCG(7, 7)), x0)
	return x0
}

// nullClass is mlp.NullClass, the unconditional model's class.
const nullClass = mlp.NullClass

// openChoices starts a lesson whose chips choose among the values of a
// list in its params: it decodes them into p (checkChoices checked them on
// load), sets the clock playing, and returns a fresh table for the
// measurements.
func openChoices(c *lessonContext, l *lesson.Lesson, p any) modelTable {
	_ = l.DecodeParams(p)
	c.tl.Play()
	return newModelTable()
}

// checkChoices decodes l's params into p and checks the list *choices in
// it (its JSON name field): not empty, every value in lo..hi. It reports
// whether the params decoded.
func checkChoices(l lesson.Lesson, p any, choices *[]float64, field string, lo, hi float64, fail func(field, format string, args ...any)) bool {
	if err := l.DecodeParams(p); err != nil {
		fail("params", "%v", err)
		return false
	}
	if len(*choices) == 0 {
		fail("params."+field, "empty")
	}
	for _, v := range *choices {
		if !(v >= lo && v <= hi) {
			fail("params."+field, "%v outside %v..%v", v, lo, hi)
		}
	}
	return true
}

// checkSteps needs the lesson's step count in the sampler's range.
func checkSteps(l lesson.Lesson, fail func(field, format string, args ...any)) {
	if l.Steps < scene.MinSteps || l.Steps > scene.MaxSteps {
		fail("steps", "%d out of range %d..%d", l.Steps, scene.MinSteps, scene.MaxSteps)
	}
}
