package mlp

import "fmt"

// Forward-mode tangents. The Jacobian of v(x, t) with respect to the point
// x = (x, y) is carried through the network beside the values: for a layer
// z = h·W + b, h' = f(z), the tangent in direction e is
//
//	ż = ḣ·W        (no bias: it does not depend on x)
//	ḣ' = f'(z) ⊙ ż
//
// starting from ḣ = e at the input (the time features do not move with x).
// In 2D there are two directions, e_x and e_y, so each chunk of b points
// becomes 3 row segments of one matrix, values then ∂/∂x then ∂/∂y, and every
// layer is still one gemm on the packed [W; b] of Eval. The constant-1
// column that adds the bias is 1 in the value rows and 0 in the tangent rows,
// which is how the tangents skip the bias. A Jacobian costs about three
// evaluations.

// TangentWorkspace holds the buffers of EvalJacobian for one network
// configuration. It belongs to one goroutine.
type TangentWorkspace struct {
	base  *Workspace // packed weights and evalW
	chunk int        // points per pass, at most evalChunk
	in    []float32  // 3·seg rows of [x y 1], [1 0 0], [0 1 0]
	h     [][]float32
	d     [][]float32 // f'(z) of the value rows, hidden layers only
}

// NewTangentWorkspace allocates the buffers for cfg (which must be valid)
// to push up to maxBatch points at once (EvalJacobian chunks by it). The
// Jacobian is of 2D fields only: cfg.PointDim() must be 2.
func NewTangentWorkspace(cfg Config, maxBatch int) *TangentWorkspace {
	if cfg.PointDim() != 2 {
		panic(fmt.Sprintf("mlp: EvalJacobian is for 2D fields, config has dim %d", cfg.PointDim()))
	}
	base := NewWorkspace(cfg, 1)
	tw := &TangentWorkspace{base: base, chunk: min(max(maxBatch, 1), evalChunk)}
	seg := roundUp(tw.chunk, gemmRows)
	tw.in = make([]float32, 3*seg*3)
	tw.h = make([][]float32, len(base.layers))
	tw.d = make([][]float32, len(base.layers)-1)
	for l, lb := range base.layers {
		tw.h[l] = make([]float32, 3*seg*lb.ld)
		if l < len(base.layers)-1 {
			tw.d[l] = make([]float32, seg*lb.ld)
		}
	}
	return tw
}

// EvalJacobian writes, for every row i of x (B×2, any B) and one shared t,
// the velocity v(x_i, t) into out (B×2) and its Jacobian with respect to
// x_i into jac (B×4, row-major per point):
//
//	jac[4i:4i+4] = ∂v₀/∂x, ∂v₀/∂y, ∂v₁/∂x, ∂v₁/∂y
//
// The divergence is jac[4i] + jac[4i+3]. out may be nil when only the
// Jacobian is wanted.
func (n *Net) EvalJacobian(tw *TangentWorkspace, x []float32, t float32, out, jac []float32) {
	ws := tw.base
	ws.check(n)
	b := len(x) / 2
	if len(x)%2 != 0 || (out != nil && len(out) != len(x)) || len(jac) != 4*b {
		panic(fmt.Sprintf("mlp: EvalJacobian with %d input, %d output and %d Jacobian values", len(x), len(out), len(jac)))
	}
	ws.packEval(n, t, NullClass)
	last := len(ws.layers) - 1
	for start := 0; start < b; start += tw.chunk {
		c := min(tw.chunk, b-start)
		seg := roundUp(c, gemmRows)
		tw.setInputs(x[2*start:2*(start+c)], seg)
		a, lda := tw.in, 3
		for l := range ws.layers {
			lb := &ws.layers[l]
			w, kk := lb.w, lb.kk
			if l == 0 {
				w, kk = ws.evalW, 3
			}
			h := tw.h[l]
			if l < last {
				// The ones column: 1 for values, 0 for tangents.
				for r := range 3 * seg {
					h[r*lb.ld+lb.np] = 0
				}
				for r := range seg {
					h[r*lb.ld+lb.np] = 1
				}
			}
			gemm(3*seg, lb.np, kk, a, lda, 1, w, lb.np, h, lb.ld)
			if l < last {
				d := tw.d[l]
				activate(n.Config.Act, h, d, c, lb.np, lb.ld)
				mulInto(h[seg*lb.ld:(seg+c)*lb.ld], d)
				mulInto(h[2*seg*lb.ld:(2*seg+c)*lb.ld], d)
			}
			a, lda = h, lb.ld
		}
		top, ld := tw.h[last], ws.layers[last].ld
		for i := range c {
			p, dx, dy := i*ld, (seg+i)*ld, (2*seg+i)*ld
			if out != nil {
				out[2*(start+i)], out[2*(start+i)+1] = top[p], top[p+1]
			}
			j := jac[4*(start+i) : 4*(start+i)+4]
			j[0], j[1], j[2], j[3] = top[dx], top[dy], top[dx+1], top[dy+1]
		}
	}
}

// setInputs writes the three input segments of a chunk: the points with a
// trailing 1, then the unit tangents e_x and e_y with a 0 there.
func (tw *TangentWorkspace) setInputs(x []float32, seg int) {
	c := len(x) / 2
	in := tw.in[:3*seg*3]
	clear(in)
	for i := range c {
		in[3*i], in[3*i+1], in[3*i+2] = x[2*i], x[2*i+1], 1
		in[3*(seg+i)] = 1
		in[3*(2*seg+i)+1] = 1
	}
}
