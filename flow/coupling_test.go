package flow

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/flowviz/flowviz/flow/internal/approx"
)

func TestParseCoupling(t *testing.T) {
	for _, tc := range []struct {
		in, name, err string
	}{
		{"independent", "independent", ""},
		{" OT ", "ot", ""},
		{"Independent", "independent", ""},
		{"reflow", "", "unknown coupling"},
		{"", "", "unknown coupling"},
	} {
		c, err := ParseCoupling(tc.in)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("ParseCoupling(%q) error %v, want %q", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil || c.Name() != tc.name {
			t.Errorf("ParseCoupling(%q) = %v, %v; want %s", tc.in, c, err, tc.name)
		}
		if again, _ := ParseCoupling(c.Name()); again.Name() != c.Name() {
			t.Errorf("%s does not parse back", c.Name())
		}
	}
}

// pairCost is (1/n)·Σ ‖x0[i] − x1[i]‖².
func pairCost(x0, x1 []Vec) float64 {
	sum := 0.0
	for i := range x0 {
		dx, dy := x0[i][0]-x1[i][0], x0[i][1]-x1[i][1]
		sum += dx*dx + dy*dy
	}
	return sum / float64(len(x0))
}

// On a line the optimal pairing under squared distance is the monotone one
// (the k-th smallest x0 with the k-th smallest x1): a closed form that does
// not depend on the assignment solver. In the plane the OT pairs cost exactly
// W2², and no coupling loses or invents a point.
func TestCouplingPairs(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 3))
	line := func(n int, shift float64) []Vec {
		x := make([]Vec, n)
		for i := range x {
			x[i] = Vec{rng.NormFloat64() + shift, 0}
		}
		return x
	}
	plane := func(n int, shift float64) []Vec {
		x := make([]Vec, n)
		for i := range x {
			x[i] = Vec{rng.NormFloat64() + shift, rng.NormFloat64()}
		}
		return x
	}
	byX := func(a, b Vec) int { return cmp.Compare(a[0], b[0]) }
	ot := &OTCoupling{}
	for _, tc := range []struct {
		name     string
		coupling Coupling
		x0, x1   []Vec
	}{
		{"independent", IndependentCoupling{}, plane(50, 0), plane(50, 3)},
		{"ot on a line", ot, line(64, 0), line(64, 1)},
		{"ot on a line, reused and smaller", ot, line(9, -2), line(9, 2)},
		{"ot in the plane", ot, plane(128, 0), plane(128, 2)},
		{"ot of one pair", ot, plane(1, 0), plane(1, 1)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			x0, x1 := slices.Clone(tc.x0), slices.Clone(tc.x1)
			tc.coupling.Pair(x0, x1)
			if !slices.Equal(x0, tc.x0) {
				t.Fatal("Pair changed x0")
			}
			sorted, want := slices.Clone(x1), slices.Clone(tc.x1)
			slices.SortFunc(sorted, byX)
			slices.SortFunc(want, byX)
			if !slices.Equal(sorted, want) {
				t.Fatal("x1 is not a permutation of the draws")
			}
			switch {
			case tc.coupling.Name() == "independent":
				if !slices.Equal(x1, tc.x1) {
					t.Error("independent coupling reordered x1")
				}
			case strings.HasPrefix(tc.name, "ot on a line"):
				order := make([]int, len(x0))
				for i := range order {
					order[i] = i
				}
				slices.SortFunc(order, func(i, j int) int { return byX(x0[i], x0[j]) })
				for k, i := range order {
					approx.Check(t, "x1 matched to the k-th smallest x0", x1[i][0], want[k][0], 0, 0)
				}
			default:
				w, err := W2(tc.x0, tc.x1)
				if err != nil {
					t.Fatal(err)
				}
				approx.Check(t, "OT pair cost", pairCost(x0, x1), w*w, 1e-12, 1e-12)
			}
		})
	}
}

func TestCouplingPanicsOnUnequalSizes(t *testing.T) {
	for _, c := range []Coupling{IndependentCoupling{}, &OTCoupling{}} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: Pair of 3 with 2 points did not panic", c.Name())
				}
			}()
			c.Pair(make([]Vec, 3), make([]Vec, 2))
		}()
	}
}

func BenchmarkOTCoupling(b *testing.B) {
	for _, n := range []int{64, 256} {
		b.Run(fmt.Sprint("n=", n), func(b *testing.B) {
			rng := rand.New(rand.NewPCG(1, 1))
			x0, x1 := make([]Vec, n), make([]Vec, n)
			for i := range n {
				x0[i] = Vec{rng.NormFloat64(), rng.NormFloat64()}
				x1[i] = Vec{rng.NormFloat64() + 2, rng.NormFloat64()}
			}
			var c OTCoupling
			for b.Loop() {
				c.Pair(x0, x1)
			}
		})
	}
}
