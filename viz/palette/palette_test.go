package palette

import (
	"math"
	"testing"
)

func TestViridisAnchors(t *testing.T) {
	const tol = 1.0 / 255
	tests := []struct {
		u       float64
		r, g, b float32
	}{
		{0, 68, 1, 84},
		{0.5, 33, 145, 140},
		{1, 253, 231, 37},
		{-3, 68, 1, 84},           // clamped below
		{7, 253, 231, 37},         // clamped above
		{math.NaN(), 68, 1, 84},   // NaN never yields garbage
		{0.0625, 69.5, 23, 103.5}, // halfway between the first two anchors
	}
	for _, tc := range tests {
		c := Viridis(tc.u)
		if d := math.Abs(float64(c.R - tc.r/255)); d > tol {
			t.Errorf("Viridis(%v).R = %v, want %v", tc.u, c.R*255, tc.r)
		}
		if d := math.Abs(float64(c.G - tc.g/255)); d > tol {
			t.Errorf("Viridis(%v).G = %v, want %v", tc.u, c.G*255, tc.g)
		}
		if d := math.Abs(float64(c.B - tc.b/255)); d > tol {
			t.Errorf("Viridis(%v).B = %v, want %v", tc.u, c.B*255, tc.b)
		}
		if c.A != 1 {
			t.Errorf("Viridis(%v).A = %v, want 1", tc.u, c.A)
		}
	}
}

// luminance is the relative luminance of an sRGB colour (WCAG formula).
func luminance(c RGBA) float64 {
	lin := func(v float32) float64 {
		x := float64(v)
		if x <= 0.04045 {
			return x / 12.92
		}
		return math.Pow((x+0.055)/1.055, 2.4)
	}
	return 0.2126*lin(c.R) + 0.7152*lin(c.G) + 0.0722*lin(c.B)
}

func TestSpeedIsMonotoneInLightness(t *testing.T) {
	prev := -1.0
	for i := 0; i <= 20; i++ {
		l := luminance(Speed(float64(i), 20))
		if l <= prev {
			t.Fatalf("luminance not increasing at speed %d: %v <= %v", i, l, prev)
		}
		prev = l
	}
	// Speed 0 must stand out from the background.
	if luminance(Speed(0, 1)) < 2*luminance(Background) {
		t.Errorf("slowest arrow colour too close to the background")
	}
	if Speed(5, 0) != Speed(0, 1) {
		t.Errorf("max = 0 should give the slowest colour")
	}
}

func TestOKLCHKnownColours(t *testing.T) {
	tests := []struct {
		name    string
		l, c, h float64
		want    RGBA
	}{
		{"white", 1, 0, 0, RGBA{1, 1, 1, 1}},
		{"black", 0, 0, 0, RGBA{0, 0, 0, 1}},
		// L = 0.6: linear 0.6³ = 0.216, encoded 1.055·0.216^(1/2.4) − 0.055 ≈ 0.5020.
		{"mid grey", 0.6, 0, 0, RGBA{0.5020, 0.5020, 0.5020, 1}},
	}
	for _, tc := range tests {
		got := OKLCH(tc.l, tc.c, tc.h)
		for i, pair := range [][2]float32{{got.R, tc.want.R}, {got.G, tc.want.G}, {got.B, tc.want.B}} {
			if math.Abs(float64(pair[0]-pair[1])) > 2e-3 {
				t.Errorf("%s channel %d = %v, want %v", tc.name, i, pair[0], pair[1])
			}
		}
	}
}

func TestStartColoursDistinguishDirections(t *testing.T) {
	east, west := Start(1, 0, 1), Start(-1, 0, 1)
	dist := math.Abs(float64(east.R-west.R)) + math.Abs(float64(east.G-west.G)) + math.Abs(float64(east.B-west.B))
	if dist < 0.3 {
		t.Errorf("opposite directions too similar: %v vs %v", east, west)
	}
	// Outer points are lighter than inner ones along the same ray.
	if luminance(Start(0.1, 0.1, 1)) >= luminance(Start(3, 3, 1)) {
		t.Errorf("outer point not lighter than inner point")
	}
	for _, p := range [][2]float64{{0, 0}, {1e9, -1e9}, {math.NaN(), 1}, {math.Inf(1), 0}} {
		c := Start(p[0], p[1], 1)
		for _, v := range []float32{c.R, c.G, c.B, c.A} {
			if !(v >= 0 && v <= 1) {
				t.Errorf("Start(%v) = %v out of range", p, c)
			}
		}
	}
}

func BenchmarkStart(b *testing.B) {
	for i := 0; b.Loop(); i++ {
		_ = Start(math.Cos(float64(i)), math.Sin(float64(i)), 1)
	}
}
