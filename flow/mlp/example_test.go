package mlp_test

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/flowviz/flowviz/flow/mlp"
)

// One flow-matching training loop: x0 ~ N(0, I), x1 on the unit circle,
// xt = (1−t)·x0 + t·x1, and the network regresses the velocity x1 − x0.
// Then the learned field carries noise to the circle by Euler steps.
func Example() {
	rng := rand.New(rand.NewPCG(1, 2))
	cfg := mlp.DefaultConfig()
	net, err := mlp.New(cfg, rng)
	if err != nil {
		panic(err)
	}
	const batch = 256
	ws := mlp.NewWorkspace(cfg, batch)
	opt := mlp.NewAdam(mlp.NumParams(cfg))
	xt, t := make([]float32, 2*batch), make([]float32, batch)
	target, dpred := make([]float32, 2*batch), make([]float32, 2*batch)
	grad := make([]float32, mlp.NumParams(cfg))
	var loss float64
	for range 800 {
		for i := range batch {
			x0 := [2]float64{rng.NormFloat64(), rng.NormFloat64()}
			a := 2 * math.Pi * rng.Float64()
			x1 := [2]float64{math.Cos(a), math.Sin(a)}
			ti := rng.Float64()
			t[i] = float32(ti)
			for c := range 2 {
				xt[2*i+c] = float32((1-ti)*x0[c] + ti*x1[c])
				target[2*i+c] = float32(x1[c] - x0[c])
			}
		}
		loss = mlp.CFMLoss(net.Forward(ws, xt, t), target, dpred)
		net.Backward(ws, dpred, grad)
		opt.Step(net.Params, grad)
	}

	// Sample: 1000 particles, 50 Euler steps x ← x + v(x, k/N)/N.
	const n, steps = 1000, 50
	x, v := make([]float32, 2*n), make([]float32, 2*n)
	for i := range x {
		x[i] = float32(rng.NormFloat64())
	}
	for k := range steps {
		net.Eval(ws, x, float32(k)/steps, v)
		for i := range x {
			x[i] += v[i] / steps
		}
	}
	var meanRadius float64
	for i := range n {
		meanRadius += math.Sqrt(float64(x[2*i]*x[2*i]+x[2*i+1]*x[2*i+1])) / n
	}
	fmt.Printf("final loss below 1.5: %v\n", loss < 1.5)
	fmt.Printf("mean radius of the samples: %.1f\n", meanRadius)
	// Output:
	// final loss below 1.5: true
	// mean radius of the samples: 1.0
}
