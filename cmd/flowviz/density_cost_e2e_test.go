package main_test

import (
	"os"
	"testing"
	"time"

	"github.com/flowviz/flowviz/viz/appstate"
	"github.com/flowviz/flowviz/viz/e2e"
)

// TestDensityCost measures, rather than checks, what the density layer
// costs at full screen while the moons train: how long each new layer
// takes, and the frame rate and frame CPU with the layer off and while its
// worker computes, in alternating windows (the machine's load drifts).
// It runs only with FLOWVIZ_DENSITY_COST=1 and reports with t.Log.
func TestDensityCost(t *testing.T) {
	if os.Getenv("FLOWVIZ_DENSITY_COST") == "" {
		t.Skip("a measurement: set FLOWVIZ_DENSITY_COST=1")
	}
	const w, h = 1920, 1080
	a := startAppOn(t, w, h, t.TempDir(), "-window", "1920x1080", "-scale", "2", "-drawing", "", "-keep-dir", "")
	a.waitState(t, "training", func(s *appstate.State) bool { return s.Training.Step > 500 })
	// The timeline paused at step 25: each → asks for a new step's layer.
	a.key(e2e.Space)
	window := 8 * time.Second
	type sample struct{ fps, update, draw float64 }
	measure := func(on bool) (sample, []float64, int) {
		var sum sample
		var elapsed []float64
		n, computing := 0, 0
		seen := map[float64]bool{}
		end := time.Now().Add(window)
		next := time.Now()
		for time.Now().Before(end) {
			if on && time.Now().After(next) {
				a.key(e2e.Right)
				next = time.Now().Add(1500 * time.Millisecond)
			}
			s, err := a.read()
			if err != nil || s == nil {
				continue
			}
			sum.fps += s.FPS
			sum.update += s.UpdateMs
			sum.draw += s.DrawMs
			n++
			if d := s.Density; d != nil && d.Computing {
				computing++
			}
			if d := s.Density; on && d != nil && d.Shown && !seen[d.T] {
				seen[d.T] = true
				elapsed = append(elapsed, d.ElapsedMs)
			}
			time.Sleep(200 * time.Millisecond)
		}
		f := float64(max(n, 1))
		return sample{sum.fps / f, sum.update / f, sum.draw / f}, elapsed, computing * 100 / max(n, 1)
	}
	for round := range 3 {
		off, _, _ := measure(false)
		a.cycleDensity(t, "learned")
		s := a.waitStateFor(t, waitLearn, "a layer", func(s *appstate.State) bool { return s.Density != nil && s.Density.Shown })
		on, elapsed, busy := measure(true)
		a.cycleDensity(t, "off")
		t.Logf("round %d: off %.1f FPS, update %.2f ms, draw %.2f ms | on (worker busy %d %% of the window, grid %v) %.1f FPS, update %.2f ms, draw %.2f ms | layers took %v ms; training at step %d",
			round, off.fps, off.update, off.draw, busy, s.Density.Grid, on.fps, on.update, on.draw, elapsed, s.Training.Step)
	}
}
