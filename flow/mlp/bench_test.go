package mlp

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/flowviz/flowviz/flow/cputime"
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
)

// reportRates reports perOp·b.N per wall-clock second as unit+"/s" and per
// second of process CPU time (since cpuStart) as unit+"/cpu-s". The second
// is the one to compare while other processes compete for the cores: time
// spent descheduled does not count.
func reportRates(b *testing.B, perOp float64, unit string, cpuStart time.Duration) {
	total := perOp * float64(b.N)
	b.ReportMetric(total/b.Elapsed().Seconds(), unit+"/s")
	if cpu := cputime.Process() - cpuStart; cpuStart > 0 && cpu > 0 {
		b.ReportMetric(total/cpu.Seconds(), unit+"/cpu-s")
	}
}

// benchKernels runs f once per kernel set this CPU can run, the portable Go
// one included.
func benchKernels(b *testing.B, f func(b *testing.B)) {
	for _, k := range kernelSets() {
		b.Run(k.String(), func(b *testing.B) {
			defer useKernels(k)()
			f(b)
		})
	}
}

// BenchmarkTrainStep is one step as the trainer and the PyTorch peer do it:
// forward, CFM loss, backward, Adam, on the peer's network (depth 3, SELU,
// batch 256).
func BenchmarkTrainStep(b *testing.B) {
	benchKernels(b, func(b *testing.B) {
		for _, width := range []int{32, 64, 128, 256} {
			b.Run(fmt.Sprintf("width=%d", width), func(b *testing.B) {
				cfg := Config{Width: width, Depth: 3, Act: SELU}
				n, _ := New(cfg, rand.New(rand.NewPCG(1, 2)))
				const batch = 256
				ws := NewWorkspace(cfg, batch)
				opt := NewAdam(len(n.Params))
				rng := rand.New(rand.NewPCG(3, 4))
				x, t := testBatch(rng, batch)
				target := randSlice(rng, 2*batch)
				dpred := make([]float32, 2*batch)
				grad := make([]float32, len(n.Params))
				cpu := cputime.Process()
				for b.Loop() {
					CFMLoss(n.Forward(ws, x, t), target, dpred)
					n.Backward(ws, dpred, grad)
					opt.Step(n.Params, grad)
				}
				reportRates(b, 1, "steps", cpu)
			})
		}
	})
}

// BenchmarkPass times the two halves of a training step apart: Forward
// and Backward of the peer's network (depth 3, SELU) at batch 256.
func BenchmarkPass(b *testing.B) {
	benchKernels(b, func(b *testing.B) {
		for _, width := range []int{64, 128} {
			cfg := Config{Width: width, Depth: 3, Act: SELU}
			n, _ := New(cfg, rand.New(rand.NewPCG(1, 2)))
			const batch = 256
			ws := NewWorkspace(cfg, batch)
			rng := rand.New(rand.NewPCG(3, 4))
			x, t := testBatch(rng, batch)
			dout := randSlice(rng, 2*batch)
			grad := make([]float32, len(n.Params))
			b.Run(fmt.Sprintf("forward/width=%d", width), func(b *testing.B) {
				cpu := processCPU()
				for b.Loop() {
					n.Forward(ws, x, t)
				}
				reportRates(b, 1, "passes", cpu)
			})
			b.Run(fmt.Sprintf("backward/width=%d", width), func(b *testing.B) {
				n.Forward(ws, x, t)
				cpu := processCPU()
				for b.Loop() {
					n.Backward(ws, dout, grad)
				}
				reportRates(b, 1, "passes", cpu)
			})
		}
	})
}

// BenchmarkEval is one Euler step's worth of sampling: 10000 particles
// through the 3×64 network at one t.
func BenchmarkEval(b *testing.B) {
	benchKernels(b, func(b *testing.B) {
		for _, act := range []Activation{SELU, SiLU} {
			b.Run(act.String(), func(b *testing.B) {
				cfg := Config{Width: 64, Depth: 3, Act: act}
				n, _ := New(cfg, rand.New(rand.NewPCG(1, 2)))
				const particles = 10000
				ws := NewWorkspace(cfg, 256)
				x := randSlice(rand.New(rand.NewPCG(5, 6)), 2*particles)
				out := make([]float32, 2*particles)
				cpu := cputime.Process()
				for b.Loop() {
					n.Eval(ws, x, 0.5, out)
				}
				reportRates(b, particles, "particle-evals", cpu)
			})
		}
	})
}

// BenchmarkGemm times the products of a training step of the 3×64 network
// at batch 256, and the untransposed ones with gonum's blas32.Gemm on the
// same buffers for comparison.
func BenchmarkGemm(b *testing.B) {
	shapes := []struct {
		name     string
		m, n, k  int
		ars, acs int
	}{
		{"forward_258x64x65", 258, 64, 65, 72, 1},    // [h 1]·[W; b]
		{"weightgrad_66x64x256", 66, 64, 256, 1, 72}, // [h 1]ᵀ·dz
		{"inputgrad_258x64x64", 258, 64, 64, 72, 1},  // dz·Wᵀ
		{"output_258x8x65", 258, 8, 65, 72, 1},       // 2 outputs padded to 8
		{"outputgrad_66x8x256", 66, 8, 256, 1, 72},   // their weight gradient
	}
	for _, s := range shapes {
		rng := rand.New(rand.NewPCG(7, 8))
		a := randSlice(rng, (s.m-1)*s.ars+(s.k-1)*s.acs+1)
		w, c := randSlice(rng, s.k*s.n), make([]float32, s.m*s.n)
		flops := 2.0 * float64(s.m*s.n*s.k)
		b.Run(s.name, func(b *testing.B) {
			benchKernels(b, func(b *testing.B) {
				cpu := cputime.Process()
				for b.Loop() {
					gemm(s.m, s.n, s.k, a, s.ars, s.acs, w, s.n, c, s.n)
				}
				reportRates(b, flops/1e9, "GFLOP", cpu)
			})
			if s.acs != 1 {
				return
			}
			b.Run("gonum", func(b *testing.B) {
				ga := blas32.General{Rows: s.m, Cols: s.k, Stride: s.ars, Data: a}
				gw := blas32.General{Rows: s.k, Cols: s.n, Stride: s.n, Data: w}
				gc := blas32.General{Rows: s.m, Cols: s.n, Stride: s.n, Data: c}
				cpu := cputime.Process()
				for b.Loop() {
					blas32.Gemm(blas.NoTrans, blas.NoTrans, 1, ga, gw, 0, gc)
				}
				reportRates(b, flops/1e9, "GFLOP", cpu)
			})
		})
	}
}

// BenchmarkActivate times f and f' over a 32×64 block (8 KiB, as in L1),
// per activation.
func BenchmarkActivate(b *testing.B) {
	const rows, n = 32, 64
	src := randSlice(rand.New(rand.NewPCG(9, 10)), rows*n)
	z, d := make([]float32, rows*n), make([]float32, rows*n)
	benchKernels(b, func(b *testing.B) {
		for act := range numActivations {
			b.Run(act.String(), func(b *testing.B) {
				cpu := cputime.Process()
				for b.Loop() {
					copy(z, src)
					activate(act, z, d, rows, n, n)
				}
				reportRates(b, rows*n/1e9, "Gvalues", cpu)
			})
		}
	})
}
