package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/flowviz/flowviz/flow"
	"github.com/flowviz/flowviz/flow/compare"
	"github.com/flowviz/flowviz/flow/diffspec"
	"github.com/flowviz/flowviz/flow/mlp"
	"github.com/flowviz/flowviz/flow/train"
)

// modelSpec is one side of a comparison: the training config and the solver
// its samples are measured with.
type modelSpec struct {
	cfg    train.Config
	solver flow.Solver
}

// specKeys are the settings a SPEC may change, named as the flags of train
// (and sample's -solver).
var specKeys = diffspec.Keys[modelSpec]{
	{Name: "source", Doc: "source dataset spec", Set: diffspec.String(func(s *modelSpec) *string { return &s.cfg.Source })},
	{Name: "target", Doc: "target dataset spec", Set: diffspec.String(func(s *modelSpec) *string { return &s.cfg.Target })},
	{Name: "coupling", Doc: "independent or ot", Set: diffspec.String(func(s *modelSpec) *string { return &s.cfg.Coupling })},
	{Name: "path", Doc: "linear or ot", Set: diffspec.String(func(s *modelSpec) *string { return &s.cfg.Path })},
	{Name: "sigma", Doc: "σ of the path", Set: diffspec.Float(func(s *modelSpec) *float64 { return &s.cfg.Sigma })},
	{Name: "width", Doc: "hidden units per layer", Set: diffspec.Int(func(s *modelSpec) *int { return &s.cfg.Net.Width })},
	{Name: "depth", Doc: "hidden layers", Set: diffspec.Int(func(s *modelSpec) *int { return &s.cfg.Net.Depth })},
	{Name: "act", Doc: "silu, selu, tanh or relu", Set: func(s *modelSpec, v string) (err error) {
		s.cfg.Net.Act, err = mlp.ParseActivation(v)
		return err
	}},
	{Name: "fourier", Doc: "Fourier features of t", Set: diffspec.Int(func(s *modelSpec) *int { return &s.cfg.Net.Fourier })},
	{Name: "batch", Doc: "pairs per step", Set: diffspec.Int(func(s *modelSpec) *int { return &s.cfg.Batch })},
	{Name: "lr", Doc: "Adam learning rate", Set: diffspec.Float(func(s *modelSpec) *float64 { return &s.cfg.LR })},
	{Name: "wd", Doc: "decoupled weight decay", Set: diffspec.Float(func(s *modelSpec) *float64 { return &s.cfg.WeightDecay })},
	{Name: "seed", Doc: "seed of the weights and the batches", Set: diffspec.Uint(func(s *modelSpec) *uint64 { return &s.cfg.Seed })},
	{Name: "solver", Doc: "euler, midpoint, heun or rk4 (the measured solve)", Set: func(s *modelSpec, v string) (err error) {
		s.solver, err = flow.ParseSolver(v)
		return err
	}},
}

// specHelp lists the keys of a SPEC.
func specHelp(w io.Writer) {
	fmt.Fprintf(w, "SPEC is a list of key=value settings, separated by commas or spaces; B starts from A:\n")
	specKeys.Help(w)
}

// apply changes s by the settings of spec; a key given twice is an error.
func (s *modelSpec) apply(spec string) error { return specKeys.Apply(s, spec) }

// compareChunk is how many steps each model takes between two meetings of
// the lockstep: large enough that meeting costs nothing, small enough that
// Ctrl+C and progress are prompt.
const compareChunk = 10

// lockstepModel is one side of the lockstep.
type lockstepModel struct {
	tr    *train.Trainer
	busy  time.Duration // CPU time of its own steps (wall time where that cannot be read)
	steps int
	err   error
}

// stepChunk takes n steps on a thread of its own, adding their CPU time to
// busy. On a machine shared with other work the wall time of a step counts
// whatever else the core ran meanwhile; the thread's CPU time does not, so
// two equal networks report equal speeds however the scheduler treats them.
func (m *lockstepModel) stepChunk(n int) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	cpu0, cpuOK := threadCPU()
	wall0 := time.Now()
	defer func() {
		if cpu1, ok := threadCPU(); cpuOK && ok {
			m.busy += cpu1 - cpu0
		} else {
			m.busy += time.Since(wall0)
		}
	}()
	for range n {
		if _, err := m.tr.Step(); err != nil {
			m.err = err
			return
		}
		m.steps++
	}
}

func (m *lockstepModel) stepsPerSec() float64 {
	if m.busy <= 0 {
		return 0
	}
	return float64(m.steps) / m.busy.Seconds()
}

func setupCompare(fs *flag.FlagSet) func(context.Context, *env) error {
	var (
		specA, specB string
		steps        int
		opt          compare.Options
		solver       string
		asJSON, q    bool
	)
	fs.StringVar(&specA, "a", "", "settings of model A over train's defaults, e.g. 'source=8gaussians:std=0.5,target=moons'")
	fs.StringVar(&specB, "b", "", "settings of model B that differ from A, e.g. 'coupling=ot'")
	fs.IntVar(&steps, "steps", 3000, "training steps of each model")
	fs.IntVar(&opt.N, "n", compare.DefaultN, "samples the metrics are measured on (exact W2)")
	fs.IntVar(&opt.Steps, "sample-steps", compare.DefaultSteps, "solver steps of the measured solve")
	fs.StringVar(&solver, "solver", "euler", "ODE solver of the measured solve (a SPEC's solver= overrides it)")
	fs.Uint64Var(&opt.Seed, "sample-seed", 2, "seed of the measured source and target draws (the same for both models)")
	fs.BoolVar(&asJSON, "json", false, "print the comparison as JSON")
	fs.BoolVar(&q, "q", false, "no progress on stderr")
	return func(ctx context.Context, e *env) error {
		if steps < 1 {
			return usagef("-steps %d: must be ≥ 1", steps)
		}
		if opt.N < 2 || opt.N > flow.MaxW2Points {
			return usagef("-n %d: must be in 2..%d", opt.N, flow.MaxW2Points)
		}
		if opt.Steps < 1 || opt.Steps > compare.MaxSteps {
			return usagef("-sample-steps %d: must be in 1..%d", opt.Steps, compare.MaxSteps)
		}
		s, err := flow.ParseSolver(solver)
		if err != nil {
			return usagef("-solver: %v", err)
		}
		a := modelSpec{cfg: train.DefaultConfig(), solver: s}
		a.cfg.Steps = 0
		if err := a.apply(specA); err != nil {
			return usagef("-a: %v", err)
		}
		b := a
		if err := b.apply(specB); err != nil {
			return usagef("-b: %v", err)
		}
		for _, side := range []struct {
			name string
			s    modelSpec
		}{{"-a", a}, {"-b", b}} {
			if side.s.cfg.Coupling == train.CouplingReflow {
				return usagef("%s: the reflow coupling needs a teacher model; compare trains from scratch", side.name)
			}
			if err := side.s.cfg.Validate(); err != nil {
				return usagef("%s: %v", side.name, err)
			}
		}
		models := make([]*lockstepModel, 2)
		for i, s := range []modelSpec{a, b} {
			tr, err := train.New(s.cfg)
			if err != nil {
				return fmt.Errorf("model %c: %w", 'A'+i, err)
			}
			models[i] = &lockstepModel{tr: tr}
		}
		labelA, labelB := strings.TrimSpace(specA), strings.TrimSpace(specB)
		if labelA == "" {
			labelA = "defaults"
		}
		if labelB == "" {
			labelB = "same as A"
		}
		if !q {
			fmt.Fprintf(e.stderr, "A: %s\nB: %s\ntraining both for %d steps in lockstep (same batches unless the coupling differs)\n", labelA, labelB, steps)
		}

		interrupted := trainLockstep(ctx, e, models, steps, q)
		var failed error
		for i, m := range models {
			if m.err != nil {
				failed = errors.Join(failed, fmt.Errorf("model %c: %w", 'A'+i, m.err))
			}
		}

		// Measuring takes a fraction of a second; after a Ctrl+C it still
		// runs, and a second Ctrl+C stops it.
		mctx := ctx
		if interrupted {
			var stop context.CancelFunc
			mctx, stop = signal.NotifyContext(context.Background(), os.Interrupt)
			defer stop()
			fmt.Fprintf(e.stderr, "interrupted at step %d; measuring what is trained (Ctrl+C again to quit)\n", models[0].steps)
		}
		metrics := make([]compare.Metrics, 2)
		errs := make([]error, 2)
		var wg sync.WaitGroup
		for i, s := range []modelSpec{a, b} {
			wg.Go(func() {
				m := models[i]
				m.tr.Publish()
				o := opt
				o.Solver = s.solver
				metrics[i], errs[i] = compare.Measure(mctx, m.tr.Latest(), nil, o)
				// Lockstep pace is the slower model's; each model's own
				// speed is its steps per CPU second of stepping.
				metrics[i].StepsPerSec = m.stepsPerSec()
			})
		}
		wg.Wait()
		if err := errors.Join(errs...); err != nil {
			return errors.Join(failed, fmt.Errorf("measuring: %w", err))
		}
		r := compare.NewReport(labelA, labelB, metrics[0], metrics[1])
		if asJSON {
			err = r.WriteJSON(e.stdout)
		} else {
			fmt.Fprintf(e.stdout, "%d samples, %d solver steps (A %s, B %s), sample seed %d\n", opt.N, opt.Steps, a.solver, b.solver, opt.Seed)
			err = r.WriteTable(e.stdout)
		}
		if err != nil {
			return err
		}
		if failed != nil {
			return failed
		}
		if interrupted {
			return errors.New("interrupted; the table shows the models so far")
		}
		return nil
	}
}

// trainLockstep trains the models side by side, each on its own goroutine,
// meeting every compareChunk steps: neither runs ahead, and both take the
// same step numbers, hence the same batches. It stops at steps, on the
// first error or when ctx ends (then it reports true), printing progress
// every second unless quiet.
func trainLockstep(ctx context.Context, e *env, models []*lockstepModel, steps int, quiet bool) (interrupted bool) {
	lastReport := time.Now()
	for done := 0; done < steps; {
		if ctx.Err() != nil {
			return true
		}
		n := min(compareChunk, steps-done)
		var wg sync.WaitGroup
		for _, m := range models {
			wg.Go(func() { m.stepChunk(n) })
		}
		wg.Wait()
		done += n
		for _, m := range models {
			if m.err != nil {
				return false
			}
		}
		if now := time.Now(); !quiet && (now.Sub(lastReport) >= progressEvery || done == steps) {
			lastReport = now
			fmt.Fprintf(e.stderr, "step %d/%d  A loss %.4f %4.0f steps/s  B loss %.4f %4.0f steps/s\n", done, steps,
				models[0].tr.Latest().Loss, models[0].stepsPerSec(), models[1].tr.Latest().Loss, models[1].stepsPerSec())
		}
	}
	return false
}
