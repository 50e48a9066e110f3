package flow

import (
	"errors"
	"fmt"
	"math"
)

// Gaussian is one 2D Gaussian of a mixture: its weight, mean and covariance
// [[Cov[0], Cov[1]], [Cov[1], Cov[2]]]. A zero covariance is a point mass.
type Gaussian struct {
	Weight float64
	Mean   Vec
	Cov    [3]float64
}

// Gaussian returns the component as a Gaussian of covariance Std²·I.
func (c Component) Gaussian() Gaussian {
	v := c.Std * c.Std
	return Gaussian{Weight: c.Weight, Mean: c.Mean, Cov: [3]float64{v, 0, v}}
}

// PathMixture is the marginal of a Gaussian path x_t = α·x1 + σ·z, z ~ N(0, I),
// from a Gaussian-mixture target x1 ~ Σ_k w_k·N(μ_k, Σ_k), at one t. Each
// component stays Gaussian:
//
//	p_t(x) = Σ_k w_k·N(x; α·μ_k, V_k),  V_k = α²·Σ_k + σ²·I
//
// and, given x and the component, (x1, z) is jointly Gaussian with
//
//	E[x1 | x, k] = μ_k + α·Σ_k·V_k⁻¹·(x − α·μ_k)
//	E[z | x, k]  = σ·V_k⁻¹·(x − α·μ_k)
//	∇log N(x; α·μ_k, V_k) = −V_k⁻¹·(x − α·μ_k)
//
// mixed by the responsibilities r_k(x) ∝ w_k·N(x; α·μ_k, V_k). It is the one
// implementation of these formulas: flow.MixtureField takes its velocity,
// score and density from it, flow/density its exact p_t. A component whose
// V_k is singular (a point mass at σ = 0) has no density and takes no part,
// unless all are singular (see Posterior). Its methods only read it, so one
// PathMixture may serve several goroutines.
type PathMixture struct {
	target []Gaussian // weights normalised
	alpha  float64
	comps  []pathComp
	dense  []logComp // the components with a density, for LogProb
}

// logComp is what LogProb needs of a component with a density (see
// pathComp), packed: the grid's inner loop reads nothing else.
type logComp struct {
	mx, my, logNorm, a, b, c float64
}

// pathComp is what the formulas need of a component:
//
//	log w·N(x; m, V) = logNorm − ½·(a·dx² + 2b·dx·dy + c·dy²),  V⁻¹ = [[a, b], [b, c]]
//
// with logNorm = log w − log 2π − ½·log det V, dx = x − m, and the gains
// G1 = α·Σ·V⁻¹ (symmetric: Σ and V commute) and σ for E[z | x, k] = σ·V⁻¹·dx.
type pathComp struct {
	m          Vec
	logNorm    float64
	a, b, c    float64
	g1         [3]float64
	sigma      float64
	hasDensity bool
}

// ErrNoComponents is returned for a mixture without components.
var ErrNoComponents = errors.New("flow: a mixture needs at least one component")

// NewPathMixture checks the target's components (finite weights > 0,
// finite means and covariances) and prepares p_t for x_t = α·x1 + σ·z. It
// does not keep target.
func NewPathMixture(target []Gaussian, alpha, sigma float64) (*PathMixture, error) {
	if len(target) == 0 {
		return nil, ErrNoComponents
	}
	if !finite(alpha) || !finite(sigma) || sigma < 0 {
		return nil, fmt.Errorf("flow: path coefficients α=%v σ=%v (want finite, σ ≥ 0)", alpha, sigma)
	}
	m := &PathMixture{target: append([]Gaussian(nil), target...), alpha: alpha, comps: make([]pathComp, len(target))}
	total := 0.0
	for i, g := range target {
		if !(g.Weight > 0) || math.IsInf(g.Weight, 0) {
			return nil, fmt.Errorf("flow: component %d has weight %v (want finite and > 0)", i, g.Weight)
		}
		if !finite(g.Mean[0]) || !finite(g.Mean[1]) || !finite(g.Cov[0]) || !finite(g.Cov[1]) || !finite(g.Cov[2]) {
			return nil, fmt.Errorf("flow: component %d has a non-finite mean or covariance", i)
		}
		total += g.Weight
	}
	s2 := sigma * sigma
	for i := range m.target {
		g := &m.target[i]
		g.Weight /= total
		v := [3]float64{alpha*alpha*g.Cov[0] + s2, alpha * alpha * g.Cov[1], alpha*alpha*g.Cov[2] + s2}
		det := v[0]*v[2] - v[1]*v[1]
		pc := pathComp{m: Vec{alpha * g.Mean[0], alpha * g.Mean[1]}, sigma: sigma}
		if v[0] > 0 && det > 0 {
			pc.hasDensity = true
			pc.logNorm = math.Log(g.Weight) - math.Log(2*math.Pi) - 0.5*math.Log(det)
			pc.a, pc.b, pc.c = v[2]/det, -v[1]/det, v[0]/det
			// G1 = α·Σ·V⁻¹.
			sa, sb, sc := g.Cov[0], g.Cov[1], g.Cov[2]
			pc.g1 = [3]float64{alpha * (sa*pc.a + sb*pc.b), alpha * (sa*pc.b + sb*pc.c), alpha * (sb*pc.b + sc*pc.c)}
		}
		m.comps[i] = pc
		if pc.hasDensity {
			m.dense = append(m.dense, logComp{pc.m[0], pc.m[1], pc.logNorm, pc.a, pc.b, pc.c})
		}
	}
	return m, nil
}

// Len is the number of components.
func (m *PathMixture) Len() int { return len(m.comps) }

// Degenerate reports whether some component has no density (a point mass,
// or a Gaussian squeezed onto a line): then LogProb leaves it out.
func (m *PathMixture) Degenerate() (k int, ok bool) {
	for k, c := range m.comps {
		if !c.hasDensity {
			return k, true
		}
	}
	return 0, false
}

// Component returns component k of p_t: its weight (normalised), mean α·μ_k
// and covariance V_k.
func (m *PathMixture) Component(k int) Gaussian {
	g, a := m.target[k], m.alpha
	s2 := m.comps[k].sigma * m.comps[k].sigma
	return Gaussian{Weight: g.Weight, Mean: m.comps[k].m,
		Cov: [3]float64{a*a*g.Cov[0] + s2, a * a * g.Cov[1], a*a*g.Cov[2] + s2}}
}

// logCutoff skips components below e^−40 ≈ 4e−18 of the largest so far:
// they cannot change a sum that is at least 1 in float64, and skipping
// their exponentials makes a point set of thousands of points several times
// cheaper where its points are far apart.
const logCutoff = 40

// LogProb writes log p_t(x[i]) into dst[i], summed as max + log Σ exp(· − max)
// so that far-away points give a finite log; −Inf where no component has a
// density.
func (m *PathMixture) LogProb(dst []float64, x []Vec) {
	if len(dst) != len(x) {
		panic(fmt.Sprintf("flow: LogProb with %d outputs for %d points", len(dst), len(x)))
	}
	for i, p := range x {
		// One pass with a running maximum: sum·e^{best} = Σ e^{l_k}.
		best, sum := math.Inf(-1), 0.0
		for k := range m.dense {
			q := &m.dense[k]
			dx, dy := p[0]-q.mx, p[1]-q.my
			l := q.logNorm - 0.5*(q.a*dx*dx+2*q.b*dx*dy+q.c*dy*dy)
			switch {
			case l > best:
				sum = sum*math.Exp(best-l) + 1
				best = l
			case l > best-logCutoff:
				sum += math.Exp(l - best)
			}
		}
		dst[i] = best + math.Log(sum)
	}
}

// Posterior returns, at x, the posterior means E[x1 | x] and E[z | x], the
// score ∇log p_t(x) and log p_t(x). Where no component has a density (point
// masses at σ = 0) log p_t is −Inf, the nearest component takes it all
// (x̂1 = its mean, ẑ = 0) and the score is written as 0.
func (m *PathMixture) Posterior(x Vec) (x1, z, score Vec, logp float64) {
	if len(m.dense) == 0 {
		k, best := 0, math.Inf(1)
		for j, q := range m.comps {
			if d := (x[0]-q.m[0])*(x[0]-q.m[0]) + (x[1]-q.m[1])*(x[1]-q.m[1]); d < best {
				k, best = j, d
			}
		}
		return m.target[k].Mean, Vec{}, Vec{}, math.Inf(-1)
	}
	lmax := math.Inf(-1)
	for k := range m.comps {
		if q := &m.comps[k]; q.hasDensity {
			lmax = max(lmax, q.logAt(x))
		}
	}
	sum := 0.0
	for k := range m.comps {
		q := &m.comps[k]
		if !q.hasDensity {
			continue
		}
		r := math.Exp(q.logAt(x) - lmax)
		sum += r
		dx, dy := x[0]-q.m[0], x[1]-q.m[1]
		// V⁻¹·dx, then the three posterior terms.
		ix, iy := q.a*dx+q.b*dy, q.b*dx+q.c*dy
		mu := m.target[k].Mean
		x1[0] += r * (mu[0] + q.g1[0]*dx + q.g1[1]*dy)
		x1[1] += r * (mu[1] + q.g1[1]*dx + q.g1[2]*dy)
		z[0] += r * q.sigma * ix
		z[1] += r * q.sigma * iy
		score[0] -= r * ix
		score[1] -= r * iy
	}
	for d := range 2 {
		x1[d] /= sum
		z[d] /= sum
		score[d] /= sum
	}
	return x1, z, score, lmax + math.Log(sum)
}

// logAt is log w·N(x; m, V) of a component with a density.
func (q *pathComp) logAt(x Vec) float64 {
	dx, dy := x[0]-q.m[0], x[1]-q.m[1]
	return q.logNorm - 0.5*(q.a*dx*dx+2*q.b*dx*dy+q.c*dy*dy)
}

// Responsibilities writes the posterior weights r_k(x) of the components
// into r (Len() entries, summing to 1): which component x came from. Where
// no component has a density the nearest takes it all.
func (m *PathMixture) Responsibilities(x Vec, r []float64) {
	if len(r) != len(m.comps) {
		panic(fmt.Sprintf("flow: Responsibilities with %d slots for %d components", len(r), len(m.comps)))
	}
	if len(m.dense) == 0 {
		dmin := math.Inf(1)
		for _, q := range m.comps {
			dmin = min(dmin, (x[0]-q.m[0])*(x[0]-q.m[0])+(x[1]-q.m[1])*(x[1]-q.m[1]))
		}
		sum := 0.0
		for k, q := range m.comps {
			r[k] = 0
			if (x[0]-q.m[0])*(x[0]-q.m[0])+(x[1]-q.m[1])*(x[1]-q.m[1]) <= dmin {
				r[k] = m.target[k].Weight
			}
			sum += r[k]
		}
		for k := range r {
			r[k] /= sum
		}
		return
	}
	lmax := math.Inf(-1)
	for k := range m.comps {
		r[k] = math.Inf(-1)
		if q := &m.comps[k]; q.hasDensity {
			r[k] = q.logAt(x)
			lmax = max(lmax, r[k])
		}
	}
	sum := 0.0
	for k := range r {
		r[k] = math.Exp(r[k] - lmax)
		sum += r[k]
	}
	for k := range r {
		r[k] /= sum
	}
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
