package main_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/flowviz/flowviz/viz/appstate"
	"github.com/flowviz/flowviz/viz/deck"
	"github.com/flowviz/flowviz/viz/e2e"
	"github.com/flowviz/flowviz/viz/storage"
)

// overlap reports whether two [x, y, w, h] rectangles share interior points.
func overlap(a, b [4]float64) bool {
	return a[0] < b[0]+b[2] && b[0] < a[0]+a[2] && a[1] < b[1]+b[3] && b[1] < a[1]+a[3]
}

// checkOverlays fails when an overlay of s covers the particles' box.
func checkOverlays(t *testing.T, what string, s *appstate.State) {
	t.Helper()
	if s.ParticlesBox == nil {
		t.Errorf("%s: no particles box", what)
		return
	}
	for name, r := range s.Overlays {
		if name != "compare_strip" && overlap(r, *s.ParticlesBox) {
			t.Errorf("%s: %s %v covers the particles %v", what, name, r, *s.ParticlesBox)
		}
	}
}

// TestDeckE2E presents the example deck as a lecturer would, at scale 2 on
// 1920×1080 with real keys: pages through every scene and checks its
// figure on screen, leaves and returns, adds a scene with the panel's
// button, draws ink and watches it fade; then, in one process resized and
// rescaled, checks at scales 1–4 and three window sizes (1280×720 to
// 1920×1080) that no overlay covers the particles, with the probe open.
func TestDeckE2E(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end")
	}
	dir := t.TempDir()
	example, err := os.ReadFile(filepath.Join("..", "..", "assets", "decks", "example.json"))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "lecture.json")
	if err := os.WriteFile(path, example, 0o644); err != nil {
		t.Fatal(err)
	}
	want, err := deck.Load(storage.Files{}, path)
	if err != nil {
		t.Fatal(err)
	}
	a := startAppOn(t, 1920, 1080, t.TempDir(), "-deck", path, "-window", "1920x1080", "-scale", "2", "-drawing", "", "-keep-dir", dir)
	a.waitState(t, "the deck's first scene", func(s *appstate.State) bool {
		return s.Deck.Current == 1 && s.Lesson.Number == 1
	})

	// Page through: each scene's figure on screen, clear of every box.
	leftAt := 0 // the training step scene 2 (live moons) was left at
	for n := 2; n <= len(want.Scenes); n++ {
		before := a.fresh(t)
		if n == 3 {
			leftAt = before.Training.Step
		}
		a.key(e2e.PageDown)
		sc := want.Scenes[n-1]
		s := a.waitStateFor(t, waitLearn, fmt.Sprintf("scene %d on screen", n), func(s *appstate.State) bool {
			if s.Deck.Current != n {
				return false
			}
			if sc.IsLesson() {
				return s.Lesson.Number > 0 && s.Lesson.Figure[2] > 0
			}
			return s.Scenes > before.Scenes+1 && s.ParticlesBox != nil && s.Deck.Column != nil && s.Target != before.Target
		})
		s = a.next(t, s)
		shot := a.x.Screenshot(t)
		savePNG(t, shot, fmt.Sprintf("deck-%d", n))
		if sc.IsLesson() {
			if s.Lesson.Title == "" {
				t.Errorf("scene %d: lesson %s not shown", n, sc.Lesson)
			}
			continue
		}
		if s.Deck.Title != sc.Title {
			t.Errorf("scene %d: title %q, want %q", n, s.Deck.Title, sc.Title)
		}
		col := *s.Deck.Column
		if ink := inked(shot, a.win.X+int(col[0]), a.win.Y+int(col[1]), a.win.X+int(col[0]+col[2]), a.win.Y+int(col[1]+col[3])); ink < 2000 {
			t.Errorf("scene %d: only %d pixels of caption", n, ink)
		}
		pb := *s.ParticlesBox
		if overlap(col, pb) {
			t.Errorf("scene %d: the caption %v covers the particles %v", n, col, pb)
		}
		if ink := inked(shot, a.win.X+int(pb[0]), a.win.Y+int(pb[1]), a.win.X+int(pb[0]+pb[2]), a.win.Y+int(pb[1]+pb[3])); ink < 500 {
			t.Errorf("scene %d: only %d pixels drawn where the particles are", n, ink)
		}
		checkOverlays(t, fmt.Sprintf("scene %d", n), s)
		if sc.Compare != "" && s.Compare == nil {
			t.Errorf("scene %d: compare mode not open", n)
		}
	}

	// Esc leaves to the free app; PageDown returns to the same scene.
	a.key(e2e.Escape)
	a.waitState(t, "the free app", func(s *appstate.State) bool { return s.Deck.Current == 0 && s.Lesson.Number == 0 })
	a.key(e2e.PageDown)
	a.waitState(t, "back in the deck", func(s *appstate.State) bool { return s.Deck.Current == len(want.Scenes) })
	a.key(e2e.Key2)
	s := a.waitStateFor(t, waitLearn, "scene 2 by its digit", func(s *appstate.State) bool {
		return s.Deck.Current == 2 && strings.HasPrefix(s.Target, "moons")
	})
	// A live scene shown again goes on training where it was left, as a
	// slide tool keeps a slide: its step does not drop back to ~0.
	s = a.next(t, a.next(t, s))
	if s.Training.Step < leftAt*9/10 || leftAt == 0 {
		t.Errorf("scene 2 shown again at step %d; it was left at step %d", s.Training.Step, leftAt)
	}
	a.key(e2e.Escape)
	s = a.waitState(t, "the free app", func(s *appstate.State) bool { return s.Deck.Current == 0 })

	// Add a scene with the panel: a caption typed in its field, the button.
	cx, cy := control(t, s, "deck_caption")
	a.click(a.win.X+cx, a.win.Y+cy)
	a.x.Type("my moons")
	a.x.KeyTap(e2e.Return)
	ax, ay := control(t, s, "add_scene")
	a.click(a.win.X+ax, a.win.Y+ay)
	a.waitState(t, "the scene added and saved", func(s *appstate.State) bool {
		return s.Deck.Scenes == len(want.Scenes)+1
	})
	var got *deck.Deck
	deadline := time.Now().Add(waitLong)
	for time.Now().Before(deadline) {
		if got, err = deck.Load(storage.Files{}, path); err == nil && len(got.Scenes) == len(want.Scenes)+1 {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if got == nil || len(got.Scenes) != len(want.Scenes)+1 {
		t.Fatalf("the saved deck: %v", err)
	}
	added := got.Scenes[len(got.Scenes)-1]
	if added.Caption != "my moons" || !strings.HasPrefix(added.Target.Spec, "moons") || added.View == nil {
		t.Errorf("the added scene: caption %q target %+v view %v", added.Caption, added.Target, added.View)
	}

	// Ink: N, a stroke over the figure, seen on screen, gone a few s later.
	a.key(e2e.KeyN)
	s = a.waitState(t, "the pen on", func(s *appstate.State) bool { return s.Ink.On })
	c := s.Camera.Canvas
	y := a.win.Y + int(c[1]+c[3]/2)
	x0 := a.win.X + int(c[0]+c[2]/2) - 150
	a.stroke([][2]int{{x0, y}, {x0 + 100, y + 10}, {x0 + 200, y}, {x0 + 300, y + 10}})
	a.waitState(t, "a stroke", func(s *appstate.State) bool { return s.Ink.Strokes == 1 })
	shot := a.x.Screenshot(t)
	savePNG(t, shot, "deck-ink")
	red := 0
	for x := x0 + 20; x < x0+280; x++ {
		for dy := -8; dy <= 18; dy++ {
			if p := shot.RGBAAt(x, y+dy); p.R > 220 && p.G < 110 && p.B < 110 {
				red++
			}
		}
	}
	if red < 100 {
		t.Errorf("only %d ink pixels under the stroke", red)
	}
	a.waitStateFor(t, 15*time.Second, "the ink faded", func(s *appstate.State) bool { return s.Ink.Strokes == 0 })
	a.key(e2e.KeyN)

	// No box over the particles at scales 1–4 and three window sizes, with
	// the probe open on the figure.
	a.key(e2e.KeyQ)
	s = a.waitState(t, "the probe on", func(s *appstate.State) bool { return s.Tool.Mode == "probe" && s.ParticlesBox != nil })
	pb := *s.ParticlesBox
	a.click(a.win.X+int(pb[0]+pb[2]/2), a.win.Y+int(pb[1]+pb[3]/2))
	a.waitState(t, "a probe point", func(s *appstate.State) bool { return s.Tool.ProbeAt != nil })
	scale := 2
	// (3840×2160 is checked by viz's TestOverlaysLeaveTheFigureAlone: under
	// Xvfb's software GL a 4K frame takes seconds on a loaded machine.)
	for _, size := range [][2]int{{1280, 720}, {1600, 900}, {1920, 1080}} {
		a.win = a.x.Resize(t, a.win, size[0], size[1])
		for _, target := range []int{1, 2, 3, 4} {
			for scale != target {
				k, step := e2e.Equal, 1
				if scale > target {
					k, step = e2e.Minus, -1
				}
				a.key(k)
				scale += step
				a.waitState(t, fmt.Sprintf("UI scale %d", scale), func(s *appstate.State) bool { return s.Scale == float64(scale) })
			}
			a.key(e2e.KeyF) // fit the view to the data, as after a resize
			what := fmt.Sprintf("%dx%d at scale %d", size[0], size[1], target)
			s := a.waitState(t, what, func(s *appstate.State) bool {
				return s.Window.W == size[0] && s.Window.H == size[1] && s.Scale == float64(target) && s.ParticlesBox != nil
			})
			s = a.next(t, s)
			checkOverlays(t, what, s)
			if size[0] == 1920 && target == 2 {
				savePNG(t, a.x.Screenshot(t), "deck-probe-1920x1080-scale2")
			}
		}
	}
}
