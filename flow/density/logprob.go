package density

import (
	"context"
	"fmt"
	"math"

	"github.com/flowviz/flowviz/flow"
)

// LogDensity is a distribution with a closed-form log-density; the source
// of a flow must be one for its learned density to exist.
type LogDensity interface {
	// LogProb writes log p(x[i]) into dst[i]; len(dst) == len(x).
	LogProb(dst []float64, x []flow.Vec)
}

// Options set how LogProb integrates. The zero value is not useful: start
// from DefaultOptions.
type Options struct {
	// Steps is the number of solver steps over the whole of [0, 1]; from
	// time t the integration takes ⌈t·Steps⌉ of them (the timeline's own
	// steps when Steps is its NUM_STEPS). 1 ≤ Steps ≤ MaxSteps.
	Steps int
	// Solver integrates the augmented state (x, ℓ).
	Solver flow.Solver
}

// MaxSteps bounds Options.Steps.
const MaxSteps = 100_000

// DefaultOptions returns RK4 with 50 steps.
//
// RK4 because the log-density is the integral of the divergence along a
// path the same solver follows, and the networks here (SiLU) are smooth
// enough for its fourth order to pay. Measured on a moons model at t = 1
// against RK4 with 400 steps, the largest error over the grid's bulk is
//
//	Euler 50 steps 0.36 nats, midpoint 50: 3e−3, Heun 50: 6e−3, RK4 25: 4e−5, RK4 50: 3e−6
//
// so at equal cost (RK4 25 vs midpoint 50, 100 Jacobians each) RK4 is ~70×
// more accurate, and first-order Euler is visibly wrong.
func DefaultOptions() Options { return Options{Steps: 50, Solver: flow.RK4} }

// InteractiveOptions returns midpoint with 50 steps, for a layer recomputed
// while the user scrubs t or moves the camera: half the cost of
// DefaultOptions, and its error (≤ 3e−3 nats, see DefaultOptions) is far
// below what a heatmap's colours resolve.
func InteractiveOptions() Options { return Options{Steps: 50, Solver: flow.Midpoint} }

// Validate reports an out-of-range option.
func (o Options) Validate() error {
	if o.Steps < 1 || o.Steps > MaxSteps {
		return fmt.Errorf("density: %d steps out of range 1..%d", o.Steps, MaxSteps)
	}
	if o.Solver.EvalsPerStep() == 0 {
		return fmt.Errorf("density: unknown solver %v", o.Solver)
	}
	return nil
}

// StepsFrom is the number of steps LogProb takes from time t back to 0.
func (o Options) StepsFrom(t float64) int {
	// The small slack keeps t = k/Steps at exactly k steps despite rounding.
	return int(math.Ceil(t*float64(o.Steps) - 1e-9))
}

// LogProb writes the learned log-density log p_t(x[i]) of the flow of f
// started from p0 into dst[i], by the instantaneous change of variables
// (Chen et al. 2018, Neural ODEs; Grathwohl et al. 2019, FFJORD):
//
//	d/ds log p_s(x_s) = −div v(x_s, s)  along dx_s/ds = v(x_s, s), so
//	log p_t(x) = log p_0(x_0) − ∫_0^t div v(x_s, s) ds,  x_t = x.
//
// It integrates the augmented state (x_s, ℓ_s) from s = t, where x_t = x and
// ℓ_t = 0, back to s = 0 with dℓ/ds = div v(x_s, s); then
// ℓ_0 = −∫_0^t div v ds and log p_t(x) = log p_0(x_0) + ℓ_0.
//
// t must be in [0, 1]. It returns ctx's error, leaving dst partly written,
// if ctx is cancelled; it checks between steps.
func LogProb(ctx context.Context, f Field, p0 LogDensity, x []flow.Vec, t float64, opt Options, dst []float64) error {
	run, err := newLogProbRun(f, p0, x, t, opt, dst, logProbChunk)
	if err != nil {
		return err
	}
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		if run.Step() {
			return nil
		}
	}
}

// logProbChunk is how many points LogProb integrates together: enough for
// full-speed matrix products, few enough that a 1024×1024 grid needs tens
// of megabytes, not hundreds.
const logProbChunk = 1 << 14

// PieceRows is how many points one piece of a LogProbRun or a Job works on.
// A solver step of 256 points of a 3×64 network is 2–4 Jacobians of ~45
// kFLOP a point, 25–50 MFLOP: some 5–10 ms at the ~5 GFLOP/s the portable
// kernels reach in WebAssembly, a slice a page can afford between frames;
// and the matrix kernels are at full speed from that many rows on
// (BenchmarkGridPieces).
const PieceRows = 256

// LogProbRun is LogProb a piece at a time: each Step is one solver step of
// PieceRows points (the last chunk of a step may be smaller), so that a
// program on one thread (a page) can compute it in slices between its
// frames. Points are independent and each goes through the same steps, so
// the result is LogProb's, to rounding: the matrix kernels compute a row
// alike whatever the rows beside it (checked bit for bit in the tests).
type LogProbRun struct {
	f     Field
	p0    LogDensity
	x     []flow.Vec
	t     float64
	dst   []float64
	chunk int

	in    flow.Integrator
	aug   augmented
	state []flow.Vec
	steps int // solver steps from t back to 0
	start int // the chunk's first point
	n     int // its size; 0 before it is set up
	k     int // its next step
	done  bool
}

// NewLogProbRun starts LogProb(f, p0, x, t, opt, dst) in pieces; dst is
// written as chunks finish and is complete once Step reports true.
func NewLogProbRun(f Field, p0 LogDensity, x []flow.Vec, t float64, opt Options, dst []float64) (*LogProbRun, error) {
	return newLogProbRun(f, p0, x, t, opt, dst, PieceRows)
}

func newLogProbRun(f Field, p0 LogDensity, x []flow.Vec, t float64, opt Options, dst []float64, chunk int) (*LogProbRun, error) {
	if len(dst) != len(x) {
		panic(fmt.Sprintf("density: LogProb with %d outputs for %d points", len(dst), len(x)))
	}
	if err := opt.Validate(); err != nil {
		return nil, err
	}
	if !(t >= 0 && t <= 1) {
		return nil, fmt.Errorf("density: t = %v outside [0, 1]", t)
	}
	r := &LogProbRun{f: f, p0: p0, x: x, t: t, dst: dst, chunk: chunk, steps: opt.StepsFrom(t), done: len(x) == 0}
	r.in.Solver = opt.Solver
	r.aug.f = f
	return r, nil
}

// Step does one piece and reports whether the run is done.
func (r *LogProbRun) Step() bool {
	if r.done {
		return true
	}
	if r.n == 0 {
		// A new chunk: the augmented state as one slice of Vec, so that
		// flow.Integrator steps it: x_s in the first n entries, (ℓ_s, 0)
		// in the next n.
		n := min(r.chunk, len(r.x)-r.start)
		if cap(r.state) < 2*n {
			r.state = make([]flow.Vec, 2*n)
			r.aug.div = make([]float64, n)
		}
		r.n, r.k = n, 0
		r.state, r.aug.n, r.aug.div = r.state[:2*n], n, r.aug.div[:n]
		copy(r.state, r.x[r.start:r.start+n])
		clear(r.state[n:])
	}
	if r.k < r.steps {
		// s_k = t·(1 − k/steps), h = −t/steps
		s := r.t - r.t*float64(r.k)/float64(r.steps)
		r.in.Step(&r.aug, r.state, s, -r.t/float64(r.steps))
		r.k++
		if r.k < r.steps {
			return false
		}
	}
	// The chunk is back at s = 0: log p_t(x) = log p_0(x_0) + ℓ_0.
	out := r.dst[r.start : r.start+r.n]
	r.p0.LogProb(out, r.state[:r.n])
	for i := range out {
		out[i] += r.state[r.n+i][0]
	}
	r.start += r.n
	r.n = 0
	r.done = r.start >= len(r.x)
	return r.done
}

// augmented is the right-hand side of the augmented ODE on the stacked
// state [x; (ℓ, 0)]: d/ds [x; ℓ] = [v(x, s); div v(x, s)].
type augmented struct {
	f   Field
	n   int
	div []float64
}

// Velocity implements flow.Field on the stacked state.
func (a *augmented) Velocity(dst, state []flow.Vec, s float64) {
	a.f.VelocityDiv(dst[:a.n], a.div, state[:a.n], s)
	for i, d := range a.div {
		dst[a.n+i] = flow.Vec{d, 0}
	}
}
