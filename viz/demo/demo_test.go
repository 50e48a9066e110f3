package demo

import (
	"context"
	"math"
	"runtime"
	"testing"
	"time"

	"github.com/flowviz/flowviz/flow"
	"github.com/flowviz/flowviz/viz/scene"
)

func TestMarginalAtZeroBlurIsStraightLine(t *testing.T) {
	ys := []flow.Vec{{2, 1}}
	f := Marginal(ys, 0)
	x := []flow.Vec{{0.5, -1}}
	dst := make([]flow.Vec, 1)
	for _, tt := range []float64{0, 0.3, 0.9} {
		f.Velocity(dst, x, tt)
		want := flow.Vec{(2 - 0.5) / (1 - tt), (1 + 1) / (1 - tt)}
		if math.Abs(dst[0][0]-want[0]) > 1e-9 || math.Abs(dst[0][1]-want[1]) > 1e-9 {
			t.Errorf("t=%v: v = %v, want %v", tt, dst[0], want)
		}
	}
}

func TestComputeCarriesNoiseToTarget(t *testing.T) {
	s := scene.DefaultSettings()
	s.Particles, s.Steps = 500, 40
	sc, err := Compute(context.Background(), s, 40, 0)
	if err != nil {
		t.Fatal(err)
	}
	if sc.Steps() != 40 || sc.Particles() != 500 || len(sc.Field) != 41 || len(sc.GridPts) != 24*24 {
		t.Fatalf("shape: N=%d particles=%d field=%d grid=%d", sc.Steps(), sc.Particles(), len(sc.Field), len(sc.GridPts))
	}
	ys := Targets("moons", 64)
	far := 0
	for _, p := range sc.Traj[40] {
		d := math.Inf(1)
		for _, y := range ys {
			d = math.Min(d, math.Hypot(p[0]-y[0], p[1]-y[1]))
		}
		if d > 0.3 {
			far++
		}
	}
	if far > 25 { // 5%
		t.Errorf("%d of 500 particles end more than 0.3 from the moons", far)
	}
	if !(sc.MaxSpeed > 0) {
		t.Errorf("MaxSpeed = %v", sc.MaxSpeed)
	}
}

func TestBackendRunsAndStops(t *testing.T) {
	before := runtime.NumGoroutine()
	s := scene.DefaultSettings()
	s.Particles, s.Steps = 200, 10
	b := New(s)
	b.Interval = 5 * time.Millisecond
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- b.Run(ctx) }()
	deadline := time.Now().Add(5 * time.Second)
	for b.Status().Step < 3 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	if b.Scene() == nil || b.Status().Step < 3 {
		t.Fatalf("no progress: scene %v status %+v", b.Scene(), b.Status())
	}
	if err := b.Apply(s); err != nil {
		t.Errorf("Apply: %v", err)
	}
	bad := s
	bad.Target = "nonsense"
	if err := b.Apply(bad); err == nil {
		t.Errorf("bad target accepted")
	}
	b.Pause()
	b.Resample()
	b.Train()
	b.Reset()
	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return after cancel")
	}
	time.Sleep(10 * time.Millisecond)
	if after := runtime.NumGoroutine(); after > before {
		t.Errorf("goroutines: %d before, %d after", before, after)
	}
}
