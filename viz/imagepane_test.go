package viz

import (
	"testing"
	"time"

	"github.com/hajimehoshi/ebiten/v2"

	"github.com/flowviz/flowviz/viz/imageview"
	"github.com/flowviz/flowviz/viz/keymap"
)

// TestImageTargetOpensTheImageView: choosing digits8 in the panel opens the
// image view, pauses the 2D model and never hands it the image target; X
// switches grid and PCA; the panel's buttons act on the image model;
// choosing a 2D target closes the view and resumes the 2D model.
func TestImageTargetOpensTheImageView(t *testing.T) {
	g, b, screen := digits8Game(t, "running")
	if b.pauses == 0 {
		t.Error("the 2D model behind the image view was not paused")
	}
	g.panes.cur.applyNow(false)
	for _, a := range b.applied {
		if a.Target == "digits8" {
			t.Fatalf("the 2D backend was given the image target: %+v", a)
		}
	}
	deadline := time.Now().Add(120 * time.Second)
	for g.img.be.Frame() == nil {
		if time.Now().After(deadline) {
			t.Fatal("no image frame within 120 s")
		}
		time.Sleep(50 * time.Millisecond)
		frame(t, g, screen)
	}
	rep := g.report()
	if im := rep.state.Images; im == nil || im.Target != "digits8" || im.Frames < 1 || rep.state.Target != "digits8" {
		t.Fatalf("state file image section %+v, target %q", im, rep.state.Target)
	}
	g.do(keymap.ToggleImageView)
	if g.img.view.Mode != imageview.PCAView || g.report().state.Images.Mode != "pca" {
		t.Error("X did not switch to the PCA view")
	}
	frame(t, g, screen) // the PCA view draws
	g.do(keymap.ToggleImageView)
	if g.img.view.Mode != imageview.GridView {
		t.Error("a second X did not switch back to the grid")
	}
	g.actions().Pause()
	if st := trainingStatus(g.img, g.panes).State; st != "paused" {
		t.Errorf("Pause left the image model %q", st)
	}
	s := g.panes.cur.settings
	s.Target = "moons"
	g.panes.edit(s)
	frame(t, g, screen)
	if g.img != nil {
		t.Fatal("a 2D target did not close the image view")
	}
	if b.trains == 0 {
		t.Error("the 2D model was not resumed")
	}
}

// TestConditionalImageView: ticking class-conditional (the Diffusion
// section) retrains the image model conditional on the digit once the edit
// settles; the section's class picker steps through the ten digits, and
// the grid follows it: one digit fills it, "all" gives a row per digit,
// with the panel's w.
func TestConditionalImageView(t *testing.T) {
	g, _, screen := digits8Game(t, "running")
	if g.img.be.Config().Conditional() {
		t.Fatal("digits8 did not open an unconditional image view")
	}
	first := g.img
	s := g.panes.cur.settings
	s.Cond = true
	g.panes.edit(s)
	frame(t, g, screen)
	if g.img != first {
		t.Error("the image model restarted before the edit settled")
	}
	wait := func(what string, ok func() bool) {
		t.Helper()
		deadline := time.Now().Add(120 * time.Second)
		for !ok() {
			if time.Now().After(deadline) {
				t.Fatalf("no %s within 120 s", what)
			}
			time.Sleep(50 * time.Millisecond)
			frame(t, g, screen)
		}
	}
	wait("conditional image model", func() bool { return g.img != first && g.img != nil && g.img.be.Config().Conditional() })
	if n := g.actions().Classes; n != 10 {
		t.Fatalf("the Diffusion section's picker gets %d classes, want the ten digits", n)
	}
	wait("frame of every digit", func() bool {
		im := g.report().state.Images
		return im != nil && im.Frames > 0 && im.Rows == 10 && im.Class == -1 && im.Cond
	})
	// The picker's + from "all" goes to digit 0, then 1, 2, 3; w = 2.
	s = g.panes.cur.settings
	for range 4 {
		stepClass(&s, g.actions().Classes, +1)
	}
	s.Guidance = 1
	g.panes.edit(s)
	wait("frame of digit 3", func() bool {
		im := g.report().state.Images
		return im.Class == 3 && im.Rows == 8 && im.Guidance == 2
	})
	if f := g.img.be.Frame(); f.Asked[0] != 3 || f.Asked[len(f.Asked)-1] != 3 {
		t.Errorf("the grid of digit 3 asked for %d … %d", f.Asked[0], f.Asked[len(f.Asked)-1])
	}
	// Back to all (−, −, −, −): a row per digit again.
	for range 4 {
		stepClass(&s, g.actions().Classes, -1)
	}
	g.panes.edit(s)
	wait("frame of every digit again", func() bool { im := g.report().state.Images; return im.Class == -1 && im.Rows == 10 })
}

// digits8Game is a test game on a synthetic 2D backend in state whose
// panel chose the digits8 target, with the image view open (closed when
// the test ends).
func digits8Game(t *testing.T, state string) (*Game, *staticBackend, *ebiten.Image) {
	t.Helper()
	b := newSynthetic(200, 10, 8)
	b.status.State = state
	g := testGame(t, b, 1280, 800)
	screen := ebiten.NewImage(1280, 800)
	frame(t, g, screen)
	s := g.panes.cur.settings
	s.Target = "digits8"
	g.panes.edit(s)
	frame(t, g, screen)
	if g.img == nil {
		t.Fatal("the digits8 target did not open the image view")
	}
	t.Cleanup(func() {
		if g.img != nil {
			g.img.close()
		}
	})
	return g, b, screen
}
