// AVX-512 variant of the matrix kernel, for CPUs whose 512-bit FMA units
// double the AVX2 throughput. Same contract as gemmAsm (kernels_amd64.s).

#include "textflag.h"

// func gemm512Asm(m, n, k int, a *float32, ars, acs int, b *float32, ldb int, c *float32, ldc int)
//
// Tiles of 6 rows × 32 columns (12 zmm accumulators Z0–Z11), then one of
// 6 × 16 (zmm) and one of 6 × 8 (ymm) for the remaining columns. Registers
// as in gemmAsm.
TEXT ·gemm512Asm(SB), NOSPLIT, $0-80
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

cols32:
	MOVQ n+8(FP), AX
	SHLQ $2, AX
	SUBQ BX, AX
	CMPQ AX, $128
	JLT  cols16

	VPXORD Z0, Z0, Z0
	VPXORD Z1, Z1, Z1
	VPXORD Z2, Z2, Z2
	VPXORD Z3, Z3, Z3
	VPXORD Z4, Z4, Z4
	VPXORD Z5, Z5, Z5
	VPXORD Z6, Z6, Z6
	VPXORD Z7, Z7, Z7
	VPXORD Z8, Z8, Z8
	VPXORD Z9, Z9, Z9
	VPXORD Z10, Z10, Z10
	VPXORD Z11, Z11, Z11
	MOVQ   SI, AX
	LEAQ   (R10)(R10*2), R8
	ADDQ   SI, R8
	MOVQ   b+48(FP), R9
	ADDQ   BX, R9
	MOVQ   k+16(FP), DX

k32:
	VMOVUPS      (R9), Z12
	VMOVUPS      64(R9), Z13
	VBROADCASTSS (AX), Z14
	VFMADD231PS  Z12, Z14, Z0
	VFMADD231PS  Z13, Z14, Z1
	VBROADCASTSS (AX)(R10*1), Z15
	VFMADD231PS  Z12, Z15, Z2
	VFMADD231PS  Z13, Z15, Z3
	VBROADCASTSS (AX)(R10*2), Z16
	VFMADD231PS  Z12, Z16, Z4
	VFMADD231PS  Z13, Z16, Z5
	VBROADCASTSS (R8), Z17
	VFMADD231PS  Z12, Z17, Z6
	VFMADD231PS  Z13, Z17, Z7
	VBROADCASTSS (R8)(R10*1), Z18
	VFMADD231PS  Z12, Z18, Z8
	VFMADD231PS  Z13, Z18, Z9
	VBROADCASTSS (R8)(R10*2), Z19
	VFMADD231PS  Z12, Z19, Z10
	VFMADD231PS  Z13, Z19, Z11
	ADDQ         R11, AX
	ADDQ         R11, R8
	ADDQ         R12, R9
	DECQ         DX
	JNZ          k32

	MOVQ    DI, AX
	ADDQ    BX, AX
	LEAQ    (R13)(R13*2), R8
	ADDQ    AX, R8
	VMOVUPS Z0, (AX)
	VMOVUPS Z1, 64(AX)
	VMOVUPS Z2, (AX)(R13*1)
	VMOVUPS Z3, 64(AX)(R13*1)
	VMOVUPS Z4, (AX)(R13*2)
	VMOVUPS Z5, 64(AX)(R13*2)
	VMOVUPS Z6, (R8)
	VMOVUPS Z7, 64(R8)
	VMOVUPS Z8, (R8)(R13*1)
	VMOVUPS Z9, 64(R8)(R13*1)
	VMOVUPS Z10, (R8)(R13*2)
	VMOVUPS Z11, 64(R8)(R13*2)
	ADDQ    $128, BX
	JMP     cols32

cols16:
	CMPQ AX, $64
	JLT  cols8

	VPXORD Z0, Z0, Z0
	VPXORD Z2, Z2, Z2
	VPXORD Z4, Z4, Z4
	VPXORD Z6, Z6, Z6
	VPXORD Z8, Z8, Z8
	VPXORD Z10, Z10, Z10
	MOVQ   SI, AX
	LEAQ   (R10)(R10*2), R8
	ADDQ   SI, R8
	MOVQ   b+48(FP), R9
	ADDQ   BX, R9
	MOVQ   k+16(FP), DX

k16:
	VMOVUPS      (R9), Z12
	VBROADCASTSS (AX), Z14
	VFMADD231PS  Z12, Z14, Z0
	VBROADCASTSS (AX)(R10*1), Z15
	VFMADD231PS  Z12, Z15, Z2
	VBROADCASTSS (AX)(R10*2), Z16
	VFMADD231PS  Z12, Z16, Z4
	VBROADCASTSS (R8), Z17
	VFMADD231PS  Z12, Z17, Z6
	VBROADCASTSS (R8)(R10*1), Z18
	VFMADD231PS  Z12, Z18, Z8
	VBROADCASTSS (R8)(R10*2), Z19
	VFMADD231PS  Z12, Z19, Z10
	ADDQ         R11, AX
	ADDQ         R11, R8
	ADDQ         R12, R9
	DECQ         DX
	JNZ          k16

	MOVQ    DI, AX
	ADDQ    BX, AX
	LEAQ    (R13)(R13*2), R8
	ADDQ    AX, R8
	VMOVUPS Z0, (AX)
	VMOVUPS Z2, (AX)(R13*1)
	VMOVUPS Z4, (AX)(R13*2)
	VMOVUPS Z6, (R8)
	VMOVUPS Z8, (R8)(R13*1)
	VMOVUPS Z10, (R8)(R13*2)
	ADDQ    $64, BX
	JMP     cols32

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
	JMP     cols32

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

// Offsets into actConsts, as in kernels_amd64.s; .BCST operands broadcast
// the first lane of each 32-byte entry to all 16.
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

// EXPF16 is EXPF of kernels_amd64.s on 16 lanes, except that VSCALEFPS
// applies 2ⁿ in one instruction.
#define EXPF16(x, n, p) \
	VMINPS.BCST       C_MAX(DX), x, x; \
	VMAXPS.BCST       C_MIN(DX), x, x; \
	VMULPS.BCST       C_LOG2E(DX), x, n; \
	VRNDSCALEPS       $0, n, n; \
	VFNMADD231PS.BCST C_LN2HI(DX), n, x; \
	VFNMADD231PS.BCST C_LN2LO(DX), n, x; \
	VBROADCASTSS      C_P6(DX), p; \
	VFMADD213PS.BCST  C_P5(DX), x, p; \
	VFMADD213PS.BCST  C_P4(DX), x, p; \
	VFMADD213PS.BCST  C_P3(DX), x, p; \
	VFMADD213PS.BCST  C_P2(DX), x, p; \
	VFMADD213PS.BCST  C_ONE(DX), x, p; \
	VFMADD213PS.BCST  C_ONE(DX), x, p; \
	VSCALEFPS         n, p, x

// RECIP sets r = 1/a to within 2⁻²⁸: the 14-bit estimate of VRCP14PS and
// one Newton step r ← r·(2 − a·r), cheaper than VDIVPS. t is scratch.
#define RECIP(a, r, t) \
	VRCP14PS     a, r; \
	VBROADCASTSS C_TWO(DX), t; \
	VFNMADD231PS a, r, t; \
	VMULPS       t, r, r

// func activate512Asm(kind int, z, d *float32, rows, n, ld int, consts *[16][8]float32)
//
// activateAsm on 16 lanes.
TEXT ·activate512Asm(SB), NOSPLIT, $0-56
	MOVQ   kind+0(FP), AX
	MOVQ   z+8(FP), SI
	MOVQ   d+16(FP), DI
	MOVQ   rows+24(FP), CX
	MOVQ   n+32(FP), R8
	SHLQ   $2, R8
	MOVQ   ld+40(FP), R9
	SHLQ   $2, R9
	MOVQ   consts+48(FP), DX
	VPXORD Z15, Z15, Z15

actrow:
	XORQ BX, BX

	// A masked store is slow on some CPUs, so full groups of 16 go
	// unmasked and only a last group of 8 uses mask K2 (R12 = 1 for it).
actcol:
	MOVQ    R8, R11
	SUBQ    BX, R11
	XORQ    R12, R12
	CMPQ    R11, $64
	JGE     full
	MOVQ    $1, R12
	MOVQ    $0xff, R10
	KMOVW   R10, K2
	VMOVUPS.Z (SI)(BX*1), K2, Z0
	JMP     loaded

full:
	VMOVUPS (SI)(BX*1), Z0

loaded:
	CMPQ      AX, $0
	JEQ       silu
	CMPQ      AX, $1
	JEQ       selu
	CMPQ      AX, $2
	JEQ       tanh

	// ReLU: h = max(z, 0), h' = [z > 0]
	VMAXPS         Z15, Z0, Z1
	VCMPPS         $0x0e, Z15, Z0, K1
	VBROADCASTSS.Z C_ONE(DX), K1, Z2
	JMP            store

silu:
	// e = e⁻ᶻ, s = 1/(1 + e), h = z·s, h' = s + h·(1 − s) with 1 − s = e·s
	VSUBPS      Z0, Z15, Z1
	EXPF16(Z1, Z3, Z4)
	VADDPS.BCST C_ONE(DX), Z1, Z5
	RECIP(Z5, Z2, Z3)
	VMULPS      Z2, Z1, Z3
	VMULPS      Z2, Z0, Z1
	VFMADD213PS Z2, Z1, Z3
	VMOVAPS     Z3, Z2
	JMP         store

selu:
	// z > 0: h = λz, h' = λ; otherwise h' = λα·eᶻ, h = h' − λα
	VMOVAPS        Z0, Z1
	EXPF16(Z1, Z3, Z4)
	VMULPS.BCST    C_LAMBDAALPHA(DX), Z1, Z2
	VSUBPS.BCST    C_LAMBDAALPHA(DX), Z2, Z3
	VMULPS.BCST    C_LAMBDA(DX), Z0, Z4
	VCMPPS         $0x0e, Z15, Z0, K1
	VBLENDMPS      Z4, Z3, K1, Z1
	VBLENDMPS.BCST C_LAMBDA(DX), Z2, K1, Z2
	JMP            store

tanh:
	// e = e^(2·clamp(z)), h = 1 − 2/(e + 1), h' = 1 − h²
	VMINPS.BCST  C_TANHMAX(DX), Z0, Z1
	VMAXPS.BCST  C_TANHMIN(DX), Z1, Z1
	VADDPS       Z1, Z1, Z1
	EXPF16(Z1, Z3, Z4)
	VADDPS.BCST  C_ONE(DX), Z1, Z1
	RECIP(Z1, Z2, Z3)
	VADDPS       Z2, Z2, Z2
	VBROADCASTSS C_ONE(DX), Z1
	VSUBPS       Z2, Z1, Z1
	VBROADCASTSS C_ONE(DX), Z2
	VFNMADD231PS Z1, Z1, Z2

store:
	TESTQ   R12, R12
	JNZ     storetail
	VMOVUPS Z1, (SI)(BX*1)
	TESTQ   DI, DI
	JZ      nod
	VMOVUPS Z2, (DI)(BX*1)
	JMP     nod

storetail:
	VMOVUPS Z1, K2, (SI)(BX*1)
	TESTQ   DI, DI
	JZ      nod
	VMOVUPS Z2, K2, (DI)(BX*1)

nod:
	ADDQ  $64, BX
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
