package flow

import (
	"math"
	"math/rand/v2"
	"testing"
)

// sampleMix draws n points of a mixture.
func sampleMix(m Mixture, rng *rand.Rand, n int) []Vec {
	cum := make([]float64, len(m))
	s := 0.0
	for i, k := range m {
		s += k.Weight
		cum[i] = s
	}
	out := make([]Vec, n)
	for i := range out {
		u := rng.Float64() * s
		j := 0
		for j < len(m)-1 && u > cum[j] {
			j++
		}
		k := m[j]
		out[i] = Vec{k.Mean[0] + k.Std*rng.NormFloat64(), k.Mean[1] + k.Std*rng.NormFloat64()}
	}
	return out
}

// TestMixtureMonteCarlo checks the closed-form density, posterior means,
// velocity and score against Monte-Carlo estimates that use only draws of
// the target: with x1_j ~ p1 and the kernel κ_j = N(x; α·x1_j, σ²s0²·I),
//
//	p_t(x) ≈ mean_j κ_j,   E[x1 | x] ≈ Σ_j κ_j·x1_j / Σ_j κ_j,
//
// and the velocity and score follow from E[x1 | x] (x̂0 = (x − α·x̂1)/σ).
// The tolerance is a few Monte-Carlo standard errors of 400k draws.
func TestMixtureMonteCarlo(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	draws := sampleMix(testMix, rng, 400_000)
	for _, s := range []Scheduler{CondOTScheduler{}, VPScheduler{}, VEScheduler{SigmaMin: 0.5, SigmaMax: 4}, CosineScheduler{}} {
		const s0 = 1.0
		f := &MixtureField{Sched: s, Mix: testMix, SourceStd: s0}
		for _, tt := range []float64{0.2, 0.5, 0.8} {
			c := s.At(tt)
			for _, x := range []Vec{{1, 0.5}, {-0.5, 1}, {0.2, -1}} {
				v := c.Sigma * c.Sigma * s0 * s0
				var ksum float64
				var e1 Vec
				for _, x1 := range draws {
					k := math.Exp(-sqDist(x, x1, c.Alpha)/(2*v)) / (2 * math.Pi * v)
					ksum += k
					e1[0] += k * x1[0]
					e1[1] += k * x1[1]
				}
				pMC := ksum / float64(len(draws))
				e1 = Vec{e1[0] / ksum, e1[1] / ksum}
				if p := math.Exp(f.LogDensity(x, tt)); math.Abs(p-pMC) > 0.02*pMC+1e-4 {
					t.Errorf("%s t=%v x=%v: density %v, Monte Carlo %v", s.Name(), tt, x, p, pMC)
				}
				got := make([]Vec, 1)
				f.Predict(Data, got, []Vec{x}, tt)
				if !near(got[0], e1, 0.03) {
					t.Errorf("%s t=%v x=%v: E[x1|x] %v, Monte Carlo %v", s.Name(), tt, x, got[0], e1)
				}
				e0 := Vec{(x[0] - c.Alpha*e1[0]) / c.Sigma, (x[1] - c.Alpha*e1[1]) / c.Sigma}
				uMC := Vec{c.DAlpha*e1[0] + c.DSigma*e0[0], c.DAlpha*e1[1] + c.DSigma*e0[1]}
				f.Velocity(got, []Vec{x}, tt)
				if !near(got[0], uMC, 0.03*math.Max(1, math.Abs(c.DSigma))) {
					t.Errorf("%s t=%v x=%v: velocity %v, Monte Carlo %v", s.Name(), tt, x, got[0], uMC)
				}
				sMC := Vec{-e0[0] / (c.Sigma * s0 * s0), -e0[1] / (c.Sigma * s0 * s0)}
				f.Score(got, []Vec{x}, tt)
				if !near(got[0], sMC, 0.03*math.Max(1, math.Abs(c.Alpha/(c.Sigma*c.Sigma)))) {
					t.Errorf("%s t=%v x=%v: score %v, Monte Carlo %v", s.Name(), tt, x, got[0], sMC)
				}
			}
		}
	}
}

// TestMixtureScoreIsGradient checks the score against central differences of
// the log-density, for the mixture and for the point-set Marginal.
func TestMixtureScoreIsGradient(t *testing.T) {
	const h = 1e-5
	pts := []Vec{{1, 2}, {-1, 0}, {0.5, -1.5}, {2, 2}}
	for _, s := range testSchedulers {
		mf := &MixtureField{Sched: s, Mix: testMix, SourceStd: 1.2}
		mg := &Marginal{Path: GaussianPath{s}, Targets: pts, SourceStd: 1.2}
		type scorer interface {
			Score(dst, x []Vec, t float64)
			LogDensity(x Vec, t float64) float64
		}
		for _, f := range []scorer{mf, mg} {
			for _, tt := range []float64{0.1, 0.5, 0.9} {
				for _, x := range []Vec{{0.3, 0.4}, {-1, 1}, {1.5, -0.5}} {
					got := make([]Vec, 1)
					f.Score(got, []Vec{x}, tt)
					var fd Vec
					for d := range 2 {
						lo, hi := x, x
						lo[d] -= h
						hi[d] += h
						fd[d] = (f.LogDensity(hi, tt) - f.LogDensity(lo, tt)) / (2 * h)
					}
					if !near(got[0], fd, 1e-5*math.Max(1, math.Hypot(fd[0], fd[1]))) {
						t.Errorf("%s %T t=%v x=%v: score %v, gradient of log p %v", s.Name(), f, tt, x, got[0], fd)
					}
				}
			}
		}
	}
}

// TestMixtureDensityIntegrates checks ∫p_t = 1 by a midpoint sum on a grid.
func TestMixtureDensityIntegrates(t *testing.T) {
	for _, s := range []Scheduler{CondOTScheduler{}, VPScheduler{}, PolyScheduler{N: 3}} {
		f := &MixtureField{Sched: s, Mix: testMix}
		for _, tt := range []float64{0, 0.5, 0.95} {
			const n, lim = 240, 8.0
			h := 2 * lim / n
			sum := 0.0
			for i := range n {
				for j := range n {
					x := Vec{-lim + (float64(i)+0.5)*h, -lim + (float64(j)+0.5)*h}
					sum += math.Exp(f.LogDensity(x, tt)) * h * h
				}
			}
			if math.Abs(sum-1) > 2e-3 {
				t.Errorf("%s t=%v: ∫p_t = %v", s.Name(), tt, sum)
			}
		}
	}
}

// TestPointMixtureIsMarginal checks that point masses reproduce the
// point-set Marginal, including the nearest-target rule at σ = 0.
func TestPointMixtureIsMarginal(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	pts := make([]Vec, 30)
	for i := range pts {
		pts[i] = Vec{2 * rng.NormFloat64(), 2 * rng.NormFloat64()}
	}
	x := make([]Vec, 20)
	for i := range x {
		x[i] = Vec{2 * rng.NormFloat64(), 2 * rng.NormFloat64()}
	}
	for _, s := range testSchedulers {
		mf := &MixtureField{Sched: s, Mix: PointMixture(pts), SourceStd: 0.8}
		mg := &Marginal{Path: GaussianPath{s}, Targets: pts, SourceStd: 0.8}
		a, b := make([]Vec, len(x)), make([]Vec, len(x))
		for _, tt := range []float64{0, 0.3, 0.9, 1} {
			mf.Velocity(a, x, tt)
			mg.Velocity(b, x, tt)
			for i := range x {
				if !near(a[i], b[i], 1e-9*math.Max(1, math.Hypot(b[i][0], b[i][1]))) {
					t.Errorf("%s t=%v x=%v: mixture %v, Marginal %v", s.Name(), tt, x[i], a[i], b[i])
				}
			}
		}
	}
}

// TestResponsibilities checks they sum to 1 and follow the nearest
// component at σ = 0.
func TestResponsibilities(t *testing.T) {
	f := &MixtureField{Sched: CondOTScheduler{}, Mix: PointMixture([]Vec{{0, 0}, {3, 0}})}
	r := make([]float64, 2)
	f.Responsibilities(Vec{2, 0}, 1, r)
	if r[0] != 0 || r[1] != 1 {
		t.Errorf("at σ = 0: %v, want [0 1]", r)
	}
	f.Responsibilities(Vec{0.75, 0}, 0.5, r)
	if math.Abs(r[0]-0.5) > 1e-12 || math.Abs(r[0]+r[1]-1) > 1e-12 {
		t.Errorf("midway: %v, want [0.5 0.5]", r)
	}
}

// BenchmarkMixtureField is the exact velocity and log-density of an
// 8-Gaussian mixture at 1,000 points.
func BenchmarkMixtureField(b *testing.B) {
	var mix Mixture
	for k := range 8 {
		a := float64(k) * math.Pi / 4
		mix = append(mix, Component{Weight: 1, Mean: Vec{5 * math.Cos(a), 5 * math.Sin(a)}, Std: 0.5})
	}
	f := &MixtureField{Sched: CondOTScheduler{}, Mix: mix}
	rng := rand.New(rand.NewPCG(1, 2))
	x := make([]Vec, 1000)
	for i := range x {
		x[i] = Vec{4 * rng.NormFloat64(), 4 * rng.NormFloat64()}
	}
	dst := make([]Vec, len(x))
	b.Run("velocity", func(b *testing.B) {
		for b.Loop() {
			f.Velocity(dst, x, 0.6)
		}
	})
	b.Run("logdensity", func(b *testing.B) {
		for b.Loop() {
			for _, p := range x {
				f.LogDensity(p, 0.6)
			}
		}
	})
}
