// Package live is the scene.Backend of the real app: a flow/train Trainer and
// a flow/sample Sampler, each on its own goroutine.
package live

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/flowviz/flowviz/flow"
	"github.com/flowviz/flowviz/flow/data"
	"github.com/flowviz/flowviz/flow/hd"
	"github.com/flowviz/flowviz/flow/sample"
	"github.com/flowviz/flowviz/flow/train"
	"github.com/flowviz/flowviz/viz/scene"
	"github.com/flowviz/flowviz/viz/session"
)

var (
	_ scene.Backend     = (*Backend)(nil)
	_ scene.Stepper     = (*Backend)(nil)
	_ scene.Lockstepper = (*Backend)(nil)
)

// Backend trains and samples for the visualizer. Every method but Run
// returns at once: commands are queued to the trainer and the sampler.
type Backend struct {
	tr *train.Trainer
	sm *sample.Sampler

	mu       sync.Mutex // guards settings and reseed
	settings scene.Settings
	reseed   uint64

	cur     atomic.Pointer[converted] // the newest frame and its scene
	running atomic.Bool               // Run is driving the trainer
	// lock, when set, keeps the trainer in step with compared ones.
	lock atomic.Pointer[lockstepMember]
	// sampleTurn: the stepwise mode's next turn goes to the sampler.
	sampleTurn bool
}

// lockstepMember is a backend's place in a Lockstep.
type lockstepMember struct {
	l  *scene.Lockstep
	id int
}

// trainSlice is how long the trainer trains between looks at the
// lockstep and the context.
const trainSlice = 5 * time.Millisecond

// Lockstep joins the trainer to l (nil leaves it): it then trains at most
// scene.LockstepWindow steps ahead of the slowest member. Safe while Run runs.
func (b *Backend) Lockstep(l *scene.Lockstep) {
	if l == nil {
		b.lock.Store(nil)
		return
	}
	b.lock.Store(&lockstepMember{l: l, id: l.Join()})
}

// converted caches the scene made from a frame, so Scene allocates only when
// a new frame arrives.
type converted struct {
	frame *sample.Frame
	scene *scene.Scene
}

// New validates s and builds the trainer and sampler; Run starts them.
func New(s scene.Settings) (*Backend, error) {
	s = s.Clamp()
	cfg, err := trainConfig(s, train.DefaultConfig())
	if err != nil {
		return nil, err
	}
	for _, side := range []struct{ name, spec string }{{"source", s.Source}, {"target", s.Target}} {
		if err := checkData(side.spec); err != nil {
			return nil, fmt.Errorf("%s: %w", side.name, err)
		}
	}
	tr, err := train.New(cfg)
	if err != nil {
		return nil, err
	}
	st, err := samplerSettings(s, 0)
	if err != nil {
		return nil, err
	}
	return &Backend{tr: tr, sm: sample.New(tr, st), settings: s}, nil
}

// trainConfig maps the visualizer's settings onto base.
func trainConfig(s scene.Settings, base train.Config) (train.Config, error) {
	if s.Coupling == train.CouplingReflow && base.Teacher == "" {
		// The teacher is the model trained so far (see Apply).
		base.Teacher = train.TeacherInMemory
	}
	cfg, err := s.TrainConfig(base)
	if err != nil {
		return base, err
	}
	// A network the app could not keep in a session is refused up front,
	// not found out at the exit autosave.
	if err := session.CheckNet(cfg.Net); err != nil {
		return base, err
	}
	return cfg, nil
}

// checkData loads spec and refuses a point set larger than a drawing or a
// session holds: the app would train on points it cannot show or keep.
func checkData(spec string) error {
	d, err := data.Load(spec)
	if err != nil {
		return err
	}
	if ps, ok := d.(*data.PointSet); ok && len(ps.Points) > session.MaxPoints {
		return fmt.Errorf("%s has %d points, more than the %d a drawing or a session holds", ps.Name, len(ps.Points), session.MaxPoints)
	}
	return nil
}

// samplerSettings maps the visualizer's settings onto the sampler's; reseed
// shifts the particles' seed so Resample draws new ones.
func samplerSettings(s scene.Settings, reseed uint64) (sample.Settings, error) {
	solver, err := flow.ParseSolver(s.Solver)
	if err != nil {
		return sample.Settings{}, err
	}
	return sample.Settings{
		Particles: s.Particles, Steps: s.Steps, Solver: solver, Seed: s.Seed + reseed*0x9e3779b97f4a7c15,
		Grid: s.Grid, View: s.View, Trails: s.Trails,
		Noise: s.Noise, OneClass: s.OneClass, Class: s.Class, Guidance: s.Guidance, Score: s.Score,
	}.Clamp(), nil
}

// Run runs the trainer and the sampler until ctx is cancelled and both have
// returned. Both run on threads of lowered priority so that the render loop
// is never starved of CPU.
func (b *Backend) Run(ctx context.Context) error {
	b.running.Store(true)
	defer b.running.Store(false)
	var wg sync.WaitGroup
	var trainErr error
	wg.Add(2)
	go func() {
		defer wg.Done()
		LowerPriority()
		trainErr = b.train(ctx)
	}()
	go func() {
		defer wg.Done()
		LowerPriority()
		b.sm.Run(ctx)
	}()
	wg.Wait()
	if ctx.Err() != nil && trainErr == ctx.Err() {
		trainErr = nil
	}
	return trainErr
}

// train trains until ctx ends, in slices of trainSlice, in step with the
// compared trainers when there are any; it polls while paused or waiting
// (a command wakes it within one poll).
func (b *Backend) train(ctx context.Context) error {
	const idlePoll = 20 * time.Millisecond
	for ctx.Err() == nil {
		maxSteps := 0
		m := b.lock.Load()
		if m != nil {
			if maxSteps = m.l.Allowance(m.id); maxSteps == 0 {
				// Ahead of the slowest: let it catch up.
				select {
				case <-ctx.Done():
				case <-time.After(time.Millisecond):
				}
				continue
			}
		}
		n := b.tr.Advance(trainSlice, maxSteps)
		if m != nil {
			m.l.Done(m.id, n)
		}
		if n == 0 {
			select {
			case <-ctx.Done():
			case <-time.After(idlePoll):
			}
		}
	}
	b.tr.Publish()
	return nil
}

// Advance is the stepwise mode: it works for about budget on the caller's
// goroutine, on training and on the next frame by turns. A frame costs far
// more than a tick has (seconds for 4,000 particles in WebAssembly), so the
// sampler computes it in slices, turn after turn, and its minimum interval
// keeps frames from taking every turn; a sampler with nothing to do leaves
// its turn to training.
func (b *Backend) Advance(budget time.Duration) {
	start := time.Now()
	// Until the first frame the canvas shows no particles (and a link's
	// lesson waits for one): the sampler then takes every turn.
	if b.sampleTurn || b.sm.Latest() == nil {
		b.sm.AdvanceFor(budget)
	}
	b.sampleTurn = !b.sampleTurn
	if rest := budget - time.Since(start); rest > 0 {
		b.tr.Advance(rest, 0)
	}
}

// Scene returns the newest frame as a scene (nil before the first).
func (b *Backend) Scene() *scene.Scene {
	f := b.sm.Latest()
	if f == nil {
		return nil
	}
	if c := b.cur.Load(); c != nil && c.frame == f {
		return c.scene
	}
	sc := &scene.Scene{
		Seq: int(f.Seq), Times: f.Times, Traj: f.Traj,
		Grid: f.Settings.Grid, View: f.Settings.View, GridPts: f.GridPts, Field: f.Field,
		MaxSpeed: f.MaxSpeed, Source: f.SourcePts, Target: f.TargetPts,
		Labels: f.Labels, TargetLabels: f.TargetLabels,
		Sampling: scene.Sampling{
			Noise: f.Settings.Noise, OneClass: f.Settings.OneClass, Class: f.Settings.Class,
			Guidance: f.Settings.Guidance, Score: f.ArrowsScore,
		},
	}
	if f.Snap != nil {
		sc.Step = f.Snap.Step
	}
	b.cur.Store(&converted{frame: f, scene: sc})
	return sc
}

// Status reports the newest snapshot.
func (b *Backend) Status() scene.Status {
	snap := b.tr.Latest()
	if snap == nil {
		return scene.Status{State: "starting"}
	}
	return scene.Status{
		Step: snap.Step, Loss: snap.Loss, LossHistory: snap.LossHistory, StepsPerSec: snap.StepsPerSec,
		State: snap.State.String(), Err: snap.Err, Note: snap.Message,
	}
}

// Options lists the choices of the panel.
func (b *Backend) Options() scene.Options {
	return scene.Options{
		// The image targets train in the app's image view (flow/hd).
		Data:      append(data.Names(), slices.Sorted(maps.Keys(hd.Targets))...),
		Acts:      []string{"silu", "selu", "tanh", "relu"},
		Paths:     []string{"linear", "ot"},
		Couplings: []string{train.CouplingIndependent, train.CouplingOT, train.CouplingReflow},
		Solvers:   []string{"euler", "midpoint", "heun", "rk4"},
	}
}

// Apply checks s and queues it: the trainer changes learning rate, batch and
// data in place and restarts for a new architecture, path, coupling or seed
// (saying so in the snapshot); the sampler recomputes with the new counts.
func (b *Backend) Apply(s scene.Settings) error {
	s = s.Clamp()
	b.mu.Lock()
	defer b.mu.Unlock()
	old := b.settings
	cfg, err := trainConfig(s, b.tr.Latest().Config)
	if err != nil {
		return err
	}
	// Load the data specs here too so a typo is reported to the user at once
	// rather than as a refusal in a later snapshot.
	if s.Source != old.Source {
		if err := checkData(s.Source); err != nil {
			return fmt.Errorf("source: %w", err)
		}
	}
	if s.Target != old.Target {
		if err := checkData(s.Target); err != nil {
			return fmt.Errorf("target: %w", err)
		}
	}
	st, err := samplerSettings(s, b.reseed)
	if err != nil {
		return err
	}
	// Choosing reflow starts one reflow round with the current model as the
	// teacher; the other settings then apply on top of it.
	startReflow := s.Coupling == train.CouplingReflow && old.Coupling != train.CouplingReflow
	if startReflow {
		snap := b.tr.Latest()
		if snap == nil || snap.Step == 0 {
			return fmt.Errorf("reflow needs a trained model as its teacher: train first")
		}
		b.tr.SetTeacher(snap.Model())
	}
	if trainPart(s) != trainPart(old) {
		b.tr.SetConfig(cfg)
	}
	if st != b.sm.Settings() {
		b.sm.Set(st)
	}
	b.settings = s
	return nil
}

// trainPart is the part of the settings the trainer cares about.
func trainPart(s scene.Settings) scene.Settings {
	s.Solver, s.Steps, s.Particles, s.Grid, s.View, s.Trails = "", 0, 0, 0, [4]float64{}, 0
	s.Noise, s.OneClass, s.Class, s.Guidance, s.Score = 0, false, 0, 0, false
	return s
}

// Model returns the newest weights, nil before the first snapshot. They are
// the snapshot's own immutable copy, shared rather than copied again: the
// probe asks for them every frame.
func (b *Backend) Model() *train.Model {
	snap := b.tr.Latest()
	if snap == nil || snap.Net == nil {
		return nil
	}
	return &train.Model{Version: train.ModelVersion, Config: snap.Config, Params: snap.Net.Params, Step: snap.Step}
}

// SetTeacher starts a reflow round with m as the frozen teacher.
func (b *Backend) SetTeacher(m *train.Model) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.settings.Coupling = train.CouplingReflow
	b.tr.SetTeacher(m)
}

// Train resumes training, also after a failure.
func (b *Backend) Train() { b.tr.Resume() }

// Pause pauses training.
func (b *Backend) Pause() { b.tr.Pause() }

// Reset restarts the model from fresh weights.
func (b *Backend) Reset() { b.tr.Reset() }

// Resample draws new particles.
func (b *Backend) Resample() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.reseed++
	if st, err := samplerSettings(b.settings, b.reseed); err == nil {
		b.sm.Set(st)
	}
}

// SetData swaps the source or target for d, keeping the weights: the field
// morphs from the old shape to the new while training runs. An empty point
// set makes the trainer wait until points arrive.
func (b *Backend) SetData(source bool, d data.Dist) string {
	label := d.String()
	b.mu.Lock()
	defer b.mu.Unlock()
	if source {
		b.settings.Source = label
		b.tr.SetSource(d)
	} else {
		b.settings.Target = label
		b.tr.SetTarget(d)
		b.followClasses()
	}
	return label
}

// followClasses rebuilds a class-conditional network whose class count no
// longer fits the target handed over (moons' 2, then a drawing's colours):
// the trainer would otherwise train the new classes as the null class.
// Called with b.mu held, after the new target is queued.
func (b *Backend) followClasses() {
	if !b.settings.Cond {
		return
	}
	old := b.tr.Latest().Config
	cfg, err := trainConfig(b.settings, old)
	if err == nil && cfg.Net.Classes != old.Net.Classes {
		b.tr.SetConfig(cfg)
	}
}
