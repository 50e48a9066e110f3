package mlp

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// TestKernelSetsAgreeOnNetworks runs Forward, Backward and Eval with every
// kernel set on networks whose shapes reach the portable kernels' edges —
// widths that are not a multiple of 8, Fourier inputs, batches past one
// pass of kcGo (so the weight gradient's product adds a second pass) and
// past one group of gathered rows — and compares each with the fastest set
// (on a CPU without assembly, with itself, which still checks that the
// passes run). Outputs and gradients may differ by float32 rounding in a
// different order of summation: the tolerance is relative to the largest
// magnitude in each vector.
func TestKernelSetsAgreeOnNetworks(t *testing.T) {
	cases := []struct {
		cfg   Config
		batch int
	}{
		{Config{Width: 5, Depth: 1, Act: SiLU, Fourier: 2}, 7},
		{Config{Width: 40, Depth: 2, Act: SELU, Fourier: 1}, 300},
		{Config{Width: 64, Depth: 3, Act: SiLU}, 257},
		{Config{Width: 130, Depth: 2, Act: Tanh}, 513},
		{Config{Width: 24, Depth: 2, Act: ReLU, Fourier: 3}, 61},
	}
	for _, c := range cases {
		t.Run(fmt.Sprintf("w%d_d%d_%v_f%d_b%d", c.cfg.Width, c.cfg.Depth, c.cfg.Act, c.cfg.Fourier, c.batch), func(t *testing.T) {
			n, err := New(c.cfg, rand.New(rand.NewPCG(11, uint64(c.batch))))
			if err != nil {
				t.Fatal(err)
			}
			rng := rand.New(rand.NewPCG(12, 13))
			for i := range n.Params { // biases too, so that the ones column matters
				n.Params[i] += 0.05 * float32(rng.NormFloat64())
			}
			x, tt := testBatch(rng, c.batch)
			dout := randSlice(rng, 2*c.batch)
			particles := randSlice(rng, 2*(3*c.batch+1))
			run := func(k kernelSet) (out, grad, eval []float32) {
				defer useKernels(k)()
				ws := NewWorkspace(c.cfg, c.batch)
				out = append([]float32(nil), n.Forward(ws, x, tt)...)
				grad = make([]float32, len(n.Params))
				n.Backward(ws, dout, grad)
				eval = make([]float32, len(particles))
				n.Eval(ws, particles, 0.3, eval)
				return out, grad, eval
			}
			wantOut, wantGrad, wantEval := run(bestKernels)
			for _, k := range kernelSets() {
				out, grad, eval := run(k)
				for _, v := range []struct {
					name      string
					got, want []float32
				}{{"Forward", out, wantOut}, {"Backward", grad, wantGrad}, {"Eval", eval, wantEval}} {
					scale := 0.0
					for _, w := range v.want {
						scale = max(scale, math.Abs(float64(w)))
					}
					for i := range v.want {
						if d := math.Abs(float64(v.got[i] - v.want[i])); d > 2e-5*(scale+1e-6) || math.IsNaN(float64(v.got[i])) {
							t.Fatalf("%v %s[%d] = %v, %v gives %v (scale %.3g)", k, v.name, i, v.got[i], bestKernels, v.want[i], scale)
						}
					}
				}
			}
		})
	}
}
