package viz

import (
	"fmt"
	"math"
	"testing"

	"github.com/hajimehoshi/ebiten/v2"

	"github.com/flowviz/flowviz/flow"
	"github.com/flowviz/flowviz/viz/keymap"
	"github.com/flowviz/flowviz/viz/palette"
)

func TestSetScaleChangesEveryPart(t *testing.T) {
	b := newSynthetic(500, 20, 16)
	g := testGame(t, b, 1920, 1080)
	screen := ebiten.NewImage(1920, 1080)
	frame(t, g, screen)
	_, _, panel1 := g.layout()
	for _, tc := range []struct {
		action keymap.Action
		want   float64
	}{
		{keymap.UIScaleUp, 2}, {keymap.UIScaleUp, 3}, {keymap.UIScaleUp, 4}, {keymap.UIScaleUp, 4},
		{keymap.UIScaleDown, 3}, {keymap.UIScaleDown, 2}, {keymap.UIScaleDown, 1}, {keymap.UIScaleDown, 1},
	} {
		g.do(tc.action)
		s := tc.want
		if g.ui.scale != s || g.panes.cur.canvas.Scale != s || g.ui.bar.Scale != s || g.ui.hud.Scale != s || g.ui.panel.Scale != int(s) {
			t.Fatalf("after %v: game %v, canvas %v, bar %v, HUD %v, panel %v; want %v",
				tc.action, g.ui.scale, g.panes.cur.canvas.Scale, g.ui.bar.Scale, g.ui.hud.Scale, g.ui.panel.Scale, s)
		}
		if g.ui.fonts.Body.Size != 16*s || g.ui.fonts.Small.Size != 13*s || g.ui.fonts.Large.Size != 20*s || g.ui.fonts.Bold.Size != 16*s {
			t.Fatalf("fonts at scale %v: body %v", s, g.ui.fonts.Body.Size)
		}
		if want := fmt.Sprintf("UI scale %g", s); g.ui.status != want {
			t.Errorf("status %q, want %q", g.ui.status, want)
		}
		frame(t, g, screen) // lays out and draws at the new scale without trouble
		canvas, bar, panel := g.layout()
		// The panel hides itself where it would leave the canvas too
		// little room: at scale 4 on 1920 pixels.
		wantPanel := min(330*s, 1920*0.4)
		if 1920 < 560*s {
			wantPanel = 0
		}
		if bar.H != min(84*s, 1080.0/3) || panel.W != wantPanel {
			t.Errorf("scale %v: bar %v high, panel %v wide", s, bar.H, panel.W)
		}
		if g.panes.cur.canvas.Cam.W != canvas.W || g.ui.bar.Area != bar || g.ui.panel.Area != panel {
			t.Errorf("scale %v: parts not laid out anew: camera %v wide, canvas %v", s, g.panes.cur.canvas.Cam.W, canvas.W)
		}
		if st := g.report().state; st.Scale != s {
			t.Errorf("state file scale %v, want %v", st.Scale, s)
		}
	}
	if _, _, panel := g.layout(); panel != panel1 {
		t.Errorf("back at scale 1 the panel is %v, was %v", panel, panel1)
	}
	// A fractional start scale (-scale 1.5) steps to whole numbers.
	g.ui.setScale(1.5, g.panes)
	g.do(keymap.UIScaleUp)
	if g.ui.scale != 2 {
		t.Errorf("+ from 1.5 gave %v, want 2", g.ui.scale)
	}
	g.ui.setScale(9, g.panes)
	if g.ui.scale != 4 {
		t.Errorf("setScale(9) gave %v, want 4", g.ui.scale)
	}
}

func TestContrastAndColourKeys(t *testing.T) {
	defer palette.SetTheme(palette.Standard)
	defer palette.SetColours("viridis")
	b := newSynthetic(500, 20, 16)
	g := testGame(t, b, 1280, 800)
	screen := ebiten.NewImage(1280, 800)
	g.panes.cur.canvas.Layers = Layers{}
	frame(t, g, screen)
	corner := func() palette.RGBA { // a canvas pixel away from lines and text
		c := screen.At(3, 3)
		r, gg, bb, _ := c.RGBA()
		return palette.RGBA{R: float32(r>>8) / 255, G: float32(gg>>8) / 255, B: float32(bb>>8) / 255, A: 1}
	}
	before := corner()
	if !near(screen.At(3, 3), palette.Standard.Background, 3) {
		t.Fatalf("standard background %v", before)
	}
	g.do(keymap.ToggleContrast)
	frame(t, g, screen)
	if st := g.report().state; st.Theme != "contrast" || palette.Background != palette.HighContrast.Background {
		t.Fatalf("after I: state theme %q", st.Theme)
	}
	if !near(screen.At(3, 3), palette.RGBA{A: 1}, 2) {
		t.Errorf("high-contrast background %v, want black", corner())
	}
	g.do(keymap.ToggleContrast)
	frame(t, g, screen)
	if st := g.report().state; st.Theme != "standard" || palette.CurrentTheme() != palette.Standard {
		t.Errorf("after I twice: theme %q", st.Theme)
	}
	if !near(screen.At(3, 3), palette.Standard.Background, 3) {
		t.Errorf("background after switching back %v", corner())
	}

	// M cycles the maps, and the particles are recoloured.
	g.panes.cur.canvas.Layers = Layers{Particles: true}
	frame(t, g, screen)
	first := g.panes.cur.canvas.colours[len(g.panes.cur.canvas.colours)-1]
	var seen []string
	for range len(palette.ColourMaps) {
		g.do(keymap.CycleColourMap)
		frame(t, g, screen)
		seen = append(seen, g.report().state.Colours)
	}
	if fmt.Sprint(seen) != "[cividis magma viridis]" {
		t.Errorf("M cycled %v", seen)
	}
	g.do(keymap.CycleColourMap)
	frame(t, g, screen)
	p := b.sc.Traj[0][len(b.sc.Traj[0])-1]
	if got := g.panes.cur.canvas.colours[len(g.panes.cur.canvas.colours)-1]; got == first || got != palette.StartCVD(p[0], p[1], rmsRadius(b.sc.Traj[0])) {
		t.Errorf("particle colour with cividis %v (was %v with viridis)", got, first)
	}
}

// rmsRadius is the scale particleColours colours relative to.
func rmsRadius(pts []flow.Vec) float64 {
	var ss float64
	for _, p := range pts {
		ss += p[0]*p[0] + p[1]*p[1]
	}
	return math.Sqrt(ss / float64(len(pts)))
}
