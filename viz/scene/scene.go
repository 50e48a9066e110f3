// Package scene is the contract between the visualizer and what computes the
// flow: the immutable Scene it draws, the Settings the user edits, the training
// Status, and the Backend that runs training and sampling on its own goroutines.
package scene

import (
	"context"
	"math"
	"sync"
	"time"

	"github.com/flowviz/flowviz/flow"
	"github.com/flowviz/flowviz/flow/data"
	"github.com/flowviz/flowviz/flow/train"
	"github.com/flowviz/flowviz/viz/timeline"
)

// Scene is one sampled view of the model: trajectories over the solver grid
// and the field on an arrow grid at each solver time. Immutable once published,
// so the render loop and the state writer may read it from any goroutine.
type Scene struct {
	Seq      int          // increases with every published scene
	Step     int          // training step of the weights it came from
	Times    []float64    // t_k = k/N, k = 0..N
	Traj     [][]flow.Vec // Traj[k][i]: particle i at t_k; Traj[0] are the source draws
	Grid     int          // arrows per side
	View     [4]float64   // world rectangle minX, minY, maxX, maxY of the arrow grid
	GridPts  []flow.Vec   // row-major Grid×Grid arrow positions
	Field    [][]flow.Vec // Field[k][j] = v(GridPts[j], t_k)
	MaxSpeed float64      // largest finite |v| over Field, for the colour scale
	Source   []flow.Vec   // display clouds
	Target   []flow.Vec
	// Labels is each particle's class for a class-conditional model, nil
	// otherwise; TargetLabels the class of each Target point when the
	// target has classes.
	Labels       []int
	TargetLabels []int
	// Sampling is how the particles were sampled.
	Sampling Sampling
}

// Sampling is the part of the settings a scene was sampled with that the
// picture depends on beyond the model: the SDE's noise, the classes and the
// guidance (Settings' fields of the same names), and what the arrows show.
type Sampling struct {
	Noise    float64
	OneClass bool
	Class    int
	Guidance float64
	Score    bool // the arrows are the score, not the velocity
}

// Steps returns N, the number of solver steps (0 for an empty scene).
func (s *Scene) Steps() int { return max(0, len(s.Traj)-1) }

// Particles returns the number of particles.
func (s *Scene) Particles() int {
	if len(s.Traj) == 0 {
		return 0
	}
	return len(s.Traj[0])
}

// PositionsAt writes the particles' positions at time t into dst (grown as
// needed) and returns it. Between solver states it interpolates linearly,
// x(t) = (1−f)·Traj[k] + f·Traj[k+1]; on a state it returns that state exactly.
func (s *Scene) PositionsAt(dst []flow.Vec, t float64) []flow.Vec {
	n := s.Particles()
	dst = grow(dst, n)
	if n == 0 {
		return dst
	}
	k, f := timeline.Segment(t, s.Steps())
	lerpInto(dst, s.Traj, k, f)
	return dst
}

// FieldAt writes the arrow velocities at time t into dst, interpolating the
// field slices in t as PositionsAt does.
func (s *Scene) FieldAt(dst []flow.Vec, t float64) []flow.Vec {
	dst = grow(dst, len(s.GridPts))
	if len(s.Field) == 0 || len(s.GridPts) == 0 {
		clear(dst)
		return dst
	}
	k, f := timeline.Segment(t, len(s.Field)-1)
	lerpInto(dst, s.Field, k, f)
	return dst
}

func lerpInto(dst []flow.Vec, slices [][]flow.Vec, k int, f float64) {
	a := slices[min(k, len(slices)-1)]
	if f == 0 || k+1 >= len(slices) {
		copy(dst, a)
		return
	}
	b := slices[k+1]
	if f == 1 {
		copy(dst, b)
		return
	}
	for i := range dst {
		if i >= len(a) || i >= len(b) {
			dst[i] = flow.Vec{math.NaN(), math.NaN()}
			continue
		}
		dst[i] = flow.Vec{a[i][0] + f*(b[i][0]-a[i][0]), a[i][1] + f*(b[i][1]-a[i][1])}
	}
}

// Blend writes (1−a)·from + a·to into dst for a ∈ [0, 1]. It is how particles
// glide to a new scene's positions instead of jumping. Where one side is not
// finite, the other is used.
func Blend(dst, from, to []flow.Vec, a float64) {
	a = math.Min(1, math.Max(0, a))
	for i := range dst {
		if i >= len(to) {
			break
		}
		if i >= len(from) || !Finite(from[i]) {
			dst[i] = to[i]
			continue
		}
		if !Finite(to[i]) {
			dst[i] = from[i]
			continue
		}
		dst[i] = flow.Vec{from[i][0] + a*(to[i][0]-from[i][0]), from[i][1] + a*(to[i][1]-from[i][1])}
	}
}

// SmoothStep eases a ∈ [0, 1] as 3a² − 2a³ so a blend starts and ends gently.
func SmoothStep(a float64) float64 {
	a = math.Min(1, math.Max(0, a))
	return a * a * (3 - 2*a)
}

// Finite reports whether both coordinates are finite. Nothing that is not
// finite is ever drawn.
func Finite(p flow.Vec) bool {
	return !math.IsNaN(p[0]) && !math.IsNaN(p[1]) && !math.IsInf(p[0], 0) && !math.IsInf(p[1], 0)
}

// GridPoints returns the row-major n×n arrow positions over view, each in the
// middle of its cell.
func GridPoints(n int, view [4]float64) []flow.Vec {
	if n < 1 {
		return nil
	}
	pts := make([]flow.Vec, 0, n*n)
	dx := (view[2] - view[0]) / float64(n)
	dy := (view[3] - view[1]) / float64(n)
	for r := range n {
		for c := range n {
			pts = append(pts, flow.Vec{view[0] + (float64(c)+0.5)*dx, view[1] + (float64(r)+0.5)*dy})
		}
	}
	return pts
}

func grow(dst []flow.Vec, n int) []flow.Vec {
	if cap(dst) < n {
		return make([]flow.Vec, n)
	}
	return dst[:n]
}

// Settings is everything the user can change about training and sampling.
// Names and defaults follow the flowmatch flags.
type Settings struct {
	Source, Target string // data specs, e.g. "gaussian", "moons:noise=0.05"
	Width, Depth   int
	Act            string
	LR             float64
	Batch          int
	Seed           uint64
	Path           string  // "linear" | "ot"
	Sigma          float64 // σ of the path
	Coupling       string  // "independent" | "ot" | "reflow"
	Solver         string  // "euler" | "midpoint" | "heun" | "rk4"
	Steps          int     // NUM_STEPS, 1..200
	Particles      int     // 1..50000
	Grid           int     // arrows per side, 4..64
	View           [4]float64
	Trails         int // how many whole trajectories to keep for drawing

	// Gaussian paths, prediction targets, the reverse SDE and guidance
	// (issue 18). Every zero value is the blog post's run.
	Schedule string  // flow.ParseScheduler's name: "linear" (or ""), "cosine", "vp", "ve", "poly"
	Predict  string  // what the network regresses: "velocity" (or ""), "noise", "data", "score"
	Noise    float64 // the reverse SDE's noise level G, 0..MaxNoise; 0 is the ODE
	Cond     bool    // a class-conditional network on the target's labels
	PUncond  float64 // its label dropout; 0 means DefaultPUncond
	OneClass bool    // sample only Class; else every class, particle i in class i mod K
	Class    int
	Guidance float64 // classifier-free guidance w − 1 (so 0 is the conditional model), MinGuidance..MaxGuidance
	Score    bool    // the arrows show the score ∇log p_t instead of the velocity
}

// Limits of the settings the UI offers.
const (
	MinSteps, MaxSteps         = 1, 200
	MinParticles, MaxParticles = 1, 50000
	MinGrid, MaxGrid           = 4, 64
	// The noise slider's range: beyond G = 5 the particles spend the
	// timeline jittering and Euler–Maruyama needs many steps (G² < 4N).
	MaxNoise = 5
	// Guidance w runs from 0 (unconditional) to 10, stored as w − 1.
	MinGuidance, MaxGuidance = -1, 9
	// DefaultPUncond is the label dropout a zero PUncond stands for.
	DefaultPUncond = 0.1
)

// DefaultSettings is Gaussian noise to two moons with the blog post's sampler.
func DefaultSettings() Settings {
	return Settings{
		Source: "gaussian", Target: "moons",
		Width: 64, Depth: 3, Act: "silu", LR: 1e-3, Batch: 256, Seed: 1,
		Path: "linear", Sigma: 0, Coupling: "independent",
		Solver: "euler", Steps: 50, Particles: 4000, Grid: 24,
		View: [4]float64{-4, -4, 4, 4}, Trails: 200,
	}
}

// Clamp returns s with its counts inside the limits above.
func (s Settings) Clamp() Settings {
	s.Steps = min(MaxSteps, max(MinSteps, s.Steps))
	s.Particles = min(MaxParticles, max(MinParticles, s.Particles))
	s.Grid = min(MaxGrid, max(MinGrid, s.Grid))
	s.Trails = min(s.Particles, max(0, s.Trails))
	s.Width = max(1, s.Width)
	s.Depth = max(1, s.Depth)
	s.Batch = max(1, s.Batch)
	if !(s.Noise > 0) { // NaN too
		s.Noise = 0
	}
	s.Noise = min(MaxNoise, s.Noise)
	if s.Guidance != s.Guidance {
		s.Guidance = 0
	}
	s.Guidance = min(MaxGuidance, max(MinGuidance, s.Guidance))
	if !(s.PUncond >= 0 && s.PUncond <= 1) {
		s.PUncond = 0
	}
	s.Class = max(0, s.Class)
	return s
}

// Status is the training side of the picture.
type Status struct {
	Step        int
	Loss        float64
	LossHistory []float32 // downsampled loss curve; shared, never mutate
	StepsPerSec float64
	State       string // "running", "paused", "waiting", "failed", "demo"
	Err         error
	Note        string // e.g. "architecture changed: training restarted"
}

// Options lists the choices the panel offers in its dropdowns.
type Options struct {
	Data, Acts, Paths, Couplings, Solvers []string
}

// Backend trains and samples off the render loop. Every method but Run must
// return at once: the render loop calls them every frame.
type Backend interface {
	// Run does the work until ctx is cancelled and returns when all of its
	// goroutines have finished.
	Run(ctx context.Context) error
	// Scene returns the newest scene, nil until the first one.
	Scene() *Scene
	Status() Status
	Options() Options
	// Apply takes new settings: live ones (learning rate, batch, particles,
	// steps, …) apply in place, architecture changes restart training. It
	// returns an error for settings it cannot use (a bad data spec), changing
	// nothing in that case.
	Apply(s Settings) error
	Train()    // start or resume training (also after a failure)
	Pause()    // pause training
	Reset()    // fresh weights
	Resample() // new particle draws
}

// Stepper is implemented by backends that can be driven from the game loop
// instead of their own goroutines: the stepwise mode, for platforms without
// threads (the browser). Advance trains for about budget and then computes
// a frame if one is due; it runs on the caller's goroutine, and Run must not
// run at the same time.
type Stepper interface {
	Advance(budget time.Duration)
}

// Lockstepper is implemented by backends whose trainer can keep in step
// with others joined to the same Lockstep.
type Lockstepper interface {
	Lockstep(l *Lockstep) // nil: train freely again
}

// Lockstep keeps compared trainers in step: none runs more than
// LockstepWindow training steps ahead of the slowest one still training,
// counted from when they joined. Equal networks then train at equal rates
// whatever else the machine runs, and a cheaper model waits for a costlier
// one, so two models are always compared at (nearly) the same step. A
// member that is paused, waiting or failed does not hold the others back.
type Lockstep struct {
	mu      sync.Mutex
	steps   []int
	stalled []bool
}

// LockstepWindow is how many steps a member may run ahead.
const LockstepWindow = 10

// Join adds a member at the count of the slowest and returns its id.
func (l *Lockstep) Join() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.steps = append(l.steps, l.floor(-1))
	l.stalled = append(l.stalled, false)
	return len(l.steps) - 1
}

// floor is the lowest count among the training members other than skip;
// skip's own count if there is none.
func (l *Lockstep) floor(skip int) int {
	lo, found := 0, false
	for i, n := range l.steps {
		if i == skip || l.stalled[i] {
			continue
		}
		if !found || n < lo {
			lo, found = n, true
		}
	}
	if !found && skip >= 0 {
		return l.steps[skip]
	}
	return lo
}

// Allowance is how many steps member id may take now: 0 while it is
// LockstepWindow ahead of the slowest other member still training.
func (l *Lockstep) Allowance(id int) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.stalled[id] {
		// Back from a pause or failure: no further behind than the rest.
		l.stalled[id] = false
		l.steps[id] = max(l.steps[id], l.floor(id))
	}
	return max(0, l.floor(id)+LockstepWindow-l.steps[id])
}

// Done records n steps of member id; n = 0 marks it stalled (paused,
// waiting or failed) until its next Allowance.
func (l *Lockstep) Done(id, n int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.steps[id] += n
	if n == 0 {
		l.stalled[id] = true
	}
}

// DataSetter is implemented by backends that take a distribution directly
// rather than as a spec: a drawing, a dropped image, a built-in shape. The
// swap keeps the weights (a warm start) and returns the label that now
// stands for the data in Settings.Source or Settings.Target, so that later
// Apply calls see no change of data.
type DataSetter interface {
	SetData(source bool, d data.Dist) string
}

// Inspector is implemented by backends that can hand out the trained model,
// for the tools that evaluate the field where the user points (the probe,
// the reverse flow) and for the lessons that compare it with the exact one.
type Inspector interface {
	// Model returns the newest weights and their training config, nil
	// before the first snapshot. The weights are immutable and shared:
	// read them from any goroutine, never write them.
	Model() *train.Model
	// SetTeacher makes the current model the teacher of a reflow round and
	// switches the coupling to reflow; training restarts from fresh weights.
	SetTeacher(m *train.Model)
}
