package mlp

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// refForwardDim is the float64 reference of a network on D-dimensional
// points: the same documented layout as refForward, with x of any length.
func refForwardDim(cfg Config, params []float64, x []float64, t float64) []float64 {
	return refForwardDimClass(cfg, params, x, t, NullClass)
}

// refForwardDimClass is refForwardDim with the one-hot class input after the
// time features (all zero for NullClass).
func refForwardDimClass(cfg Config, params []float64, x []float64, t float64, class int) []float64 {
	h := append(append([]float64(nil), x...), t)
	for k := 1; k <= cfg.Fourier; k++ {
		h = append(h, math.Sin(2*math.Pi*float64(k)*t), math.Cos(2*math.Pi*float64(k)*t))
	}
	for c := range cfg.Classes {
		h = append(h, float64(boolInt(c == class)))
	}
	off := 0
	for l := range cfg.Depth + 1 {
		in, out := cfg.layerDims(l)
		z := make([]float64, out)
		for j := range out {
			z[j] = params[off+in*out+j]
			for k := range in {
				z[j] += h[k] * params[off+k*out+j]
			}
			if l < cfg.Depth {
				z[j], _ = activationRef(cfg.Act, z[j])
			}
		}
		off += in*out + out
		h = z
	}
	return h
}

var dimConfigs = []Config{
	{Width: 8, Depth: 1, Act: SiLU, Dim: 1},
	{Width: 16, Depth: 2, Act: SELU, Dim: 5},
	{Width: 20, Depth: 2, Act: Tanh, Fourier: 2, Dim: 17}, // output padded past gemmCols
	{Width: 32, Depth: 3, Act: SiLU, Dim: 64},
}

// TestDimForwardBackwardEval checks D-dimensional networks against the
// float64 reference: Forward and Eval values, and Backward against central
// finite differences of ⟨dout, v⟩, for every kernel set.
func TestDimForwardBackwardEval(t *testing.T) {
	for _, cfg := range dimConfigs {
		t.Run(fmt.Sprintf("%v/dim%d", cfg.Act, cfg.Dim), func(t *testing.T) {
			d := cfg.PointDim()
			rng := rand.New(rand.NewPCG(3, uint64(d)))
			n := newTestNet(t, cfg, 21)
			const b = 7
			x := randSlice(rng, d*b)
			tt := make([]float32, b)
			for i := range tt {
				tt[i] = rng.Float32()
			}
			dout := randSlice(rng, d*b)
			p64 := to64(n.Params)
			ref := func(i int, t float64) []float64 { return refForwardDim(cfg, p64, to64(x[d*i:d*(i+1)]), t) }
			loss := func() float64 {
				var s float64
				for i := range b {
					for j, o := range ref(i, float64(tt[i])) {
						s += float64(dout[d*i+j]) * o
					}
				}
				return s
			}
			const eps = 1e-6
			fd := make([]float64, len(p64))
			scale := 0.0
			for i := range p64 {
				saved := p64[i]
				p64[i] = saved + eps
				up := loss()
				p64[i] = saved - eps
				down := loss()
				p64[i] = saved
				fd[i] = (up - down) / (2 * eps)
				scale = max(scale, math.Abs(fd[i]))
			}
			withKernels(t, func(t *testing.T) {
				ws := NewWorkspace(cfg, b+3)
				out := n.Forward(ws, x, tt)
				for i := range b {
					for j, want := range ref(i, float64(tt[i])) {
						if got := float64(out[d*i+j]); math.Abs(got-want) > 1e-4*(1+math.Abs(want)) {
							t.Fatalf("Forward row %d coord %d: %v, reference %v", i, j, got, want)
						}
					}
				}
				grad := make([]float32, len(n.Params))
				n.Backward(ws, dout, grad)
				for i := range fd {
					if diff := math.Abs(float64(grad[i]) - fd[i]); !(diff <= 1e-4*scale+1e-3*math.Abs(fd[i])) {
						t.Fatalf("param %d: backward %v, finite difference %v", i, grad[i], fd[i])
					}
				}
				const tEval = 0.37
				ev := make([]float32, len(x))
				n.Eval(ws, x, tEval, ev)
				for i := range b {
					for j, want := range ref(i, tEval) {
						if got := float64(ev[d*i+j]); math.Abs(got-want) > 1e-4*(1+math.Abs(want)) {
							t.Fatalf("Eval row %d coord %d: %v, reference %v", i, j, got, want)
						}
					}
				}
			})
		})
	}
}

// TestDimZeroIsPlane checks that the zero value keeps the 2D network: the
// same parameter count, and Dim 0 and Dim 2 share workspaces.
func TestDimZeroIsPlane(t *testing.T) {
	c0 := Config{Width: 8, Depth: 2}
	c2 := Config{Width: 8, Depth: 2, Dim: 2}
	if NumParams(c0) != NumParams(c2) || c0.InputWidth() != 3 {
		t.Fatalf("dim 0: %d params, input %d; dim 2: %d params", NumParams(c0), c0.InputWidth(), NumParams(c2))
	}
	if got, want := NumParams(Config{Width: 4, Depth: 1, Dim: 3}), (3+1)*4+4+4*3+3; got != want {
		t.Errorf("NumParams at dim 3 = %d, want %d", got, want)
	}
	n := newTestNet(t, c2, 1)
	ws := NewWorkspace(c0, 4)
	n.Forward(ws, make([]float32, 4), make([]float32, 2)) // must not panic
	for _, c := range []struct {
		dim int
		ok  bool
	}{{-1, false}, {0, true}, {1, true}, {MaxDim, true}, {MaxDim + 1, false}} {
		err := Config{Width: 8, Depth: 1, Dim: c.dim}.Validate()
		if (err == nil) != c.ok {
			t.Errorf("dim %d: Validate = %v", c.dim, err)
		}
	}
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// TestDimClassForwardEvalBackward checks the combined input layout of a
// conditional network on D-dimensional points, [x₁…x_D, t, features,
// one-hot], against the float64 reference: ForwardClass, EvalClass for every
// class and the null class, and Backward against central finite differences.
func TestDimClassForwardEvalBackward(t *testing.T) {
	cfg := Config{Width: 12, Depth: 2, Act: SiLU, Fourier: 1, Dim: 5, Classes: 3}
	d := cfg.PointDim()
	if got, want := cfg.InputWidth(), d+1+2*cfg.Fourier+cfg.Classes; got != want {
		t.Fatalf("InputWidth = %d, want %d", got, want)
	}
	rng := rand.New(rand.NewPCG(5, 6))
	n := newTestNet(t, cfg, 23)
	const b = 9
	x := randSlice(rng, d*b)
	tt := make([]float32, b)
	y := make([]int, b)
	for i := range tt {
		tt[i] = rng.Float32()
		y[i] = i%(cfg.Classes+1) - 1 // NullClass and every class
	}
	dout := randSlice(rng, d*b)
	p64 := to64(n.Params)
	ref := func(i int, t float64, class int) []float64 {
		return refForwardDimClass(cfg, p64, to64(x[d*i:d*(i+1)]), t, class)
	}
	loss := func() float64 {
		var s float64
		for i := range b {
			for j, o := range ref(i, float64(tt[i]), y[i]) {
				s += float64(dout[d*i+j]) * o
			}
		}
		return s
	}
	fd, scale := finiteDiffGrad(p64, loss)
	withKernels(t, func(t *testing.T) {
		ws := NewWorkspace(cfg, b)
		out := n.ForwardClass(ws, x, tt, y)
		for i := range b {
			for j, want := range ref(i, float64(tt[i]), y[i]) {
				if got := float64(out[d*i+j]); math.Abs(got-want) > 1e-4*(1+math.Abs(want)) {
					t.Fatalf("ForwardClass row %d class %d coord %d: %v, reference %v", i, y[i], j, got, want)
				}
			}
		}
		grad := make([]float32, len(n.Params))
		n.Backward(ws, dout, grad)
		for i := range fd {
			if diff := math.Abs(float64(grad[i]) - fd[i]); !(diff <= 1e-4*scale+1e-3*math.Abs(fd[i])) {
				t.Fatalf("param %d: backward %v, finite difference %v", i, grad[i], fd[i])
			}
		}
		const tEval = 0.61
		ev := make([]float32, len(x))
		for class := NullClass; class < cfg.Classes; class++ {
			n.EvalClass(ws, x, tEval, class, ev)
			for i := range b {
				for j, want := range ref(i, tEval, class) {
					if got := float64(ev[d*i+j]); math.Abs(got-want) > 1e-4*(1+math.Abs(want)) {
						t.Fatalf("EvalClass %d row %d coord %d: %v, reference %v", class, i, j, got, want)
					}
				}
			}
		}
	})
}
