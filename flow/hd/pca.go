package hd

import (
	"errors"
	"fmt"

	"gonum.org/v1/gonum/mat"
)

// PCA is the data's first principal components: the directions of largest
// variance, from the SVD of the centred data X − μ = U·Σ·Vᵀ. Component k is
// column k of V and holds variance σ_k²/(n − 1).
type PCA struct {
	Dim        int
	Mean       []float64   // μ, Dim long
	Components [][]float64 // unit vectors, Dim long each, by falling variance
	Variance   []float64   // variance along each component
	Total      float64     // total variance, the trace of the covariance
}

// FitPCA computes the first k principal components of the n rows of x
// (n × d, row-major), n ≥ 2.
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
	c := mat.NewDense(n, d, nil)
	for i := range n {
		for j, v := range x[i*d : (i+1)*d] {
			dv := float64(v) - p.Mean[j]
			c.Set(i, j, dv)
			p.Total += dv * dv
		}
	}
	p.Total /= float64(n - 1)
	var svd mat.SVD
	if !svd.Factorize(c, mat.SVDThinV) {
		return nil, errors.New("hd: PCA: the SVD did not converge")
	}
	sv := svd.Values(nil)
	var v mat.Dense
	svd.VTo(&v)
	for c := range k {
		p.Variance = append(p.Variance, sv[c]*sv[c]/float64(n-1))
		p.Components = append(p.Components, mat.Col(nil, c, &v))
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
