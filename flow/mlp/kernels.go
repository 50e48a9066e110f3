package mlp

import (
	"fmt"
	"math"
)

// The kernels every pass is made of: a matrix product, an activation that
// also yields its derivative, an elementwise product, and the Adam update.
// Each has a portable Go version here and, where the CPU allows, assembly
// versions (kernels_amd64.s, kernels_avx512_amd64.s). The package variable
// kernels selects among them; tests switch it to check that every set gives
// the same results.

// kernelSet names one implementation of the kernels.
type kernelSet int

const (
	kernelsGo     kernelSet = iota // portable Go
	kernelsAVX2                    // AVX2+FMA assembly
	kernelsAVX512                  // as AVX2, with 512-bit matrix and activation kernels
)

func (k kernelSet) String() string {
	return [...]string{"go", "avx2", "avx512"}[k]
}

// kernels is the set in use: the best this CPU runs, unless a test picks
// another.
var kernels = bestKernels

// Kernels names the kernel set in use ("avx512", "avx2" or "go"), for
// benchmark reports.
func Kernels() string { return kernels.String() }

// asm reports whether the AVX2 assembly kernels are in use.
func asm() bool { return kernels >= kernelsAVX2 }

// Block sizes of the matrix kernel: it computes C in tiles of gemmRows rows
// by 16 (or, for the last tile, 8) columns, so callers pad m to a multiple of
// gemmRows and n to a multiple of gemmCols.
const (
	gemmRows = 6
	gemmCols = 8
)

// gemm computes C = A·B, overwriting the m×n block of C (row-major, row
// stride ldc), where B is k×n row-major with row stride ldb and
//
//	A(i, p) = a[i*ars + p*acs],
//
// so one kernel serves both H·W (ars = row stride, acs = 1) and Hᵀ·dZ
// (ars = 1, acs = row stride). m must be a multiple of gemmRows, n of
// gemmCols, and k ≥ 1.
func gemm(m, n, k int, a []float32, ars, acs int, b []float32, ldb int, c []float32, ldc int) {
	if m%gemmRows != 0 || n%gemmCols != 0 || k < 1 || m < 1 || n < 1 {
		panic(fmt.Sprintf("mlp: gemm shape %d×%d×%d not padded", m, n, k))
	}
	// Check the last element each operand is read or written at, so that the
	// assembly kernel (which has no bounds checks) cannot stray.
	if last := (m-1)*ars + (k-1)*acs; last >= len(a) {
		panic(fmt.Sprintf("mlp: gemm A needs %d elements, has %d", last+1, len(a)))
	}
	if last := (k-1)*ldb + n - 1; last >= len(b) {
		panic(fmt.Sprintf("mlp: gemm B needs %d elements, has %d", last+1, len(b)))
	}
	if last := (m-1)*ldc + n - 1; last >= len(c) {
		panic(fmt.Sprintf("mlp: gemm C needs %d elements, has %d", last+1, len(c)))
	}
	switch kernels {
	case kernelsAVX512:
		gemm512Asm(m, n, k, &a[0], ars, acs, &b[0], ldb, &c[0], ldc)
		return
	case kernelsAVX2:
		gemmAsm(m, n, k, &a[0], ars, acs, &b[0], ldb, &c[0], ldc)
		return
	}
	gemmGo(m, n, k, a, ars, acs, b, ldb, c, ldc)
}

// gemmGo is the portable gemm: for each row i, c_i = Σ_p A(i,p)·b_p, three
// rows at a time so each loaded element of B serves three products. (Every
// row is sliced to the same length, which removes the bounds checks from
// the inner loop; a register tile as in the assembly spills in Go and runs
// slower.)
func gemmGo(m, n, k int, a []float32, ars, acs int, b []float32, ldb int, c []float32, ldc int) {
	for i := 0; i < m; i += 3 {
		c0 := c[i*ldc : i*ldc+n]
		c1 := c[(i+1)*ldc : (i+1)*ldc+n]
		c2 := c[(i+2)*ldc : (i+2)*ldc+n]
		clear(c0)
		clear(c1)
		clear(c2)
		for p := range k {
			a0, a1, a2 := a[i*ars+p*acs], a[(i+1)*ars+p*acs], a[(i+2)*ars+p*acs]
			bp := b[p*ldb : p*ldb+n]
			c0, c1, c2 := c0[:len(bp)], c1[:len(bp)], c2[:len(bp)]
			for j, bv := range bp {
				c0[j] += a0 * bv
				c1[j] += a1 * bv
				c2[j] += a2 * bv
			}
		}
	}
}

// activate applies act in place to the rows×n block z (row stride ld),
// z ← f(z), and, if d is not nil, writes f'(z) into d (same layout). n must
// be a multiple of gemmCols.
func activate(act Activation, z, d []float32, rows, n, ld int) {
	if rows == 0 {
		return
	}
	if n%gemmCols != 0 {
		panic(fmt.Sprintf("mlp: activate width %d not padded", n))
	}
	last := (rows-1)*ld + n - 1
	if last >= len(z) || (d != nil && last >= len(d)) {
		panic("mlp: activate buffer too short")
	}
	if asm() {
		var dp *float32
		if d != nil {
			dp = &d[0]
		}
		if kernels == kernelsAVX512 {
			activate512Asm(int(act), &z[0], dp, rows, n, ld, &actConsts)
		} else {
			activateAsm(int(act), &z[0], dp, rows, n, ld, &actConsts)
		}
		return
	}
	activateGo(act, z, d, rows, n, ld)
}

// SELU constants (Klambauer et al. 2017).
const (
	seluLambda = 1.0507009873554805
	seluAlpha  = 1.6732632423543772
)

// Range of the argument of expf: eˣ for x in [-87, 88] stays a normal float32
// after the 2ⁿ scaling below, and beyond it the activations have saturated.
const (
	expMin = -87
	expMax = 88
	// tanh z = 1 − 2/(e²ᶻ + 1) equals ±1 in float32 beyond |z| = 9.
	tanhMax = 9
)

// ln 2 split so that n·ln2Hi is exact for |n| ≤ 128 (Cody–Waite reduction).
const (
	ln2Hi = 0.693359375
	ln2Lo = -2.12194440e-4
)

// expf is eˣ in float32 arithmetic, the algorithm the assembly uses too:
// eˣ = 2ⁿ·eʳ with n = round(x·log₂e) and r = x − n·ln 2 ∈ [−ln2/2, ln2/2],
// eʳ by its Taylor polynomial to degree 6 (remainder < r⁷/7! ≈ 1.2e−7), and 2ⁿ
// applied by adding n to the exponent bits.
func expf(x float32) float32 {
	x = min(max(x, expMin), expMax)
	n := float32(math.RoundToEven(float64(x * math.Log2E)))
	r := x - n*ln2Hi
	r -= n * ln2Lo
	p := float32(1.0 / 720)
	p = p*r + 1.0/120
	p = p*r + 1.0/24
	p = p*r + 1.0/6
	p = p*r + 0.5
	p = p*r + 1
	p = p*r + 1
	return math.Float32frombits(math.Float32bits(p) + uint32(int32(n))<<23)
}

// activateGo is the portable activate; the formulas are those of the
// assembly version.
func activateGo(act Activation, z, d []float32, rows, n, ld int) {
	for r := range rows {
		zr := z[r*ld : r*ld+n]
		var dr []float32
		if d != nil {
			dr = d[r*ld : r*ld+n]
		}
		for j, v := range zr {
			var h, dh float32
			switch act {
			case SiLU:
				// s = σ(z) = 1/(1 + e⁻ᶻ), h = z·s, h' = s + h·(1 − s),
				// where 1 − s = e⁻ᶻ·s avoids cancellation as s → 1.
				e := expf(-v)
				s := 1 / (1 + e)
				h = v * s
				dh = s + h*(e*s)
			case SELU:
				// h = λz, h' = λ for z > 0; h = λα(eᶻ − 1), h' = λα·eᶻ otherwise
				if v > 0 {
					h, dh = seluLambda*v, seluLambda
				} else {
					e := expf(v)
					dh = seluLambda * seluAlpha * e
					h = dh - seluLambda*seluAlpha
				}
			case Tanh:
				// h = 1 − 2/(e²ᶻ + 1), h' = 1 − h²
				e := expf(2 * min(max(v, -tanhMax), tanhMax))
				h = 1 - 2/(e+1)
				dh = 1 - h*h
			case ReLU:
				if v > 0 {
					h, dh = v, 1
				}
			}
			zr[j] = h
			if dr != nil {
				dr[j] = dh
			}
		}
	}
}

// mulInto sets dst[i] *= src[i] over len(dst) elements (a multiple of
// gemmCols); the chain rule's dZ = dH ⊙ f'(Z).
func mulInto(dst, src []float32) {
	if len(dst)%gemmCols != 0 || len(src) < len(dst) {
		panic("mlp: mulInto length not padded")
	}
	if len(dst) == 0 {
		return
	}
	if asm() {
		mulAsm(&dst[0], &src[0], len(dst))
		return
	}
	for i := range dst {
		dst[i] *= src[i]
	}
}

// actConsts are the constants the assembly activation reads, each repeated
// across the 8 lanes of a vector register. The order is fixed by the
// offsets in kernels_amd64.s.
var actConsts = [numActConsts][8]float32{
	splat(expMax),
	splat(expMin),
	splat(math.Log2E),
	splat(ln2Hi),
	splat(ln2Lo),
	splat(1.0 / 720),
	splat(1.0 / 120),
	splat(1.0 / 24),
	splat(1.0 / 6),
	splat(0.5),
	splat(1),
	splat(seluLambda),
	splat(seluLambda * seluAlpha),
	splat(tanhMax),
	splat(-tanhMax),
	splat(2),
}

func splat(v float32) [8]float32 { return [8]float32{v, v, v, v, v, v, v, v} }

const numActConsts = 16
