package densityview

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/flowviz/flowviz/flow"
	"github.com/flowviz/flowviz/flow/data"
	"github.com/flowviz/flowviz/flow/density"
	"github.com/flowviz/flowviz/flow/train"
)

// NLLSamples is how many held-out target samples the live NLL scores: its
// standard error is then a few hundredths of a nat, and one estimate costs
// a few tens of milliseconds.
const NLLSamples = 800

// NLLEvery is how often the live NLL is recomputed while the weights change.
const NLLEvery = 3 * time.Second

// entropyDraws is how many draws the Monte-Carlo entropy of a mixture
// target takes (standard error ~0.003 nats).
const entropyDraws = 100_000

// NLL is one estimate of the model's negative log-likelihood.
type NLL struct {
	Value, SE float64 // mean −log p_1 of the samples in nats, its standard error
	N         int
	Step      int // the training step of the weights
	// Entropy is the target's differential entropy when it has a density
	// (HaveEntropy): no model's NLL goes below it beyond noise.
	Entropy, EntropySE float64
	HaveEntropy        bool
	Err                error // why there is no NLL (a source without a density)
}

// String is the HUD's line.
func (n NLL) String() string {
	if n.Err != nil {
		return ""
	}
	s := fmt.Sprintf("NLL %.3f ± %.3f nats", n.Value, n.SE)
	if n.HaveEntropy {
		s += fmt.Sprintf(" · entropy %.2f, its floor", n.Entropy)
	}
	return s
}

// NLLInput is what the monitor scores: the newest snapshot and the data.
type NLLInput struct {
	Model          *train.Model
	Source, Target string     // data specs
	TargetDraws    []flow.Vec // the scene's target cloud, for targets that are not presets
}

// Monitor recomputes the live NLL every NLLEvery: mean −log p_1 of
// NLLSamples target samples held out from training (fixed draws per
// target, so the number moves with the model only). On the desktop it runs
// on a goroutine of its own (Start); in the stepwise mode, where a page has
// one thread, the game loop drives it in slices (Advance) and it has no
// goroutine. Both compute the same estimates. Set and Latest never block
// on a computation.
type Monitor struct {
	mu     sync.Mutex
	in     NLLInput
	sets   int // calls of Set so far
	used   int // sets at the last estimate
	out    NLL
	have   bool
	wake   chan struct{}
	stop   context.CancelFunc
	done   sync.WaitGroup
	scored *train.Model // the model of out

	// Owned by the goroutine of Start, or by Advance's caller.
	ts    targetState
	field *density.NetField
	est   *estimate // the estimate in progress
	next  time.Time // Advance: when to look at the input again
}

// stepwiseCost is how many times its own computing time an estimate waits,
// in the stepwise mode, before the next begins (at least NLLEvery). In a
// page an estimate is seconds of work (800 samples × 50 RK4 steps × a
// Jacobian), longer than NLLEvery, so without it the monitor would always
// be computing and take the trainer's share of the frames: with it the
// NLL takes at most a fifth of the work time.
const stepwiseCost = 4

// estimate is an NLL being computed: the log-likelihoods of the held-out
// samples, a piece at a time, and the time spent on it so far.
type estimate struct {
	out   NLL
	in    NLLInput
	run   *density.LogProbRun
	logq  []float64
	spent time.Duration
}

// Start runs the monitor until Close, on a goroutine lowered by lower.
func (m *Monitor) Start(lower func()) {
	if m.stop != nil {
		return
	}
	m.wake = make(chan struct{}, 1)
	ctx, cancel := context.WithCancel(context.Background())
	m.stop = cancel
	m.done.Add(1)
	go func() {
		defer m.done.Done()
		if lower != nil {
			lower()
		}
		m.run(ctx)
	}()
}

// Close stops the monitor and waits for it.
func (m *Monitor) Close() {
	if m.stop != nil {
		m.stop()
		m.done.Wait()
		m.stop = nil
	}
}

// Set hands the monitor the newest input.
func (m *Monitor) Set(in NLLInput) {
	m.mu.Lock()
	m.in = in
	m.sets++
	m.mu.Unlock()
}

// Latest returns the newest estimate, if any.
func (m *Monitor) Latest() (NLL, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.out, m.have
}

// targetState is what the monitor keeps per target: its samples and entropy.
type targetState struct {
	source, target string
	draws          *flow.Vec
	p0             *density.Mixture
	p0Err          error
	x              []flow.Vec
	entropy, se    float64
	haveEntropy    bool
}

// firstNLL is how long after it starts the monitor makes its first estimate.
const firstNLL = 500 * time.Millisecond

func (m *Monitor) run(ctx context.Context) {
	tick := time.NewTicker(NLLEvery)
	defer tick.Stop()
	first := time.NewTimer(firstNLL)
	defer first.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		case <-first.C:
		}
		if !m.begin() {
			continue
		}
		for !m.step() {
			if ctx.Err() != nil {
				return // cancelled
			}
		}
	}
}

// Advance is the stepwise mode: on the caller's goroutine, it starts an
// estimate every NLLEvery, or stepwiseCost times its computing time after
// the last ended if that is longer (the first firstNLL after the first
// call), and computes it for about budget (at least one piece) a call; it
// reports whether an estimate is in progress. Not together with Start.
func (m *Monitor) Advance(budget time.Duration) bool {
	now := time.Now()
	if m.est == nil {
		if m.next.IsZero() {
			m.next = now.Add(firstNLL)
		}
		if now.Before(m.next) {
			return false
		}
		m.next = now.Add(NLLEvery)
		if !m.begin() {
			return false
		}
	}
	e := m.est
	for deadline := now.Add(budget); ; {
		done := m.step()
		end := time.Now()
		e.spent += end.Sub(now)
		now = end
		if done {
			m.next = later(m.next, end.Add(stepwiseCost*e.spent))
			return false
		}
		if !end.Before(deadline) {
			return true
		}
	}
}

// later returns the later of a and b.
func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// begin takes the newest input and starts an estimate of it (m.est),
// unless there is nothing new to score; an input that cannot be scored is
// published at once with its reason. It reports whether m.est was started.
func (m *Monitor) begin() bool {
	m.mu.Lock()
	in, fresh := m.in, m.sets != m.used
	m.used = m.sets
	m.mu.Unlock()
	// Nothing new, or an app no longer updating (a closed window, a
	// finished test) whose trainer still publishes: no work.
	if !fresh || in.Model == nil || in.Model == m.scored {
		return false
	}
	ts := &m.ts
	ts.update(in)
	out := NLL{Step: in.Model.Step, Entropy: ts.entropy, EntropySE: ts.se, HaveEntropy: ts.haveEntropy}
	if ts.p0Err != nil {
		out.Err = ts.p0Err
		m.publish(out, in.Model)
		return false
	}
	if len(ts.x) < 2 {
		return false
	}
	if err := usable(in.Model); err != nil {
		out.Err = err
		m.publish(out, in.Model)
		return false
	}
	net, err := in.Model.Net()
	if err != nil {
		out.Err = err
		m.publish(out, in.Model)
		return false
	}
	if m.field == nil {
		m.field = density.NewNetField(net)
	} else {
		m.field.Use(net)
	}
	e := &estimate{out: out, in: in, logq: make([]float64, len(ts.x))}
	if e.run, err = density.NewLogProbRun(m.field, ts.p0, ts.x, 1, density.DefaultOptions(), e.logq); err != nil {
		out.Err = err
		m.publish(out, in.Model)
		return false
	}
	m.est = e
	return true
}

// step computes one piece of the estimate in progress and publishes it once
// done, reporting whether it is.
func (m *Monitor) step() bool {
	e := m.est
	if !e.run.Step() {
		return false
	}
	e.out.Value, e.out.SE = density.NLL(e.logq)
	e.out.N = len(e.logq)
	m.publish(e.out, e.in.Model)
	m.est = nil
	return true
}

// publish makes out, the estimate for model, the latest.
func (m *Monitor) publish(out NLL, model *train.Model) {
	m.mu.Lock()
	m.out, m.have, m.scored = out, true, model
	m.mu.Unlock()
}

// update draws the held-out samples and computes the entropy when the data
// changed: fresh draws of a preset target from a seed of its own (the
// trainer draws from other streams), or the scene's target cloud, itself
// drawn apart from the training batches.
func (ts *targetState) update(in NLLInput) {
	var first *flow.Vec
	if len(in.TargetDraws) > 0 {
		first = &in.TargetDraws[0]
	}
	tgt, tgtErr := data.Load(in.Target)
	if in.Source == ts.source && in.Target == ts.target && (tgtErr == nil || first == ts.draws) && ts.x != nil {
		return
	}
	*ts = targetState{source: in.Source, target: in.Target, draws: first}
	if src, err := data.Load(in.Source); err != nil {
		ts.p0Err = fmt.Errorf("no NLL: the source %s has no log-density", in.Source)
	} else if ts.p0, err = density.MixtureOf(src); err != nil {
		ts.p0Err = fmt.Errorf("no NLL: the source %s has no closed-form log-density", in.Source)
	}
	if tgtErr != nil {
		ts.x = in.TargetDraws
		return
	}
	ts.x = data.Sample(tgt, rand.New(rand.NewPCG(0x41, 0x4e4c4c)), NLLSamples)
	if mix, err := density.MixtureOf(tgt); err == nil {
		ts.entropy, ts.se = mix.Entropy(rand.New(rand.NewPCG(0x45, 0x4e54)), entropyDraws)
		ts.haveEntropy = true
	}
}
