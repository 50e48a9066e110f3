package mlp

import "golang.org/x/sys/cpu"

// bestKernels is the fastest kernel set this CPU runs. (x/sys/cpu reports
// AVX-512 only when the OS also saves the 512-bit registers.)
var bestKernels = func() kernelSet {
	switch {
	case cpu.X86.HasAVX2 && cpu.X86.HasFMA && cpu.X86.HasAVX512F:
		return kernelsAVX512
	case cpu.X86.HasAVX2 && cpu.X86.HasFMA:
		return kernelsAVX2
	}
	return kernelsGo
}()

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

// gemm512Asm is gemmAsm with 512-bit vectors.
//
//go:noescape
func gemm512Asm(m, n, k int, a *float32, ars, acs int, b *float32, ldb int, c *float32, ldc int)

// activate512Asm is activateAsm with 512-bit vectors.
//
//go:noescape
func activate512Asm(kind int, z, d *float32, rows, n, ld int, consts *[numActConsts][8]float32)
