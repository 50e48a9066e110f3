package scene

import (
	"math"
	"testing"

	"github.com/flowviz/flowviz/flow"
)

// straight returns a scene whose particle i moves from (i, 0) to (i, 2) in n
// Euler steps of a constant field (0, 2).
func straight(particles, n int) *Scene {
	s := &Scene{Times: make([]float64, n+1), Traj: make([][]flow.Vec, n+1)}
	for k := range n + 1 {
		s.Times[k] = float64(k) / float64(n)
		s.Traj[k] = make([]flow.Vec, particles)
		for i := range particles {
			s.Traj[k][i] = flow.Vec{float64(i), 2 * s.Times[k]}
		}
	}
	s.GridPts = GridPoints(2, [4]float64{0, 0, 2, 2})
	s.Field = make([][]flow.Vec, n+1)
	for k := range s.Field {
		s.Field[k] = make([]flow.Vec, len(s.GridPts))
		for j := range s.Field[k] {
			s.Field[k][j] = flow.Vec{float64(k), 0}
		}
	}
	return s
}

func TestPositionsAt(t *testing.T) {
	s := straight(3, 4)
	tests := []struct{ t, y float64 }{
		{0, 0}, {0.25, 0.5}, {0.3, 0.6}, {0.875, 1.75}, {1, 2}, {-5, 0}, {9, 2},
	}
	var buf []flow.Vec
	for _, tc := range tests {
		buf = s.PositionsAt(buf, tc.t)
		if len(buf) != 3 {
			t.Fatalf("len = %d", len(buf))
		}
		for i, p := range buf {
			if math.Abs(p[0]-float64(i)) > 1e-12 || math.Abs(p[1]-tc.y) > 1e-12 {
				t.Errorf("t=%v particle %d at %v, want (%d, %v)", tc.t, i, p, i, tc.y)
			}
		}
	}
	// On a solver state the result is that state bit for bit.
	s.Traj[2][1] = flow.Vec{0.1234567891, 0.9876543219}
	buf = s.PositionsAt(buf, 0.5)
	if buf[1] != s.Traj[2][1] {
		t.Errorf("state 2 not reproduced exactly: %v", buf[1])
	}
}

func TestFieldAt(t *testing.T) {
	s := straight(1, 4)
	v := s.FieldAt(nil, 0.375) // between slices 1 and 2
	for _, x := range v {
		if math.Abs(x[0]-1.5) > 1e-12 || x[1] != 0 {
			t.Errorf("field = %v, want (1.5, 0)", x)
		}
	}
	if got := (&Scene{}).FieldAt(nil, 0.5); len(got) != 0 {
		t.Errorf("empty scene gave %v", got)
	}
	if got := (&Scene{}).PositionsAt(nil, 0.5); len(got) != 0 {
		t.Errorf("empty scene gave %v", got)
	}
}

func TestOneStep(t *testing.T) {
	s := straight(2, 1)
	p := s.PositionsAt(nil, 0.5)
	if math.Abs(p[0][1]-1) > 1e-12 {
		t.Errorf("N=1 midpoint = %v", p[0])
	}
}

func TestBlend(t *testing.T) {
	nan := math.NaN()
	from := []flow.Vec{{0, 0}, {nan, 0}, {1, 1}, {4, 4}}
	to := []flow.Vec{{2, 4}, {3, 3}, {nan, 1}, {0, 0}}
	dst := make([]flow.Vec, 4)
	Blend(dst, from, to, 0.25)
	want := []flow.Vec{{0.5, 1}, {3, 3}, {1, 1}, {3, 3}}
	for i := range want {
		if dst[i] != want[i] {
			t.Errorf("Blend[%d] = %v, want %v", i, dst[i], want[i])
		}
	}
	Blend(dst, from[:1], to, 7) // short from, a clamped to 1
	if dst[0] != to[0] || dst[3] != to[3] {
		t.Errorf("a>1 or short from: %v", dst)
	}
}

func TestHelpers(t *testing.T) {
	if SmoothStep(0) != 0 || SmoothStep(1) != 1 || SmoothStep(0.5) != 0.5 || SmoothStep(-1) != 0 {
		t.Errorf("SmoothStep wrong")
	}
	if Finite(flow.Vec{math.Inf(1), 0}) || Finite(flow.Vec{0, math.NaN()}) || !Finite(flow.Vec{1, 2}) {
		t.Errorf("Finite wrong")
	}
	f := [][]flow.Vec{{{3, 4}, {math.Inf(1), 0}}, {{0, 1}, {math.NaN(), 0}}}
	if got := flow.MaxSpeed(f); got != 5 {
		t.Errorf("flow.MaxSpeed = %v, want 5", got)
	}
	pts := GridPoints(2, [4]float64{-1, -1, 1, 1})
	want := []flow.Vec{{-0.5, -0.5}, {0.5, -0.5}, {-0.5, 0.5}, {0.5, 0.5}}
	for i := range want {
		if pts[i] != want[i] {
			t.Errorf("GridPoints[%d] = %v, want %v", i, pts[i], want[i])
		}
	}
	c := Settings{Steps: 0, Particles: 1e9, Grid: 2, Trails: -3}.Clamp()
	if c.Steps != 1 || c.Particles != MaxParticles || c.Grid != MinGrid || c.Trails != 0 || c.Width != 1 {
		t.Errorf("Clamp = %+v", c)
	}
}

func BenchmarkPositionsAt10k(b *testing.B) {
	s := straight(10000, 50)
	buf := make([]flow.Vec, 10000)
	for b.Loop() {
		buf = s.PositionsAt(buf, 0.4321)
	}
}
