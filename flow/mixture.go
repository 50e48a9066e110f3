package flow

import (
	"fmt"
	"math"
	"sync/atomic"
)

// Component is one isotropic Gaussian N(Mean, Std²·I) of a mixture, with its
// mixing weight (weights need not sum to 1; they are normalised). Std = 0 is
// a point mass, so a point set is a mixture of equal point masses.
type Component struct {
	Weight float64
	Mean   Vec
	Std    float64
}

// Mixture is a target distribution p1 = Σ_k π_k·N(μ_k, τ_k²·I).
type Mixture []Component

// PointMixture returns the mixture of equal point masses at pts.
func PointMixture(pts []Vec) Mixture {
	m := make(Mixture, len(pts))
	for i, p := range pts {
		m[i] = Component{Weight: 1, Mean: p}
	}
	return m
}

// MixtureField holds the exact marginal fields of a Gaussian path from the
// source N(0, s0²·I) to a Gaussian-mixture target, in closed form. Pushed
// through xt = α·x1 + σ·x0, component k stays Gaussian:
//
//	p_t(x) = Σ_k π_k·N(x; α·μ_k, v_k·I),  v_k = α²τ_k² + σ²s0²
//
// and, given xt = x and the component, the pair (x1, x0) is jointly Gaussian
// with the posterior means
//
//	E[x1 | x, k] = μ_k + (α·τ_k²/v_k)·(x − α·μ_k)
//	E[x0 | x, k] = (σ·s0²/v_k)·(x − α·μ_k)
//
// (their α, σ blend is x). With the responsibilities r_k(x) ∝ π_k·N(x; α·μ_k, v_k·I):
//
//	score     ∇log p_t(x) = −Σ_k r_k·(x − α·μ_k)/v_k
//	velocity  u_t(x) = α̇·x̂1 + σ̇·x̂0,  x̂ = Σ_k r_k·E[· | x, k]
//
// (Lipman et al. 2024, §4.8 and Theorem 3 for the marginal velocity),
// computed by PathMixture, the one implementation flow/density's exact p_t
// uses too. Where
// every v_k = 0 (point masses at σ = 0) the density is singular; the
// responsibilities then go to the nearest component, as in Marginal. Every
// formula depends on the path only through (α, σ, α̇, σ̇), so any Scheduler
// works.
//
// MixtureField may serve several goroutines. It keeps the mixture it
// prepared for the last t asked (so LogDensity point by point does not
// prepare it again): give it a new Mix slice rather than change one in use.
type MixtureField struct {
	Sched     Scheduler
	Mix       Mixture
	SourceStd float64 // s0; 0 means 1

	last atomic.Pointer[preparedAt]
}

// preparedAt is p_t prepared for coefficients c of a mixture (known by its
// first element and length) and source std s0.
type preparedAt struct {
	c     Coeffs
	s0    float64
	first *Component
	n     int
	m     *PathMixture
}

var _ Field = (*MixtureField)(nil)

// at prepares the path's mixture p_t at coefficients c (PathMixture with
// z = x0/s0, so σ·s0 is its noise scale); nil for a mixture it refuses (no
// components, a weight ≤ 0).
func (f *MixtureField) at(c Coeffs) *PathMixture {
	s0 := sourceStd(f.SourceStd)
	var first *Component
	if len(f.Mix) > 0 {
		first = &f.Mix[0]
	}
	if p := f.last.Load(); p != nil && p.c == c && p.s0 == s0 && p.first == first && p.n == len(f.Mix) {
		return p.m
	}
	m := f.prepare(c, s0)
	f.last.Store(&preparedAt{c: c, s0: s0, first: first, n: len(f.Mix), m: m})
	return m
}

// prepare builds p_t at coefficients c.
func (f *MixtureField) prepare(c Coeffs, s0 float64) *PathMixture {
	target := make([]Gaussian, len(f.Mix))
	for k, comp := range f.Mix {
		target[k] = comp.Gaussian()
	}
	m, err := NewPathMixture(target, c.Alpha, c.Sigma*s0)
	if err != nil {
		return nil
	}
	return m
}

// Velocity writes the exact marginal velocity u_t(x[i]) into dst[i].
func (f *MixtureField) Velocity(dst, x []Vec, t float64) { f.Predict(Velocity, dst, x, t) }

// Predict writes target k of the exact field at (x[i], t) into dst[i]: what a
// perfect network trained to predict k would output. The score is
// ∇log p_t; at σ = 0 it is undefined and written as 0 there.
func (f *MixtureField) Predict(k Target, dst, x []Vec, t float64) {
	if len(dst) != len(x) {
		panic(fmt.Sprintf("flow: MixtureField with %d outputs for %d points", len(dst), len(x)))
	}
	c := f.Sched.At(t)
	m := f.at(c)
	s0 := sourceStd(f.SourceStd)
	for i, p := range x {
		var x1, z, score Vec
		if m != nil {
			x1, z, score, _ = m.Posterior(p)
		}
		x0 := Vec{s0 * z[0], s0 * z[1]} // x0 = s0·z
		switch k {
		case Velocity:
			dst[i] = Vec{c.DAlpha*x1[0] + c.DSigma*x0[0], c.DAlpha*x1[1] + c.DSigma*x0[1]}
		case Noise:
			dst[i] = x0
		case Data:
			dst[i] = x1
		case Score:
			dst[i] = score
		default:
			panic(fmt.Sprintf("flow: unknown target %d", int(k)))
		}
	}
}

// Score writes ∇log p_t(x[i]) into dst[i].
func (f *MixtureField) Score(dst, x []Vec, t float64) { f.Predict(Score, dst, x, t) }

// LogDensity returns log p_t(x), −Inf where the density is singular (point
// masses at σ = 0) or there are no components.
func (f *MixtureField) LogDensity(x Vec, t float64) float64 {
	m := f.at(f.Sched.At(t))
	if m == nil {
		return math.Inf(-1)
	}
	_, _, _, logp := m.Posterior(x)
	return logp
}

// Responsibilities writes the posterior weights r_k(x, t) of the components
// into r (len(f.Mix) entries, summing to 1): which component x came from.
func (f *MixtureField) Responsibilities(x Vec, t float64, r []float64) {
	if len(r) != len(f.Mix) {
		panic(fmt.Sprintf("flow: Responsibilities with %d slots for %d components", len(r), len(f.Mix)))
	}
	if m := f.at(f.Sched.At(t)); m != nil {
		m.Responsibilities(x, r)
	}
}
