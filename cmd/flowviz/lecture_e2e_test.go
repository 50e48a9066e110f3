package main_test

import (
	"image"
	"testing"

	"github.com/flowviz/flowviz/viz/appstate"
	"github.com/flowviz/flowviz/viz/e2e"
)

// TestLectureModeE2E is a lecturer at a projector: + makes the UI larger, I
// switches to the high-contrast theme, both with real key presses, and the
// canvas really turns black.
func TestLectureModeE2E(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end")
	}
	a := startApp(t, "-drawing", "")
	before := a.waitState(t, "scale 1, standard theme", func(s *appstate.State) bool {
		return s.Scale == 1 && s.Theme == "standard" && s.Colours == "viridis" && s.Controls["panel"][2] > 0
	})
	a.fresh(t)
	shot := a.x.Screenshot(t)
	cam := before.Camera.Canvas
	canvas := image.Rect(a.win.X+int(cam[0]), a.win.Y+int(cam[1]), a.win.X+int(cam[0]+cam[2]), a.win.Y+int(cam[1]+cam[3]))
	if f := blackShare(shot, canvas); f > 0.01 {
		savePNG(t, shot, "lecture-standard")
		t.Errorf("standard theme: %.0f %% of the canvas pure black, want its dark grey", 100*f)
	}

	a.key(e2e.Equal)
	s := a.waitState(t, "UI scale 2 after +", func(s *appstate.State) bool { return s.Scale == 2 })
	if s.Status != "UI scale 2" {
		t.Errorf("status %q after +, want \"UI scale 2\"", s.Status)
	}
	// The panel and the timeline bar grew with the scale.
	if p0, p1 := before.Controls["panel"][2], s.Controls["panel"][2]; p1 <= p0 {
		t.Errorf("panel %v px wide at scale 2, %v at scale 1", p1, p0)
	}
	if h0, h1 := before.Controls["play"][3], s.Controls["play"][3]; h1 < 1.5*h0 {
		t.Errorf("play button %v px high at scale 2, %v at scale 1", h1, h0)
	}

	a.key(e2e.KeyI)
	s = a.waitState(t, "the high-contrast theme after I", func(s *appstate.State) bool { return s.Theme == "contrast" })
	if s.Scale != 2 || s.Colours != "viridis" {
		t.Errorf("I changed more than the theme: scale %v, colours %q", s.Scale, s.Colours)
	}
	a.fresh(t) // a frame drawn after the switch
	shot = a.x.Screenshot(t)
	cam = s.Camera.Canvas
	canvas = image.Rect(a.win.X+int(cam[0]), a.win.Y+int(cam[1]), a.win.X+int(cam[0]+cam[2]), a.win.Y+int(cam[1]+cam[3]))
	// Arrows, dots, grid and labels cover part of the canvas; the rest is
	// the background, now pure black.
	f := blackShare(shot, canvas)
	t.Logf("high contrast at scale 2: %.0f %% of the canvas %v pure black", 100*f, canvas)
	if f < 0.3 {
		t.Errorf("high contrast: only %.0f %% of the canvas pure black", 100*f)
	}
	if t.Failed() {
		savePNG(t, shot, "lecture-contrast")
	}
}

// blackShare is the fraction of the pixels of img inside r that are pure
// black.
func blackShare(img *image.RGBA, r image.Rectangle) float64 {
	r = r.Intersect(img.Bounds())
	if r.Empty() {
		return 0
	}
	n := 0
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			if c := img.RGBAAt(x, y); c.R == 0 && c.G == 0 && c.B == 0 {
				n++
			}
		}
	}
	return float64(n) / float64(r.Dx()*r.Dy())
}
