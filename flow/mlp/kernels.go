package mlp

import (
	"fmt"
	"math"
	"os"
	"strings"
)

// The kernels every pass is made of: a matrix product, an activation that
// also yields its derivative, an elementwise product, and the Adam update.
// Each has a portable Go version (kernels_go.go) and, where the CPU allows, assembly
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

// kernels is the set in use: the best this CPU runs, unless the
// environment variable FLOWVIZ_KERNELS names another one it runs ("go" for
// the portable set the browser build uses, "avx2", "avx512"), or a test
// picks another.
var kernels = chooseKernels(os.Getenv("FLOWVIZ_KERNELS"), bestKernels)

// chooseKernels returns the set called name if it is at most best (a CPU
// that runs AVX-512 runs AVX2 too), else best: an unknown or unsupported
// name falls back to the fastest set rather than failing.
func chooseKernels(name string, best kernelSet) kernelSet {
	for k := kernelsGo; k <= best; k++ {
		if strings.EqualFold(strings.TrimSpace(name), k.String()) {
			return k
		}
	}
	return best
}

// Kernels names the kernel set in use ("avx512", "avx2", "go", or
// "go+simd128" where WebAssembly SIMD does the matrix products), for
// benchmark reports.
func Kernels() string {
	if kernels == kernelsGo && gemmVector != nil {
		return "go+simd128"
	}
	return kernels.String()
}

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
	if gemmVector != nil && gemmVector(m, n, k, a, ars, acs, b, ldb, c, ldc) {
		return
	}
	gemmGo(m, n, k, a, ars, acs, b, ldb, c, ldc)
}

// gemmVector is the portable set's vector matrix product where the platform
// has one (WebAssembly SIMD in a browser or Node: kernels_simd_js.go), or
// nil. It returns false when it cannot take a product, which gemmGo then
// computes.
var gemmVector func(m, n, k int, a []float32, ars, acs int, b []float32, ldb int, c []float32, ldc int) bool

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

// Range of the argument of the exponential: eˣ for x in [-87, 88] stays a normal float32
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
