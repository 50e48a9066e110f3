package flow

import "golang.org/x/sys/cpu"

// bestRowKernel picks the widest row kernel the CPU runs. (x/sys/cpu
// reports AVX-512 only when the OS also saves the 512-bit registers.)
func bestRowKernel() (kernel, step int) {
	switch {
	case cpu.X86.HasAVX512F:
		return rowKernelAVX512, 8
	case cpu.X86.HasAVX2:
		return rowKernelAVX2, 4
	}
	return rowKernelGo, 1
}

// bestTwoLanes512Asm is bestTwoLanesGo with 16 lanes on the first n entries,
// n a multiple of 8.
//
//go:noescape
func bestTwoLanes512Asm(row, v *float64, n int, l *laneTop2)

// bestTwoLanesAVX2Asm is bestTwoLanesGo with 8 lanes on the first n entries,
// n a multiple of 4.
//
//go:noescape
func bestTwoLanesAVX2Asm(row, v *float64, n int, l *laneTop2)
