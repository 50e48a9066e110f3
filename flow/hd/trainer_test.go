package hd

import (
	"context"
	"math/rand/v2"
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
