package drawing

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/flowviz/flowviz/flow"
)

func rng() *rand.Rand { return rand.New(rand.NewPCG(1, 2)) }

func TestSprayStaysInDiscAndFillsIt(t *testing.T) {
	tests := []struct {
		name string
		c    flow.Vec
		r    float64
		n    int
	}{
		{"origin", flow.Vec{0, 0}, 1, 4000},
		{"far away", flow.Vec{1e4, -3e4}, 0.5, 4000},
		{"tiny", flow.Vec{2, 3}, 1e-3, 100},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := New(nil)
			if got := d.Spray(rng(), tc.c, tc.r, tc.n); got != tc.n {
				t.Fatalf("added %d, want %d", got, tc.n)
			}
			inner := 0
			var mx, my float64
			for _, p := range d.Points() {
				dist := math.Hypot(p[0]-tc.c[0], p[1]-tc.c[1])
				if dist > tc.r*(1+1e-9) {
					t.Fatalf("point %v is %g from the centre, radius %g", p, dist, tc.r)
				}
				if dist < tc.r/math.Sqrt2 {
					inner++
				}
				mx += p[0] - tc.c[0]
				my += p[1] - tc.c[1]
			}
			// Uniform over the area: half the points lie within r/√2.
			if f := float64(inner) / float64(tc.n); tc.n >= 1000 && math.Abs(f-0.5) > 0.04 {
				t.Errorf("fraction within r/√2 = %.3f, want 0.5 ± 0.04", f)
			}
			if tc.n >= 1000 && (math.Abs(mx/float64(tc.n)) > 0.05*tc.r || math.Abs(my/float64(tc.n)) > 0.05*tc.r) {
				t.Errorf("mean offset (%g, %g) not near 0", mx/float64(tc.n), my/float64(tc.n))
			}
		})
	}
}

func TestLineFollowsTheSegment(t *testing.T) {
	tests := []struct {
		name      string
		a, b      flow.Vec
		spacing   float64
		halfWidth float64
		want      int
	}{
		{"horizontal", flow.Vec{-1, 0}, flow.Vec{1, 0}, 0.1, 0, 21},
		{"diagonal banded", flow.Vec{0, 0}, flow.Vec{3, 4}, 0.5, 0.2, 11},
		{"a dot", flow.Vec{2, 2}, flow.Vec{2, 2}, 0.1, 0, 1},
		{"no spacing", flow.Vec{0, 0}, flow.Vec{1, 0}, 0, 0, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := New(nil)
			if got := d.Line(rng(), tc.a, tc.b, tc.spacing, tc.halfWidth); got != tc.want {
				t.Fatalf("added %d, want %d", got, tc.want)
			}
			dx, dy := tc.b[0]-tc.a[0], tc.b[1]-tc.a[1]
			l := math.Hypot(dx, dy)
			for _, p := range d.Points() {
				if l == 0 {
					if p != tc.a {
						t.Fatalf("dot at %v, want %v", p, tc.a)
					}
					continue
				}
				// Distance from the line and position along it.
				off := math.Abs((p[0]-tc.a[0])*dy-(p[1]-tc.a[1])*dx) / l
				along := ((p[0]-tc.a[0])*dx + (p[1]-tc.a[1])*dy) / l
				if off > tc.halfWidth+1e-9 || along < -1e-9 || along > l+1e-9 {
					t.Fatalf("point %v off the band: off %g along %g", p, off, along)
				}
			}
		})
	}
}

func TestEraseRemovesOnlyInsideRadius(t *testing.T) {
	d := New([]flow.Vec{{0, 0}, {0.5, 0}, {1, 0}, {2, 0}, {0, -0.99}})
	if got := d.Erase(flow.Vec{0, 0}, 1); got != 4 {
		t.Fatalf("erased %d, want 4", got)
	}
	if pts := d.Points(); len(pts) != 1 || pts[0] != (flow.Vec{2, 0}) {
		t.Fatalf("left %v, want [[2 0]]", pts)
	}
	v := d.Version()
	if d.Erase(flow.Vec{10, 10}, 1) != 0 || d.Version() != v || d.CanRedo() {
		t.Fatal("an erase that removes nothing must not change the version")
	}
}

func TestUndoRedo(t *testing.T) {
	d := New(nil)
	r := rng()
	// Stroke 1: three sprays in one step. Stroke 2: a line. Then clear.
	d.Begin()
	d.Spray(r, flow.Vec{0, 0}, 1, 10)
	d.Spray(r, flow.Vec{1, 0}, 1, 10)
	d.Spray(r, flow.Vec{2, 0}, 1, 10)
	d.End()
	d.Line(r, flow.Vec{0, 0}, flow.Vec{1, 0}, 0.1, 0)
	d.Clear()
	steps := []struct {
		op   string
		ok   bool
		want int
	}{
		{"undo", true, 41},
		{"undo", true, 30},
		{"undo", true, 0},
		{"undo", false, 0},
		{"redo", true, 30},
		{"redo", true, 41},
		{"redo", true, 0},
		{"redo", false, 0},
		{"undo", true, 41},
	}
	for i, s := range steps {
		var ok bool
		if s.op == "undo" {
			ok = d.Undo()
		} else {
			ok = d.Redo()
		}
		if ok != s.ok || d.Len() != s.want {
			t.Fatalf("step %d %s: ok %v len %d, want ok %v len %d", i, s.op, ok, d.Len(), s.ok, s.want)
		}
	}
	// A new edit after undo drops the redo branch.
	d.Spray(r, flow.Vec{5, 5}, 1, 5)
	if d.CanRedo() || d.Len() != 46 {
		t.Fatalf("after a new edit: can redo %v, len %d; want false, 46", d.CanRedo(), d.Len())
	}
}

func TestEmptyStrokeLeavesNoUndoStep(t *testing.T) {
	d := New([]flow.Vec{{1, 1}})
	d.Begin()
	d.Erase(flow.Vec{9, 9}, 1)
	d.End()
	if d.CanUndo() {
		t.Fatal("a stroke that changed nothing left an undo step")
	}
}

func TestCap(t *testing.T) {
	tests := []struct {
		name  string
		start int
		spray int
		added int
	}{
		{"under", 0, 100, 100},
		{"reaches", MaxPoints - 10, 100, 10},
		{"full", MaxPoints, 5, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := New(make([]flow.Vec, tc.start))
			got := d.Spray(rng(), flow.Vec{}, 1, tc.spray)
			if got != tc.added || d.Len() > MaxPoints {
				t.Fatalf("added %d (len %d), want %d", got, d.Len(), tc.added)
			}
			if d.Capped() != (tc.added < tc.spray) {
				t.Fatalf("Capped %v with %d of %d added", d.Capped(), got, tc.spray)
			}
		})
	}
	if d := New(make([]flow.Vec, MaxPoints+5)); d.Len() != MaxPoints || !d.Capped() {
		t.Fatalf("New kept %d points, want %d and capped", d.Len(), MaxPoints)
	}
}

func TestNewAndReplaceDropNonFinite(t *testing.T) {
	pts := []flow.Vec{{1, 2}, {math.NaN(), 0}, {0, math.Inf(1)}, {3, 4}}
	if d := New(pts); d.Len() != 2 {
		t.Fatalf("New kept %d points, want 2", d.Len())
	}
	d := New(nil)
	d.Replace(pts)
	b, ok := d.Bounds()
	if !ok || b != [4]float64{1, 2, 3, 4} {
		t.Fatalf("bounds %v %v, want [1 2 3 4]", b, ok)
	}
	if !d.Undo() || d.Len() != 0 {
		t.Fatal("Replace is not undoable")
	}
	if _, ok := d.Bounds(); ok {
		t.Fatal("an empty doc has bounds")
	}
}

func BenchmarkSpray(b *testing.B) {
	r := rng()
	for b.Loop() {
		d := New(nil)
		d.Spray(r, flow.Vec{}, 1, 1000)
	}
}

// TestLabels checks that each point keeps the class it was drawn with
// through erasing, undo and redo, and that loading clamps classes.
func TestLabels(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	d := New(nil)
	d.Spray(rng, flow.Vec{0, 0}, 0.5, 10)
	if d.Labelled() {
		t.Fatal("a one-colour drawing reports classes")
	}
	d.Label = 3
	d.Spray(rng, flow.Vec{5, 0}, 0.5, 10)
	d.Label = 9 // beyond the colours: the last one
	d.Line(rng, flow.Vec{0, 5}, flow.Vec{1, 5}, 0.25, 0)
	if !d.Labelled() || len(d.Labels()) != d.Len() {
		t.Fatalf("labelled %v, %d labels for %d points", d.Labelled(), len(d.Labels()), d.Len())
	}
	check := func(when string) {
		t.Helper()
		for i, p := range d.Points() {
			want := 0
			switch {
			case p[1] > 4:
				want = Colours - 1
			case p[0] > 2.5:
				want = 3
			}
			if d.Labels()[i] != want {
				t.Fatalf("%s: point %v has class %d, want %d", when, p, d.Labels()[i], want)
			}
		}
	}
	check("drawn")
	n := d.Len()
	d.Erase(flow.Vec{0, 0}, 1)
	check("after erasing")
	if d.Len() != n-10 {
		t.Fatalf("erased to %d points, want %d", d.Len(), n-10)
	}
	d.Undo()
	check("after undo")
	d.Redo()
	check("after redo")
	d.ReplaceLabeled([]flow.Vec{{0, 0}, {1, 1}, {math.NaN(), 0}}, []int{-4, 2, 5})
	if got := d.Labels(); len(got) != 2 || got[0] != 0 || got[1] != 2 {
		t.Fatalf("replaced labels %v, want [0 2]", got)
	}
	if l := NewLabeled([]flow.Vec{{0, 0}}, []int{1, 2}).Labels(); l[0] != 0 {
		t.Errorf("labels of another length gave %v, want class 0", l)
	}
}
