package lesson

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/flowviz/flowviz/flow"
	"github.com/flowviz/flowviz/flow/data"
)

const tol = 1e-12

func near(a, b flow.Vec, eps float64) bool {
	return math.Abs(a[0]-b[0]) <= eps && math.Abs(a[1]-b[1]) <= eps
}

// Lesson 1's numbers are the blog post's: (1, 1) → (2, 2) → … → (6, 6),
// (4, 4) at t = 3/5, and the same direction all the way.
func TestOnePairNumbers(t *testing.T) {
	x0, x1 := flow.Vec{1, 1}, flow.Vec{6, 6}
	pts := StepPoints(x0, x1, 5)
	want := []flow.Vec{{1, 1}, {2, 2}, {3, 3}, {4, 4}, {5, 5}, {6, 6}}
	if len(pts) != len(want) {
		t.Fatalf("StepPoints gave %d points, want %d", len(pts), len(want))
	}
	for k := range want {
		if !near(pts[k], want[k], tol) {
			t.Errorf("x_{%d/5} = %v, want %v", k, pts[k], want[k])
		}
		if k > 0 {
			if d := (flow.Vec{pts[k][0] - pts[k-1][0], pts[k][1] - pts[k-1][1]}); !near(d, flow.Vec{1, 1}, tol) {
				t.Errorf("step %d moves by %v, want (1, 1)", k, d)
			}
		}
	}
	xt, v := Interpolate(x0, x1, 3.0/5)
	if !near(xt, flow.Vec{4, 4}, tol) {
		t.Errorf("x_{3/5} = %v, want (4, 4)", xt)
	}
	if got := FormatVec(xt); got != "(4, 4)" {
		t.Errorf("FormatVec(x_{3/5}) = %q, want \"(4, 4)\"", got)
	}
	for _, tt := range []float64{0, 0.2, 0.5, 0.99, 1} {
		if _, v := Interpolate(x0, x1, tt); v != (flow.Vec{5, 5}) {
			t.Errorf("v at t = %v is %v, want (5, 5)", tt, v)
		}
	}
	// One step of the blog post's sampler, x ← x + (1/N)·v, is the per-step displacement.
	if step := (flow.Vec{v[0] / 5, v[1] / 5}); step != (flow.Vec{1, 1}) {
		t.Errorf("v/NUM_STEPS = %v, want (1, 1)", step)
	}
}

func TestInterpolate(t *testing.T) {
	tests := []struct {
		x0, x1 flow.Vec
		t      float64
		xt     flow.Vec
	}{
		{flow.Vec{-2, -1}, flow.Vec{2, 1.5}, 0, flow.Vec{-2, -1}},
		{flow.Vec{-2, -1}, flow.Vec{2, 1.5}, 1, flow.Vec{2, 1.5}},
		{flow.Vec{-2, -1}, flow.Vec{2, 1.5}, 0.5, flow.Vec{0, 0.25}},
		{flow.Vec{0, 0}, flow.Vec{4, -8}, 0.25, flow.Vec{1, -2}},
		{flow.Vec{3, 3}, flow.Vec{3, 3}, 0.7, flow.Vec{3, 3}},
	}
	for _, tc := range tests {
		xt, v := Interpolate(tc.x0, tc.x1, tc.t)
		if !near(xt, tc.xt, tol) {
			t.Errorf("Interpolate(%v, %v, %v) xt = %v, want %v", tc.x0, tc.x1, tc.t, xt, tc.xt)
		}
		if want := (flow.Vec{tc.x1[0] - tc.x0[0], tc.x1[1] - tc.x0[1]}); v != want {
			t.Errorf("Interpolate(%v, %v, %v) v = %v, want %v", tc.x0, tc.x1, tc.t, v, want)
		}
	}
}

func TestStepPoints(t *testing.T) {
	x0, x1 := flow.Vec{0.1, -0.3}, flow.Vec{0.7, 0.2}
	for _, n := range []int{1, 3, 7, 200} {
		pts := StepPoints(x0, x1, n)
		if len(pts) != n+1 || pts[0] != x0 || pts[n] != x1 {
			t.Fatalf("n = %d: %d points from %v to %v", n, len(pts), pts[0], pts[len(pts)-1])
		}
		for k, p := range pts {
			if xt, _ := Interpolate(x0, x1, float64(k)/float64(n)); !near(p, xt, 1e-15) {
				t.Errorf("n = %d: point %d is %v, want %v", n, k, p, xt)
			}
		}
	}
	if pts := StepPoints(x0, x1, 0); pts != nil {
		t.Errorf("n = 0: %v, want nil", pts)
	}
}

func TestRandomPairs(t *testing.T) {
	src, dst := data.Gaussian{Std: 1}, data.EightGaussians{Radius: 5, Std: 0.1}
	a0, a1 := RandomPairs(40, 7, src, dst)
	b0, b1 := RandomPairs(40, 7, src, dst)
	c0, _ := RandomPairs(40, 8, src, dst)
	if len(a0) != 40 || len(a1) != 40 {
		t.Fatalf("%d and %d points, want 40", len(a0), len(a1))
	}
	if !slices.Equal(a0, b0) || !slices.Equal(a1, b1) {
		t.Error("the same seed gave different pairs")
	}
	if slices.Equal(a0, c0) {
		t.Error("seeds 7 and 8 gave the same sources")
	}
	for i, p := range a1 {
		if r := math.Hypot(p[0], p[1]); math.Abs(r-5) > 1 {
			t.Errorf("target %d = %v is not near the circle of radius 5", i, p)
		}
	}
	if x0, x1 := RandomPairs(-1, 1, src, dst); len(x0) != 0 || len(x1) != 0 {
		t.Error("n = −1 drew points")
	}
}

func TestBatchRows(t *testing.T) {
	zero := flow.FieldFunc(func(dst, _ []flow.Vec, _ float64) { clear(dst) })
	rng := rand.New(rand.NewPCG(1, 2))
	rows, loss := BatchRows(8, rng, data.Gaussian{Std: 1}, data.Moons{Noise: 0.05, Scale: 2, Shift: 1}, zero)
	if len(rows) != 8 {
		t.Fatalf("%d rows, want 8", len(rows))
	}
	sum := 0.0
	times := map[float64]bool{}
	for i, r := range rows {
		if r.T < 0 || r.T >= 1 {
			t.Errorf("row %d: t = %v outside [0, 1)", i, r.T)
		}
		times[r.T] = true
		xt := flow.Vec{(1-r.T)*r.X0[0] + r.T*r.X1[0], (1-r.T)*r.X0[1] + r.T*r.X1[1]}
		if !near(r.Xt, xt, tol) {
			t.Errorf("row %d: xt = %v, want %v", i, r.Xt, xt)
		}
		if u := (flow.Vec{r.X1[0] - r.X0[0], r.X1[1] - r.X0[1]}); r.U != u {
			t.Errorf("row %d: u = %v, want x1 − x0 = %v", i, r.U, u)
		}
		// The zero field misses by the whole target velocity: SqErr = ‖u‖².
		if r.V != (flow.Vec{}) || math.Abs(r.SqErr-(r.U[0]*r.U[0]+r.U[1]*r.U[1])) > tol {
			t.Errorf("row %d: v = %v, sq err %v, want 0 and ‖u‖²", i, r.V, r.SqErr)
		}
		sum += r.SqErr
	}
	if len(times) < 2 {
		t.Error("every row has the same t")
	}
	if math.Abs(loss-sum/8) > tol {
		t.Errorf("loss %v, want the mean sq err %v", loss, sum/8)
	}

	// The field is asked at each row's own xt and t.
	echo := flow.FieldFunc(func(dst, x []flow.Vec, t float64) {
		for i := range dst {
			dst[i] = flow.Vec{x[i][0], t}
		}
	})
	rows, _ = BatchRows(4, rand.New(rand.NewPCG(3, 4)), data.Gaussian{Std: 1}, data.Gaussian{Std: 1}, echo)
	for i, r := range rows {
		if r.V != (flow.Vec{r.Xt[0], r.T}) {
			t.Errorf("row %d: v = %v, want (xt.x, t) = (%v, %v)", i, r.V, r.Xt[0], r.T)
		}
	}
	if rows, loss := BatchRows(0, rng, data.Gaussian{Std: 1}, data.Gaussian{Std: 1}, zero); rows != nil || loss != 0 {
		t.Errorf("n = 0: %v rows, loss %v", rows, loss)
	}
}

// Two paths crossing at the origin at different times, one far away.
func TestCrossingPaths(t *testing.T) {
	x0 := []flow.Vec{{-1, -1}, {-3, 3}, {5, 5}}
	x1 := []flow.Vec{{3, 3}, {1, -1}, {6, 6}}
	idx, ts, mean := CrossingPaths(x0, x1, flow.Vec{0, 0}, 0.1)
	if len(idx) != 2 || idx[0] != 0 || idx[1] != 1 {
		t.Fatalf("paths through the origin: %v, want [0 1]", idx)
	}
	// Path 0 reaches the origin a quarter of the way, path 1 at 3/4.
	if math.Abs(ts[0]-0.25) > 1e-12 || math.Abs(ts[1]-0.75) > 1e-12 {
		t.Errorf("times at the crossing %v, want [0.25 0.75]", ts)
	}
	// Directions (4, 4) and (4, −4): the mean (4, 0).
	if math.Abs(mean[0]-4) > 1e-12 || math.Abs(mean[1]) > 1e-12 {
		t.Errorf("mean direction %v, want (4, 0)", mean)
	}
	// Beyond an end the closest point is the end itself.
	idx, ts, _ = CrossingPaths(x0[2:], x1[2:], flow.Vec{6.05, 6.05}, 0.1)
	if len(idx) != 1 || ts[0] != 1 {
		t.Errorf("near x1: idx %v ts %v, want the path at t = 1", idx, ts)
	}
	if idx, _, mean := CrossingPaths(x0, x1, flow.Vec{0, 2}, 0.1); len(idx) != 0 || mean != (flow.Vec{}) {
		t.Errorf("no path near (0, 2): %v %v", idx, mean)
	}
	// A degenerate pair (x0 = x1) is a point.
	if idx, _, _ := CrossingPaths([]flow.Vec{{1, 1}}, []flow.Vec{{1, 1}}, flow.Vec{1, 1.05}, 0.1); len(idx) != 1 {
		t.Errorf("a point pair at distance 0.05 not found")
	}
}
