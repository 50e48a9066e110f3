package main_test

import (
	"fmt"
	"image"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/flowviz/flowviz/viz/appstate"
	"github.com/flowviz/flowviz/viz/e2e"
	"github.com/flowviz/flowviz/viz/lesson"
)

// TestImageViewE2E is a lecturer showing the digits on a projector
// (1920×1080, UI scale 2): `-target digits` opens the image view with a
// grid of samples; stepping the timeline with → changes the grid's pixels;
// a click chooses a sample; X switches to the PCA view and back.
func TestImageViewE2E(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end")
	}
	const w, h = 1920, 1080
	a := startAppOn(t, w, h, t.TempDir(), "-window", "1920x1080", "-scale", "2", "-drawing", "", "-keep-dir", "", "-target", "digits")
	// A frame of weights trained a little: an untrained network barely
	// moves the noise.
	s := a.waitStateFor(t, waitLearn, "the image view with a frame of step 20", func(s *appstate.State) bool {
		return s.Images != nil && s.Images.Step >= 20 && s.Images.Mode == "grid" && s.Images.Main[2] > 0
	})
	if s.Target != "digits" || s.Images.Target != "digits" || s.Images.N != 50 {
		t.Errorf("target %q, image view %+v; want digits with NUM_STEPS 50", s.Target, *s.Images)
	}
	if s.Images.Variance <= 0 || s.Images.Variance >= 1 {
		t.Errorf("PCA variance share %v, want in (0, 1)", s.Images.Variance)
	}
	// Pause the timeline and go to t = 0, then step: each → is one solver
	// step, and the grid's pixels change.
	a.key(e2e.Space)
	a.key(e2e.Home)
	s = a.waitState(t, "t = 0, paused", func(s *appstate.State) bool { return !s.Timeline.Playing && s.Timeline.T == 0 })
	main := s.Images.Main
	grid := image.Rect(a.win.X+int(main[0]), a.win.Y+int(main[1]), a.win.X+int(main[0]+main[2]), a.win.Y+int(main[1]+main[3]))
	a.fresh(t)
	before := a.x.Screenshot(t)
	savePNG(t, before, "images-t0")
	for k := 1; k <= 10; k++ {
		a.stepTo(t, k)
	}
	a.waitState(t, "step 10 of 50", func(s *appstate.State) bool { return s.Timeline.K == 10 && s.Timeline.Exact })
	a.fresh(t)
	after := a.x.Screenshot(t)
	savePNG(t, after, "images-t10")
	if d := changed(before, after, grid); d < 0.2 {
		t.Errorf("10 solver steps changed only %.0f %% of the grid's pixels", 100*d)
	}
	a.key(e2e.End)
	a.waitState(t, "t = 1", func(s *appstate.State) bool { return s.Timeline.T == 1 })
	// Click the grid's last image: the film strip and the nearest example follow it.
	a.click(a.win.X+int(main[0]+main[2]*15/16), a.win.Y+int(main[1]+main[3]*15/16))
	s = a.waitState(t, "sample 64 chosen", func(s *appstate.State) bool { return s.Images.Cell == 63 })
	if !(s.Images.Nearest > 0) {
		t.Errorf("nearest distance %v of the chosen sample", s.Images.Nearest)
	}
	a.fresh(t)
	savePNG(t, a.x.Screenshot(t), "images-grid")

	a.key(e2e.KeyX)
	a.waitState(t, "the PCA view after X", func(s *appstate.State) bool { return s.Images.Mode == "pca" })
	a.fresh(t)
	pca := a.x.Screenshot(t)
	savePNG(t, pca, "images-pca")
	if d := changed(after, pca, grid); d < 0.2 {
		t.Errorf("X changed only %.0f %% of the main area's pixels", 100*d)
	}
	a.key(e2e.KeyX)
	a.waitState(t, "the grid again after a second X", func(s *appstate.State) bool { return s.Images.Mode == "grid" })
}

// TestConditionalImageViewE2E is a lecturer guiding the digits at a
// projector (1920×1080, UI scale 2): on digits8, the Diffusion section's
// class-conditional box retrains the image model on the digit, and the grid
// shows a row per digit; the class picker's + four times (all → 0 → 1 → 2
// → 3) fills the grid with threes, the guidance slider sets w, and the
// state file reports the digit, w and how many samples look like a 3.
func TestConditionalImageViewE2E(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end")
	}
	const w, h = 1920, 1080
	a := startAppOn(t, w, h, t.TempDir(), "-window", "1920x1080", "-scale", "2", "-drawing", "", "-keep-dir", "", "-target", "digits8")
	a.waitStateFor(t, waitLearn, "the image view", func(s *appstate.State) bool { return s.Images != nil && s.Images.Frames > 0 })
	a.clickControl(t, "diffusion.cond", 0.1)
	s := a.waitStateFor(t, waitLearn, "a conditional image model's grid, a row per digit", func(s *appstate.State) bool {
		return s.Images != nil && s.Images.Cond && s.Images.Rows == 10 && s.Images.Class == -1 && s.Images.Step >= 20
	})
	a.fresh(t)
	savePNG(t, a.x.Screenshot(t), "images-cond-all")
	if !strings.Contains(s.Status, "conditional on the digit") {
		t.Errorf("the status line says %q after ticking class-conditional", s.Status)
	}
	for k := range 4 {
		a.clickControl(t, "diffusion.class.next", 0.5)
		a.waitState(t, fmt.Sprintf("class %d in the picker", k), func(s *appstate.State) bool { return s.Diffusion.Class == k })
	}
	// The slider runs 0..10: at 30 % of its width w ≈ 3.
	a.clickControl(t, "diffusion.guidance", 0.3)
	s = a.waitStateFor(t, 3*waitLearn, "a grid of threes with w ≈ 3, trained a while", func(s *appstate.State) bool {
		im := s.Images
		return im != nil && im.Class == 3 && im.Rows == 8 && im.Guidance > 2 && im.Step >= 300
	})
	t.Logf("digit 3 at w = %.2f, step %d: %.0f %% of the samples look like a 3", s.Images.Guidance, s.Images.Step, 100*s.Images.Accuracy)
	// The samples at t = 1, paused, as a lecturer shows them.
	a.key(e2e.Space)
	a.key(e2e.End)
	a.waitState(t, "t = 1, paused", func(s *appstate.State) bool { return !s.Timeline.Playing && s.Timeline.T == 1 })
	a.fresh(t)
	savePNG(t, a.x.Screenshot(t), "images-cond-three")
	if s.Images.Accuracy < 0.5 {
		t.Errorf("only %.0f %% of the samples asked for a 3 look like one at w = %.1f", 100*s.Images.Accuracy, s.Images.Guidance)
	}
}

// changed is the share of the pixels in r that differ between a and b.
func changed(a, b *image.RGBA, r image.Rectangle) float64 {
	r = r.Intersect(a.Bounds()).Intersect(b.Bounds())
	if r.Empty() {
		return 0
	}
	n := 0
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			if a.RGBAAt(x, y) != b.RGBAAt(x, y) {
				n++
			}
		}
	}
	return float64(n) / float64(r.Dx()*r.Dy())
}

// TestImageLessonE2E opens "The high-dimensional case" from the command
// line as a lecturer would: the lesson's column beside the image view in
// its figure, sample grids that the timeline steps, and Esc back to the
// plane.
func TestImageLessonE2E(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end")
	}
	all, err := lesson.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	number := slices.IndexFunc(all, func(l lesson.Lesson) bool { return l.Kind == "images" }) + 1
	if number == 0 {
		t.Fatal("no lesson of kind images")
	}
	const w, h = 1920, 1080
	a := startAppOn(t, w, h, t.TempDir(), "-window", "1920x1080", "-scale", "2", "-drawing", "", "-keep-dir", "", "-lesson", fmt.Sprint(number))
	s := a.waitStateFor(t, waitLearn, "the lesson over the image view, a frame of step 20", func(s *appstate.State) bool {
		return s.Lesson.Number == number && s.Images != nil && s.Images.Step >= 20 && len(s.Lesson.Numbers) > 1
	})
	fig, col, main := s.Lesson.Figure, s.Lesson.Column, s.Images.Main
	if main[0] < fig[0]-1 || main[0]+main[2] > fig[0]+fig[2]+1 || main[0] < col[0]+col[2]-1 {
		t.Errorf("the grid %v is not inside the figure %v, right of the column %v", main, fig, col)
	}
	if !strings.Contains(strings.Join(s.Lesson.Numbers, "\n"), "256 numbers") {
		t.Errorf("the column says %q", s.Lesson.Numbers)
	}
	a.key(e2e.Space)
	a.key(e2e.Home)
	a.waitState(t, "t = 0, paused", func(s *appstate.State) bool { return !s.Timeline.Playing && s.Timeline.T == 0 })
	grid := image.Rect(a.win.X+int(main[0]), a.win.Y+int(main[1]), a.win.X+int(main[0]+main[2]), a.win.Y+int(main[1]+main[3]))
	a.fresh(t)
	before := a.x.Screenshot(t)
	a.key(e2e.End)
	a.waitState(t, "t = 1", func(s *appstate.State) bool { return s.Timeline.T == 1 })
	a.fresh(t)
	after := a.x.Screenshot(t)
	savePNG(t, after, "images-lesson")
	if d := changed(before, after, grid); d < 0.2 {
		t.Errorf("noise to samples changed only %.0f %% of the grid's pixels", 100*d)
	}
	a.key(e2e.Escape)
	a.waitState(t, "the plane again after Esc", func(s *appstate.State) bool { return s.Lesson.Number == 0 && s.Images == nil })
}

// stepTo presses → until the timeline is on step k, again if a loaded
// machine's slow frames missed a press (at most five times).
func (a *app) stepTo(t *testing.T, k int) {
	t.Helper()
	for range 5 {
		a.key(e2e.Right)
		deadline := time.Now().Add(10 * time.Second)
		for time.Now().Before(deadline) {
			if s, err := a.read(); err == nil && s != nil && s.Timeline.K >= k {
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	t.Fatalf("the timeline did not reach step %d after five presses of →", k)
}
