package imageview

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/flowviz/flowviz/flow/hd"
	"github.com/flowviz/flowviz/flow/train"
	"github.com/flowviz/flowviz/viz/live"
	"github.com/flowviz/flowviz/viz/pace"
	"github.com/flowviz/flowviz/viz/scene"
)

// Timing of the backend's goroutines.
const (
	publishEvery = 250 * time.Millisecond // a snapshot of the weights (two copies of 2.6 MB) for the sampler and the status
	// frameEvery is the least time between frames; a frame that cost c
	// waits 2c more, so the sampler takes at most a third of a core from
	// training however slow the machine.
	frameEvery = time.Second
	idlePoll   = 20 * time.Millisecond
)

// Backend trains an image model and samples it for the view, each on a
// goroutine of its own below the render loop's priority. Every method but
// Run returns at once.
type Backend struct {
	cfg  hd.Config
	seed uint64

	snap   atomic.Pointer[hd.Snapshot]
	status atomic.Pointer[scene.Status]
	data   atomic.Pointer[Data]
	frame  atomic.Pointer[Frame]

	paused atomic.Bool
	resets atomic.Int64 // Reset calls: the trainer restarts when it sees a new count
	steps  atomic.Int64 // NUM_STEPS the sampler uses
	reseed atomic.Uint64
	guide  atomic.Pointer[Guidance] // what a conditional model samples

	mu  sync.Mutex // guards err
	err error      // the sampler's last error, shown in Status

	// restore is the run the trainer continues at its start (a session's;
	// nil: fresh weights), with Adam's state restoreOpt.
	restore    *hd.Model
	restoreOpt *train.OptimizerState
	// stateReq takes requests for the trainer's state, answered between
	// two steps.
	stateReq chan chan Saved
}

// Saved is the state of an image run as a session keeps it: the model
// (weights and their average) and Adam's state for it.
type Saved struct {
	Model     *hd.Model
	Optimizer train.OptimizerState
}

// New checks cfg (its Target an image target) and prepares a backend that
// samples with steps Euler steps from noise of seed; Run starts it.
func New(cfg hd.Config, steps int, seed uint64) (*Backend, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	side := hd.Targets[hd.Canonical(cfg.Target)]
	cfg.Target, cfg.Net.Dim = hd.Canonical(cfg.Target), side*side
	b := &Backend{cfg: cfg, seed: seed, stateReq: make(chan chan Saved)}
	b.steps.Store(int64(clampSteps(steps)))
	b.guide.Store(&Guidance{W: 1})
	b.status.Store(&scene.Status{State: "starting", Loss: nan})
	return b, nil
}

// NewRestored prepares a backend that continues the run m holds, with
// Adam's state opt (nil: fresh moments), as a session saved it.
func NewRestored(m *hd.Model, opt *train.OptimizerState, steps int) (*Backend, error) {
	if err := m.Validate(); err != nil {
		return nil, err
	}
	if opt != nil {
		if err := opt.Validate(len(m.Params)); err != nil {
			return nil, err
		}
	}
	b, err := New(m.Config, steps, m.Config.Seed)
	if err != nil {
		return nil, err
	}
	b.restore, b.restoreOpt = m, opt
	return b, nil
}

// TrainingState asks the trainer for its model and Adam's state between
// two steps and waits at most wait for them.
func (b *Backend) TrainingState(wait time.Duration) (*Saved, error) {
	reply := make(chan Saved, 1)
	timer := time.NewTimer(wait)
	defer timer.Stop()
	select {
	case b.stateReq <- reply:
	case <-timer.C:
		return nil, fmt.Errorf("the image trainer did not answer within %s", wait)
	}
	select {
	case s := <-reply:
		return &s, nil
	case <-timer.C:
		return nil, fmt.Errorf("the image trainer did not answer within %s", wait)
	}
}

var nan = func() float64 { var z float64; return z / z }()

func clampSteps(n int) int { return min(scene.MaxSteps, max(scene.MinSteps, n)) }

// Target is the image target the backend trains on.
func (b *Backend) Target() string { return b.cfg.Target }

// Config is the training config, its network's dimension filled in.
func (b *Backend) Config() hd.Config { return b.cfg }

// Run trains and samples until ctx is cancelled, then returns once both
// goroutines have. Their set-up (the first images drawn, the PCA, the
// first frame) runs at normal priority, so that the view has something to
// show at once even on a busy machine; the loops then run below the render
// loop.
func (b *Backend) Run(ctx context.Context) error {
	var wg sync.WaitGroup
	var trainErr error
	wg.Add(2)
	go func() {
		defer wg.Done()
		trainErr = b.train(ctx)
	}()
	go func() {
		defer wg.Done()
		b.sample(ctx)
	}()
	wg.Wait()
	if errors.Is(trainErr, context.Canceled) {
		trainErr = nil
	}
	return trainErr
}

// train owns the trainer: it steps, publishes snapshots and rates, pauses,
// and restarts from fresh weights on Reset.
func (b *Backend) train(ctx context.Context) error {
	var tr *hd.Trainer
	var resets int64 = -1
	var failed error
	type mark struct {
		at   time.Time
		step int
	}
	var marks []mark // the last two seconds of steps, for steps/s
	last := time.Time{}
	publish := func(state string) {
		tr.Publish()
		s := tr.Latest()
		b.snap.Store(s)
		now := time.Now()
		marks = append(marks, mark{now, s.Step})
		for len(marks) > 2 && now.Sub(marks[0].at) > 2*time.Second {
			marks = marks[1:]
		}
		rate := 0.0
		if m := marks[0]; state == "running" && now.Sub(m.at) > 0 {
			rate = float64(s.Step-m.step) / now.Sub(m.at).Seconds()
		}
		st := &scene.Status{Step: s.Step, Loss: s.Loss, LossHistory: s.LossHistory, StepsPerSec: rate, State: state, Err: failed}
		if failed == nil {
			b.mu.Lock()
			st.Err = b.err
			b.mu.Unlock()
		}
		b.status.Store(st)
		last = now
	}
	// answer hands a copy of the run's state to a TrainingState call.
	answer := func(reply chan Saved) {
		tr.Publish()
		reply <- Saved{Model: tr.Latest().Model(), Optimizer: tr.Optimizer()}
	}
	for ctx.Err() == nil {
		if r := b.resets.Load(); r != resets {
			resets = r
			var err error
			if resets == 0 && b.restore != nil {
				tr, err = hd.NewFromState(b.restore, b.restoreOpt)
			} else {
				tr, err = hd.New(b.cfg)
			}
			if err != nil {
				return err
			}
			failed, marks = nil, marks[:0]
			publish("running")
			if resets == 0 {
				live.LowerPriority()
			}
		}
		select {
		case reply := <-b.stateReq:
			answer(reply)
		default:
		}
		if b.paused.Load() || failed != nil {
			if time.Since(last) > publishEvery {
				state := "paused"
				if failed != nil {
					state = "failed"
				}
				marks = marks[:0]
				publish(state)
			}
			select {
			case <-ctx.Done():
			case <-time.After(idlePoll):
			case reply := <-b.stateReq:
				answer(reply)
			}
			continue
		}
		stepStart := time.Now()
		if _, err := tr.Step(); err != nil {
			failed = err
			b.paused.Store(true)
			continue
		}
		pace.Rest(ctx, stepStart)
		if time.Since(last) >= publishEvery {
			publish("running")
		}
	}
	return ctx.Err()
}

// sample draws the data once, then makes a frame from every newer snapshot
// (at most one per frameEvery) or new NUM_STEPS or noise.
func (b *Backend) sample(ctx context.Context) {
	d, err := NewData(b.cfg.Target, b.seed)
	if err != nil {
		b.setErr(err)
		return
	}
	b.data.Store(d)
	var done time.Time
	var wait time.Duration
	var lastSnap *hd.Snapshot
	lastSteps, lastReseed := -1, uint64(0)
	var lastGuide Guidance
	var noise []float32
	seq := 0
	for ctx.Err() == nil {
		snap := b.snap.Load()
		steps, reseed, guide := int(b.steps.Load()), b.reseed.Load(), *b.guide.Load()
		if !b.cfg.Conditional() {
			guide = Guidance{W: 1} // nothing to ask an unconditional model
		}
		settled := steps == lastSteps && reseed == lastReseed && guide == lastGuide
		if snap == nil || (snap == lastSnap && settled) || (settled && time.Since(done) < wait) {
			select {
			case <-ctx.Done():
			case <-time.After(idlePoll):
			}
			continue
		}
		if noise == nil || reseed != lastReseed {
			noise = Noise(d.Dim, b.seed, reseed)
		}
		start := time.Now()
		f, err := Sample(ctx, d, snap.Net, noise, steps, guide)
		if err != nil {
			if ctx.Err() == nil {
				b.setErr(err)
			}
			lastSnap, lastSteps, lastReseed, lastGuide, done, wait = snap, steps, reseed, guide, time.Now(), frameEvery
			continue
		}
		b.setErr(nil)
		pace.Rest(ctx, start)
		if seq == 0 {
			// The first frame came at normal priority: the view has
			// pictures at once. The rest follow below the render loop.
			live.LowerPriority()
		}
		seq++
		f.Seq, f.Step = seq, snap.Step
		b.frame.Store(f)
		lastSnap, lastSteps, lastReseed, lastGuide, done = snap, steps, reseed, guide, time.Now()
		wait = max(frameEvery, 2*time.Since(start))
	}
}

func (b *Backend) setErr(err error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.err = err
}

// Frame is the newest frame, nil before the first.
func (b *Backend) Frame() *Frame { return b.frame.Load() }

// Data is the target's fresh images and PCA, nil until drawn.
func (b *Backend) Data() *Data { return b.data.Load() }

// Status is the training readout, as the 2D backend's. A pause shows at
// once, before the trainer (below the render loop's priority) gets to it.
func (b *Backend) Status() scene.Status {
	st := *b.status.Load()
	if b.paused.Load() && st.State == "running" {
		st.State, st.StepsPerSec = "paused", 0
	}
	return st
}

// Train resumes training, also after a failure.
func (b *Backend) Train() {
	if st := b.status.Load(); st.State == "failed" {
		b.Reset() // a non-finite loss left no weights worth resuming
	}
	b.paused.Store(false)
}

// Pause pauses training.
func (b *Backend) Pause() { b.paused.Store(true) }

// Reset restarts from fresh weights.
func (b *Backend) Reset() { b.resets.Add(1) }

// Resample draws new fixed noise for the grid.
func (b *Backend) Resample() { b.reseed.Add(1) }

// SetSteps sets NUM_STEPS of the sampler (clamped to the app's range).
func (b *Backend) SetSteps(n int) { b.steps.Store(int64(clampSteps(n))) }

// SetGuidance sets the digits and guidance a conditional model samples
// (the next frame follows at once); the digit is clamped to 0..9 and w to
// the panel's range.
func (b *Backend) SetGuidance(g Guidance) {
	g.Class = min(hd.Classes-1, max(0, g.Class))
	if !(g.W >= float64(scene.MinGuidance+1)) {
		g.W = float64(scene.MinGuidance + 1)
	}
	g.W = min(g.W, float64(scene.MaxGuidance+1))
	if old := b.guide.Load(); *old != g {
		b.guide.Store(&g)
	}
}

// Guidance is what a conditional model samples.
func (b *Backend) Guidance() Guidance { return *b.guide.Load() }

// Steps is NUM_STEPS of the sampler.
func (b *Backend) Steps() int { return int(b.steps.Load()) }

// String names the run for the status line.
func (b *Backend) String() string {
	s := fmt.Sprintf("%s: %d numbers per image, network %d×%d", b.cfg.Target, b.cfg.Net.Dim, b.cfg.Net.Depth, b.cfg.Net.Width)
	if b.cfg.Conditional() {
		s += ", conditional on the digit"
	}
	return s
}
