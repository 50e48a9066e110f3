package train

import (
	"math/rand/v2"

	"github.com/flowviz/flowviz/flow"
	"github.com/flowviz/flowviz/flow/data"
)

// The reflow coupling integrates the teacher's ODE, which costs ~100 network
// evaluations per pair: far too much per training step. Instead a pool of
// pairs is solved up front and a block of it is re-solved every few steps,
// so fresh pairs keep arriving at a fraction of the cost of a training step.
const (
	reflowPoolSize     = 4096
	reflowBlock        = 256
	reflowRefreshSteps = 64 // steps between block refreshes
	reflowODESteps     = 25 // RK4 steps: 100 evaluations, error far below the pool's sampling noise
)

// reflowPool holds pairs (x0, x1 = ODE_teacher(x0)) of rectified flow's
// "reflow" (Liu et al. 2022, Algorithm 1).
type reflowPool struct {
	field  flow.Field
	start  float64 // the teacher's σ_0: its ODE starts from start·x0 (VE)
	ode    flow.Integrator
	x0, x1 []flow.Vec
	next   int // start of the block to refresh next
	steps  int // draws since the last refresh
}

// reflowPool returns the pool, solving it on first use.
func (tr *Trainer) reflowPool() *reflowPool {
	if tr.reflow == nil {
		p := &reflowPool{
			field: tr.teacher.Field(),
			start: tr.teacher.StartScale(),
			ode:   flow.Integrator{Solver: flow.RK4},
			x0:    make([]flow.Vec, reflowPoolSize),
			x1:    make([]flow.Vec, reflowPoolSize),
		}
		for start := 0; start < reflowPoolSize; start += reflowBlock {
			p.solve(tr.source, tr.rng, start)
		}
		tr.reflow = p
	}
	return tr.reflow
}

// solve replaces the block at start with new source draws and their images
// under the teacher's flow.
func (p *reflowPool) solve(source data.Dist, rng *rand.Rand, start int) {
	x0, x1 := p.x0[start:start+reflowBlock], p.x1[start:start+reflowBlock]
	source.Sample(rng, x0)
	for i, p0 := range x0 {
		x1[i] = flow.Vec{p.start * p0[0], p.start * p0[1]}
	}
	p.ode.Integrate(p.field, x1, 0, 1, reflowODESteps, nil)
}

// draw fills x0, x1 with pairs picked uniformly from the pool, refreshing a
// block first when it is due.
func (p *reflowPool) draw(tr *Trainer, x0, x1 []flow.Vec) {
	if p.steps++; p.steps >= reflowRefreshSteps {
		p.steps = 0
		p.solve(tr.source, tr.rng, p.next)
		p.next = (p.next + reflowBlock) % reflowPoolSize
	}
	for i := range x0 {
		j := tr.rng.IntN(reflowPoolSize)
		x0[i], x1[i] = p.x0[j], p.x1[j]
	}
}
