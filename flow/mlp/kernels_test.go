package mlp

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// kernelSets lists the kernel sets this CPU can run, so every test that
// goes through the kernels checks each of them (the Go fallback included).
func kernelSets() []kernelSet {
	var sets []kernelSet
	for k := kernelsGo; k <= bestKernels; k++ {
		sets = append(sets, k)
	}
	return sets
}

// useKernels switches to set k until the returned function is called.
func useKernels(k kernelSet) (restore func()) {
	saved := kernels
	kernels = k
	return func() { kernels = saved }
}

// withKernels runs f once per kernel set.
func withKernels(t *testing.T, f func(t *testing.T)) {
	t.Helper()
	for _, k := range kernelSets() {
		t.Run(k.String(), func(t *testing.T) {
			defer useKernels(k)()
			f(t)
		})
	}
}

func randSlice(rng *rand.Rand, n int) []float32 {
	s := make([]float32, n)
	for i := range s {
		s[i] = float32(rng.NormFloat64())
	}
	return s
}

func TestGemmMatchesReference(t *testing.T) {
	shapes := []struct{ m, n, k int }{
		// Column counts cover every mix of the 32-, 16- and 8-wide tiles.
		{6, 8, 1}, {6, 16, 3}, {12, 24, 5}, {6, 64, 65}, {258, 64, 65}, {66, 8, 256},
		{18, 40, 7}, {6, 128, 33}, {12, 48, 9}, {24, 56, 17}, {6, 32, 2},
		// The portable kernel's edges: an odd k (the unrolled loop's
		// tail), k beyond one pass of kcGo (later passes add to C), and
		// more strided rows than one gathered group.
		{6, 8, 257}, {18, 16, 300}, {36, 24, 513}, {42, 64, 1}, {6, 8, 256},
	}
	withKernels(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(1, 2))
		for _, s := range shapes {
			for _, transA := range []bool{false, true} {
				t.Run(fmt.Sprintf("%dx%dx%d/transA=%v", s.m, s.n, s.k, transA), func(t *testing.T) {
					// A stored k×m (transA) or m×k with a row stride larger than its width.
					ars, acs := s.k+3, 1
					if transA {
						ars, acs = 1, s.m+5
					}
					a := randSlice(rng, (s.m-1)*ars+(s.k-1)*acs+1)
					ldb, ldc := s.n+8, s.n+1
					b := randSlice(rng, (s.k-1)*ldb+s.n)
					c := randSlice(rng, (s.m-1)*ldc+s.n+1) // garbage must be overwritten
					guard := c[len(c)-1]
					gemm(s.m, s.n, s.k, a, ars, acs, b, ldb, c, ldc)
					for i := range s.m {
						for j := range s.n {
							var want, scale float64
							for p := range s.k {
								term := float64(a[i*ars+p*acs]) * float64(b[p*ldb+j])
								want += term
								scale += math.Abs(term)
							}
							got := float64(c[i*ldc+j])
							if math.Abs(got-want) > 1e-5*(scale+1) {
								t.Fatalf("C[%d][%d] = %v, want %v", i, j, got, want)
							}
						}
					}
					if c[len(c)-1] != guard {
						t.Errorf("gemm wrote past the block: %v, was %v", c[len(c)-1], guard)
					}
				})
			}
		}
	})
}

func TestGemmRejectsBadShapes(t *testing.T) {
	cases := []struct {
		name    string
		m, n, k int
		la, lc  int
	}{
		{"m not multiple of 6", 5, 8, 1, 100, 100},
		{"n not multiple of 8", 6, 7, 1, 100, 100},
		{"k zero", 6, 8, 0, 100, 100},
		{"A short", 6, 8, 4, 10, 100},
		{"C short", 6, 8, 1, 100, 20},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Error("no panic")
				}
			}()
			gemm(c.m, c.n, c.k, make([]float32, c.la), c.k, 1, make([]float32, 100), 8, make([]float32, c.lc), 8)
		})
	}
}

// activationRef is f and f' in float64 from the textbook formulas.
func activationRef(act Activation, z float64) (h, d float64) {
	switch act {
	case SiLU:
		s := 1 / (1 + math.Exp(-z))
		return z * s, s * (1 + z*(1-s))
	case SELU:
		if z > 0 {
			return seluLambda * z, seluLambda
		}
		return seluLambda * seluAlpha * (math.Exp(z) - 1), seluLambda * seluAlpha * math.Exp(z)
	case Tanh:
		th := math.Tanh(z)
		return th, 1 - th*th
	case ReLU:
		if z > 0 {
			return z, 1
		}
		return 0, 0
	}
	panic("unknown activation")
}

func TestChooseKernels(t *testing.T) {
	cases := []struct {
		name string
		best kernelSet
		want kernelSet
	}{
		{"", kernelsAVX512, kernelsAVX512},
		{"go", kernelsAVX512, kernelsGo},
		{" GO ", kernelsAVX2, kernelsGo},
		{"avx2", kernelsAVX512, kernelsAVX2},
		{"avx512", kernelsAVX2, kernelsAVX2}, // not run by this CPU: the best it runs
		{"avx512", kernelsGo, kernelsGo},
		{"neon", kernelsAVX2, kernelsAVX2},
	}
	for _, c := range cases {
		if got := chooseKernels(c.name, c.best); got != c.want {
			t.Errorf("chooseKernels(%q, %v) = %v, want %v", c.name, c.best, got, c.want)
		}
	}
}

// TestExpfSweep bounds expf's relative error against math.Exp over its
// whole range, including the points where x·log₂e is half an integer
// (where the rounding of n ties and r reaches ±ln2/2).
func TestExpfSweep(t *testing.T) {
	const bound = 3e-7
	worst, at := 0.0, float32(0)
	check := func(x float32) {
		want := math.Exp(float64(x))
		if rel := math.Abs(float64(expf(x))-want) / want; rel > worst {
			worst, at = rel, x
		}
	}
	for i := 0; i <= 1_000_000; i++ {
		check(expMin + float32(i)*(expMax-expMin)/1_000_000)
	}
	for n := -125; n <= 126; n++ {
		x := float32((float64(n) + 0.5) * math.Ln2)
		if x >= expMin && x <= expMax {
			check(math.Nextafter32(x, -200))
			check(x)
			check(math.Nextafter32(x, 200))
		}
	}
	if worst > bound {
		t.Errorf("expf relative error %.3g at x = %v, want ≤ %g", worst, at, bound)
	}
	t.Logf("largest relative error %.3g at x = %v", worst, at)
}

// expf is eˣ by the portable kernels' exponential.
func expf(x float32) float32 {
	var e [1]float32
	expInto(e[:], []float32{x}, 1)
	return e[0]
}

func TestExpf(t *testing.T) {
	for _, x := range []float32{-87, -50, -10, -1, -0.3466, -1e-6, 0, 1e-6, 0.3466, 0.5, 1, 2.5, 10, 50, 88} {
		got := float64(expf(x))
		want := math.Exp(float64(x))
		if rel := math.Abs(got-want) / want; rel > 3e-7 {
			t.Errorf("expf(%v) = %v, want %v (rel err %.2g)", x, got, want, rel)
		}
	}
	// Outside the range the argument is clamped: finite and positive.
	for _, x := range []float32{-1000, float32(math.Inf(-1)), 1000} {
		if v := expf(x); math.IsInf(float64(v), 0) || math.IsNaN(float64(v)) || v <= 0 {
			t.Errorf("expf(%v) = %v, want finite positive", x, v)
		}
	}
}

func TestActivateMatchesReference(t *testing.T) {
	// A grid through the interesting ranges plus the extremes.
	var zs []float32
	for z := float32(-12); z <= 12; z += 0.0625 {
		zs = append(zs, z)
	}
	zs = append(zs, -100, -88, 88, 100, 1e-7, -1e-7)
	for len(zs)%8 != 0 {
		zs = append(zs, 0)
	}
	withKernels(t, func(t *testing.T) {
		for act := range numActivations {
			t.Run(act.String(), func(t *testing.T) {
				for _, shape := range []struct{ n, ld int }{
					{24, 32},   // 24 = a 16-wide and an 8-wide vector
					{136, 144}, // rows longer than the portable kernel's chunk
				} {
					checkActivate(t, act, zs, shape.n, shape.ld)
				}
			})
		}
	})
}

// checkActivate lays zs out as rows of n with stride ld, so that the row
// stride is honoured and the gap is left alone, and checks activate
// against activationRef.
func checkActivate(t *testing.T, act Activation, zs []float32, n, ld int) {
	t.Helper()
	rows := (len(zs) + n - 1) / n
	z := make([]float32, rows*ld)
	d := make([]float32, rows*ld)
	for i, v := range zs {
		z[i/n*ld+i%n] = v
	}
	for r := range rows {
		for j := n; j < ld; j++ {
			z[r*ld+j], d[r*ld+j] = 42, 42
		}
	}
	activate(act, z, d, rows, n, ld)
	for i, v := range zs {
		h, dh := activationRef(act, float64(v))
		gotH, gotD := float64(z[i/n*ld+i%n]), float64(d[i/n*ld+i%n])
		if math.Abs(gotH-h) > 2e-6*(1+math.Abs(h)) {
			t.Errorf("f(%v) = %v, want %v", v, gotH, h)
		}
		if math.Abs(gotD-dh) > 2e-6*(1+math.Abs(dh)) {
			t.Errorf("f'(%v) = %v, want %v", v, gotD, dh)
		}
	}
	for r := range rows {
		for j := n; j < ld; j++ {
			if z[r*ld+j] != 42 || d[r*ld+j] != 42 {
				t.Fatalf("row %d column %d outside the block was written", r, j)
			}
		}
	}
	// Without d only h is computed.
	z2 := make([]float32, len(zs))
	copy(z2, zs)
	activate(act, z2, nil, 1, len(zs), len(zs))
	for i := range zs {
		if z2[i] != z[i/n*ld+i%n] {
			t.Fatalf("f(%v) without derivative = %v, with = %v", zs[i], z2[i], z[i/n*ld+i%n])
		}
	}
}

func TestMulInto(t *testing.T) {
	withKernels(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(3, 4))
		for _, n := range []int{0, 8, 64, 1000} {
			dst, src := randSlice(rng, n), randSlice(rng, n+3)
			want := make([]float32, n)
			for i := range want {
				want[i] = dst[i] * src[i]
			}
			mulInto(dst, src)
			for i := range want {
				if dst[i] != want[i] {
					t.Fatalf("n=%d: dst[%d] = %v, want %v", n, i, dst[i], want[i])
				}
			}
		}
	})
}
