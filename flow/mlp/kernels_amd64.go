package mlp

import "golang.org/x/sys/cpu"

// useAsm selects the AVX2+FMA kernels of kernels_amd64.s; CPUs without them
// (and tests that check the portable code) use the Go versions.
var useAsm = hasAsm

// hasAsm reports whether this CPU can run the assembly kernels.
var hasAsm = cpu.X86.HasAVX2 && cpu.X86.HasFMA

// gemmAsm is gemm on raw pointers; see gemm for the contract.
//
//go:noescape
func gemmAsm(m, n, k int, a *float32, ars, acs int, b *float32, ldb int, c *float32, ldc int)

// activateAsm is activate on raw pointers; d may be nil. kind is an
// Activation.
//
//go:noescape
func activateAsm(kind int, z, d *float32, rows, n, ld int, consts *[numActConsts][8]float32)

// mulAsm sets dst[i] *= src[i] for i < n, n a positive multiple of 8.
//
//go:noescape
func mulAsm(dst, src *float32, n int)

// adamAsm is the body of Adam.Step for the first n parameters (n a positive
// multiple of 8).
//
//go:noescape
func adamAsm(params, grad, m, v *float32, n int, k *adamCoeffs)
