package flow

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// TestBestTwoFast holds the vectorised row scan to bestTwo and each kernel
// this CPU runs to bestTwoLanesGo on every length up to 70, with and without
// ties.
func TestBestTwoFast(t *testing.T) {
	for k := range rowKernel + 1 {
		withRowKernel(k, func() { testBestTwoFast(t, k) })
	}
}

func testBestTwoFast(t *testing.T, kernel int) {
	rng := rand.New(rand.NewPCG(61, 62))
	lanes := 2 * rowStep // the kernels keep two sets of rowStep lanes
	for _, kind := range costKinds {
		for n := 2; n <= 70; n++ {
			for range 20 {
				row, v := make([]float64, n), make([]float64, n)
				for j := range row {
					row[j], v[j] = kind.gen(rng), kind.gen(rng)
				}
				wj1, ww1, ww2 := bestTwo(row, v)
				j1, w1, w2 := bestTwoFast(row, v)
				if j1 != wj1 || w1 != ww1 || w2 != ww2 {
					t.Fatalf("kernel %d, %s n=%d: bestTwoFast = %d %v %v, bestTwo %d %v %v\nrow %v\nv %v",
						kernel, kind.name, n, j1, w1, w2, wj1, ww1, ww2, row, v)
				}
				if kernel == rowKernelGo {
					continue
				}
				m := n &^ (rowStep - 1)
				want := laneStart
				bestTwoLanesGo(row[:m], v[:m], lanes, &want)
				wj1, ww1, ww2 = reduceLanes(&want)
				j1, w1, w2 = scanRow(&row[0], &v[0], m)
				if j1 != wj1 || w1 != ww1 || w2 != ww2 {
					t.Fatalf("kernel %d, %s n=%d: kernel %d %v %v, Go lanes %d %v %v", kernel, kind.name, n, j1, w1, w2, wj1, ww1, ww2)
				}
			}
		}
	}
}

func BenchmarkBestTwo(b *testing.B) {
	rng := rand.New(rand.NewPCG(63, 64))
	for _, n := range []int{64, 256, 1000} {
		row, v := make([]float64, n), make([]float64, n)
		for j := range row {
			row[j], v[j] = rng.Float64(), rng.Float64()
		}
		b.Run(fmt.Sprintf("scalar/n=%d", n), func(b *testing.B) {
			for b.Loop() {
				bestTwo(row, v)
			}
		})
		b.Run(fmt.Sprintf("fast/n=%d", n), func(b *testing.B) {
			for b.Loop() {
				bestTwoFast(row, v)
			}
		})
	}
}
