//go:build js && wasm

package mlp

import (
	"runtime"
	"sync"
	"syscall/js"
	"unsafe"

	"github.com/flowviz/flowviz/flow/mlp/internal/simd128"
)

// In a browser (or Node) the portable set's matrix product runs in
// WebAssembly SIMD: flow/mlp/internal/simd128 writes a small module that
// imports this program's memory, which the page's loader publishes as
// globalThis.flowvizGoMemory (cmd/internal/website/page/index.html, and
// scripts/wasm_memory.js under Node). Without it, or where the host has no
// SIMD, gemmGo computes every product as before.

func init() {
	if f := loadSIMDGemm(); f.Type() == js.TypeFunction {
		simdGemm = f
		gemmVector = gemmSIMD
	}
}

// simdGemm is the module's exported gemm.
var simdGemm js.Value

// loadSIMDGemm compiles and instantiates the kernel module on the Go
// memory, or returns undefined if the host cannot (no memory published, no
// SIMD, or any exception on the way).
func loadSIMDGemm() (f js.Value) {
	defer func() {
		if recover() != nil {
			f = js.Undefined()
		}
	}()
	wa := js.Global().Get("WebAssembly")
	mem := js.Global().Get("flowvizGoMemory")
	if wa.Type() != js.TypeObject || mem.Type() != js.TypeObject || !mem.InstanceOf(wa.Get("Memory")) {
		return js.Undefined()
	}
	code := simd128.Module()
	bytes := js.Global().Get("Uint8Array").New(len(code))
	js.CopyBytesToJS(bytes, code)
	if !wa.Call("validate", bytes).Bool() {
		return js.Undefined()
	}
	imports := map[string]any{"env": map[string]any{"mem": mem}}
	inst := wa.Get("Instance").New(wa.Get("Module").New(bytes), imports)
	return inst.Get("exports").Get("gemm")
}

// simdStrips holds B packed in 8-column strips of k rows each, the layout
// the module reads (one buffer per goroutine that is multiplying).
type simdStrips struct{ b []float32 }

var simdStripsPool = sync.Pool{New: func() any { return new(simdStrips) }}

// gemmSIMD is gemm's contract in the module: B is packed into strips, A is
// read where it lies, plain or strided, and one call computes all of C. The
// packing is O(k·n) against the product's 2·m·n·k.
func gemmSIMD(m, n, k int, a []float32, ars, acs int, b []float32, ldb int, c []float32, ldc int) bool {
	if m%simd128.Rows != 0 {
		return false
	}
	sc := simdStripsPool.Get().(*simdStrips)
	defer simdStripsPool.Put(sc)
	strips := n / gemmCols
	if cap(sc.b) < k*n {
		sc.b = make([]float32, k*n)
	}
	packed := sc.b[:k*n]
	for s := range strips {
		dst := packed[s*k*gemmCols : (s+1)*k*gemmCols]
		off := s * gemmCols
		for p := range k {
			copy(dst[p*gemmCols:(p+1)*gemmCols], b[off:off+gemmCols])
			off += ldb
		}
	}
	simdGemm.Invoke(m, strips, k, addr(a), 4*ars, 4*acs, addr(packed), addr(c), 4*ldc)
	runtime.KeepAlive(a)
	runtime.KeepAlive(packed)
	runtime.KeepAlive(c)
	return true
}

// addr is the byte offset of s[0] in the WebAssembly memory (Go's pointers
// there are offsets into it).
func addr(s []float32) int { return int(uintptr(unsafe.Pointer(&s[0]))) }
