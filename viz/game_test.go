package viz

import (
	"image/color"
	"math"
	"testing"

	"github.com/hajimehoshi/ebiten/v2"

	"github.com/flowviz/flowviz/flow"
	"github.com/flowviz/flowviz/viz/appstate"
	"github.com/flowviz/flowviz/viz/keymap"
	"github.com/flowviz/flowviz/viz/palette"
	"github.com/flowviz/flowviz/viz/scene"
)

func testGame(tb testing.TB, b *staticBackend, w, h int) *Game {
	tb.Helper()
	s := scene.DefaultSettings()
	s.Particles, s.Steps = b.sc.Particles(), b.sc.Steps()
	g := newGame(Config{Settings: s, Backend: b, Width: w, Height: h, Scale: 1})
	g.Layout(w, h)
	return g
}

// frame runs one Update and one Draw onto an offscreen screen.
func frame(tb testing.TB, g *Game, screen *ebiten.Image) {
	tb.Helper()
	if err := g.Update(); err != nil {
		tb.Fatal(err)
	}
	g.Draw(screen)
}

func near(c color.Color, want palette.RGBA, tol int) bool {
	r, g, b, _ := c.RGBA()
	w := toColor(want)
	wr, wg, wb, _ := w.RGBA()
	d := func(a, b uint32) int { return int(math.Abs(float64(a>>8) - float64(b>>8))) }
	return d(r, wr) <= tol && d(g, wg) <= tol && d(b, wb) <= tol
}

func TestParticlesLandOnTarget(t *testing.T) {
	b := newSynthetic(2000, 50, 24) // straight lines onto the circle of radius 2
	g := testGame(t, b, 1280, 800)
	screen := ebiten.NewImage(1280, 800)
	g.panes.cur.canvas.Layers = Layers{Particles: true} // particles alone on the background
	frame(t, g, screen)
	g.do(keymap.End)
	frame(t, g, screen)
	if k, exact := g.tl.Step(); k != 50 || !exact {
		t.Fatalf("End gave step %d exact=%v", k, exact)
	}
	// The drawn positions are the solver's final states, and the pixel under
	// a particle is not background.
	final := b.sc.Traj[50]
	hits, tried := 0, 0
	for i := 0; i < len(final); i += 97 {
		if g.panes.cur.pos[i] != final[i] {
			t.Fatalf("particle %d drawn at %v, state is %v", i, g.panes.cur.pos[i], final[i])
		}
		sx, sy := g.panes.cur.canvas.Cam.ToScreen(final[i][0], final[i][1])
		tried++
		if !near(screen.At(int(sx), int(sy)), palette.Background, 6) {
			hits++
		}
	}
	if hits != tried {
		t.Errorf("only %d of %d sampled particles visible", hits, tried)
	}
	// Inside the circle, at t = 1, there is only background.
	for _, p := range [][2]float64{{0, 0}, {1, 0.5}, {-0.7, -1}} {
		sx, sy := g.panes.cur.canvas.Cam.ToScreen(p[0], p[1])
		if c := screen.At(int(sx), int(sy)); !near(c, palette.Background, 6) {
			t.Errorf("pixel at %v is %v, want background", p, c)
		}
	}
}

func TestStepKeysLandOnSolverStates(t *testing.T) {
	b := newSynthetic(300, 20, 8)
	g := testGame(t, b, 800, 600)
	screen := ebiten.NewImage(800, 600)
	frame(t, g, screen)
	g.do(keymap.Start)
	for k := 1; k <= 20; k++ {
		g.do(keymap.StepForward)
		for range 2 { // paused time must not move
			if err := g.Update(); err != nil {
				t.Fatal(err)
			}
		}
		if got, exact := g.tl.Step(); got != k || !exact {
			t.Fatalf("after %d steps at %d (exact %v)", k, got, exact)
		}
		for i, p := range g.panes.cur.pos {
			if p != b.sc.Traj[k][i] {
				t.Fatalf("step %d: particle %d at %v, state %v", k, i, p, b.sc.Traj[k][i])
			}
		}
	}
	g.do(keymap.StepBack)
	frame(t, g, screen)
	if k, _ := g.tl.Step(); k != 19 {
		t.Errorf("step back gave %d", k)
	}
	g.do(keymap.PlayPause)
	if !g.tl.Playing {
		t.Errorf("Space did not play")
	}
	g.do(keymap.PlayPause)
	if g.tl.Playing {
		t.Errorf("Space did not pause")
	}
}

func TestLayerKeysToggle(t *testing.T) {
	b := newSynthetic(100, 10, 8)
	g := testGame(t, b, 800, 600)
	before := g.panes.cur.canvas.Layers
	for _, a := range []keymap.Action{keymap.ToggleField, keymap.ToggleParticles, keymap.ToggleTrails,
		keymap.ToggleTrajectories, keymap.ToggleClouds, keymap.ToggleGrid, keymap.ToggleLegend} {
		g.do(a)
	}
	l := g.panes.cur.canvas.Layers
	if l.Field == before.Field || l.Particles == before.Particles || l.Trails == before.Trails ||
		l.Trajectories == before.Trajectories || l.Clouds == before.Clouds || l.Grid == before.Grid || l.Legend == before.Legend {
		t.Errorf("layers did not all toggle: %+v -> %+v", before, l)
	}
	g.do(keymap.ToggleTraining)
	if b.pauses != 1 {
		t.Errorf("Enter while running did not pause training")
	}
	g.do(keymap.ToggleTraining)
	if b.trains != 1 {
		t.Errorf("Enter while paused did not resume training")
	}
}

// TestExtremes draws every layer in tiny and huge windows with 1 and 50,000
// particles and 1 and 200 steps, with NaNs mixed in: nothing may panic and no
// NaN may reach the vertices.
func TestExtremes(t *testing.T) {
	tests := []struct {
		name             string
		w, h             int
		particles, steps int
		grid             int
	}{
		{"tiny window", 200, 150, 500, 10, 24},
		{"one particle one step", 800, 600, 1, 1, 4},
		{"50k particles", 1280, 800, 50000, 8, 64},
		{"200 steps", 1280, 800, 2000, 200, 32},
		{"huge window", 3840, 2160, 1000, 50, 32},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if (testing.Short() || raceEnabled) && tc.particles*tc.steps > 100000 {
				t.Skip("large scene: drawing code has no goroutines for the race detector to check")
			}
			b := newSynthetic(tc.particles, tc.steps, tc.grid)
			nan := math.NaN()
			b.sc.Traj[tc.steps][0] = flow.Vec{nan, 1}
			b.sc.Field[0][0] = flow.Vec{math.Inf(1), nan}
			g := testGame(t, b, tc.w, tc.h)
			g.panes.cur.canvas.Layers = Layers{Field: true, Particles: true, Trails: true, Trajectories: true, Clouds: true, Grid: true, Legend: true}
			g.ui.showStats, g.ui.showHelp = true, true
			screen := ebiten.NewImage(tc.w, tc.h)
			for i := range 5 {
				g.tl.Scrub(float64(i) / 4)
				frame(t, g, screen)
				for _, v := range g.panes.cur.canvas.batch.vertices {
					if math.IsNaN(float64(v.DstX)) || math.IsNaN(float64(v.DstY)) {
						t.Fatalf("NaN vertex at t=%v", g.tl.T)
					}
				}
			}
		})
	}
}

func TestSettingsApplyAndErrors(t *testing.T) {
	b := newSynthetic(100, 10, 8)
	g := testGame(t, b, 800, 600)
	view := g.panes.cur.settings.View
	g.panes.cur.settings.LR = 0.01
	g.panes.cur.dirty = true
	g.panes.cur.editedAt = g.panes.cur.editedAt.Add(-applyDelay * 2)
	g.panes.cur.applySettings(false)
	if len(b.applied) != 1 || b.applied[0].LR != 0.01 || b.applied[0].View != view {
		t.Fatalf("LR not applied with the camera's view: %+v", b.applied)
	}
	if g.ui.statusErr || g.ui.status == "" {
		t.Errorf("status after a live change: %q err=%v", g.ui.status, g.ui.statusErr)
	}
	g.panes.cur.settings.Target = "bogus"
	g.panes.cur.dirty = true
	g.panes.cur.editedAt = g.panes.cur.editedAt.Add(-applyDelay * 2)
	g.panes.cur.applySettings(false)
	if !g.ui.statusErr || len(b.applied) != 1 {
		t.Errorf("bad target: status %q err=%v applied %d", g.ui.status, g.ui.statusErr, len(b.applied))
	}
	b.status.State, b.status.Err = "failed", errorString("non-finite loss")
	g.panes.cur.trackStatus(b.Status())
	if !g.ui.statusErr || g.ui.status == "" {
		t.Errorf("divergence not reported: %q", g.ui.status)
	}
}

type errorString string

func (e errorString) Error() string { return string(e) }

// BenchmarkCanvasBuild10k32 measures building the canvas for 10k particles
// and a 32×32 arrow grid: the vertices of grid, clouds and arrows (not
// uploaded) and the particles' pixel buffer (uploaded).
func BenchmarkCanvasBuild10k32(b *testing.B) {
	sb := newSynthetic(10000, 50, 32)
	g := testGame(b, sb, 1280, 800)
	g.panes.cur.canvas.Layers = Layers{Field: true, Particles: true, Clouds: true, Grid: true}
	g.panes.cur.updatePositions(1, g.tl.T)
	cv := &g.panes.cur.canvas
	for b.Loop() {
		cv.batch.Begin(nil) // a nil destination skips the upload
		cv.drawGrid(&cv.batch)
		cv.drawCloud(&cv.batch, sb.sc.Source, palette.Source, 2)
		cv.drawField(&cv.batch, sb.sc, 0.4)
		cv.batch.Flush()
		cv.drawParticles(g.panes.cur.pos, cv.particleColours(sb.sc), int(cv.Cam.W), int(cv.Cam.H))
	}
}

// BenchmarkFrame10k32 is a whole Update plus Draw at 1280×800, including
// the (software, under Xvfb) GL rendering: reading a pixel flushes ebiten's
// command queue each time, as the end of a real frame does.
func BenchmarkFrame10k32(b *testing.B) {
	sb := newSynthetic(10000, 50, 32)
	g := testGame(b, sb, 1280, 800)
	screen := ebiten.NewImage(1280, 800)
	g.tl.Play()
	for b.Loop() {
		frame(b, g, screen)
		_ = screen.At(0, 0)
	}
}

// TestStateWriter posts reports from one goroutine while the writer runs on
// its own, then closes it: the file holds the last report.
func TestStateWriter(t *testing.T) {
	path := t.TempDir() + "/state.json"
	b := newSynthetic(500, 10, 8)
	w := newStateWriter(path)
	for i := range 200 {
		w.post(stateReport{state: appstate.State{Frame: i}, scene: b.sc, t: float64(i%11) / 10})
	}
	w.close(stateReport{state: appstate.State{Frame: 999, Target: "moons"}, scene: b.sc, t: 0.5})
	s, err := appstate.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if s.Frame != 999 || s.Target != "moons" {
		t.Errorf("last report not written: %+v", s)
	}
	if s.Final.N != 500 || math.Abs(math.Hypot(s.Final.P50[0], s.Final.P50[1])) > 2.01 {
		t.Errorf("final summary %+v", s.Final)
	}
	if s.Now.N != 500 {
		t.Errorf("now summary %+v", s.Now)
	}
}

// TestNewSceneGlides swaps in a scene whose particles sit elsewhere: the drawn
// positions start where they were and reach the new ones after the blend.
func TestNewSceneGlides(t *testing.T) {
	b := newSynthetic(50, 10, 8)
	g := testGame(t, b, 800, 600)
	g.tl.Pause()
	if err := g.Update(); err != nil {
		t.Fatal(err)
	}
	before := append([]flow.Vec(nil), g.panes.cur.pos...)
	next := newSynthetic(50, 10, 8).sc
	next.Seq = 2
	for k := range next.Traj {
		for i := range next.Traj[k] {
			next.Traj[k][i][0] += 1 // everything one unit to the right
		}
	}
	b.sc = next
	if err := g.Update(); err != nil {
		t.Fatal(err)
	}
	if d := g.panes.cur.pos[0][0] - before[0][0]; d > 0.2 {
		t.Errorf("particles jumped by %v on the first frame", d)
	}
	for range 30 { // half a second at 60 TPS
		if err := g.Update(); err != nil {
			t.Fatal(err)
		}
	}
	if g.panes.cur.pos[0] != next.PositionsAt(nil, g.tl.T)[0] {
		t.Errorf("after the blend particle 0 at %v, want %v", g.panes.cur.pos[0], next.PositionsAt(nil, g.tl.T)[0])
	}
}

// TestReportNamesControls checks the state report locates the bar's buttons
// where clicks reach them.
func TestReportNamesControls(t *testing.T) {
	b := newSynthetic(100, 10, 8)
	g := testGame(t, b, 1280, 800)
	if err := g.Update(); err != nil {
		t.Fatal(err)
	}
	c := g.report().state.Controls
	for _, name := range []string{"start", "back", "play", "forward", "end", "scrubber", "speed", "mode", "panel"} {
		r, ok := c[name]
		if !ok || r[2] <= 0 || r[3] <= 0 {
			t.Errorf("control %q missing or empty: %v", name, r)
		}
	}
	play := c["play"]
	if got := g.ui.bar.hit(play[0]+play[2]/2, play[1]+play[3]/2); got != ctlPlay {
		t.Errorf("centre of the reported play button hits control %d", got)
	}
}
