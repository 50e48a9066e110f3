package mlp

import (
	"fmt"
	"math"
)

// Buffer layout. Every layer is one call of gemm on padded buffers:
//
//   - Activations are row-major. A hidden layer's row stride ld is a
//     multiple of 8 with room for one column past the padded width np (and
//     the input x has one past its features). That column holds a constant
//     1, so the bias is just the last row of the packed weight matrix:
//     z = [h 1]·[W; b]. The same trick makes the bias gradient fall out of
//     the weight-gradient product: its last row is Σ_batch dz.
//   - Widths are padded to np = a multiple of gemmCols with zero weights, so
//     the padded units compute f(0) = 0 and contribute nothing.
//   - Batch rows are padded to a multiple of gemmRows; the extra rows carry
//     stale values that no result row ever reads.
type layerBuf struct {
	in, out int // true fan-in and fan-out
	np      int // out padded to a multiple of gemmCols
	kk      int // input columns the product reads, the ones column last; rows of w
	ld      int // row stride of h, d and g
	h       []float32
	d       []float32 // f'(z), hidden layers only
	g       []float32 // dL/dz
	w       []float32 // packed [W; b], kk × np
	wt      []float32 // Wᵀ padded, np × np of the layer below (l > 0)
	dw      []float32 // packed gradient, roundUp(kk, gemmRows) × np
}

// Workspace holds every buffer one forward and backward pass of up to
// MaxBatch rows needs, so a warm training step allocates nothing. A
// Workspace belongs to one goroutine; it may serve several networks of the
// same Config in turn.
type Workspace struct {
	cfg      Config
	maxBatch int
	rows     int // maxBatch padded to a multiple of gemmRows
	batch    int // rows of the last Forward; -1 before any and after Eval

	dim    int       // coordinates of a point (2 in the plane)
	x      []float32 // network input [x₁…x_D t sin… cos… onehot… 1], ld = xld
	xld    int
	layers []layerBuf
	out    []float32 // compact B×D output

	// Eval feeds only [x₁…x_D 1]: time enters through a per-call bias.
	evalX []float32
	evalW []float32 // (D+1) × np of layer 0: [W_x; b + features(t)·W_t + onehot(y)·W_class]
}

func roundUp(n, m int) int { return (n + m - 1) / m * m }

// NewWorkspace allocates the buffers for cfg (which must be valid) and
// batches of up to maxBatch rows (at least 1).
func NewWorkspace(cfg Config, maxBatch int) *Workspace {
	if err := cfg.Validate(); err != nil {
		panic(err)
	}
	maxBatch = max(maxBatch, 1)
	ws := &Workspace{cfg: cfg, dim: cfg.PointDim(), maxBatch: maxBatch, rows: roundUp(maxBatch, gemmRows), batch: -1}
	in0 := cfg.InputWidth()
	ws.xld = in0 + 1
	// Slack past the last row: the weight-gradient product reads A(i, p)
	// for i up to roundUp(kk, gemmRows) − 1, a few floats into the next row.
	ws.x = make([]float32, ws.rows*ws.xld+gemmRows)
	for r := range ws.rows {
		ws.x[r*ws.xld+in0] = 1
	}
	nl := cfg.numLayers()
	ws.layers = make([]layerBuf, nl)
	kk := ws.xld
	for l := range nl {
		lb := &ws.layers[l]
		lb.in, lb.out = cfg.layerDims(l)
		lb.np = roundUp(lb.out, gemmCols)
		lb.kk = kk
		lb.ld = lb.np
		if l < nl-1 {
			lb.ld = lb.np + gemmCols // room for the ones column
		}
		size := ws.rows * lb.ld
		lb.h = make([]float32, size)
		lb.g = make([]float32, size)
		if l < nl-1 {
			lb.d = make([]float32, size)
			for r := range ws.rows {
				lb.h[r*lb.ld+lb.np] = 1
			}
		}
		lb.w = make([]float32, lb.kk*lb.np)
		if l > 0 {
			lb.wt = make([]float32, lb.np*ws.layers[l-1].np)
		}
		lb.dw = make([]float32, roundUp(lb.kk, gemmRows)*lb.np)
		kk = lb.np + 1
	}
	d := ws.dim
	ws.out = make([]float32, d*maxBatch)
	ws.evalX = make([]float32, ws.rows*(d+1))
	for r := range ws.rows {
		ws.evalX[r*(d+1)+d] = 1
	}
	ws.evalW = make([]float32, (d+1)*ws.layers[0].np)
	return ws
}

// MaxBatch is the largest batch Forward accepts (Eval chunks by it).
func (ws *Workspace) MaxBatch() int { return ws.maxBatch }

func (ws *Workspace) check(n *Net) {
	if c, w := n.Config, ws.cfg; c.PointDim() != w.PointDim() || c.Width != w.Width || c.Depth != w.Depth || c.Act != w.Act || c.Fourier != w.Fourier || c.Classes != w.Classes {
		panic(fmt.Sprintf("mlp: workspace built for %+v used with %+v", ws.cfg, n.Config))
	}
	if len(n.Params) != NumParams(n.Config) {
		panic(fmt.Sprintf("mlp: net has %d parameters, config needs %d", len(n.Params), NumParams(n.Config)))
	}
}

// pack copies the weights and biases of n into the padded [W; b] matrices.
// It costs one pass over the parameters, small beside any batch of rows.
func (ws *Workspace) pack(n *Net) {
	off := 0
	for l := range ws.layers {
		lb := &ws.layers[l]
		for k := range lb.in {
			copy(lb.w[k*lb.np:k*lb.np+lb.out], n.Params[off+k*lb.out:off+(k+1)*lb.out])
		}
		off += lb.in * lb.out
		bias := (lb.kk - 1) * lb.np
		copy(lb.w[bias:bias+lb.out], n.Params[off:off+lb.out])
		off += lb.out
	}
}

// timeFeatures writes t, sin(2πkt), cos(2πkt) for k = 1..K into dst
// (len 1 + 2K). The harmonics come from the angle-addition recurrence
// sin((k+1)θ) = sin kθ cos θ + cos kθ sin θ, cos((k+1)θ) = cos kθ cos θ − sin kθ sin θ,
// in float64, so one Sincos serves all K.
func timeFeatures(dst []float32, t float64) {
	dst[0] = float32(t)
	if len(dst) == 1 {
		return
	}
	s1, c1 := math.Sincos(2 * math.Pi * t)
	s, c := s1, c1
	for k := 1; k < len(dst); k += 2 {
		dst[k], dst[k+1] = float32(s), float32(c)
		s, c = s*c1+c*s1, c*c1-s*s1
	}
}

// Forward computes out[i] = v(x[i], t[i]) for a batch: x is B×D row-major
// (D = Config.PointDim(), 2 in the plane), t has B entries,
// B ≤ ws.MaxBatch(). The result is B×D, owned by ws and valid until its next
// use; the activations stay in ws for Backward. A conditional network gets
// the null class for every row.
func (n *Net) Forward(ws *Workspace, x, t []float32) []float32 {
	return n.ForwardClass(ws, x, t, nil)
}

// ForwardClass is Forward with a class per row for a conditional network:
// y[i] in 0..Classes−1, or NullClass; y == nil gives every row the null
// class. An unconditional network ignores y.
func (n *Net) ForwardClass(ws *Workspace, x, t []float32, y []int) []float32 {
	ws.check(n)
	b, d := len(t), ws.dim
	if len(x) != d*b || b > ws.maxBatch || (y != nil && len(y) != b) {
		panic(fmt.Sprintf("mlp: Forward with %d values of %d-dimensional points, %d times and %d classes (workspace max %d)", len(x), d, b, len(y), ws.maxBatch))
	}
	ws.batch = b
	if b == 0 {
		return ws.out[:0]
	}
	in0 := n.Config.InputWidth()
	tw := n.Config.timeWidth()
	classes := n.Config.Classes
	for i := range b {
		row := ws.x[i*ws.xld : i*ws.xld+in0]
		copy(row[:d], x[d*i:d*(i+1)])
		timeFeatures(row[d:d+tw], float64(t[i]))
		if classes > 0 {
			onehot := row[d+tw:]
			clear(onehot)
			if y != nil && y[i] >= 0 {
				onehot[y[i]] = 1 // panics on a class ≥ Classes
			}
		}
	}
	ws.pack(n)
	m := roundUp(b, gemmRows)
	a, lda := ws.x, ws.xld
	last := len(ws.layers) - 1
	for l := range ws.layers {
		lb := &ws.layers[l]
		// z = [h 1]·[W; b]
		gemm(m, lb.np, lb.kk, a, lda, 1, lb.w, lb.np, lb.h, lb.ld)
		if l < last {
			// h = f(z), d = f'(z)
			activate(n.Config.Act, lb.h, lb.d, b, lb.np, lb.ld)
		}
		a, lda = lb.h, lb.ld
	}
	return ws.copyOut(b)
}

func (ws *Workspace) copyOut(b int) []float32 {
	top := &ws.layers[len(ws.layers)-1]
	d := ws.dim
	out := ws.out[:d*b]
	if d == 2 {
		for i := range b {
			out[2*i], out[2*i+1] = top.h[i*top.ld], top.h[i*top.ld+1]
		}
		return out
	}
	for i := range b {
		copy(out[d*i:d*(i+1)], top.h[i*top.ld:i*top.ld+d])
	}
	return out
}

// Backward, after Forward on the same ws (and the same, unchanged, net),
// takes dL/dout (B×D) and writes dL/dparams into grad (len NumParams;
// overwritten, not accumulated). Going down layer l with input a and dz = g:
//
//	dL/d[W; b] = [a 1]ᵀ·dz      (the bias row sums dz over the batch)
//	dL/da      = dz·Wᵀ, then dz of the layer below = dL/da ⊙ f'(z)
func (n *Net) Backward(ws *Workspace, dout, grad []float32) {
	ws.check(n)
	b := ws.batch
	if b < 0 {
		panic("mlp: Backward without a Forward before it")
	}
	d := ws.dim
	if len(dout) != d*b {
		panic(fmt.Sprintf("mlp: Backward dout has %d values, batch needs %d", len(dout), d*b))
	}
	if len(grad) != len(n.Params) {
		panic(fmt.Sprintf("mlp: Backward grad has %d values, net has %d parameters", len(grad), len(n.Params)))
	}
	if b == 0 {
		clear(grad) // an empty batch has a zero gradient
		return
	}
	top := &ws.layers[len(ws.layers)-1]
	for i := range b {
		copy(top.g[i*top.ld:i*top.ld+d], dout[d*i:d*(i+1)])
	}
	m := roundUp(b, gemmRows)
	off := len(grad)
	for l := len(ws.layers) - 1; l >= 0; l-- {
		lb := &ws.layers[l]
		a, lda := ws.x, ws.xld
		if l > 0 {
			a, lda = ws.layers[l-1].h, ws.layers[l-1].ld
		}
		// dL/d[W; b] = [a 1]ᵀ·dz over the b real rows only.
		gemm(roundUp(lb.kk, gemmRows), lb.np, b, a, 1, lda, lb.g, lb.ld, lb.dw, lb.np)
		off -= lb.in*lb.out + lb.out
		for k := range lb.in {
			copy(grad[off+k*lb.out:off+(k+1)*lb.out], lb.dw[k*lb.np:k*lb.np+lb.out])
		}
		bias := (lb.kk - 1) * lb.np
		copy(grad[off+lb.in*lb.out:off+lb.in*lb.out+lb.out], lb.dw[bias:bias+lb.out])
		if l == 0 {
			break
		}
		// dL/da = dz·Wᵀ, summing over the true outputs only.
		below := &ws.layers[l-1]
		transpose(lb.wt, below.np, n.Params[off:off+lb.in*lb.out], lb.in, lb.out)
		gemm(m, below.np, lb.out, lb.g, lb.ld, 1, lb.wt, below.np, below.g, below.ld)
		mulInto(below.g[:b*below.ld], below.d)
	}
}

// transpose writes dst[j*ld+k] = w[k*out+j] for the in × out matrix w. It
// goes in 16 × 16 tiles: row by row, the writes would stride ld floats
// apart and miss the cache on every one once the width reaches the
// hundreds (13 % of a 3×512 training step before tiling).
func transpose(dst []float32, ld int, w []float32, in, out int) {
	const tile = 16
	for k0 := 0; k0 < in; k0 += tile {
		k1 := min(k0+tile, in)
		for j0 := 0; j0 < out; j0 += tile {
			j1 := min(j0+tile, out)
			for k := k0; k < k1; k++ {
				row := w[k*out+j0 : k*out+j1]
				for j, v := range row {
					dst[(j0+j)*ld+k] = v
				}
			}
		}
	}
}

// evalChunk caps the rows Eval pushes through the layers at once, so that
// one layer's activations (256 rows × 72 floats = 72 KiB at width 64) stay
// in the L2 cache between the product that writes them and the one that
// reads them, however large the workspace.
const evalChunk = 256

// Eval is the inference path for sampling: out[i] = v(x[i], t) for every
// row of x (B×D, any B), all rows sharing one t. It keeps nothing for
// Backward and works through x in chunks of at most ws.MaxBatch() rows. Since t is
// the same for every row, its features are folded into the first layer's
// bias once per call: z₀ = x·W_x + (b₀ + features(t)·W_t).
func (n *Net) Eval(ws *Workspace, x []float32, t float32, out []float32) {
	n.EvalClass(ws, x, t, NullClass, out)
}

// EvalClass is Eval for one class y of a conditional network (NullClass for
// u(x | ∅)); its one-hot input is folded into the first layer's bias with the
// time features. An unconditional network ignores y.
func (n *Net) EvalClass(ws *Workspace, x []float32, t float32, y int, out []float32) {
	ws.check(n)
	if n.Config.Classes > 0 && y >= n.Config.Classes {
		panic(fmt.Sprintf("mlp: class %d of a %d-class network", y, n.Config.Classes))
	}
	d := ws.dim
	if len(x)%d != 0 || len(out) != len(x) {
		panic(fmt.Sprintf("mlp: Eval with %d input and %d output values of %d-dimensional points", len(x), len(out), d))
	}
	ws.batch = -1
	ws.packEval(n, t, y)
	l0 := &ws.layers[0]
	last := len(ws.layers) - 1
	chunk := min(ws.maxBatch, evalChunk)
	for start := 0; start < len(x)/d; start += chunk {
		b := min(chunk, len(x)/d-start)
		for i := range b {
			copy(ws.evalX[(d+1)*i:(d+1)*i+d], x[d*(start+i):d*(start+i+1)])
		}
		m := roundUp(b, gemmRows)
		gemm(m, l0.np, d+1, ws.evalX, d+1, 1, ws.evalW, l0.np, l0.h, l0.ld)
		for l := range ws.layers {
			lb := &ws.layers[l]
			if l > 0 {
				below := &ws.layers[l-1]
				gemm(m, lb.np, lb.kk, below.h, below.ld, 1, lb.w, lb.np, lb.h, lb.ld)
			}
			if l < last {
				activate(n.Config.Act, lb.h, nil, b, lb.np, lb.ld)
			}
		}
		copy(out[d*start:d*(start+b)], ws.copyOut(b))
	}
}

// packEval packs the weights of n and folds the time features of t and the
// class y (NullClass: none) into the first layer for Eval and EvalJacobian:
// evalW = [W_x; b₀ + features(t)·W_t + onehot(y)·W_class].
func (ws *Workspace) packEval(n *Net, t float32, y int) {
	ws.pack(n)
	l0 := &ws.layers[0]
	d := ws.dim
	var feat [1 + 2*MaxFourier]float32
	tf := feat[:n.Config.timeWidth()]
	timeFeatures(tf, float64(t))
	copy(ws.evalW[:d*l0.np], l0.w[:d*l0.np])
	c := ws.evalW[d*l0.np : (d+1)*l0.np]
	copy(c, l0.w[(l0.kk-1)*l0.np:l0.kk*l0.np])
	for k, f := range tf {
		row := l0.w[(d+k)*l0.np : (d+k+1)*l0.np]
		for j, w := range row {
			c[j] += f * w
		}
	}
	if n.Config.Classes > 0 && y >= 0 {
		// The one-hot input adds the weight row of class y.
		k := d + len(tf) + y
		for j, w := range l0.w[k*l0.np : (k+1)*l0.np] {
			c[j] += w
		}
	}
}
