package lesson

import (
	"math/rand/v2"

	"github.com/flowviz/flowviz/flow"
	"github.com/flowviz/flowviz/flow/data"
)

// Row is one pair of a training batch as the batch lesson tabulates it.
type Row struct {
	X0, X1 flow.Vec
	T      float64
	Xt     flow.Vec // (1−t)·x0 + t·x1
	U      flow.Vec // x1 − x0, the target velocity
	V      flow.Vec // the network's prediction v(xt, t)
	SqErr  float64  // ‖V − U‖²
}

// BatchRows draws n pairs and times t ~ U[0,1) from rng and fills the rows
// with f's predictions; loss is the mean SqErr,
//
//	loss = (1/n)·Σ_i ‖v(xt_i, t_i) − (x1_i − x0_i)‖²
//
// (the blog post's .mean() also averages over the two coordinates, which
// halves it). It returns no rows and loss 0 for n < 1.
func BatchRows(n int, rng *rand.Rand, source, target data.Dist, f flow.Field) (rows []Row, loss float64) {
	if n < 1 {
		return nil, 0
	}
	x0 := data.Sample(source, rng, n)
	x1 := data.Sample(target, rng, n)
	rows = make([]Row, n)
	for i := range rows {
		r := &rows[i]
		r.X0, r.X1, r.T = x0[i], x1[i], rng.Float64()
		r.Xt, r.U = Interpolate(r.X0, r.X1, r.T)
	}
	// Each row has its own t and Field takes one t per call, so the rows
	// are predicted one at a time; a batch lesson shows only a few.
	var v [1]flow.Vec
	for i := range rows {
		r := &rows[i]
		f.Velocity(v[:], []flow.Vec{r.Xt}, r.T)
		r.V = v[0]
		dx, dy := r.V[0]-r.U[0], r.V[1]-r.U[1]
		r.SqErr = dx*dx + dy*dy
		loss += r.SqErr
	}
	return rows, loss / float64(n)
}
