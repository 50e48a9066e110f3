package mlp

import "math"

// The portable kernels. WebAssembly (the browser build) runs these, since Go
// emits no SIMD there, and so does any CPU without AVX2+FMA. Go's compiler
// keeps a local variable in a register only while few are live: it
// schedules every product of a loop body before the sums that feed the next
// iteration, so a tile of more than about 8 accumulators spills to the
// stack. The matrix kernel (dot8) therefore holds one row by 8 columns of C
// in registers and unrolls its loop over p, which lets the sums of all but
// the last unrolled step go early.

// kcGo is the depth of one pass of gemmGo: an 8-column strip of B is
// copied kcGo rows at a time into a buffer on the stack.
const kcGo = 256

// row8 is one row of an 8-column strip of B, packed so that dot8 finds
// row p at b[p] and its elements at fixed offsets, with no bounds check in
// its loop.
type row8 struct{ b0, b1, b2, b3, b4, b5, b6, b7 float32 }

// gatherRows is how many strided rows of A gemmGo gathers at a time: 36
// rows of kcGo floats (36 KiB) and a strip of B (8 KiB) stay in a 48 KiB L1
// cache, and for width 64 the weight gradient's 66 rows take two groups.
// (16 or 66 rows made that product 10–20 % slower here.)
const gatherRows = 36

// gemmGo is the portable gemm (see gemm for the contract): for each
// 8-column strip of B, copied into a contiguous buffer, and each row i of
// A, C(i, j..j+8) = Σ_p A(i,p)·B(p, j..j+8) with the sum in eight local
// variables. Strided rows of A (Hᵀ·dZ) are gathered gatherRows at a time
// into a buffer first, and the strips of B are copied again for each such
// group.
func gemmGo(m, n, k int, a []float32, ars, acs int, b []float32, ldb int, c []float32, ldc int) {
	var strip [kcGo]row8
	var rows [gatherRows][kcGo]float32
	for k0 := 0; k0 < k; k0 += kcGo {
		kb := min(kcGo, k-k0)
		group := m // rows of A in place: one group
		if acs != 1 {
			group = gatherRows
		}
		for i0 := 0; i0 < m; i0 += group {
			i1 := min(i0+group, m)
			if acs != 1 {
				g := rows[:i1-i0]
				for p := range kb {
					off := i0*ars + (k0+p)*acs
					for r := range g {
						g[r][p] = a[off+r*ars]
					}
				}
			}
			for j := 0; j < n; j += gemmCols {
				pb := strip[:kb]
				off := k0*ldb + j
				for p := range pb {
					r := (*[8]float32)(b[off : off+8])
					pb[p] = row8{r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7]}
					off += ldb
				}
				for i := i0; i < i1; i++ {
					var ar []float32
					if acs == 1 {
						ar = a[i*ars+k0 : i*ars+k0+kb]
					} else {
						ar = rows[i-i0][:kb]
					}
					dot8(ar, pb, (*[8]float32)(c[i*ldc+j:i*ldc+j+8]), k0 > 0)
				}
			}
		}
	}
}

// store8 ends dot8: it adds the rows its unrolled loop left over, Σ a_p·b_p
// over the (at most three) p of a, to the sums v, then sets *c = v or, if
// acc, adds v to it.
func store8(c *[8]float32, a []float32, b []row8, v [8]float32, acc bool) {
	b = b[:len(a)]
	for p, ap := range a {
		r := &b[p]
		v[0] += ap * r.b0
		v[1] += ap * r.b1
		v[2] += ap * r.b2
		v[3] += ap * r.b3
		v[4] += ap * r.b4
		v[5] += ap * r.b5
		v[6] += ap * r.b6
		v[7] += ap * r.b7
	}
	if acc {
		for j := range v {
			v[j] += c[j]
		}
	}
	*c = v
}

// The constant that rounds to an integer: for |y| < 2²², y + 1.5·2²³ is
// rounded to the nearest integer n (ties to even) in float32, and the low
// mantissa bits of the sum hold n in two's complement.
const roundShift = 1.5 * (1 << 23)

// actChunk is how many values the portable activation passes through
// expInto at a time, into a buffer on the stack.
const actChunk = 64

// expInto sets e[j] = exp(scale·z[j]) for j < len(z) ≤ len(e) in float32
// arithmetic, the algorithm the assembly uses too: eˣ = 2ⁿ·eʳ with
// n = round(x·log₂e) and r = x − n·ln 2 ∈ [−ln2/2, ln2/2], eʳ by its Taylor
// polynomial to degree 6 (remainder < r⁷/7! ≈ 1.2e−7), and 2ⁿ applied by
// adding n to the exponent bits. x is clamped to [expMin, expMax]. The
// relative error against math.Exp stays below 3e−7 (2.5e−7 at worst in
// TestExpfSweep).
//
// n comes from adding roundShift, not from math.RoundToEven, which is a
// call in WebAssembly and on amd64 below v2; and the loop body is written
// out rather than calling a function per value, since such a function is
// too large to inline and the call costs more than the arithmetic.
func expInto(e, z []float32, scale float32) {
	e = e[:len(z)]
	for j, v := range z {
		x := scale * v
		if x < expMin {
			x = expMin
		}
		if x > expMax {
			x = expMax
		}
		s := x*math.Log2E + roundShift
		n := s - roundShift
		r := x - n*ln2Hi
		r -= n * ln2Lo
		p := float32(1.0 / 720)
		p = p*r + 1.0/120
		p = p*r + 1.0/24
		p = p*r + 1.0/6
		p = p*r + 0.5
		p = p*r + 1
		p = p*r + 1
		// The low bits of s hold n; shifted by 23 they add n to p's exponent.
		e[j] = math.Float32frombits(math.Float32bits(p) + math.Float32bits(s)<<23)
	}
}

// activateGo is the portable activate; the formulas are those of the
// assembly version. Each row goes in chunks of actChunk values: first
// every exponential of the chunk, then the activation from them, each
// activation in a loop of its own.
func activateGo(act Activation, z, d []float32, rows, n, ld int) {
	var e [actChunk]float32
	for r := range rows {
		for j0 := 0; j0 < n; j0 += actChunk {
			zr := z[r*ld+j0 : r*ld+min(j0+actChunk, n)]
			if d == nil {
				activateChunk(act, zr, e[:])
			} else {
				activateChunkD(act, zr, d[r*ld+j0:], e[:])
			}
		}
	}
}

// activateChunk sets z ← f(z), using e (len(e) ≥ len(z)) for the
// exponentials; the sampler's Eval needs no derivative.
func activateChunk(act Activation, z, e []float32) {
	e = e[:len(z)]
	switch act {
	case SiLU:
		expInto(e, z, -1)
		for j, v := range z {
			z[j] = v * (1 / (1 + e[j])) // as activateChunkD computes it, to the last bit
		}
	case SELU:
		expInto(e, z, 1)
		for j, v := range z {
			if !(v > 0) {
				z[j] = seluLambda*seluAlpha*e[j] - seluLambda*seluAlpha
			} else {
				z[j] = seluLambda * v
			}
		}
	case Tanh:
		expInto(e, z, 2)
		for j := range z {
			z[j] = 1 - 2/(e[j]+1)
		}
	case ReLU:
		for j, v := range z {
			if !(v > 0) {
				z[j] = 0
			}
		}
	}
}

// activateChunkD sets z ← f(z) and d ← f'(z) over len(z) values (d at least
// as long), using e (len(e) ≥ len(z)) for the exponentials.
func activateChunkD(act Activation, z, d, e []float32) {
	d, e = d[:len(z)], e[:len(z)]
	switch act {
	case SiLU:
		// s = σ(z) = 1/(1 + e⁻ᶻ), h = z·s, h' = s + h·(1 − s),
		// where 1 − s = e⁻ᶻ·s avoids cancellation as s → 1.
		expInto(e, z, -1)
		for j, v := range z {
			ej := e[j]
			s := 1 / (1 + ej)
			h := v * s
			z[j], d[j] = h, s+h*(ej*s)
		}
	case SELU:
		// h = λz, h' = λ for z > 0; h = λα(eᶻ − 1), h' = λα·eᶻ otherwise
		expInto(e, z, 1)
		for j, v := range z {
			if !(v > 0) {
				dh := seluLambda * seluAlpha * e[j]
				z[j], d[j] = dh-seluLambda*seluAlpha, dh
			} else {
				z[j], d[j] = seluLambda*v, seluLambda
			}
		}
	case Tanh:
		// h = 1 − 2/(e²ᶻ + 1), h' = 1 − h². (The assembly clamps z to
		// ±tanhMax first; beyond it both give ±1 exactly.)
		expInto(e, z, 2)
		for j := range z {
			h := 1 - 2/(e[j]+1)
			z[j], d[j] = h, 1-h*h
		}
	case ReLU:
		for j, v := range z {
			if !(v > 0) {
				z[j], d[j] = 0, 0
			} else {
				d[j] = 1
			}
		}
	}
}
