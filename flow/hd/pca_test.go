package hd

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// TestPCAKnownCovariance draws from N(μ, Q·diag(λ)·Qᵀ) with a random
// rotation Q and checks the components against Q's first columns and the
// variances and fraction against λ, within sampling error.
func TestPCAKnownCovariance(t *testing.T) {
	cases := []struct {
		name   string
		lambda []float64
		n      int
		tol    float64 // relative tolerance of variances and fraction
		cosMin float64 // |cos| between found and true component
	}{
		{"d5 well separated", []float64{9, 4, 1, 0.5, 0.25}, 20000, 0.05, 0.995},
		{"d64 image-like", append([]float64{6, 3}, repeat(0.1, 62)...), 20000, 0.05, 0.99},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := len(c.lambda)
			rng := rand.New(rand.NewPCG(1, uint64(d)))
			g := mat.NewDense(d, d, nil)
			for i := range d {
				for j := range d {
					g.Set(i, j, rng.NormFloat64())
				}
			}
			var qr mat.QR
			qr.Factorize(g)
			var q mat.Dense
			qr.QTo(&q)
			mu := make([]float64, d)
			for j := range mu {
				mu[j] = float64(j) - 2
			}
			x := make([]float32, c.n*d)
			z := make([]float64, d)
			for i := range c.n {
				for j := range z {
					z[j] = rng.NormFloat64() * math.Sqrt(c.lambda[j])
				}
				for r := range d {
					s := mu[r]
					for j := range d {
						s += q.At(r, j) * z[j]
					}
					x[i*d+r] = float32(s)
				}
			}
			p, err := FitPCA(x, d, 2)
			if err != nil {
				t.Fatal(err)
			}
			var total float64
			for _, l := range c.lambda {
				total += l
			}
			for k := range 2 {
				if rel := math.Abs(p.Variance[k]-c.lambda[k]) / c.lambda[k]; rel > c.tol {
					t.Errorf("variance %d: %.3f, want %.3f", k, p.Variance[k], c.lambda[k])
				}
				var cos float64
				for j := range d {
					cos += p.Components[k][j] * q.At(j, k)
				}
				if math.Abs(cos) < c.cosMin {
					t.Errorf("component %d: |cos| with the true axis %.4f, want ≥ %v", k, math.Abs(cos), c.cosMin)
				}
			}
			want := (c.lambda[0] + c.lambda[1]) / total
			if got := p.Fraction(); math.Abs(got-want)/want > c.tol {
				t.Errorf("fraction %.4f, want %.4f", got, want)
			}
			for j := range d {
				if math.Abs(p.Mean[j]-mu[j]) > 0.1 {
					t.Errorf("mean %d: %.3f, want %.3f", j, p.Mean[j], mu[j])
				}
			}
			// Projecting the mean gives the origin; μ + 2·V₀ gives (±2, 0).
			pt := make([]float32, 2*d)
			for j := range d {
				pt[j] = float32(p.Mean[j])
				pt[d+j] = float32(p.Mean[j] + 2*p.Components[0][j])
			}
			got := make([]float32, 4)
			p.Project(got, pt)
			if math.Abs(float64(got[0])) > 1e-4 || math.Abs(float64(got[1])) > 1e-4 ||
				math.Abs(float64(got[2])-2) > 1e-4 || math.Abs(float64(got[3])) > 1e-4 {
				t.Errorf("projections %v, want [0 0 2 0]", got)
			}
		})
	}
}

func repeat(v float64, n int) []float64 {
	s := make([]float64, n)
	for i := range s {
		s[i] = v
	}
	return s
}

func TestPCARejects(t *testing.T) {
	for _, c := range []struct {
		n, d, k int
	}{{1, 3, 1}, {4, 3, 0}, {4, 3, 4}, {2, 3, 3}, {4, 0, 1}} {
		if _, err := FitPCA(make([]float32, c.n*c.d), c.d, c.k); err == nil {
			t.Errorf("FitPCA accepted %d rows of %d for %d components", c.n, c.d, c.k)
		}
	}
	// Digits: two components of the 8 × 8 images hold a real share.
	data, err := Target("digits8")
	if err != nil {
		t.Fatal(err)
	}
	x := make([]float32, 1000*64)
	data.Sample(rand.New(rand.NewPCG(1, 1)), x, make([]int, 1000))
	p, err := FitPCA(x, 64, 2)
	if err != nil {
		t.Fatal(err)
	}
	if f := p.Fraction(); !(f > 0.05 && f < 0.6) {
		t.Errorf("digits8: two components hold %.3f of the variance", f)
	}
}
