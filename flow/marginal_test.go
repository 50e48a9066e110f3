package flow

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// opaquePath hides the affine shortcut so Marginal takes its general route.
type opaquePath struct{ Path }

var tinyTargets = []Vec{{2, 0}, {-1, 1.5}, {-0.5, -2}}

// TestMarginalMonteCarlo compares the marginal field with brute force: sample
// (x0, x1) pairs at time t, keep those whose xt lands in a small ball around
// x and average their dxt. By the tower property E[dxt | xt ∈ ball] equals
// the average of v(xt) over the kept xt, so that is compared within 5
// standard errors; v(x) at the centre must agree to within the ball's bias.
func TestMarginalMonteCarlo(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	const n = 100000
	for _, p := range []Path{LinearPath{}, LinearPath{Sigma: 0.2}, OTPath{SigmaMin: 0.05}} {
		for _, tc := range []struct {
			t, s0 float64
			x     Vec
		}{
			{0.3, 1, Vec{0.2, 0.1}},
			{0.6, 1, Vec{0.4, 0.3}},
			{0.8, 0.7, Vec{1.5, 0}},
		} {
			m := &Marginal{Path: p, Targets: tinyTargets, SourceStd: tc.s0}
			const radius = 0.15
			var kept []Vec
			var dxts []Vec
			for range n {
				x1 := tinyTargets[rng.IntN(len(tinyTargets))]
				x0 := gauss(rng)
				x0[0], x0[1] = tc.s0*x0[0], tc.s0*x0[1]
				xt, dxt := p.Point(x0, x1, tc.t, gauss(rng))
				if dx, dy := xt[0]-tc.x[0], xt[1]-tc.x[1]; dx*dx+dy*dy <= radius*radius {
					kept = append(kept, xt)
					dxts = append(dxts, dxt)
				}
			}
			if len(kept) < 300 {
				t.Fatalf("%v t=%v: only %d samples in the ball", p, tc.t, len(kept))
			}
			v := make([]Vec, len(kept))
			m.Velocity(v, kept, tc.t)
			center := make([]Vec, 1)
			m.Velocity(center, []Vec{tc.x}, tc.t)
			k := float64(len(kept))
			for d := range 2 {
				var sumDiff, sumSq, sumDxt, sumDxtSq float64
				for i := range kept {
					diff := dxts[i][d] - v[i][d]
					sumDiff += diff
					sumSq += diff * diff
					sumDxt += dxts[i][d]
					sumDxtSq += dxts[i][d] * dxts[i][d]
				}
				meanDiff := sumDiff / k
				se := math.Sqrt(max(sumSq/k-meanDiff*meanDiff, 0) / k)
				if math.Abs(meanDiff) > 5*se+1e-9 {
					t.Errorf("%v t=%v x=%v: E[dxt − v(xt) | ball][%d] = %v, standard error %v", p, tc.t, tc.x, d, meanDiff, se)
				}
				// The centre value differs from the ball average by the
				// field's variation over the ball, allowed 10%, plus noise.
				got := sumDxt / k
				seDxt := math.Sqrt(max(sumDxtSq/k-got*got, 0) / k)
				if math.Abs(got-center[0][d]) > 5*seDxt+0.1*(1+math.Abs(got)) {
					t.Errorf("%v t=%v x=%v: E[dxt | ball][%d] = %v ± %v, v(x) = %v", p, tc.t, tc.x, d, got, seDxt, center[0][d])
				}
			}
		}
	}
}

// TestMarginalGeneralRoute checks the general route (CondVelocity per target)
// against the affine shortcut.
func TestMarginalGeneralRoute(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	x := make([]Vec, 30)
	for i := range x {
		x[i] = Vec{3 * rng.NormFloat64(), 3 * rng.NormFloat64()}
	}
	for _, p := range testPaths {
		for _, tt := range []float64{0, 0.5, 0.99, 1} {
			fast := &Marginal{Path: p, Targets: tinyTargets, SourceStd: 1.3}
			slow := &Marginal{Path: opaquePath{p}, Targets: tinyTargets, SourceStd: 1.3}
			a, b := make([]Vec, len(x)), make([]Vec, len(x))
			fast.Velocity(a, x, tt)
			slow.Velocity(b, x, tt)
			for i := range x {
				if !near(a[i], b[i], 1e-9*(1+math.Hypot(a[i][0], a[i][1]))) {
					t.Errorf("%v t=%v x=%v: affine %v, general %v", p, tt, x[i], a[i], b[i])
				}
			}
		}
	}
}

// TestMarginalSingleTarget: with one target the posterior is certain and the
// marginal field is exactly the conditional one.
func TestMarginalSingleTarget(t *testing.T) {
	x1 := Vec{1.2, -0.4}
	x := []Vec{{0, 0}, {3, 1}, {-2, 5}, x1}
	for _, p := range testPaths {
		for _, tt := range []float64{0, 0.25, 0.9, 1} {
			m := &Marginal{Path: p, Targets: []Vec{x1}, SourceStd: 0.8}
			v := make([]Vec, len(x))
			m.Velocity(v, x, tt)
			for i := range x {
				if want := p.CondVelocity(x[i], x1, tt, 0.8); !near(v[i], want, 1e-12) {
					t.Errorf("%v t=%v x=%v: marginal %v, conditional %v", p, tt, x[i], v[i], want)
				}
			}
		}
	}
}

// TestMarginalWeights checks the posterior weights are a distribution, are
// uniform at t = 0 for a noise-free path (xt = x0 says nothing about x1),
// become one-hot on the nearest target at t = 1, and split exact ties.
func TestMarginalWeights(t *testing.T) {
	targets := []Vec{{1, 0}, {-1, 0}, {0, 3}}
	w := make([]float64, len(targets))
	for _, tc := range []struct {
		path Path
		t    float64
		x    Vec
		want []float64 // nil: only check it is a distribution
	}{
		{LinearPath{}, 0, Vec{5, -7}, []float64{1.0 / 3, 1.0 / 3, 1.0 / 3}},
		{LinearPath{}, 1, Vec{0.9, 0.2}, []float64{1, 0, 0}},
		{OTPath{}, 1, Vec{0.2, 2.5}, []float64{0, 0, 1}},
		{LinearPath{}, 1, Vec{0, -1}, []float64{0.5, 0.5, 0}},
		{LinearPath{}, 1 - 1e-12, Vec{-0.8, 0}, []float64{0, 1, 0}},
		{LinearPath{Sigma: 0.5}, 1, Vec{0.9, 0.2}, nil},
		{LinearPath{}, 0.5, Vec{1e6, 1e6}, nil}, // far away: logits ≈ −1e12
		{OTPath{SigmaMin: 0.01}, 0.7, Vec{0.3, 0.3}, nil},
	} {
		m := &Marginal{Path: tc.path, Targets: targets, SourceStd: 1}
		m.Weights(tc.x, tc.t, w)
		sum := 0.0
		for _, wj := range w {
			if !(wj >= 0 && wj <= 1) {
				t.Errorf("%v t=%v x=%v: weight %v", tc.path, tc.t, tc.x, wj)
			}
			sum += wj
		}
		if math.Abs(sum-1) > 1e-12 {
			t.Errorf("%v t=%v x=%v: weights %v sum to %v", tc.path, tc.t, tc.x, w, sum)
		}
		for j := range tc.want {
			if math.Abs(w[j]-tc.want[j]) > 1e-12 {
				t.Errorf("%v t=%v x=%v: weights %v, want %v", tc.path, tc.t, tc.x, w, tc.want)
				break
			}
		}
	}
}

// TestMarginalAtTimeZero: for σ = 0 at t = 0, xt = x0, so the field is
// E[x1] − x.
func TestMarginalAtTimeZero(t *testing.T) {
	m := &Marginal{Path: LinearPath{}, Targets: tinyTargets, SourceStd: 1}
	var mean Vec
	for _, x1 := range tinyTargets {
		mean[0] += x1[0] / float64(len(tinyTargets))
		mean[1] += x1[1] / float64(len(tinyTargets))
	}
	x := []Vec{{0, 0}, {1, -2}, {4, 4}}
	v := make([]Vec, len(x))
	m.Velocity(v, x, 0)
	for i := range x {
		if want := (Vec{mean[0] - x[i][0], mean[1] - x[i][1]}); !near(v[i], want, 1e-12) {
			t.Errorf("v(%v, 0) = %v, want %v", x[i], v[i], want)
		}
	}
}

// TestMarginalFinite evaluates the field near and at the singular time t = 1
// on points that are targets, ties and far away: nothing may be NaN or Inf.
func TestMarginalFinite(t *testing.T) {
	x := []Vec{{2, 0}, {0.5, 0.75}, {0, 0}, {1e8, -1e8}, {-1, 1.5}}
	for _, p := range testPaths {
		m := &Marginal{Path: p, Targets: tinyTargets, SourceStd: 1}
		v := make([]Vec, len(x))
		for _, tt := range []float64{0, 0.5, 1 - 1e-9, 1 - 1e-15, 1} {
			m.Velocity(v, x, tt)
			for i := range v {
				for d := range 2 {
					if math.IsNaN(v[i][d]) || math.IsInf(v[i][d], 0) {
						t.Errorf("%v t=%v: v(%v) = %v", p, tt, x[i], v[i])
					}
				}
			}
		}
	}
	empty := &Marginal{Path: LinearPath{}}
	v := []Vec{{7, 7}}
	empty.Velocity(v, []Vec{{1, 1}}, 0.5)
	if v[0] != (Vec{}) {
		t.Errorf("no targets: v = %v, want 0", v[0])
	}
}

// TestMarginalTransportsToTargets integrates the σ = 0 marginal field from
// source samples: every particle must land on a target point, and each
// target must receive about its share of the particles.
func TestMarginalTransportsToTargets(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	const n = 600
	for _, p := range []Path{LinearPath{}, OTPath{}} {
		for _, s := range []Solver{Euler, Midpoint} {
			m := &Marginal{Path: p, Targets: tinyTargets, SourceStd: 1}
			x := make([]Vec, n)
			for i := range x {
				x[i] = gauss(rng)
			}
			Integrate(m, s, x, 0, 1, 100, nil)
			count := make([]int, len(tinyTargets))
			for i := range x {
				j := nearestIndex(x[i], tinyTargets)
				if !near(x[i], tinyTargets[j], 1e-6) {
					t.Fatalf("%v %v: particle %d ends at %v, nearest target %v", p, s, i, x[i], tinyTargets[j])
				}
				count[j]++
			}
			for j, c := range count {
				// binomial(n, 1/3): sd ≈ 11.5
				if math.Abs(float64(c)-n/3.0) > 60 {
					t.Errorf("%v %v: target %d received %d of %d particles", p, s, j, c, n)
				}
			}
		}
	}
}

func nearestIndex(x Vec, targets []Vec) int {
	best, bestD := 0, math.Inf(1)
	for j, y := range targets {
		if d := sqDist(x, y, 1); d < bestD {
			best, bestD = j, d
		}
	}
	return best
}

func BenchmarkMarginal(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 1))
	for _, targets := range []int{100, 1000} {
		b.Run(fmt.Sprintf("points=1000/targets=%d", targets), func(b *testing.B) {
			m := &Marginal{Path: LinearPath{}, Targets: make([]Vec, targets), SourceStd: 1}
			for j := range m.Targets {
				m.Targets[j] = gauss(rng)
			}
			x := make([]Vec, 1000)
			for i := range x {
				x[i] = gauss(rng)
			}
			v := make([]Vec, len(x))
			for b.Loop() {
				m.Velocity(v, x, 0.5)
			}
		})
	}
}

// With two targets the posterior at t = 0.5 favours the nearer one, and the
// field points between them, towards the nearer.
func ExampleMarginal() {
	m := &Marginal{Path: LinearPath{}, Targets: []Vec{{-2, 0}, {2, 0}}, SourceStd: 1}
	w := make([]float64, 2)
	m.Weights(Vec{0.2, 0}, 0.5, w)
	v := make([]Vec, 1)
	m.Velocity(v, []Vec{{0.2, 0}}, 0.5)
	fmt.Printf("weights %.3f, velocity (%.3f, %.3f)\n", w, v[0][0], v[0][1])
	// Output: weights [0.168 0.832], velocity (2.256, 0.000)
}

// TestMarginalOrthogonality checks the defining property of the marginal
// field: v(xt) = E[dxt | xt], so the residual dxt − v(xt) is uncorrelated
// with every function g of xt (v minimises the flow-matching loss
// E‖v(xt) − dxt‖²). Unlike the ball test it uses every sample, so it is
// sensitive to small errors in the posterior weights.
func TestMarginalOrthogonality(t *testing.T) {
	rng := rand.New(rand.NewPCG(45, 46))
	const n = 40000
	for _, p := range []Path{LinearPath{}, LinearPath{Sigma: 0.3}, OTPath{SigmaMin: 0.05}} {
		for _, tt := range []float64{0.3, 0.6, 0.85} {
			m := &Marginal{Path: p, Targets: tinyTargets, SourceStd: 1}
			xt, dxt := make([]Vec, n), make([]Vec, n)
			for i := range xt {
				x1 := tinyTargets[rng.IntN(len(tinyTargets))]
				xt[i], dxt[i] = p.Point(gauss(rng), x1, tt, gauss(rng))
			}
			v := make([]Vec, n)
			m.Velocity(v, xt, tt)
			w := make([]float64, len(tinyTargets))
			tests := []struct {
				name string
				g    func(x Vec) float64
			}{
				{"1", func(Vec) float64 { return 1 }},
				{"x", func(x Vec) float64 { return x[0] }},
				{"y", func(x Vec) float64 { return x[1] }},
				{"w_0", func(x Vec) float64 { m.Weights(x, tt, w); return w[0] }},
				{"w_1", func(x Vec) float64 { m.Weights(x, tt, w); return w[1] }},
				{"bump", func(x Vec) float64 { return math.Exp(-sqDist(x, Vec{0.3, 0.2}, 1)) }},
			}
			for _, g := range tests {
				for d := range 2 {
					var sum, sumSq float64
					for i := range xt {
						r := (dxt[i][d] - v[i][d]) * g.g(xt[i])
						sum += r
						sumSq += r * r
					}
					mean := sum / n
					se := math.Sqrt(max(sumSq/n-mean*mean, 0) / n)
					if math.Abs(mean) > 5*se+1e-12 {
						t.Errorf("%v t=%v: E[(dxt − v)[%d]·%s(xt)] = %v, standard error %v", p, tt, d, g.name, mean, se)
					}
				}
			}
		}
	}
}
