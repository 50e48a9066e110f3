package flow

import (
	"fmt"
	"math"
)

// Marginal is the exact marginal velocity field that a perfect model trained
// with Path on the finite target set {x1_j} (each equally likely) and
// the Gaussian source N(0, s0²·I) with independent coupling would learn
// (Lipman et al. 2024, Flow Matching Guide and Code, §4.2–4.4):
//
//	v(x, t) = Σ_j w_j(x, t) · u_t(x | x1_j)
//	w_j(x, t) ∝ N(x; Mean(t)·x1_j, Std(t)²·I)
//
// The weights are the posterior p(x1 = x1_j | xt = x), computed as a softmax
// of log-densities shifted by their maximum so they never overflow.
//
// As Std(t) → 0 (t → 1 without noise) the weights become one-hot on the
// nearest target (shared equally between exact ties), and the field stays
// finite wherever Std(t) > 0. At Std(t) = 0 exactly the field is singular;
// Path.CondVelocity then returns its t = 1 convention (u = x1 for the paths
// here) so that no NaN appears. Euler and midpoint never evaluate at t = 1;
// Heun and RK4 do, and their last step is inexact there.
//
// With no targets the field is zero. Velocity keeps no scratch state, so a
// Marginal may be used from several goroutines at once.
type Marginal struct {
	Path      Path
	Targets   []Vec
	SourceStd float64
}

// Velocity writes v(x[i], t) into dst[i]; it implements Field.
func (m *Marginal) Velocity(dst, x []Vec, t float64) {
	if len(dst) != len(x) {
		panic(fmt.Sprintf("flow: Marginal.Velocity with %d outputs for %d points", len(dst), len(x)))
	}
	if len(m.Targets) == 0 {
		clear(dst)
		return
	}
	mean, std := m.Path.CondMeanStd(t, m.SourceStd)
	affine, isAffine := m.Path.(affinePath)
	var a, b float64
	if isAffine {
		a, b = affine.condVelocityCoeffs(t, m.SourceStd)
	}
	for i, p := range x {
		if isAffine {
			// v = Σ w_j·(a·x1_j + b·x) = a·E[x1 | xt = x] + b·x
			e := m.posteriorMean(p, mean, std)
			dst[i] = Vec{a*e[0] + b*p[0], a*e[1] + b*p[1]}
			continue
		}
		dst[i] = m.averageCondVelocity(p, t, mean, std)
	}
}

// Weights writes the posterior weights w_j(x, t) of the targets into w,
// which must have len(m.Targets) entries. They sum to 1.
func (m *Marginal) Weights(x Vec, t float64, w []float64) {
	if len(w) != len(m.Targets) {
		panic(fmt.Sprintf("flow: Marginal.Weights with %d slots for %d targets", len(w), len(m.Targets)))
	}
	if len(w) == 0 {
		return
	}
	mean, std := m.Path.CondMeanStd(t, m.SourceStd)
	dmin := m.nearestSqDist(x, mean)
	sum := 0.0
	for j, x1 := range m.Targets {
		w[j] = logitWeight(sqDist(x, x1, mean), dmin, std)
		sum += w[j]
	}
	for j := range w {
		w[j] /= sum
	}
}

// posteriorMean returns E[x1 | xt = x] = Σ_j w_j·x1_j.
func (m *Marginal) posteriorMean(x Vec, mean, std float64) Vec {
	dmin := m.nearestSqDist(x, mean)
	var sum float64
	var acc Vec
	for _, x1 := range m.Targets {
		w := logitWeight(sqDist(x, x1, mean), dmin, std)
		sum += w
		acc[0] += w * x1[0]
		acc[1] += w * x1[1]
	}
	return Vec{acc[0] / sum, acc[1] / sum}
}

// averageCondVelocity returns Σ_j w_j·u_t(x | x1_j) for a general path.
func (m *Marginal) averageCondVelocity(x Vec, t, mean, std float64) Vec {
	dmin := m.nearestSqDist(x, mean)
	var sum float64
	var acc Vec
	for _, x1 := range m.Targets {
		w := logitWeight(sqDist(x, x1, mean), dmin, std)
		if w == 0 {
			continue
		}
		u := m.Path.CondVelocity(x, x1, t, m.SourceStd)
		sum += w
		acc[0] += w * u[0]
		acc[1] += w * u[1]
	}
	return Vec{acc[0] / sum, acc[1] / sum}
}

// nearestSqDist is min_j ‖x − mean·x1_j‖², the shift that keeps the
// largest softmax term at exp(0) = 1.
func (m *Marginal) nearestSqDist(x Vec, mean float64) float64 {
	dmin := math.Inf(1)
	for _, x1 := range m.Targets {
		dmin = min(dmin, sqDist(x, x1, mean))
	}
	return dmin
}

// sqDist is ‖x − mean·x1‖².
func sqDist(x, x1 Vec, mean float64) float64 {
	dx, dy := x[0]-mean*x1[0], x[1]-mean*x1[1]
	return dx*dx + dy*dy
}

// logitWeight is the unnormalised posterior weight
// exp(−(d − dmin) / (2·std²)) of a target at squared distance d. The nearest
// target gets exactly 1 even when std = 0, where the others get
// exp(−∞) = 0, so the weights are never 0/0.
func logitWeight(d, dmin, std float64) float64 {
	if d <= dmin {
		return 1
	}
	return math.Exp(-(d - dmin) / (2 * std * std))
}
