package density

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"sort"

	"github.com/flowviz/flowviz/flow"
	"github.com/flowviz/flowviz/flow/data"
)

// Component is one Gaussian of a mixture: its weight, mean and covariance
// [[Cov[0], Cov[1]], [Cov[1], Cov[2]]]. A zero covariance is a point mass.
// It is flow's Gaussian: one mixture serves the exact fields and the
// densities.
type Component = flow.Gaussian

// ErrDegenerate is returned for a mixture with a component that has no
// density: a point mass, or a Gaussian squeezed onto a line.
var ErrDegenerate = errors.New("density: degenerate Gaussian (a point mass has no density)")

// Mixture is a normalised mixture of 2D Gaussians with positive-definite
// covariances; it is a LogDensity and a data.Dist. Its densities are
// flow.PathMixture's (the same mixture flow.MixtureField takes its fields
// from); Mixture adds sampling and the entropy. Its methods only read it,
// so one Mixture may serve several goroutines.
type Mixture struct {
	*flow.PathMixture
	chol []cholesky
	cum  []float64 // cumulative weights, for sampling
}

var (
	_ LogDensity = (*Mixture)(nil)
	_ data.Dist  = (*Mixture)(nil)
)

// cholesky is the factor L = [[l00, 0], [l10, l11]] of a covariance.
type cholesky struct{ l00, l10, l11 float64 }

// NewMixture checks the components (finite, positive weights; finite
// means; positive-definite covariances, else ErrDegenerate) and returns
// their mixture with the weights normalised to sum to 1. It does not keep
// comps.
func NewMixture(comps []Component) (*Mixture, error) {
	return mixtureAt(comps, 1, 0)
}

// mixtureAt is the mixture of the path x_t = α·x1 + σ·z from comps (see
// flow.PathMixture), refused with ErrDegenerate where a component has no
// density.
func mixtureAt(comps []Component, alpha, sigma float64) (*Mixture, error) {
	if len(comps) == 0 {
		return nil, errors.New("density: a mixture needs at least one component")
	}
	pm, err := flow.NewPathMixture(comps, alpha, sigma)
	if err != nil {
		return nil, fmt.Errorf("density: %w", err)
	}
	if i, bad := pm.Degenerate(); bad {
		c := pm.Component(i)
		return nil, fmt.Errorf("%w: component %d at (%.3g, %.3g) has covariance [[%.3g %.3g] [%.3g %.3g]]",
			ErrDegenerate, i, c.Mean[0], c.Mean[1], c.Cov[0], c.Cov[1], c.Cov[1], c.Cov[2])
	}
	m := &Mixture{PathMixture: pm, chol: make([]cholesky, pm.Len()), cum: make([]float64, pm.Len())}
	acc := 0.0
	for i := range m.chol {
		c := pm.Component(i)
		acc += c.Weight
		m.cum[i] = acc
		l00 := math.Sqrt(c.Cov[0])
		l10 := c.Cov[1] / l00
		m.chol[i] = cholesky{l00: l00, l10: l10, l11: math.Sqrt(max(c.Cov[2]-l10*l10, 0))}
	}
	m.cum[len(m.cum)-1] = 1
	return m, nil
}

// Components returns the normalised components (a copy).
func (m *Mixture) Components() []Component {
	out := make([]Component, m.Len())
	for k := range out {
		out[k] = m.Component(k)
	}
	return out
}

// Sample implements data.Dist: a component by weight, then μ + L·z.
func (m *Mixture) Sample(rng *rand.Rand, dst []flow.Vec) {
	for i := range dst {
		k := min(sort.SearchFloat64s(m.cum, rng.Float64()), len(m.cum)-1)
		q, z0, z1 := &m.chol[k], rng.NormFloat64(), rng.NormFloat64()
		mu := m.Component(k).Mean
		dst[i] = flow.Vec{mu[0] + q.l00*z0, mu[1] + q.l10*z0 + q.l11*z1}
	}
}

// String describes the mixture by its size.
func (m *Mixture) String() string { return fmt.Sprintf("gaussian-mixture(k=%d)", m.Len()) }

// Entropy returns the differential entropy H = −E[log p(X)] in nats and its
// standard error. One Gaussian has the closed form H = log(2πe) + ½·log det Σ
// (standard error 0); a mixture has none, so H is the Monte-Carlo mean of
// −log p over n draws from rng, with standard error s/√n.
func (m *Mixture) Entropy(rng *rand.Rand, n int) (h, se float64) {
	if m.Len() == 1 {
		c := m.Component(0).Cov
		return math.Log(2*math.Pi*math.E) + 0.5*math.Log(c[0]*c[2]-c[1]*c[1]), 0
	}
	n = max(n, 2)
	x := make([]flow.Vec, n)
	m.Sample(rng, x)
	lp := make([]float64, n)
	m.LogProb(lp, x)
	return meanStdErr(lp, -1)
}

// meanStdErr returns the mean of sign·v and its standard error s/√n, with
// the sample variance s² = Σ(vᵢ − mean)²/(n − 1). It is written out rather
// than taken from gonum/stat, which would bring gonum's linear programming
// into the browser's download for two sums.
func meanStdErr(v []float64, sign float64) (mean, se float64) {
	n := float64(len(v))
	for _, x := range v {
		mean += sign * x
	}
	mean /= n
	var ss float64
	for _, x := range v {
		d := sign*x - mean
		ss += d * d
	}
	return mean, math.Sqrt(ss/(n-1)) / math.Sqrt(n)
}

// PathMarginal is the exact marginal p_t of a Gaussian path carrying the
// source N(0, I) to the target Σ_k w_k·N(μ_k, Σ_k) with the independent
// coupling, written with the path's coefficients x_t = α_t·x1 + σ_t·x0:
//
//	p_t = Σ_k w_k·N(α_t·μ_k, α_t²·Σ_k + σ_t²·I)
//
// For flow.Path values, (α_t, σ_t) = path.CondMeanStd(t, s0) with the
// source N(0, s0²·I) (σ_t then includes s0 and the path's own noise); a
// general scheduler passes its own α_t, σ_t. A point-set target is the
// mixture of its points with covariance jitter²·I.
//
// At σ_t = 0 (t = 1 on a path without noise) p_1 is the target itself; a
// point set without jitter is then a sum of point masses and PathMarginal
// returns ErrDegenerate, saying so. minStd > 0 raises σ_t to at least
// minStd, a documented smoothing of p_t by N(0, minStd² − σ_t²) where
// σ_t < minStd, that keeps such a target drawable.
//
// The coupling matters: minibatch OT pairs x0 with x1 and changes p_t for
// 0 < t < 1; this is the independent coupling's marginal, the one the
// exact marginal field (flow.Marginal) follows.
func PathMarginal(target []Component, alpha, sigma, minStd float64) (*Mixture, error) {
	if !finite(alpha) || !finite(sigma) || sigma < 0 || !finite(minStd) || minStd < 0 {
		return nil, fmt.Errorf("density: path coefficients α=%v σ=%v min σ=%v (want finite, σ ≥ 0)", alpha, sigma, minStd)
	}
	m, err := mixtureAt(target, alpha, max(sigma, minStd))
	if errors.Is(err, ErrDegenerate) {
		return nil, fmt.Errorf("%w; at σ_t = %v the exact p_t of a target with point masses has no density (give a small minimum σ to draw it smoothed)", err, sigma)
	}
	return m, err
}

// SourceStd returns s0 when the source d is the centred isotropic Gaussian
// N(0, s0²·I) that PathMarginal's coefficients assume (flow.Path's
// CondMeanStd(t, s0)), or an error naming d.
func SourceStd(d data.Dist) (float64, error) {
	g, ok := d.(data.Gaussian)
	if !ok || g.Mean != (flow.Vec{}) {
		return 0, fmt.Errorf("density: the exact marginal needs a centred Gaussian source, not %s", d)
	}
	return g.Std, nil
}

// TargetComponents returns d as mixture components when it has a
// closed-form density or is a point set: any data.Mixtured (a Gaussian,
// 8gaussians, a point set with covariance jitter²·I, jitter 0 giving point
// masses), or a Mixture. Any other distribution is refused with an error
// naming it.
func TargetComponents(d data.Dist) ([]Component, error) {
	switch d := d.(type) {
	case *Mixture:
		return d.Components(), nil
	case *data.PointSet:
		if len(d.Points) == 0 {
			return nil, fmt.Errorf("density: point set %s is empty", d)
		}
	}
	md, ok := d.(data.Mixtured)
	if !ok {
		return nil, fmt.Errorf("density: %s has no closed-form density (gaussian, 8gaussians and point sets do)", d)
	}
	return Isotropic(md.Mixture()), nil
}

// Isotropic returns the components of flow's isotropic mixture (the one
// flow.MixtureField takes) with their covariances Std²·I.
func Isotropic(m flow.Mixture) []Component {
	comps := make([]Component, len(m))
	for k, c := range m {
		comps[k] = c.Gaussian()
	}
	return comps
}

// MixtureOf returns d's density as a Mixture (see TargetComponents), or an
// error if it has none. A source must pass this for LogProb.
func MixtureOf(d data.Dist) (*Mixture, error) {
	comps, err := TargetComponents(d)
	if err != nil {
		return nil, err
	}
	m, err := NewMixture(comps)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", d, err)
	}
	return m, nil
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
