package main_test

// End-to-end tests of compare mode with real XTEST input under Xvfb,
// checked through the -state-file JSON.

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/flowviz/flowviz/viz/appstate"
	"github.com/flowviz/flowviz/viz/e2e"
)

// compareWait bounds each poll: two models train at once on a loaded machine.
const compareWait = 120 * time.Second

// TestCompareKeyDragFocusStrip: K opens a second pane (coupling=ot by
// default) beside the first; a right-drag in one pane moves the shared
// camera of both; a click focuses the other pane; the strip's numbers come
// into the state file with a verdict per metric; K closes compare mode and
// pane A carries on with its training.
func TestCompareKeyDragFocusStrip(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end")
	}
	a := startApp(t, "-particles", "2000", "-fresh")
	before := a.fresh(t)
	stepBefore := before.Training.Step
	a.key(e2e.KeyK)
	on := a.waitStateFor(t, compareWait, "two panes", func(s *appstate.State) bool {
		return s.Compare != nil && len(s.Compare.Panes) == 2
	})
	pa, pb := on.Compare.Panes[0], on.Compare.Panes[1]
	t.Logf("compare open: A %+v, B %+v", pa, pb)
	if pa.Coupling != "independent" || pb.Coupling != "ot" || on.Compare.Focus != 0 {
		t.Fatalf("compare opened with A %q, B %q, focus %d", pa.Coupling, pb.Coupling, on.Compare.Focus)
	}
	if !(pa.Canvas[0]+pa.Canvas[2] <= pb.Canvas[0]) || pa.Canvas[1] != pb.Canvas[1] {
		t.Fatalf("panes not side by side: A %v, B %v", pa.Canvas, pb.Canvas)
	}

	// K mid-run is a fair race: A's run is set aside, and both train from
	// step 0 on the same weights and batches; the strip says so.
	if on.Compare.KeptAt < stepBefore || !strings.Contains(on.Compare.Race, "race from step 0") {
		t.Fatalf("compare opened mid-run (A at step %d): kept at %d, note %q", stepBefore, on.Compare.KeptAt, on.Compare.Race)
	}
	trained := a.waitStateFor(t, compareWait, "both panes training and measured", func(s *appstate.State) bool {
		return s.Compare != nil && len(s.Compare.Panes) == 2 &&
			s.Compare.Panes[0].Step > 20 && s.Compare.Panes[1].Step > 20 &&
			s.Compare.Panes[0].Measured > 0 && s.Compare.Panes[1].Measured > 0
	})
	t.Logf("strip: A %+v\nB %+v", trained.Compare.Panes[0], trained.Compare.Panes[1])
	for i, p := range trained.Compare.Panes {
		if !(p.W2 > 0 && p.W2 < 100) || !(p.W2OneStep > 0) || math.IsNaN(p.Straightness) || p.NFE <= 0 || !(p.StepsPerSec > 0) {
			t.Errorf("pane %d strip numbers: %+v", i, p)
		}
		if p.Better["W2"] == "" || p.Better["straightness"] == "" {
			t.Errorf("pane %d has no verdicts: %v", i, p.Better)
		}
	}

	// A right-drag in pane B pans both cameras by the same amount.
	camA, camB := trained.Compare.Panes[0].Camera, trained.Compare.Panes[1].Camera
	bx, by := int(pb.Canvas[0]+pb.Canvas[2]/2), int(pb.Canvas[1]+pb.Canvas[3]/2)
	a.drag(bx, by, bx+120, by+60, e2e.ButtonRight)
	panned := a.waitStateFor(t, compareWait, "both cameras panned", func(s *appstate.State) bool {
		if s.Compare == nil || len(s.Compare.Panes) != 2 {
			return false
		}
		ca, cb := s.Compare.Panes[0].Camera, s.Compare.Panes[1].Camera
		return ca.X < camA.X-0.5 && cb.X < camB.X-0.5
	})
	ca, cb := panned.Compare.Panes[0].Camera, panned.Compare.Panes[1].Camera
	if math.Abs(ca.X-cb.X) > 1e-9 || math.Abs(ca.Y-cb.Y) > 1e-9 || ca.Zoom != cb.Zoom {
		t.Fatalf("cameras differ after the pan: A %+v, B %+v", ca, cb)
	}

	// A click in pane B gives it the panel.
	a.click(a.win.X+bx, a.win.Y+by)
	a.waitStateFor(t, compareWait, "focus on B", func(s *appstate.State) bool {
		return s.Compare != nil && s.Compare.Focus == 1
	})
	shot := a.x.Screenshot(t)
	savePNG(t, shot, "compare")

	// K closes compare mode; A's own run comes back where it was set aside.
	a.key(e2e.KeyK)
	a.waitStateFor(t, compareWait, "one pane again, A back at its own run", func(s *appstate.State) bool {
		return s.Compare == nil && s.Training.Step >= on.Compare.KeptAt
	})
}

// TestCompareFlagProbe: -compare opens compare mode at start with the given
// difference; the probe at one point shows both learned velocities and the
// exact one.
func TestCompareFlagProbe(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end")
	}
	a := startApp(t, "-particles", "2000", "-fresh", "-compare", "solver=rk4,steps=5")
	s := a.waitStateFor(t, compareWait, "two panes from the flag", func(s *appstate.State) bool {
		return s.Compare != nil && len(s.Compare.Panes) == 2 && s.Compare.Panes[1].Step > 50 && s.Compare.Panes[0].Step > 50
	})
	if s.Compare.Spec != "solver=rk4,steps=5" {
		t.Fatalf("spec %q", s.Compare.Spec)
	}
	pa := s.Compare.Panes[0]
	a.key(e2e.KeyQ)
	px, py := int(pa.Canvas[0]+pa.Canvas[2]*0.6), int(pa.Canvas[1]+pa.Canvas[3]*0.5)
	a.click(a.win.X+px, a.win.Y+py)
	probed := a.waitStateFor(t, compareWait, "a probe with both learned velocities", func(s *appstate.State) bool {
		return s.Tool.Mode == "probe" && s.Tool.Learned != nil && s.Tool.Other != nil && s.Tool.Exact != nil
	})
	if *probed.Tool.Learned == *probed.Tool.Other {
		t.Logf("both models give %v at the probe", *probed.Tool.Learned)
	}
}
