package flow

import (
	"fmt"
	"math"
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
// (Lipman et al. 2024, §4.8 and Theorem 3 for the marginal velocity). Where
// every v_k = 0 (point masses at σ = 0) the density is singular; the
// responsibilities then go to the nearest component, as in Marginal. Every
// formula depends on the path only through (α, σ, α̇, σ̇), so any Scheduler
// works.
//
// MixtureField keeps no scratch state and may serve several goroutines.
type MixtureField struct {
	Sched     Scheduler
	Mix       Mixture
	SourceStd float64 // s0; 0 means 1
}

var _ Field = (*MixtureField)(nil)

// post is the posterior of one point: the component-weighted means.
type post struct {
	x1, x0 Vec     // E[x1 | x], E[x0 | x]
	score  Vec     // ∇log p_t(x)
	logp   float64 // log p_t(x), −Inf where singular
}

// posterior computes everything MixtureField exposes at (x, t).
func (f *MixtureField) posterior(x Vec, c Coeffs) post {
	s0 := sourceStd(f.SourceStd)
	var out post
	if len(f.Mix) == 0 {
		out.logp = math.Inf(-1)
		return out
	}
	wsum := 0.0
	for _, k := range f.Mix {
		wsum += k.Weight
	}
	// Log-responsibilities, shifted by their maximum before exponentiating.
	lmax := math.Inf(-1)
	dmin := math.Inf(1)
	anyPositive := false
	for _, k := range f.Mix {
		v := c.Alpha*c.Alpha*k.Std*k.Std + c.Sigma*c.Sigma*s0*s0
		d := sqDist(x, k.Mean, c.Alpha)
		if v > 0 {
			anyPositive = true
			lmax = max(lmax, logGauss(k.Weight/wsum, d, v))
		}
		dmin = min(dmin, d)
	}
	sum := 0.0
	for _, k := range f.Mix {
		v := c.Alpha*c.Alpha*k.Std*k.Std + c.Sigma*c.Sigma*s0*s0
		d := sqDist(x, k.Mean, c.Alpha)
		var r float64
		var e1, e0, sc Vec
		dx := Vec{x[0] - c.Alpha*k.Mean[0], x[1] - c.Alpha*k.Mean[1]}
		switch {
		case v > 0:
			r = math.Exp(logGauss(k.Weight/wsum, d, v) - lmax)
			g1, g0 := c.Alpha*k.Std*k.Std/v, c.Sigma*s0*s0/v
			e1 = Vec{k.Mean[0] + g1*dx[0], k.Mean[1] + g1*dx[1]}
			e0 = Vec{g0 * dx[0], g0 * dx[1]}
			sc = Vec{-dx[0] / v, -dx[1] / v}
		case !anyPositive && d <= dmin:
			// All point masses at σ = 0: the nearest takes it all, and x0's
			// posterior is its prior mean 0.
			r = k.Weight
			e1 = k.Mean
		}
		if r == 0 {
			continue
		}
		sum += r
		for d := range 2 {
			out.x1[d] += r * e1[d]
			out.x0[d] += r * e0[d]
			out.score[d] += r * sc[d]
		}
	}
	for d := range 2 {
		out.x1[d] /= sum
		out.x0[d] /= sum
		out.score[d] /= sum
	}
	out.logp = math.Inf(-1)
	if anyPositive {
		out.logp = lmax + math.Log(sum)
	}
	return out
}

// logGauss is log(π·N(x; m, v·I)) in 2D at squared distance d = ‖x − m‖².
func logGauss(pi, d, v float64) float64 {
	return math.Log(pi) - math.Log(2*math.Pi*v) - d/(2*v)
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
	for i, p := range x {
		po := f.posterior(p, c)
		switch k {
		case Velocity:
			dst[i] = Vec{c.DAlpha*po.x1[0] + c.DSigma*po.x0[0], c.DAlpha*po.x1[1] + c.DSigma*po.x0[1]}
		case Noise:
			dst[i] = po.x0
		case Data:
			dst[i] = po.x1
		case Score:
			dst[i] = po.score
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
	return f.posterior(x, f.Sched.At(t)).logp
}

// Responsibilities writes the posterior weights r_k(x, t) of the components
// into r (len(f.Mix) entries, summing to 1): which component x came from.
func (f *MixtureField) Responsibilities(x Vec, t float64, r []float64) {
	if len(r) != len(f.Mix) {
		panic(fmt.Sprintf("flow: Responsibilities with %d slots for %d components", len(r), len(f.Mix)))
	}
	s0 := sourceStd(f.SourceStd)
	c := f.Sched.At(t)
	lmax, dmin := math.Inf(-1), math.Inf(1)
	wsum := 0.0
	for _, k := range f.Mix {
		wsum += k.Weight
	}
	for i, k := range f.Mix {
		v := c.Alpha*c.Alpha*k.Std*k.Std + c.Sigma*c.Sigma*s0*s0
		d := sqDist(x, k.Mean, c.Alpha)
		dmin = min(dmin, d)
		r[i] = math.Inf(-1)
		if v > 0 {
			r[i] = logGauss(k.Weight/wsum, d, v)
			lmax = max(lmax, r[i])
		}
	}
	sum := 0.0
	for i, k := range f.Mix {
		switch {
		case !math.IsInf(lmax, -1):
			r[i] = math.Exp(r[i] - lmax)
		case sqDist(x, k.Mean, c.Alpha) <= dmin:
			r[i] = k.Weight
		default:
			r[i] = 0
		}
		sum += r[i]
	}
	for i := range r {
		r[i] /= sum
	}
}
