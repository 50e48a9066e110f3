package webtest

import (
	"testing"

	"github.com/flowviz/flowviz/viz/appstate"
)

// TestTrainsInThePage: the page trains while it animates, in the stepwise
// mode: the step count rises and frames keep coming.
func TestTrainsInThePage(t *testing.T) {
	pg := open(t, "")
	s := pg.wait("training under way", func(s *appstate.State) bool { return s.Training.Step > 0 })
	later := pg.wait("more steps", func(n *appstate.State) bool { return n.Training.Step > s.Training.Step+100 })
	t.Logf("steps %d → %d over %d frames; fps %.1f, update %.1f ms, draw %.1f ms, %.0f steps/s",
		s.Training.Step, later.Training.Step, later.Frame-s.Frame, later.FPS, later.UpdateMs, later.DrawMs, later.Training.StepsPerSec)
}
