package viz

import (
	"fmt"
	"image/png"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/hajimehoshi/ebiten/v2"

	"github.com/flowviz/flowviz/flow"
	"github.com/flowviz/flowviz/viz/appstate"
	"github.com/flowviz/flowviz/viz/densityview"
	"github.com/flowviz/flowviz/viz/input"
	"github.com/flowviz/flowviz/viz/keymap"
)

// boxOf turns a state-file rectangle into a rect.
func boxOf(b [4]float64) rect { return rect{b[0], b[1], b[2], b[3]} }

// checkClear fails when an overlay of the report covers the particles.
func checkClear(t *testing.T, what string, st appstate.State) {
	t.Helper()
	if st.ParticlesBox == nil {
		t.Fatalf("%s: no particles box in the report", what)
	}
	pb := boxOf(*st.ParticlesBox)
	for name, r := range st.Overlays {
		if name == "compare_strip" {
			continue // beside the panes, never over them (checked apart)
		}
		if boxOf(r).overlaps(pb) {
			t.Errorf("%s: %s %v covers the particles %v", what, name, r, *st.ParticlesBox)
		}
	}
}

// saveShot writes screen to $FLOWVIZ_E2E_SHOTS/name.png when that is set,
// to look at what the test saw.
func saveShot(t *testing.T, screen *ebiten.Image, name string) {
	dir := os.Getenv("FLOWVIZ_E2E_SHOTS")
	if dir == "" {
		return
	}
	f, err := os.Create(filepath.Join(dir, name+".png"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := png.Encode(f, screen); err != nil {
		t.Fatal(err)
	}
}

// TestOverlaysLeaveTheFigureAlone: at every UI scale and from 1280×720 to
// 3840×2160, in the app view with the probe open and the density layer on,
// no overlay covers the particles (the density key among them), and where
// there is room the readout and the density key stay.
func TestOverlaysLeaveTheFigureAlone(t *testing.T) {
	if raceEnabled {
		t.Skip("a layout sweep on one goroutine that takes minutes under the race detector: make test runs it without -race")
	}
	g, _ := inspectGame(t)
	g.do(keymap.CycleDensity)
	g.do(keymap.CycleDensity) // the exact density: no model needed
	if g.panes.cur.canvas.Layers.Density != densityview.Exact {
		t.Fatalf("Y Y gave density mode %v", g.panes.cur.canvas.Layers.Density)
	}
	g.do(keymap.ToggleProbe)
	g.tools.probeAt, g.tools.probeSet = flow.Vec{0.5, 0.5}, true
	for _, size := range [][2]int{{1280, 720}, {1920, 1080}, {3840, 2160}} {
		screen := ebiten.NewImage(size[0], size[1])
		g.Layout(size[0], size[1])
		for s := 1.0; s <= 4; s++ {
			g.ui.setScale(s, g.panes)
			g.tools.Off()
			g.ui.say(g.tools.Toggle(ProbeTool), false) // the probe's long hint, as Q gives it
			g.tools.probeSet = true
			frame(t, g, screen)
			g.panes.cur.fit()
			for range 3 {
				frame(t, g, screen)
			}
			if size == [2]int{1920, 1080} && s == 2 {
				// The key as a lecturer sees it: with its layer and bar.
				for end := time.Now().Add(20 * time.Second); !g.panes.cur.dens.shown() && time.Now().Before(end); {
					time.Sleep(20 * time.Millisecond)
					frame(t, g, screen)
				}
				frame(t, g, screen)
			}
			what := fmt.Sprintf("%dx%d scale %g", size[0], size[1], s)
			st := g.report().state
			checkClear(t, what, st)
			if _, ok := st.Overlays["probe"]; !ok && !contains(st.HiddenOverlays, "probe") {
				t.Errorf("%s: the probe's box is neither placed nor hidden: %v %v", what, st.Overlays, st.HiddenOverlays)
			}
			if _, ok := st.Overlays["density_legend"]; !ok && !contains(st.HiddenOverlays, "density_legend") {
				t.Errorf("%s: the density key is neither placed nor hidden: %v %v", what, st.Overlays, st.HiddenOverlays)
			}
			if size[0] >= 1920 && s <= 2 {
				for _, name := range []string{"training", "density_legend"} {
					if _, ok := st.Overlays[name]; !ok {
						t.Errorf("%s: no room found for the %s: hidden %v", what, name, st.HiddenOverlays)
					}
				}
			}
			if size == [2]int{1920, 1080} && s == 2 {
				saveShot(t, screen, "overlays-1920x1080-scale2-probe")
			}
		}
		screen.Deallocate()
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// TestPresentationHidesChrome: Shift+H hides the panel, readout and legend
// and keeps the timeline; H alone does not turn it on.
func TestPresentationHidesChrome(t *testing.T) {
	g, screen := inspectGame(t)
	var in input.Snapshot
	in.Keys[ebiten.KeyShift], in.Keys[ebiten.KeyH] = 5, 1
	g.handleKeys(&in)
	if !g.present.On || !g.ui.showPanel {
		t.Fatalf("Shift+H: presentation %v, panel flag %v; want presentation on and the H toggle untouched", g.present.On, g.ui.showPanel)
	}
	frame(t, g, screen)
	st := g.report().state
	if st.Controls["panel"] != [4]float64{} || len(st.Overlays) != 0 || !st.Presentation {
		t.Errorf("presentation shows the panel %v or overlays %v", st.Controls["panel"], st.Overlays)
	}
	if _, ok := st.Controls["play"]; !ok {
		t.Errorf("the timeline is gone in presentation mode: %v", st.Controls)
	}
	in.Keys[ebiten.KeyShift] = 0
	g.handleKeys(&in)
	if g.present.On || g.ui.showPanel {
		t.Errorf("H in presentation: presentation %v panel %v; want the panel's toggle (off) and presentation left", g.present.On, g.ui.showPanel)
	}
}

// TestInkDrawsOverAndFades: with N on, a left drag leaves a stroke on top
// of the figure that changes neither target nor drawing, and fades after
// inkHold + inkFade unless kept; Backspace clears kept ink.
func TestInkDrawsOverAndFades(t *testing.T) {
	g, screen := inspectGame(t)
	target := g.panes.cur.applied.Target
	g.do(keymap.ToggleInk)
	if !g.present.Ink.On {
		t.Fatal("N did not switch the pen on")
	}
	cr, _, _ := g.layout()
	x0, y0 := cr.X+cr.W/2-100, cr.Y+cr.H/2
	now := time.Now()
	var in input.Snapshot
	in = in.At(x0, y0)
	in.Press(input.Left)
	if !g.present.Ink.Update(&in, rect{0, 0, 1600, 900}, now) {
		t.Fatal("the pen did not take the press")
	}
	for i := 1; i <= 10; i++ {
		in = input.Snapshot{}.At(x0+float64(20*i), y0)
		in.Hold(input.Left)
		g.present.Ink.Update(&in, rect{0, 0, 1600, 900}, now)
	}
	in = input.Snapshot{}.At(x0+200, y0)
	in.Release(input.Left)
	g.present.Ink.Update(&in, rect{0, 0, 1600, 900}, now)
	g.Draw(screen)
	if c := screen.At(int(x0+100), int(y0)); !near(c, inkColour(), 30) {
		t.Errorf("pixel under the stroke is %v, want the ink's colour", c)
	}
	if g.present.Ink.Strokes() != 1 || g.panes.cur.settings.Target != target || g.draw.target.Len() != 0 {
		t.Errorf("strokes %d, target %q, drawing %d points", g.present.Ink.Strokes(), g.panes.cur.settings.Target, g.draw.target.Len())
	}
	g.present.Ink.Update(&input.Snapshot{}, rect{0, 0, 1600, 900}, now.Add(inkHold+inkFade/2))
	if a := g.present.Ink.alpha(g.present.Ink.strokes[0], now.Add(inkHold+inkFade/2)); a <= 0 || a >= 1 {
		t.Errorf("half way through the fade the ink's opacity is %v", a)
	}
	g.present.Ink.Update(&input.Snapshot{}, rect{0, 0, 1600, 900}, now.Add(inkHold+inkFade+time.Millisecond))
	if n := g.present.Ink.Strokes(); n != 0 {
		t.Errorf("%d strokes left after the fade", n)
	}
	// Kept ink stays until Backspace.
	g.present.Ink.Keep = true
	g.present.Ink.strokes = []inkStroke{{pts: [][2]float32{{1, 1}, {5, 5}}, ended: now}}
	g.present.Ink.Update(&input.Snapshot{}, rect{0, 0, 1600, 900}, now.Add(time.Hour))
	if g.present.Ink.Strokes() != 1 {
		t.Error("kept ink faded")
	}
	g.do(keymap.ClearInk)
	if g.present.Ink.Strokes() != 0 {
		t.Error("Backspace left the ink")
	}
}
