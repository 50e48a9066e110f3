package flow

import (
	"fmt"
	"math"
)

// Score writes the exact marginal score ∇log p_t(x[i]) of the point-set
// target into dst[i]. With p_t(x) = (1/n)·Σ_j N(x; m·x1_j, s²·I),
// (m, s) = Path.CondMeanStd(t, s0):
//
//	∇log p_t(x) = −Σ_j w_j·(x − m·x1_j)/s² = −(x − m·E[x1 | xt = x])/s²
//
// At s = 0 (the data end without noise) the score does not exist; dst is
// set to 0 there.
func (m *Marginal) Score(dst, x []Vec, t float64) {
	if len(dst) != len(x) {
		panic(fmt.Sprintf("flow: Marginal.Score with %d outputs for %d points", len(dst), len(x)))
	}
	mean, std := m.Path.CondMeanStd(t, m.SourceStd)
	if len(m.Targets) == 0 || std == 0 {
		clear(dst)
		return
	}
	v := std * std
	for i, p := range x {
		e := m.posteriorMean(p, mean, std)
		dst[i] = Vec{-(p[0] - mean*e[0]) / v, -(p[1] - mean*e[1]) / v}
	}
}

// LogDensity returns log p_t(x) for the point-set target:
// log (1/n)·Σ_j N(x; m·x1_j, s²·I), −Inf at s = 0 or without targets.
func (m *Marginal) LogDensity(x Vec, t float64) float64 {
	mean, std := m.Path.CondMeanStd(t, m.SourceStd)
	if len(m.Targets) == 0 || std == 0 {
		return math.Inf(-1)
	}
	dmin := m.nearestSqDist(x, mean)
	sum := 0.0
	for _, x1 := range m.Targets {
		sum += logitWeight(sqDist(x, x1, mean), dmin, std)
	}
	v := std * std
	// log Σ_j exp(−d_j/2v) = −dmin/2v + log Σ_j exp(−(d_j − dmin)/2v)
	return -dmin/(2*v) + math.Log(sum) - math.Log(float64(len(m.Targets))) - math.Log(2*math.Pi*v)
}
