package live

import (
	"math"
	"testing"

	"github.com/flowviz/flowviz/flow"
	"github.com/flowviz/flowviz/flow/data"
	"github.com/flowviz/flowviz/viz/scene"
)

// A drawn target arrives warm-started: the step count keeps growing, the
// scene's target cloud becomes the drawing, an empty drawing makes training
// wait, and a later settings change does not try to load the drawing's label.
func TestSetDataSwapsTheTargetLive(t *testing.T) {
	b, stop := start(t, small())
	defer stop()
	var _ scene.DataSetter = b
	waitFor(t, "training steps", func() bool { return b.Status().Step > 20 })
	step := b.Status().Step

	pts := []flow.Vec{{3, 3}, {3.1, 3}, {3, 3.1}}
	label := b.SetData(false, &data.PointSet{Points: pts, Name: "drawing"})
	if label != "drawing(n=3)" {
		t.Fatalf("label %q", label)
	}
	waitFor(t, "the drawn target in a scene", func() bool {
		sc := b.Scene()
		if sc == nil || len(sc.Target) == 0 {
			return false
		}
		for _, p := range sc.Target {
			if math.Abs(p[0]-3.05) > 0.1 || math.Abs(p[1]-3.05) > 0.1 {
				return false
			}
		}
		return true
	})
	if s := b.Status(); s.Step < step || s.State != "running" {
		t.Fatalf("after the swap: step %d (was %d), state %s", s.Step, step, s.State)
	}

	b.SetData(false, &data.PointSet{Name: "drawing"})
	waitFor(t, "waiting on an empty drawing", func() bool { return b.Status().State == "waiting" })

	s := small()
	s.Target = b.SetData(false, &data.PointSet{Points: pts, Name: "drawing"})
	s.LR = 2e-3
	if err := b.Apply(s); err != nil {
		t.Fatalf("Apply with the drawing's label: %v", err)
	}
	waitFor(t, "running again", func() bool { return b.Status().State == "running" })
}

// A drawing far outside the default view still trains: no failure, and the
// particles head for it.
func TestSetDataFarAway(t *testing.T) {
	b, stop := start(t, small())
	defer stop()
	waitFor(t, "training steps", func() bool { return b.Status().Step > 20 })
	var pts []flow.Vec
	for i := range 200 {
		pts = append(pts, flow.Vec{40 + float64(i%20)*0.1, -30 + float64(i/20)*0.1})
	}
	b.SetData(false, &data.PointSet{Points: pts, Name: "drawing"})
	waitFor(t, "particles near the far drawing", func() bool {
		sc := b.Scene()
		if sc == nil || len(sc.Traj) == 0 || b.Status().State != "running" {
			return false
		}
		final := sc.Traj[len(sc.Traj)-1]
		near := 0
		for _, p := range final {
			if math.Hypot(p[0]-41, p[1]+29.5) < 4 {
				near++
			}
		}
		return near > len(final)*3/4
	})
	if st := b.Status(); st.State == "failed" || st.Err != nil {
		t.Fatalf("state %s, err %v", st.State, st.Err)
	}
}
