package flow

import (
	"fmt"
	"strings"
)

// Solver is a fixed-step explicit Runge–Kutta method for dx/dt = v(x, t).
type Solver int

// The solvers, cheapest first. Their global error is O(h^p) with p = 1, 2, 2, 4.
const (
	Euler    Solver = iota // x += h·v(x, t)
	Midpoint               // x += h·v(x + h/2·v(x, t), t + h/2)
	Heun                   // x += h/2·(k1 + v(x + h·k1, t + h)), k1 = v(x, t)
	RK4                    // classic fourth-order Runge–Kutta
)

var solverNames = [...]string{Euler: "euler", Midpoint: "midpoint", Heun: "heun", RK4: "rk4"}

// ParseSolver returns the solver called s ("euler", "midpoint", "heun", "rk4",
// any case).
func ParseSolver(s string) (Solver, error) {
	name := strings.ToLower(strings.TrimSpace(s))
	for i, n := range solverNames {
		if n == name {
			return Solver(i), nil
		}
	}
	return 0, fmt.Errorf("flow: unknown solver %q (want euler, midpoint, heun or rk4)", s)
}

// String returns the name ParseSolver accepts.
func (s Solver) String() string {
	if s < 0 || int(s) >= len(solverNames) {
		return fmt.Sprintf("Solver(%d)", int(s))
	}
	return solverNames[s]
}

// EvalsPerStep is the number of field evaluations one step costs, or 0 for
// an unknown solver.
func (s Solver) EvalsPerStep() int {
	switch s {
	case Euler:
		return 1
	case Midpoint, Heun:
		return 2
	case RK4:
		return 4
	}
	return 0
}

// Integrator steps particles with one solver and keeps its scratch buffers
// between calls, so a sampler that integrates every frame does not allocate.
// The zero value uses Euler. An Integrator must not be used from two
// goroutines at once.
type Integrator struct {
	Solver Solver

	// k holds the latest stage velocity, probe the state it is evaluated
	// at, acc the weighted sum of stages.
	k, probe, acc []Vec
}

// Integrate moves x in place from t0 to t1 (t1 < t0 integrates backwards)
// in n uniform steps t_k = t0 + k·(t1−t0)/n. If traj != nil it must hold
// n+1 slices of len(x); traj[k] receives the state at t_k (traj[0] = start).
//
// Euler is exactly the blog post's loop x ← x + (1/N)·v(x, k/N) when
// t0 = 0, t1 = 1 (we pass the time k/N where the post passes the integer k).
func Integrate(f Field, s Solver, x []Vec, t0, t1 float64, n int, traj [][]Vec) {
	in := Integrator{Solver: s}
	in.Integrate(f, x, t0, t1, n, traj)
}

// Integrate is the package function Integrate with reused buffers.
func (in *Integrator) Integrate(f Field, x []Vec, t0, t1 float64, n int, traj [][]Vec) {
	if n < 0 {
		panic(fmt.Sprintf("flow: Integrate with %d steps", n))
	}
	if traj != nil {
		if len(traj) != n+1 {
			panic(fmt.Sprintf("flow: trajectory holds %d states, want %d", len(traj), n+1))
		}
		for k := range traj {
			if len(traj[k]) != len(x) {
				panic(fmt.Sprintf("flow: trajectory state %d holds %d points, want %d", k, len(traj[k]), len(x)))
			}
		}
		copy(traj[0], x)
	}
	if n == 0 {
		return
	}
	h := (t1 - t0) / float64(n)
	for k := range n {
		// t_k from k, not by accumulating h, so that t_k = k/N exactly on [0, 1].
		t := t0 + (t1-t0)*float64(k)/float64(n)
		in.Step(f, x, t, h)
		if traj != nil {
			copy(traj[k+1], x)
		}
	}
}

// Step advances x in place by one step of size h from time t.
func (in *Integrator) Step(f Field, x []Vec, t, h float64) {
	in.grow(len(x))
	k, probe, acc := in.k, in.probe, in.acc
	switch in.Solver {
	case Euler:
		f.Velocity(k, x, t)
		axpy(x, h, k)
	case Midpoint:
		f.Velocity(k, x, t)
		shifted(probe, x, h/2, k)
		f.Velocity(k, probe, t+h/2)
		axpy(x, h, k)
	case Heun:
		// acc = k1; x += h/2·(k1 + k2), k2 = v(x + h·k1, t + h)
		f.Velocity(acc, x, t)
		shifted(probe, x, h, acc)
		f.Velocity(k, probe, t+h)
		axpy(acc, 1, k)
		axpy(x, h/2, acc)
	case RK4:
		// x += h/6·(k1 + 2k2 + 2k3 + k4) with
		// k1 = v(x, t), k2 = v(x + h/2·k1, t + h/2),
		// k3 = v(x + h/2·k2, t + h/2), k4 = v(x + h·k3, t + h).
		f.Velocity(acc, x, t)
		shifted(probe, x, h/2, acc)
		f.Velocity(k, probe, t+h/2)
		axpy(acc, 2, k)
		shifted(probe, x, h/2, k)
		f.Velocity(k, probe, t+h/2)
		axpy(acc, 2, k)
		shifted(probe, x, h, k)
		f.Velocity(k, probe, t+h)
		axpy(acc, 1, k)
		axpy(x, h/6, acc)
	default:
		panic(fmt.Sprintf("flow: unknown solver %v", in.Solver))
	}
}

// grow makes the scratch buffers hold n points.
func (in *Integrator) grow(n int) {
	if cap(in.k) < n {
		in.k = make([]Vec, n)
		in.probe = make([]Vec, n)
		in.acc = make([]Vec, n)
	}
	in.k, in.probe, in.acc = in.k[:n], in.probe[:n], in.acc[:n]
}

// axpy sets y[i] += a·x[i].
func axpy(y []Vec, a float64, x []Vec) {
	x = x[:len(y)]
	for i := range y {
		y[i][0] += a * x[i][0]
		y[i][1] += a * x[i][1]
	}
}

// shifted sets dst[i] = x[i] + a·v[i].
func shifted(dst, x []Vec, a float64, v []Vec) {
	x, v = x[:len(dst)], v[:len(dst)]
	for i := range dst {
		dst[i][0] = x[i][0] + a*v[i][0]
		dst[i][1] = x[i][1] + a*v[i][1]
	}
}
