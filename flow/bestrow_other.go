//go:build !amd64

package flow

// Without amd64 assembly, rows are scanned by bestTwo.
func bestRowKernel() (kernel, step int) { return rowKernelGo, 1 }

func bestTwoLanes512Asm(row, v *float64, n int, l *laneTop2) {
	panic("flow: no assembly row kernels on this architecture")
}

func bestTwoLanesAVX2Asm(row, v *float64, n int, l *laneTop2) {
	panic("flow: no assembly row kernels on this architecture")
}
