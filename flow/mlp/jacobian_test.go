package mlp

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// TestEvalJacobianMatchesFiniteDifferences checks the forward-mode Jacobian
// against central differences of the float64 reference network, for every
// activation, every kernel set and a chunked batch.
func TestEvalJacobianMatchesFiniteDifferences(t *testing.T) {
	withKernels(t, func(t *testing.T) {
		forEachConfig(t, func(t *testing.T, cfg Config) {
			rng := rand.New(rand.NewPCG(21, 22))
			n := newTestNet(t, cfg, 23)
			p64 := to64(n.Params)
			const rows = 41 // chunks of 16: two full, one short
			tw := NewTangentWorkspace(cfg, 16)
			x, _ := testBatch(rng, rows)
			out, jac := make([]float32, 2*rows), make([]float32, 4*rows)
			const h = 1e-5
			for _, tv := range []float32{0, 0.43, 1} {
				n.EvalJacobian(tw, x, tv, out, jac)
				for i := range rows {
					px, py, pt := float64(x[2*i]), float64(x[2*i+1]), float64(tv)
					v := refForward(cfg, p64, px, py, pt)
					xp, xm := refForward(cfg, p64, px+h, py, pt), refForward(cfg, p64, px-h, py, pt)
					yp, ym := refForward(cfg, p64, px, py+h, pt), refForward(cfg, p64, px, py-h, pt)
					want := [4]float64{
						(xp[0] - xm[0]) / (2 * h), (yp[0] - ym[0]) / (2 * h),
						(xp[1] - xm[1]) / (2 * h), (yp[1] - ym[1]) / (2 * h),
					}
					for c := range 2 {
						if d := math.Abs(float64(out[2*i+c]) - v[c]); d > 1e-4*(1+math.Abs(v[c])) {
							t.Fatalf("t=%v row %d: v[%d] = %v, want %v", tv, i, c, out[2*i+c], v[c])
						}
					}
					for c, w := range want {
						// SELU and ReLU have kinks; a point within h of one
						// has a meaningless difference quotient, but random
						// points land there with probability ~1e-5.
						if d := math.Abs(float64(jac[4*i+c]) - w); d > 2e-4*(1+math.Abs(w)) {
							t.Fatalf("t=%v row %d: jac[%d] = %v, finite difference %v", tv, i, c, jac[4*i+c], w)
						}
					}
				}
			}
			n.EvalJacobian(tw, nil, 0.5, nil, nil) // empty input is fine
		})
	})
}

// TestEvalJacobianValuesEqualEval checks that the value rows are exactly
// what Eval computes and that a large workspace chunks like a small one.
func TestEvalJacobianValuesEqualEval(t *testing.T) {
	cfg := Config{Width: 24, Depth: 3, Act: SiLU, Fourier: 2}
	n := newTestNet(t, cfg, 31)
	const rows = 2*evalChunk + 19
	x, _ := testBatch(rand.New(rand.NewPCG(32, 33)), rows)
	want := make([]float32, 2*rows)
	n.Eval(NewWorkspace(cfg, rows), x, 0.6, want)
	for _, maxBatch := range []int{1, 7, rows} {
		t.Run(fmt.Sprint(maxBatch), func(t *testing.T) {
			out, jac := make([]float32, 2*rows), make([]float32, 4*rows)
			n.EvalJacobian(NewTangentWorkspace(cfg, maxBatch), x, 0.6, out, jac)
			for i := range out {
				if d := math.Abs(float64(out[i] - want[i])); d > 1e-6*(1+math.Abs(float64(want[i]))) {
					t.Fatalf("value %d: %v, Eval %v", i, out[i], want[i])
				}
			}
			jac2 := make([]float32, 4*rows)
			n.EvalJacobian(NewTangentWorkspace(cfg, 16), x, 0.6, nil, jac2)
			for i := range jac {
				if d := math.Abs(float64(jac[i] - jac2[i])); d > 1e-6*(1+math.Abs(float64(jac[i]))) {
					t.Fatalf("Jacobian entry %d: %v with max batch %d, %v with 16", i, jac[i], maxBatch, jac2[i])
				}
			}
		})
	}
}

func TestEvalJacobianMisuse(t *testing.T) {
	cfg := Config{Width: 8, Depth: 1}
	n := newTestNet(t, cfg, 1)
	tw := NewTangentWorkspace(cfg, 4)
	for name, f := range map[string]func(){
		"short jac": func() { n.EvalJacobian(tw, make([]float32, 4), 0, nil, make([]float32, 4)) },
		"short out": func() { n.EvalJacobian(tw, make([]float32, 4), 0, make([]float32, 2), make([]float32, 8)) },
		//lint:ignore SA5012 the odd length is the misuse under test
		"odd input": func() { n.EvalJacobian(tw, make([]float32, 3), 0, nil, make([]float32, 4)) },
		"other net": func() { newTestNet(t, Config{Width: 9, Depth: 1}, 1).EvalJacobian(tw, nil, 0, nil, nil) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", name)
				}
			}()
			f()
		}()
	}
}

// BenchmarkEvalJacobian measures velocity and Jacobian for a batch of
// points at one t (the density grid's inner call) beside Eval alone.
func BenchmarkEvalJacobian(b *testing.B) {
	for _, width := range []int{64, 128} {
		cfg := Config{Width: width, Depth: 3, Act: SiLU}
		n, _ := New(cfg, rand.New(rand.NewPCG(1, 2)))
		const rows = 9216 // a 96×96 grid
		x, _ := testBatch(rand.New(rand.NewPCG(3, 4)), rows)
		out, jac := make([]float32, 2*rows), make([]float32, 4*rows)
		b.Run(fmt.Sprintf("width=%d/jacobian", width), func(b *testing.B) {
			tw := NewTangentWorkspace(cfg, evalChunk)
			cpu := processCPU()
			for b.Loop() {
				n.EvalJacobian(tw, x, 0.5, out, jac)
			}
			reportRates(b, rows, "points", cpu)
		})
		b.Run(fmt.Sprintf("width=%d/eval", width), func(b *testing.B) {
			ws := NewWorkspace(cfg, evalChunk)
			cpu := processCPU()
			for b.Loop() {
				n.Eval(ws, x, 0.5, out)
			}
			reportRates(b, rows, "points", cpu)
		})
	}
}
