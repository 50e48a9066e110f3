package hd

import (
	"context"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/flowviz/flowviz/flow/mlp"
)

// meanNearest samples n images from the snapshot's network (Euler, 20
// steps) and returns their mean distance to the nearest of ref.
func meanNearest(t *testing.T, s *Snapshot, ref []float32, n int) float64 {
	t.Helper()
	d := s.Net.Config.PointDim()
	x := make([]float32, n*d)
	Noise(rand.New(rand.NewPCG(9, 9)), x)
	if err := Euler(context.Background(), s.Net, x, 20, nil); err != nil {
		t.Fatal(err)
	}
	dist := make([]float64, n)
	Nearest(x, ref, d, nil, dist)
	var sum float64
	for _, v := range dist {
		sum += v
	}
	return sum / float64(n)
}

// TestTrainingLearnsDigits8 trains a small 8 × 8 model for 400 steps: the
// loss must fall and the samples must move from noise towards the data
// (their mean distance to the nearest of 2,000 fresh images must shrink).
func TestTrainingLearnsDigits8(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Target = "digits8"
	cfg.Net = mlp.Config{Width: 128, Depth: 2, Act: mlp.SiLU}
	cfg.Batch = 128
	cfg.LR = 2e-3
	tr, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if got := tr.Config().Net.Dim; got != 64 {
		t.Fatalf("Net.Dim = %d, want 64", got)
	}
	ref := make([]float32, 2000*64)
	tr.Data().Sample(rand.New(rand.NewPCG(5, 5)), ref, make([]int, 2000))
	before := meanNearest(t, tr.Latest(), ref, 200)

	var first, last float64
	const steps, window = 400, 50
	for i := range steps {
		loss, err := tr.Step()
		if err != nil {
			t.Fatal(err)
		}
		if i < window {
			first += loss / window
		}
		if i >= steps-window {
			last += loss / window
		}
	}
	tr.Publish()
	s := tr.Latest()
	if s.Step != steps {
		t.Fatalf("snapshot step %d, want %d", s.Step, steps)
	}
	after := meanNearest(t, s, ref, 200)
	t.Logf("loss %.3f → %.3f; nearest-data distance %.2f → %.2f", first, last, before, after)
	if !(last < 0.8*first) {
		t.Errorf("loss %.3f → %.3f: want a fall of at least 20%%", first, last)
	}
	if !(after < 0.6*before) {
		t.Errorf("nearest-data distance %.2f → %.2f: want a fall of at least 40%%", before, after)
	}
}

// TestRunPublishesAndCancels runs the trainer on its own goroutine while
// another samples from the published snapshots (run with -race), then
// cancels it: Run returns the context's error and publishes its last step.
func TestRunPublishesAndCancels(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Target = "digits8"
	cfg.Net = mlp.Config{Width: 16, Depth: 1}
	cfg.Batch = 16
	tr, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- tr.Run(ctx, 0, 0) }()
	x := make([]float32, 4*64)
	for seen := 0; seen < 3; {
		s := tr.Latest()
		if s.Step > 0 {
			seen++
		}
		Noise(rand.New(rand.NewPCG(1, 1)), x)
		if err := Euler(context.Background(), s.Net, x, 2, nil); err != nil {
			t.Fatal(err)
		}
	}
	cancel()
	if err := <-done; err != context.Canceled {
		t.Fatalf("Run returned %v, want context.Canceled", err)
	}
	if s := tr.Latest(); s.Step == 0 {
		t.Error("no step published")
	}
	// Euler hears a cancelled context before its first step.
	if err := Euler(ctx, tr.Latest().Net, x, 5, nil); err != context.Canceled {
		t.Errorf("Euler on a cancelled context: %v", err)
	}
}

// TestGuidanceRaisesClassAccuracy trains a small class-conditional 8 × 8
// model for a few hundred steps, then samples every digit with guidance w
// and scores the samples with a nearest-neighbour classifier against fresh
// labelled images: guidance must raise the accuracy for the asked class
// over the unguided model (w = 0, which ignores the class and scores near
// chance, 10 %) by each case's margin.
func TestGuidanceRaisesClassAccuracy(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Target = "digits8"
	cfg.Net = mlp.Config{Width: 128, Depth: 2, Act: mlp.SiLU, Classes: Classes}
	cfg.Batch, cfg.LR, cfg.Seed = 128, 2e-3, 3
	tr, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	for range 400 {
		if _, err := tr.Step(); err != nil {
			t.Fatal(err)
		}
	}
	tr.Publish()
	net := tr.Latest().Net
	const n, refN = 400, 2000
	ref, refL := make([]float32, refN*64), make([]int, refN)
	tr.Data().Sample(rand.New(rand.NewPCG(5, 5)), ref, refL)
	acc := func(w float64) float64 {
		x := make([]float32, n*64)
		Noise(rand.New(rand.NewPCG(9, 9)), x)
		g := &Guide{Classes: ClassRows(n, Classes, -1), W: w}
		if err := EulerGuided(context.Background(), net, x, 20, g, nil); err != nil {
			t.Fatal(err)
		}
		return ClassAccuracy(x, g.Classes, ref, refL, 64)
	}
	unguided := acc(0)
	t.Logf("w = 0: accuracy %.3f", unguided)
	if unguided > 0.25 {
		t.Errorf("w = 0 (the unconditional field) scores %.3f for the asked class: want near chance (0.1)", unguided)
	}
	for _, c := range []struct {
		w, gain float64 // accuracy at w must exceed the unguided one by gain
	}{
		{1, 0.3},
		{2, 0.55},
		{4, 0.6},
	} {
		a := acc(c.w)
		t.Logf("w = %g: accuracy %.3f", c.w, a)
		if a < unguided+c.gain {
			t.Errorf("w = %g: accuracy %.3f, want at least %.3f (w = 0) + %.2f", c.w, a, unguided, c.gain)
		}
	}
}

// TestEulerGuidedBlends: w = 0 is the unconditional Euler, and a guided
// step is (1 − w)·u(x | ∅) + w·u(x | y) row by row, whatever class the
// neighbouring rows ask for.
func TestEulerGuidedBlends(t *testing.T) {
	cfg := mlp.Config{Width: 16, Depth: 2, Act: mlp.SiLU, Dim: 64, Classes: Classes}
	net, err := mlp.New(cfg, rand.New(rand.NewPCG(1, 2)))
	if err != nil {
		t.Fatal(err)
	}
	const n = 12
	x0 := make([]float32, n*64)
	Noise(rand.New(rand.NewPCG(3, 4)), x0)
	run := func(g *Guide) []float32 {
		x := append([]float32(nil), x0...)
		if err := EulerGuided(context.Background(), net, x, 1, g, nil); err != nil {
			t.Fatal(err)
		}
		return x
	}
	plain := run(nil)
	if got := run(&Guide{Classes: ClassRows(n, Classes, -1), W: 0}); !slices.Equal(got, plain) {
		t.Error("w = 0 differs from the unconditional field")
	}
	classes := []int{3, 3, 3, mlp.NullClass, 7, 7, 0, 0, 0, 0, 9, 3}
	const w = 2.5
	got := run(&Guide{Classes: classes, W: w})
	ws := mlp.NewWorkspace(cfg, 1)
	u, c := make([]float32, 64), make([]float32, 64)
	for i, y := range classes {
		xi := x0[i*64 : (i+1)*64]
		net.EvalClass(ws, xi, 0, mlp.NullClass, u)
		net.EvalClass(ws, xi, 0, y, c)
		for j := range 64 {
			want := xi[j] + float32((1-w)*float64(u[j])+w*float64(c[j]))
			if d := math.Abs(float64(got[i*64+j] - want)); d > 1e-5 {
				t.Fatalf("row %d (class %d) value %d: %v, want %v", i, y, j, got[i*64+j], want)
			}
		}
	}
}
