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

type costKind struct {
	name string
	gen  func(rng *rand.Rand) float64
}

var costKinds = []costKind{
	{"uniform", func(rng *rand.Rand) float64 { return rng.Float64() }},
	{"negative", func(rng *rand.Rand) float64 { return -100 * rng.Float64() }},
	{"mixed-sign", func(rng *rand.Rand) float64 { return rng.NormFloat64() * 1e3 }},
	{"ties", func(rng *rand.Rand) float64 { return float64(rng.IntN(3)) }},
	{"all-equal", func(*rand.Rand) float64 { return 7 }},
	{"wide-range", func(rng *rand.Rand) float64 { return math.Exp(20 * rng.NormFloat64()) }},
	{"offset", func(rng *rand.Rand) float64 { return 1e15 + float64(rng.IntN(2)) }},
	{"tiny", func(rng *rand.Rand) float64 { return 1e-300 * rng.Float64() }},
}

func TestAssignBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(15, 16))
	for _, kind := range costKinds {
		for n := 0; n <= 7; n++ {
			for range 30 {
				cost := make([]float64, n*n)
				for i := range cost {
					cost[i] = kind.gen(rng)
				}
				rowToCol := make([]int, n)
				got := Assign(cost, n, rowToCol)
				checkPermutation(t, cost, n, rowToCol, got)
				want := bruteForceAssign(cost, n)
				if math.Abs(got-want) > 1e-9*(1+math.Abs(want)) {
					t.Fatalf("%s n=%d: Assign = %v, brute force %v\ncost %v", kind.name, n, got, want, cost)
				}
				// The auction route, which Assign takes only on large hard inputs.
				new(Assigner).lapjv(cost, n, rowToCol, -1, true)
				total := 0.0
				for i, j := range rowToCol {
					total += cost[i*n+j]
				}
				checkPermutation(t, cost, n, rowToCol, total)
				// Auction prices are of the order of the cost range, so
				// rounding is relative to it (it matters only for "wide-range").
				lo, hi := 0.0, 0.0
				for _, c := range cost {
					lo, hi = min(lo, c), max(hi, c)
				}
				if math.Abs(total-want) > 1e-9*(1+math.Abs(want))+float64(n)*(hi-lo)*1e-15 {
					t.Fatalf("%s n=%d: auction route %v, brute force %v\ncost %v", kind.name, n, total, want, cost)
				}
			}
		}
	}
}

// TestAssignCertificate checks optimality on larger problems through the
// dual certificate the algorithm leaves: reduced costs c − u − v ≥ 0
// everywhere and 0 on the assignment prove the total is minimal.
func TestAssignCertificate(t *testing.T) {
	rng := rand.New(rand.NewPCG(17, 18))
	kinds := append([]costKind{{"euclidean²", nil}}, costKinds...)
	for _, kind := range kinds {
		for _, n := range []int{10, 57, 200} {
			var cost []float64
			if kind.gen == nil {
				cost = sqDistMatrix(randomCloud(rng, n), randomCloud(rng, n))
			} else {
				cost = make([]float64, n*n)
				for i := range cost {
					cost[i] = kind.gen(rng)
				}
			}
			scale := 0.0
			for _, c := range cost {
				scale = max(scale, math.Abs(c))
			}
			tol := 1e-9 * (1 + scale)
			want := Assign(cost, n, make([]int, n))
			// Budget −1: shortest paths only; 0: auction prices first.
			for _, budget := range []int{-1, 0, 10 * n} {
				x := make([]int, n)
				v := new(Assigner).lapjv(cost, n, x, budget, budget == 0)
				total := 0.0
				for i, j := range x {
					total += cost[i*n+j]
				}
				checkPermutation(t, cost, n, x, total)
				if math.Abs(total-want) > tol*float64(n) {
					t.Fatalf("%s n=%d budget %d: total %v, Assign %v", kind.name, n, budget, total, want)
				}
				for i := range n {
					u := cost[i*n+x[i]] - v[x[i]]
					for j := range n {
						if r := cost[i*n+j] - u - v[j]; r < -tol {
							t.Fatalf("%s n=%d budget %d: reduced cost c[%d][%d] = %v < 0", kind.name, n, budget, i, j, r)
						}
					}
				}
			}
		}
	}
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
		new(Assigner).lapjv(cost, n, rowToCol, -1, true)
		total := 0.0
		for i, j := range rowToCol {
			total += cost[i*n+j]
		}
		checkPermutation(t, cost, n, rowToCol, total)
		if total != want {
			t.Fatalf("n=%d: auction route %v, brute force %v, cost %v", n, total, want, cost)
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
	for _, n := range []int{256, 1000, 2000} {
		uniform := make([]float64, n*n)
		for i := range uniform {
			uniform[i] = rng.Float64()
		}
		// Gaussian noise to a two-moons-like target: the minibatch-OT case.
		target := make([]Vec, n)
		for i := range target {
			s := math.Pi * rng.Float64()
			if i%2 == 0 {
				target[i] = Vec{2*math.Cos(s) - 1, 2 * math.Sin(s)}
			} else {
				target[i] = Vec{2 - 2*math.Cos(s) - 1, 1 - 2*math.Sin(s) - 1}
			}
		}
		euclid := sqDistMatrix(randomCloud(rng, n), target)
		for _, tc := range []struct {
			name string
			cost []float64
		}{{"uniform", uniform}, {"euclidean²", euclid}} {
			b.Run(fmt.Sprintf("%s/n=%d", tc.name, n), func(b *testing.B) {
				rowToCol := make([]int, n)
				for b.Loop() {
					Assign(tc.cost, n, rowToCol)
				}
			})
		}
	}
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

// TestAssignerReuse checks that one Assigner solving problems of changing
// sizes and kinds agrees with fresh ones, and allocates nothing once warm.
func TestAssignerReuse(t *testing.T) {
	rng := rand.New(rand.NewPCG(43, 44))
	var reused Assigner
	for _, n := range []int{50, 3, 120, 1, 0, 77} {
		for _, kind := range costKinds {
			cost := make([]float64, n*n)
			for i := range cost {
				cost[i] = kind.gen(rng)
			}
			got, want := make([]int, n), make([]int, n)
			total := reused.Assign(cost, n, got)
			if fresh := Assign(cost, n, want); total != fresh || !slices.Equal(got, want) {
				t.Fatalf("%s n=%d: reused Assigner %v %v, fresh %v %v", kind.name, n, total, got, fresh, want)
			}
			// The same through the auction route.
			reused.lapjv(cost, n, got, -1, true)
			new(Assigner).lapjv(cost, n, want, -1, true)
			if !slices.Equal(got, want) {
				t.Fatalf("%s n=%d: auction route, reused Assigner %v, fresh %v", kind.name, n, got, want)
			}
		}
	}
	cost := sqDistMatrix(randomCloud(rng, 100), randomCloud(rng, 100))
	rowToCol := make([]int, 100)
	if allocs := testing.AllocsPerRun(5, func() { reused.Assign(cost, 100, rowToCol) }); allocs != 0 {
		t.Errorf("warm Assigner: %v allocations per call", allocs)
	}
}
