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

// Monitor recomputes the live NLL every NLLEvery on a goroutine of its
// own: mean −log p_1 of NLLSamples target samples held out from training
// (fixed draws per target, so the number moves with the model only).
// Set and Latest never block on a computation.
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
	opt    density.Options
	scored *train.Model // the model of out
}

// Start runs the monitor until Close, on a goroutine lowered by lower.
func (m *Monitor) Start(lower func()) {
	if m.stop != nil {
		return
	}
	m.wake = make(chan struct{}, 1)
	m.opt = density.DefaultOptions()
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

func (m *Monitor) run(ctx context.Context) {
	tick := time.NewTicker(NLLEvery)
	defer tick.Stop()
	var ts targetState
	var field *density.NetField
	first := time.NewTimer(500 * time.Millisecond)
	defer first.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		case <-first.C:
		}
		m.mu.Lock()
		in, fresh := m.in, m.sets != m.used
		m.used = m.sets
		m.mu.Unlock()
		// Nothing new, or an app no longer updating (a closed window, a
		// finished test) whose trainer still publishes: no work.
		if !fresh || in.Model == nil || in.Model == m.scored {
			continue
		}
		ts.update(in)
		out := NLL{Step: in.Model.Step, Entropy: ts.entropy, EntropySE: ts.se, HaveEntropy: ts.haveEntropy}
		switch {
		case ts.p0Err != nil:
			out.Err = ts.p0Err
		case len(ts.x) < 2:
			continue
		default:
			if err := usable(in.Model); err != nil {
				out.Err = err
				break
			}
			net, err := in.Model.Net()
			if err != nil {
				out.Err = err
				break
			}
			if field == nil {
				field = density.NewNetField(net)
			} else {
				field.Use(net)
			}
			logq := make([]float64, len(ts.x))
			if err := density.LogProb(ctx, field, ts.p0, ts.x, 1, m.opt, logq); err != nil {
				return // cancelled
			}
			out.Value, out.SE = density.NLL(logq)
			out.N = len(logq)
		}
		m.mu.Lock()
		m.out, m.have, m.scored = out, true, in.Model
		m.mu.Unlock()
	}
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
