package main_test

import (
	"image"
	"strings"
	"testing"
	"time"

	"github.com/flowviz/flowviz/viz/appstate"
	"github.com/flowviz/flowviz/viz/e2e"
)

// TestDensityE2E is the density layer as a new user meets it at a
// projector (UI scale 2, 1920×1080): Y while the moons train shows the
// learned log-density on a grid of at least 96×96 cells; scrubbing t
// changes the picture; Y three more times shows the divergence in red and
// blue; the live NLL is reported and falls as training goes on.
func TestDensityE2E(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end")
	}
	const w, h = 1920, 1080
	a := startAppOn(t, w, h, t.TempDir(), "-window", "1920x1080", "-scale", "2", "-drawing", "", "-keep-dir", "")
	first := a.waitState(t, "a live NLL", func(s *appstate.State) bool { return s.Density != nil && s.Density.NLLN > 0 })
	t.Logf("first NLL %.3f ± %.3f at step %d", first.Density.NLL, first.Density.NLLSE, first.Density.NLLStep)

	a.cycleDensity(t, "learned")
	s := a.waitStateFor(t, waitLearn, "the learned density on screen", func(s *appstate.State) bool {
		return s.Layers.Density == "learned" && s.Density != nil && s.Density.Shown
	})
	if s.Density.Grid[0] < 96 || s.Density.Grid[1] < 96 {
		t.Errorf("density grid %v: want at least 96×96 cells", s.Density.Grid)
	}
	t.Logf("learned layer at t = %.2f: %v cells in %.0f ms, log p from %.2f to %.2f", s.Density.T, s.Density.Grid, s.Density.ElapsedMs, s.Density.Lo, s.Density.Hi)

	// Pause the clock at t = 1 and let the layer of that step arrive.
	a.key(e2e.Space)
	a.key(e2e.End)
	s = a.waitStateFor(t, waitLearn, "the layer at t = 1", func(s *appstate.State) bool {
		return !s.Timeline.Playing && s.Timeline.T == 1 && s.Density.Shown && s.Density.T == 1
	})
	atOne := a.x.Screenshot(t)
	savePNG(t, atOne, "density-learned-t1")
	// The moons are lit: inferno's bright end (orange to pale yellow) fills
	// part of their box, and far from them the plane stays dark.
	if n := warm(atOne, a, s, moonsBox); n < 2000 {
		t.Errorf("only %d bright density pixels over the moons at t = 1", n)
	}

	// Scrub to t = 0: the layer of that step replaces it, and the picture
	// is another one (the source's Gaussian blob).
	a.key(e2e.Home)
	s = a.waitStateFor(t, waitLearn, "the layer at t = 0", func(s *appstate.State) bool {
		return s.Timeline.T == 0 && s.Density.Shown && s.Density.T == 0
	})
	time.Sleep(hold)
	atZero := a.x.Screenshot(t)
	savePNG(t, atZero, "density-learned-t0")
	if d := meanDiff(atOne, atZero, a, s); d < 8 {
		t.Errorf("the picture hardly changed from t = 1 to t = 0: mean difference %.1f levels", d)
	}

	// Y three times more: the divergence, red where particles spread and
	// blue where they converge.
	a.key(e2e.End)
	a.cycleDensity(t, "divergence")
	s = a.waitStateFor(t, waitLearn, "the divergence on screen", func(s *appstate.State) bool {
		return s.Layers.Density == "divergence" && s.Density.Shown && s.Density.T == 1
	})
	div := a.x.Screenshot(t)
	savePNG(t, div, "density-divergence")
	red, blue := signs(div, a, s)
	if red < 500 || blue < 500 {
		t.Errorf("divergence map: %d red and %d blue pixels, want both", red, blue)
	}
	if s.Density.Lo >= 0 || s.Density.Hi <= 0 {
		t.Errorf("divergence colour bar from %v to %v: want it across 0", s.Density.Lo, s.Density.Hi)
	}

	// Lesson 9: the learned density on the canvas, the divergence in the
	// inset, and the numbers of both in the column.
	a.key(e2e.Key9)
	s = a.waitStateFor(t, waitLearn, "lesson 9 with its density and divergence", func(s *appstate.State) bool {
		return s.Lesson.Number == 9 && s.Layers.Density == "learned" && s.Density.Shown &&
			strings.Contains(strings.Join(s.Lesson.Numbers, "\n"), "mass in view") &&
			strings.Contains(strings.Join(s.Lesson.Numbers, "\n"), "along the particles")
	})
	time.Sleep(hold)
	savePNG(t, a.x.Screenshot(t), "density-lesson9")
	t.Logf("lesson 9 numbers:\n%s", strings.Join(s.Lesson.Numbers, "\n"))
	if s.Density.T != s.Timeline.T {
		t.Errorf("lesson 9 shows the density at t = %v, the clock is at %v", s.Density.T, s.Timeline.T)
	}
	a.key(e2e.Escape)
	a.waitState(t, "the app view again", func(s *appstate.State) bool { return s.Lesson.Number == 0 && s.Layers.Density == "divergence" })

	// The NLL falls as training goes on.
	s = a.waitStateFor(t, waitLearn, "a later NLL", func(s *appstate.State) bool {
		return s.Density.NLLStep > first.Density.NLLStep+2000
	})
	t.Logf("later NLL %.3f ± %.3f at step %d", s.Density.NLL, s.Density.NLLSE, s.Density.NLLStep)
	if !(s.Density.NLL < first.Density.NLL-2*first.Density.NLLSE) {
		t.Errorf("NLL %.3f at step %d did not fall below %.3f ± %.3f at step %d",
			s.Density.NLL, s.Density.NLLStep, first.Density.NLL, first.Density.NLLSE, first.Density.NLLStep)
	}
}

// cycleDensity presses Y until the density layer shows mode, one press at a
// time, each seen in the state file before the next: on a loaded machine a
// frame can outlast a key's press and release.
func (a *app) cycleDensity(t *testing.T, mode string) {
	t.Helper()
	for range 12 {
		s := a.fresh(t)
		if s.Layers.Density == mode {
			return
		}
		a.key(e2e.KeyY)
		deadline := time.Now().Add(10 * time.Second)
		for time.Now().Before(deadline) {
			if n, err := a.read(); err == nil && n != nil && n.Layers.Density != s.Layers.Density {
				break
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	t.Fatalf("Y never brought the density layer to %q", mode)
}

// canvasRect is the canvas on screen (offset by the window's position).
func canvasRect(a *app, s *appstate.State) image.Rectangle {
	c := s.Camera.Canvas
	return image.Rect(a.win.X+int(c[0]), a.win.Y+int(c[1]), a.win.X+int(c[0]+c[2]), a.win.Y+int(c[1]+c[3]))
}

// warm counts inferno's bright pixels (orange to yellow) in a world box.
func warm(img *image.RGBA, a *app, s *appstate.State, box [4]float64) int {
	x0, y0, x1, y1 := a.worldRect(s.Camera, box[0], box[1], box[2], box[3])
	n := 0
	for y := y0; y < y1; y++ {
		for x := x0; x < x1; x++ {
			c := img.RGBAAt(x, y)
			if c.R > 200 && c.G > 80 && c.B < 140 {
				n++
			}
		}
	}
	return n
}

// meanDiff is the mean absolute difference of two screenshots over the
// canvas, in 8-bit levels per channel.
func meanDiff(p, q *image.RGBA, a *app, s *appstate.State) float64 {
	r := canvasRect(a, s)
	sum, n := 0, 0
	for y := r.Min.Y; y < r.Max.Y; y += 2 {
		for x := r.Min.X; x < r.Max.X; x += 2 {
			c, d := p.RGBAAt(x, y), q.RGBAAt(x, y)
			sum += absDiff(c.R, d.R) + absDiff(c.G, d.G) + absDiff(c.B, d.B)
			n += 3
		}
	}
	return float64(sum) / float64(max(n, 1))
}

func absDiff(a, b uint8) int { return max(int(a)-int(b), int(b)-int(a)) }

// signs counts the divergence map's red and blue pixels on the canvas.
func signs(img *image.RGBA, a *app, s *appstate.State) (red, blue int) {
	r := canvasRect(a, s)
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			c := img.RGBAAt(x, y)
			switch {
			case int(c.R) > int(c.B)+60 && int(c.R) > int(c.G)+40:
				red++
			case int(c.B) > int(c.R)+60:
				blue++
			}
		}
	}
	return red, blue
}
