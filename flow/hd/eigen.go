package hd

import (
	"errors"
	"math"
	"math/rand/v2"
	"sort"
)

// topEigen returns the k largest eigenvalues of the symmetric positive
// semidefinite d × d matrix c (row-major; a covariance), falling, and their
// unit eigenvectors.
//
// Orthogonal iteration with Rayleigh–Ritz: a block V of p = k + 6
// orthonormal vectors is multiplied by C, the small p × p matrix
// H = Vᵀ·C·V is diagonalised (H = Y·Θ·Yᵀ, by Jacobi), and the Ritz vectors
// U = V·Y carry the estimates θ_i. The block C·U, orthonormalised, is the
// next V. The error in U_i shrinks as (λ_{p+1}/λ_i) per step, so the spare
// vectors make it quick even when λ_k and λ_{k+1} are close. It stops when
// every wanted pair has ‖C·u_i − θ_i·u_i‖ ≤ 1e-10·θ_1.
//
// A small matrix (d ≤ p) is diagonalised by Jacobi directly.
func topEigen(c []float64, d, k int) (vals []float64, vecs [][]float64, err error) {
	p := min(d, k+6)
	if p == d {
		vals, y := jacobiEigen(c, d)
		for i := range k {
			vecs = append(vecs, column(y, d, i))
		}
		return vals[:k], vecs, nil
	}
	rng := rand.New(rand.NewPCG(1, uint64(d)))
	v := make([][]float64, p)
	for j := range v {
		v[j] = make([]float64, d)
		for i := range v[j] {
			v[j][i] = rng.NormFloat64()
		}
	}
	orthonormalize(v, rng)
	w := make([][]float64, p)
	u := make([][]float64, p)
	cu := make([][]float64, p)
	for j := range w {
		w[j], u[j], cu[j] = make([]float64, d), make([]float64, d), make([]float64, d)
	}
	h := make([]float64, p*p)
	const maxSteps = 5000
	for range maxSteps {
		for j := range v {
			symMul(w[j], c, v[j])
		}
		for a := range p {
			for b := a; b < p; b++ {
				// Hᵃᵇ = vₐ·C·v_b, averaged with H_ba against rounding.
				h[a*p+b] = 0.5 * (dot(v[a], w[b]) + dot(v[b], w[a]))
				h[b*p+a] = h[a*p+b]
			}
		}
		theta, y := jacobiEigen(h, p)
		// U = V·Y and C·U = W·Y.
		for i := range p {
			clear(u[i])
			clear(cu[i])
			for j := range p {
				yji := y[j*p+i]
				axpy(u[i], yji, v[j])
				axpy(cu[i], yji, w[j])
			}
		}
		scale := math.Abs(theta[0])
		done := true
		for i := range k {
			var r2 float64
			for t, x := range cu[i] {
				e := x - theta[i]*u[i][t]
				r2 += e * e
			}
			if math.Sqrt(r2) > 1e-10*scale {
				done = false
				break
			}
		}
		if done || scale == 0 {
			for i := range k {
				vecs = append(vecs, append([]float64(nil), u[i]...))
			}
			return theta[:k], vecs, nil
		}
		v, cu = cu, v
		orthonormalize(v, rng)
	}
	return nil, nil, errors.New("the eigenvectors did not settle")
}

// jacobiEigen diagonalises the symmetric m × m matrix a (row-major; not
// changed) by cyclic Jacobi rotations: each rotation J in the (p, q) plane
// sets a'_pq = 0 in a' = Jᵀ·a·J, and the product of the J is the
// eigenvector matrix. It returns the eigenvalues falling and the
// eigenvectors as the columns of y (row-major), in the same order.
func jacobiEigen(a []float64, m int) (vals, y []float64) {
	a = append([]float64(nil), a...)
	v := make([]float64, m*m)
	for i := range m {
		v[i*m+i] = 1
	}
	for range 100 {
		var off, all float64
		for i := range m {
			for j := range m {
				x := a[i*m+j] * a[i*m+j]
				all += x
				if i != j {
					off += x
				}
			}
		}
		if off <= 1e-30*all || all == 0 {
			break
		}
		for p := range m - 1 {
			for q := p + 1; q < m; q++ {
				apq := a[p*m+q]
				if apq == 0 {
					continue
				}
				// t = tan of the angle, the smaller root of
				// t² + 2θt − 1 = 0 with θ = (a_qq − a_pp)/(2·a_pq).
				theta := (a[q*m+q] - a[p*m+p]) / (2 * apq)
				var t float64
				if math.Abs(theta) > 1e150 {
					t = 1 / (2 * theta)
				} else {
					t = math.Copysign(1, theta) / (math.Abs(theta) + math.Sqrt(theta*theta+1))
				}
				c := 1 / math.Sqrt(t*t+1)
				s := t * c
				for r := range m { // a·J, and v·J
					arp, arq := a[r*m+p], a[r*m+q]
					a[r*m+p], a[r*m+q] = c*arp-s*arq, s*arp+c*arq
					vrp, vrq := v[r*m+p], v[r*m+q]
					v[r*m+p], v[r*m+q] = c*vrp-s*vrq, s*vrp+c*vrq
				}
				for r := range m { // Jᵀ·(a·J)
					apr, aqr := a[p*m+r], a[q*m+r]
					a[p*m+r], a[q*m+r] = c*apr-s*aqr, s*apr+c*aqr
				}
			}
		}
	}
	order := make([]int, m)
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(i, j int) bool { return a[order[i]*m+order[i]] > a[order[j]*m+order[j]] })
	vals = make([]float64, m)
	y = make([]float64, m*m)
	for col, i := range order {
		vals[col] = a[i*m+i]
		for r := range m {
			y[r*m+col] = v[r*m+i]
		}
	}
	return vals, y
}

// orthonormalize makes the vectors orthonormal in place by modified
// Gram–Schmidt, run twice so rounding leaves them orthogonal to working
// precision. A vector that falls into the span of the ones before it (the
// matrix has lower rank than the block) is replaced by a random one.
func orthonormalize(v [][]float64, rng *rand.Rand) {
	for j := 0; j < len(v); j++ {
		before := math.Sqrt(dot(v[j], v[j]))
		for range 2 {
			for i := range j {
				axpy(v[j], -dot(v[i], v[j]), v[i])
			}
		}
		n := math.Sqrt(dot(v[j], v[j]))
		if n <= 1e-12*before || n == 0 || math.IsNaN(n) {
			for i := range v[j] {
				v[j][i] = rng.NormFloat64()
			}
			j-- // orthogonalise the new vector again
			continue
		}
		for i := range v[j] {
			v[j][i] /= n
		}
	}
}

// symMul sets dst = c·x for the d × d matrix c (row-major).
func symMul(dst, c, x []float64) {
	d := len(x)
	for i := range dst {
		dst[i] = dot(c[i*d:(i+1)*d], x)
	}
}

func dot(a, b []float64) float64 {
	var s float64
	for i, x := range a {
		s += x * b[i]
	}
	return s
}

// axpy sets y += α·x.
func axpy(y []float64, alpha float64, x []float64) {
	for i, v := range x {
		y[i] += alpha * v
	}
}

// column returns column i of the m × m row-major matrix y.
func column(y []float64, m, i int) []float64 {
	c := make([]float64, m)
	for r := range m {
		c[r] = y[r*m+i]
	}
	return c
}
