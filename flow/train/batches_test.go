package train

import (
	"cmp"
	"slices"
	"testing"

	"github.com/flowviz/flowviz/flow"
	"github.com/flowviz/flowviz/flow/mlp"
)

// batch is what one training step drew: x0, x1 (as paired) and t.
type batch struct {
	x0, x1 []flow.Vec
	t      []float32
}

// drawnBatches steps tr n times and returns the batch of every step.
func drawnBatches(t *testing.T, tr *Trainer, n int) []batch {
	t.Helper()
	out := make([]batch, n)
	for k := range out {
		if _, err := tr.Step(); err != nil {
			t.Fatal(err)
		}
		b, size := &tr.batch, tr.cfg.Batch
		out[k] = batch{slices.Clone(b.x0[:size]), slices.Clone(b.x1[:size]), slices.Clone(b.ts[:size])}
	}
	return out
}

func byXY(a, b flow.Vec) int { return cmp.Or(cmp.Compare(a[0], b[0]), cmp.Compare(a[1], b[1])) }

// Two trainers with the same seed, data and batch size draw the same x0, x1
// and t at every step, whatever else differs: the network, the learning rate,
// the path and its σ (ε is always drawn), the weight decay. A different
// coupling draws the same points too and only pairs them differently.
func TestIdenticalBatches(t *testing.T) {
	base := smallConfig()
	base.Target = "8gaussians:radius=3,std=0.3"
	for _, tc := range []struct {
		name      string
		b         func(*Config)
		repairing bool // the coupling differs: x1 is the same multiset, paired otherwise
	}{
		{"same settings", func(*Config) {}, false},
		{"width 16 vs 32, depth 3", func(c *Config) { c.Net = mlp.Config{Width: 16, Depth: 3, Act: mlp.SiLU} }, false},
		{"activation", func(c *Config) { c.Net.Act = mlp.Tanh }, false},
		{"fourier features", func(c *Config) { c.Net.Fourier = 4 }, false},
		{"learning rate 3e-3 vs 1e-2", func(c *Config) { c.LR = 1e-2 }, false},
		{"weight decay", func(c *Config) { c.WeightDecay = 1e-3 }, false},
		{"noisy linear path", func(c *Config) { c.Sigma = 0.2 }, false},
		{"ot path", func(c *Config) { c.Path, c.Sigma = "ot", 0.01 }, false},
		{"ot coupling", func(c *Config) { c.Coupling = CouplingOT }, true},
		{"ot coupling and a wider network", func(c *Config) {
			c.Coupling, c.Net = CouplingOT, mlp.Config{Width: 64, Depth: 2, Act: mlp.SiLU}
		}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfgB := base
			tc.b(&cfgB)
			const n = 30 // past a checkpoint (every 25 steps)
			as := drawnBatches(t, newTrainer(t, base), n)
			bs := drawnBatches(t, newTrainer(t, cfgB), n)
			samePairs := true
			for k := range n {
				a, b := as[k], bs[k]
				if !slices.Equal(a.x0, b.x0) || !slices.Equal(a.t, b.t) {
					t.Fatalf("step %d: x0 or t differ", k+1)
				}
				samePairs = samePairs && slices.Equal(a.x1, b.x1)
				if tc.repairing {
					ax, bx := slices.Clone(a.x1), slices.Clone(b.x1)
					slices.SortFunc(ax, byXY)
					slices.SortFunc(bx, byXY)
					if !slices.Equal(ax, bx) {
						t.Fatalf("step %d: the x1 draws differ, not just their pairing", k+1)
					}
				} else if !samePairs {
					t.Fatalf("step %d: x1 differs", k+1)
				}
			}
			if tc.repairing && samePairs {
				t.Error("the OT coupling paired every batch as drawn")
			}
		})
	}
}

// A rollback after a divergence also rewinds the batch stream, so a trainer
// that diverged and resumed draws step k's batch at step k again, in step
// with a trainer that never diverged.
func TestRollbackRewindsTheBatches(t *testing.T) {
	cfg := smallConfig()
	calm := drawnBatches(t, newTrainer(t, cfg), 40)

	tr := newTrainer(t, cfg)
	drawnBatches(t, tr, 30)
	tr.diverge(1e30) // as trainStep does on an exploding loss: back to step 25
	tr.Resume()
	if got := tr.CurrentState().Model.Step; got != 25 {
		t.Fatalf("rolled back to step %d, want 25", got)
	}
	again := drawnBatches(t, tr, 15)
	for k := range again {
		if !slices.Equal(again[k].x0, calm[25+k].x0) || !slices.Equal(again[k].t, calm[25+k].t) {
			t.Fatalf("step %d after the rollback drew another batch than step %d of the calm run", 26+k, 26+k)
		}
	}
}
