package viz

import (
	"fmt"
	"time"

	"github.com/hajimehoshi/ebiten/v2"

	"github.com/flowviz/flowviz/flow/mlp"
	"github.com/flowviz/flowviz/viz/appstate"
	"github.com/flowviz/flowviz/viz/palette"
)

// Layout uses the window's size in device-independent pixels.
func (g *Game) Layout(outsideWidth, outsideHeight int) (int, int) {
	g.ui.w, g.ui.h = max(1, outsideWidth), max(1, outsideHeight)
	return g.ui.w, g.ui.h
}

func (g *Game) statsLines() []string {
	p := g.panes.cur
	um, uw := g.loop.updateT.stats()
	dm, dw := g.loop.drawT.stats()
	n := 0
	if p.sc != nil {
		n = p.sc.Particles()
	}
	arrows := 0
	if p.sc != nil {
		arrows = len(p.sc.GridPts)
	}
	return []string{
		fmt.Sprintf("%.1f FPS  %.1f TPS", ebiten.ActualFPS(), ebiten.ActualTPS()),
		fmt.Sprintf("Update %.2f ms (max %.2f)", ms(um), ms(uw)),
		fmt.Sprintf("Draw   %.2f ms (max %.2f)", ms(dm), ms(dw)),
		fmt.Sprintf("%s particles, %d arrows", thousands(n), arrows),
		fmt.Sprintf("%s dots, %d shapes in %d batches", thousands(p.canvas.dotCount), p.canvas.batch.Shapes, p.canvas.batch.Calls),
	}
}

func (g *Game) statsLine() string {
	p := g.panes.cur
	um, uw := g.loop.updateT.stats()
	dm, dw := g.loop.drawT.stats()
	n := 0
	if p.sc != nil {
		n = p.sc.Particles()
	}
	return fmt.Sprintf("flowviz stats: fps=%.1f tps=%.1f update_ms=%.3f (max %.3f) draw_ms=%.3f (max %.3f) particles=%d grid=%d window=%dx%d",
		ebiten.ActualFPS(), ebiten.ActualTPS(), ms(um), ms(uw), ms(dm), ms(dw), n, p.settings.Grid, g.ui.w, g.ui.h)
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// report gathers the state-file fields that are cheap to read on the render
// loop; the writer goroutine computes the particle summaries.
func (g *Game) report() stateReport {
	p := g.panes.cur
	st := p.backend.Status()
	k, exact := g.tl.Step()
	l := p.canvas.Layers
	cam := p.canvas.Cam
	um, _ := g.loop.updateT.stats()
	dm, _ := g.loop.drawT.stats()
	s := appstate.State{
		Frame:    g.loop.tick,
		Input:    g.loop.input,
		Window:   appstate.Size{W: g.ui.w, H: g.ui.h},
		Timeline: appstate.Timeline{K: k, N: g.tl.N, T: g.tl.T, Exact: exact, Playing: g.tl.Playing, Mode: g.tl.Mode.String(), Speed: g.tl.Speed},
		Training: appstate.Training{Step: st.Step, Loss: st.Loss, StepsPerSec: st.StepsPerSec, State: st.State, LR: p.applied.LR, Batch: p.applied.Batch, Kernels: mlp.Kernels()},
		Layers:   appstate.Layers{Field: l.Field, Particles: l.Particles, Trails: l.Trails, Trajectories: l.Trajectories, Clouds: l.Clouds, Grid: l.Grid, Legend: l.Legend, Density: l.Density.String()},
		Camera:   appstate.Camera{X: cam.CenterX, Y: cam.CenterY, Zoom: cam.Zoom, Canvas: [4]float64{cam.X, cam.Y, cam.W, cam.H}},
		Panel:    g.ui.showPanel,
		Help:     g.ui.showHelp,
		Fullscr:  ebiten.IsFullscreen(),
		Scale:    g.ui.scale,
		Theme:    palette.CurrentTheme().Name,
		Colours:  palette.Colours().Name,
		Scenes:   p.scenes,
		Source:   p.applied.Source,
		Target:   p.applied.Target,
		Solver:   p.applied.Solver,
		Status:   g.ui.status,
		FPS:      ebiten.ActualFPS(),
		UpdateMs: ms(um),
		DrawMs:   ms(dm),
	}
	if st.Err != nil {
		s.Training.Err = st.Err.Error()
	}
	s.Drawing = g.draw.state()
	s.Lesson = g.lessons.state()
	s.Deck = g.decks.state()
	g.present.state(&s)
	s.Tool = g.tools.State()
	s.Density = p.dens.state()
	if cr, _, _ := g.layout(); g.panes.comparing() {
		s.Compare = g.panes.cmp.state(g.panes.all, g.paneRects(cr), g.panes.focus)
	}
	s.Controls = g.ui.bar.controls()
	for k, r := range g.ui.panel.diff.rects {
		s.Controls["diffusion."+k] = r
	}
	s.Diffusion = g.ui.diff.state(p.applied, p.sc)
	if _, _, panelR := g.layout(); panelR.W > 0 {
		s.Controls["panel"] = [4]float64{panelR.X, panelR.Y, panelR.W, panelR.H}
		for name, r := range g.decks.controls {
			s.Controls[name] = [4]float64{r.X, r.Y, r.W, r.H}
		}
	}
	if p.sc != nil {
		s.Particles = p.sc.Particles()
		s.SceneStep = p.sc.Step
	}
	if g.img != nil {
		g.img.report(&s)
	}
	return stateReport{state: s, scene: p.sc, t: g.tl.T}
}
