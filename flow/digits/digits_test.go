package digits

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/flowviz/flowviz/flow/cputime"
)

func newGen(t testing.TB, side int) *Generator {
	t.Helper()
	g, err := New(side, DefaultJitter())
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// TestDeterministic checks that a seed fixes every image and label, and that
// another seed changes them.
func TestDeterministic(t *testing.T) {
	for _, side := range []int{8, 16} {
		g := newGen(t, side)
		draw := func(seed uint64) ([]float32, []int) {
			x, l := make([]float32, 50*g.Dim()), make([]int, 50)
			g.Sample(rand.New(rand.NewPCG(seed, 1)), x, l)
			return x, l
		}
		x1, l1 := draw(7)
		x2, l2 := draw(7)
		x3, _ := draw(8)
		if !slices.Equal(x1, x2) || !slices.Equal(l1, l2) {
			t.Errorf("side %d: two draws with seed 7 differ", side)
		}
		if slices.Equal(x1, x3) {
			t.Errorf("side %d: seeds 7 and 8 draw the same images", side)
		}
	}
}

// TestClassesAndRange checks that every digit and font appears in 2,000
// draws in roughly equal shares, that pixels lie in [0, 1], and that every
// image has ink and background.
func TestClassesAndRange(t *testing.T) {
	for _, side := range []int{8, 16} {
		g := newGen(t, side)
		rng := rand.New(rand.NewPCG(3, 4))
		var digits [Classes]int
		var fonts [len(FontNames)]int
		x := make([]float32, g.Dim())
		const n = 2000
		for range n {
			p := g.Draw(rng, x)
			digits[p.Digit]++
			fonts[p.Font]++
			lo, hi := float32(1), float32(0)
			for _, v := range x {
				if !(v >= 0 && v <= 1) {
					t.Fatalf("side %d: pixel %v outside [0, 1] in %+v", side, v, p)
				}
				lo, hi = min(lo, v), max(hi, v)
			}
			if lo > 0.1 || hi < 0.5 {
				t.Fatalf("side %d: %+v has pixels %v..%v, want background ≤ 0.1 and ink ≥ 0.5", side, p, lo, hi)
			}
		}
		for d, c := range digits {
			if c < n/Classes/2 {
				t.Errorf("side %d: digit %d drawn %d times in %d", side, d, c, n)
			}
		}
		for f, c := range fonts {
			if c < n/len(fonts)/2 {
				t.Errorf("side %d: font %s drawn %d times in %d", side, FontNames[f], c, n)
			}
		}
	}
}

// inkMoments returns the ink's total and centroid (x, y) in pixels.
func inkMoments(x []float32, side int) (total, cx, cy float64) {
	for i, v := range x {
		w := float64(v)
		total += w
		cx += w * (float64(i%side) + 0.5)
		cy += w * (float64(i/side) + 0.5)
	}
	return total, cx / total, cy / total
}

// TestJitterWithinBounds checks that drawn parameters stay within the
// jitter's bounds, that the ink stays inside the frame (the border rows and
// columns of every 16 × 16 image are nearly empty), and that ShiftX moves
// the ink's centroid by the shift.
func TestJitterWithinBounds(t *testing.T) {
	g := newGen(t, 16)
	j := g.Jitter()
	rng := rand.New(rand.NewPCG(5, 6))
	x := make([]float32, g.Dim())
	for range 2000 {
		p := g.Draw(rng, x)
		if math.Abs(p.Rotate) > j.Rotate || p.Scale < j.MinScale || p.Scale > j.MaxScale ||
			math.Abs(p.ShiftX) > j.Shift || math.Abs(p.ShiftY) > j.Shift ||
			math.Abs(p.Weight) > j.Weight || p.Blur < j.MinBlur || p.Blur > j.MaxBlur {
			t.Fatalf("%+v outside %+v", p, j)
		}
		var border float32
		for i, v := range x {
			if c, r := i%16, i/16; c == 0 || r == 0 || c == 15 || r == 15 {
				border = max(border, v)
			}
		}
		if border > 0.5 {
			t.Fatalf("%+v: ink %.2f on the frame's border", p, border)
		}
	}
	// The same digit shifted right by 0.1 of the side: the centroid moves
	// by 1.6 pixels (less a little, as the frame clips the blur's tail).
	p := Params{Digit: 4, Font: 0, Scale: 1, Blur: 0.3}
	_, cx0, cy0 := inkMoments(render(g, p), 16)
	p.ShiftX = 0.1
	_, cx1, cy1 := inkMoments(render(g, p), 16)
	if d := cx1 - cx0; math.Abs(d-1.6) > 0.1 || math.Abs(cy1-cy0) > 0.05 {
		t.Errorf("shift 0.1 moved the centroid by (%.3f, %.3f), want (1.6, 0)", d, cy1-cy0)
	}
	// Unshifted digits have their ink's bounding box centred within a
	// pixel (their centroid need not be: a 7 is top-heavy).
	for d := range Classes {
		for f := range FontNames {
			x := render(g, Params{Digit: d, Font: f, Scale: 1})
			x0, y0, x1, y1 := 16, 16, -1, -1
			for i, v := range x {
				if v > 0.3 {
					x0, y0 = min(x0, i%16), min(y0, i/16)
					x1, y1 = max(x1, i%16), max(y1, i/16)
				}
			}
			cx, cy := float64(x0+x1+1)/2, float64(y0+y1+1)/2
			if math.Abs(cx-8) > 1 || math.Abs(cy-8) > 1 {
				t.Errorf("digit %d font %s: ink box centred at (%.1f, %.1f), want near (8, 8)", d, FontNames[f], cx, cy)
			}
		}
	}
	// Weight thickens: more ink at +0.15 than at −0.15.
	thin, _, _ := inkMoments(render(g, Params{Digit: 8, Scale: 1, Weight: -0.15}), 16)
	bold, _, _ := inkMoments(render(g, Params{Digit: 8, Scale: 1, Weight: 0.15}), 16)
	if !(bold > 1.3*thin) {
		t.Errorf("ink at weight −0.15: %.1f, at +0.15: %.1f; want bolder to have ≥ 30%% more", thin, bold)
	}
}

func render(g *Generator, p Params) []float32 {
	x := make([]float32, g.Dim())
	g.Render(p, x)
	return x
}

func TestNewRejects(t *testing.T) {
	bad := []Jitter{
		{Rotate: -1, MinScale: 1, MaxScale: 1},
		{MinScale: 1.2, MaxScale: 1},
		{MinScale: 1, MaxScale: 1, Shift: 0.5},
		{MinScale: 1, MaxScale: 1, Weight: math.NaN()},
		{MinScale: 1, MaxScale: 1, MinBlur: 1, MaxBlur: 0.5},
	}
	for _, j := range bad {
		if _, err := New(16, j); err == nil {
			t.Errorf("New accepted %+v", j)
		}
	}
	for _, side := range []int{0, 7, 65} {
		if _, err := New(side, DefaultJitter()); err == nil {
			t.Errorf("New accepted side %d", side)
		}
	}
}

func TestGrid(t *testing.T) {
	x := make([]float32, 3*4)
	x[0], x[5], x[11] = 1, 2, -1 // clipped to [0, 1]
	img, err := Grid(x, 2, 2, 1)
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() != 2*3+1 || b.Dy() != 2*3+1 {
		t.Fatalf("grid bounds %v", b)
	}
	if got := img.GrayAt(1, 1).Y; got != 255 {
		t.Errorf("first pixel %d, want 255", got)
	}
	if got := img.GrayAt(4+1, 1).Y; got != 255 { // image 1, pixel (0, 0) → x[4]… is 0; x[5] is (1, 0)
		t.Errorf("clipped pixel %d, want 255", got)
	}
	if _, err := Grid(x[:5], 2, 2, 1); err == nil {
		t.Error("Grid accepted a partial image")
	}
}

// BenchmarkSample draws batches of 256 images, as one training step does.
func BenchmarkSample(b *testing.B) {
	for _, side := range []int{8, 16} {
		b.Run(map[int]string{8: "8x8", 16: "16x16"}[side], func(b *testing.B) {
			g := newGen(b, side)
			rng := rand.New(rand.NewPCG(1, 1))
			x, l := make([]float32, 256*g.Dim()), make([]int, 256)
			b.ResetTimer()
			cpu0 := cputime.Process()
			for range b.N {
				g.Sample(rng, x, l)
			}
			// CPU time, not wall time: the machine is shared.
			b.ReportMetric(float64((cputime.Process()-cpu0).Microseconds())/float64(b.N*256), "cpu-µs/image")
		})
	}
}
