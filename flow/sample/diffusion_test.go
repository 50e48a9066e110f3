package sample

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/flowviz/flowviz/flow"
	"github.com/flowviz/flowviz/flow/data"
	"github.com/flowviz/flowviz/flow/mlp"
	"github.com/flowviz/flowviz/flow/train"
)

// TestFrameConvertsPrediction checks a frame of a VE noise-prediction model:
// the particles start from the wide source σmax·x0, and arrows and paths are
// the velocity the noise prediction converts to.
func TestFrameConvertsPrediction(t *testing.T) {
	cfg := train.DefaultConfig()
	cfg.Net = mlp.Config{Width: 16, Depth: 2, Act: mlp.SiLU}
	cfg.Batch = 64
	cfg.Schedule, cfg.Predict = "ve:min=0.01,max=6", "noise"
	s := New(trained(t, cfg, 20), DefaultSettings())
	st := smallSettings()
	f := frame(t, s, st)

	m := f.Snap.Model()
	if m.StartScale() != 6 {
		t.Fatalf("start scale %v, want σmax = 6", m.StartScale())
	}
	// The source cloud is 6× the standard draws: its RMS radius is about 6·√2.
	var r2 float64
	for _, p := range f.SourcePts {
		r2 += (p[0]*p[0] + p[1]*p[1]) / float64(len(f.SourcePts))
	}
	if r := math.Sqrt(r2 / 2); r < 5 || r > 7 {
		t.Fatalf("source cloud std %v, want about 6", r)
	}
	field := m.Field()
	x := slices.Clone(f.Traj[0])
	flow.Integrate(field, st.Solver, x, 0, 1, st.Steps, nil)
	for i := range x {
		if d := math.Hypot(x[i][0]-f.Traj[st.Steps][i][0], x[i][1]-f.Traj[st.Steps][i][1]); d > 1e-9 {
			t.Fatalf("particle %d ends at %v, the converted field gives %v", i, f.Traj[st.Steps][i], x[i])
		}
	}
	v := make([]flow.Vec, len(f.GridPts))
	field.Velocity(v, f.GridPts, f.Times[3])
	raw := make([]flow.Vec, len(f.GridPts))
	m.Prediction(mlp.NullClass).Velocity(raw, f.GridPts, f.Times[3])
	for j := range v {
		if d := math.Hypot(v[j][0]-f.Field[3][j][0], v[j][1]-f.Field[3][j][1]); d > 1e-9 {
			t.Fatalf("arrow %d = %v, converted velocity %v", j, f.Field[3][j], v[j])
		}
	}
	if slices.Equal(raw, v) {
		t.Fatal("the frame shows the raw noise prediction")
	}
}

// trained returns a trainer of cfg after n steps.
func trained(t *testing.T, cfg train.Config, n int) *train.Trainer {
	t.Helper()
	tr, err := train.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	for range n {
		if _, err := tr.Step(); err != nil {
			t.Fatal(err)
		}
	}
	tr.Publish()
	return tr
}

// TestFrameClassesAndGuidance samples a conditional 8-Gaussians model: every
// class by default (particle i in class i mod 8), one class, and the
// unconditional field at Guidance −1; the class accuracy of the particles
// follows.
func TestFrameClassesAndGuidance(t *testing.T) {
	if testing.Short() {
		t.Skip("trains a model")
	}
	cfg := train.DefaultConfig()
	cfg.Target = "8gaussians:radius=4,std=0.4"
	cfg.Net = mlp.Config{Width: 48, Depth: 3, Act: mlp.SiLU, Classes: 8}
	cfg.Batch = 128
	tr := trained(t, cfg, 2000)
	s := New(tr, DefaultSettings())
	target, _ := data.Parse(cfg.Target)
	ref, refLabels := make([]flow.Vec, 2000), make([]int, 2000)
	target.(data.Labeled).SampleLabeled(rand.New(rand.NewPCG(1, 1)), ref, refLabels)
	accuracy := func(f *Frame) float64 {
		hits := 0
		end := f.Traj[len(f.Traj)-1]
		for i, k := range f.Labels {
			if flow.NearestClass(end[i], ref, refLabels) == k {
				hits++
			}
		}
		return float64(hits) / float64(len(f.Labels))
	}
	st := smallSettings()
	st.Particles, st.Steps, st.Solver = 800, 30, flow.Euler
	st.View = [4]float64{-6, -6, 6, 6}
	all := frame(t, s, st)
	for i, k := range all.Labels {
		if k != i%8 {
			t.Fatalf("particle %d in class %d, want %d", i, k, i%8)
		}
	}
	st.Guidance = 1 // w = 2
	guided := frame(t, s, st)
	st.Guidance = -1 // w = 0: u(x | ∅)
	uncond := frame(t, s, st)
	st.Guidance, st.OneClass, st.Class = 0, true, 3
	one := frame(t, s, st)
	for _, k := range one.Labels {
		if k != 3 {
			t.Fatalf("one-class frame has a particle of class %d", k)
		}
	}
	a, g, u, o := accuracy(all), accuracy(guided), accuracy(uncond), accuracy(one)
	t.Logf("class accuracy: w=1 %.3f, w=2 %.3f, w=0 %.3f, class 3 alone %.3f", a, g, u, o)
	if !(u < 0.3 && a > 0.7 && g >= a-0.02 && o > 0.7) {
		t.Errorf("class accuracy: w=1 %.3f, w=2 %.3f, w=0 %.3f, class 3 %.3f", a, g, u, o)
	}
	// The arrows of a one-class frame are that class's field, not u(x | ∅).
	if slices.Equal(one.Field[5], all.Field[5]) {
		t.Error("one class shows the unconditional arrows")
	}
}

// TestFrameSDE checks that Noise > 0 samples the SDE reproducibly from the
// same source draws, and that the arrows stay the velocity.
func TestFrameSDE(t *testing.T) {
	cfg := train.DefaultConfig()
	cfg.Net = mlp.Config{Width: 16, Depth: 2, Act: mlp.SiLU}
	cfg.Batch = 64
	cfg.Schedule, cfg.Predict = "vp", "score"
	tr := trained(t, cfg, 30)
	s := New(tr, DefaultSettings())
	st := smallSettings()
	ode := frame(t, s, st)
	st.Noise = 1
	sde := frame(t, s, st)
	again := frame(t, s, st)
	if !slices.Equal(ode.Traj[0], sde.Traj[0]) || slices.Equal(ode.Traj[st.Steps], sde.Traj[st.Steps]) {
		t.Fatal("the SDE frame does not start where the ODE does, or ends at the same place")
	}
	if !slices.Equal(sde.Traj[st.Steps], again.Traj[st.Steps]) {
		t.Fatal("the same settings gave another SDE frame")
	}
	if !slices.Equal(ode.Field[2], sde.Field[2]) || sde.Labels != nil {
		t.Fatal("the SDE frame's arrows are not the velocity")
	}
	// A path without a scheduler ignores the noise.
	cfg.Schedule, cfg.Predict, cfg.Sigma = "", "", 0.2
	s = New(trained(t, cfg, 5), DefaultSettings())
	st.Noise = 0
	a := frame(t, s, st)
	st.Noise = 2
	if b := frame(t, s, st); !slices.Equal(a.Traj[st.Steps], b.Traj[st.Steps]) {
		t.Error("noise changed the ODE of the noisy linear path")
	}
}
