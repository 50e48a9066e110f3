package flow

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Coeffs are a Gaussian path's coefficients at one time t:
//
//	xt  = Alpha·x1 + Sigma·x0
//	dxt = DAlpha·x1 + DSigma·x0
//
// with x1 the data, x0 the source draw, and DAlpha, DSigma the time
// derivatives of Alpha and Sigma.
type Coeffs struct {
	Alpha, Sigma, DAlpha, DSigma float64
}

// Scheduler gives the coefficients (α_t, σ_t) of a Gaussian probability path
// xt = α_t·x1 + σ_t·x0 and their time derivatives, with t = 1 the data end
// (the flow_matching library's convention; diffusion papers run their time
// the other way, s = 1 − t).
type Scheduler interface {
	// Name is the spec ParseScheduler accepts back, e.g. "cosine" or
	// "poly:n=2".
	Name() string
	// At returns α_t, σ_t, dα/dt and dσ/dt at t ∈ [0, 1].
	At(t float64) Coeffs
}

// Compile-time checks that every scheduler implements Scheduler.
var (
	_ Scheduler = CondOTScheduler{}
	_ Scheduler = CosineScheduler{}
	_ Scheduler = VPScheduler{}
	_ Scheduler = VEScheduler{}
	_ Scheduler = PolyScheduler{}
)

// CondOTScheduler is the straight path of the blog post: α_t = t, σ_t = 1 − t
// (Lipman et al. 2023's conditional OT path with σ_min = 0).
type CondOTScheduler struct{}

// Name returns "linear".
func (CondOTScheduler) Name() string { return "linear" }

// At returns α = t, σ = 1 − t, α̇ = 1, σ̇ = −1.
func (CondOTScheduler) At(t float64) Coeffs { return Coeffs{t, 1 - t, 1, -1} }

// CosineScheduler is the trigonometric path α_t = sin(πt/2), σ_t = cos(πt/2)
// (Albergo & Vanden-Eijnden's interpolant; Nichol & Dhariwal's cosine
// schedule up to the offset): α² + σ² = 1, so it preserves variance too.
type CosineScheduler struct{}

// Name returns "cosine".
func (CosineScheduler) Name() string { return "cosine" }

// At returns α = sin(πt/2), σ = cos(πt/2), α̇ = (π/2)·cos(πt/2),
// σ̇ = −(π/2)·sin(πt/2).
func (CosineScheduler) At(t float64) Coeffs {
	s, c := math.Sincos(math.Pi / 2 * t)
	return Coeffs{s, c, math.Pi / 2 * c, -math.Pi / 2 * s}
}

// VPScheduler is DDPM's variance-preserving path with its linear β schedule
// (Ho et al. 2020; Song et al. 2021's VP SDE), in flow-matching time
// s = 1 − t:
//
//	T(s) = ∫₀ˢ β(r) dr = βmin·s + ½(βmax − βmin)·s²,  β(r) = βmin + (βmax − βmin)·r
//	α_t = exp(−½·T(1−t)),  σ_t = √(1 − α_t²)
//
// A zero field takes its default: βmin = 0.1, βmax = 20 (DDPM's 1000 steps of
// 1e-4..0.02, in continuous time). At t = 0, α = e^−5.025 ≈ 0.0066: the
// source is the standard Gaussian up to that sliver of data. At t = 1, σ = 0
// and σ̇ → −∞ like −√(βmin/(2(1−t))): the data end is singular (see
// ClampTime).
type VPScheduler struct{ BetaMin, BetaMax float64 }

func (v VPScheduler) betas() (lo, hi float64) {
	return orDefault(v.BetaMin, 0.1), orDefault(v.BetaMax, 20)
}

// Name returns "vp:bmin=…,bmax=…".
func (v VPScheduler) Name() string {
	lo, hi := v.betas()
	return "vp:bmin=" + fmtParam(lo) + ",bmax=" + fmtParam(hi)
}

// At returns the VP coefficients; dα/dt = ½·β(1−t)·α (from dT/ds = β(s)
// and ds/dt = −1) and dσ/dt = −α·α̇/σ, 0 at σ = 0 where it is singular.
func (v VPScheduler) At(t float64) Coeffs {
	lo, hi := v.betas()
	s := 1 - t
	T := lo*s + 0.5*(hi-lo)*s*s
	beta := lo + (hi-lo)*s
	a := math.Exp(-0.5 * T)
	// 1 − α² = −expm1(−T) keeps its digits where T is small (t near 1).
	sig := math.Sqrt(-math.Expm1(-T))
	da := 0.5 * beta * a
	ds := 0.0
	if sig > 0 {
		ds = -a * da / sig
	}
	return Coeffs{a, sig, da, ds}
}

// VEScheduler is the variance-exploding path of score-based models (Song &
// Ermon 2019; Song et al. 2021's VE SDE) in flow-matching time:
//
//	α_t = 1,  σ_t = σmin·(σmax/σmin)^(1−t)
//
// The data is never shrunk; the noise grows geometrically from σmin at the
// data end (t = 1) to σmax at t = 0. Its source is therefore not the
// standard Gaussian but the wide N(0, σmax²·s0²·I): sampling starts from
// source draws scaled by σ_0 = σmax (the data's own spread, small beside
// σmax, is neglected there, as in Song et al.). A zero field takes its
// default: σmin = 0.01, σmax = 10, about the largest distance between two points of
// the presets.
type VEScheduler struct{ SigmaMin, SigmaMax float64 }

func (v VEScheduler) sigmas() (lo, hi float64) {
	return orDefault(v.SigmaMin, 0.01), orDefault(v.SigmaMax, 10)
}

// Name returns "ve:min=…,max=…".
func (v VEScheduler) Name() string {
	lo, hi := v.sigmas()
	return "ve:min=" + fmtParam(lo) + ",max=" + fmtParam(hi)
}

// At returns α = 1, σ = σmin·(σmax/σmin)^(1−t), α̇ = 0,
// σ̇ = −ln(σmax/σmin)·σ.
func (v VEScheduler) At(t float64) Coeffs {
	lo, hi := v.sigmas()
	r := math.Log(hi / lo)
	sig := hi * math.Exp(-r*t) // = σmin·(σmax/σmin)^(1−t), exactly σmax at t = 0
	return Coeffs{1, sig, 0, -r * sig}
}

// PolyScheduler is the polynomial path α_t = tⁿ, σ_t = 1 − tⁿ (the
// flow_matching library's PolynomialConvexScheduler) for n ≥ 1. n = 1 is
// the straight path; larger n keeps the particles near the source longer
// (n < 1 would start at infinite speed, α̇_0 = ∞, and is refused by
// ParseScheduler). The zero value takes n = 2.
type PolyScheduler struct{ N float64 }

func (p PolyScheduler) n() float64 { return orDefault(p.N, 2) }

// orDefault is v, or def for the zero value.
func orDefault(v, def float64) float64 {
	if v == 0 {
		return def
	}
	return v
}

// Name returns "poly:n=…".
func (p PolyScheduler) Name() string { return "poly:n=" + fmtParam(p.n()) }

// At returns α = tⁿ, σ = 1 − tⁿ, α̇ = n·tⁿ⁻¹, σ̇ = −n·tⁿ⁻¹.
func (p PolyScheduler) At(t float64) Coeffs {
	n := p.n()
	a := math.Pow(t, n)
	da := n * math.Pow(t, n-1)
	if t == 0 && n > 1 {
		da = 0
	}
	return Coeffs{a, 1 - a, da, -da}
}

func fmtParam(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }

// Schedules lists the scheduler names ParseScheduler accepts.
func Schedules() []string { return []string{"linear", "cosine", "vp", "ve", "poly"} }

// ParseScheduler reads a scheduler spec: "linear", "cosine",
// "vp[:bmin=0.1,bmax=20]", "ve[:min=0.01,max=10]" or "poly[:n=2]" (any case).
// The empty spec is "linear".
func ParseScheduler(spec string) (Scheduler, error) {
	name, args, _ := strings.Cut(strings.ToLower(strings.TrimSpace(spec)), ":")
	vals := map[string]float64{}
	if strings.TrimSpace(args) != "" {
		for _, kv := range strings.Split(args, ",") {
			k, v, ok := strings.Cut(kv, "=")
			if !ok {
				return nil, fmt.Errorf("flow: schedule %q: parameter %q is not key=value", spec, kv)
			}
			x, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			if err != nil || math.IsNaN(x) || math.IsInf(x, 0) {
				return nil, fmt.Errorf("flow: schedule %q: %s=%q is not a finite number", spec, k, v)
			}
			vals[strings.TrimSpace(k)] = x
		}
	}
	take := func(keys ...string) error {
		for k := range vals {
			known := false
			for _, want := range keys {
				known = known || k == want
			}
			if !known {
				return fmt.Errorf("flow: schedule %q: unknown parameter %q", spec, k)
			}
		}
		return nil
	}
	get := func(k string, def float64) float64 {
		if v, ok := vals[k]; ok {
			return v
		}
		return def
	}
	switch name {
	case "", "linear", "condot":
		return CondOTScheduler{}, take()
	case "cosine":
		return CosineScheduler{}, take()
	case "vp":
		if err := take("bmin", "bmax"); err != nil {
			return nil, err
		}
		lo, hi := get("bmin", 0.1), get("bmax", 20)
		if lo <= 0 || hi < lo || hi > 1000 {
			return nil, fmt.Errorf("flow: schedule %q: want 0 < bmin ≤ bmax ≤ 1000", spec)
		}
		return VPScheduler{lo, hi}, nil
	case "ve":
		if err := take("min", "max"); err != nil {
			return nil, err
		}
		lo, hi := get("min", 0.01), get("max", 10)
		if lo <= 0 || hi <= lo || hi > 1e4 {
			return nil, fmt.Errorf("flow: schedule %q: want 0 < min < max ≤ 10000", spec)
		}
		return VEScheduler{lo, hi}, nil
	case "poly":
		if err := take("n"); err != nil {
			return nil, err
		}
		n := get("n", 2)
		if n < 1 || n > 10 {
			return nil, fmt.Errorf("flow: schedule %q: want 1 ≤ n ≤ 10", spec)
		}
		return PolyScheduler{n}, nil
	}
	return nil, fmt.Errorf("flow: unknown schedule %q (want one of %s)", spec, strings.Join(Schedules(), ", "))
}

// GaussianPath is the affine Gaussian path of a scheduler
// (Lipman et al. 2024, §4.8):
//
//	xt  = α_t·x1 + σ_t·x0
//	dxt = α̇_t·x1 + σ̇_t·x0
//
// GaussianPath{CondOTScheduler{}} is LinearPath{0}.
type GaussianPath struct{ Sched Scheduler }

var _ Path = GaussianPath{}

// Name returns the scheduler's name.
func (p GaussianPath) Name() string { return p.Sched.Name() }

// Point returns xt = α·x1 + σ·x0 and dxt = α̇·x1 + σ̇·x0; eps is unused.
func (p GaussianPath) Point(x0, x1 Vec, t float64, _ Vec) (xt, dxt Vec) {
	c := p.Sched.At(t)
	for d := range 2 {
		xt[d] = c.Alpha*x1[d] + c.Sigma*x0[d]
		dxt[d] = c.DAlpha*x1[d] + c.DSigma*x0[d]
	}
	return xt, dxt
}

// CondMeanStd returns mean = α_t and std = σ_t·s0.
func (p GaussianPath) CondMeanStd(t, s0 float64) (mean, std float64) {
	c := p.Sched.At(t)
	return c.Alpha, math.Abs(c.Sigma * s0)
}

// CondVelocity returns u_t(x | x1) = α̇·x1 + σ̇·(x − α·x1)/σ: x0 is recovered
// exactly from xt and x1. At σ = 0 xt carries nothing about x0, whose
// posterior mean is then its prior mean 0, so u = α̇·x1.
func (p GaussianPath) CondVelocity(x, x1 Vec, t, s0 float64) Vec {
	return affineVelocity(p, x, x1, t, s0)
}

func (p GaussianPath) condVelocityCoeffs(t, _ float64) (a, b float64) {
	c := p.Sched.At(t)
	if c.Sigma == 0 {
		return c.DAlpha, 0
	}
	// u = α̇·x1 + σ̇/σ·(x − α·x1) = (α̇ − σ̇α/σ)·x1 + (σ̇/σ)·x
	return c.DAlpha - c.DSigma*c.Alpha/c.Sigma, c.DSigma / c.Sigma
}

// SchedulerOf returns the scheduler of a path that is Gaussian in the sense
// xt = α_t·x1 + σ_t·x0 with dxt its time derivative: a GaussianPath, the
// noiseless LinearPath and the OT path (α = t, σ = 1 − (1−σmin)·t). The
// linear path with σ > 0 adds noise that dxt does not follow, so it has none.
func SchedulerOf(p Path) (Scheduler, bool) {
	switch p := p.(type) {
	case GaussianPath:
		return p.Sched, true
	case LinearPath:
		if p.Sigma == 0 {
			return CondOTScheduler{}, true
		}
	case OTPath:
		return otScheduler(p), true
	}
	return nil, false
}

// otScheduler is Lipman et al. 2023's OT path as a scheduler.
type otScheduler OTPath

func (s otScheduler) Name() string { return OTPath(s).String() }

func (s otScheduler) At(t float64) Coeffs {
	k := 1 - s.SigmaMin
	return Coeffs{t, 1 - k*t, 1, -k}
}

// ParseSchedulePath returns the path for a schedule spec and the classic path
// settings: an empty or "linear" schedule gives ParsePath(path, sigma) as
// always; any other schedule gives its GaussianPath and needs the linear path
// with σ = 0 (the schedule replaces it).
func ParseSchedulePath(schedule, path string, sigma float64) (Path, error) {
	if s := strings.ToLower(strings.TrimSpace(schedule)); s == "" || s == "linear" {
		return ParsePath(path, sigma)
	}
	sched, err := ParseScheduler(schedule)
	if err != nil {
		return nil, err
	}
	if strings.ToLower(strings.TrimSpace(path)) != "linear" || sigma != 0 {
		return nil, fmt.Errorf("flow: schedule %s replaces the path: it needs path linear with sigma 0, not %s σ=%g", sched.Name(), path, sigma)
	}
	return GaussianPath{sched}, nil
}
