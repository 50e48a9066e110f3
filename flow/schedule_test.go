package flow

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

var testSchedulers = []Scheduler{
	CondOTScheduler{},
	CosineScheduler{},
	VPScheduler{},
	VPScheduler{BetaMin: 0.5, BetaMax: 5},
	VEScheduler{},
	VEScheduler{SigmaMin: 0.1, SigmaMax: 3},
	PolyScheduler{},
	PolyScheduler{N: 1.5},
	PolyScheduler{N: 3},
}

// TestSchedulerDerivatives checks α̇ and σ̇ against central differences,
// with a tolerance per case: the truncation error is h²/6·f”' and the
// rounding error ε·|f|/h, largest where the curve bends hardest (VP's σ near
// t = 1, VE's exponential at σmax, √t for n = ½ near 0).
func TestSchedulerDerivatives(t *testing.T) {
	const h = 1e-6
	for _, tc := range []struct {
		s   Scheduler
		lo  float64 // smallest t tested, away from a singular end
		hi  float64
		tol float64 // relative to max(1, |derivative|)
	}{
		{CondOTScheduler{}, 0, 1, 1e-8},
		{CosineScheduler{}, 0, 1, 1e-8},
		{VPScheduler{}, 0, 0.99, 1e-6},
		{VPScheduler{BetaMin: 0.5, BetaMax: 5}, 0, 0.99, 1e-6},
		{VEScheduler{}, 0, 1, 1e-6},
		{VEScheduler{SigmaMin: 0.1, SigmaMax: 3}, 0, 1, 1e-7},
		{PolyScheduler{}, 0, 1, 1e-7},
		{PolyScheduler{N: 1.5}, 0.01, 1, 1e-6},
		{PolyScheduler{N: 3}, 0, 1, 1e-7},
	} {
		for i := range 41 {
			tt := tc.lo + (tc.hi-tc.lo)*float64(i)/40
			// One-sided at the ends, where the schedule is not defined beyond.
			a, b := max(tt-h, 0), min(tt+h, 1)
			c, lo, hi := tc.s.At(tt), tc.s.At(a), tc.s.At(b)
			fa := (hi.Alpha - lo.Alpha) / (b - a)
			fs := (hi.Sigma - lo.Sigma) / (b - a)
			// A one-sided difference has O(h) error: allow for it.
			tol := tc.tol
			if a != tt-h || b != tt+h {
				tol = math.Max(tol, 1e-4)
			}
			if math.Abs(fa-c.DAlpha) > tol*math.Max(1, math.Abs(c.DAlpha)) {
				t.Errorf("%s t=%.3f: dα = %.10g, finite difference %.10g", tc.s.Name(), tt, c.DAlpha, fa)
			}
			if math.Abs(fs-c.DSigma) > tol*math.Max(1, math.Abs(c.DSigma)) {
				t.Errorf("%s t=%.3f: dσ = %.10g, finite difference %.10g", tc.s.Name(), tt, c.DSigma, fs)
			}
		}
	}
}

// TestSchedulerEnds checks each schedule's values at the two ends.
func TestSchedulerEnds(t *testing.T) {
	for _, tc := range []struct {
		s            Scheduler
		a0, s0       float64 // α, σ at t = 0
		a1, s1       float64 // at t = 1
		tol0         float64
		preservesVar bool // α² + σ² = 1
	}{
		{CondOTScheduler{}, 0, 1, 1, 0, 0, false},
		{CosineScheduler{}, 0, 1, 1, 0, 1e-15, true},
		{VPScheduler{}, math.Exp(-5.025), math.Sqrt(1 - math.Exp(-10.05)), 1, 0, 1e-12, true},
		{VEScheduler{}, 1, 10, 1, 0.01, 1e-12, false},
		{PolyScheduler{N: 2}, 0, 1, 1, 0, 0, false},
	} {
		c0, c1 := tc.s.At(0), tc.s.At(1)
		if math.Abs(c0.Alpha-tc.a0) > tc.tol0 || math.Abs(c0.Sigma-tc.s0) > tc.tol0 ||
			math.Abs(c1.Alpha-tc.a1) > 1e-15 || math.Abs(c1.Sigma-tc.s1) > 1e-15 {
			t.Errorf("%s: ends (%v, %v) and (%v, %v), want (%v, %v) and (%v, %v)",
				tc.s.Name(), c0.Alpha, c0.Sigma, c1.Alpha, c1.Sigma, tc.a0, tc.s0, tc.a1, tc.s1)
		}
		if tc.preservesVar {
			for _, tt := range []float64{0, 0.3, 0.7, 1} {
				c := tc.s.At(tt)
				if v := c.Alpha*c.Alpha + c.Sigma*c.Sigma; math.Abs(v-1) > 1e-12 {
					t.Errorf("%s t=%v: α²+σ² = %v, want 1", tc.s.Name(), tt, v)
				}
			}
		}
	}
}

// TestGaussianPathLinear checks that the linear schedule is today's linear
// path exactly, and that Marginal works on any Gaussian path.
func TestGaussianPathLinear(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	g, l := GaussianPath{CondOTScheduler{}}, LinearPath{}
	for range 50 {
		x0, x1, x := gauss(rng), gauss(rng), gauss(rng)
		tt := rng.Float64()
		xa, da := g.Point(x0, x1, tt, Vec{})
		xb, db := l.Point(x0, x1, tt, Vec{})
		if !near(xa, xb, 1e-15) || !near(da, db, 1e-15) {
			t.Fatalf("t=%v: Gaussian linear path (%v, %v), linear path (%v, %v)", tt, xa, da, xb, db)
		}
		if ua, ub := g.CondVelocity(x, x1, tt, 1), l.CondVelocity(x, x1, tt, 1); !near(ua, ub, 1e-12) {
			t.Fatalf("t=%v: conditional velocity %v, want %v", tt, ua, ub)
		}
	}
}

// TestGaussianPathDerivative checks dxt = d/dt xt for every scheduler.
func TestGaussianPathDerivative(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	const h = 1e-6
	for _, s := range testSchedulers {
		p := GaussianPath{s}
		for range 10 {
			x0, x1 := gauss(rng), Vec{3 * rng.NormFloat64(), 3 * rng.NormFloat64()}
			tt := 0.05 + 0.9*rng.Float64()
			_, dxt := p.Point(x0, x1, tt, Vec{})
			lo, _ := p.Point(x0, x1, tt-h, Vec{})
			hi, _ := p.Point(x0, x1, tt+h, Vec{})
			for d := range 2 {
				fd := (hi[d] - lo[d]) / (2 * h)
				if math.Abs(fd-dxt[d]) > 1e-5*math.Max(1, math.Abs(fd)) {
					t.Errorf("%s t=%.3f: dxt[%d] = %v, finite difference %v", s.Name(), tt, d, dxt[d], fd)
				}
			}
		}
	}
}

func TestParseScheduler(t *testing.T) {
	for _, tc := range []struct {
		spec, name, err string
	}{
		{"", "linear", ""},
		{"Linear", "linear", ""},
		{"cosine", "cosine", ""},
		{"vp", "vp:bmin=0.1,bmax=20", ""},
		{"vp:bmin=0.5,bmax=5", "vp:bmin=0.5,bmax=5", ""},
		{"ve", "ve:min=0.01,max=10", ""},
		{"ve:max=5", "ve:min=0.01,max=5", ""},
		{"poly:n=3", "poly:n=3", ""},
		{"poly", "poly:n=2", ""},
		{"poly:n=0.5", "", "1 ≤ n"},
		{"ve:min=1,max=1", "", "min < max"},
		{"vp:bmin=-1", "", "bmin"},
		{"cosine:n=2", "", "unknown parameter"},
		{"poly:n", "", "key=value"},
		{"poly:n=NaN", "", "finite"},
		{"sigmoid", "", "unknown schedule"},
	} {
		s, err := ParseScheduler(tc.spec)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("ParseScheduler(%q) error %v, want one containing %q", tc.spec, err, tc.err)
			}
			continue
		}
		if err != nil || s.Name() != tc.name {
			t.Errorf("ParseScheduler(%q) = %v, %v; want %s", tc.spec, s, err, tc.name)
			continue
		}
		// The name parses back to the same scheduler.
		if s2, err := ParseScheduler(s.Name()); err != nil || s2 != s {
			t.Errorf("ParseScheduler(%q) = %v, %v; want %v", s.Name(), s2, err, s)
		}
	}
	if _, err := ParseSchedulePath("cosine", "ot", 0); err == nil {
		t.Error("schedule cosine with path ot accepted")
	}
	if p, err := ParseSchedulePath("", "ot", 0.1); err != nil || p != (OTPath{SigmaMin: 0.1}) {
		t.Errorf("empty schedule: %v, %v; want the ot path", p, err)
	}
	if p, err := ParseSchedulePath("vp", "linear", 0); err != nil || p.Name() != "vp:bmin=0.1,bmax=20" {
		t.Errorf("vp schedule: %v, %v", p, err)
	}
}

func FuzzParseScheduler(f *testing.F) {
	for _, seed := range []string{"linear", "cosine", "vp:bmin=0.5,bmax=5", "ve:min=1e-300,max=1e300", "poly:n=10", "poly:n=,", "ve:max=1e4,min=9999"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, spec string) {
		s, err := ParseScheduler(spec)
		if err != nil {
			return
		}
		// Accepted schedules parse back by name and have finite coefficients
		// with α, σ ≥ 0 on [0, 1].
		if again, err := ParseScheduler(s.Name()); err != nil || again != s {
			t.Fatalf("%q: round trip of %s gives %v, %v", spec, s.Name(), again, err)
		}
		for _, tt := range []float64{0, 0.25, 0.5, 0.999, 1} {
			c := s.At(tt)
			for _, v := range []float64{c.Alpha, c.Sigma, c.DAlpha, c.DSigma} {
				if !finite(v) {
					t.Fatalf("%s at t=%v: %+v", s.Name(), tt, c)
				}
			}
			if c.Alpha < 0 || c.Sigma < 0 {
				t.Fatalf("%s at t=%v: %+v", s.Name(), tt, c)
			}
		}
	})
}
