// Package compare measures flow-matching models on the same draws and says, metric by metric, which of two is better.
package compare

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/flowviz/flowviz/flow"
	"github.com/flowviz/flowviz/flow/data"
	"github.com/flowviz/flowviz/flow/train"
)

// Metrics are the numbers of the comparison strip, for one model.
type Metrics struct {
	Step int     // training steps taken
	Loss float64 // the trainer's smoothed batch loss; NaN before the first step

	// W2 is the exact 2-Wasserstein distance between Options.N samples of
	// the model (the source draws carried to t = 1 by Options.Solver in
	// Options.Steps steps) and as many target draws.
	W2 float64
	// W2OneStep is W2 after a single Euler step x1 = x0 + v(x0, 0): how
	// well the model samples with one network evaluation. Straight flows
	// score near W2.
	W2OneStep float64
	// Straightness is flow.Straightness of the sampled trajectories: 0 for
	// straight paths travelled at constant speed.
	Straightness float64
	// NPE is the normalized path energy flow.NormalizedPathEnergy of the
	// trajectories against W2²(source draws, target draws): 0 when the
	// flow transports along the optimal plan.
	NPE float64
	// NFE is the number of network evaluations per sample of that solve:
	// Options.Steps times the solver's evaluations per step.
	NFE int

	StepsPerSec float64 // training speed
}

// Options say how Measure samples. The zero value measures 1,000 samples
// with 100 Euler steps from seed 0.
type Options struct {
	N      int         // samples, 0 for DefaultN; at most flow.MaxW2Points
	Solver flow.Solver // the ODE solver of the measured solve; zero is Euler
	Steps  int         // solver steps from t = 0 to 1, 0 for DefaultSteps; at most MaxSteps
	// Seed seeds the source and target draws: two models measured with the
	// same seed, source and target start from the same particles x0 and
	// are compared with the same target points.
	Seed uint64
}

// Defaults and limits of Options.
const (
	DefaultN     = 1000
	DefaultSteps = 100
	MaxSteps     = 1000
)

// Random streams of the draws, one per kind so that changing N does not
// change which stream another draw comes from.
const (
	streamSource = 0x736f75726365 // "source"
	streamTarget = 0x746172676574 // "target"
)

func (o Options) withDefaults() (Options, error) {
	if o.N == 0 {
		o.N = DefaultN
	}
	if o.Steps == 0 {
		o.Steps = DefaultSteps
	}
	switch {
	case o.N < 2 || o.N > flow.MaxW2Points:
		return o, fmt.Errorf("compare: %d samples: must be in 2..%d", o.N, flow.MaxW2Points)
	case o.Steps < 1 || o.Steps > MaxSteps:
		return o, fmt.Errorf("compare: %d solver steps: must be in 1..%d", o.Steps, MaxSteps)
	case o.Solver.EvalsPerStep() == 0:
		return o, fmt.Errorf("compare: unknown solver %v", o.Solver)
	}
	return o, nil
}

// Measure scores the model of a published snapshot: its step, loss and
// steps/s as the snapshot reports them, and the sample metrics of
// MeasureField for its network, its source and target (target itself when
// not nil, for example a held-out copy). It only reads the snapshot, so the
// app may call it on any goroutine while training goes on. At the defaults
// it costs about 0.4 s of CPU, nine tenths of it in the three exact
// 1,000-point assignments of W2 (BenchmarkMeasure); once ctx ends it
// returns ctx.Err() after at most the assignment in progress.
func Measure(ctx context.Context, snap *train.Snapshot, target data.Dist, opt Options) (Metrics, error) {
	if snap == nil || snap.Net == nil {
		return Metrics{}, errors.New("compare: no model to measure")
	}
	if target == nil {
		target = snap.Target
	}
	m, err := MeasureField(ctx, train.NewNetField(snap.Net), snap.Source, target, opt)
	m.Step, m.Loss, m.StepsPerSec = snap.Step, snap.Loss, snap.StepsPerSec
	return m, err
}

// MeasureField fills the sample metrics of Metrics (W2, W2OneStep,
// Straightness, NPE, NFE) for the velocity field f carrying source onto
// target; Step, Loss and StepsPerSec are left zero. f is used from this
// goroutine only.
func MeasureField(ctx context.Context, f flow.Field, source, target data.Dist, opt Options) (Metrics, error) {
	opt, err := opt.withDefaults()
	if err != nil {
		return Metrics{}, err
	}
	if source == nil || target == nil || train.IsEmpty(source) || train.IsEmpty(target) {
		return Metrics{}, errors.New("compare: the source or the target has no points to draw")
	}
	n := opt.N
	x0 := data.Sample(source, rand.New(rand.NewPCG(opt.Seed, streamSource)), n)
	y := data.Sample(target, rand.New(rand.NewPCG(opt.Seed, streamTarget)), n)
	f = cancellable{ctx: ctx, f: f}
	m := Metrics{NFE: opt.Steps * opt.Solver.EvalsPerStep()}

	// The full solve, every state kept for the path metrics.
	backing := make([]flow.Vec, (opt.Steps+1)*n)
	traj := make([][]flow.Vec, opt.Steps+1)
	for k := range traj {
		traj[k] = backing[k*n : (k+1)*n : (k+1)*n]
	}
	flow.Integrate(f, opt.Solver, slices.Clone(x0), 0, 1, opt.Steps, traj)
	if err := ctx.Err(); err != nil {
		return Metrics{}, err
	}
	m.Straightness = flow.Straightness(traj)
	if m.W2, err = flow.W2(traj[opt.Steps], y); err != nil {
		return Metrics{}, err
	}
	if err := ctx.Err(); err != nil {
		return Metrics{}, err
	}
	w2src, err := flow.W2(x0, y)
	if err != nil {
		return Metrics{}, err
	}
	m.NPE = flow.NormalizedPathEnergy(flow.PathEnergy(traj), w2src*w2src)
	if err := ctx.Err(); err != nil {
		return Metrics{}, err
	}

	// One Euler step: x1 = x0 + 1·v(x0, 0).
	one := slices.Clone(x0)
	flow.Integrate(f, flow.Euler, one, 0, 1, 1, nil)
	if err := ctx.Err(); err != nil {
		return Metrics{}, err
	}
	if m.W2OneStep, err = flow.W2(one, y); err != nil {
		return Metrics{}, err
	}
	return m, nil
}

// cancellable is a field that stops evaluating once ctx ends: the solve then
// finishes at once on zero velocities and MeasureField returns ctx.Err().
type cancellable struct {
	ctx context.Context
	f   flow.Field
}

func (c cancellable) Velocity(dst, x []flow.Vec, t float64) {
	if c.ctx.Err() != nil {
		clear(dst)
		return
	}
	c.f.Velocity(dst, x, t)
}

var _ flow.Field = cancellable{}

// finite reports whether x is neither NaN nor infinite.
func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }
