//go:build !wasm

package mlp

// dot8 sets c (or adds to it, if acc) c_j = Σ_p a_p·b_p.b_j: one row of A
// times an 8-column strip of B. The loop over p is unrolled by four: the
// sums of the first three quarters are then scheduled before the products
// of the next, and only the last quarter's products wait for registers.
// (WebAssembly has its own dot8, in kernels_go_wasm.go.)
func dot8(a []float32, b []row8, c *[8]float32, acc bool) {
	var c0, c1, c2, c3, c4, c5, c6, c7 float32
	b = b[:len(a)]
	p := 0
	for ; p < len(a)-3; p += 4 {
		a0, r0 := a[p], &b[p]
		c0 += a0 * r0.b0
		c1 += a0 * r0.b1
		c2 += a0 * r0.b2
		c3 += a0 * r0.b3
		c4 += a0 * r0.b4
		c5 += a0 * r0.b5
		c6 += a0 * r0.b6
		c7 += a0 * r0.b7
		a1, r1 := a[p+1], &b[p+1]
		c0 += a1 * r1.b0
		c1 += a1 * r1.b1
		c2 += a1 * r1.b2
		c3 += a1 * r1.b3
		c4 += a1 * r1.b4
		c5 += a1 * r1.b5
		c6 += a1 * r1.b6
		c7 += a1 * r1.b7
		a2, r2 := a[p+2], &b[p+2]
		c0 += a2 * r2.b0
		c1 += a2 * r2.b1
		c2 += a2 * r2.b2
		c3 += a2 * r2.b3
		c4 += a2 * r2.b4
		c5 += a2 * r2.b5
		c6 += a2 * r2.b6
		c7 += a2 * r2.b7
		a3, r3 := a[p+3], &b[p+3]
		c0 += a3 * r3.b0
		c1 += a3 * r3.b1
		c2 += a3 * r3.b2
		c3 += a3 * r3.b3
		c4 += a3 * r3.b4
		c5 += a3 * r3.b5
		c6 += a3 * r3.b6
		c7 += a3 * r3.b7
	}
	store8(c, a[p:], b[p:], [8]float32{c0, c1, c2, c3, c4, c5, c6, c7}, acc)
}
