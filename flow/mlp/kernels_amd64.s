// AVX2+FMA kernels for package mlp; the Go versions in kernels.go define
// what each computes, and the tests hold the two to agree.

#include "textflag.h"

// func gemmAsm(m, n, k int, a *float32, ars, acs int, b *float32, ldb int, c *float32, ldc int)
//
// C = A·B with A(i, p) = a[i*ars + p*acs]. Tiles of 6 rows × 16 columns keep
// 12 accumulators (Y0–Y11) in registers; per step p two vectors of row p of
// B are loaded and each of the 6 values A(i..i+5, p) is broadcast and
// multiplied into them. A last tile of 8 columns takes n ≡ 8 (mod 16).
//
// Registers: SI = &A(i, 0), DI = &C(i, 0), CX = rows left, BX = column byte
// offset, AX and R8 = &A(i, p) and &A(i+3, p), R9 = &B(p, j), DX = p count,
// R10..R13 = ars, acs, ldb, ldc in bytes.
TEXT ·gemmAsm(SB), NOSPLIT, $0-80
	MOVQ a+24(FP), SI
	MOVQ ars+32(FP), R10
	SHLQ $2, R10
	MOVQ acs+40(FP), R11
	SHLQ $2, R11
	MOVQ ldb+56(FP), R12
	SHLQ $2, R12
	MOVQ c+64(FP), DI
	MOVQ ldc+72(FP), R13
	SHLQ $2, R13
	MOVQ m+0(FP), CX

rows:
	CMPQ CX, $0
	JLE  done
	XORQ BX, BX

cols16:
	MOVQ n+8(FP), AX
	SHLQ $2, AX
	SUBQ BX, AX
	CMPQ AX, $64
	JLT  cols8

	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7
	VXORPS Y8, Y8, Y8
	VXORPS Y9, Y9, Y9
	VXORPS Y10, Y10, Y10
	VXORPS Y11, Y11, Y11
	MOVQ   SI, AX
	LEAQ   (R10)(R10*2), R8
	ADDQ   SI, R8
	MOVQ   b+48(FP), R9
	ADDQ   BX, R9
	MOVQ   k+16(FP), DX

k16:
	VMOVUPS      (R9), Y12
	VMOVUPS      32(R9), Y13
	VBROADCASTSS (AX), Y14
	VFMADD231PS  Y12, Y14, Y0
	VFMADD231PS  Y13, Y14, Y1
	VBROADCASTSS (AX)(R10*1), Y15
	VFMADD231PS  Y12, Y15, Y2
	VFMADD231PS  Y13, Y15, Y3
	VBROADCASTSS (AX)(R10*2), Y14
	VFMADD231PS  Y12, Y14, Y4
	VFMADD231PS  Y13, Y14, Y5
	VBROADCASTSS (R8), Y15
	VFMADD231PS  Y12, Y15, Y6
	VFMADD231PS  Y13, Y15, Y7
	VBROADCASTSS (R8)(R10*1), Y14
	VFMADD231PS  Y12, Y14, Y8
	VFMADD231PS  Y13, Y14, Y9
	VBROADCASTSS (R8)(R10*2), Y15
	VFMADD231PS  Y12, Y15, Y10
	VFMADD231PS  Y13, Y15, Y11
	ADDQ         R11, AX
	ADDQ         R11, R8
	ADDQ         R12, R9
	DECQ         DX
	JNZ          k16

	MOVQ    DI, AX
	ADDQ    BX, AX
	LEAQ    (R13)(R13*2), R8
	ADDQ    AX, R8
	VMOVUPS Y0, (AX)
	VMOVUPS Y1, 32(AX)
	VMOVUPS Y2, (AX)(R13*1)
	VMOVUPS Y3, 32(AX)(R13*1)
	VMOVUPS Y4, (AX)(R13*2)
	VMOVUPS Y5, 32(AX)(R13*2)
	VMOVUPS Y6, (R8)
	VMOVUPS Y7, 32(R8)
	VMOVUPS Y8, (R8)(R13*1)
	VMOVUPS Y9, 32(R8)(R13*1)
	VMOVUPS Y10, (R8)(R13*2)
	VMOVUPS Y11, 32(R8)(R13*2)
	ADDQ    $64, BX
	JMP     cols16

cols8:
	CMPQ AX, $32
	JLT  nextrows

	VXORPS Y0, Y0, Y0
	VXORPS Y2, Y2, Y2
	VXORPS Y4, Y4, Y4
	VXORPS Y6, Y6, Y6
	VXORPS Y8, Y8, Y8
	VXORPS Y10, Y10, Y10
	MOVQ   SI, AX
	LEAQ   (R10)(R10*2), R8
	ADDQ   SI, R8
	MOVQ   b+48(FP), R9
	ADDQ   BX, R9
	MOVQ   k+16(FP), DX

k8:
	VMOVUPS      (R9), Y12
	VBROADCASTSS (AX), Y14
	VFMADD231PS  Y12, Y14, Y0
	VBROADCASTSS (AX)(R10*1), Y15
	VFMADD231PS  Y12, Y15, Y2
	VBROADCASTSS (AX)(R10*2), Y14
	VFMADD231PS  Y12, Y14, Y4
	VBROADCASTSS (R8), Y15
	VFMADD231PS  Y12, Y15, Y6
	VBROADCASTSS (R8)(R10*1), Y14
	VFMADD231PS  Y12, Y14, Y8
	VBROADCASTSS (R8)(R10*2), Y15
	VFMADD231PS  Y12, Y15, Y10
	ADDQ         R11, AX
	ADDQ         R11, R8
	ADDQ         R12, R9
	DECQ         DX
	JNZ          k8

	MOVQ    DI, AX
	ADDQ    BX, AX
	LEAQ    (R13)(R13*2), R8
	ADDQ    AX, R8
	VMOVUPS Y0, (AX)
	VMOVUPS Y2, (AX)(R13*1)
	VMOVUPS Y4, (AX)(R13*2)
	VMOVUPS Y6, (R8)
	VMOVUPS Y8, (R8)(R13*1)
	VMOVUPS Y10, (R8)(R13*2)
	ADDQ    $32, BX
	JMP     cols16

nextrows:
	LEAQ (R10)(R10*2), AX
	SHLQ $1, AX
	ADDQ AX, SI
	LEAQ (R13)(R13*2), AX
	SHLQ $1, AX
	ADDQ AX, DI
	SUBQ $6, CX
	JMP  rows

done:
	VZEROUPPER
	RET

// Offsets into actConsts (32 bytes per constant).
#define C_MAX 0
#define C_MIN 32
#define C_LOG2E 64
#define C_LN2HI 96
#define C_LN2LO 128
#define C_P6 160
#define C_P5 192
#define C_P4 224
#define C_P3 256
#define C_P2 288
#define C_ONE 320
#define C_LAMBDA 352
#define C_LAMBDAALPHA 384
#define C_TANHMAX 416
#define C_TANHMIN 448
#define C_TWO 480

// EXPF sets x = eˣ lane by lane (the algorithm of expInto in kernels_go.go):
// n = round(x·log₂e), r = x − n·ln2hi − n·ln2lo, p = Taylor₆(r),
// result = p with n added to its exponent bits. DX points at actConsts.
#define EXPF(x, n, p) \
	VMINPS       C_MAX(DX), x, x; \
	VMAXPS       C_MIN(DX), x, x; \
	VMULPS       C_LOG2E(DX), x, n; \
	VROUNDPS     $0, n, n; \
	VFNMADD231PS C_LN2HI(DX), n, x; \
	VFNMADD231PS C_LN2LO(DX), n, x; \
	VMOVUPS      C_P6(DX), p; \
	VFMADD213PS  C_P5(DX), x, p; \
	VFMADD213PS  C_P4(DX), x, p; \
	VFMADD213PS  C_P3(DX), x, p; \
	VFMADD213PS  C_P2(DX), x, p; \
	VFMADD213PS  C_ONE(DX), x, p; \
	VFMADD213PS  C_ONE(DX), x, p; \
	VCVTPS2DQ    n, n; \
	VPSLLD       $23, n, n; \
	VPADDD       n, p, x

// RECIP sets r = 1/a to within about 2⁻²²: the 12-bit estimate of VRCPPS
// and one Newton step r ← r·(2 − a·r), cheaper than VDIVPS. t is scratch.
#define RECIP(a, r, t) \
	VRCPPS       a, r; \
	VMOVUPS      C_TWO(DX), t; \
	VFNMADD231PS a, r, t; \
	VMULPS       t, r, r

// func activateAsm(kind int, z, d *float32, rows, n, ld int, consts *[16][8]float32)
//
// For 8 values z at a time: h = f(z) into Y1 and f'(z) into Y2, then h
// overwrites z and f'(z) goes to d unless d is nil.
TEXT ·activateAsm(SB), NOSPLIT, $0-56
	MOVQ   kind+0(FP), AX
	MOVQ   z+8(FP), SI
	MOVQ   d+16(FP), DI
	MOVQ   rows+24(FP), CX
	MOVQ   n+32(FP), R8
	SHLQ   $2, R8
	MOVQ   ld+40(FP), R9
	SHLQ   $2, R9
	MOVQ   consts+48(FP), DX
	VXORPS Y15, Y15, Y15

actrow:
	XORQ BX, BX

actcol:
	VMOVUPS (SI)(BX*1), Y0
	CMPQ    AX, $0
	JEQ     silu
	CMPQ    AX, $1
	JEQ     selu
	CMPQ    AX, $2
	JEQ     tanh

	// ReLU: h = max(z, 0), h' = [z > 0]
	VMAXPS Y15, Y0, Y1
	VCMPPS $0x0e, Y15, Y0, Y2
	VANDPS C_ONE(DX), Y2, Y2
	JMP    store

silu:
	// e = e⁻ᶻ, s = 1/(1 + e), h = z·s, h' = s + h·(1 − s) with 1 − s = e·s
	// (no cancellation when s ≈ 1)
	VSUBPS      Y0, Y15, Y1
	EXPF(Y1, Y3, Y4)
	VADDPS      C_ONE(DX), Y1, Y5
	RECIP(Y5, Y2, Y3)
	VMULPS      Y2, Y1, Y3
	VMULPS      Y2, Y0, Y1
	VFMADD213PS Y2, Y1, Y3
	VMOVAPS     Y3, Y2
	JMP         store

selu:
	// z > 0: h = λz, h' = λ; otherwise h' = λα·eᶻ, h = h' − λα
	VMOVAPS   Y0, Y1
	EXPF(Y1, Y3, Y4)
	VMULPS    C_LAMBDAALPHA(DX), Y1, Y2
	VSUBPS    C_LAMBDAALPHA(DX), Y2, Y3
	VMULPS    C_LAMBDA(DX), Y0, Y4
	VCMPPS    $0x0e, Y15, Y0, Y5
	VBLENDVPS Y5, Y4, Y3, Y1
	VBLENDVPS Y5, C_LAMBDA(DX), Y2, Y2
	JMP       store

tanh:
	// e = e^(2·clamp(z)), h = 1 − 2/(e + 1), h' = 1 − h²
	VMINPS       C_TANHMAX(DX), Y0, Y1
	VMAXPS       C_TANHMIN(DX), Y1, Y1
	VADDPS       Y1, Y1, Y1
	EXPF(Y1, Y3, Y4)
	VADDPS       C_ONE(DX), Y1, Y1
	RECIP(Y1, Y2, Y3)
	VADDPS       Y2, Y2, Y2
	VMOVUPS      C_ONE(DX), Y1
	VSUBPS       Y2, Y1, Y1
	VMOVUPS      C_ONE(DX), Y2
	VFNMADD231PS Y1, Y1, Y2

store:
	VMOVUPS Y1, (SI)(BX*1)
	TESTQ   DI, DI
	JZ      nod
	VMOVUPS Y2, (DI)(BX*1)

nod:
	ADDQ  $32, BX
	CMPQ  BX, R8
	JLT   actcol
	ADDQ  R9, SI
	TESTQ DI, DI
	JZ    nextrow
	ADDQ  R9, DI

nextrow:
	DECQ CX
	JNZ  actrow
	VZEROUPPER
	RET

// func mulAsm(dst, src *float32, n int)
TEXT ·mulAsm(SB), NOSPLIT, $0-24
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ n+16(FP), CX
	SHRQ $3, CX

mulloop:
	VMOVUPS (DI), Y0
	VMULPS  (SI), Y0, Y0
	VMOVUPS Y0, (DI)
	ADDQ    $32, DI
	ADDQ    $32, SI
	DECQ    CX
	JNZ     mulloop
	VZEROUPPER
	RET

// func adamAsm(params, grad, m, v *float32, n int, k *adamCoeffs)
//
// Per 8 parameters, the formulas of Adam.Step:
// p ← p·decay; m ← β₁m + (1−β₁)g; v ← β₂v + (1−β₂)g²;
// p ← p − stepSize·m/(√v·invSqrtBC2 + ε).
TEXT ·adamAsm(SB), NOSPLIT, $0-48
	MOVQ         params+0(FP), DI
	MOVQ         grad+8(FP), SI
	MOVQ         m+16(FP), R8
	MOVQ         v+24(FP), R9
	MOVQ         n+32(FP), CX
	SHRQ         $3, CX
	MOVQ         k+40(FP), AX
	VBROADCASTSS 0(AX), Y8   // β₁
	VBROADCASTSS 4(AX), Y9   // 1 − β₁
	VBROADCASTSS 8(AX), Y10  // β₂
	VBROADCASTSS 12(AX), Y11 // 1 − β₂
	VBROADCASTSS 16(AX), Y12 // ε
	VBROADCASTSS 20(AX), Y13 // stepSize
	VBROADCASTSS 24(AX), Y14 // 1/√(1 − β₂ᵗ)
	VBROADCASTSS 28(AX), Y15 // decay

adamloop:
	VMOVUPS      (SI), Y0
	VMULPS       (DI), Y15, Y1
	VMULPS       (R8), Y8, Y2
	VFMADD231PS  Y0, Y9, Y2
	VMOVUPS      Y2, (R8)
	VMULPS       Y0, Y0, Y0
	VMULPS       (R9), Y10, Y3
	VFMADD231PS  Y0, Y11, Y3
	VMOVUPS      Y3, (R9)
	VSQRTPS      Y3, Y3
	VFMADD213PS  Y12, Y14, Y3
	VDIVPS       Y3, Y2, Y2
	VFNMADD231PS Y2, Y13, Y1
	VMOVUPS      Y1, (DI)
	ADDQ         $32, DI
	ADDQ         $32, SI
	ADDQ         $32, R8
	ADDQ         $32, R9
	DECQ         CX
	JNZ          adamloop
	VZEROUPPER
	RET
