package viz

import (
	"fmt"
	"math"
	"sync/atomic"
	"time"

	"github.com/ebitengine/debugui"
	"github.com/hajimehoshi/ebiten/v2"

	"github.com/flowviz/flowviz/viz/appstate"
	"github.com/flowviz/flowviz/viz/input"
	"github.com/flowviz/flowviz/viz/keymap"
	"github.com/flowviz/flowviz/viz/palette"
	"github.com/flowviz/flowviz/viz/scene"
	"github.com/flowviz/flowviz/viz/timeline"
)

// Timing constants of the game loop.
const (
	blendTime     = 0.25                   // seconds to glide particles to a new scene
	applyDelay    = 250 * time.Millisecond // settle time before edited settings apply
	viewDelay     = 500 * time.Millisecond // settle time before the arrow grid follows the camera
	stateInterval = 12                     // ticks between state-file reports (200 ms at 60 TPS)
	stepBudget    = 5 * time.Millisecond   // training time per tick in the stepwise mode (a third of a tick)
)

// Game dispatches ebiten's Update/Draw to the parts of the screen. It only
// reads the backend's newest Scene and Status pointers; it never runs the
// network and never waits for training.
type Game struct {
	cfg   Config
	panes []*Pane // A, and B in compare mode
	pane  *Pane   // the pane the panel, keys and tools act on
	focus int     // its index
	cmp   Compare

	tl      *timeline.Timeline
	bar     TimelineBar
	hud     HUD
	panel   Panel
	draw    Drawer
	keep    Keeper
	lessons Lessons
	tools   Tools
	diff    diffusionView // the live W2 and class-accuracy readout
	// toolBatch draws the lessons' and tools' shapes.
	toolBatch Batch
	ui        debugui.DebugUI
	fonts     Fonts
	scale     float64

	showPanel, showHelp, showStats bool

	status    string
	statusErr bool

	w, h           int            // screen size in device-independent pixels
	pointer        input.Snapshot // this tick's input, for Draw's brush ring
	keys           []ebiten.Key   // keymap.Table's keys, parsed once
	tick           int
	updateT, drawT frameTimer // CPU time of Update and Draw
	statsPrinted   time.Time
	state          *stateWriter
	quit           atomic.Bool // set on SIGINT/SIGTERM: end the loop cleanly
}

func newGame(cfg Config) *Game {
	g := &Game{
		cfg:       cfg,
		tl:        timeline.New(cfg.Settings.Steps),
		scale:     cfg.Scale,
		showPanel: true,
		showStats: cfg.Stats,
		w:         cfg.Width,
		h:         cfg.Height,
	}
	g.draw = newDrawer()
	g.keep = newKeeper(cfg)
	g.lessons = newLessons()
	g.tl.Playing = true
	g.fonts = NewFonts(g.scale)
	g.bar.Scale = g.scale
	g.hud.Scale = g.scale
	g.panel.Scale = int(math.Round(g.scale))
	canvasR, _, _ := g.layout()
	g.pane = newPane(cfg.Backend, cfg.Settings, canvasR, g.scale, g.setStatus)
	g.panes = []*Pane{g.pane}
	g.cmp.Spec = cfg.Compare
	g.panel.Sync(g.pane.settings, g.pane.backend.Options())
	for _, b := range keymap.Table {
		var k ebiten.Key
		if err := k.UnmarshalText([]byte(b.Key)); err != nil {
			panic(fmt.Sprintf("key table names unknown key %q", b.Key)) // caught by the tests
		}
		g.keys = append(g.keys, k)
	}
	if cfg.StateFile != "" {
		g.state = newStateWriter(cfg.StateFile)
	}
	return g
}

// layout splits the screen into canvas, timeline bar and panel.
func (g *Game) layout() (canvas, bar, panel rect) {
	s := g.scale
	W, H := float64(g.w), float64(g.h)
	barH := math.Min(84*s, H/3)
	panelW := 0.0
	// The panel hides itself in windows too narrow for it and the canvas.
	if g.showPanel && W >= 560*s {
		panelW = math.Min(330*s, W*0.4)
	}
	if g.lessons.active() && W-panelW < lessonMinCanvas*s {
		// A lesson needs room for its text beside its figure: at large
		// UI scales it takes the whole window (the keys still work).
		panelW = 0
	}
	canvas = rect{0, 0, W - panelW, H - barH}
	bar = rect{0, H - barH, W - panelW, barH}
	panel = rect{W - panelW, 0, panelW, H}
	return
}

// Update advances one tick: UI, input, new scenes, the clock.
func (g *Game) Update() error {
	if g.quit.Load() {
		return ebiten.Termination
	}
	start := time.Now()
	g.tick++
	dt := 1 / float64(ebiten.TPS())
	canvasR, barR, panelR := g.layout()
	for i, r := range g.paneRects(canvasR) {
		g.panes[i].canvas.Cam.SetViewport(r.X, r.Y, r.W, r.H)
	}
	g.bar.Area = barR
	g.panel.Area = panelR

	for _, p := range g.panes {
		p.trackStatus(p.backend.Status())
	}
	st := g.pane.backend.Status()

	in := input.Read()
	if panelR.W > 0 {
		capture, err := g.ui.Update(func(ctx *debugui.Context) error {
			ctx.SetScale(g.panel.Scale)
			edited, changed := g.panel.Build(ctx, st, &g.pane.canvas.Layers, g.tl, g.status, g.actions())
			if changed {
				g.editPanes(edited)
			}
			return nil // errors here would be sticky in debugui: report through the status line
		})
		in.Capture(capture)
		if err != nil {
			g.setStatus(err.Error(), true)
		}
	}
	g.handleKeys(&in)
	g.handleDrawKeys(&in)
	canvasR, _, _ = g.layout()
	rects := g.paneRects(canvasR)
	g.focusAt(&in, rects)
	g.pointer = in
	g.updateLessons(canvasR, &in)
	g.paint(rects[g.focus], &in)
	if msg := g.tools.Update(&in, g.toolFrame(rects[g.focus])); msg != "" {
		g.setStatus(msg, true)
	}
	g.handlePointer(rects, &in)

	// Keys may have shown or hidden the panel or a pane: lay out again.
	canvasR, barR, panelR = g.layout()
	for i, r := range g.paneRects(canvasR) {
		g.panes[i].resize(r)
	}
	g.bar.Area, g.panel.Area = barR, panelR

	for i, p := range g.panes {
		if g.cfg.Stepwise {
			p.advance(stepBudget / time.Duration(len(g.panes)))
		}
		// The timeline counts pane A's steps; B's scene plays on the
		// same clock t whatever its step count.
		if i == 0 {
			p.takeScene(g.tl)
		} else {
			p.takeScene(nil)
		}
	}
	g.tl.Advance(dt)
	for _, p := range g.panes {
		p.updatePositions(dt, g.tl.T)
		p.applySettings(g.lessons.active())
	}
	g.cmp.update(g.panes)
	g.diff.update(g.pane)
	g.takeDroppedFiles(in.Dropped)
	g.sendDrawing()
	g.updateKeep()

	if g.state != nil && g.tick%stateInterval == 0 {
		g.state.post(g.report())
	}
	g.updateT.add(time.Since(start))
	if g.cfg.Stats && time.Since(g.statsPrinted) > 2*time.Second {
		g.statsPrinted = time.Now()
		fmt.Fprintln(statsOut, g.statsLine())
	}
	return nil
}

func (g *Game) actions() Actions {
	return Actions{
		// Training, reset and new draws act on every pane: compared models
		// train, pause and restart together on the same particles.
		Train: func() {
			for _, p := range g.panes {
				// A learning rate lowered a moment ago must reach the
				// trainer before it resumes, or it would diverge again.
				p.applyNow(g.lessons.active())
				p.backend.Train()
			}
			g.setStatus("training", false)
		},
		Pause: func() {
			for _, p := range g.panes {
				p.backend.Pause()
			}
			g.setStatus("training paused", false)
		},
		Reset: func() {
			for _, p := range g.panes {
				p.backend.Reset()
			}
			g.setStatus("weights reset: training from scratch", false)
		},
		Resample: func() {
			for _, p := range g.panes {
				p.backend.Resample()
			}
		},
		Fit:      g.pane.fit,
		Lessons:  g.lessonsPanel,
		Draw:     g.drawPanel,
		Keep:     g.keepPanel,
		ScaleBy:  func(d float64) { g.setScale(g.scale + d) },
		Contrast: g.setContrast,
		Colours:  g.setColours,
		Classes:  sceneClasses(g.pane.sc),
	}
}

func (g *Game) setStatus(msg string, isErr bool) { g.status, g.statusErr = msg, isErr }

// handleKeys runs the key table.
func (g *Game) handleKeys(in *input.Snapshot) {
	for i, b := range keymap.Table {
		k := g.keys[i]
		d := in.Duration(k)
		fire := d == 1
		if b.NeedsCtrl() != in.Ctrl() {
			fire = false
		}
		// Held step keys repeat after a third of a second, 15 times a second.
		if b.Action.Repeats() && d > 20 && (d-20)%4 == 0 {
			fire = true
		}
		if fire && b.Action == keymap.GoLesson {
			g.doLessonKey(lessonGo, b.Digit())
		} else if fire {
			g.do(b.Action)
		}
	}
}

// do performs a key action.
func (g *Game) do(a keymap.Action) {
	l := &g.pane.canvas.Layers
	switch a {
	case keymap.PlayPause:
		g.tl.Toggle()
	case keymap.StepForward:
		g.tl.StepForward()
	case keymap.StepBack:
		g.tl.StepBack()
	case keymap.Start:
		g.tl.Start()
	case keymap.End:
		g.tl.End()
	case keymap.Slower:
		g.tl.Slower()
	case keymap.Faster:
		g.tl.Faster()
	case keymap.CycleMode:
		g.tl.CycleMode()
	case keymap.ToggleField:
		l.Field = !l.Field
	case keymap.ToggleParticles:
		l.Particles = !l.Particles
	case keymap.ToggleTrails:
		l.Trails = !l.Trails
	case keymap.ToggleTrajectories:
		l.Trajectories = !l.Trajectories
	case keymap.ToggleClouds:
		l.Clouds = !l.Clouds
	case keymap.ToggleGrid:
		l.Grid = !l.Grid
	case keymap.ToggleLegend:
		l.Legend = !l.Legend
	case keymap.FitView:
		g.pane.fit()
	case keymap.ToggleTraining:
		if g.pane.backend.Status().State == "running" {
			g.actions().Pause()
		} else {
			g.actions().Train()
		}
	case keymap.Resample:
		g.actions().Resample()
		if r, ok := g.lessons.kind.(lessonResampler); ok && g.lessons.active() {
			// Lesson 4's "R new batch": fresh draws for its table too.
			r.resample()
		}
	case keymap.TogglePanel:
		g.showPanel = !g.showPanel
	case keymap.ToggleStats:
		g.showStats = !g.showStats
	case keymap.Fullscreen:
		ebiten.SetFullscreen(!ebiten.IsFullscreen())
	case keymap.Help:
		g.showHelp = !g.showHelp
	case keymap.ToggleDraw:
		g.toggleDraw()
	case keymap.UIScaleUp:
		g.setScale(math.Floor(g.scale) + 1)
	case keymap.UIScaleDown:
		g.setScale(math.Ceil(g.scale) - 1)
	case keymap.ToggleContrast:
		g.setContrast(palette.CurrentTheme().Name != palette.HighContrast.Name)
	case keymap.CycleColourMap:
		g.setColours(palette.NextColours())
	case keymap.SaveSession, keymap.OpenSession, keymap.ExportData, keymap.Screenshot, keymap.RecordGIF:
		g.doKeep(a)
	case keymap.ToggleCompare:
		g.toggleCompare()
	case keymap.ToggleProbe:
		g.toggleTool(ProbeTool)
	case keymap.ToggleReverse:
		g.toggleTool(ReverseTool)
	case keymap.ToggleScore:
		g.toggleScoreArrows()
	case keymap.NextLesson:
		g.doLessonKey(lessonNext, 0)
	case keymap.PrevLesson:
		g.doLessonKey(lessonPrev, 0)
	case keymap.LeaveLesson:
		// Esc closes what is on top: the help, then the lesson, then a tool.
		switch {
		case g.showHelp:
			g.showHelp = false
		case g.lessons.active():
			g.doLessonKey(lessonLeave, 0)
		case g.tools.Mode != NoTool:
			g.toggleTool(g.tools.Mode)
		}
	}
}

// toggleTool switches a tool on or off; a tool turns draw mode off.
func (g *Game) toggleTool(mode Tool) {
	g.setStatus(g.tools.Toggle(mode), false)
	if g.tools.Mode != NoTool {
		g.draw.On = false
	}
}

// toolFrame is what the tools see in area this tick.
func (g *Game) toolFrame(area rect) toolFrame {
	f := toolFrame{area: area, pane: g.pane, t: g.tl.T, scale: g.scale, fonts: g.fonts, blocked: g.lessonHit}
	for _, p := range g.panes {
		if p != g.pane {
			f.other = p
		}
	}
	return f
}

// handlePointer drives the timeline bar, and pans and zooms the panes:
// they share one camera, so a pan or zoom in one moves all.
func (g *Game) handlePointer(rects []rect, in *input.Snapshot) {
	if in.Free() || g.bar.scrubbing {
		g.bar.Update(g.tl, in.X, in.Y, in.Pressed(input.Left), in.JustPressed(input.Left), in.JustReleased(input.Left))
	}
	for i, p := range g.panes {
		if p.panZoom(in, rects[i]) {
			for _, o := range g.panes {
				if o != p {
					o.canvas.Cam.CenterX, o.canvas.Cam.CenterY, o.canvas.Cam.Zoom = p.canvas.Cam.CenterX, p.canvas.Cam.CenterY, p.canvas.Cam.Zoom
					o.viewMoved = p.viewMoved
				}
			}
			break
		}
	}
}

// paneRects splits the canvas between the panes: the whole canvas for one;
// side by side above the comparison strip for two.
func (g *Game) paneRects(canvasR rect) []rect {
	if len(g.panes) < 2 {
		return []rect{canvasR}
	}
	gap := math.Round(4 * g.scale)
	h := canvasR.H - math.Min(stripHeight(g.fonts, g.scale), canvasR.H/3)
	w := math.Floor((canvasR.W - gap) / 2)
	return []rect{{canvasR.X, canvasR.Y, w, h}, {canvasR.X + w + gap, canvasR.Y, canvasR.W - w - gap, h}}
}

// focusAt gives the panel to the pane a left click lands in.
func (g *Game) focusAt(in *input.Snapshot, rects []rect) {
	if len(g.panes) < 2 || !in.JustPressed(input.Left) || !in.Free() {
		return
	}
	for i, r := range rects {
		if r.contains(in.X, in.Y) && i != g.focus {
			g.setFocus(i)
		}
	}
}

// setFocus makes pane i the one the panel, the tools and the keys act on.
func (g *Game) setFocus(i int) {
	g.focus, g.pane = i, g.panes[i]
	g.panel.Sync(g.pane.settings, g.pane.backend.Options())
	g.setStatus(fmt.Sprintf("the panel edits %s", compareLabels(g.panes[0].applied, g.panes[1].applied)[i]), false)
}

// editPanes applies the panel's edit to the focused pane, to both panes
// with link on, and always to both for what they share: the data, the seed
// and the particles.
func (g *Game) editPanes(edited scene.Settings) {
	old := g.pane.settings
	g.pane.edit(edited)
	for _, p := range g.panes {
		if p == g.pane {
			continue
		}
		s := p.settings
		s.Source, s.Target, s.Seed, s.Particles, s.Grid, s.Trails = edited.Source, edited.Target, edited.Seed, edited.Particles, edited.Grid, edited.Trails
		if g.cmp.Link {
			s = linkedEdit(old, edited, s)
		}
		if s != p.settings {
			p.edit(s)
		}
	}
}

// linkedEdit applies to s the fields that changed from old to edited.
func linkedEdit(old, edited, s scene.Settings) scene.Settings {
	pick := func(dst *string, a, b string) {
		if a != b {
			*dst = b
		}
	}
	pickI := func(dst *int, a, b int) {
		if a != b {
			*dst = b
		}
	}
	pickF := func(dst *float64, a, b float64) {
		if a != b {
			*dst = b
		}
	}
	pick(&s.Act, old.Act, edited.Act)
	pick(&s.Path, old.Path, edited.Path)
	pick(&s.Coupling, old.Coupling, edited.Coupling)
	pick(&s.Solver, old.Solver, edited.Solver)
	pickI(&s.Width, old.Width, edited.Width)
	pickI(&s.Depth, old.Depth, edited.Depth)
	pickI(&s.Batch, old.Batch, edited.Batch)
	pickI(&s.Steps, old.Steps, edited.Steps)
	pickF(&s.LR, old.LR, edited.LR)
	pickF(&s.Sigma, old.Sigma, edited.Sigma)
	return s
}

// toggleCompare opens or closes compare mode. Closing keeps pane A as it
// was: its model, settings and view.
func (g *Game) toggleCompare() {
	if len(g.panes) == 2 {
		g.cmp.close()
		g.panes = g.panes[:1]
		g.focus, g.pane = 0, g.panes[0]
		g.panel.Sync(g.pane.settings, g.pane.backend.Options())
		g.setStatus("compare mode closed", false)
		return
	}
	if g.lessons.active() {
		g.setStatus("leave the lesson first (Esc), then K compares two models", true)
		return
	}
	a := g.panes[0]
	b, err := g.cmp.open(a, g.cfg.NewBackend, func(be scene.Backend) func() { return runBackend(be, g.cfg.Stepwise) }, g.setStatus)
	if err != nil {
		g.setStatus(err.Error(), true)
		return
	}
	g.panes = append(g.panes, b)
	g.focus, g.pane = 0, a
	g.setStatus("compare "+g.cmp.spec()+": click a pane to edit it, K closes", false)
}

// Draw draws the frame. It reads only what Update prepared.
func (g *Game) Draw(screen *ebiten.Image) {
	start := time.Now()
	screen.Fill(toColor(palette.Background))
	canvasR, _, panelR := g.layout()
	if len(g.panes) > 1 {
		g.drawPanes(screen, canvasR)
	} else {
		g.drawPane(screen, canvasR)
	}
	g.bar.Draw(screen, g.tl, solverFormula(g.pane.applied.Solver), g.fonts)
	if panelR.W > 0 {
		g.ui.Draw(screen)
	}
	if g.showStats {
		g.hud.drawStats(screen, canvasR, g.statsLines(), g.fonts)
	}
	if g.showHelp {
		g.hud.drawHelp(screen, g.fonts)
	}
	g.drawT.add(time.Since(start))
}

// drawPane draws the one pane on the canvas, with the lesson over it.
func (g *Game) drawPane(screen *ebiten.Image, canvasR rect) {
	t := g.tl.T
	sc := g.pane.sc
	if g.lessons.geometric() {
		// Lessons 1–3 draw their own pairs on an empty plane.
		sc = nil
	}
	g.pane.canvas.Draw(screen, sc, t, g.pane.pos, g.fonts)
	if g.lessons.active() {
		g.lessons.kind.draw(g, screen)
	}
	if l := g.pane.canvas.Layers; l.Legend && sc != nil && (l.Field || l.Particles) {
		// Over the pictures, under the tools and the lesson's text: their
		// boxes must stay readable.
		g.hud.drawLegend(screen, canvasR, sc.MaxSpeed, l.Field, l.Particles, g.fonts)
	}
	g.drawOverlay(screen, canvasR)
	st := g.pane.backend.Status()
	if st.State == "waiting" {
		drawText(screen, "draw something: press D, then hold the left button on the canvas", g.fonts.Large, canvasR.X+canvasR.W/2, canvasR.Y+canvasR.H*0.4, Center, palette.Accent)
	}
	switch {
	case g.lessons.active():
		// The lesson's column carries its own training readout.
		g.tools.Draw(screen, g.toolFrame(g.lessons.lay.figure))
		g.drawColumn(screen)
		if lay := &g.lessons.lay; lay.stacked && g.lessons.showsTraining() && lay.figure != canvasR {
			g.hud.drawTraining(screen, lay.figure, st, g.status, g.statusErr, g.fonts)
		}
	default:
		g.tools.Draw(screen, g.toolFrame(canvasR))
		g.hud.drawTraining(screen, canvasR, st, g.status, g.statusErr, g.fonts)
		g.diff.draw(screen, canvasR, g.pane.applied, g.fonts, g.scale)
	}
	g.takeScreenshot(screen, canvasR)
	if sc == nil && !g.lessons.geometric() {
		drawText(screen, "waiting for the first sample…", g.fonts.Large, canvasR.X+canvasR.W/2, canvasR.Y+canvasR.H/2, Center, palette.Dim)
	}
}

// drawPanes draws compare mode: each pane's field, particles, trails and
// training readout with its loss curve, the focused one framed, and the
// comparison strip below both.
func (g *Game) drawPanes(screen *ebiten.Image, canvasR rect) {
	rects := g.paneRects(canvasR)
	labels := compareLabels(g.panes[0].applied, g.panes[1].applied)
	for i, p := range g.panes {
		r := rects[i]
		p.canvas.Draw(screen, p.sc, g.tl.T, p.pos, g.fonts)
		if l := p.canvas.Layers; l.Legend && p.sc != nil && (l.Field || l.Particles) {
			g.hud.drawLegend(screen, r, p.sc.MaxSpeed, l.Field, l.Particles, g.fonts)
		}
		status, isErr := "", false
		if p == g.pane {
			status, isErr = g.status, g.statusErr
		}
		// Below the label, which sits at the pane's top centre.
		top := 8*g.scale + g.fonts.Bold.Size*1.5
		g.hud.drawTraining(screen, rect{r.X, r.Y + top, r.W, r.H - top}, p.backend.Status(), status, isErr, g.fonts)
		if p.sc == nil {
			drawText(screen, "waiting for the first sample…", g.fonts.Large, r.X+r.W/2, r.Y+r.H/2, Center, palette.Dim)
		}
		drawPaneFrame(screen, &g.toolBatch, r, labels[i], i, i == g.focus, g.fonts, g.scale)
	}
	g.drawOverlay(screen, rects[g.focus])
	g.tools.Draw(screen, g.toolFrame(rects[g.focus]))
	strip := rect{canvasR.X, rects[0].Y + rects[0].H, canvasR.W, canvasR.Y + canvasR.H - rects[0].Y - rects[0].H}
	g.cmp.drawStrip(screen, &g.toolBatch, strip, g.panes, labels, g.fonts, g.scale)
	g.takeScreenshot(screen, canvasR)
}

// solverFormula is the update rule of the solver in the notation of the
// blog post's sampling loop.
func solverFormula(solver string) string {
	switch solver {
	case "euler", "":
		return "Euler:  x ← x + (1/N)·v(x, k/N)"
	case "midpoint":
		return "midpoint:  2 evaluations of v per step"
	case "heun":
		return "Heun:  2 evaluations of v per step"
	case "rk4":
		return "RK4:  4 evaluations of v per step"
	}
	return solver
}

// Layout uses the window's size in device-independent pixels.
func (g *Game) Layout(outsideWidth, outsideHeight int) (int, int) {
	g.w, g.h = max(1, outsideWidth), max(1, outsideHeight)
	return g.w, g.h
}

func (g *Game) statsLines() []string {
	um, uw := g.updateT.stats()
	dm, dw := g.drawT.stats()
	n := 0
	if g.pane.sc != nil {
		n = g.pane.sc.Particles()
	}
	arrows := 0
	if g.pane.sc != nil {
		arrows = len(g.pane.sc.GridPts)
	}
	return []string{
		fmt.Sprintf("%.1f FPS  %.1f TPS", ebiten.ActualFPS(), ebiten.ActualTPS()),
		fmt.Sprintf("Update %.2f ms (max %.2f)", ms(um), ms(uw)),
		fmt.Sprintf("Draw   %.2f ms (max %.2f)", ms(dm), ms(dw)),
		fmt.Sprintf("%s particles, %d arrows", thousands(n), arrows),
		fmt.Sprintf("%s dots, %d shapes in %d batches", thousands(g.pane.canvas.dotCount), g.pane.canvas.batch.Shapes, g.pane.canvas.batch.Calls),
	}
}

func (g *Game) statsLine() string {
	um, uw := g.updateT.stats()
	dm, dw := g.drawT.stats()
	n := 0
	if g.pane.sc != nil {
		n = g.pane.sc.Particles()
	}
	return fmt.Sprintf("flowviz stats: fps=%.1f tps=%.1f update_ms=%.3f (max %.3f) draw_ms=%.3f (max %.3f) particles=%d grid=%d window=%dx%d",
		ebiten.ActualFPS(), ebiten.ActualTPS(), ms(um), ms(uw), ms(dm), ms(dw), n, g.pane.settings.Grid, g.w, g.h)
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// report gathers the state-file fields that are cheap to read on the render
// loop; the writer goroutine computes the particle summaries.
func (g *Game) report() stateReport {
	st := g.pane.backend.Status()
	k, exact := g.tl.Step()
	l := g.pane.canvas.Layers
	cam := g.pane.canvas.Cam
	um, _ := g.updateT.stats()
	dm, _ := g.drawT.stats()
	s := appstate.State{
		Frame:    g.tick,
		Window:   appstate.Size{W: g.w, H: g.h},
		Timeline: appstate.Timeline{K: k, N: g.tl.N, T: g.tl.T, Exact: exact, Playing: g.tl.Playing, Mode: g.tl.Mode.String(), Speed: g.tl.Speed},
		Training: appstate.Training{Step: st.Step, Loss: st.Loss, StepsPerSec: st.StepsPerSec, State: st.State, LR: g.pane.applied.LR, Batch: g.pane.applied.Batch},
		Layers:   appstate.Layers{Field: l.Field, Particles: l.Particles, Trails: l.Trails, Trajectories: l.Trajectories, Clouds: l.Clouds, Grid: l.Grid, Legend: l.Legend},
		Camera:   appstate.Camera{X: cam.CenterX, Y: cam.CenterY, Zoom: cam.Zoom, Canvas: [4]float64{cam.X, cam.Y, cam.W, cam.H}},
		Panel:    g.showPanel,
		Help:     g.showHelp,
		Fullscr:  ebiten.IsFullscreen(),
		Scale:    g.scale,
		Theme:    palette.CurrentTheme().Name,
		Colours:  palette.Colours().Name,
		Scenes:   g.pane.scenes,
		Source:   g.pane.applied.Source,
		Target:   g.pane.applied.Target,
		Solver:   g.pane.applied.Solver,
		Status:   g.status,
		FPS:      ebiten.ActualFPS(),
		UpdateMs: ms(um),
		DrawMs:   ms(dm),
	}
	if st.Err != nil {
		s.Training.Err = st.Err.Error()
	}
	s.Drawing = g.drawingState()
	s.Lesson = g.lessonState()
	s.Tool = g.tools.State()
	if cr, _, _ := g.layout(); len(g.panes) > 1 {
		s.Compare = g.cmp.state(g.panes, g.paneRects(cr), g.focus)
	}
	s.Controls = g.bar.controls()
	for k, r := range g.panel.diff.rects {
		s.Controls["diffusion."+k] = r
	}
	s.Diffusion = g.diff.state(g.pane.applied, g.pane.sc)
	if _, _, panelR := g.layout(); panelR.W > 0 {
		s.Controls["panel"] = [4]float64{panelR.X, panelR.Y, panelR.W, panelR.H}
	}
	if g.pane.sc != nil {
		s.Particles = g.pane.sc.Particles()
		s.SceneStep = g.pane.sc.Step
	}
	return stateReport{state: s, scene: g.pane.sc, t: g.tl.T}
}

// setScale sets the UI scale, clamped to 1..4, of every part at once: panel,
// fonts, canvas, timeline bar and overlays. Update lays the screen out anew
// (the panel's width follows the scale) before the next Draw.
func (g *Game) setScale(s float64) {
	s = math.Min(4, math.Max(1, s))
	g.scale = s
	g.fonts = NewFonts(s)
	g.pane.canvas.Scale = s
	g.bar.Scale = s
	g.hud.Scale = s
	g.panel.Scale = int(math.Round(s)) // debugui scales by whole pixels
	g.setStatus(fmt.Sprintf("UI scale %g", s), false)
}

// setContrast switches between the high-contrast and the standard theme.
func (g *Game) setContrast(on bool) {
	if on {
		palette.SetTheme(palette.HighContrast)
		g.setStatus("high-contrast theme (I to leave)", false)
		return
	}
	palette.SetTheme(palette.Standard)
	g.setStatus("standard theme", false)
}

// setColours makes the colour map called name current.
func (g *Game) setColours(name string) {
	if !palette.SetColours(name) {
		g.setStatus("no colour map "+name, true)
		return
	}
	msg := "colours: " + name
	if palette.Colours().CVDStart {
		msg += " · dots blue (x₀ left) ↔ orange (x₀ right), lighter above"
	}
	g.setStatus(msg, false)
}
