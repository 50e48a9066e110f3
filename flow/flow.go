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
