package flow

import (
	"bytes"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// bruteForceAssign tries all n! permutations.
func bruteForceAssign(cost []float64, n int) float64 {
	perm := make([]int, n)
	for i := range perm {
		perm[i] = i
	}
	best := math.Inf(1)
	var walk func(k int, sum float64)
	walk = func(k int, sum float64) {
		if k == n {
			best = min(best, sum)
			return
		}
		for m := k; m < n; m++ {
			perm[k], perm[m] = perm[m], perm[k]
			walk(k+1, sum+cost[k*n+perm[k]])
			perm[k], perm[m] = perm[m], perm[k]
		}
	}
	walk(0, 0)
	return best
}

// checkPermutation fails unless rowToCol is a permutation whose cost is total.
func checkPermutation(t *testing.T, cost []float64, n int, rowToCol []int, total float64) {
	t.Helper()
	seen := make([]bool, n)
	sum := 0.0
	for i, j := range rowToCol {
		if j < 0 || j >= n || seen[j] {
			t.Fatalf("rowToCol %v is not a permutation", rowToCol)
		}
		seen[j] = true
		sum += cost[i*n+j]
	}
	if math.Abs(sum-total) > 1e-9*(1+math.Abs(sum)) {
		t.Fatalf("returned total %v, the assignment costs %v", total, sum)
	}
}

// costKind makes cost matrices: entry by entry with gen, or whole with
// cloud (squared distances between two point clouds).
type costKind struct {
	name  string
	gen   func(rng *rand.Rand) float64
	cloud func(rng *rand.Rand, n int) (a, b []Vec)
}

func (k costKind) matrix(rng *rand.Rand, n int) []float64 {
	if k.cloud != nil {
		return sqDistMatrix(k.cloud(rng, n))
	}
	cost := make([]float64, n*n)
	for i := range cost {
		cost[i] = k.gen(rng)
	}
	return cost
}

// cloudKinds are minibatch-OT costs, the degenerate ones included.
var cloudKinds = []costKind{
	{name: "gauss→moons", cloud: func(rng *rand.Rand, n int) ([]Vec, []Vec) { return randomCloud(rng, n), moonsCloud(rng, n) }},
	{name: "gauss→gauss", cloud: func(rng *rand.Rand, n int) ([]Vec, []Vec) { return randomCloud(rng, n), randomCloud(rng, n) }},
	{name: "duplicates", cloud: func(rng *rand.Rand, n int) ([]Vec, []Vec) {
		// Few distinct points, each many times: massive ties.
		a, b := make([]Vec, n), make([]Vec, n)
		for i := range a {
			a[i] = Vec{float64(rng.IntN(3)), float64(rng.IntN(2))}
			b[i] = Vec{float64(rng.IntN(2)), float64(rng.IntN(3))}
		}
		return a, b
	}},
	{name: "one-point", cloud: func(rng *rand.Rand, n int) ([]Vec, []Vec) {
		a, b := make([]Vec, n), randomCloud(rng, n)
		for i := range a {
			a[i] = Vec{0.5, -2}
		}
		return a, b
	}},
	{name: "one-point-target", cloud: func(rng *rand.Rand, n int) ([]Vec, []Vec) {
		a, b := randomCloud(rng, n), make([]Vec, n)
		for i := range b {
			b[i] = Vec{-1, 3}
		}
		return a, b
	}},
	{name: "two-points", cloud: func(rng *rand.Rand, n int) ([]Vec, []Vec) {
		a, b := make([]Vec, n), randomCloud(rng, n)
		for i := range a {
			a[i] = Vec{float64(i % 2), 0}
		}
		return a, b
	}},
	{name: "collinear", cloud: func(rng *rand.Rand, n int) ([]Vec, []Vec) {
		a, b := make([]Vec, n), make([]Vec, n)
		for i := range a {
			a[i] = Vec{rng.NormFloat64(), 0}
			b[i] = Vec{3 * rng.Float64(), 0}
		}
		return a, b
	}},
	{name: "grid", cloud: func(rng *rand.Rand, n int) ([]Vec, []Vec) {
		// Integer lattice points: many equal distances.
		a, b := make([]Vec, n), make([]Vec, n)
		for i := range a {
			a[i] = Vec{float64(rng.IntN(8)), float64(rng.IntN(8))}
			b[i] = Vec{float64(i % 16), float64(i / 16)}
		}
		return a, b
	}},
	{name: "far-apart", cloud: func(rng *rand.Rand, n int) ([]Vec, []Vec) {
		// Large offset against small spread: costs ~1e6 that differ in the
		// 1e-3 place.
		a, b := randomCloud(rng, n), randomCloud(rng, n)
		for i := range b {
			b[i][0] += 1000
		}
		return a, b
	}},
}

var costKinds = []costKind{
	{name: "uniform", gen: func(rng *rand.Rand) float64 { return rng.Float64() }},
	{name: "negative", gen: func(rng *rand.Rand) float64 { return -100 * rng.Float64() }},
	{name: "mixed-sign", gen: func(rng *rand.Rand) float64 { return rng.NormFloat64() * 1e3 }},
	{name: "ties", gen: func(rng *rand.Rand) float64 { return float64(rng.IntN(3)) }},
	{name: "all-equal", gen: func(*rand.Rand) float64 { return 7 }},
	{name: "all-zero", gen: func(*rand.Rand) float64 { return 0 }},
	{name: "wide-range", gen: func(rng *rand.Rand) float64 { return math.Exp(20 * rng.NormFloat64()) }},
	{name: "offset", gen: func(rng *rand.Rand) float64 { return 1e15 + float64(rng.IntN(2)) }},
	{name: "tiny", gen: func(rng *rand.Rand) float64 { return 1e-300 * rng.Float64() }},
}

func TestAssignBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(15, 16))
	for _, kind := range append(append([]costKind(nil), costKinds...), cloudKinds...) {
		for n := 0; n <= 7; n++ {
			for range 30 {
				cost := kind.matrix(rng, n)
				rowToCol := make([]int, n)
				got := Assign(cost, n, rowToCol)
				checkPermutation(t, cost, n, rowToCol, got)
				want := bruteForceAssign(cost, n)
				// Assign's documented bound: prices are of the order of the
				// cost range, so rounding is relative to it (it matters only
				// for "wide-range", whose costs span 1e-15..1e18).
				lo, hi := costRange(cost)
				if math.Abs(got-want) > 1e-9*(1+math.Abs(want))+float64(n)*(hi-lo)*1e-15 {
					t.Fatalf("%s n=%d: Assign = %v, brute force %v\ncost %v", kind.name, n, got, want, cost)
				}
			}
		}
	}
}

// TestAssignCertificate checks optimality on larger problems through the
// dual certificate the algorithm leaves: reduced costs c − u − v ≥ 0
// everywhere and 0 on the assignment prove the total is minimal. It also
// holds the total to an independent O(n³) Hungarian method.
func TestAssignCertificate(t *testing.T) {
	rng := rand.New(rand.NewPCG(17, 18))
	kinds := append(append([]costKind(nil), cloudKinds...), costKinds...)
	for _, kind := range kinds {
		for _, n := range []int{10, 57, 200, 256} {
			cost := kind.matrix(rng, n)
			scale := 0.0
			for _, c := range cost {
				scale = max(scale, math.Abs(c))
			}
			tol := 1e-9 * (1 + scale)
			x := make([]int, n)
			lo, hi := costRange(cost)
			v := new(Assigner).solve(cost, n, x, lo, hi)
			total := 0.0
			for i, j := range x {
				total += cost[i*n+j]
			}
			checkPermutation(t, cost, n, x, total)
			if want := hungarian(cost, n); math.Abs(total-want) > tol*float64(n) {
				t.Fatalf("%s n=%d: total %v, Hungarian method %v", kind.name, n, total, want)
			}
			for i := range n {
				u := cost[i*n+x[i]] - v[x[i]]
				for j := range n {
					if r := cost[i*n+j] - u - v[j]; r < -tol {
						t.Fatalf("%s n=%d: reduced cost c[%d][%d] = %v < 0", kind.name, n, i, j, r)
					}
				}
			}
		}
	}
}

// hungarian is the textbook O(n³) Hungarian method with potentials (one
// Dijkstra-like pass per row, no tricks), the reference for larger n.
func hungarian(cost []float64, n int) float64 {
	// 1-based: row 0 and column 0 are the virtual start.
	u, v := make([]float64, n+1), make([]float64, n+1)
	p, way := make([]int, n+1), make([]int, n+1) // p[j]: row of column j
	for i := 1; i <= n; i++ {
		p[0] = i
		j0 := 0
		minv := make([]float64, n+1)
		used := make([]bool, n+1)
		for j := range minv {
			minv[j] = math.Inf(1)
		}
		for p[j0] != 0 {
			used[j0] = true
			i0, delta, j1 := p[j0], math.Inf(1), 0
			for j := 1; j <= n; j++ {
				if !used[j] {
					if cur := cost[(i0-1)*n+j-1] - u[i0] - v[j]; cur < minv[j] {
						minv[j], way[j] = cur, j0
					}
					if minv[j] < delta {
						delta, j1 = minv[j], j
					}
				}
			}
			for j := 0; j <= n; j++ {
				if used[j] {
					u[p[j]] += delta
					v[j] -= delta
				} else {
					minv[j] -= delta
				}
			}
			j0 = j1
		}
		for j0 != 0 {
			j1 := way[j0]
			p[j0] = p[j1]
			j0 = j1
		}
	}
	total := 0.0
	for j := 1; j <= n; j++ {
		total += cost[(p[j]-1)*n+j-1]
	}
	return total
}

func TestAssignPanics(t *testing.T) {
	for _, tc := range []struct {
		name     string
		cost     []float64
		n        int
		rowToCol []int
	}{
		{"rectangular", make([]float64, 6), 2, make([]int, 2)},
		{"short rowToCol", make([]float64, 4), 2, make([]int, 1)},
		{"negative n", nil, -1, nil},
		{"NaN", []float64{0, math.NaN(), 1, 2}, 2, make([]int, 2)},
		{"Inf", []float64{0, math.Inf(1), 1, 2}, 2, make([]int, 2)},
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", tc.name)
				}
			}()
			Assign(tc.cost, tc.n, tc.rowToCol)
		}()
	}
}

// FuzzAssign compares Assign with brute force on small matrices built from
// the fuzzer's bytes (small integers, so ties are common).
func FuzzAssign(f *testing.F) {
	f.Add([]byte{1, 2, 3, 4})
	f.Add([]byte{0, 0, 0, 0, 0, 0, 0, 0, 0})
	f.Add([]byte{9, 1, 5, 200, 7, 7, 3, 3, 128, 0, 1, 2, 3, 4, 5, 6})
	f.Add(bytes.Repeat([]byte{255, 1}, 1<<19)) // size bomb: a megabyte of costs
	f.Fuzz(func(t *testing.T, data []byte) {
		n := int(math.Sqrt(float64(len(data))))
		n = min(n, 6)
		cost := make([]float64, n*n)
		for i := range cost {
			cost[i] = float64(int8(data[i]))
		}
		rowToCol := make([]int, n)
		got := Assign(cost, n, rowToCol)
		checkPermutation(t, cost, n, rowToCol, got)
		want := bruteForceAssign(cost, n)
		if got != want {
			t.Fatalf("n=%d: Assign = %v, brute force %v, cost %v", n, got, want, cost)
		}
	})
}

func randomCloud(rng *rand.Rand, n int) []Vec {
	p := make([]Vec, n)
	for i := range p {
		p[i] = gauss(rng)
	}
	return p
}

func sqDistMatrix(a, b []Vec) []float64 {
	cost := make([]float64, len(a)*len(b))
	for i := range a {
		for j := range b {
			cost[i*len(b)+j] = sqDist(a[i], b[j], 1)
		}
	}
	return cost
}

func BenchmarkAssign(b *testing.B) {
	rng := rand.New(rand.NewPCG(19, 20))
	for _, n := range []int{64, 128, 256, 512, 1000, 2000} {
		uniform := make([]float64, n*n)
		for i := range uniform {
			uniform[i] = rng.Float64()
		}
		// Gaussian noise to two moons: the minibatch-OT case.
		euclid := sqDistMatrix(randomCloud(rng, n), moonsCloud(rng, n))
		for _, tc := range []struct {
			name string
			cost []float64
		}{{"uniform", uniform}, {"euclidean²", euclid}} {
			b.Run(fmt.Sprintf("%s/n=%d", tc.name, n), func(b *testing.B) {
				rowToCol := make([]int, n)
				var a Assigner
				for b.Loop() {
					a.Assign(tc.cost, n, rowToCol)
				}
			})
		}
	}
}

// moonsCloud draws n points of two moons (radius 2, centred near 0).
func moonsCloud(rng *rand.Rand, n int) []Vec {
	p := make([]Vec, n)
	for i := range p {
		s := math.Pi * rng.Float64()
		if i%2 == 0 {
			p[i] = Vec{2*math.Cos(s) - 1, 2 * math.Sin(s)}
		} else {
			p[i] = Vec{2 - 2*math.Cos(s) - 1, 1 - 2*math.Sin(s) - 1}
		}
	}
	return p
}

// Three workers, three jobs: the cheapest complete assignment costs 5.
func ExampleAssign() {
	cost := []float64{
		4, 1, 3,
		2, 0, 5,
		3, 2, 2,
	}
	rowToCol := make([]int, 3)
	total := Assign(cost, 3, rowToCol)
	fmt.Println(rowToCol, total)
	// Output: [1 0 2] 5
}

// withRowKernel runs f with the row kernel k (one this CPU runs).
func withRowKernel(k int, f func()) {
	saved, savedStep := rowKernel, rowStep
	rowKernel, rowStep = k, []int{rowKernelGo: 1, rowKernelAVX2: 4, rowKernelAVX512: 8}[k]
	defer func() { rowKernel, rowStep = saved, savedStep }()
	f()
}

// TestAssignerReuse checks that one Assigner solving problems of changing
// sizes and kinds agrees with fresh ones and with every row kernel, and
// allocates nothing once warm.
func TestAssignerReuse(t *testing.T) {
	rng := rand.New(rand.NewPCG(43, 44))
	var reused Assigner
	for _, n := range []int{50, 3, 120, 1, 0, 77} {
		for _, kind := range append(append([]costKind(nil), costKinds...), cloudKinds...) {
			cost := kind.matrix(rng, n)
			got, want := make([]int, n), make([]int, n)
			total := reused.Assign(cost, n, got)
			if fresh := Assign(cost, n, want); total != fresh || !slices.Equal(got, want) {
				t.Fatalf("%s n=%d: reused Assigner %v %v, fresh %v %v", kind.name, n, total, got, fresh, want)
			}
			// Every row kernel gives the same assignment: training with OT
			// pairs does not depend on the CPU's vector extensions.
			for k := range rowKernel + 1 {
				withRowKernel(k, func() { Assign(cost, n, want) })
				if !slices.Equal(got, want) {
					t.Fatalf("%s n=%d: row kernel %d gives %v, kernel %d %v", kind.name, n, k, want, rowKernel, got)
				}
			}
		}
	}
	cost := sqDistMatrix(randomCloud(rng, 100), randomCloud(rng, 100))
	rowToCol := make([]int, 100)
	if allocs := testing.AllocsPerRun(5, func() { reused.Assign(cost, 100, rowToCol) }); allocs != 0 {
		t.Errorf("warm Assigner: %v allocations per call", allocs)
	}
}
