package flow

import (
	"fmt"
	"math"
	"strings"
)

// Path is a conditional probability path: how a training pair (x0, x1) is
// blended at time t ∈ [0, 1] and which velocity the network regresses there.
// x0 is the source sample (Gaussian noise), x1 the data sample.
type Path interface {
	// Name is the short name ParsePath accepts ("linear", "ot").
	Name() string

	// Point returns xt and the regression target dxt for the pair (x0, x1)
	// at time t; eps ~ N(0, I) is used only by paths with noise.
	Point(x0, x1 Vec, t float64, eps Vec) (xt, dxt Vec)

	// CondMeanStd gives p_t(x | x1) = N(mean·x1, std²·I) when
	// x0 ~ N(0, s0²·I).
	CondMeanStd(t, s0 float64) (mean, std float64)

	// CondVelocity is the conditional velocity u_t(x | x1) =
	// E[dxt | xt = x, x1] under x0 ~ N(0, s0²·I): the field whose
	// posterior-weighted average is the marginal field (see Marginal).
	CondVelocity(x, x1 Vec, t, s0 float64) Vec
}

// affinePath is implemented by paths whose conditional velocity is affine in
// x and x1: u_t(x | x1) = a·x1 + b·x. Marginal uses it to average x1 once
// instead of calling CondVelocity for every target.
type affinePath interface {
	condVelocityCoeffs(t, s0 float64) (a, b float64)
}

// LinearPath is the straight path of the blog post and of rectified flow
// (Liu et al. 2022), with optional constant noise σ as in torchcfm's
// ConditionalFlowMatcher (Tong et al. 2024):
//
//	xt  = (1−t)·x0 + t·x1 + σ·ε
//	dxt = x1 − x0
//
// σ = 0 is rectified flow. The noise is constant in t, so it does not appear
// in dxt.
type LinearPath struct{ Sigma float64 }

// Name returns "linear".
func (LinearPath) Name() string { return "linear" }

// String describes the path with its noise level.
func (p LinearPath) String() string { return fmt.Sprintf("linear(σ=%g)", p.Sigma) }

// Point returns xt = (1−t)·x0 + t·x1 + σ·ε and dxt = x1 − x0.
func (p LinearPath) Point(x0, x1 Vec, t float64, eps Vec) (xt, dxt Vec) {
	for d := range 2 {
		xt[d] = (1-t)*x0[d] + t*x1[d] + p.Sigma*eps[d]
		dxt[d] = x1[d] - x0[d]
	}
	return xt, dxt
}

// CondMeanStd returns mean = t and std = √((1−t)²·s0² + σ²): xt − t·x1 is
// the sum of the independent Gaussians (1−t)·x0 and σ·ε.
func (p LinearPath) CondMeanStd(t, s0 float64) (mean, std float64) {
	return t, math.Sqrt(p.condVar(t, s0))
}

func (p LinearPath) condVar(t, s0 float64) float64 {
	r := (1 - t) * s0
	return r*r + p.Sigma*p.Sigma
}

// CondVelocity returns u_t(x | x1) = x1 − c·(x − t·x1) with
// c = (1−t)·s0² / ((1−t)²·s0² + σ²): the Gaussian posterior mean of x0 given
// (1−t)·x0 + σ·ε = x − t·x1 is c·(x − t·x1). For σ = 0 this is the familiar
// (x1 − x)/(1−t).
func (p LinearPath) CondVelocity(x, x1 Vec, t, s0 float64) Vec {
	return affineVelocity(p, x, x1, t, s0)
}

func (p LinearPath) condVelocityCoeffs(t, s0 float64) (a, b float64) {
	v := p.condVar(t, s0)
	c := 0.0
	// At v = 0 (σ = 0 and t = 1, or a point source) xt no longer depends on
	// x0, so its posterior is the prior and E[x0] = 0: c = 0, u = x1.
	if v > 0 {
		c = (1 - t) * s0 * s0 / v
	}
	// u = x1 − c·(x − t·x1) = (1 + c·t)·x1 − c·x
	return 1 + c*t, -c
}

// OTPath is the optimal-transport conditional path of Lipman et al. 2023
// (Flow Matching for Generative Modeling, §4.1 Example II), whose conditional
// flows are straight lines that shrink the source to width σmin·s0 at t = 1:
//
//	xt  = (1 − (1−σmin)·t)·x0 + t·x1
//	dxt = x1 − (1−σmin)·x0
//
// σmin = 0 coincides with LinearPath{0}.
type OTPath struct{ SigmaMin float64 }

// Name returns "ot".
func (OTPath) Name() string { return "ot" }

// String describes the path with its σmin.
func (p OTPath) String() string { return fmt.Sprintf("ot(σmin=%g)", p.SigmaMin) }

// beta is the coefficient of x0 in xt: β(t) = 1 − (1−σmin)·t.
func (p OTPath) beta(t float64) float64 { return 1 - (1-p.SigmaMin)*t }

// Point returns xt = (1 − (1−σmin)t)·x0 + t·x1 and dxt = x1 − (1−σmin)·x0;
// eps is unused.
func (p OTPath) Point(x0, x1 Vec, t float64, _ Vec) (xt, dxt Vec) {
	b := p.beta(t)
	for d := range 2 {
		xt[d] = b*x0[d] + t*x1[d]
		dxt[d] = x1[d] - (1-p.SigmaMin)*x0[d]
	}
	return xt, dxt
}

// CondMeanStd returns mean = t and std = |1 − (1−σmin)·t|·s0.
func (p OTPath) CondMeanStd(t, s0 float64) (mean, std float64) {
	return t, math.Abs(p.beta(t) * s0)
}

// CondVelocity returns u_t(x | x1) = (x1 − (1−σmin)·x) / (1 − (1−σmin)·t)
// (Lipman et al. 2023, §4.1); it does not depend on s0 because x0 is
// recovered exactly from xt.
func (p OTPath) CondVelocity(x, x1 Vec, t, s0 float64) Vec {
	return affineVelocity(p, x, x1, t, s0)
}

func (p OTPath) condVelocityCoeffs(t, _ float64) (a, b float64) {
	beta := p.beta(t)
	// At β = 0 (σmin = 0, t = 1) xt = x1 carries no information about x0,
	// so E[x0 | xt, x1] = E[x0] = 0 and u = x1.
	if beta == 0 {
		return 1, 0
	}
	return 1 / beta, -(1 - p.SigmaMin) / beta
}

// affineVelocity evaluates u = a·x1 + b·x for an affine path.
func affineVelocity(p affinePath, x, x1 Vec, t, s0 float64) Vec {
	a, b := p.condVelocityCoeffs(t, s0)
	return Vec{a*x1[0] + b*x[0], a*x1[1] + b*x[1]}
}

// ParsePath returns the path called name ("linear" or "ot", any case) with
// noise level sigma: σ for "linear", σmin for "ot". sigma must be finite and
// ≥ 0, and below 1 for "ot" (at σmin = 1 nothing is transported).
func ParsePath(name string, sigma float64) (Path, error) {
	if math.IsNaN(sigma) || math.IsInf(sigma, 0) || sigma < 0 {
		return nil, fmt.Errorf("flow: path sigma %v: must be a finite number ≥ 0", sigma)
	}
	switch strings.ToLower(strings.TrimSpace(name)) {
	case "linear":
		return LinearPath{Sigma: sigma}, nil
	case "ot":
		if sigma >= 1 {
			return nil, fmt.Errorf("flow: ot path sigma_min %v: must be below 1", sigma)
		}
		return OTPath{SigmaMin: sigma}, nil
	}
	return nil, fmt.Errorf("flow: unknown path %q (want linear or ot)", name)
}
