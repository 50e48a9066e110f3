// Package flow holds the numerics of 2D flow matching: probability paths, ODE
// solvers, the exact marginal velocity field and sample-quality metrics.
//
// The notation follows Lipman et al. 2024 (Flow Matching Guide and Code):
// x0 is a source sample (Gaussian noise), x1 a data sample, xt the point of
// the path at time t ∈ [0, 1] and dxt its time derivative, the target the
// network regresses. Assign solves the exact assignment problem behind the
// minibatch optimal-transport coupling (Tong et al. 2024) and W2.
//
// Points are Vec values (x, y) in float64; the velocity network itself runs in
// float32 (package flow/mlp) and is adapted to Field by package flow/train.
// Nothing here imports a GUI package, so the headless tool and the tests run
// without a display.
package flow

import "math"

// Vec is a point or a velocity in the plane.
type Vec = [2]float64

// Field is a time-dependent velocity field v(x, t) on the plane.
//
// Implementations may keep scratch buffers, so one Field value must not be
// used from two goroutines at once.
type Field interface {
	// Velocity writes v(x[i], t) into dst[i] for every i; len(dst) == len(x).
	Velocity(dst, x []Vec, t float64)
}

// FieldFunc adapts a plain function to Field.
type FieldFunc func(dst, x []Vec, t float64)

// Velocity calls f(dst, x, t).
func (f FieldFunc) Velocity(dst, x []Vec, t float64) { f(dst, x, t) }

// MaxSpeed returns the largest finite |v| over every slice of a field sampled at
// several times, or 0 if there is none. Colour scales use it, and a single
// diverged arrow must not flatten them, hence infinite and NaN speeds are skipped.
func MaxSpeed(field [][]Vec) float64 {
	m := 0.0
	for _, slice := range field {
		for _, v := range slice {
			if s := math.Hypot(v[0], v[1]); s > m && !math.IsInf(s, 0) {
				m = s
			}
		}
	}
	return m
}
