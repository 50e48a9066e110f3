// Package sample turns the trainer's newest snapshot into a Frame of particle
// trajectories and field arrows, on its own goroutine.
package sample

import (
	"context"
	"math"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/flowviz/flowviz/flow"
	"github.com/flowviz/flowviz/flow/data"
	"github.com/flowviz/flowviz/flow/train"
)

// Limits of Settings, enforced by Clamp.
const (
	MinParticles, MaxParticles = 1, 50000
	MinSteps, MaxSteps         = 1, 200
	MinGrid, MaxGrid           = 4, 64
	MaxNoise                   = 10  // beyond it Euler–Maruyama needs more than MaxSteps
	MaxGuidance                = 100 // |Guidance|
)

// Settings say what a frame shows.
type Settings struct {
	Particles int         // particles to integrate, 1..50000, default 4000
	Steps     int         // NUM_STEPS of the sampler, 1..200, default 50
	Solver    flow.Solver // default Euler, the blog post's loop
	Seed      uint64      // seeds the particles' source draws: same seed, same particles
	Grid      int         // arrows per side of the field grid, 4..64, default 24
	View      [4]float64  // world rectangle minX, minY, maxX, maxY that the grid covers
	Trails    int         // how many particles (the first ones) the app draws whole paths of

	// Noise is the reverse SDE's noise level G (flow.SDEDrift): 0, the
	// default, integrates the ODE with Solver; G > 0 the SDE by
	// Euler–Maruyama, for models on a Gaussian path (ignored otherwise).
	Noise float64
	// OneClass and Class pick the classes of a class-conditional model:
	// every class by default, particle i in class i mod K; with OneClass
	// only Class.
	OneClass bool
	Class    int
	// Guidance is how far classifier-free guidance goes beyond the
	// conditional model: the field is (1 − w)·u(x | ∅) + w·u(x | y) with
	// w = 1 + Guidance, so the zero value is the conditional model and −1
	// the unconditional one.
	Guidance float64
	// Score makes the arrows show the score ∇log p_t (converted exactly
	// from whatever the network predicts) instead of the velocity; a model
	// without a Gaussian path has no score and keeps the velocity.
	Score bool
}

// DefaultView is the world rectangle of the default settings: it frames
// every built-in dataset at its default size.
var DefaultView = [4]float64{-4, -4, 4, 4}

// DefaultSettings returns 4000 particles, 50 Euler steps and a 24×24 arrow
// grid over DefaultView.
func DefaultSettings() Settings {
	return Settings{
		Particles: 4000, Steps: 50, Solver: flow.Euler, Seed: 1,
		Grid: 24, View: DefaultView, Trails: 200,
	}
}

// Clamp returns s with every count inside its limits, an unknown solver
// replaced by Euler and an empty or non-finite view by DefaultView.
func (s Settings) Clamp() Settings {
	s.Particles = min(MaxParticles, max(MinParticles, s.Particles))
	s.Steps = min(MaxSteps, max(MinSteps, s.Steps))
	s.Grid = min(MaxGrid, max(MinGrid, s.Grid))
	s.Trails = min(s.Particles, max(0, s.Trails))
	if s.Solver.EvalsPerStep() == 0 {
		s.Solver = flow.Euler
	}
	v := s.View
	for _, c := range v {
		if math.IsNaN(c) || math.IsInf(c, 0) {
			v = DefaultView
		}
	}
	if !(v[0] < v[2] && v[1] < v[3]) {
		v = DefaultView
	}
	s.View = v
	if math.IsNaN(s.Noise) || s.Noise < 0 {
		s.Noise = 0
	}
	s.Noise = min(s.Noise, MaxNoise)
	if math.IsNaN(s.Guidance) {
		s.Guidance = 0
	}
	s.Guidance = min(MaxGuidance, max(-MaxGuidance, s.Guidance))
	return s
}

// Frame is one sampled picture of a snapshot. It is immutable once
// published: never mutate any field.
type Frame struct {
	Seq      uint64 // increases with every published frame
	Snap     *train.Snapshot
	Settings Settings
	Times    []float64    // t_k = k/N, k = 0..N
	Traj     [][]flow.Vec // Traj[k][i]: particle i at t_k; Traj[0] are the source draws
	GridPts  []flow.Vec   // arrow positions, row-major Grid×Grid over View, cell centres
	Field    [][]flow.Vec // Field[k][j] = v(GridPts[j], t_k)
	MaxSpeed float64      // largest finite |v| over Field, for colour scaling
	// SourcePts and TargetPts are display clouds of Particles points each;
	// SourcePts is Traj[0].
	SourcePts, TargetPts []flow.Vec
	// Labels gives each particle's class for a class-conditional model, nil
	// otherwise. With every class shown the arrows are u(x | ∅); with one,
	// that class's guided field.
	Labels []int
	// TargetLabels gives each TargetPts point's class when the target has
	// classes (data.Labeled), nil otherwise.
	TargetLabels []int
	// ArrowsScore says the arrows show the score rather than the velocity.
	ArrowsScore bool
	Elapsed     time.Duration // time taken to compute the frame
}

// minFrameInterval rate-limits frames to 10 per second: the app animates a
// frame for longer than that anyway, and the trainer needs the core.
const minFrameInterval = 100 * time.Millisecond

// pollInterval bounds how long an idle sampler goes without looking at the
// trainer, should another reader have taken the trainer's Updated signal.
const pollInterval = 250 * time.Millisecond

// Sampler computes frames from a trainer's snapshots.
type Sampler struct {
	tr *train.Trainer

	mu       sync.Mutex
	settings Settings
	gen      atomic.Uint64 // bumped by every Set
	wake     chan struct{}

	latest  atomic.Pointer[Frame]
	updated chan struct{}
	seq     uint64

	minInterval time.Duration // minFrameInterval; tests shorten it

	// What Advance computed last, for the stepwise mode.
	stepSnap  *train.Snapshot
	stepGen   uint64
	stepStart time.Time
	// The frame AdvanceFor computes in slices, and its context while it
	// runs (nil otherwise: Run and Advance compute frames whole).
	slicer slicer
	sliced context.Context

	// Owned by the Run goroutine, reused across frames.
	field       *train.NetField
	classFields []*train.NetField // conditional models: slot y+1 for class y
	ode         flow.Integrator
	x           []flow.Vec
	source      cloud
	target      cloud
	grid        struct {
		n    int
		view [4]float64
		pts  []flow.Vec
	}
}

// cloud caches display draws; the slice is shared by frames, so it is
// replaced, never written, when its key changes.
type cloud struct {
	seed        uint64
	n           int
	dataVersion int
	pts         []flow.Vec
	labels      []int // the draws' classes when the distribution has them
}

// New returns a sampler of tr's snapshots with settings st (clamped).
func New(tr *train.Trainer, st Settings) *Sampler {
	s := &Sampler{
		tr:          tr,
		settings:    st.Clamp(),
		wake:        make(chan struct{}, 1),
		updated:     make(chan struct{}, 1),
		minInterval: minFrameInterval,
	}
	s.gen.Store(1)
	return s
}

// Set replaces the settings (clamped); the next frame uses them and a frame
// in progress is abandoned. It never blocks for long.
func (s *Sampler) Set(st Settings) {
	s.mu.Lock()
	s.settings = st.Clamp()
	s.gen.Add(1)
	s.mu.Unlock()
	poke(s.wake)
}

// Settings returns the current settings.
func (s *Sampler) Settings() Settings {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.settings
}

// Latest returns the newest frame, or nil before the first. It never blocks.
func (s *Sampler) Latest() *Frame { return s.latest.Load() }

// Updated is poked (without blocking) whenever a frame is published.
func (s *Sampler) Updated() <-chan struct{} { return s.updated }

// Run computes a frame whenever a newer snapshot or new settings arrive,
// at most one per minInterval, until ctx is cancelled. It sleeps while
// nothing changes.
func (s *Sampler) Run(ctx context.Context) {
	var doneSnap *train.Snapshot
	var doneGen uint64
	var lastStart time.Time
	idle := time.NewTimer(pollInterval)
	defer idle.Stop()
	for {
		snap := s.tr.Latest()
		if snap == doneSnap && s.gen.Load() == doneGen {
			idle.Reset(pollInterval)
			select {
			case <-ctx.Done():
				return
			case <-s.tr.Updated():
			case <-s.wake:
			case <-idle.C:
			}
			continue
		}
		if wait := s.minInterval - time.Since(lastStart); wait > 0 {
			idle.Reset(wait)
			select {
			case <-ctx.Done():
				return
			case <-idle.C:
			}
		}
		lastStart = time.Now()
		s.mu.Lock()
		st, gen := s.settings, s.gen.Load()
		s.mu.Unlock()
		snap = s.tr.Latest()
		if f := s.compute(ctx, snap, st, gen); f != nil {
			s.seq++
			f.Seq = s.seq
			s.latest.Store(f)
			poke(s.updated)
			doneSnap, doneGen = snap, gen
		}
		if ctx.Err() != nil {
			return
		}
	}
}

// Advance computes one frame on the caller's goroutine if a newer snapshot
// or new settings wait and minInterval has passed since the last, and
// reports whether it published one. It is the stepwise mode for platforms
// without threads, where the game loop drives sampling; not concurrently
// with Run.
func (s *Sampler) Advance(ctx context.Context) bool {
	snap, st, gen, ok := s.due()
	if !ok {
		return false
	}
	f := s.compute(ctx, snap, st, gen)
	if f == nil {
		return false
	}
	s.seq++
	f.Seq = s.seq
	s.latest.Store(f)
	poke(s.updated)
	s.stepSnap, s.stepGen = snap, gen
	return true
}

// superseded reports whether the frame for (snap, gen) is no longer wanted:
// new settings, a restarted model, or another source (whose draws are the
// particles). A snapshot that merely trained further, or trains on a new
// target, does not supersede: the trainer publishes every ~50 ms, and a
// lecturer drawing a target swaps it on every mouse move, both faster than
// a large frame takes, so abandoning for them would never show anything.
// The next frame picks up the newest weights and target.
func (s *Sampler) superseded(ctx context.Context, snap *train.Snapshot, gen uint64) bool {
	if ctx.Err() != nil || s.gen.Load() != gen {
		return true
	}
	cur := s.tr.Latest()
	return cur.ModelVersion != snap.ModelVersion || cur.Config.Source != snap.Config.Source
}

// compute builds the frame of snap under st, or returns nil if it was
// superseded on the way. Everything published is freshly allocated or an
// immutable cached slice; only scratch buffers are reused.
func (s *Sampler) compute(ctx context.Context, snap *train.Snapshot, st Settings, gen uint64) *Frame {
	start := time.Now()
	n, p := st.Steps, st.Particles

	x0 := s.source.get(st.Seed, p, snap.DataVersion, 0x736f75726365, snap.Source)
	p = len(x0) // 0 when the source is an empty point set
	targetPts := s.target.get(st.Seed, st.Particles, snap.DataVersion, 0x746172676574, snap.Target)
	gridPts := s.gridPoints(st.Grid, st.View)

	if s.field == nil {
		s.field = train.NewNetField(snap.Net)
	} else {
		s.field.Use(snap.Net)
	}
	// A model predicting noise, data or the score is integrated as the
	// velocity it converts to; a variance-exploding path starts from its
	// wide source σ_0·x0.
	vel := train.VelocityOf(snap.Config, s.field)
	if scale := snap.Config.StartScale(); scale != 1 {
		x0 = scaled(x0, scale)
	}
	s.ode.Solver = st.Solver
	if cap(s.x) < p {
		s.x = make([]flow.Vec, p)
	}
	x := s.x[:p]
	copy(x, x0)
	gr := s.newGenerator(snap, st, vel, p)
	gr.scoreArrows(snap.Config, st)
	s.slice(gr)

	times := make([]float64, n+1)
	traj := make([][]flow.Vec, n+1)
	trajBacking := make([]flow.Vec, n*p)
	traj[0] = x0
	field := make([][]flow.Vec, n+1)
	fieldBacking := make([]flow.Vec, (n+1)*len(gridPts))
	g := len(gridPts)
	h := 1 / float64(n)
	for k := range n + 1 {
		// t_k from k, not by accumulating h, so that t_N = 1 exactly.
		t := float64(k) / float64(n)
		times[k] = t
		field[k] = fieldBacking[k*g : (k+1)*g : (k+1)*g]
		gr.arrows.Velocity(field[k], gridPts, t)
		if k == n {
			break
		}
		gr.step(&s.ode, x, t, h)
		traj[k+1] = trajBacking[k*p : (k+1)*p : (k+1)*p]
		copy(traj[k+1], x)
		if s.superseded(ctx, snap, gen) {
			return nil
		}
	}
	return &Frame{
		Snap:      snap,
		Settings:  st,
		Times:     times,
		Traj:      traj,
		GridPts:   gridPts,
		Field:     field,
		MaxSpeed:  gr.maxSpeed(field, times),
		SourcePts: x0,
		TargetPts: targetPts,
		Labels:    gr.labels,
		Elapsed:   time.Since(start),

		TargetLabels: s.target.labels,
		ArrowsScore:  gr.score,
	}
}

// get returns n draws from d seeded by (seed, stream), reusing the cached
// slice while the key is unchanged. An empty point set gives no points.
func (c *cloud) get(seed uint64, n, dataVersion int, stream uint64, d data.Dist) []flow.Vec {
	if c.pts != nil && c.seed == seed && c.n == n && c.dataVersion == dataVersion {
		return c.pts
	}
	pts := make([]flow.Vec, n)
	var labels []int
	switch l, ok := d.(data.Labeled); {
	case train.IsEmpty(d):
		pts = pts[:0]
	case ok && l.NumClasses() > 0:
		// SampleLabeled draws what Sample draws, with the classes beside.
		labels = make([]int, n)
		l.SampleLabeled(rand.New(rand.NewPCG(seed, stream)), pts, labels)
	default:
		d.Sample(rand.New(rand.NewPCG(seed, stream)), pts)
	}
	*c = cloud{seed: seed, n: n, dataVersion: dataVersion, pts: pts, labels: labels}
	return pts
}

// gridPoints returns the n×n cell centres over view, row by row from
// (minX, minY), cached while n and view are unchanged.
func (s *Sampler) gridPoints(n int, view [4]float64) []flow.Vec {
	g := &s.grid
	if g.pts != nil && g.n == n && g.view == view {
		return g.pts
	}
	pts := make([]flow.Vec, 0, n*n)
	dx := (view[2] - view[0]) / float64(n)
	dy := (view[3] - view[1]) / float64(n)
	for r := range n {
		for c := range n {
			pts = append(pts, flow.Vec{view[0] + (float64(c)+0.5)*dx, view[1] + (float64(r)+0.5)*dy})
		}
	}
	g.n, g.view, g.pts = n, view, pts
	return pts
}

// poke sends on a cap-1 channel without blocking.
func poke(c chan struct{}) {
	select {
	case c <- struct{}{}:
	default:
	}
}

// scaled returns a new slice of the points times a.
func scaled(pts []flow.Vec, a float64) []flow.Vec {
	out := make([]flow.Vec, len(pts))
	for i, p := range pts {
		out[i] = flow.Vec{a * p[0], a * p[1]}
	}
	return out
}

// due reports whether the stepwise modes owe a new frame: new weights or
// new settings wait and minInterval has passed since the last one began.
// If so it marks the start of that frame and returns what it is of.
func (s *Sampler) due() (snap *train.Snapshot, st Settings, gen uint64, ok bool) {
	snap = s.tr.Latest()
	if snap == s.stepSnap && s.gen.Load() == s.stepGen {
		return nil, st, 0, false
	}
	if time.Since(s.stepStart) < s.minInterval {
		return nil, st, 0, false
	}
	s.stepStart = time.Now()
	s.mu.Lock()
	st, gen = s.settings, s.gen.Load()
	s.mu.Unlock()
	return snap, st, gen, true
}
