package record

import (
	"math/rand/v2"

	"github.com/flowviz/flowviz/flow"
	"github.com/flowviz/flowviz/flow/data"
	"github.com/flowviz/flowviz/flow/train"
	"github.com/flowviz/flowviz/viz/scene"
)

// Streams of the particle and target draws: the same as flow/sample's, so a
// recording shows the particles the app showed for the same seed.
const (
	sourceStream = 0x736f75726365 // "source"
	targetStream = 0x746172676574 // "target"
)

// Sample integrates particles from source with the model's field over n
// solver steps, x ← step(x, t_k, 1/n) for t_k = k/n, and returns them as a
// scene (without arrows) with a target cloud of as many draws. An empty
// source gives a scene without particles.
func Sample(m *train.Model, source, target data.Dist, particles, n int, solver flow.Solver, seed uint64) *scene.Scene {
	n = max(1, n)
	x0 := make([]flow.Vec, particles)
	if train.IsEmpty(source) {
		x0 = x0[:0]
	} else {
		source.Sample(rand.New(rand.NewPCG(seed, sourceStream)), x0)
	}
	tgt := make([]flow.Vec, particles)
	if train.IsEmpty(target) {
		tgt = tgt[:0]
	} else {
		target.Sample(rand.New(rand.NewPCG(seed, targetStream)), tgt)
	}
	traj := make([][]flow.Vec, n+1)
	times := make([]float64, n+1)
	for k := range traj {
		traj[k] = make([]flow.Vec, len(x0))
		times[k] = float64(k) / float64(n)
	}
	x := append([]flow.Vec(nil), x0...)
	flow.Integrate(m.Field(), solver, x, 0, 1, n, traj)
	return &scene.Scene{Step: m.Step, Times: times, Traj: traj, Source: x0, Target: tgt}
}
