package density

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/gonum/stat/distmv"

	"github.com/flowviz/flowviz/flow"
	"github.com/flowviz/flowviz/flow/data"
)

// linearCases are fields v = A·x with rotation, shear, expansion and
// contraction; trace A is their divergence.
var linearCases = []struct {
	name string
	a    [2][2]float64
}{
	{"expand", [2][2]float64{{0.5, 0}, {0, 0.3}}},
	{"contract", [2][2]float64{{-0.8, 0}, {0, -0.4}}},
	{"rotate", [2][2]float64{{0, -1.2}, {1.2, 0}}},
	{"shear", [2][2]float64{{0.2, 0.9}, {-0.3, -0.6}}},
}

// linearExact is p_t of the flow of v = A·x from N(0, s²·I): x_t = M·x_0 with
// M = e^{At}, so p_t = N(0, s²·M·Mᵀ). gonum computes e^{At} and the Gaussian.
func linearExact(t *testing.T, a [2][2]float64, s, tt float64) *distmv.Normal {
	t.Helper()
	var m mat.Dense
	m.Exp(mat.NewDense(2, 2, []float64{a[0][0] * tt, a[0][1] * tt, a[1][0] * tt, a[1][1] * tt}))
	var cov mat.SymDense
	cov.SymOuterK(s*s, &m)
	n, ok := distmv.NewNormal([]float64{0, 0}, &cov, nil)
	if !ok {
		t.Fatal("closed-form covariance not positive definite")
	}
	return n
}

func gaussianSource(std float64) *Mixture {
	m, err := MixtureOf(data.Gaussian{Std: std})
	if err != nil {
		panic(err)
	}
	return m
}

func TestLinearFieldDivergence(t *testing.T) {
	for _, tc := range linearCases {
		l := Linear{A: tc.a, B: flow.Vec{0.3, -0.2}}
		x := []flow.Vec{{0, 0}, {1, -2}, {-3, 0.5}}
		v, div := make([]flow.Vec, 3), make([]float64, 3)
		l.VelocityDiv(v, div, x, 0.4)
		fv, fdiv := make([]flow.Vec, 3), make([]float64, 3)
		FiniteDiff{Field: l}.VelocityDiv(fv, fdiv, x, 0.4)
		for i := range x {
			if want := tc.a[0][0] + tc.a[1][1]; div[i] != want || math.Abs(fdiv[i]-want) > 1e-8 {
				t.Errorf("%s: div %v, finite differences %v, want trace %v", tc.name, div[i], fdiv[i], want)
			}
			if v[i] != fv[i] {
				t.Errorf("%s: velocities differ: %v, %v", tc.name, v[i], fv[i])
			}
		}
	}
}

// TestLinearFieldDensity checks the change of variables against the closed
// form p_t = N(0, s²·e^{At}·e^{Aᵀt}) to 1e-6 nats.
func TestLinearFieldDensity(t *testing.T) {
	const s = 1.3
	src := gaussianSource(s)
	opt := Options{Steps: 200, Solver: flow.RK4}
	rng := rand.New(rand.NewPCG(1, 2))
	x := make([]flow.Vec, 50)
	for i := range x {
		x[i] = flow.Vec{2 * rng.NormFloat64(), 2 * rng.NormFloat64()}
	}
	got := make([]float64, len(x))
	for _, tc := range linearCases {
		for _, tt := range []float64{0, 0.25, 1} {
			exact := linearExact(t, tc.a, s, tt)
			if err := LogProb(context.Background(), Linear{A: tc.a}, src, x, tt, opt, got); err != nil {
				t.Fatal(err)
			}
			for i, p := range x {
				if want := exact.LogProb(p[:]); math.Abs(got[i]-want) > 1e-6 {
					t.Errorf("%s t=%v at %v: log p %v, closed form %v", tc.name, tt, p, got[i], want)
				}
			}
		}
	}
}

// TestSolverOrders checks that the log-density error falls as h^p with the
// solver's order p (1, 2, 2, 4) on the shear field.
func TestSolverOrders(t *testing.T) {
	a := linearCases[3].a
	src := gaussianSource(1)
	x := []flow.Vec{{1.5, -0.7}, {-2, 1}}
	exact := linearExact(t, a, 1, 1)
	for _, tc := range []struct {
		s     flow.Solver
		order float64
		n     int
	}{{flow.Euler, 1, 40}, {flow.Midpoint, 2, 40}, {flow.Heun, 2, 40}, {flow.RK4, 4, 10}} {
		errAt := func(n int) float64 {
			lp := make([]float64, len(x))
			if err := LogProb(context.Background(), Linear{A: a}, src, x, 1, Options{Steps: n, Solver: tc.s}, lp); err != nil {
				t.Fatal(err)
			}
			e := 0.0
			for i, p := range x {
				e = max(e, math.Abs(lp[i]-exact.LogProb(p[:])))
			}
			return e
		}
		e1, e2 := errAt(tc.n), errAt(2*tc.n)
		if got := math.Log2(e1 / e2); math.Abs(got-tc.order) > 0.25 {
			t.Errorf("%v: observed order %.2f (errors %.3g, %.3g), want %v", tc.s, got, e1, e2, tc.order)
		}
	}
}

func TestLogProbCancels(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	x := make([]flow.Vec, 3)
	err := LogProb(ctx, Linear{}, gaussianSource(1), x, 0.5, DefaultOptions(), make([]float64, 3))
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled LogProb returned %v", err)
	}
}

func TestLogProbRefusesBadInput(t *testing.T) {
	x := make([]flow.Vec, 2)
	dst := make([]float64, 2)
	for _, tc := range []struct {
		t   float64
		opt Options
	}{
		{-0.1, DefaultOptions()}, {1.5, DefaultOptions()}, {math.NaN(), DefaultOptions()},
		{0.5, Options{Steps: 0, Solver: flow.RK4}}, {0.5, Options{Steps: MaxSteps + 1, Solver: flow.RK4}},
		{0.5, Options{Steps: 5, Solver: flow.Solver(9)}},
	} {
		if err := LogProb(context.Background(), Linear{}, gaussianSource(1), x, tc.t, tc.opt, dst); err == nil {
			t.Errorf("t=%v %+v: no error", tc.t, tc.opt)
		}
	}
}

func TestStepsFrom(t *testing.T) {
	o := Options{Steps: 50}
	for _, tc := range []struct {
		t    float64
		want int
	}{{0, 0}, {1, 50}, {0.02, 1}, {0.5, 25}, {0.51, 26}, {0.3, 15}, {float64(7) / 50, 7}} {
		if got := o.StepsFrom(tc.t); got != tc.want {
			t.Errorf("StepsFrom(%v) = %d, want %d", tc.t, got, tc.want)
		}
	}
}

// TestMixtureMatchesGonum compares LogProb with gonum's distmv for one
// Gaussian and for a mixture (log Σ w_k·N_k by hand from distmv).
func TestMixtureMatchesGonum(t *testing.T) {
	comps := []Component{
		{Weight: 2, Mean: flow.Vec{1, -1}, Cov: [3]float64{0.5, 0.2, 0.3}},
		{Weight: 1, Mean: flow.Vec{-2, 0.5}, Cov: [3]float64{1.5, -0.4, 0.8}},
		{Weight: 1, Mean: flow.Vec{0, 3}, Cov: [3]float64{0.01, 0, 0.02}},
	}
	m, err := NewMixture(comps)
	if err != nil {
		t.Fatal(err)
	}
	var normals []*distmv.Normal
	for _, c := range comps {
		n, ok := distmv.NewNormal(c.Mean[:], mat.NewSymDense(2, []float64{c.Cov[0], c.Cov[1], c.Cov[1], c.Cov[2]}), nil)
		if !ok {
			t.Fatal("gonum refused a covariance")
		}
		normals = append(normals, n)
	}
	rng := rand.New(rand.NewPCG(3, 4))
	x := make([]flow.Vec, 200)
	for i := range x {
		x[i] = flow.Vec{3 * rng.NormFloat64(), 3 * rng.NormFloat64()}
	}
	x = append(x, flow.Vec{40, -60}) // far out: logsumexp keeps it finite
	got := make([]float64, len(x))
	m.LogProb(got, x)
	for i, p := range x {
		terms := make([]float64, len(comps))
		best := math.Inf(-1)
		for k, n := range normals {
			terms[k] = math.Log(comps[k].Weight/4) + n.LogProb(p[:])
			best = max(best, terms[k])
		}
		sum := 0.0
		for _, l := range terms {
			sum += math.Exp(l - best)
		}
		want := best + math.Log(sum)
		if math.Abs(got[i]-want) > 1e-9*(1+math.Abs(want)) {
			t.Fatalf("at %v: %v, gonum %v", p, got[i], want)
		}
	}
}

func TestNewMixtureRefuses(t *testing.T) {
	good := Component{Weight: 1, Cov: [3]float64{1, 0, 1}}
	for name, tc := range map[string]struct {
		c          Component
		degenerate bool
	}{
		"zero weight":     {Component{Weight: 0, Cov: good.Cov}, false},
		"negative weight": {Component{Weight: -1, Cov: good.Cov}, false},
		"inf weight":      {Component{Weight: math.Inf(1), Cov: good.Cov}, false},
		"nan mean":        {Component{Weight: 1, Mean: flow.Vec{math.NaN(), 0}, Cov: good.Cov}, false},
		"point mass":      {Component{Weight: 1}, true},
		"on a line":       {Component{Weight: 1, Cov: [3]float64{1, 1, 1}}, true},
		"not PSD":         {Component{Weight: 1, Cov: [3]float64{-1, 0, 1}}, true},
	} {
		_, err := NewMixture([]Component{good, tc.c})
		if err == nil || errors.Is(err, ErrDegenerate) != tc.degenerate {
			t.Errorf("%s: error %v (degenerate expected: %v)", name, err, tc.degenerate)
		}
	}
	if _, err := NewMixture(nil); err == nil {
		t.Error("empty mixture accepted")
	}
}

// TestEntropy checks the closed form of one Gaussian and the Monte-Carlo
// estimate for a mixture of well-separated equal components, whose entropy
// is that of one component plus log K up to ~e^{-d²/8σ²}.
func TestEntropy(t *testing.T) {
	one, _ := NewMixture([]Component{{Weight: 1, Cov: [3]float64{2, 0.5, 1}}})
	h, se := one.Entropy(nil, 0)
	want := math.Log(2*math.Pi*math.E) + 0.5*math.Log(2*1-0.25)
	if math.Abs(h-want) > 1e-12 || se != 0 {
		t.Errorf("one Gaussian: H = %v ± %v, want %v", h, se, want)
	}
	eight, err := MixtureOf(data.EightGaussians{Radius: 5, Std: 0.3})
	if err != nil {
		t.Fatal(err)
	}
	h, se = eight.Entropy(rand.New(rand.NewPCG(5, 6)), 100_000)
	want = math.Log(2*math.Pi*math.E*0.09) + math.Log(8)
	if math.Abs(h-want) > 4*se || se > 0.01 {
		t.Errorf("8 separated Gaussians: H = %v ± %v, want %v", h, se, want)
	}
}

// TestPathMarginalMatchesMonteCarlo draws x_t = α_t·x1 + σ_t·x0 along each
// path and compares the fraction of draws in boxes with the exact p_t
// integrated over them (a fine midpoint rule), within 4 binomial standard errors.
func TestPathMarginalMatchesMonteCarlo(t *testing.T) {
	target := &data.PointSet{Points: []flow.Vec{{2, 1}, {-1, 2}, {0, -2}}, Jitter: 0.4}
	comps, err := TargetComponents(target)
	if err != nil {
		t.Fatal(err)
	}
	const s0, n = 1.0, 200_000
	boxes := []Rect{{0, 0, 2, 2}, {-2, 1, 0, 3}, {-1, -3, 1, -1}, {-0.5, -0.5, 0.5, 0.5}}
	for _, path := range []flow.Path{flow.LinearPath{}, flow.LinearPath{Sigma: 0.3}, flow.OTPath{SigmaMin: 0.1}} {
		for _, tt := range []float64{0, 0.4, 0.8, 1} {
			alpha, sigma := path.CondMeanStd(tt, s0)
			pt, err := PathMarginal(comps, alpha, sigma, 0)
			if err != nil {
				t.Fatal(err)
			}
			rng := rand.New(rand.NewPCG(7, uint64(tt*10)))
			x1 := data.Sample(target, rng, n)
			counts := make([]int, len(boxes))
			for _, p1 := range x1 {
				x0 := flow.Vec{s0 * rng.NormFloat64(), s0 * rng.NormFloat64()}
				xt, _ := path.Point(x0, p1, tt, flow.Vec{rng.NormFloat64(), rng.NormFloat64()})
				for b, r := range boxes {
					if xt[0] >= r.MinX && xt[0] < r.MaxX && xt[1] >= r.MinY && xt[1] < r.MaxY {
						counts[b]++
					}
				}
			}
			for b, r := range boxes {
				lp, _ := ExactLogProb(pt, Grid{View: r, NX: 100, NY: 100})
				want := Grid{View: r, NX: 100, NY: 100}.Mass(lp)
				got := float64(counts[b]) / n
				if se := math.Sqrt(want * (1 - want) / n); math.Abs(got-want) > 4*se+1e-4 {
					t.Errorf("%v t=%v box %v: Monte Carlo %.4f, exact %.4f (se %.4f)", path, tt, r, got, want, se)
				}
			}
		}
	}
}

func TestPathMarginalDegenerate(t *testing.T) {
	comps, err := TargetComponents(&data.PointSet{Points: []flow.Vec{{1, 1}, {2, 0}}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = PathMarginal(comps, 1, 0, 0)
	if !errors.Is(err, ErrDegenerate) || !strings.Contains(err.Error(), "no density") {
		t.Fatalf("point masses at σ_t = 0: error %v", err)
	}
	m, err := PathMarginal(comps, 1, 0, 0.05)
	if err != nil {
		t.Fatal(err)
	}
	if c := m.Components()[0].Cov; math.Abs(c[0]-0.0025) > 1e-15 || c[1] != 0 || math.Abs(c[2]-0.0025) > 1e-15 {
		t.Errorf("floored covariance %v", c)
	}
	if _, err := PathMarginal(comps, math.NaN(), 0.5, 0); err == nil {
		t.Error("NaN α accepted")
	}
}

func TestTargetComponents(t *testing.T) {
	for _, tc := range []struct {
		d    data.Dist
		want int
	}{
		{data.Gaussian{Std: 1, Mean: flow.Vec{1, 2}}, 1},
		{data.EightGaussians{Radius: 5, Std: 1}, 8},
		{&data.PointSet{Points: make([]flow.Vec, 17), Jitter: 0.1}, 17},
	} {
		c, err := TargetComponents(tc.d)
		if err != nil || len(c) != tc.want {
			t.Errorf("%v: %d components, %v", tc.d, len(c), err)
		}
	}
	for _, d := range []data.Dist{data.Moons{Noise: 0.05, Scale: 2, Shift: 1}, data.Uniform{A: 1}, &data.PointSet{}} {
		if _, err := TargetComponents(d); err == nil {
			t.Errorf("%v: no error", d)
		}
	}
	if s0, err := SourceStd(data.Gaussian{Std: 1.5}); s0 != 1.5 || err != nil {
		t.Errorf("SourceStd of N(0, 1.5²): %v, %v", s0, err)
	}
	for _, d := range []data.Dist{data.Gaussian{Std: 1, Mean: flow.Vec{1, 0}}, data.Uniform{A: 1}} {
		if _, err := SourceStd(d); err == nil {
			t.Errorf("SourceStd(%v): no error", d)
		}
	}
	if _, err := MixtureOf(data.Gaussian{Std: 0}); !errors.Is(err, ErrDegenerate) {
		t.Errorf("std-0 Gaussian source: %v", err)
	}
}

func TestGrid(t *testing.T) {
	g := Grid{View: Rect{-1, 0, 3, 2}, NX: 4, NY: 2}
	pts := g.Points()
	want := []flow.Vec{{-0.5, 1.5}, {0.5, 1.5}, {1.5, 1.5}, {2.5, 1.5}, {-0.5, 0.5}, {0.5, 0.5}, {1.5, 0.5}, {2.5, 0.5}}
	if fmt.Sprint(pts) != fmt.Sprint(want) {
		t.Errorf("points %v, want %v", pts, want)
	}
	for _, bad := range []Grid{
		{View: Rect{0, 0, 0, 1}, NX: 1, NY: 1},
		{View: Rect{0, 0, 1, math.Inf(1)}, NX: 1, NY: 1},
		{View: Rect{0, 0, 1, 1}, NX: 0, NY: 1},
		{View: Rect{0, 0, 1, 1}, NX: 2048, NY: 1024},
		{View: Rect{0, 0, 1, 1}, NX: math.MaxInt / 2, NY: 4},
	} {
		if bad.Validate() == nil {
			t.Errorf("%+v accepted", bad)
		}
	}
	// A standard Gaussian's mass over [−6, 6]² is 1 to within the midpoint
	// rule's O(h²) error.
	g = Grid{View: Rect{-6, -6, 6, 6}, NX: 96, NY: 96}
	lp, _ := ExactLogProb(gaussianSource(1), g)
	if m := g.Mass(lp); math.Abs(m-1) > 1e-3 {
		t.Errorf("Gaussian mass on the grid %v", m)
	}
}

// TestLogProbChunks checks that points beyond the first chunk get the same
// treatment: every point against the closed form.
func TestLogProbChunks(t *testing.T) {
	a := linearCases[3].a
	exact := linearExact(t, a, 1, 0.7)
	n := 2*logProbChunk + 5
	x := make([]flow.Vec, n)
	for i := range x {
		x[i] = flow.Vec{float64(i%97)/20 - 2.4, float64(i%89)/20 - 2.2}
	}
	got := make([]float64, n)
	if err := LogProb(context.Background(), Linear{A: a}, gaussianSource(1), x, 0.7, Options{Steps: 40, Solver: flow.RK4}, got); err != nil {
		t.Fatal(err)
	}
	for i, p := range x {
		if want := exact.LogProb(p[:]); math.Abs(got[i]-want) > 1e-5 {
			t.Fatalf("point %d of %d at %v: %v, closed form %v", i, n, p, got[i], want)
		}
	}
}

func TestScales(t *testing.T) {
	v := []float64{3, math.NaN(), -7, math.Inf(1), 1, -2, math.Inf(-1)}
	if lo, hi := FiniteRange(v); lo != -7 || hi != 3 {
		t.Errorf("FiniteRange %v %v", lo, hi)
	}
	if lo, hi := FiniteRange([]float64{math.NaN()}); !math.IsInf(lo, 1) || !math.IsInf(hi, -1) {
		t.Errorf("FiniteRange of nothing finite: %v %v", lo, hi)
	}
	for _, tc := range []struct{ q, want float64 }{{0, 1}, {0.5, 3}, {0.99, 7}, {1, 7}, {-1, 1}} {
		if got := AbsQuantile(v, tc.q); got != tc.want {
			t.Errorf("AbsQuantile(%v) = %v, want %v", tc.q, got, tc.want)
		}
	}
	if AbsQuantile(nil, 0.5) != 0 {
		t.Error("AbsQuantile of nothing")
	}
}

// TestMeanStdErr checks the mean and standard error s/√n against gonum's
// stat on fixed data, for both signs.
func TestMeanStdErr(t *testing.T) {
	for _, c := range []struct {
		v    []float64
		sign float64
	}{
		{[]float64{1, 2, 3, 4}, 1},
		{[]float64{-2.5, 0.5, 7, 3, 1}, -1},
		{[]float64{5, 5}, 1},
	} {
		want, std := stat.MeanStdDev(c.v, nil)
		wantSE := stat.StdErr(std, float64(len(c.v)))
		mean, se := meanStdErr(slices.Clone(c.v), c.sign)
		if math.Abs(mean-c.sign*want) > 1e-12 || math.Abs(se-wantSE) > 1e-12 {
			t.Errorf("%v ×%v: mean, se = %v, %v; want %v, %v", c.v, c.sign, mean, se, c.sign*want, wantSE)
		}
	}
}
