package main_test

import (
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/flowviz/flowviz/viz/appstate"
	"github.com/flowviz/flowviz/viz/e2e"
)

// panelControl scrolls the panel with the wheel until the control called
// name lies inside it, and returns the state then.
func (a *app) panelControl(t *testing.T, name string) *appstate.State {
	t.Helper()
	s := a.fresh(t)
	panel := s.Controls["panel"]
	for range 40 {
		if _, ok := s.Controls["diffusion.schedule.linear"]; !ok {
			// The section is collapsed: a click that landed on its header
			// as other sections' wrapped text moved it (a loaded machine
			// lags a frame behind). Open it again.
			if h, ok := s.Controls["diffusion.header"]; ok {
				switch {
				case h[1] < panel[1]+20:
					a.x.Scroll(a.win.X+int(panel[0]+panel[2]/2), a.win.Y+int(panel[1]+panel[3]/2), 2)
				case h[1]+h[3] > panel[1]+panel[3]-20:
					a.x.Scroll(a.win.X+int(panel[0]+panel[2]/2), a.win.Y+int(panel[1]+panel[3]/2), -2)
				default:
					a.click(a.win.X+int(h[0]+h[2]/2), a.win.Y+int(h[1]+h[3]/2))
				}
				time.Sleep(hold)
				s = a.next(t, a.fresh(t))
				continue
			}
		}
		r, ok := s.Controls[name]
		if ok && r[1] >= panel[1]+20 && r[1]+r[3] <= panel[1]+panel[3]-20 {
			// The layout has settled: two reports agree (a loaded machine
			// may lag a frame behind the last scroll).
			if again := a.next(t, s); again.Controls[name] == r {
				return again
			}
			s = a.fresh(t)
			continue
		}
		// Down while the control is below the panel's middle (or not laid
		// out yet: it is further down), up while above.
		clicks := -2
		if ok && r[1] < panel[1]+panel[3]/2 {
			clicks = 2
		}
		a.x.Scroll(a.win.X+int(panel[0]+panel[2]/2), a.win.Y+int(panel[1]+panel[3]/2), clicks)
		time.Sleep(hold)
		s = a.fresh(t)
	}
	t.Fatalf("the panel never showed %q: %v", name, s.Controls)
	return nil
}

// clickControl clicks at fraction fx of the named panel control's width.
func (a *app) clickControl(t *testing.T, name string, fx float64) {
	t.Helper()
	s := a.panelControl(t, name)
	r := s.Controls[name]
	a.click(a.win.X+int(r[0]+fx*r[2]), a.win.Y+int(r[1]+r[3]/2))
}

// TestDiffusionE2E is the lecture after the blog post, done as a new user
// does it at a projector (scale 2, 1920×1080): in the panel, switch to the
// variance-preserving schedule and score prediction, train, turn the SDE's
// noise up and see W2 stay close to the ODE's; then class-conditional
// 8 Gaussians, whose class accuracy rises with the guidance w.
func TestDiffusionE2E(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end")
	}
	const w, h = 1920, 1080
	a := startAppOn(t, w, h, t.TempDir(), "-window", "1920x1080", "-scale", "2", "-drawing", "", "-keep-dir", "")

	a.clickControl(t, "diffusion.schedule.vp", 0.5)
	a.waitState(t, "the vp schedule", func(s *appstate.State) bool { return s.Diffusion.Schedule == "vp" })
	a.clickControl(t, "diffusion.predict.score", 0.5)
	a.waitState(t, "score prediction", func(s *appstate.State) bool { return s.Diffusion.Predict == "score" })
	shot := a.x.Screenshot(t)
	savePNG(t, shot, "diffusion-vp-score")

	// Train until the ODE's samples are near the moons, then measure.
	ode := a.waitStateFor(t, 4*waitLearn, "the ODE's W2 of a trained vp score model", func(s *appstate.State) bool {
		d := s.Diffusion
		return d.Schedule == "vp" && d.Predict == "score" && d.Measured && d.Noise == 0 && s.Training.Step > 4000 && d.W2 > 0 && d.W2 < 0.6
	})
	t.Logf("ODE at step %d: W2 %.3f (floor %.3f)", ode.Diffusion.Step, ode.Diffusion.W2, ode.Diffusion.Floor)

	// The noise slider, clicked at 40 % of its width: g ≈ 2.
	a.clickControl(t, "diffusion.noise", 0.4)
	a.waitState(t, "the SDE's W2", func(s *appstate.State) bool {
		return s.Diffusion.Noise > 1 && s.Diffusion.Measured
	})
	// Wait for a measurement of weights at least as trained as the ODE's.
	sde := a.waitState(t, "the SDE measured on trained weights", func(s *appstate.State) bool {
		return s.Diffusion.Noise > 1 && s.Diffusion.Measured && s.Diffusion.Step >= ode.Diffusion.Step && s.Diffusion.W2 > 0
	})
	t.Logf("SDE g = %.1f at step %d: W2 %.3f (floor %.3f)", sde.Diffusion.Noise, sde.Diffusion.Step, sde.Diffusion.W2, sde.Diffusion.Floor)
	savePNG(t, a.x.Screenshot(t), "diffusion-sde")
	// Same marginals: the SDE lands on the moons as the ODE does (it
	// usually lands closer, its noise correcting the ODE's drift).
	if sde.Diffusion.W2 > math.Max(0.6, 1.5*ode.Diffusion.W2) {
		t.Errorf("the SDE's W2 %.3f is far from the ODE's %.3f", sde.Diffusion.W2, ode.Diffusion.W2)
	}

	// U shows the score, converted from the network's prediction.
	a.key(e2e.KeysymOf('u'))
	a.waitState(t, "score arrows", func(s *appstate.State) bool { return s.Diffusion.Score })
	savePNG(t, a.x.Screenshot(t), "diffusion-score-arrows")
	a.key(e2e.KeysymOf('u'))
	a.waitState(t, "velocity arrows", func(s *appstate.State) bool { return !s.Diffusion.Score })
}

// TestGuidanceE2E trains a class-conditional model of 8 Gaussians and
// sweeps the guidance slider: the class accuracy rises with w.
func TestGuidanceE2E(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end")
	}
	const w, h = 1920, 1080
	a := startAppOn(t, w, h, t.TempDir(), "-window", "1920x1080", "-scale", "2", "-drawing", "", "-keep-dir", "",
		"-target", "8gaussians:radius=3,std=0.6")
	a.clickControl(t, "diffusion.cond", 0.1)
	a.waitState(t, "a class-conditional model", func(s *appstate.State) bool { return s.Diffusion.Cond && s.Diffusion.Classes == 8 })

	measure := func(wantW float64) appstate.Diffusion {
		t.Helper()
		s := a.waitStateFor(t, 2*waitLearn, fmt.Sprintf("class accuracy at w = %.1f", wantW), func(s *appstate.State) bool {
			d := s.Diffusion
			return d.Measured && math.Abs(d.W-wantW) < 0.3 && d.Accuracy >= 0 && s.Training.Step > 3000
		})
		t.Logf("w = %.2f at step %d: class accuracy %.3f (chance %.3f), W2 %.3f", s.Diffusion.W, s.Diffusion.Step, s.Diffusion.Accuracy, s.Diffusion.Chance, s.Diffusion.W2)
		return s.Diffusion
	}
	// The slider runs 0..10: at 10 % of its width w ≈ 1, at 40 % w ≈ 4.
	a.clickControl(t, "diffusion.guidance", 0.02)
	w0 := measure(0)
	savePNG(t, a.x.Screenshot(t), "guidance-w0")
	a.clickControl(t, "diffusion.guidance", 0.4)
	s := a.fresh(t)
	w4 := measure(s.Diffusion.W)
	savePNG(t, a.x.Screenshot(t), "guidance-w4")
	if w4.W < 2 {
		t.Fatalf("the slider gave w = %.2f, want ≈ 4", w4.W)
	}
	if w4.Accuracy < w0.Accuracy+0.3 || w4.Accuracy < 0.8 {
		t.Errorf("class accuracy %.3f at w = %.1f, %.3f at w = 0: guidance should raise it", w4.Accuracy, w4.W, w0.Accuracy)
	}
}

// TestDiffusionLessonsE2E walks lessons 10–13 with the clicker's PageDown
// at UI scale 2 on 1920×1080: each shows its kind, its chips and its
// numbers; a chip click changes the schedule, the noise and w.
func TestDiffusionLessonsE2E(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end")
	}
	const w, h = 1920, 1080
	a := startAppOn(t, w, h, t.TempDir(), "-window", "1920x1080", "-scale", "2", "-drawing", "", "-keep-dir", "", "-lesson", "9")
	a.waitState(t, "lesson 9", func(s *appstate.State) bool { return s.Lesson.Number == 9 })
	for _, kind := range []string{"schedules", "score", "sde", "guidance"} {
		a.key(e2e.PageDown)
		s := a.waitState(t, "the "+kind+" lesson", func(s *appstate.State) bool {
			return s.Lesson.Kind == kind && len(s.Lesson.Numbers) > 0
		})
		if len(s.Lesson.Chips) < 2 {
			t.Errorf("%s lesson: chips %v", kind, s.Lesson.Chips)
		}
		// The second chip: cosine, score arrows, g = 0.5, w = 1.
		s = a.clickChip(t, 1, func(s *appstate.State) bool {
			return s.Lesson.Kind == kind && len(s.Lesson.Chips) > 1 && strings.HasPrefix(s.Lesson.Chips[1], "*")
		})
		switch kind {
		case "sde":
			if s.Diffusion.Noise != 0.5 {
				t.Errorf("the g = 0.5 chip set noise %v", s.Diffusion.Noise)
			}
		case "guidance":
			if !s.Diffusion.Cond || s.Diffusion.W != 1 {
				t.Errorf("the guidance lesson runs cond %v at w = %v", s.Diffusion.Cond, s.Diffusion.W)
			}
		case "score":
			if !s.Diffusion.Score || s.Diffusion.Schedule != "cosine" || s.Diffusion.Predict != "score" {
				t.Errorf("the score lesson: %+v", s.Diffusion)
			}
		}
		// Let the figure and (for the trained kinds) the table fill in.
		time.Sleep(3 * time.Second)
		s = a.fresh(t)
		t.Logf("%s lesson %d: chips %v\n%s", kind, s.Lesson.Number, s.Lesson.Chips, strings.Join(s.Lesson.Numbers, "\n"))
		savePNG(t, a.x.Screenshot(t), "lesson-"+kind)
	}
}
