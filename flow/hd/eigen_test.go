package hd

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
)

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

// withSpectrum returns Q·diag(λ)·Qᵀ (row-major) for a random rotation Q.
func withSpectrum(lambda []float64, rng *rand.Rand) []float64 {
	d := len(lambda)
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
