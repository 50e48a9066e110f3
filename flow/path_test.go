package flow

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

var testPaths = []Path{
	LinearPath{Sigma: 0},
	LinearPath{Sigma: 0.3},
	OTPath{SigmaMin: 0},
	OTPath{SigmaMin: 0.1},
}

func gauss(rng *rand.Rand) Vec { return Vec{rng.NormFloat64(), rng.NormFloat64()} }

// TestPathDerivative checks that dxt is the time derivative of xt at fixed
// (x0, x1, ε), by central differences (exact up to rounding: xt is affine in t).
func TestPathDerivative(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	const h = 1e-5
	for _, p := range testPaths {
		for range 20 {
			x0, x1, eps := gauss(rng), Vec{3 * rng.NormFloat64(), 3 * rng.NormFloat64()}, gauss(rng)
			tt := h + rng.Float64()*(1-2*h)
			_, dxt := p.Point(x0, x1, tt, eps)
			lo, _ := p.Point(x0, x1, tt-h, eps)
			hi, _ := p.Point(x0, x1, tt+h, eps)
			for d := range 2 {
				fd := (hi[d] - lo[d]) / (2 * h)
				if math.Abs(fd-dxt[d]) > 1e-8 {
					t.Errorf("%v t=%.3f: dxt[%d] = %v, finite difference %v", p, tt, d, dxt[d], fd)
				}
			}
		}
	}
}

// TestPathEndpoints checks xt = x0 (+ noise) at t = 0 and xt = x1 (+ σmin·x0
// for ot) at t = 1, and the blog post's worked example.
func TestPathEndpoints(t *testing.T) {
	x0, x1, eps := Vec{1, 1}, Vec{6, 6}, Vec{0.5, -2}
	for _, tc := range []struct {
		p      Path
		t      float64
		wantXt Vec
		wantDx Vec
	}{
		{LinearPath{}, 3.0 / 5, Vec{4, 4}, Vec{5, 5}}, // the blog post's step 3 of 5
		{LinearPath{}, 0, x0, Vec{5, 5}},
		{LinearPath{}, 1, x1, Vec{5, 5}},
		{LinearPath{Sigma: 0.1}, 1, Vec{6.05, 5.8}, Vec{5, 5}},
		{OTPath{}, 0.4, Vec{3, 3}, Vec{5, 5}},
		{OTPath{SigmaMin: 0.1}, 1, Vec{6.1, 6.1}, Vec{5.1, 5.1}},
	} {
		xt, dxt := tc.p.Point(x0, x1, tc.t, eps)
		if !near(xt, tc.wantXt, 1e-12) || !near(dxt, tc.wantDx, 1e-12) {
			t.Errorf("%v t=%v: got xt=%v dxt=%v, want %v %v", tc.p, tc.t, xt, dxt, tc.wantXt, tc.wantDx)
		}
	}
}

func near(a, b Vec, tol float64) bool {
	return math.Abs(a[0]-b[0]) <= tol && math.Abs(a[1]-b[1]) <= tol
}

// TestCondMeanStd compares CondMeanStd with the empirical mean and standard
// deviation of xt over many source samples at a fixed x1.
func TestCondMeanStd(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	const n = 20000
	x1 := Vec{2, -1}
	for _, p := range testPaths {
		for _, s0 := range []float64{1, 0.5} {
			for _, tt := range []float64{0, 0.3, 0.8, 1} {
				var sum, sumSq Vec
				for range n {
					x0 := gauss(rng)
					x0[0], x0[1] = s0*x0[0], s0*x0[1]
					xt, _ := p.Point(x0, x1, tt, gauss(rng))
					for d := range 2 {
						sum[d] += xt[d]
						sumSq[d] += xt[d] * xt[d]
					}
				}
				mean, std := p.CondMeanStd(tt, s0)
				for d := range 2 {
					m := sum[d] / n
					sd := math.Sqrt(sumSq[d]/n - m*m)
					// 5 standard errors: of a mean σ/√n, of a Gaussian sd σ/√(2n).
					if math.Abs(m-mean*x1[d]) > 5*std/math.Sqrt(n)+1e-12 {
						t.Errorf("%v s0=%v t=%v: mean[%d] = %v, want %v", p, s0, tt, d, m, mean*x1[d])
					}
					if math.Abs(sd-std) > 5*std/math.Sqrt(2*n)+1e-12 {
						t.Errorf("%v s0=%v t=%v: std[%d] = %v, want %v", p, s0, tt, d, sd, std)
					}
				}
			}
		}
	}
}

// TestCondVelocityMonteCarlo checks u_t(x | x1) = E[dxt | xt = x, x1] by
// averaging dxt over samples whose xt falls in a ball around x. Because u is
// affine in x, E[dxt | xt ∈ ball] = u(E[xt | xt ∈ ball]) exactly, so we
// compare with u at the mean of the kept xt and only Monte Carlo error
// remains.
func TestCondVelocityMonteCarlo(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	const n = 100000
	x1 := Vec{1.5, 0.5}
	for _, p := range testPaths {
		for _, tc := range []struct {
			t, s0  float64
			x      Vec
			radius float64
		}{
			{0.2, 1, Vec{0.5, 0}, 0.3},
			{0.5, 1, Vec{1, 0.5}, 0.2},
			{0.7, 0.8, Vec{1.2, 0.2}, 0.15},
		} {
			var sumX, sumU, sumSq Vec
			kept := 0
			for range n {
				x0 := gauss(rng)
				x0[0], x0[1] = tc.s0*x0[0], tc.s0*x0[1]
				xt, dxt := p.Point(x0, x1, tc.t, gauss(rng))
				dx, dy := xt[0]-tc.x[0], xt[1]-tc.x[1]
				if dx*dx+dy*dy > tc.radius*tc.radius {
					continue
				}
				kept++
				for d := range 2 {
					sumX[d] += xt[d]
					sumU[d] += dxt[d]
					sumSq[d] += dxt[d] * dxt[d]
				}
			}
			if kept < 500 {
				t.Fatalf("%v: only %d samples in the ball", p, kept)
			}
			k := float64(kept)
			want := p.CondVelocity(Vec{sumX[0] / k, sumX[1] / k}, x1, tc.t, tc.s0)
			for d := range 2 {
				m := sumU[d] / k
				se := math.Sqrt(max(sumSq[d]/k-m*m, 0) / k)
				if math.Abs(m-want[d]) > 5*se+1e-9 {
					t.Errorf("%v t=%v: E[dxt|ball][%d] = %v ± %v, CondVelocity %v", p, tc.t, d, m, se, want[d])
				}
			}
		}
	}
}

// TestCondVelocityClosedForms checks the textbook special cases.
func TestCondVelocityClosedForms(t *testing.T) {
	x, x1 := Vec{0.3, -0.7}, Vec{2, 1}
	for _, tc := range []struct {
		name string
		got  Vec
		want Vec
	}{
		// σ = 0: u = (x1 − x)/(1 − t)
		{"linear σ=0", LinearPath{}.CondVelocity(x, x1, 0.6, 1), Vec{(2 - 0.3) / 0.4, (1 + 0.7) / 0.4}},
		// Lipman et al. 2023, OT conditional velocity
		{"ot σmin=0.1", OTPath{SigmaMin: 0.1}.CondVelocity(x, x1, 0.6, 1),
			Vec{(2 - 0.9*0.3) / (1 - 0.9*0.6), (1 + 0.9*0.7) / (1 - 0.9*0.6)}},
		// at t = 1 without noise the posterior of x0 is the prior: u = x1
		{"linear σ=0 t=1", LinearPath{}.CondVelocity(x, x1, 1, 1), x1},
		{"ot σmin=0 t=1", OTPath{}.CondVelocity(x, x1, 1, 1), x1},
		// point source: xt = t·x1 exactly, dxt = x1
		{"linear s0=0", LinearPath{}.CondVelocity(x, x1, 0.5, 0), x1},
		// t = 0, σ = 0: x = x0 is known, u = x1 − x
		{"linear t=0", LinearPath{}.CondVelocity(x, x1, 0, 2), Vec{2 - 0.3, 1 + 0.7}},
	} {
		if !near(tc.got, tc.want, 1e-12) {
			t.Errorf("%s: got %v, want %v", tc.name, tc.got, tc.want)
		}
	}
}

func TestParsePath(t *testing.T) {
	for _, tc := range []struct {
		name  string
		sigma float64
		want  Path
		err   string
	}{
		{"linear", 0, LinearPath{}, ""},
		{" Linear ", 0.2, LinearPath{Sigma: 0.2}, ""},
		{"ot", 1e-3, OTPath{SigmaMin: 1e-3}, ""},
		{"OT", 0, OTPath{}, ""},
		{"ot", 1, nil, "below 1"},
		{"linear", -0.1, nil, "≥ 0"},
		{"linear", math.NaN(), nil, "≥ 0"},
		{"linear", math.Inf(1), nil, "≥ 0"},
		{"vp", 0, nil, "unknown path"},
		{"", 0, nil, "unknown path"},
	} {
		p, err := ParsePath(tc.name, tc.sigma)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("ParsePath(%q, %v) error = %v, want one containing %q", tc.name, tc.sigma, err, tc.err)
			}
			continue
		}
		if err != nil || p != tc.want {
			t.Errorf("ParsePath(%q, %v) = %v, %v; want %v", tc.name, tc.sigma, p, err, tc.want)
		}
		if p.Name() != strings.ToLower(strings.TrimSpace(tc.name)) {
			t.Errorf("ParsePath(%q).Name() = %q", tc.name, p.Name())
		}
	}
}

func FuzzParsePath(f *testing.F) {
	f.Add("linear", 0.0)
	f.Add("ot", 0.5)
	f.Add("OT ", -1.0)
	f.Add(strings.Repeat("ot", 1<<16), 1e308) // size bomb
	f.Fuzz(func(t *testing.T, name string, sigma float64) {
		p, err := ParsePath(name, sigma)
		if err != nil {
			return
		}
		if math.IsNaN(sigma) || sigma < 0 {
			t.Fatalf("ParsePath(%q, %v) accepted a bad sigma", name, sigma)
		}
		// A parsed path parses again by its own name.
		q, err := ParsePath(p.Name(), sigma)
		if err != nil || q != p {
			t.Fatalf("round trip of %v: %v, %v", p, q, err)
		}
	})
}
