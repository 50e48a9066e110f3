// Row scans of the assignment solver with 256- and 512-bit vectors; the Go
// version bestTwoLanesGo (bestrow.go) defines what they compute, and the
// tests hold them to agree.

#include "textflag.h"

// Each lane k keeps, over the entries j ≡ its lane, the smallest reduced cost
// m1[k], the second smallest m2[k] and the first j attaining m1[k] in idx[k]:
//
//	h = row[j] − v[j]
//	m2 = min(m2, max(h, m1))   (h < m1: the old m1 becomes second; else h competes for it)
//	idx = h < m1 ? j : idx     (strict: the first of equal entries stays)
//	m1 = min(m1, h)
//
// Two sets of lanes (A and B) take alternate vectors so that the min chains
// of both overlap. jv holds each lane's current j.

// COMBINE merges lanes (bm1, bm2, bidx) into (Z0, Z1, Z2) lane by lane:
// m1 = min, m2 = the smallest of both m2 and the larger m1, idx = the
// index of the smaller m1 (of equal ones, the lower index).
#define COMBINE(bm1, bm2, bidx) \
	VCMPPD    $1, bm1, Z0, K1 \
	VCMPPD    $0, bm1, Z0, K2 \
	VPCMPQ    $1, bidx, Z2, K2, K3 \
	KORW      K1, K3, K1            \
	VMAXPD    bm1, Z0, Z6           \
	VMINPD    bm2, Z1, Z1           \
	VMINPD    Z6, Z1, Z1            \
	VMINPD    bm1, Z0, Z0           \
	VPBLENDMQ Z2, bidx, K1, Z2

// func bestTwoLanes512Asm(row, v *float64, n int, l *laneTop2)
//
// n is a multiple of 8. It leaves the whole row's result in lane 0 of l. Set A: Z0 m1, Z1 m2, Z2 idx, Z3 j; set B: Z8–Z11.
// Z4 = 16 (the j step); SI = row, DI = v, CX = entries left.
TEXT ·bestTwoLanes512Asm(SB), NOSPLIT, $0-32
	MOVQ      row+0(FP), SI
	MOVQ      v+8(FP), DI
	MOVQ      n+16(FP), CX
	MOVQ      l+24(FP), DX
	VMOVUPD   0(DX), Z0
	VMOVUPD   64(DX), Z8
	VMOVUPD   128(DX), Z1
	VMOVUPD   192(DX), Z9
	VMOVDQU64 256(DX), Z2
	VMOVDQU64 320(DX), Z10
	VMOVDQU64 384(DX), Z3
	VMOVDQU64 448(DX), Z11
	MOVQ      $16, AX
	VPBROADCASTQ AX, Z4

loop16:
	CMPQ      CX, $16
	JLT       tail8
	VMOVUPD   (SI), Z5
	VMOVUPD   64(SI), Z13
	VSUBPD    (DI), Z5, Z5
	VSUBPD    64(DI), Z13, Z13
	VMAXPD    Z0, Z5, Z6
	VMAXPD    Z8, Z13, Z14
	VMINPD    Z6, Z1, Z1
	VMINPD    Z14, Z9, Z9
	VCMPPD    $1, Z0, Z5, K1
	VCMPPD    $1, Z8, Z13, K2
	VMINPD    Z5, Z0, Z0
	VMINPD    Z13, Z8, Z8
	VMOVDQA64 Z3, K1, Z2
	VMOVDQA64 Z11, K2, Z10
	VPADDQ    Z4, Z3, Z3
	VPADDQ    Z4, Z11, Z11
	ADDQ      $128, SI
	ADDQ      $128, DI
	SUBQ      $16, CX
	JMP       loop16

tail8:
	CMPQ      CX, $8
	JLT       done
	VMOVUPD   (SI), Z5
	VSUBPD    (DI), Z5, Z5
	VMAXPD    Z0, Z5, Z6
	VMINPD    Z6, Z1, Z1
	VCMPPD    $1, Z0, Z5, K1
	VMINPD    Z5, Z0, Z0
	VMOVDQA64 Z3, K1, Z2

done:
	// Fold set B into A, then halves of A into each other, down to lane 0.
	COMBINE(Z8, Z9, Z10)
	VSHUFF64X2 $0xee, Z0, Z0, Z8
	VSHUFF64X2 $0xee, Z1, Z1, Z9
	VSHUFF64X2 $0xee, Z2, Z2, Z10
	COMBINE(Z8, Z9, Z10)
	VSHUFF64X2 $0x01, Z0, Z0, Z8
	VSHUFF64X2 $0x01, Z1, Z1, Z9
	VSHUFF64X2 $0x01, Z2, Z2, Z10
	COMBINE(Z8, Z9, Z10)
	VPERMILPD  $1, Z0, Z8
	VPERMILPD  $1, Z1, Z9
	VPERMILPD  $1, Z2, Z10
	COMBINE(Z8, Z9, Z10)
	VMOVSD     X0, 0(DX)
	VMOVSD     X1, 128(DX)
	VMOVQ      X2, 256(DX)
	VZEROUPPER
	RET

// func bestTwoLanesAVX2Asm(row, v *float64, n int, l *laneTop2)
//
// n is a multiple of 4; lanes 0–3 (set A) and 4–7 (set B) of l are used.
// Set A: Y0 m1, Y1 m2, Y2 idx, Y3 j; set B: Y8–Y11; Y4 = 8 (the j step).
TEXT ·bestTwoLanesAVX2Asm(SB), NOSPLIT, $0-32
	MOVQ      row+0(FP), SI
	MOVQ      v+8(FP), DI
	MOVQ      n+16(FP), CX
	MOVQ      l+24(FP), DX
	VMOVUPD   0(DX), Y0
	VMOVUPD   32(DX), Y8
	VMOVUPD   128(DX), Y1
	VMOVUPD   160(DX), Y9
	VMOVDQU   256(DX), Y2
	VMOVDQU   288(DX), Y10
	VMOVDQU   384(DX), Y3
	VMOVDQU   416(DX), Y11
	MOVQ      $8, AX
	MOVQ      AX, X4
	VPBROADCASTQ X4, Y4

loop8:
	CMPQ      CX, $8
	JLT       tail4
	VMOVUPD   (SI), Y5
	VMOVUPD   32(SI), Y13
	VSUBPD    (DI), Y5, Y5
	VSUBPD    32(DI), Y13, Y13
	VMAXPD    Y0, Y5, Y6
	VMAXPD    Y8, Y13, Y14
	VMINPD    Y6, Y1, Y1
	VMINPD    Y14, Y9, Y9
	VCMPPD    $1, Y0, Y5, Y7
	VCMPPD    $1, Y8, Y13, Y15
	VMINPD    Y5, Y0, Y0
	VMINPD    Y13, Y8, Y8
	VBLENDVPD Y7, Y3, Y2, Y2
	VBLENDVPD Y15, Y11, Y10, Y10
	VPADDQ    Y4, Y3, Y3
	VPADDQ    Y4, Y11, Y11
	ADDQ      $64, SI
	ADDQ      $64, DI
	SUBQ      $8, CX
	JMP       loop8

tail4:
	CMPQ      CX, $4
	JLT       done
	VMOVUPD   (SI), Y5
	VSUBPD    (DI), Y5, Y5
	VMAXPD    Y0, Y5, Y6
	VMINPD    Y6, Y1, Y1
	VCMPPD    $1, Y0, Y5, Y7
	VMINPD    Y5, Y0, Y0
	VBLENDVPD Y7, Y3, Y2, Y2

done:
	VMOVUPD   Y0, 0(DX)
	VMOVUPD   Y8, 32(DX)
	VMOVUPD   Y1, 128(DX)
	VMOVUPD   Y9, 160(DX)
	VMOVDQU   Y2, 256(DX)
	VMOVDQU   Y10, 288(DX)
	VZEROUPPER
	RET
