package hd

import (
	"fmt"
	"math"
)

// PCA is the data's first principal components: the directions of largest
// variance, the leading eigenvectors of the sample covariance
// C = (X − μ)ᵀ(X − μ)/(n − 1). Component k holds variance λ_k, its
// eigenvalue.
type PCA struct {
	Dim        int
	Mean       []float64   // μ, Dim long
	Components [][]float64 // unit vectors, Dim long each, by falling variance
	Variance   []float64   // variance along each component
	Total      float64     // total variance, the trace of the covariance
}

// FitPCA computes the first k principal components of the n rows of x
// (n × d, row-major), n ≥ 2. Each component's sign is fixed so that its
// largest entry is positive, so the same data always gives the same view.
//
// It needs only the top few eigenpairs of the d × d covariance, which
// orthogonal iteration finds (eigen.go); gonum's SVD would do the same but
// brings its LAPACK into the browser's download, 0.8 MB gzipped.
func FitPCA(x []float32, d, k int) (*PCA, error) {
	if d < 1 || len(x)%d != 0 {
		return nil, fmt.Errorf("hd: PCA of %d values in rows of %d", len(x), d)
	}
	n := len(x) / d
	if n < 2 || k < 1 || k > min(n, d) {
		return nil, fmt.Errorf("hd: PCA of %d components from %d rows of %d", k, n, d)
	}
	p := &PCA{Dim: d, Mean: make([]float64, d)}
	for i := range n {
		for j, v := range x[i*d : (i+1)*d] {
			p.Mean[j] += float64(v)
		}
	}
	for j := range p.Mean {
		p.Mean[j] /= float64(n)
	}
	// C_ab = Σ_i (x_ia − μ_a)(x_ib − μ_b) / (n − 1), the upper triangle
	// accumulated row by row and mirrored.
	c := make([]float64, d*d)
	row := make([]float64, d)
	for i := range n {
		for j, v := range x[i*d : (i+1)*d] {
			row[j] = float64(v) - p.Mean[j]
		}
		for a, ra := range row {
			if ra == 0 {
				continue
			}
			ca := c[a*d : (a+1)*d]
			for b := a; b < d; b++ {
				ca[b] += ra * row[b]
			}
		}
	}
	for a := range d {
		for b := a; b < d; b++ {
			c[a*d+b] /= float64(n - 1)
			c[b*d+a] = c[a*d+b]
		}
		p.Total += c[a*d+a]
	}
	vals, vecs, err := topEigen(c, d, k)
	if err != nil {
		return nil, fmt.Errorf("hd: PCA: %w", err)
	}
	for i := range k {
		v := vecs[i]
		big := 0
		for j := range v {
			if math.Abs(v[j]) > math.Abs(v[big]) {
				big = j
			}
		}
		if v[big] < 0 {
			for j := range v {
				v[j] = -v[j]
			}
		}
		p.Variance = append(p.Variance, max(vals[i], 0))
		p.Components = append(p.Components, v)
	}
	return p, nil
}

// Fraction is the share of the total variance the components hold.
func (p *PCA) Fraction() float64 {
	if p.Total == 0 {
		return 0
	}
	var s float64
	for _, v := range p.Variance {
		s += v
	}
	return s / p.Total
}

// Project writes the coordinates of each row of x (n × Dim) on the
// components into dst (n × len(Components)): dst_ik = (x_i − μ)·V_k.
func (p *PCA) Project(dst, x []float32) {
	d, k := p.Dim, len(p.Components)
	if len(x)%d != 0 || len(dst) != len(x)/d*k {
		panic(fmt.Sprintf("hd: Project %d values of dimension %d into %d", len(x), d, len(dst)))
	}
	for i := range len(x) / d {
		row := x[i*d : (i+1)*d]
		for c, comp := range p.Components {
			var s float64
			for j, v := range row {
				s += (float64(v) - p.Mean[j]) * comp[j]
			}
			dst[i*k+c] = float32(s)
		}
	}
}
