package flow

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// SDEDrift is the drift of the reverse-time SDE that has the same marginals
// p_t as the probability-flow ODE dX = u_t(X) dt (Song et al. 2021;
// Lipman et al. 2024, §4.10; Karras et al. 2022):
//
//	dX = [u_t(X) + ½·g_t²·∇log p_t(X)] dt + g_t dW,   g_t = Noise·σ_t·s0
//
// Adding g_t dW spreads the particles, and the score term ½g²∇log p pulls
// them back by exactly as much, so the Fokker–Planck equation, and with it
// every marginal p_t, is unchanged. Noise = 0 is the ODE.
//
// g_t is proportional to the path's noise σ_t·s0 so that the noise fades
// where the score is singular (σ → 0 at the data end): the score term is then
// ½·Noise²·σ²s0²·∇log p ≈ −½·Noise²·(x − α·x̂1), a pull of rate ½·Noise²
// whatever the schedule, and Euler–Maruyama with n steps is stable for
// Noise² < 4n.
//
// Both u and ∇log p are affine in the network's prediction y (Convert), so
// the drift costs one network evaluation:
//
//	drift = (Cu.X + ½g²·Cs.X)·x + (Cu.Y + ½g²·Cs.Y)·y
type SDEDrift struct {
	Pred      Field  // the network (or exact field) predicting Kind
	Kind      Target // what Pred predicts
	Sched     Scheduler
	SourceStd float64 // s0; 0 means 1
	Noise     float64 // the noise level G ≥ 0
}

var _ Field = (*SDEDrift)(nil)

// G returns the diffusion coefficient g_t = Noise·σ_t·s0.
func (d *SDEDrift) G(t float64) float64 {
	return d.Noise * d.Sched.At(t).Sigma * sourceStd(d.SourceStd)
}

// Velocity writes the drift at (x[i], t) into dst[i].
func (d *SDEDrift) Velocity(dst, x []Vec, t float64) {
	d.Pred.Velocity(dst, x, t)
	s0 := sourceStd(d.SourceStd)
	cu := Convert(d.Kind, Velocity, d.Sched, t, s0)
	cv := cu
	if g := d.G(t); g > 0 {
		cs := Convert(d.Kind, Score, d.Sched, t, s0)
		h := g * g / 2
		cv = Conversion{cu.X + h*cs.X, cu.Y + h*cs.Y}
	}
	for i := range dst {
		dst[i] = cv.Apply(x[i], dst[i])
	}
}

// EulerMaruyama integrates dX = drift(X, t) dt + g(t) dW in place from t0 to
// t1 in n uniform steps,
//
//	x ← x + h·drift(x, t_k) + g(t_k)·√|h|·z,  z ~ N(0, I),
//
// the stochastic Euler method (strong order ½, weak order 1). With g ≡ 0 it
// is exactly the Euler solver. If traj != nil it receives the n+1 states as
// in Integrate. scratch, if it holds len(x) entries, is used for the drift;
// otherwise one is allocated.
func EulerMaruyama(drift Field, g func(t float64) float64, x []Vec, t0, t1 float64, n int,
	rng *rand.Rand, traj [][]Vec, scratch []Vec) {
	if n < 0 {
		panic(fmt.Sprintf("flow: EulerMaruyama with %d steps", n))
	}
	if traj != nil {
		if len(traj) != n+1 {
			panic(fmt.Sprintf("flow: trajectory holds %d states, want %d", len(traj), n+1))
		}
		copy(traj[0], x)
	}
	if len(scratch) < len(x) {
		scratch = make([]Vec, len(x))
	}
	k := scratch[:len(x)]
	h := (t1 - t0) / float64(n)
	sq := math.Sqrt(math.Abs(h))
	for step := range n {
		t := t0 + (t1-t0)*float64(step)/float64(n)
		drift.Velocity(k, x, t)
		axpy(x, h, k)
		if gt := g(t); gt > 0 {
			a := gt * sq
			for i := range x {
				x[i][0] += a * rng.NormFloat64()
				x[i][1] += a * rng.NormFloat64()
			}
		}
		if traj != nil {
			copy(traj[step+1], x)
		}
	}
}

// GuidedField is classifier-free guidance (Ho & Salimans 2022) on two
// predictions of the same target, the unconditional u(x | ∅) and the
// class-conditional u(x | y):
//
//	u_w = (1 − w)·u(x | ∅) + w·u(x | y)
//
// w = 1 is the conditional model, w = 0 the unconditional one, w > 1 pushes
// past the class (sharper, less diverse, overshooting at large w). Every
// target converts affinely with the same coefficients for both (Convert), so
// guiding the raw predictions is guiding the velocity.
type GuidedField struct {
	Uncond, Cond Field
	W            float64

	buf []Vec
}

var _ Field = (*GuidedField)(nil)

// Velocity writes the guided prediction at (x[i], t) into dst[i].
func (f *GuidedField) Velocity(dst, x []Vec, t float64) {
	switch f.W {
	case 0:
		f.Uncond.Velocity(dst, x, t)
		return
	case 1:
		f.Cond.Velocity(dst, x, t)
		return
	}
	if cap(f.buf) < len(x) {
		f.buf = make([]Vec, len(x))
	}
	u := f.buf[:len(x)]
	f.Uncond.Velocity(u, x, t)
	f.Cond.Velocity(dst, x, t)
	w := f.W
	for i := range dst {
		dst[i][0] = (1-w)*u[i][0] + w*dst[i][0]
		dst[i][1] = (1-w)*u[i][1] + w*dst[i][1]
	}
}
