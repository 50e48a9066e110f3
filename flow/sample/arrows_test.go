package sample

import (
	"math"
	"testing"

	"github.com/flowviz/flowviz/flow"
	"github.com/flowviz/flowviz/flow/mlp"
	"github.com/flowviz/flowviz/flow/train"
)

// TestScoreArrows checks that Settings.Score makes the arrows the score the
// velocity converts to (exactly, per time slice), that the colour scale
// leaves out the slices near the data end, and that the target draws carry
// the target's labels.
func TestScoreArrows(t *testing.T) {
	for _, tc := range []struct {
		schedule, predict string
	}{
		{"", ""},            // the blog post's straight path, velocity
		{"vp", "score"},     // a diffusion model
		{"cosine", "noise"}, // another target on another path
	} {
		cfg := train.DefaultConfig()
		cfg.Net = mlp.Config{Width: 16, Depth: 2, Act: mlp.SiLU}
		cfg.Batch = 64
		cfg.Schedule, cfg.Predict = tc.schedule, tc.predict
		s := New(trained(t, cfg, 10), DefaultSettings())
		st := smallSettings()
		vel := frame(t, s, st)
		st.Score = true
		sc := frame(t, s, st)
		if vel.ArrowsScore || !sc.ArrowsScore {
			t.Fatalf("%s/%s: ArrowsScore %v then %v", tc.schedule, tc.predict, vel.ArrowsScore, sc.ArrowsScore)
		}
		sched, _ := cfg.Scheduler()
		for k, tk := range sc.Times {
			conv := flow.Convert(flow.Velocity, flow.Score, sched, tk, 1)
			for j, x := range sc.GridPts {
				want := conv.Apply(x, vel.Field[k][j])
				got := sc.Field[k][j]
				if d := math.Hypot(got[0]-want[0], got[1]-want[1]); d > 1e-9*(1+math.Hypot(want[0], want[1])) {
					t.Fatalf("%s/%s: score arrow %d at t = %v is %v, want %v", tc.schedule, tc.predict, j, tk, got, want)
				}
			}
		}
		if want := flow.MaxSpeed(sc.Field[:len(sc.Times)-1]); sc.MaxSpeed > want || sc.MaxSpeed <= 0 {
			t.Errorf("%s/%s: score colour scale %v, want the slices up to t = %v (≤ %v)", tc.schedule, tc.predict, sc.MaxSpeed, scoreColourUntil, want)
		}
		// moons: two classes, one label per target draw.
		if len(sc.TargetLabels) != len(sc.TargetPts) {
			t.Errorf("%d target labels for %d draws", len(sc.TargetLabels), len(sc.TargetPts))
		}
		for _, k := range sc.TargetLabels {
			if k != 0 && k != 1 {
				t.Fatalf("moons label %d", k)
			}
		}
	}
}

// TestSDEIsSeeded checks that two frames with the same settings and weights
// jitter identically: replays are deterministic.
func TestSDEIsSeeded(t *testing.T) {
	cfg := train.DefaultConfig()
	cfg.Net = mlp.Config{Width: 16, Depth: 2, Act: mlp.SiLU}
	cfg.Batch = 64
	tr := trained(t, cfg, 10)
	st := smallSettings()
	st.Solver, st.Noise = flow.Euler, 2
	a := frame(t, New(tr, DefaultSettings()), st)
	b := frame(t, New(tr, DefaultSettings()), st)
	st.Noise = 0
	ode := frame(t, New(tr, DefaultSettings()), st)
	last := len(a.Traj) - 1
	for i := range a.Traj[last] {
		if a.Traj[last][i] != b.Traj[last][i] {
			t.Fatalf("particle %d: %v then %v with the same seed", i, a.Traj[last][i], b.Traj[last][i])
		}
	}
	if a.Traj[last][0] == ode.Traj[last][0] {
		t.Error("the SDE frame equals the ODE's: no noise")
	}
}
