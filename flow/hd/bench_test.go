package hd

import (
	"context"
	"math/rand/v2"
	"testing"

	"github.com/flowviz/flowviz/flow/cputime"
	"github.com/flowviz/flowviz/flow/mlp"
)

// BenchmarkStep times one training step on fresh 16×16 digits with the
// default 3×512 network, batch 256, per CPU second (the machine is shared).
func BenchmarkStep(b *testing.B) {
	tr, err := New(DefaultConfig())
	if err != nil {
		b.Fatal(err)
	}
	for range 3 {
		tr.Step()
	}
	b.ResetTimer()
	cpu0 := cputime.Process()
	for range b.N {
		if _, err := tr.Step(); err != nil {
			b.Fatal(err)
		}
	}
	if cpu := cputime.Process() - cpu0; cpu > 0 {
		b.ReportMetric(float64(b.N)/cpu.Seconds(), "steps/cpu-s")
	}
}

// BenchmarkEuler times Euler particle-steps of 1,000 16×16 images through
// the default network.
func BenchmarkEuler(b *testing.B) {
	cfg := DefaultConfig().Net
	cfg.Dim = 256
	net, err := mlp.New(cfg, rand.New(rand.NewPCG(1, 1)))
	if err != nil {
		b.Fatal(err)
	}
	x := make([]float32, 1000*256)
	b.ResetTimer()
	cpu0 := cputime.Process()
	for range b.N {
		Noise(rand.New(rand.NewPCG(1, 2)), x)
		if err := Euler(context.Background(), net, x, 5, nil); err != nil {
			b.Fatal(err)
		}
	}
	if cpu := cputime.Process() - cpu0; cpu > 0 {
		b.ReportMetric(float64(b.N*5000)/cpu.Seconds(), "particle-steps/cpu-s")
	}
}
