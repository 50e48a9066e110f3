package hd

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/flowviz/flowviz/flow/mlp"
)

// Noise fills x with N(0, I) draws: the source x0.
func Noise(rng *rand.Rand, x []float32) {
	for i := range x {
		x[i] = float32(rng.NormFloat64())
	}
}

// Euler integrates the rows of x (n × D) from t = 0 to 1 in steps Euler
// steps, in place, exactly as in the plane:
//
//	x ← x + (1/N)·v(x, k/N),   k = 0..N−1
//
// each, if not nil, sees every step before it is taken: k, t = k/N, the
// state x and the velocity v (both n × D, valid only during the call): a
// film strip keeps copies of one row of each, |v| comes from Norms. It
// returns ctx's error if cancelled between steps. Each call allocates its
// workspace, so call it once per snapshot, not once per frame. A
// conditional network gets the null class: u(x | ∅).
func Euler(ctx context.Context, net *mlp.Net, x []float32, steps int, each func(k int, t float32, x, v []float32)) error {
	return EulerGuided(ctx, net, x, steps, nil, each)
}

// Guide is how a class-conditional network is sampled: a class per row
// (mlp.NullClass for none) and the classifier-free guidance weight W
// (Ho & Salimans 2022), as flow.GuidedField in the plane:
//
//	v = u(x | ∅) + W·(u(x | y) − u(x | ∅))   = (1 − W)·u(x | ∅) + W·u(x | y)
//
// W = 1 is the conditional model, 0 the unconditional one, W > 1 pushes
// past the class. A step costs two network evaluations (one for W = 0 or 1).
type Guide struct {
	Classes []int
	W       float64
}

// ClassRows assigns n rows to classes in contiguous blocks: one < 0 gives
// equal shares of 0..classes−1 in order (row i gets class ⌊i·classes/n⌋),
// one ≥ 0 gives every row that class.
func ClassRows(n, classes, one int) []int {
	y := make([]int, n)
	for i := range y {
		if one >= 0 {
			y[i] = one
		} else {
			y[i] = i * classes / n
		}
	}
	return y
}

// EulerGuided is Euler with the guided field of g (nil, or a network
// without classes: the network's own field). g.Classes has a class for each
// row of x.
func EulerGuided(ctx context.Context, net *mlp.Net, x []float32, steps int, g *Guide, each func(k int, t float32, x, v []float32)) error {
	d := net.Config.PointDim()
	if len(x)%d != 0 || steps < 1 {
		panic(fmt.Sprintf("hd: Euler on %d values of dimension %d, %d steps", len(x), d, steps))
	}
	if net.Config.Classes == 0 {
		g = nil
	}
	if g != nil && len(g.Classes) != len(x)/d {
		panic(fmt.Sprintf("hd: %d classes for %d rows", len(g.Classes), len(x)/d))
	}
	ws := mlp.NewWorkspace(net.Config, min(len(x)/d, 256))
	v := make([]float32, len(x))
	var cond []float32
	if g != nil && g.W != 0 && g.W != 1 {
		cond = make([]float32, len(x))
	}
	h := 1 / float32(steps)
	for k := range steps {
		if err := ctx.Err(); err != nil {
			return err
		}
		t := float32(k) / float32(steps)
		if g == nil {
			net.Eval(ws, x, t, v)
		} else {
			guided(net, ws, x, t, g, v, cond)
		}
		if each != nil {
			each(k, t, x, v)
		}
		for i, vi := range v {
			x[i] += h * vi
		}
	}
	return nil
}

// guided writes the guided velocity of g at (x, t) into v: u(x | ∅) for
// every row (one Eval, unless W = 1), then u(x | y) with each row's own
// class (ForwardClass in chunks, unless W = 0) blended into it; cond is
// scratch of len(x) (nil when W is 0 or 1). A null row blends u with
// itself, so it keeps u.
func guided(net *mlp.Net, ws *mlp.Workspace, x []float32, t float32, g *Guide, v, cond []float32) {
	if g.W != 1 {
		net.Eval(ws, x, t, v) // u(x | ∅)
	}
	if g.W == 0 {
		return
	}
	d := net.Config.PointDim()
	chunk := ws.MaxBatch()
	ts := make([]float32, chunk)
	for i := range ts {
		ts[i] = t
	}
	w := float32(g.W)
	for lo := 0; lo < len(g.Classes); lo += chunk {
		hi := min(lo+chunk, len(g.Classes))
		c := net.ForwardClass(ws, x[lo*d:hi*d], ts[:hi-lo], g.Classes[lo:hi]) // u(x | y)
		vs := v[lo*d : hi*d]
		if cond == nil { // W = 1: the conditional field itself
			copy(vs, c)
			continue
		}
		for i, u := range vs {
			vs[i] = u + w*(c[i]-u) // v = u(x|∅) + w·(u(x|y) − u(x|∅))
		}
	}
}

// Norms writes the Euclidean norm of each row of x (n × d) into dst (n),
// as |v| of each particle for the film strip.
func Norms(dst, x []float32, d int) {
	for i := range dst {
		var s float64
		for _, v := range x[i*d : (i+1)*d] {
			s += float64(v) * float64(v)
		}
		dst[i] = float32(math.Sqrt(s))
	}
}

// Nearest finds, for every row of q (m × d), the nearest row of ref (n × d)
// in Euclidean distance: its index into idx and the distance into dist
// (both m long; either may be nil). It uses ‖q − r‖² = ‖q‖² − 2q·r + ‖r‖²
// with the reference norms computed once.
func Nearest(q, ref []float32, d int, idx []int, dist []float64) {
	m, n := len(q)/d, len(ref)/d
	if n == 0 {
		panic("hd: Nearest with no reference rows")
	}
	rn := make([]float64, n)
	for j := range n {
		var s float32
		for _, v := range ref[j*d : (j+1)*d] {
			s += v * v
		}
		rn[j] = float64(s)
	}
	for i := range m {
		qi := q[i*d : (i+1)*d]
		var qn float32
		for _, v := range qi {
			qn += v * v
		}
		best, bj := math.Inf(1), 0
		for j := range n {
			rj := ref[j*d : (j+1)*d]
			rj = rj[:len(qi)]
			var dot float32
			for k, v := range qi {
				dot += v * rj[k]
			}
			if s := rn[j] - 2*float64(dot); s < best {
				best, bj = s, j
			}
		}
		if idx != nil {
			idx[i] = bj
		}
		if dist != nil {
			dist[i] = math.Sqrt(max(best+float64(qn), 0))
		}
	}
}

// ClassAccuracy is the nearest-neighbour classifier's verdict on samples x
// (n × d) asked to be of classes asked (n): the fraction whose nearest row
// of ref (labelled refLabels) has the asked class. A model that ignores the
// class scores the asked classes' share of ref, 1/K for balanced data.
func ClassAccuracy(x []float32, asked []int, ref []float32, refLabels []int, d int) float64 {
	n := len(asked)
	if n == 0 {
		return 0
	}
	idx := make([]int, n)
	Nearest(x[:n*d], ref, d, idx, nil)
	hit := 0
	for i, j := range idx {
		if refLabels[j] == asked[i] {
			hit++
		}
	}
	return float64(hit) / float64(n)
}
