package lesson

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/flowviz/flowviz/flow"
	"github.com/flowviz/flowviz/flow/data"
)

// Interpolate returns the point of the straight path at time t and its
// velocity, the blog post's
//
//	xt = (1−t)·x0 + t·x1,  v = dxt/dt = x1 − x0.
func Interpolate(x0, x1 flow.Vec, t float64) (xt, v flow.Vec) {
	for d := range 2 {
		xt[d] = (1-t)*x0[d] + t*x1[d]
		v[d] = x1[d] - x0[d]
	}
	return xt, v
}

// StepPoints returns the n+1 points x_{k/n}, k = 0..n, of the straight path:
// where NUM_STEPS = n equal steps of (x1 − x0)/n land. It is nil for n < 1.
func StepPoints(x0, x1 flow.Vec, n int) []flow.Vec {
	if n < 1 {
		return nil
	}
	pts := make([]flow.Vec, n+1)
	for k := range pts {
		// x0 + k·(x1 − x0)/n equals (1−k/n)·x0 + (k/n)·x1 but rounds less:
		// the blog post's (1, 1) → (2, 2) → … comes out exact.
		for d := range 2 {
			pts[k][d] = x0[d] + float64(k)*(x1[d]-x0[d])/float64(n)
		}
	}
	// The ends are the pair itself, not a rounding of it.
	pts[0], pts[n] = x0, x1
	return pts
}

// RandomPairs draws n source points x0 and then n target points x1 from a
// generator seeded by seed: independent pairs, the same for the same seed.
func RandomPairs(n int, seed uint64, source, target data.Dist) (x0, x1 []flow.Vec) {
	n = max(n, 0)
	rng := rand.New(rand.NewPCG(seed, pairStream))
	return data.Sample(source, rng, n), data.Sample(target, rng, n)
}

// pairStream is the PCG stream of RandomPairs; any constant would do, it only
// has to stay fixed so a lesson's seed keeps giving the same picture.
const pairStream = 0x6c6573736f6e

// CrossingPaths returns the straight paths x0[i] → x1[i] that pass within radius
// of at, whatever their time there, with the time ts of each one's closest
// point, t* = clamp((at − x0)·(x1 − x0) / |x1 − x0|², 0, 1), and the mean of
// their directions x1 − x0: where paths cross, the one direction a field
// could take. The mean is zero when no path is near. It panics if x0 and x1
// differ in length.
func CrossingPaths(x0, x1 []flow.Vec, at flow.Vec, radius float64) (idx []int, ts []float64, mean flow.Vec) {
	if len(x0) != len(x1) {
		panic(fmt.Sprintf("lesson: CrossingPaths with %d sources and %d targets", len(x0), len(x1)))
	}
	r2 := radius * radius
	for i := range x0 {
		u := flow.Vec{x1[i][0] - x0[i][0], x1[i][1] - x0[i][1]}
		t := 0.0
		if l2 := u[0]*u[0] + u[1]*u[1]; l2 > 0 {
			t = math.Min(1, math.Max(0, ((at[0]-x0[i][0])*u[0]+(at[1]-x0[i][1])*u[1])/l2))
		}
		dx, dy := x0[i][0]+t*u[0]-at[0], x0[i][1]+t*u[1]-at[1]
		if dx*dx+dy*dy > r2 {
			continue
		}
		idx, ts = append(idx, i), append(ts, t)
		mean[0] += u[0]
		mean[1] += u[1]
	}
	if n := float64(len(idx)); n > 0 {
		mean = flow.Vec{mean[0] / n, mean[1] / n}
	}
	return idx, ts, mean
}
