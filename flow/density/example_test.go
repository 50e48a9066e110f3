package density_test

import (
	"context"
	"fmt"
	"math"

	"github.com/flowviz/flowviz/flow"
	"github.com/flowviz/flowviz/flow/data"
	"github.com/flowviz/flowviz/flow/density"
)

// The flow of v(x) = −x/2 contracts the plane by e^{−t/2} along each axis:
// a standard Gaussian becomes N(0, e^{−t}·I), and the change of variables
// gives its log-density at the origin, log(1/(2π e^{−t})) = t − log 2π.
func ExampleLogProb() {
	field := density.Linear{A: [2][2]float64{{-0.5, 0}, {0, -0.5}}}
	source, err := density.MixtureOf(data.Gaussian{Std: 1})
	if err != nil {
		panic(err)
	}
	logp := make([]float64, 1)
	if err := density.LogProb(context.Background(), field, source, []flow.Vec{{0, 0}}, 1, density.DefaultOptions(), logp); err != nil {
		panic(err)
	}
	fmt.Printf("learned %.6f, exact %.6f\n", logp[0], 1-math.Log(2*math.Pi))
	// Output: learned -0.837877, exact -0.837877
}

// The exact marginal of the straight path halfway from N(0, I) to eight
// Gaussians: a mixture of N(μ_k/2, (0.25·0.25 + 0.25)·I).
func ExamplePathMarginal() {
	comps, err := density.TargetComponents(data.EightGaussians{Radius: 4, Std: 0.5})
	if err != nil {
		panic(err)
	}
	alpha, sigma := flow.LinearPath{}.CondMeanStd(0.5, 1)
	pt, err := density.PathMarginal(comps, alpha, sigma, 0)
	if err != nil {
		panic(err)
	}
	c := pt.Components()[0]
	fmt.Printf("first component: mean %v, variance %.4f\n", c.Mean, c.Cov[0])
	// Output: first component: mean [2 0], variance 0.3125
}
