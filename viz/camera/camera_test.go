package camera

import (
	"math"
	"testing"
)

const tol = 1e-9

func near(a, b float64) bool { return math.Abs(a-b) <= tol*math.Max(1, math.Abs(b)) }

func TestRoundTrip(t *testing.T) {
	c := Camera{CenterX: 1.5, CenterY: -2, Zoom: 37, X: 300, Y: 10, W: 900, H: 600}
	for _, p := range [][2]float64{{0, 0}, {1.5, -2}, {-7, 3.25}, {1e3, -1e3}} {
		sx, sy := c.ToScreen(p[0], p[1])
		wx, wy := c.ToWorld(sx, sy)
		if !near(wx, p[0]) || !near(wy, p[1]) {
			t.Errorf("round trip of %v gave (%v, %v)", p, wx, wy)
		}
	}
	// The centre is in the middle of the viewport and y points up.
	sx, sy := c.ToScreen(1.5, -2)
	if !near(sx, 750) || !near(sy, 310) {
		t.Errorf("centre maps to (%v, %v), want (750, 310)", sx, sy)
	}
	_, syUp := c.ToScreen(1.5, -1)
	if syUp >= sy {
		t.Errorf("world +y went down on screen")
	}
}

func TestZoomAtKeepsPointFixed(t *testing.T) {
	tests := []struct {
		name   string
		sx, sy float64
		factor float64
	}{
		{"in at corner", 10, 20, 1.25},
		{"out at centre", 500, 400, 0.5},
		{"in hard", 777, 123, 40},
	}
	for _, tc := range tests {
		c := Camera{Zoom: 50, W: 1000, H: 800}
		wx, wy := c.ToWorld(tc.sx, tc.sy)
		c.ZoomAt(tc.sx, tc.sy, tc.factor)
		sx, sy := c.ToScreen(wx, wy)
		if !near(sx, tc.sx) || !near(sy, tc.sy) {
			t.Errorf("%s: point moved to (%v, %v)", tc.name, sx, sy)
		}
		if !near(c.Zoom, 50*tc.factor) {
			t.Errorf("%s: zoom = %v", tc.name, c.Zoom)
		}
	}
	c := Camera{Zoom: 50, W: 100, H: 100}
	for _, f := range []float64{0, -1, math.NaN(), math.Inf(1)} {
		c.ZoomAt(3, 3, f)
	}
	if c.Zoom != 50 {
		t.Errorf("bad factors changed zoom to %v", c.Zoom)
	}
	c.ZoomAt(0, 0, 1e30)
	if c.Zoom != MaxZoom {
		t.Errorf("zoom not clamped: %v", c.Zoom)
	}
}

func TestPanFollowsPointer(t *testing.T) {
	c := Camera{Zoom: 20, W: 400, H: 400}
	wx, wy := c.ToWorld(100, 100)
	c.Pan(30, -12)
	sx, sy := c.ToScreen(wx, wy)
	if !near(sx, 130) || !near(sy, 88) {
		t.Errorf("dragged point at (%v, %v), want (130, 88)", sx, sy)
	}
}

func TestFit(t *testing.T) {
	c := New(0, 0, 1000, 500, -2, -1, 2, 1)
	x0, y0, x1, y1 := c.Visible()
	if x0 > -2 || x1 < 2 || y0 > -1 || y1 < 1 {
		t.Errorf("fit does not show the rectangle: %v %v %v %v", x0, y0, x1, y1)
	}
	if !near(c.Zoom, 450/2.0) { // height-limited: 500·0.9 px for 2 units
		t.Errorf("zoom = %v, want 225", c.Zoom)
	}
	before := c
	c.Fit(0, 0, math.NaN(), 1, 0)
	c.Fit(0, 0, math.Inf(1), 1, 0)
	c.Fit(1, 0, 0, 1, 0)
	if c != before {
		t.Errorf("degenerate fit changed the camera")
	}
}

// FitIn puts the world rectangle's corners inside the screen part, centred.
func TestFitIn(t *testing.T) {
	c := New(100, 50, 1200, 900, -1, -1, 1, 1)
	c.FitIn(0, 0, 8, 7, 700, 50, 600, 900, 0.05)
	if !near(c.Zoom, 540/8.0) { // width-limited: 600·0.9 px for 8 units
		t.Errorf("zoom = %v, want 67.5", c.Zoom)
	}
	cx, cy := c.ToScreen(4, 3.5)
	if !near(cx, 1000) || !near(cy, 500) {
		t.Errorf("the view's centre lands at (%v, %v), want the part's centre (1000, 500)", cx, cy)
	}
	for _, p := range [][2]float64{{0, 0}, {8, 7}} {
		sx, sy := c.ToScreen(p[0], p[1])
		if sx < 700 || sx > 1300 || sy < 50 || sy > 950 {
			t.Errorf("corner %v at (%v, %v), outside the part", p, sx, sy)
		}
	}
	before := c
	c.FitIn(0, 0, 1, 1, 0, 0, 0, 100, 0)
	c.FitIn(0, 0, math.NaN(), 1, 0, 0, 100, 100, 0)
	if c != before {
		t.Errorf("degenerate fit changed the camera")
	}
}

func TestNiceStep(t *testing.T) {
	tests := []struct{ zoom, px, want float64 }{
		{100, 50, 0.5},
		{100, 100, 1},
		{100, 101, 2},
		{10, 60, 10},
		{1, 300, 500},
		{1000, 40, 0.05},
		{0, 10, 1},
	}
	for _, tc := range tests {
		if got := NiceStep(tc.zoom, tc.px); !near(got, tc.want) {
			t.Errorf("NiceStep(%v, %v) = %v, want %v", tc.zoom, tc.px, got, tc.want)
		}
	}
}

func TestTicks(t *testing.T) {
	got := Ticks(nil, -1.1, 1.05, 0.5, 100)
	want := []float64{-1, -0.5, 0, 0.5, 1}
	if len(got) != len(want) {
		t.Fatalf("Ticks = %v, want %v", got, want)
	}
	for i := range want {
		if !near(got[i], want[i]) {
			t.Errorf("tick %d = %v, want %v", i, got[i], want[i])
		}
	}
	if n := len(Ticks(nil, 0, 1e9, 1, 64)); n != 64 {
		t.Errorf("limit not honoured: %d ticks", n)
	}
	if n := len(Ticks(nil, 0, 1, 0, 64)); n != 0 {
		t.Errorf("zero step gave %d ticks", n)
	}
}
