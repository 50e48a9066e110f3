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
			q := randomRotation(d, rng)
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

// TestTopEigenMatchesGonum compares topEigen with gonum's EigenSym on
// symmetric matrices with a known spectrum: well separated, a cluster
// right after the wanted pairs, a repeated top eigenvalue, low rank, and
// small enough to go to Jacobi directly. Eigenvectors are compared only
// where their eigenvalue is simple.
func TestTopEigenMatchesGonum(t *testing.T) {
	cases := []struct {
		name   string
		lambda []float64
		k      int
		tol    float64 // on eigenvalues, relative to the largest
		cosMin float64 // |cos| of a simple eigenvalue's vector with gonum's
	}{
		{"separated d40", geometric(40, 10, 0.7), 3, 1e-10, 1 - 1e-9},
		{"cluster after k", append([]float64{5, 4, 1, 0.99, 0.98, 0.97, 0.96, 0.95, 0.94}, geometric(31, 0.9, 0.9)...), 2, 1e-10, 1 - 1e-9},
		{"repeated top", append([]float64{3, 3, 1}, geometric(47, 0.5, 0.8)...), 3, 1e-10, 1 - 1e-9},
		{"rank 4 of d60", append([]float64{8, 6, 2, 1}, make([]float64, 56)...), 4, 1e-10, 1 - 1e-9},
		{"d6 by Jacobi", []float64{4, -1, 2.5, 0.5, 3, 1}, 3, 1e-12, 1 - 1e-10},
		{"zero", make([]float64, 20), 2, 0, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := len(c.lambda)
			a := withSpectrum(c.lambda, rand.New(rand.NewPCG(3, uint64(d))))
			vals, vecs, err := topEigen(a, d, c.k)
			if err != nil {
				t.Fatal(err)
			}
			var es mat.EigenSym
			if !es.Factorize(mat.NewSymDense(d, append([]float64(nil), a...)), true) {
				t.Fatal("gonum's EigenSym failed")
			}
			want := es.Values(nil) // rising
			var wv mat.Dense
			es.VectorsTo(&wv)
			top := math.Abs(want[d-1])
			for i := range c.k {
				if got := vals[i]; math.Abs(got-want[d-1-i]) > c.tol*top {
					t.Errorf("λ%d = %.15g, want %.15g", i, got, want[d-1-i])
				}
				if n := math.Sqrt(dot(vecs[i], vecs[i])); math.Abs(n-1) > 1e-12 {
					t.Errorf("|v%d| = %v", i, n)
				}
				simple := true
				for j := range d {
					if j != d-1-i && math.Abs(want[j]-want[d-1-i]) < 1e-6*top {
						simple = false
					}
				}
				if !simple || top == 0 {
					continue
				}
				var cos float64
				for j := range d {
					cos += vecs[i][j] * wv.At(j, d-1-i)
				}
				if math.Abs(cos) < c.cosMin {
					t.Errorf("v%d: |cos| with gonum's %.12f", i, math.Abs(cos))
				}
			}
			// The vectors are orthonormal, repeated eigenvalue or not.
			for i := range c.k {
				for j := range i {
					if x := dot(vecs[i], vecs[j]); math.Abs(x) > 1e-10 {
						t.Errorf("v%d·v%d = %g", i, j, x)
					}
				}
			}
		})
	}
}

// TestPCAMatchesSVD checks FitPCA on digit images against the singular
// value decomposition of the centred data: variance σ_k²/(n − 1) and
// component V_k, up to sign.
func TestPCAMatchesSVD(t *testing.T) {
	for _, target := range []string{"digits8", "digits"} {
		data, err := Target(target)
		if err != nil {
			t.Fatal(err)
		}
		n, d := 600, data.Dim()
		x := make([]float32, n*d)
		data.Sample(rand.New(rand.NewPCG(5, 5)), x, make([]int, n))
		p, err := FitPCA(x, d, 2)
		if err != nil {
			t.Fatal(err)
		}
		cm := mat.NewDense(n, d, nil)
		for i := range n {
			for j := range d {
				cm.Set(i, j, float64(x[i*d+j])-p.Mean[j])
			}
		}
		var svd mat.SVD
		if !svd.Factorize(cm, mat.SVDThinV) {
			t.Fatal("SVD failed")
		}
		sv := svd.Values(nil)
		var v mat.Dense
		svd.VTo(&v)
		for k := range 2 {
			want := sv[k] * sv[k] / float64(n-1)
			if math.Abs(p.Variance[k]-want) > 1e-9*want {
				t.Errorf("%s: variance %d = %.12g, want %.12g", target, k, p.Variance[k], want)
			}
			var cos float64
			for j := range d {
				cos += p.Components[k][j] * v.At(j, k)
			}
			if math.Abs(cos) < 1-1e-8 {
				t.Errorf("%s: component %d: |cos| with the SVD's %.12f", target, k, math.Abs(cos))
			}
		}
	}
}

// geometric is n values a, a·r, a·r², ….
func geometric(n int, a, r float64) []float64 {
	s := make([]float64, n)
	for i := range s {
		s[i] = a
		a *= r
	}
	return s
}

// randomRotation is the Q of the QR factorisation of a d × d matrix of
// standard normal draws: a random orthogonal matrix.
func randomRotation(d int, rng *rand.Rand) *mat.Dense {
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
	return &q
}

// withSpectrum returns Q·diag(λ)·Qᵀ (row-major) for a random rotation Q.
func withSpectrum(lambda []float64, rng *rand.Rand) []float64 {
	d := len(lambda)
	q := randomRotation(d, rng)
	a := make([]float64, d*d)
	for i := range d {
		for j := range d {
			var s float64
			for l := range d {
				s += q.At(i, l) * lambda[l] * q.At(j, l)
			}
			a[i*d+j] = s
		}
	}
	for i := range d { // exactly symmetric
		for j := range i {
			a[i*d+j] = a[j*d+i]
		}
	}
	return a
}
