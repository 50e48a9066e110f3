package lesson

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"sync/atomic"
	"testing"

	"github.com/flowviz/flowviz/flow"
)

// squareTargets is a tiny target set symmetric under quarter turns, and
// squareDraws source draws closed under the same turns. The exact flow
// commutes with the turns, so every target receives exactly a quarter of
// the samples: W2 to the target cloud measures where the samples land, not
// how the count happened to split between targets.
var squareTargets = []flow.Vec{{2, 2}, {-2, 2}, {-2, -2}, {2, -2}}

func squareDraws(n int) (x0, target []flow.Vec) {
	rng := rand.New(rand.NewPCG(5, 6))
	for range n {
		p := flow.Vec{rng.NormFloat64(), rng.NormFloat64()}
		for k := range 4 {
			x0 = append(x0, p)
			target = append(target, squareTargets[k])
			p = flow.Vec{-p[1], p[0]}
		}
	}
	return x0, target
}

func marginalField() flow.Field {
	return &flow.Marginal{Path: flow.LinearPath{}, Targets: squareTargets, SourceStd: 1}
}

func TestSamplingTable(t *testing.T) {
	x0, target := squareDraws(100)
	steps := []int{1, 2, 5, 10, 100}
	solvers := []string{"euler", "RK4"}
	results, err := SamplingTable(context.Background(), marginalField, x0, target, steps, solvers)
	if err != nil {
		t.Fatal(err)
	}
	if len(results) != len(steps)*len(solvers) {
		t.Fatalf("%d results, want %d", len(results), len(steps)*len(solvers))
	}
	w2 := map[string]map[int]float64{"euler": {}, "rk4": {}}
	for i, n := range steps {
		for j, name := range []string{"euler", "rk4"} {
			r := results[i*len(solvers)+j]
			evals := n * map[string]int{"euler": 1, "rk4": 4}[name]
			if r.Steps != n || r.Solver != name || r.Evals != evals {
				t.Errorf("result %d = %+v, want %d %s steps, %d evals", i*len(solvers)+j, r, n, name, evals)
			}
			w2[name][n] = r.W2
			t.Logf("%-5s %3d steps: W2 %.4f", name, n, r.W2)
		}
	}
	// One Euler step from t = 0, where every target is equally likely, lands
	// on their centroid: W2 = |(2, 2)| = 2√2.
	if got := w2["euler"][1]; math.Abs(got-2*math.Sqrt2) > 1e-9 {
		t.Errorf("Euler 1 step: W2 %v, want 2√2", got)
	}
	for i := 1; i < len(steps); i++ {
		if prev, cur := w2["euler"][steps[i-1]], w2["euler"][steps[i]]; cur > prev+1e-9 {
			t.Errorf("Euler W2 rose from %v at %d steps to %v at %d", prev, steps[i-1], cur, steps[i])
		}
	}
	if w2["euler"][100] > 0.05 {
		t.Errorf("Euler 100 steps: W2 %v, want < 0.05", w2["euler"][100])
	}
	if d := math.Abs(w2["rk4"][10] - w2["euler"][100]); d > 0.05 {
		t.Errorf("RK4 10 steps W2 %v, Euler 100 steps %v: differ by %v", w2["rk4"][10], w2["euler"][100], d)
	}
}

func TestSamplingTableErrors(t *testing.T) {
	x0, target := squareDraws(2)
	ctx := context.Background()
	tests := []struct {
		name       string
		x0, target []flow.Vec
		steps      []int
		solvers    []string
	}{
		{"sizes differ", x0, target[1:], []int{1}, []string{"euler"}},
		{"no points", nil, nil, []int{1}, []string{"euler"}},
		{"bad solver", x0, target, []int{1}, []string{"leapfrog"}},
		{"zero steps", x0, target, []int{1, 0}, []string{"euler"}},
	}
	for _, tc := range tests {
		if _, err := SamplingTable(ctx, marginalField, tc.x0, tc.target, tc.steps, tc.solvers); err == nil {
			t.Errorf("%s: accepted", tc.name)
		}
	}
	if r, err := SamplingTable(ctx, marginalField, x0, target, nil, []string{"euler"}); err != nil || len(r) != 0 {
		t.Errorf("no step counts: %v, %v", r, err)
	}
}

// A field that blows up gives W2 = +Inf rather than an error or a NaN.
func TestSamplingTableDiverged(t *testing.T) {
	x0, target := squareDraws(2)
	inf := func() flow.Field {
		return flow.FieldFunc(func(dst, _ []flow.Vec, _ float64) {
			for i := range dst {
				dst[i] = flow.Vec{math.Inf(1), math.NaN()}
			}
		})
	}
	r, err := SamplingTable(context.Background(), inf, x0, target, []int{3}, []string{"heun"})
	if err != nil || len(r) != 1 || !math.IsInf(r[0].W2, 1) {
		t.Errorf("diverged: %+v, %v; want W2 = +Inf", r, err)
	}
}

func TestSamplingTableCancel(t *testing.T) {
	x0, target := squareDraws(25)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := SamplingTable(ctx, marginalField, x0, target, []int{10}, []string{"euler"}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled before: error %v, want context.Canceled", err)
	}

	// Cancelled while integrating: the table stops within a step of each
	// worker instead of running its 20 000 evaluations.
	ctx, cancel = context.WithCancel(context.Background())
	defer cancel()
	var calls atomic.Int64
	counting := func() flow.Field {
		f := marginalField()
		return flow.FieldFunc(func(dst, x []flow.Vec, t float64) {
			if calls.Add(1) == 50 {
				cancel()
			}
			f.Velocity(dst, x, t)
		})
	}
	_, err := SamplingTable(ctx, counting, x0, target, []int{1000, 1000, 1000}, []string{"euler", "rk4"})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled during: error %v, want context.Canceled", err)
	}
	if n := calls.Load(); n > 200 {
		t.Errorf("%d field calls after cancelling at 50", n)
	}
}
