package flow

import (
	"fmt"
	"math"
	"strings"
)

// Target is what a network trained on a Gaussian path predicts at (x, t).
// With x̂1 = E[x1 | xt = x] and x̂0 = E[x0 | xt = x] (the posterior means of
// the data and the source draw, x0 ~ N(0, s0²·I)), every target is a fixed
// linear combination p·x̂1 + q·x̂0:
//
//	velocity  u = α̇·x̂1 + σ̇·x̂0        (flow matching)
//	noise     ε̂ = x̂0                  (denoising score matching, DDPM's ε)
//	data      x̂1                      (the denoiser)
//	score     ∇log p_t(x) = −x̂0/(σ·s0²)  (Tweedie: p_t(x | x1) = N(α·x1, σ²s0²·I))
//
// and x = α·x̂1 + σ·x̂0 holds exactly, because xt is a deterministic function
// of the pair. Two equations, two unknowns: any target converts into any
// other (Convert).
type Target int

// The prediction targets.
const (
	Velocity Target = iota
	Noise
	Data
	Score
	numTargets
)

var targetNames = [numTargets]string{"velocity", "noise", "data", "score"}

// String returns the name ParseTarget accepts.
func (k Target) String() string {
	if k < 0 || k >= numTargets {
		return fmt.Sprintf("Target(%d)", int(k))
	}
	return targetNames[k]
}

// ParseTarget reads "velocity", "noise" (or "epsilon", "eps"), "data" (or
// "x1") or "score", any case; "" is velocity.
func ParseTarget(s string) (Target, error) {
	switch n := strings.ToLower(strings.TrimSpace(s)); n {
	case "", "velocity", "v":
		return Velocity, nil
	case "noise", "epsilon", "eps":
		return Noise, nil
	case "data", "x1":
		return Data, nil
	case "score":
		return Score, nil
	}
	return 0, fmt.Errorf("flow: unknown prediction target %q (want velocity, noise, data or score)", s)
}

// Targets lists the target names.
func Targets() []string { return targetNames[:] }

// ClampTime is how close to the ends t = 0 and t = 1 the conversions evaluate
// their coefficients. At the ends one of α, σ vanishes and some conversions
// divide by it: noise → velocity divides by α (0 at t = 0 for the linear,
// cosine and polynomial paths: xt = x0 says nothing about x1), data →
// velocity and anything → score divide by σ (0 at t = 1 but for VE). The
// conversions therefore use the coefficients at t clamped into
// [ClampTime, 1 − ClampTime]: bounded (gains ≲ 1/ClampTime), and exact
// everywhere else. Training draws t from the same interval for every target
// but velocity, whose default run stays exactly t ~ U[0, 1].
const ClampTime = 1e-3

// Clamp returns t clamped into [ClampTime, 1 − ClampTime].
func Clamp(t float64) float64 { return min(max(t, ClampTime), 1-ClampTime) }

// combo returns (p, q) with target k = p·x̂1 + q·x̂0 for coefficients c and
// source std s0.
func combo(k Target, c Coeffs, s0 float64) (p, q float64) {
	switch k {
	case Velocity:
		return c.DAlpha, c.DSigma
	case Noise:
		return 0, 1
	case Data:
		return 1, 0
	case Score:
		return 0, -1 / (c.Sigma * s0 * s0)
	}
	panic(fmt.Sprintf("flow: unknown target %d", int(k)))
}

// Conversion is the affine map y' = X·x + Y·y that turns a prediction y of
// one target at (x, t) into another target y'.
type Conversion struct{ X, Y float64 }

// Apply returns X·x + Y·y.
func (c Conversion) Apply(x, y Vec) Vec {
	return Vec{c.X*x[0] + c.Y*y[0], c.X*x[1] + c.Y*y[1]}
}

// Convert returns the map from target `from` to target `to` at time t under
// scheduler s with source std s0 (the coefficients at Clamp(t)). Writing the
// targets as p·x̂1 + q·x̂0 and x = α·x̂1 + σ·x̂0:
//
//	det = α·q − σ·p
//	x̂1 = (q·x − σ·y)/det,  x̂0 = (α·y − p·x)/det
//	y'  = p'·x̂1 + q'·x̂0 = ((p'q − q'p)·x + (q'α − p'σ)·y)/det
//
// det is α for noise, −σ for data, −α/(σs0²) for score and α·σ̇ − σ·α̇ for
// velocity (−1 on the straight path; nonzero on any path whose α grows and σ
// shrinks), so velocity converts into anything without a singularity.
func Convert(from, to Target, s Scheduler, t, s0 float64) Conversion {
	if from == to {
		return Conversion{0, 1}
	}
	c := s.At(Clamp(t))
	p, q := combo(from, c, s0)
	p2, q2 := combo(to, c, s0)
	det := c.Alpha*q - c.Sigma*p
	return Conversion{(p2*q - q2*p) / det, (q2*c.Alpha - p2*c.Sigma) / det}
}

// TargetOf returns the value of target k for a training pair (x0, x1) at
// time t: what the network regresses. For the score this is the conditional
// score ∇log p_t(xt | x1) = −x0/(σ·s0²), whose regression gives the marginal
// score (Vincent 2011). c must have σ > 0 for the score: take it at Clamp(t).
func TargetOf(k Target, c Coeffs, x0, x1 Vec, s0 float64) Vec {
	p, q := combo(k, c, s0)
	return Vec{p*x1[0] + q*x0[0], p*x1[1] + q*x0[1]}
}

// ConvertedField turns a field that predicts target From into one that
// gives target To (a Velocity field for the solvers, a Score for the SDE).
// It converts in place after evaluating Pred, so it allocates nothing.
type ConvertedField struct {
	Pred      Field
	From, To  Target
	Sched     Scheduler
	SourceStd float64 // s0, the std of the Gaussian source draws; 0 means 1
}

var _ Field = (*ConvertedField)(nil)

// Velocity writes the converted prediction at (x[i], t) into dst[i].
func (f *ConvertedField) Velocity(dst, x []Vec, t float64) {
	f.Pred.Velocity(dst, x, t)
	if f.From == f.To {
		return
	}
	cv := Convert(f.From, f.To, f.Sched, t, sourceStd(f.SourceStd))
	for i := range dst {
		dst[i] = cv.Apply(x[i], dst[i])
	}
}

func sourceStd(s0 float64) float64 {
	if s0 == 0 || math.IsNaN(s0) {
		return 1
	}
	return s0
}
