package data

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/flowviz/flowviz/flow"
)

func newRNG(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)) }

// moments returns the mean and the per-axis variance of pts.
func moments(pts []flow.Vec) (mean, variance flow.Vec) {
	n := float64(len(pts))
	for _, p := range pts {
		mean[0] += p[0] / n
		mean[1] += p[1] / n
	}
	for _, p := range pts {
		variance[0] += (p[0] - mean[0]) * (p[0] - mean[0]) / n
		variance[1] += (p[1] - mean[1]) * (p[1] - mean[1]) / n
	}
	return mean, variance
}

func mustParse(t testing.TB, spec string) Dist {
	t.Helper()
	d, err := Parse(spec)
	if err != nil {
		t.Fatalf("Parse(%q): %v", spec, err)
	}
	return d
}

// TestBuiltinMoments checks the mean and per-axis variance of every default
// built-in against values derived from its formula.
func TestBuiltinMoments(t *testing.T) {
	const n = 40000
	// Variances that follow in closed form from each formula.
	checkerVar := 4.0 / 3 / (0.45 * 0.45) // U[−2, 2) marginals, ÷0.45
	tests := []struct {
		spec     string
		mean     flow.Vec
		variance flow.Vec
		tol      float64 // absolute tolerance on mean and variance
	}{
		{"gaussian", flow.Vec{0, 0}, flow.Vec{1, 1}, 0.04},
		{"gaussian:std=0.5,x=2,y=-1", flow.Vec{2, -1}, flow.Vec{0.25, 0.25}, 0.02},
		{"uniform", flow.Vec{0, 0}, flow.Vec{3, 3}, 0.1}, // a²/3 with a = 3
		// 8 centres at radius 5: E cos² = ½ → 12.5 + std².
		{"8gaussians", flow.Vec{0, 0}, flow.Vec{13.5, 13.5}, 0.4},
		{"checkerboard", flow.Vec{0, 0}, flow.Vec{checkerVar, checkerVar}, 0.15},
		{"checkerboard:scale=2", flow.Vec{0, 0}, flow.Vec{16.0 / 3, 16.0 / 3}, 0.15},
		// circles: radius² is 9 or 2.25 with probability ½, split over two axes, plus noise 0.24².
		{"circles", flow.Vec{0, 0}, flow.Vec{(9+2.25)/4 + 0.0576, (9+2.25)/4 + 0.0576}, 0.08},
		// rings: mean r² over radii 3, 2.25, 1.5, 0.75 is 4.21875, halved per axis, plus 0.08².
		{"rings", flow.Vec{0, 0}, flow.Vec{4.21875/2 + 0.0064, 4.21875/2 + 0.0064}, 0.08},
		// moons without noise, before scaling by 2: E x = ½(0) + ½(1) = ½,
		// E x² = ½(½) + ½(3/2) = 1; E y = ½(2/π) + ½(½ − 2/π) = ¼,
		// E y² = ½(½) + ½(¾ − 2/π) = 5/8 − 1/π. Shifting x by 1 centres it.
		{"moons:noise=0", flow.Vec{0, 0.5}, flow.Vec{4 * (1 - 0.25), 4 * (5.0/8 - 1/math.Pi - 1.0/16)}, 0.05},
	}
	for _, tc := range tests {
		t.Run(tc.spec, func(t *testing.T) {
			pts := Sample(mustParse(t, tc.spec), newRNG(1), n)
			mean, variance := moments(pts)
			for k := range 2 {
				if math.Abs(mean[k]-tc.mean[k]) > tc.tol || math.Abs(variance[k]-tc.variance[k]) > tc.tol {
					t.Fatalf("mean %v variance %v, want %v and %v ± %g", mean, variance, tc.mean, tc.variance, tc.tol)
				}
			}
		})
	}
}

// TestBuiltinSupport checks that noise-free samples lie exactly on the curve
// or region the formula describes.
func TestBuiltinSupport(t *testing.T) {
	const n = 5000
	const eps = 1e-9
	tests := []struct {
		spec string
		on   func(p flow.Vec) bool
	}{
		{"uniform:a=2", func(p flow.Vec) bool { return math.Abs(p[0]) <= 2 && math.Abs(p[1]) <= 2 }},
		{"8gaussians:std=0,radius=5", func(p flow.Vec) bool {
			a := math.Atan2(p[1], p[0]) / (math.Pi / 4)
			return math.Abs(math.Hypot(p[0], p[1])-5) < eps && math.Abs(a-math.Round(a)) < eps
		}},
		{"checkerboard:scale=1", func(p flow.Vec) bool {
			in := p[0] >= -2 && p[0] < 2 && p[1] >= -2 && p[1] < 2
			return in && (int(math.Floor(p[0]))+int(math.Floor(p[1])))%2 == 0
		}},
		// moons: unit circle about (0, 0) in the upper half or about (1, ½) in the lower half.
		{"moons:noise=0,scale=1,shift=0", func(p flow.Vec) bool {
			outer := math.Abs(math.Hypot(p[0], p[1])-1) < eps && p[1] >= -eps
			inner := math.Abs(math.Hypot(p[0]-1, p[1]-0.5)-1) < eps && p[1] <= 0.5+eps
			return outer || inner
		}},
		{"moons:noise=0,scale=3,shift=1,shift_y=1", func(p flow.Vec) bool {
			x, y := (p[0]+1)/3, (p[1]+1)/3
			return math.Abs(math.Hypot(x, y)-1) < eps || math.Abs(math.Hypot(x-1, y-0.5)-1) < eps
		}},
		{"circles:noise=0,factor=0.5,scale=3", func(p flow.Vec) bool {
			r := math.Hypot(p[0], p[1])
			return math.Abs(r-3) < eps || math.Abs(r-1.5) < eps
		}},
		{"rings:noise=0,radius=3,rings=4", func(p flow.Vec) bool {
			r := math.Hypot(p[0], p[1]) / 0.75
			return math.Abs(r-math.Round(r)) < eps && r > 0.5 && r < 4.5
		}},
		// pinwheel without spread: |x| = scale, at angle −(2πk/arms + rate·e).
		{"pinwheel:radial=0,tangential=0,arms=5,rate=0.25,scale=2", func(p flow.Vec) bool {
			k := (-math.Atan2(p[1], p[0]) - 0.25*math.E) / (2 * math.Pi / 5)
			return math.Abs(math.Hypot(p[0], p[1])-2) < eps && math.Abs(k-math.Round(k)) < 1e-7
		}},
		// swiss roll: the radius is t ∈ [1.5π, 4.5π] and the polar angle is t mod 2π.
		{"swissroll:noise=0,scale=1", func(p flow.Vec) bool {
			t := math.Hypot(p[0], p[1])
			turn := (t - math.Atan2(p[1], p[0])) / (2 * math.Pi)
			return t >= 1.5*math.Pi-eps && t <= 4.5*math.Pi+eps && math.Abs(turn-math.Round(turn)) < 1e-7
		}},
		// S curve: x² + (|y| − 1)² = 1 with |x| ≤ 1, |y| ≤ 2.
		{"scurve:noise=0,scale=1", func(p flow.Vec) bool {
			return math.Abs(p[0]*p[0]+(math.Abs(p[1])-1)*(math.Abs(p[1])-1)-1) < 1e-9
		}},
		// 2 spirals: 3p ± (½u₁, ½u₂) lies on n(−cos n, sin n) for some n ≤ 3π.
		{"2spirals:noise=0", func(p flow.Vec) bool {
			r := 3 * math.Hypot(p[0], p[1])
			return r <= 3*math.Pi+math.Sqrt2/2+eps
		}},
	}
	for _, tc := range tests {
		t.Run(tc.spec, func(t *testing.T) {
			for i, p := range Sample(mustParse(t, tc.spec), newRNG(2), n) {
				if !tc.on(p) {
					t.Fatalf("sample %d = %v is off the support", i, p)
				}
			}
		})
	}
}

// TestBuiltinMixtureWeights checks that every component of the mixtures is
// drawn about equally often.
func TestBuiltinMixtureWeights(t *testing.T) {
	const n = 40000
	tests := []struct {
		spec      string
		component func(p flow.Vec) int
		count     int
	}{
		{"8gaussians:std=0", func(p flow.Vec) int {
			return (int(math.Round(math.Atan2(p[1], p[0])/(math.Pi/4))) + 8) % 8
		}, 8},
		{"rings:noise=0,radius=4,rings=4", func(p flow.Vec) int { return int(math.Round(math.Hypot(p[0], p[1]))) - 1 }, 4},
		{"circles:noise=0,scale=1,factor=0.5", func(p flow.Vec) int {
			if math.Hypot(p[0], p[1]) > 0.75 {
				return 1
			}
			return 0
		}, 2},
		{"moons:noise=0,scale=1,shift=0", func(p flow.Vec) int {
			if math.Abs(math.Hypot(p[0], p[1])-1) < 1e-9 {
				return 0
			}
			return 1
		}, 2},
		{"checkerboard:scale=1", func(p flow.Vec) int {
			return 4*int(math.Floor(p[0])+2) + int(math.Floor(p[1])+2)
		}, 16},
	}
	for _, tc := range tests {
		t.Run(tc.spec, func(t *testing.T) {
			hist := make([]int, tc.count)
			for _, p := range Sample(mustParse(t, tc.spec), newRNG(3), n) {
				hist[tc.component(p)]++
			}
			nonEmpty := 0
			for _, h := range hist {
				if h > 0 {
					nonEmpty++
				}
			}
			want := float64(n) / float64(nonEmpty)
			for k, h := range hist {
				if h > 0 && math.Abs(float64(h)-want) > 5*math.Sqrt(want) {
					t.Fatalf("component %d drawn %d times, want about %.0f; histogram %v", k, h, want, hist)
				}
			}
			if tc.spec == "checkerboard:scale=1" && nonEmpty != 8 {
				t.Fatalf("checkerboard fills %d cells, want 8: %v", nonEmpty, hist)
			}
		})
	}
}

// TestBuiltinsFiniteAndDeterministic samples every default built-in: all
// points are finite, inside a generous view, and the same seed gives the
// same points.
func TestBuiltinsFiniteAndDeterministic(t *testing.T) {
	for _, name := range Names() {
		t.Run(name, func(t *testing.T) {
			d := mustParse(t, name)
			a := Sample(d, newRNG(7), 2000)
			b := Sample(d, newRNG(7), 2000)
			c := Sample(d, newRNG(8), 2000)
			same := 0
			for i := range a {
				if a[i] != b[i] {
					t.Fatalf("sample %d differs for the same seed: %v vs %v", i, a[i], b[i])
				}
				if a[i] == c[i] {
					same++
				}
				for _, v := range a[i] {
					if math.IsNaN(v) || math.IsInf(v, 0) || math.Abs(v) > 12 {
						t.Fatalf("sample %d = %v is not finite or far outside the view", i, a[i])
					}
				}
			}
			if same > 10 {
				t.Fatalf("%d of 2000 samples equal for different seeds", same)
			}
		})
	}
}

func BenchmarkSample(b *testing.B) {
	for _, name := range Names() {
		b.Run(name, func(b *testing.B) {
			d := mustParse(b, name)
			rng := newRNG(1)
			dst := make([]flow.Vec, 10000)
			b.ReportAllocs()
			for b.Loop() {
				d.Sample(rng, dst)
			}
			b.ReportMetric(float64(len(dst))*float64(b.N)/b.Elapsed().Seconds()/1e6, "Mpoints/s")
		})
	}
}

func ExampleParse() {
	d, err := Parse("moons:noise=0.2,scale=3")
	if err != nil {
		panic(err)
	}
	fmt.Println(d)
	pts := Sample(d, rand.New(rand.NewPCG(1, 2)), 3)
	fmt.Println(len(pts))
	// Output:
	// moons:noise=0.2,scale=3,shift=1,shift_y=0
	// 3
}
