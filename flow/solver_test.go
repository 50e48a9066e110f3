package flow

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

var allSolvers = []Solver{Euler, Midpoint, Heun, RK4}

// rotation is v = A·x with A = [[0, −1], [1, 0]]; x(t) = R(t − t0)·x(t0).
var rotation = FieldFunc(func(dst, x []Vec, _ float64) {
	for i, p := range x {
		dst[i] = Vec{-p[1], p[0]}
	}
})

func rotate(p Vec, angle float64) Vec {
	s, c := math.Sincos(angle)
	return Vec{c*p[0] - s*p[1], s*p[0] + c*p[1]}
}

// cosGrowth is v = x·cos t; x(t) = x(t0)·exp(sin t − sin t0).
var cosGrowth = FieldFunc(func(dst, x []Vec, t float64) {
	c := math.Cos(t)
	for i, p := range x {
		dst[i] = Vec{c * p[0], c * p[1]}
	}
})

// TestSolverOrder fits the empirical order of convergence: the slope of
// log(error) against log(h) over several step counts must be ≈ 1, 2, 2, 4.
func TestSolverOrder(t *testing.T) {
	start := []Vec{{1, 0.5}, {-0.3, 2}}
	fields := []struct {
		name   string
		f      Field
		t0, t1 float64
		exact  func(p Vec) Vec
	}{
		{"rotation", rotation, 0, 2, func(p Vec) Vec { return rotate(p, 2) }},
		{"x·cos t", cosGrowth, 0, 1, func(p Vec) Vec {
			g := math.Exp(math.Sin(1))
			return Vec{g * p[0], g * p[1]}
		}},
	}
	want := map[Solver]float64{Euler: 1, Midpoint: 2, Heun: 2, RK4: 4}
	for _, fc := range fields {
		for _, s := range allSolvers {
			var logH, logErr []float64
			for _, n := range []int{16, 32, 64, 128} {
				x := append([]Vec(nil), start...)
				Integrate(fc.f, s, x, fc.t0, fc.t1, n, nil)
				worst := 0.0
				for i := range x {
					e := fc.exact(start[i])
					worst = max(worst, math.Hypot(x[i][0]-e[0], x[i][1]-e[1]))
				}
				logH = append(logH, math.Log((fc.t1-fc.t0)/float64(n)))
				logErr = append(logErr, math.Log(worst))
			}
			slope := fitSlope(logH, logErr)
			t.Logf("%s %v: order %.2f", fc.name, s, slope)
			if math.Abs(slope-want[s]) > 0.25 {
				t.Errorf("%s %v: order %.2f, want %v", fc.name, s, slope, want[s])
			}
		}
	}
}

// fitSlope is the least-squares slope of y against x.
func fitSlope(x, y []float64) float64 {
	var mx, my float64
	for i := range x {
		mx += x[i]
		my += y[i]
	}
	mx /= float64(len(x))
	my /= float64(len(y))
	var sxy, sxx float64
	for i := range x {
		sxy += (x[i] - mx) * (y[i] - my)
		sxx += (x[i] - mx) * (x[i] - mx)
	}
	return sxy / sxx
}

// TestIntegrateBackwards checks that integrating from t1 back to t0 undoes
// integrating from t0 to t1 (up to the solver's error, tiny for RK4).
func TestIntegrateBackwards(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	start := make([]Vec, 50)
	for i := range start {
		start[i] = gauss(rng)
	}
	for _, tc := range []struct {
		s   Solver
		tol float64
	}{{Euler, 0.05}, {Midpoint, 1e-4}, {Heun, 1e-4}, {RK4, 1e-8}} {
		for _, f := range []Field{rotation, cosGrowth} {
			x := append([]Vec(nil), start...)
			Integrate(f, tc.s, x, 0, 1, 100, nil)
			Integrate(f, tc.s, x, 1, 0, 100, nil)
			for i := range x {
				if !near(x[i], start[i], tc.tol) {
					t.Errorf("%v: point %d returned to %v, started at %v", tc.s, i, x[i], start[i])
					break
				}
			}
		}
	}
}

// TestIntegrateTrajectory checks traj[0] is the start, traj[n] the end, and
// every t_k = t0 + k·(t1−t0)/n is visited by the solver in order.
func TestIntegrateTrajectory(t *testing.T) {
	for _, s := range allSolvers {
		const n = 7
		start := []Vec{{1, 2}, {3, -4}, {0, 0}}
		x := append([]Vec(nil), start...)
		traj := make([][]Vec, n+1)
		for k := range traj {
			traj[k] = make([]Vec, len(x))
		}
		var times []float64
		field := FieldFunc(func(dst, x []Vec, tt float64) {
			times = append(times, tt)
			rotation(dst, x, tt)
		})
		Integrate(field, s, x, 0.25, 1.75, n, traj)
		for i := range x {
			if traj[0][i] != start[i] || traj[n][i] != x[i] {
				t.Fatalf("%v: traj[0][%d]=%v traj[n][%d]=%v, start %v end %v", s, i, traj[0][i], i, traj[n][i], start[i], x[i])
			}
		}
		if len(times) != n*s.EvalsPerStep() {
			t.Fatalf("%v: %d evaluations, want %d", s, len(times), n*s.EvalsPerStep())
		}
		for k := range n {
			tk := 0.25 + 1.5*float64(k)/n
			if got := times[k*s.EvalsPerStep()]; math.Abs(got-tk) > 1e-15 {
				t.Errorf("%v: step %d starts at t=%v, want %v", s, k, got, tk)
			}
		}
		// Each recorded state is one step of the solver from the previous one.
		for k := range n {
			y := append([]Vec(nil), traj[k]...)
			in := Integrator{Solver: s}
			in.Step(rotation, y, 0.25+1.5*float64(k)/n, 1.5/n)
			for i := range y {
				if !near(y[i], traj[k+1][i], 1e-14) {
					t.Fatalf("%v: traj[%d] is not one step from traj[%d]", s, k+1, k)
				}
			}
		}
	}
}

// TestEulerIsBlogLoop compares Euler with the blog post's sampling loop,
// written out by hand: x ← x + (1/N)·v(x, k/N).
func TestEulerIsBlogLoop(t *testing.T) {
	const N = 5
	model := func(p Vec, t float64) Vec { return Vec{math.Sin(3*t) - p[1], p[0] * t} }
	field := FieldFunc(func(dst, x []Vec, t float64) {
		for i := range x {
			dst[i] = model(x[i], t)
		}
	})
	x := []Vec{{0.3, -1.2}, {2, 0.5}}
	want := append([]Vec(nil), x...)
	for i := range want {
		current := want[i]
		for k := range N {
			prediction := model(current, float64(k)/N)
			current = Vec{current[0] + (1.0/N)*prediction[0], current[1] + (1.0/N)*prediction[1]}
		}
		want[i] = current
	}
	Integrate(field, Euler, x, 0, 1, N, nil)
	for i := range x {
		if x[i] != want[i] {
			t.Errorf("point %d: Euler gives %v, the blog loop %v", i, x[i], want[i])
		}
	}
}

func TestIntegrateZeroSteps(t *testing.T) {
	x := []Vec{{1, 2}}
	traj := [][]Vec{make([]Vec, 1)}
	Integrate(rotation, RK4, x, 0, 1, 0, traj)
	if x[0] != (Vec{1, 2}) || traj[0][0] != (Vec{1, 2}) {
		t.Errorf("zero steps moved x to %v, traj %v", x, traj)
	}
}

func TestIntegratePanics(t *testing.T) {
	for _, tc := range []struct {
		name string
		run  func()
	}{
		{"negative n", func() { Integrate(rotation, Euler, []Vec{{}}, 0, 1, -1, nil) }},
		{"short traj", func() { Integrate(rotation, Euler, []Vec{{}}, 0, 1, 2, make([][]Vec, 2)) }},
		{"narrow traj", func() { Integrate(rotation, Euler, []Vec{{}}, 0, 1, 1, [][]Vec{{{}}, {}}) }},
		{"bad solver", func() { Integrate(rotation, Solver(9), []Vec{{}}, 0, 1, 1, nil) }},
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", tc.name)
				}
			}()
			tc.run()
		}()
	}
}

func TestParseSolver(t *testing.T) {
	for _, s := range allSolvers {
		for _, name := range []string{s.String(), strings.ToUpper(s.String())} {
			got, err := ParseSolver(name)
			if err != nil || got != s {
				t.Errorf("ParseSolver(%q) = %v, %v", name, got, err)
			}
		}
	}
	for _, bad := range []string{"", "rk45", "dopri5"} {
		if _, err := ParseSolver(bad); err == nil || !strings.Contains(err.Error(), "unknown solver") {
			t.Errorf("ParseSolver(%q) error = %v", bad, err)
		}
	}
	if got := Solver(42).String(); got != "Solver(42)" {
		t.Errorf("Solver(42).String() = %q", got)
	}
	if Solver(-1).EvalsPerStep() != 0 {
		t.Error("unknown solver has evaluations")
	}
}

func FuzzParseSolver(f *testing.F) {
	for _, s := range allSolvers {
		f.Add(s.String())
	}
	f.Add("RK45")
	f.Add(strings.Repeat("rk4", 1<<16)) // size bomb
	f.Fuzz(func(t *testing.T, name string) {
		s, err := ParseSolver(name)
		if err != nil {
			return
		}
		if s.EvalsPerStep() == 0 || s.String() != strings.ToLower(strings.TrimSpace(name)) {
			t.Fatalf("ParseSolver(%q) = %v", name, s)
		}
	})
}

// TestIntegratorReuse checks that an Integrator gives the same result when
// its buffers are reused for inputs of different sizes.
func TestIntegratorReuse(t *testing.T) {
	in := Integrator{Solver: RK4}
	for _, n := range []int{5, 2, 9} {
		x := make([]Vec, n)
		y := make([]Vec, n)
		for i := range x {
			x[i] = Vec{float64(i), 1}
			y[i] = x[i]
		}
		in.Integrate(cosGrowth, x, 0, 1, 10, nil)
		Integrate(cosGrowth, RK4, y, 0, 1, 10, nil)
		for i := range x {
			if x[i] != y[i] {
				t.Fatalf("n=%d point %d: reused %v, fresh %v", n, i, x[i], y[i])
			}
		}
	}
}

func BenchmarkIntegrate(b *testing.B) {
	const particles, steps = 10000, 100
	for _, s := range allSolvers {
		b.Run(fmt.Sprintf("%v/n=%d/steps=%d", s, particles, steps), func(b *testing.B) {
			x := make([]Vec, particles)
			in := Integrator{Solver: s}
			for b.Loop() {
				for i := range x {
					x[i] = Vec{1, 0}
				}
				in.Integrate(rotation, x, 0, 1, steps, nil)
			}
			b.ReportMetric(float64(particles*steps)*float64(b.N)/b.Elapsed().Seconds(), "particle-steps/s")
		})
	}
}

// The blog post's example: five Euler steps of the constant field (5, 5)
// carry (1, 1) to (6, 6) in a straight line.
func ExampleIntegrate() {
	direction := FieldFunc(func(dst, x []Vec, t float64) {
		for i := range dst {
			dst[i] = Vec{5, 5}
		}
	})
	x := []Vec{{1, 1}}
	traj := make([][]Vec, 6)
	for k := range traj {
		traj[k] = make([]Vec, 1)
	}
	Integrate(direction, Euler, x, 0, 1, 5, traj)
	for _, state := range traj {
		fmt.Print(state[0], " ")
	}
	fmt.Println()
	// Output: [1 1] [2 2] [3 3] [4 4] [5 5] [6 6]
}
