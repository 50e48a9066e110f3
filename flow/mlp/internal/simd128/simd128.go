// Package simd128 assembles the WebAssembly SIMD matrix kernel that the
// browser build of flow/mlp runs in place of its scalar Go product.
//
// Go emits no SIMD for GOARCH=wasm, so its portable kernels run four times
// narrower than the machine under them. WebAssembly itself has 128-bit
// vectors (every current browser and Node ≥ 16 run them). This package
// writes, byte by byte, a small module whose one function multiplies
// matrices in f32x4 arithmetic, and which imports the Go program's own
// linear memory, so that it reads and writes Go's slices in place: Go
// passes their addresses, and nothing is copied across.
package simd128

// Module returns the kernel module's binary. It imports "env" "mem" (the
// Go instance's memory) and exports one function,
//
//	gemm(m, strips, k, a, ars, acs, b, c, ldc i32)
//
// which sets, for i < m (a multiple of Rows) and s < strips,
//
//	C(i, 8s..8s+8) = Σ_{p<k} A(i, p) · B_s(p, 0..8)
//
// where A(i, p) is the float32 at byte a + i·ars + p·acs (so both H·W and
// Hᵀ·dZ read A where it lies), B_s is strip s of B
// packed as k rows of 8 floats (byte b + 32·(s·k + p)), and row i of C
// starts at byte c + i·ldc. Each pass holds a tile of Rows rows by 8
// columns of C in six v128 accumulators: per p it loads one strip row (two
// vectors), splats Rows values of A, and does six multiply-adds.
func Module() []byte {
	var m []byte
	m = append(m, 0x00, 'a', 's', 'm', 1, 0, 0, 0)

	// Type 0: (i32 × 9) → ().
	typ := []byte{1, 0x60, nParams}
	for range nParams {
		typ = append(typ, i32)
	}
	typ = append(typ, 0)
	m = section(m, 1, typ)

	// Import "env" "mem": a memory of at least 0 pages, no maximum.
	imp := []byte{1}
	imp = appendName(imp, "env")
	imp = appendName(imp, "mem")
	imp = append(imp, 0x02, 0x00, 0x00)
	m = section(m, 2, imp)

	m = section(m, 3, []byte{1, 0}) // function 0 has type 0
	exp := []byte{1}
	exp = appendName(exp, "gemm")
	exp = append(exp, 0x00, 0) // a function, index 0
	m = section(m, 7, exp)

	body := gemmBody()
	code := []byte{1}
	code = appendU32(code, uint32(len(body)))
	code = append(code, body...)
	return section(m, 10, code)
}

// Rows is how many rows of C the kernel computes per pass: callers pad m
// to a multiple of it (flow/mlp's gemmRows, 6, is one).
const Rows = 3

// The parameters and locals of gemm, by index.
const (
	pM, pStrips, pK, pA, pArs, pAcs, pB, pC, pLdc = 0, 1, 2, 3, 4, 5, 6, 7, 8
	nParams                                       = 9
	// i32 locals
	lS, lI, lP, lAp, lBp, lCp, lBs, lArs2 = 9, 10, 11, 12, 13, 14, 15, 16
	// v128 locals: six accumulators, two strip-row vectors, one splat
	lX0, lB0, lB1, lAv = 17, 23, 24, 25
)

// Value types and opcodes used below (WebAssembly core 2.0 and SIMD).
const (
	i32  = 0x7F
	v128 = 0x7B

	opBlock, opLoop, opIf, opEnd, opBrIf = 0x02, 0x03, 0x04, 0x0B, 0x0D
	opLocalGet, opLocalSet, opLocalTee   = 0x20, 0x21, 0x22
	opF32Load, opI32Const                = 0x2A, 0x41
	opI32Eqz, opI32LtU                   = 0x45, 0x49
	opI32Add, opI32Sub, opI32Mul         = 0x6A, 0x6B, 0x6C
	opSIMD                               = 0xFD
	simdLoad, simdStore, simdConst       = 0x00, 0x0B, 0x0C
	simdF32x4Splat                       = 0x13
	simdF32x4Add, simdF32x4Mul           = 0xE4, 0xE6
	blockEmpty                           = 0x40
)

// gemmBody is the code of gemm: locals, then
//
//	ars2 = 2·ars
//	for s = 0; s < strips; s++ {
//	  bs = b + 32·k·s
//	  for i = 0; i < m; i += Rows {
//	    x0..x5 = 0; ap = a + i·ars; bp = bs
//	    for p = k; p > 0; p-- {
//	      b0, b1 = v128(bp), v128(bp+16)
//	      x0 += A(ap)·b0;       x1 += A(ap)·b1
//	      x2 += A(ap+ars)·b0;   x3 += A(ap+ars)·b1
//	      x4 += A(ap+ars2)·b0;  x5 += A(ap+ars2)·b1
//	      ap += acs; bp += 32
//	    }
//	    cp = c + i·ldc + 32·s; store x0..x5 at cp, cp+16, cp+ldc, …
//	  }
//	}
//
// The loops are do-while loops: callers never pass m, strips or k of 0.
func gemmBody() []byte {
	var e enc
	// Locals: 8 i32, then 9 v128.
	e.b = append(e.b, 2, 8, i32, 9, v128)

	e.get(pArs).i32c(2).op(opI32Mul).set(lArs2)
	e.i32c(0).set(lS)
	e.op(opLoop, blockEmpty) // strips
	{
		e.get(pK).get(lS).op(opI32Mul).i32c(32).op(opI32Mul).get(pB).op(opI32Add).set(lBs)
		e.i32c(0).set(lI)
		e.op(opLoop, blockEmpty) // rows
		{
			for x := range 6 {
				e.zero().set(lX0 + x)
			}
			e.get(pA).get(lI).get(pArs).op(opI32Mul).op(opI32Add).set(lAp)
			e.get(lBs).set(lBp)
			e.get(pK).set(lP)
			e.op(opLoop, blockEmpty) // p
			{
				e.get(lBp).simdMem(simdLoad, 0).set(lB0)
				e.get(lBp).simdMem(simdLoad, 16).set(lB1)
				for r := range Rows {
					e.get(lAp)
					switch r {
					case 1:
						e.get(pArs).op(opI32Add)
					case 2:
						e.get(lArs2).op(opI32Add)
					}
					e.f32load().simd(simdF32x4Splat).set(lAv)
					for h, bv := range []int{lB0, lB1} {
						x := lX0 + 2*r + h
						e.get(x).get(lAv).get(bv).simd(simdF32x4Mul).simd(simdF32x4Add).set(x)
					}
				}
				e.get(lAp).get(pAcs).op(opI32Add).set(lAp)
				e.get(lBp).i32c(32).op(opI32Add).set(lBp)
				e.get(lP).i32c(1).op(opI32Sub).tee(lP).op(opBrIf, 0)
			}
			e.op(opEnd)
			// cp = c + i·ldc + 32·s
			e.get(pC).get(lI).get(pLdc).op(opI32Mul).op(opI32Add).get(lS).i32c(32).op(opI32Mul).op(opI32Add).set(lCp)
			for r := range Rows {
				for h := range 2 {
					e.get(lCp)
					if r > 0 {
						e.get(pLdc).i32c(int32(r)).op(opI32Mul).op(opI32Add)
					}
					e.get(lX0+2*r+h).simdMem(simdStore, uint32(16*h))
				}
			}
			e.get(lI).i32c(Rows).op(opI32Add).tee(lI).get(pM).op(opI32LtU).op(opBrIf, 0)
		}
		e.op(opEnd)
		e.get(lS).i32c(1).op(opI32Add).tee(lS).get(pStrips).op(opI32LtU).op(opBrIf, 0)
	}
	e.op(opEnd)
	e.op(opEnd) // the function
	return e.b
}

// enc appends instructions.
type enc struct{ b []byte }

func (e *enc) op(bs ...byte) *enc { e.b = append(e.b, bs...); return e }
func (e *enc) get(l int) *enc     { return e.op(opLocalGet, byte(l)) }
func (e *enc) set(l int) *enc     { return e.op(opLocalSet, byte(l)) }
func (e *enc) tee(l int) *enc     { return e.op(opLocalTee, byte(l)) }

func (e *enc) i32c(v int32) *enc {
	e.b = append(e.b, opI32Const)
	e.b = appendS32(e.b, v)
	return e
}

// f32load loads the float32 at the address on the stack (align 4).
func (e *enc) f32load() *enc { return e.op(opF32Load, 2, 0) }

// simd appends a SIMD instruction without immediates.
func (e *enc) simd(code uint32) *enc {
	e.b = append(e.b, opSIMD)
	e.b = appendU32(e.b, code)
	return e
}

// simdMem appends v128.load or v128.store at a constant offset, declaring
// 4-byte alignment (Go's float32 slices promise no more).
func (e *enc) simdMem(code uint32, offset uint32) *enc {
	e.simd(code)
	e.b = append(e.b, 2)
	e.b = appendU32(e.b, offset)
	return e
}

// zero pushes v128.const 0.
func (e *enc) zero() *enc {
	e.simd(simdConst)
	e.b = append(e.b, make([]byte, 16)...)
	return e
}

func section(m []byte, id byte, payload []byte) []byte {
	m = append(m, id)
	m = appendU32(m, uint32(len(payload)))
	return append(m, payload...)
}

func appendName(b []byte, s string) []byte {
	b = appendU32(b, uint32(len(s)))
	return append(b, s...)
}

// appendU32 appends v in unsigned LEB128.
func appendU32(b []byte, v uint32) []byte {
	for {
		c := byte(v & 0x7F)
		v >>= 7
		if v != 0 {
			b = append(b, c|0x80)
			continue
		}
		return append(b, c)
	}
}

// appendS32 appends v in signed LEB128.
func appendS32(b []byte, v int32) []byte {
	for {
		c := byte(v & 0x7F)
		v >>= 7
		if (v == 0 && c&0x40 == 0) || (v == -1 && c&0x40 != 0) {
			return append(b, c)
		}
		b = append(b, c|0x80)
	}
}
