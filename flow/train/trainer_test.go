package train

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/flowviz/flowviz/flow"
	"github.com/flowviz/flowviz/flow/data"
	"github.com/flowviz/flowviz/flow/mlp"
)

// smallConfig is a network and batch small enough that a few hundred steps
// take well under a second.
func smallConfig() Config {
	cfg := DefaultConfig()
	cfg.Net = mlp.Config{Width: 32, Depth: 2, Act: mlp.SiLU}
	cfg.Batch = 64
	cfg.LR = 3e-3
	return cfg
}

func newTrainer(t testing.TB, cfg Config) *Trainer {
	t.Helper()
	tr, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

func steps(t testing.TB, tr *Trainer, n int) []float64 {
	t.Helper()
	losses := make([]float64, n)
	for i := range losses {
		loss, err := tr.Step()
		if err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
		losses[i] = loss
	}
	return losses
}

func mean(xs []float64) float64 {
	s := 0.0
	for _, x := range xs {
		s += x
	}
	return s / float64(len(xs))
}

// w2 is the exact W2 between equal-size clouds.
func w2(a, b []flow.Vec) float64 {
	d, err := flow.W2(a, b)
	if err != nil {
		panic(err)
	}
	return d
}

// sampleModel integrates n source draws through the model with Euler.
func sampleModel(m *Model, n, nsteps int, seed uint64) (x0, x1 []flow.Vec) {
	src, err := data.Load(m.Config.Source)
	if err != nil {
		panic(err)
	}
	x0 = data.Sample(src, rand.New(rand.NewPCG(seed, 1)), n)
	x1 = slices.Clone(x0)
	flow.Integrate(m.Field(), flow.Euler, x1, 0, 1, nsteps, nil)
	return x0, x1
}

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		name   string
		change func(*Config)
		want   string // substring of the error, "" for valid
	}{
		{"default", func(*Config) {}, ""},
		{"ot path", func(c *Config) { c.Path, c.Sigma = "ot", 0.01 }, ""},
		{"ot coupling", func(c *Config) { c.Coupling = CouplingOT }, ""},
		{"reflow with teacher", func(c *Config) { c.Coupling, c.Teacher = CouplingReflow, "m.json" }, ""},
		{"empty source", func(c *Config) { c.Source = "" }, "source"},
		{"empty target", func(c *Config) { c.Target = "" }, "target"},
		{"bad path", func(c *Config) { c.Path = "curvy" }, "path"},
		{"negative sigma", func(c *Config) { c.Sigma = -1 }, "sigma"},
		{"NaN sigma", func(c *Config) { c.Sigma = math.NaN() }, "sigma"},
		{"ot sigma 1", func(c *Config) { c.Path, c.Sigma = "ot", 1 }, "sigma"},
		{"bad coupling", func(c *Config) { c.Coupling = "random" }, "coupling"},
		{"reflow without teacher", func(c *Config) { c.Coupling = CouplingReflow }, "teacher"},
		{"zero width", func(c *Config) { c.Net.Width = 0 }, "width"},
		{"deep", func(c *Config) { c.Net.Depth = 100 }, "depth"},
		{"bad activation", func(c *Config) { c.Net.Act = 42 }, "activation"},
		{"zero batch", func(c *Config) { c.Batch = 0 }, "batch"},
		{"huge batch", func(c *Config) { c.Batch = MaxBatch + 1 }, "batch"},
		{"zero lr", func(c *Config) { c.LR = 0 }, "learning rate"},
		{"inf lr", func(c *Config) { c.LR = math.Inf(1) }, "learning rate"},
		{"negative wd", func(c *Config) { c.WeightDecay = -1 }, "weight decay"},
		{"negative steps", func(c *Config) { c.Steps = -1 }, "steps"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := DefaultConfig()
			tt.change(&c)
			err := c.Validate()
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("unexpected error %v", err)
			case tt.want != "" && err == nil:
				t.Fatalf("no error, want one about %q", tt.want)
			case tt.want != "" && !strings.Contains(err.Error(), tt.want):
				t.Fatalf("error %q does not mention %q", err, tt.want)
			}
		})
	}
}

func TestNewRefusesBadData(t *testing.T) {
	cfg := smallConfig()
	cfg.Target = "no-such-dataset"
	if _, err := New(cfg); err == nil || !strings.Contains(err.Error(), "target") {
		t.Fatalf("New with an unknown target: err = %v, want a target error", err)
	}
}

func TestTrainerLearnsTinyTarget(t *testing.T) {
	cfg := smallConfig()
	cfg.Target = "gaussian:std=0.2,x=2,y=-1"
	tr := newTrainer(t, cfg)

	target := data.Sample(tr.Latest().Target, rand.New(rand.NewPCG(9, 9)), 300)
	_, before := sampleModel(tr.Latest().Model(), 300, 20, 5)
	losses := steps(t, tr, 400)
	tr.Publish()
	_, after := sampleModel(tr.Latest().Model(), 300, 20, 5)

	first, last := mean(losses[:20]), mean(losses[len(losses)-20:])
	if !(last < 0.5*first) {
		t.Errorf("loss did not fall: first 20 steps %.3f, last 20 %.3f", first, last)
	}
	// The loss floor is E‖x1 − x0 − E[x1 − x0 | xt]‖² > 0, but the samples
	// must land on the target: W2 to a target sample falls to its noise level.
	wb, wa := w2(before, target), w2(after, target)
	if !(wa < 0.35 && wa < 0.2*wb) {
		t.Errorf("W2 to the target: %.3f before, %.3f after 400 steps; want < 0.35 and a 5× drop", wb, wa)
	}
	snap := tr.Latest()
	if snap.Step != 400 || len(snap.LossHistory) == 0 || math.IsNaN(snap.Loss) {
		t.Errorf("snapshot step %d, %d history points, loss %v", snap.Step, len(snap.LossHistory), snap.Loss)
	}
}

func TestDeterministicForSeed(t *testing.T) {
	for _, coupling := range []string{CouplingIndependent, CouplingOT} {
		t.Run(coupling, func(t *testing.T) {
			cfg := smallConfig()
			cfg.Coupling = coupling
			cfg.Sigma = 0.1 // exercise the noise draws too
			a, b := newTrainer(t, cfg), newTrainer(t, cfg)
			la, lb := steps(t, a, 60), steps(t, b, 60)
			if !slices.Equal(la, lb) || !slices.Equal(a.net.Params, b.net.Params) {
				t.Fatal("two trainers with the same config diverged")
			}
			cfg.Seed = 2
			c := newTrainer(t, cfg)
			steps(t, c, 60)
			if slices.Equal(a.net.Params, c.net.Params) {
				t.Fatal("a different seed gave the same weights")
			}
		})
	}
}

func TestOTCouplingPairsByAssignment(t *testing.T) {
	cfg := smallConfig()
	cfg.Coupling = CouplingOT
	cfg.Batch = 32
	tr := newTrainer(t, cfg)
	x0, x1 := tr.batch.x0[:32], tr.batch.x1[:32]
	tr.drawPairs(x0, x1)
	// An optimal pairing cannot be improved by swapping any two partners.
	d := func(p, q flow.Vec) float64 { return (p[0]-q[0])*(p[0]-q[0]) + (p[1]-q[1])*(p[1]-q[1]) }
	for i := range x0 {
		for j := range i {
			if d(x0[i], x1[j])+d(x0[j], x1[i]) < d(x0[i], x1[i])+d(x0[j], x1[j])-1e-9 {
				t.Fatalf("swapping partners of %d and %d lowers the cost", i, j)
			}
		}
	}
}

func TestCommandsApplyBetweenSteps(t *testing.T) {
	tr := newTrainer(t, smallConfig())
	steps(t, tr, 30)

	tr.SetLR(5e-4)
	tr.SetBatch(32)
	tr.SetWeightDecay(1e-4)
	steps(t, tr, 1)
	if tr.cfg.LR != 5e-4 || tr.opt.LR != 5e-4 || tr.cfg.Batch != 32 || tr.opt.WeightDecay != 1e-4 {
		t.Fatalf("after SetLR/SetBatch/SetWeightDecay: cfg %+v, adam lr %v wd %v", tr.cfg, tr.opt.LR, tr.opt.WeightDecay)
	}
	tr.SetLR(-1)
	tr.SetBatch(0)
	tr.Publish()
	if s := tr.Latest(); s.Config.LR != 5e-4 || s.Config.Batch != 32 || !strings.Contains(s.Message, "batch 0 refused") {
		t.Fatalf("bad values were not refused: lr %v batch %d message %q", s.Config.LR, s.Config.Batch, s.Message)
	}

	// SetTarget is a warm start: same weights, same optimizer, new data.
	before := tr.Latest()
	params := slices.Clone(tr.net.Params)
	adamSteps := tr.opt.Steps
	newTarget, err := data.Parse("8gaussians")
	if err != nil {
		t.Fatal(err)
	}
	tr.SetTarget(newTarget)
	tr.Publish()
	s := tr.Latest()
	if !slices.Equal(s.Net.Params, params) || tr.opt.Steps != adamSteps || s.Step != before.Step {
		t.Fatal("SetTarget changed the weights, the optimizer or the step")
	}
	if s.DataVersion != before.DataVersion+1 || s.Target.String() != newTarget.String() || s.Config.Target != newTarget.String() {
		t.Fatalf("SetTarget: data version %d → %d, target %v", before.DataVersion, s.DataVersion, s.Target)
	}
	if s.ModelVersion != before.ModelVersion {
		t.Fatal("SetTarget restarted the model")
	}

	// Pause is ignored by Step (headless callers decide), but shows.
	tr.Pause()
	tr.Publish()
	if tr.Latest().State != Paused {
		t.Fatalf("state %v after Pause", tr.Latest().State)
	}
	tr.Resume()
	tr.Publish()
	if tr.Latest().State != Running {
		t.Fatalf("state %v after Resume", tr.Latest().State)
	}

	// Reset: fresh weights from the seed, step 0, the same as a new trainer.
	tr.Reset()
	tr.Publish()
	s = tr.Latest()
	fresh := newTrainer(t, tr.cfg)
	if s.Step != 0 || s.ModelVersion != before.ModelVersion+1 || !slices.Equal(s.Net.Params, fresh.net.Params) || tr.opt.Steps != 0 {
		t.Fatalf("Reset: step %d, model version %d, weights fresh: %v", s.Step, s.ModelVersion, slices.Equal(s.Net.Params, fresh.net.Params))
	}
	tr.Reseed(7)
	tr.Publish()
	if s := tr.Latest(); s.Config.Seed != 7 || slices.Equal(s.Net.Params, fresh.net.Params) {
		t.Fatal("Reseed did not change the seed and weights")
	}
}

func TestSetConfig(t *testing.T) {
	tr := newTrainer(t, smallConfig())
	steps(t, tr, 20)
	v := tr.Latest().ModelVersion

	// Live settings change in place.
	cfg := tr.cfg
	cfg.LR, cfg.Batch, cfg.Steps = 2e-3, 48, 1000
	tr.SetConfig(cfg)
	tr.Publish()
	if s := tr.Latest(); s.Step != 20 || s.ModelVersion != v || s.Config.LR != 2e-3 || s.Config.Batch != 48 {
		t.Fatalf("live change restarted or was lost: step %d version %d cfg %+v", s.Step, s.ModelVersion, s.Config)
	}

	// A new target spec is loaded and swapped in warm.
	cfg.Target = "circles"
	tr.SetConfig(cfg)
	tr.Publish()
	if s := tr.Latest(); s.Step != 20 || s.ModelVersion != v || !strings.HasPrefix(s.Target.String(), "circles") {
		t.Fatalf("target change: step %d version %d target %v", s.Step, s.ModelVersion, s.Target)
	}

	// An architecture change restarts and says so.
	cfg.Net.Width = 24
	tr.SetConfig(cfg)
	tr.Publish()
	s := tr.Latest()
	if s.Step != 0 || s.ModelVersion != v+1 || len(s.Net.Params) != mlp.NumParams(cfg.Net) || !strings.Contains(s.Message, "restarted") {
		t.Fatalf("architecture change: step %d version %d params %d message %q", s.Step, s.ModelVersion, len(s.Net.Params), s.Message)
	}
	steps(t, tr, 2)

	// An invalid config changes nothing.
	bad := cfg
	bad.Target = "nonsense"
	tr.SetConfig(bad)
	tr.Publish()
	if s := tr.Latest(); !strings.Contains(s.Message, "refused") || s.Config.Target != "circles" || s.Step != 2 {
		t.Fatalf("bad config: message %q target %q step %d", s.Message, s.Config.Target, s.Step)
	}
}

func TestDivergenceRollsBackAndRecovers(t *testing.T) {
	cfg := smallConfig()
	cfg.LR = 10
	tr := newTrainer(t, cfg)
	var err error
	for range 500 {
		if _, err = tr.Step(); err != nil {
			break
		}
	}
	if err == nil {
		t.Fatal("no divergence in 500 steps at learning rate 10")
	}
	if !strings.Contains(err.Error(), "diverged at step") || !strings.Contains(err.Error(), "learning rate") {
		t.Fatalf("unhelpful error %q", err)
	}
	s := tr.Latest()
	if s.State != Failed || s.Err == nil || !allFinite(s.Net.Params) || !allFinite(tr.net.Params) {
		t.Fatalf("after divergence: state %v err %v, finite published %v, finite live %v",
			s.State, s.Err, allFinite(s.Net.Params), allFinite(tr.net.Params))
	}
	if s.Step%checkpointSteps != 0 {
		t.Fatalf("rolled back to step %d, not a checkpoint", s.Step)
	}
	if _, err := tr.Step(); err == nil {
		t.Fatal("Step went on after a failure without Resume")
	}

	tr.SetLR(1e-3)
	tr.Resume()
	losses := steps(t, tr, 50)
	tr.Publish()
	s = tr.Latest()
	if s.State != Running || s.Err != nil || !allFinite(s.Net.Params) {
		t.Fatalf("after SetLR+Resume: state %v err %v", s.State, s.Err)
	}
	for _, l := range losses {
		if !finite(l) {
			t.Fatal("non-finite loss after recovering")
		}
	}
}

func TestWaitsOnEmptyTarget(t *testing.T) {
	tr := newTrainer(t, smallConfig())
	steps(t, tr, 5)
	tr.SetTarget(&data.PointSet{Name: "drawing"})
	if _, err := tr.Step(); !errors.Is(err, ErrWaiting) {
		t.Fatalf("Step on an empty target: err = %v, want ErrWaiting", err)
	}
	s := tr.Latest()
	if s.State != Waiting || s.Step != 5 || !allFinite(s.Net.Params) {
		t.Fatalf("state %v step %d", s.State, s.Step)
	}
	tr.SetTarget(&data.PointSet{Name: "drawing", Points: []flow.Vec{{1, 1}, {-1, 1}}, Jitter: 0.05})
	steps(t, tr, 5)
	tr.Publish()
	if s := tr.Latest(); s.State != Running || s.Step != 10 {
		t.Fatalf("after a non-empty target: state %v step %d", s.State, s.Step)
	}
}

// waitFor polls the trainer's snapshots until ok holds or a few seconds pass.
func waitFor(t *testing.T, tr *Trainer, what string, ok func(*Snapshot) bool) *Snapshot {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		if s := tr.Latest(); ok(s) {
			return s
		}
		select {
		case <-tr.Updated():
		case <-time.After(20 * time.Millisecond):
		case <-deadline:
			t.Fatalf("timed out waiting for %s; last snapshot: step %d state %v", what, tr.Latest().Step, tr.Latest().State)
		}
	}
}

func TestRunGoroutine(t *testing.T) {
	goroutines := runtime.NumGoroutine()
	tr := newTrainer(t, smallConfig())
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- tr.Run(ctx) }()

	waitFor(t, tr, "training to start", func(s *Snapshot) bool { return s.Step >= 20 && s.State == Running })
	tr.Pause()
	paused := waitFor(t, tr, "pause", func(s *Snapshot) bool { return s.State == Paused })
	time.Sleep(100 * time.Millisecond)
	if s := tr.Latest(); s.Step != paused.Step {
		t.Fatalf("steps went on while paused: %d → %d", paused.Step, s.Step)
	}
	tr.SetLR(2e-3)
	tr.Resume()
	waitFor(t, tr, "resume", func(s *Snapshot) bool {
		return s.State == Running && s.Step > paused.Step+10 && s.Config.LR == 2e-3
	})
	waitFor(t, tr, "a measured training rate", func(s *Snapshot) bool { return s.StepsPerSec > 0 })

	// An older snapshot never changes while training goes on.
	old := tr.Latest()
	oldParams := slices.Clone(old.Net.Params)
	waitFor(t, tr, "more steps", func(s *Snapshot) bool { return s.Step > old.Step+10 })
	if !slices.Equal(old.Net.Params, oldParams) {
		t.Fatal("a published snapshot's weights changed")
	}

	// Cancellation ends Run promptly, also while paused.
	tr.Pause()
	waitFor(t, tr, "pause", func(s *Snapshot) bool { return s.State == Paused })
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("Run returned %v, want context.Canceled", err)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("Run did not return after cancel")
	}
	deadline := time.Now().Add(2 * time.Second)
	for runtime.NumGoroutine() > goroutines && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > goroutines {
		t.Fatalf("%d goroutines after Run returned, %d before", n, goroutines)
	}
}

func TestRunStopsAtStepBudget(t *testing.T) {
	cfg := smallConfig()
	cfg.Steps = 40
	tr := newTrainer(t, cfg)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error)
	go func() { done <- tr.Run(ctx) }()
	s := waitFor(t, tr, "done", func(s *Snapshot) bool { return s.State == Done })
	if s.Step != 40 {
		t.Fatalf("done at step %d, want 40", s.Step)
	}
	// Raising the budget continues.
	cfg.Steps = 60
	tr.SetConfig(cfg)
	s = waitFor(t, tr, "done again", func(s *Snapshot) bool { return s.State == Done && s.Step == 60 })
	cancel()
	<-done
	if s.ModelVersion != 1 {
		t.Fatalf("raising Steps restarted the model (version %d)", s.ModelVersion)
	}
}

func TestRunWaitsWithoutSpinning(t *testing.T) {
	cfg := smallConfig()
	tr := newTrainer(t, cfg)
	tr.SetTarget(&data.PointSet{})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- tr.Run(ctx) }()
	waitFor(t, tr, "waiting", func(s *Snapshot) bool { return s.State == Waiting })
	// While waiting nothing is published: the goroutine sleeps.
	seen := tr.Latest()
	time.Sleep(100 * time.Millisecond)
	if tr.Latest() != seen {
		t.Fatal("a waiting trainer kept publishing")
	}
	tr.SetTarget(&data.PointSet{Points: []flow.Vec{{0, 2}}, Jitter: 0.1})
	waitFor(t, tr, "training on the new target", func(s *Snapshot) bool { return s.State == Running && s.Step > 5 })
	cancel()
	<-done
}

func TestStepAllocatesNothing(t *testing.T) {
	for _, coupling := range []string{CouplingIndependent, CouplingOT} {
		t.Run(coupling, func(t *testing.T) {
			cfg := smallConfig()
			cfg.Coupling = coupling
			tr := newTrainer(t, cfg)
			steps(t, tr, 3)
			if n := testing.AllocsPerRun(50, func() { tr.trainStep() }); n != 0 {
				t.Fatalf("%v allocations per warm step", n)
			}
		})
	}
}

func TestLossCurveIsBounded(t *testing.T) {
	var c lossCurve
	c.reset()
	for i := range 10 * historyLen {
		c.add(float64(i))
	}
	if len(c.points) >= historyLen || c.stride < 16 {
		t.Fatalf("%d points at stride %d", len(c.points), c.stride)
	}
	// Each point is the mean of its stride of steps: point k covers steps
	// k·stride .. (k+1)·stride − 1, mean k·stride + (stride−1)/2.
	for k, v := range c.points {
		want := float64(k*c.stride) + float64(c.stride-1)/2
		if math.Abs(float64(v)-want) > 1e-3*want+1e-3 {
			t.Fatalf("point %d = %v, want %v", k, v, want)
		}
	}
}

func BenchmarkStep(b *testing.B) {
	for _, bc := range []struct {
		coupling string
		width    int
	}{{CouplingIndependent, 64}, {CouplingIndependent, 128}, {CouplingOT, 64}} {
		b.Run(bc.coupling+"/w"+strconv.Itoa(bc.width), func(b *testing.B) {
			cfg := DefaultConfig()
			cfg.Coupling = bc.coupling
			cfg.Net.Width = bc.width
			tr := newTrainer(b, cfg)
			steps(b, tr, 5)
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				tr.trainStep()
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "steps/s")
		})
	}
}
