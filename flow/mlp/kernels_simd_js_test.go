//go:build js && wasm

package mlp

import (
	"math"
	"math/rand/v2"
	"os"
	"testing"
)

// TestSIMDKernelLoaded makes sure the WebAssembly SIMD product is the one
// the other tests exercise when the runner publishes the Go memory
// (scripts/go_js_wasm_exec sets FLOWVIZ_EXPECT_SIMD=1): a loader that
// silently fell back to gemmGo would leave the vector kernel untested.
func TestSIMDKernelLoaded(t *testing.T) {
	if gemmVector == nil {
		if os.Getenv("FLOWVIZ_EXPECT_SIMD") != "" {
			t.Fatal("the SIMD matrix kernel did not load: is globalThis.flowvizGoMemory published?")
		}
		t.Skip("no SIMD kernel in this host (run with scripts/go_js_wasm_exec)")
	}
	if got := Kernels(); got != "go+simd128" {
		t.Errorf("Kernels() = %q, want go+simd128", got)
	}
}

// TestSIMDGemmMatchesGo compares the vector product with the scalar one on
// plain and strided A: bit for bit up to k = kcGo, where both sum over p
// in the same order with separate multiplies and adds; beyond it gemmGo
// adds its passes' partial sums, so only float32 rounding may differ.
func TestSIMDGemmMatchesGo(t *testing.T) {
	if gemmVector == nil {
		t.Skip("no SIMD kernel in this host")
	}
	for _, s := range []struct{ m, n, k int }{{6, 8, 1}, {6, 64, 65}, {258, 64, 65}, {66, 8, 256}, {36, 24, 513}} {
		for _, acs := range []int{1, s.m + 5} {
			ars := s.k + 3
			if acs != 1 {
				ars = 1
			}
			rng := rand.New(rand.NewPCG(uint64(s.m*s.n*s.k), uint64(acs)))
			a := randSlice(rng, (s.m-1)*ars+(s.k-1)*acs+1)
			ldb, ldc := s.n+8, s.n+1
			b := randSlice(rng, (s.k-1)*ldb+s.n)
			want := make([]float32, (s.m-1)*ldc+s.n)
			got := make([]float32, len(want))
			gemmGo(s.m, s.n, s.k, a, ars, acs, b, ldb, want, ldc)
			if !gemmSIMD(s.m, s.n, s.k, a, ars, acs, b, ldb, got, ldc) {
				t.Fatalf("%v: the SIMD kernel refused the product", s)
			}
			for i := range s.m {
				for j := range s.n {
					scale := 0.0 // Σ|terms|, the size of the rounding errors
					for p := range s.k {
						scale += math.Abs(float64(a[i*ars+p*acs]) * float64(b[p*ldb+j]))
					}
					g, w := got[i*ldc+j], want[i*ldc+j]
					if d := math.Abs(float64(g - w)); (s.k <= kcGo && d != 0) || d > 1e-6*scale {
						t.Fatalf("%v acs=%d: C[%d][%d] = %v, gemmGo gives %v", s, acs, i, j, g, w)
					}
				}
			}
		}
	}
}
