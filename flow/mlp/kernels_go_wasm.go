package mlp

// dot8 sets c (or adds to it, if acc) c_j = Σ_p a_p·b_p.b_j: one row of A
// times an 8-column strip of B, as in kernels_go_other.go but with the loop
// over p unrolled by two only. Unrolled by four, Go's WebAssembly backend
// loads the strip rows of the next quarters early and spills them to the
// stack, which made the kernel a fifth slower under Node than this.
func dot8(a []float32, b []row8, c *[8]float32, acc bool) {
	var c0, c1, c2, c3, c4, c5, c6, c7 float32
	b = b[:len(a)]
	p := 0
	for ; p < len(a)-1; p += 2 {
		a0, a1 := a[p], a[p+1]
		r0, r1 := &b[p], &b[p+1]
		c0 += a0 * r0.b0
		c1 += a0 * r0.b1
		c2 += a0 * r0.b2
		c3 += a0 * r0.b3
		c4 += a0 * r0.b4
		c5 += a0 * r0.b5
		c6 += a0 * r0.b6
		c7 += a0 * r0.b7
		c0 += a1 * r1.b0
		c1 += a1 * r1.b1
		c2 += a1 * r1.b2
		c3 += a1 * r1.b3
		c4 += a1 * r1.b4
		c5 += a1 * r1.b5
		c6 += a1 * r1.b6
		c7 += a1 * r1.b7
	}
	store8(c, a[p:], b[p:], [8]float32{c0, c1, c2, c3, c4, c5, c6, c7}, acc)
}
