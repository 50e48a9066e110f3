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
// workspace, so call it once per snapshot, not once per frame.
func Euler(ctx context.Context, net *mlp.Net, x []float32, steps int, each func(k int, t float32, x, v []float32)) error {
	d := net.Config.PointDim()
	if len(x)%d != 0 || steps < 1 {
		panic(fmt.Sprintf("hd: Euler on %d values of dimension %d, %d steps", len(x), d, steps))
	}
	ws := mlp.NewWorkspace(net.Config, min(len(x)/d, 256))
	v := make([]float32, len(x))
	h := 1 / float32(steps)
	for k := range steps {
		if err := ctx.Err(); err != nil {
			return err
		}
		t := float32(k) / float32(steps)
		net.Eval(ws, x, t, v)
		if each != nil {
			each(k, t, x, v)
		}
		for i, vi := range v {
			x[i] += h * vi
		}
	}
	return nil
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
