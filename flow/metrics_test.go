package flow

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

func translated(a []Vec, d Vec, rng *rand.Rand) []Vec {
	b := make([]Vec, len(a))
	for i, p := range a {
		b[i] = Vec{p[0] + d[0], p[1] + d[1]}
	}
	rng.Shuffle(len(b), func(i, j int) { b[i], b[j] = b[j], b[i] })
	return b
}

func TestW2KnownAnswers(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 22))
	cloud := randomCloud(rng, 300)
	for _, tc := range []struct {
		name string
		a, b []Vec
		want float64
	}{
		{"identical", cloud, cloud, 0},
		{"translate (3,4)", cloud, translated(cloud, Vec{3, 4}, rng), 5},
		{"translate (−0.1,0)", cloud, translated(cloud, Vec{-0.1, 0}, rng), 0.1},
		{"two points up one", []Vec{{0, 0}, {1, 0}}, []Vec{{1, 1}, {0, 1}}, 1},
		// Crossing pairs: the plan swaps them; cost (1² + 1²)/2.
		{"swap", []Vec{{0, 0}, {2, 0}}, []Vec{{3, 0}, {-1, 0}}, 1},
		{"single", []Vec{{1, 1}}, []Vec{{4, 5}}, 5},
	} {
		got, err := W2(tc.a, tc.b)
		if err != nil || math.Abs(got-tc.want) > 1e-9 {
			t.Errorf("%s: W2 = %v, %v; want %v", tc.name, got, err, tc.want)
		}
	}
}

// TestW2OneDimension: on a line W2 is the sorted (quantile) matching, which
// quantileW2Sq computes independently.
func TestW2OneDimension(t *testing.T) {
	rng := rand.New(rand.NewPCG(23, 24))
	for _, n := range []int{5, 50, 400} {
		a, b := make([]Vec, n), make([]Vec, n)
		xa, xb := make([]float64, n), make([]float64, n)
		for i := range a {
			xa[i], xb[i] = rng.NormFloat64(), 2*rng.ExpFloat64()
			a[i], b[i] = Vec{xa[i], 0}, Vec{xb[i], 0}
		}
		slices.Sort(xa)
		slices.Sort(xb)
		want := math.Sqrt(quantileW2Sq(xa, xb))
		if got, err := W2(a, b); err != nil || math.Abs(got-want) > 1e-9 {
			t.Errorf("n=%d: W2 = %v, %v; sorted matching %v", n, got, err, want)
		}
	}
}

func TestW2Errors(t *testing.T) {
	for _, tc := range []struct {
		a, b []Vec
		err  string
	}{
		{make([]Vec, 3), make([]Vec, 4), "sizes must match"},
		{nil, nil, "empty"},
		{make([]Vec, MaxW2Points+1), make([]Vec, MaxW2Points+1), "at most"},
	} {
		if _, err := W2(tc.a, tc.b); err == nil || !strings.Contains(err.Error(), tc.err) {
			t.Errorf("W2(%d, %d points) error = %v, want %q", len(tc.a), len(tc.b), err, tc.err)
		}
	}
}

func TestSlicedW2(t *testing.T) {
	rng := rand.New(rand.NewPCG(25, 26))
	cloud := randomCloud(rng, 500)
	doubled := append(append([]Vec(nil), cloud...), cloud...)
	d := Vec{1.5, -2}
	for _, tc := range []struct {
		name string
		a, b []Vec
		want float64
	}{
		{"identical", cloud, cloud, 0},
		{"each point twice", cloud, doubled, 0},
		// E_θ ⟨d, θ⟩² = |d|²/2 exactly over equally spaced directions.
		{"translate", cloud, translated(cloud, d, rng), math.Hypot(d[0], d[1]) / math.Sqrt2},
		{"points", []Vec{{0, 0}}, []Vec{{0, 2}}, math.Sqrt2},
	} {
		for _, p := range []int{2, 7, 50} {
			if got := SlicedW2(tc.a, tc.b, p, rng); math.Abs(got-tc.want) > 1e-9 {
				t.Errorf("%s, %d projections: SlicedW2 = %v, want %v", tc.name, p, got, tc.want)
			}
		}
	}
	if got := SlicedW2(nil, cloud, 3, nil); !math.IsNaN(got) {
		t.Errorf("empty: SlicedW2 = %v, want NaN", got)
	}
}

// TestSlicedW2BelowW2 checks SW2 ≤ W2 (projections are 1-Lipschitz) and that
// unequal sizes work: 1D quantile matching of n vs 2n points against W2 of
// the n-point cloud duplicated.
func TestSlicedW2BelowW2(t *testing.T) {
	rng := rand.New(rand.NewPCG(27, 28))
	for range 5 {
		a := randomCloud(rng, 200)
		b := translated(randomCloud(rng, 200), Vec{rng.NormFloat64(), 0}, rng)
		w2, err := W2(a, b)
		if err != nil {
			t.Fatal(err)
		}
		sw := SlicedW2(a, b, 64, rng)
		if sw > w2+1e-12 || sw <= 0 {
			t.Errorf("SlicedW2 = %v, W2 = %v", sw, w2)
		}
		bb := append(append([]Vec(nil), b...), b...)
		if sw2 := SlicedW2(a, bb, 64, rand.New(rand.NewPCG(1, 1))); math.Abs(sw2-SlicedW2(a, b, 64, rand.New(rand.NewPCG(1, 1)))) > 1e-12 {
			t.Errorf("duplicating b changed SlicedW2: %v", sw2)
		}
	}
}

func TestQuantileW2Sq(t *testing.T) {
	for _, tc := range []struct {
		a, b []float64
		want float64
	}{
		{[]float64{0}, []float64{3}, 9},
		{[]float64{0, 1}, []float64{0, 1}, 0},
		// a = {0, 1} steps at ½; b = {0, 0, 3} steps at ⅓ and ⅔:
		// [0,⅓): 0−0, [⅓,½): 0−0, [½,⅔): 1−0 → ⅙·1, [⅔,1): 1−3 → ⅓·4
		{[]float64{0, 1}, []float64{0, 0, 3}, 1.0/6 + 4.0/3},
	} {
		if got := quantileW2Sq(tc.a, tc.b); math.Abs(got-tc.want) > 1e-12 {
			t.Errorf("quantileW2Sq(%v, %v) = %v, want %v", tc.a, tc.b, got, tc.want)
		}
	}
}

func TestEnergyDistance(t *testing.T) {
	rng := rand.New(rand.NewPCG(29, 30))
	cloud := randomCloud(rng, 300)
	other := randomCloud(rng, 250)
	for _, tc := range []struct {
		name string
		a, b []Vec
		want float64 // −1: only check > 0
		tol  float64
	}{
		{"identical", cloud, cloud, 0, 1e-12},
		{"shuffled", cloud, translated(cloud, Vec{}, rng), 0, 1e-12},
		// Single points: 2|d| − 0 − 0.
		{"points", []Vec{{1, 1}}, []Vec{{4, 5}}, 10, 1e-12},
		// {0, 2} vs {1}: 2·1 − (0 + 2 + 2 + 0)/4 − 0 = 1.
		{"pair vs midpoint", []Vec{{0, 0}, {2, 0}}, []Vec{{1, 0}}, 1, 1e-12},
		{"translated", cloud, translated(cloud, Vec{0.5, 0}, rng), -1, 0},
		{"two samples", cloud, other, -1, 0},
	} {
		got := EnergyDistance(tc.a, tc.b)
		back := EnergyDistance(tc.b, tc.a)
		if math.Abs(got-back) > 1e-12 {
			t.Errorf("%s: not symmetric: %v vs %v", tc.name, got, back)
		}
		if tc.want < 0 {
			if !(got > 0) {
				t.Errorf("%s: EnergyDistance = %v, want > 0", tc.name, got)
			}
			continue
		}
		if math.Abs(got-tc.want) > tc.tol {
			t.Errorf("%s: EnergyDistance = %v, want %v", tc.name, got, tc.want)
		}
	}
	// A larger shift is further away.
	near := EnergyDistance(cloud, translated(cloud, Vec{0.2, 0}, rng))
	far := EnergyDistance(cloud, translated(cloud, Vec{1, 0}, rng))
	if !(far > near && near > 0) {
		t.Errorf("shift 0.2 → %v, shift 1 → %v", near, far)
	}
	if !math.IsNaN(EnergyDistance(nil, cloud)) {
		t.Error("empty input is not NaN")
	}
}

// straightTrajectories moves a[i] to b[i] along straight lines at constant
// speed, recorded at N+1 uniform times.
func straightTrajectories(a, b []Vec, n int) [][]Vec {
	traj := make([][]Vec, n+1)
	for k := range traj {
		t := float64(k) / float64(n)
		traj[k] = make([]Vec, len(a))
		for i := range a {
			traj[k][i] = Vec{(1-t)*a[i][0] + t*b[i][0], (1-t)*a[i][1] + t*b[i][1]}
		}
	}
	return traj
}

func TestTrajectoryMetricsStraight(t *testing.T) {
	rng := rand.New(rand.NewPCG(31, 32))
	a, b := randomCloud(rng, 100), randomCloud(rng, 100)
	for _, n := range []int{1, 10, 100} {
		traj := straightTrajectories(a, b, n)
		want := 0.0
		for i := range a {
			want += sqDist(a[i], b[i], 1) / float64(len(a))
		}
		if got := PathEnergy(traj); math.Abs(got-want) > 1e-10 {
			t.Errorf("N=%d: PathEnergy = %v, mean ‖x1−x0‖² = %v", n, got, want)
		}
		if got := Straightness(traj); math.Abs(got) > 1e-10 {
			t.Errorf("N=%d: Straightness of straight lines = %v", n, got)
		}
	}
}

// TestNormalizedPathEnergyOT: straight lines along the optimal assignment
// have PE = W2², so NPE ≈ 0; along a random pairing PE > W2².
func TestNormalizedPathEnergyOT(t *testing.T) {
	rng := rand.New(rand.NewPCG(33, 34))
	const n = 300
	a, b := randomCloud(rng, n), randomCloud(rng, n)
	for i := range b {
		b[i][0] += 3
	}
	w2, err := W2(a, b)
	if err != nil {
		t.Fatal(err)
	}
	rowToCol := make([]int, n)
	Assign(sqDistMatrix(a, b), n, rowToCol)
	matched := make([]Vec, n)
	for i, j := range rowToCol {
		matched[i] = b[j]
	}
	pe := PathEnergy(straightTrajectories(a, matched, 20))
	if npe := NormalizedPathEnergy(pe, w2*w2); npe > 1e-9 {
		t.Errorf("OT straight lines: NPE = %v (PE %v, W2² %v)", npe, pe, w2*w2)
	}
	peRandom := PathEnergy(straightTrajectories(a, b, 20))
	if npe := NormalizedPathEnergy(peRandom, w2*w2); npe < 0.05 {
		t.Errorf("independent pairing: NPE = %v, want clearly > 0", npe)
	}
}

// TestTrajectoryMetricsArc: a quarter turn of the unit circle at constant
// speed π/2 has PE = π²/4 and S = ∫‖chord − v‖² = |v|² − |chord|² = π²/4 − 2.
func TestTrajectoryMetricsArc(t *testing.T) {
	const n = 2000
	traj := make([][]Vec, n+1)
	for k := range traj {
		traj[k] = []Vec{rotate(Vec{1, 0}, math.Pi/2*float64(k)/n), rotate(Vec{0, -2}, math.Pi/2*float64(k)/n)}
	}
	// Radii 1 and 2: energies scale with r².
	wantPE := math.Pi * math.Pi / 4 * (1 + 4) / 2
	wantS := (math.Pi*math.Pi/4 - 2) * (1 + 4) / 2
	if got := PathEnergy(traj); math.Abs(got-wantPE) > 1e-5 {
		t.Errorf("PathEnergy = %v, want %v", got, wantPE)
	}
	if got := Straightness(traj); math.Abs(got-wantS) > 1e-5 {
		t.Errorf("Straightness = %v, want %v", got, wantS)
	}
}

func TestTrajectoryMetricsDegenerate(t *testing.T) {
	for _, traj := range [][][]Vec{nil, {}, {{}, {}}} {
		if !math.IsNaN(PathEnergy(traj)) || !math.IsNaN(Straightness(traj)) {
			t.Errorf("no particles %v: not NaN", traj)
		}
	}
	one := [][]Vec{{{1, 2}}}
	if PathEnergy(one) != 0 || Straightness(one) != 0 {
		t.Error("a single state has energy")
	}
	defer func() {
		if recover() == nil {
			t.Error("ragged trajectory: no panic")
		}
	}()
	PathEnergy([][]Vec{{{1, 2}}, {}})
}

func BenchmarkW2(b *testing.B) {
	rng := rand.New(rand.NewPCG(35, 36))
	for _, n := range []int{256, 1000, 2000} {
		x, y := randomCloud(rng, n), randomCloud(rng, n)
		for i := range y {
			y[i][0] = 2*y[i][0] + 1
		}
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			for b.Loop() {
				if _, err := W2(x, y); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkSlicedW2(b *testing.B) {
	rng := rand.New(rand.NewPCG(37, 38))
	x, y := randomCloud(rng, 2000), randomCloud(rng, 2000)
	for b.Loop() {
		SlicedW2(x, y, 64, rng)
	}
}

func BenchmarkEnergyDistance(b *testing.B) {
	rng := rand.New(rand.NewPCG(39, 40))
	x, y := randomCloud(rng, 2000), randomCloud(rng, 2000)
	for b.Loop() {
		EnergyDistance(x, y)
	}
}

// Moving a cloud by (3, 4) costs exactly the length of the move.
func ExampleW2() {
	a := []Vec{{0, 0}, {1, 0}, {0, 1}}
	b := []Vec{{3, 5}, {4, 4}, {3, 4}}
	w2, err := W2(a, b)
	fmt.Printf("%.6f %v\n", w2, err)
	// Output: 5.000000 <nil>
}

// TestPathEnergyAboveW2: no trajectories beat the optimal transport cost
// between their own endpoints (Benamou–Brenier).
func TestPathEnergyAboveW2(t *testing.T) {
	rng := rand.New(rand.NewPCG(41, 42))
	x := randomCloud(rng, 200)
	const n = 50
	traj := make([][]Vec, n+1)
	for k := range traj {
		traj[k] = make([]Vec, len(x))
	}
	Integrate(cosGrowth, RK4, x, 0, 1, n, traj)
	w2, err := W2(traj[0], traj[n])
	if err != nil {
		t.Fatal(err)
	}
	if pe := PathEnergy(traj); pe < w2*w2*(1-1e-9) {
		t.Errorf("PathEnergy %v below W2² %v", pe, w2*w2)
	}
}
