//go:build !amd64

package mlp

// Without amd64 assembly every kernel runs its Go version.
var bestKernels = kernelsGo

func gemmAsm(m, n, k int, a *float32, ars, acs int, b *float32, ldb int, c *float32, ldc int) {
	panic("mlp: no assembly kernels on this architecture")
}

func activateAsm(kind int, z, d *float32, rows, n, ld int, consts *[numActConsts][8]float32) {
	panic("mlp: no assembly kernels on this architecture")
}

func mulAsm(dst, src *float32, n int) {
	panic("mlp: no assembly kernels on this architecture")
}

func adamAsm(params, grad, m, v *float32, n int, k *adamCoeffs) {
	panic("mlp: no assembly kernels on this architecture")
}

func gemm512Asm(m, n, k int, a *float32, ars, acs int, b *float32, ldb int, c *float32, ldc int) {
	panic("mlp: no assembly kernels on this architecture")
}

func activate512Asm(kind int, z, d *float32, rows, n, ld int, consts *[numActConsts][8]float32) {
	panic("mlp: no assembly kernels on this architecture")
}
