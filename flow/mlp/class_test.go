package mlp

import (
	"math"
	"math/rand/v2"
	"testing"
)

var classConfigs = []Config{
	{Width: 8, Depth: 2, Classes: 3},
	{Width: 16, Depth: 1, Fourier: 2, Classes: 8, Act: SELU},
}

// TestClassForwardEvalBackward checks a conditional network against the
// float64 reference for every class and the null class: ForwardClass, Eval
// with one class, and Backward against finite differences.
func TestClassForwardEvalBackward(t *testing.T) {
	for _, cfg := range classConfigs {
		withKernels(t, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(40, 41))
			n := newTestNet(t, cfg, 42)
			const b = 11
			x, tt := testBatch(rng, b)
			y := make([]int, b)
			for i := range y {
				y[i] = rng.IntN(cfg.Classes+1) - 1 // NullClass included
			}
			ws := NewWorkspace(cfg, b)
			out := append([]float32(nil), n.ForwardClass(ws, x, tt, y)...)
			p64 := to64(n.Params)
			for i := range b {
				want := refForwardClass(cfg, p64, float64(x[2*i]), float64(x[2*i+1]), float64(tt[i]), y[i])
				for c := range 2 {
					if got := float64(out[2*i+c]); math.Abs(got-want[c]) > 1e-4*(1+math.Abs(want[c])) {
						t.Fatalf("%+v row %d class %d: %v, want %v", cfg, i, y[i], got, want[c])
					}
				}
				// Eval of that one row with its class.
				ev := make([]float32, 2)
				n.EvalClass(ws, x[2*i:2*i+2], tt[i], y[i], ev)
				if math.Abs(float64(ev[0])-want[0]) > 1e-4*(1+math.Abs(want[0])) {
					t.Fatalf("%+v row %d class %d: Eval %v, want %v", cfg, i, y[i], ev, want)
				}
			}
			// Forward without classes is the null class.
			null := n.Forward(ws, x[:2], tt[:1])
			want := refForwardClass(cfg, p64, float64(x[0]), float64(x[1]), float64(tt[0]), NullClass)
			if math.Abs(float64(null[0])-want[0]) > 1e-4*(1+math.Abs(want[0])) {
				t.Fatalf("%+v: Forward %v, null-class reference %v", cfg, null, want)
			}

			dout := randSlice(rng, 2*b)
			n.ForwardClass(ws, x, tt, y)
			grad := make([]float32, len(n.Params))
			n.Backward(ws, dout, grad)
			loss := func() float64 {
				var s float64
				for i := range b {
					o := refForwardClass(cfg, p64, float64(x[2*i]), float64(x[2*i+1]), float64(tt[i]), y[i])
					s += float64(dout[2*i])*o[0] + float64(dout[2*i+1])*o[1]
				}
				return s
			}
			fd, scale := finiteDiffGrad(p64, loss)
			for i := range fd {
				if diff := math.Abs(float64(grad[i]) - fd[i]); !(diff <= 1e-4*scale+1e-3*math.Abs(fd[i])) {
					t.Errorf("%+v param %d: backward %v, finite difference %v", cfg, i, grad[i], fd[i])
				}
			}
		})
	}
}

func TestClassValidate(t *testing.T) {
	if err := (Config{Width: 4, Depth: 1, Classes: 101}).Validate(); err == nil {
		t.Error("101 classes accepted")
	}
	if got := (Config{Width: 4, Depth: 1, Fourier: 2, Classes: 5}).InputWidth(); got != 3+4+5 {
		t.Errorf("InputWidth = %d, want 12", got)
	}
}
