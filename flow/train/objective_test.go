package train

import (
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/flowviz/flowviz/flow"
	"github.com/flowviz/flowviz/flow/data"
	"github.com/flowviz/flowviz/flow/mlp"
)

// TestVersion1ModelLoads reads a model file written by the version-1 build
// (testdata/model-v1.json), checks that it reads as the defaults of version
// 2, samples sensibly, and is written back as version 2.
func TestVersion1ModelLoads(t *testing.T) {
	m, err := LoadModel("testdata/model-v1.json")
	if err != nil {
		t.Fatal(err)
	}
	if m.Version != ModelVersion || m.Config.Schedule != "" || m.Config.Predict != "" || m.Classes() != 0 ||
		m.Predicts() != flow.Velocity || m.Step != 200 || m.StartScale() != 1 {
		t.Fatalf("version-1 model read as %+v", m)
	}
	x := []flow.Vec{{1, 0}, {-1, 2}}
	raw, v := make([]flow.Vec, 2), make([]flow.Vec, 2)
	m.Prediction(mlp.NullClass).Velocity(raw, x, 0.3)
	m.Field().Velocity(v, x, 0.3)
	if !slices.Equal(raw, v) || !finiteVecs(v) {
		t.Fatalf("velocity %v, raw %v", v, raw)
	}
	var buf []byte
	{
		f, err := os.CreateTemp(t.TempDir(), "m*.json")
		if err != nil {
			t.Fatal(err)
		}
		if err := WriteModel(f, m); err != nil {
			t.Fatal(err)
		}
		f.Close()
		if buf, err = os.ReadFile(f.Name()); err != nil {
			t.Fatal(err)
		}
	}
	if !slices.Equal(buf[:45], []byte(`{"format":"flowviz-model","version":2,"config`)) {
		t.Errorf("rewritten as %.60s", buf)
	}
}

func finiteVecs(v []flow.Vec) bool {
	for _, p := range v {
		if math.IsNaN(p[0]) || math.IsInf(p[0], 0) || math.IsNaN(p[1]) || math.IsInf(p[1], 0) {
			return false
		}
	}
	return true
}

// TestObjectiveValidation checks the settings that cannot go together.
func TestObjectiveValidation(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(*Config)
		ok   bool
	}{
		{"vp noise", func(c *Config) { c.Schedule, c.Predict = "vp", "noise" }, true},
		{"score on the ot path", func(c *Config) { c.Path, c.Sigma, c.Predict = "ot", 0.05, "score" }, true},
		{"score on noisy linear", func(c *Config) { c.Sigma, c.Predict = 0.1, "score" }, false},
		{"schedule with ot", func(c *Config) { c.Path, c.Schedule = "ot", "cosine" }, false},
		{"bad target", func(c *Config) { c.Predict = "flux" }, false},
		{"p_uncond 1.5", func(c *Config) { c.PUncond = 1.5 }, false},
		{"classes with ot", func(c *Config) { c.Net.Classes, c.Coupling = 8, CouplingOT }, false},
		{"classes", func(c *Config) { c.Net.Classes = 8 }, true},
	} {
		cfg := smallConfig()
		tc.edit(&cfg)
		if err := cfg.Validate(); (err == nil) != tc.ok {
			t.Errorf("%s: Validate = %v", tc.name, err)
		}
	}
}

// TestPredictionTargetsLearn trains a small network to each target on a
// Gaussian target N(m, τ²) and compares the converted velocity with the
// exact one (flow.MixtureField) over the bulk of p_t.
func TestPredictionTargetsLearn(t *testing.T) {
	if testing.Short() {
		t.Skip("trains four models")
	}
	for _, tc := range []struct {
		schedule, predict string
		tol               float64 // RMS velocity error relative to the RMS exact velocity
	}{
		{"", "velocity", 0.1},
		// Noise → velocity divides by α, which VP makes small early
		// (α = 0.017 at t = 0.1): the network's error is amplified there.
		{"vp", "noise", 0.25},
		{"cosine", "data", 0.15},
		{"linear", "score", 0.15},
	} {
		cfg := smallConfig()
		cfg.Target = "gaussian:std=0.5,x=2,y=-1"
		cfg.Schedule, cfg.Predict = tc.schedule, tc.predict
		cfg.Net.Fourier = 2
		tr := newTrainer(t, cfg)
		steps(t, tr, 2500)
		tr.Publish()
		m := tr.Latest().Model()
		sched, _ := m.Scheduler()
		exact := &flow.MixtureField{Sched: sched, Mix: data.Gaussian{Std: 0.5, Mean: flow.Vec{2, -1}}.Mixture()}
		rng := rand.New(rand.NewPCG(1, 2))
		var errSq, normSq float64
		for _, tt := range []float64{0.1, 0.3, 0.5, 0.7, 0.9} {
			// Points of p_t: α·x1 + σ·x0.
			c := sched.At(tt)
			x := make([]flow.Vec, 200)
			for i := range x {
				x[i] = flow.Vec{c.Alpha*(2+0.5*rng.NormFloat64()) + c.Sigma*rng.NormFloat64(),
					c.Alpha*(-1+0.5*rng.NormFloat64()) + c.Sigma*rng.NormFloat64()}
			}
			got, want := make([]flow.Vec, len(x)), make([]flow.Vec, len(x))
			m.Field().Velocity(got, x, tt)
			exact.Velocity(want, x, tt)
			for i := range x {
				errSq += (got[i][0]-want[i][0])*(got[i][0]-want[i][0]) + (got[i][1]-want[i][1])*(got[i][1]-want[i][1])
				normSq += want[i][0]*want[i][0] + want[i][1]*want[i][1]
			}
		}
		if rel := math.Sqrt(errSq / normSq); rel > tc.tol {
			t.Errorf("%s %s: relative RMS velocity error %.3f, want ≤ %v", tc.schedule, tc.predict, rel, tc.tol)
		} else {
			t.Logf("%s %s: relative RMS velocity error %.3f", tc.schedule, tc.predict, rel)
		}
	}
}

// TestGuidanceRaisesClassAccuracy trains a class-conditional model on 8
// Gaussians and samples every class with guidance w = 0 (unconditional), 1
// and 4: the class accuracy must rise with w, from about 1/8 to near 1.
func TestGuidanceRaisesClassAccuracy(t *testing.T) {
	if testing.Short() {
		t.Skip("trains a model")
	}
	cfg := smallConfig()
	cfg.Target = "8gaussians:radius=4,std=0.5"
	cfg.Net = mlp.Config{Width: 64, Depth: 3, Act: mlp.SiLU, Classes: 8}
	cfg.Batch = 128
	tr := newTrainer(t, cfg)
	steps(t, tr, 3000)
	tr.Publish()
	m := tr.Latest().Model()
	target, _ := data.Parse(cfg.Target)
	rng := rand.New(rand.NewPCG(3, 4))
	ref := make([]flow.Vec, 2000)
	labels := make([]int, len(ref))
	target.(data.Labeled).SampleLabeled(rng, ref, labels)
	acc := func(w float64) float64 {
		sum := 0.0
		for k := range 8 {
			x := data.Sample(data.Gaussian{Std: 1}, rng, 200)
			flow.Integrate(m.VelocityField(k, w), flow.Euler, x, 0, 1, 50, nil)
			sum += flow.ClassAccuracy(x, k, ref, labels) / 8
		}
		return sum
	}
	a0, a1, a4 := acc(0), acc(1), acc(4)
	t.Logf("class accuracy: w=0 %.3f, w=1 %.3f, w=4 %.3f", a0, a1, a4)
	if !(a0 < 0.3 && a1 > a0+0.4 && a4 >= a1 && a4 > 0.9) {
		t.Errorf("class accuracy does not rise with guidance: w=0 %.3f, w=1 %.3f, w=4 %.3f", a0, a1, a4)
	}
}

// TestLabelDropout checks that about p_uncond of the labels are the null
// class, and that a target without labels trains only the null class.
func TestLabelDropout(t *testing.T) {
	cfg := smallConfig()
	cfg.Target = "8gaussians"
	cfg.Net.Classes = 8
	cfg.PUncond = 0.25
	tr := newTrainer(t, cfg)
	x0, x1 := make([]flow.Vec, 4000), make([]flow.Vec, 4000)
	tr.obj.drawPairs(tr, x0, x1)
	null := 0
	for i, k := range tr.obj.labels[:4000] {
		if k == mlp.NullClass {
			null++
			continue
		}
		// The label is the mode the point came from.
		s, c := math.Sincos(float64(k) * math.Pi / 4)
		if math.Hypot(x1[i][0]-5*c, x1[i][1]-5*s) > 6 {
			t.Fatalf("point %v labelled %d", x1[i], k)
		}
	}
	if f := float64(null) / 4000; math.Abs(f-0.25) > 0.03 {
		t.Errorf("null fraction %.3f, want 0.25", f)
	}
	tr.target = data.Gaussian{Std: 1}
	tr.obj.drawPairs(tr, x0, x1)
	for _, k := range tr.obj.labels[:4000] {
		if k != mlp.NullClass {
			t.Fatalf("unlabelled target gave label %d", k)
		}
	}
	steps(t, tr, 5) // and trains
}

// TestSDEFromModel checks that a model's SDE drift with noise 0 is its
// velocity field, and that the linear path with σ > 0 has no SDE.
func TestSDEFromModel(t *testing.T) {
	cfg := smallConfig()
	cfg.Schedule, cfg.Predict = "vp", "noise"
	tr := newTrainer(t, cfg)
	m := tr.Latest().Model()
	d, err := m.SDEDrift(mlp.NullClass, 1, 0)
	if err != nil {
		t.Fatal(err)
	}
	x := []flow.Vec{{0.5, 0.5}, {-1, 2}}
	a, b := make([]flow.Vec, 2), make([]flow.Vec, 2)
	d.Velocity(a, x, 0.4)
	m.Field().Velocity(b, x, 0.4)
	for i := range a {
		if math.Abs(a[i][0]-b[i][0]) > 1e-12 || math.Abs(a[i][1]-b[i][1]) > 1e-12 {
			t.Errorf("drift %v, velocity %v", a[i], b[i])
		}
	}
	cfg = smallConfig()
	cfg.Sigma = 0.2
	m = newTrainer(t, cfg).Latest().Model()
	if _, err := m.SDEDrift(mlp.NullClass, 1, 1); err == nil {
		t.Error("SDE of the noisy linear path accepted")
	}
	if err := m.CheckClass(2); err == nil {
		t.Error("class of an unconditional model accepted")
	}
}

// TestLiveObjectiveChange switches a running trainer from flow matching to
// denoising score matching and back: the model restarts and says why.
func TestLiveObjectiveChange(t *testing.T) {
	tr := newTrainer(t, smallConfig())
	steps(t, tr, 3)
	cfg := smallConfig()
	cfg.Schedule, cfg.Predict = "vp", "score"
	tr.SetConfig(cfg)
	steps(t, tr, 3)
	tr.Publish()
	s := tr.Latest()
	if s.Step != 3 || s.Config.Predict != "score" || tr.obj == nil || tr.obj.kind != flow.Score {
		t.Fatalf("after the switch: step %d, config %+v", s.Step, s.Config)
	}
	if want := "schedule or prediction target changed to vp, score"; !strings.Contains(s.Message, want) {
		t.Errorf("message %q, want %q", s.Message, want)
	}
	tr.SetConfig(smallConfig())
	steps(t, tr, 1)
	if tr.obj != nil {
		t.Error("back to velocity kept the objective")
	}
}

// BenchmarkObjectiveStep measures a training step of each objective beside
// the default (BenchmarkStep/independent/w64).
func BenchmarkObjectiveStep(b *testing.B) {
	for _, bc := range []struct {
		name              string
		schedule, predict string
		classes           int
	}{
		{"vp-noise", "vp", "noise", 0},
		{"vp-score", "vp", "score", 0},
		{"cond8", "", "", 8},
	} {
		b.Run(bc.name, func(b *testing.B) {
			cfg := DefaultConfig()
			cfg.Target = "8gaussians"
			cfg.Schedule, cfg.Predict, cfg.Net.Classes = bc.schedule, bc.predict, bc.classes
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
