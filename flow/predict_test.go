package flow

import (
	"math"
	"math/rand/v2"
	"testing"
)

// testMix is a lopsided three-component mixture with one point mass.
var testMix = Mixture{
	{Weight: 1, Mean: Vec{2, 0}, Std: 0.3},
	{Weight: 2, Mean: Vec{-1, 1.5}, Std: 0.6},
	{Weight: 0.5, Mean: Vec{0, -2}, Std: 0},
}

func TestParseTarget(t *testing.T) {
	for _, k := range []Target{Velocity, Noise, Data, Score} {
		if got, err := ParseTarget(k.String()); err != nil || got != k {
			t.Errorf("ParseTarget(%q) = %v, %v", k.String(), got, err)
		}
	}
	if _, err := ParseTarget("flux"); err == nil {
		t.Error("ParseTarget(flux) accepted")
	}
}

// TestConvertRoundTrip converts every target into every other and back, on
// every scheduler, and expects the identity.
func TestConvertRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for _, s := range testSchedulers {
		for _, s0 := range []float64{1, 0.5} {
			for from := range numTargets {
				for to := range numTargets {
					for range 5 {
						tt := 0.01 + 0.98*rng.Float64()
						x, y := gauss(rng), gauss(rng)
						there := Convert(from, to, s, tt, s0).Apply(x, y)
						back := Convert(to, from, s, tt, s0).Apply(x, there)
						if !near(back, y, 1e-9*math.Max(1, math.Hypot(there[0], there[1]))) {
							t.Errorf("%s s0=%v t=%.3f %v→%v→%v: %v came back as %v", s.Name(), s0, tt, from, to, from, y, back)
						}
					}
				}
			}
		}
	}
}

// TestConvertExact checks the conversions against the exact fields of a
// Gaussian-mixture target: converting the exact prediction of one target
// gives the exact prediction of every other, at random (x, t).
func TestConvertExact(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	for _, s := range testSchedulers {
		for _, s0 := range []float64{1, 1.5} {
			f := &MixtureField{Sched: s, Mix: testMix, SourceStd: s0}
			x := make([]Vec, 8)
			for i := range x {
				x[i] = Vec{3 * rng.NormFloat64(), 3 * rng.NormFloat64()}
			}
			pred := [numTargets][]Vec{}
			for _, tt := range []float64{0.02, 0.3, 0.6, 0.97} {
				for k := range numTargets {
					pred[k] = make([]Vec, len(x))
					f.Predict(k, pred[k], x, tt)
				}
				for from := range numTargets {
					for to := range numTargets {
						cv := Convert(from, to, s, tt, s0)
						for i := range x {
							got, want := cv.Apply(x[i], pred[from][i]), pred[to][i]
							if !near(got, want, 1e-7*math.Max(1, math.Hypot(want[0], want[1]))) {
								t.Errorf("%s s0=%v t=%v %v→%v at %v: %v, exact %v", s.Name(), s0, tt, from, to, x[i], got, want)
							}
						}
					}
				}
			}
		}
	}
}

// TestConvertClamped checks that the singular ends give finite values.
func TestConvertClamped(t *testing.T) {
	for _, s := range testSchedulers {
		for _, tt := range []float64{0, 1} {
			for from := range numTargets {
				for to := range numTargets {
					c := Convert(from, to, s, tt, 1)
					if !finite(c.X) || !finite(c.Y) {
						t.Errorf("%s t=%v %v→%v: %+v", s.Name(), tt, from, to, c)
					}
				}
			}
		}
	}
}

// TestTargetOf checks the regression targets: their average over the
// posterior is the marginal target, here on one pair by the definition.
func TestTargetOf(t *testing.T) {
	x0, x1 := Vec{0.5, -1}, Vec{2, 3}
	for _, s := range testSchedulers {
		c := s.At(0.4)
		v := TargetOf(Velocity, c, x0, x1, 1)
		_, dxt := GaussianPath{s}.Point(x0, x1, 0.4, Vec{})
		if !near(v, dxt, 1e-15) {
			t.Errorf("%s: velocity target %v, dxt %v", s.Name(), v, dxt)
		}
		if sc := TargetOf(Score, c, x0, x1, 2); !near(sc, Vec{-x0[0] / (4 * c.Sigma), -x0[1] / (4 * c.Sigma)}, 1e-12) {
			t.Errorf("%s: score target %v", s.Name(), sc)
		}
	}
}

// TestConvertedField checks the field adapter against the exact fields.
func TestConvertedField(t *testing.T) {
	s := VPScheduler{}
	exact := &MixtureField{Sched: s, Mix: testMix}
	noise := FieldFunc(func(dst, x []Vec, t float64) { exact.Predict(Noise, dst, x, t) })
	f := &ConvertedField{Pred: noise, From: Noise, To: Velocity, Sched: s}
	x := []Vec{{1, 1}, {-2, 0.5}}
	got, want := make([]Vec, 2), make([]Vec, 2)
	f.Velocity(got, x, 0.5)
	exact.Velocity(want, x, 0.5)
	for i := range x {
		if !near(got[i], want[i], 1e-9) {
			t.Errorf("at %v: %v, want %v", x[i], got[i], want[i])
		}
	}
}
