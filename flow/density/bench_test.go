package density

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat/distmv"

	"github.com/flowviz/flowviz/flow"
	"github.com/flowviz/flowviz/flow/cputime"
	"github.com/flowviz/flowviz/flow/data"
	"github.com/flowviz/flowviz/flow/mlp"
)

// reportCPU reports the CPU time per operation since start as "cpu-ms/op",
// the figure to compare while other processes share the cores.
func reportCPU(b *testing.B, start time.Duration) {
	if cpu := cputime.Process() - start; start > 0 && cpu > 0 {
		b.ReportMetric(float64(cpu.Milliseconds())/float64(b.N), "cpu-ms/op")
	}
}

// benchNet is the app's default network (3×64 SiLU) with fresh weights;
// the cost does not depend on what it has learned.
func benchNet(b *testing.B, width int) *mlp.Net {
	net, err := mlp.New(mlp.Config{Width: width, Depth: 3, Act: mlp.SiLU}, rand.New(rand.NewPCG(1, 2)))
	if err != nil {
		b.Fatal(err)
	}
	return net
}

// BenchmarkDivergence is one velocity-and-divergence evaluation of a
// 96×96 grid: the divergence map at one t.
func BenchmarkDivergence(b *testing.B) {
	for _, width := range []int{64, 128} {
		b.Run(fmt.Sprintf("width=%d", width), func(b *testing.B) {
			f := NewNetField(benchNet(b, width))
			pts := Grid{View: Rect{-5, -5, 5, 5}, NX: 96, NY: 96}.Points()
			v, div := make([]flow.Vec, len(pts)), make([]float64, len(pts))
			cpu := cputime.Process()
			for b.Loop() {
				f.VelocityDiv(v, div, pts, 0.5)
			}
			reportCPU(b, cpu)
		})
	}
}

// BenchmarkGrid is the density layer the app asks for: log p_t on a 96×96
// grid at t = 1 with 50 steps, for each solver (RK4 is the default).
func BenchmarkGrid(b *testing.B) {
	g := Grid{View: Rect{-5, -5, 5, 5}, NX: 96, NY: 96}
	for _, s := range []flow.Solver{flow.Euler, flow.Midpoint, flow.RK4} {
		b.Run(fmt.Sprintf("96x96x50/%v", s), func(b *testing.B) {
			f := NewNetField(benchNet(b, 64))
			src := gaussianSource(1)
			cpu := cputime.Process()
			for b.Loop() {
				if _, err := LearnedLogProb(context.Background(), f, src, g, 1, Options{Steps: 50, Solver: s}); err != nil {
					b.Fatal(err)
				}
			}
			reportCPU(b, cpu)
		})
	}
}

// BenchmarkExact is the exact marginal on a 96×96 grid for eight Gaussians
// and for a 2,000-point set.
func BenchmarkExact(b *testing.B) {
	g := Grid{View: Rect{-5, -5, 5, 5}, NX: 96, NY: 96}
	pts := data.Sample(data.Moons{Noise: 0.05, Scale: 2, Shift: 1}, rand.New(rand.NewPCG(3, 4)), 2000)
	for _, tc := range []struct {
		name string
		d    data.Dist
	}{{"8gaussians", data.EightGaussians{Radius: 5, Std: 1}}, {"points=2000", &data.PointSet{Points: pts, Jitter: 0.05}}} {
		comps, err := TargetComponents(tc.d)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(tc.name, func(b *testing.B) {
			cpu := cputime.Process()
			defer reportCPU(b, cpu)
			for b.Loop() {
				m, err := PathMarginal(comps, 0.7, 0.3, 0)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := ExactLogProb(m, g); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkMixtureLogProb compares Mixture.LogProb with gonum's
// distmv.Normal for the 8-Gaussian mixture on a 96×96 grid.
func BenchmarkMixtureLogProb(b *testing.B) {
	mix, err := MixtureOf(data.EightGaussians{Radius: 5, Std: 1})
	if err != nil {
		b.Fatal(err)
	}
	pts := Grid{View: Rect{-8, -8, 8, 8}, NX: 96, NY: 96}.Points()
	out := make([]float64, len(pts))
	b.Run("own", func(b *testing.B) {
		for b.Loop() {
			mix.LogProb(out, pts)
		}
	})
	b.Run("gonum-distmv", func(b *testing.B) {
		var normals []*distmv.Normal
		for _, c := range mix.Components() {
			n, _ := distmv.NewNormal(c.Mean[:], mat.NewSymDense(2, []float64{c.Cov[0], c.Cov[1], c.Cov[1], c.Cov[2]}), nil)
			normals = append(normals, n)
		}
		terms := make([]float64, len(normals))
		logw := math.Log(1.0 / 8)
		for b.Loop() {
			for i, p := range pts {
				for k, n := range normals {
					terms[k] = logw + n.LogProb(p[:])
				}
				out[i] = floats.LogSumExp(terms)
			}
		}
	})
}

// BenchmarkGridPieces is the app's layer (midpoint, 50 steps, 96×96 at
// t = 1) computed whole by LogProb in chunks of 16,384 points and by Compute
// in pieces of PieceRows, as the app's worker does on the desktop and in
// a page: the pieces' cost beside the chunks'.
func BenchmarkGridPieces(b *testing.B) {
	g := Grid{View: Rect{-5, -5, 5, 5}, NX: 96, NY: 96}
	net := benchNet(b, 64)
	opt := InteractiveOptions()
	b.Run("chunks", func(b *testing.B) {
		f, src := NewNetField(net), gaussianSource(1)
		cpu := cputime.Process()
		for b.Loop() {
			if _, err := LearnedLogProb(context.Background(), f, src, g, 1, opt); err != nil {
				b.Fatal(err)
			}
		}
		reportCPU(b, cpu)
	})
	b.Run("pieces", func(b *testing.B) {
		f := NewNetField(net)
		r := Request{Key: Key{Kind: KindLearned, Grid: g, T: 1, Opt: opt}, Net: net, Source: gaussianSource(1)}
		cpu := cputime.Process()
		for b.Loop() {
			if _, err := Compute(context.Background(), f, r); err != nil {
				b.Fatal(err)
			}
		}
		reportCPU(b, cpu)
	})
}
