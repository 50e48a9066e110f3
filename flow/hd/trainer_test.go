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
