package assets

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/flowviz/flowviz/flow/data"
)

// Each shape loads, has a sensible amount of ink, and samples inside the
// default 8×8 square; where the silhouette has holes, points avoid them.
func TestShapes(t *testing.T) {
	tests := []struct {
		name         string
		minInk       float64 // fraction of the mask's pixels
		maxInk       float64
		hole, filled [2]float64 // world points outside and inside the ink
	}{
		{"heart", 0.4, 0.75, [2]float64{0, -3.95}, [2]float64{0, 0}},
		{"star", 0.2, 0.45, [2]float64{2.5, 2.5}, [2]float64{0, 0}},
		{"smiley", 0.45, 0.65, [2]float64{-1.2, 1.2}, [2]float64{0, 2.5}},
		{"letter-f", 0.2, 0.45, [2]float64{1, -2}, [2]float64{-1.5, 0}},
		{"arrow", 0.2, 0.45, [2]float64{-2, 2}, [2]float64{0, 0}},
	}
	if got := Names(); len(got) != len(tests) {
		t.Fatalf("Names() = %v, want %d shapes", got, len(tests))
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d, err := Shape(tc.name, data.MaskOptions{})
			if err != nil {
				t.Fatal(err)
			}
			w, h, ink := d.Pixels()
			if f := float64(ink) / float64(w*h); f < tc.minInk || f > tc.maxInk {
				t.Errorf("ink fraction %.2f outside [%.2f, %.2f]", f, tc.minInk, tc.maxInk)
			}
			pts := data.Sample(d, rand.New(rand.NewPCG(1, 2)), 5000)
			nearHole, nearFill := 0, 0
			for _, p := range pts {
				if math.Abs(p[0]) > 4 || math.Abs(p[1]) > 4 {
					t.Fatalf("point %v outside the 8×8 square", p)
				}
				if math.Hypot(p[0]-tc.hole[0], p[1]-tc.hole[1]) < 0.15 {
					nearHole++
				}
				if math.Hypot(p[0]-tc.filled[0], p[1]-tc.filled[1]) < 0.3 {
					nearFill++
				}
			}
			if nearHole > 0 || nearFill == 0 {
				t.Errorf("%d points at the hole %v, %d at the ink %v", nearHole, tc.hole, nearFill, tc.filled)
			}
		})
	}
}

func TestUnknownShape(t *testing.T) {
	if _, err := Shape("unicorn", data.MaskOptions{}); err == nil {
		t.Fatal("no error for an unknown shape")
	}
}
