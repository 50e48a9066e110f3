package viz

import (
	"fmt"
	"math"
	"strings"
	"sync/atomic"
	"time"

	"github.com/ebitengine/debugui"
	"github.com/hajimehoshi/ebiten/v2"
	"github.com/hajimehoshi/ebiten/v2/inpututil"

	"github.com/flowviz/flowviz/flow"
	"github.com/flowviz/flowviz/viz/appstate"
	"github.com/flowviz/flowviz/viz/camera"
	"github.com/flowviz/flowviz/viz/keymap"
	"github.com/flowviz/flowviz/viz/lesson"
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
)

// Game dispatches ebiten's Update/Draw to the parts of the screen. It only
// reads the backend's newest Scene and Status pointers; it never runs the
// network and never waits for training.
type Game struct {
	cfg     Config
	backend scene.Backend

	settings  scene.Settings // as edited
	applied   scene.Settings // as last given to the backend
	dirty     bool
	editedAt  time.Time
	viewMoved time.Time

	tl      *timeline.Timeline
	canvas  Canvas
	bar     TimelineBar
	hud     HUD
	panel   Panel
	draw    Drawer
	keep    Keeper
	lessons Lessons
	tools   Tools
	insp    inspector
	// toolBatch draws the lessons' and tools' shapes.
	toolBatch Batch
	ui        debugui.DebugUI
	fonts     Fonts
	scale     float64

	showPanel, showHelp, showStats bool

	status    string
	statusErr bool
	lastErr   string
	lastNote  string

	sc     *scene.Scene
	scenes int
	// fitData asks to fit the view to the data once a scene of new data
	// arrives (at start and after the source or target changed); fitFrom is
	// the target cloud that was shown when it was asked.
	fitData  bool
	fitFrom  cloud
	pos      []flow.Vec // particles as drawn
	target   []flow.Vec // particles of the current scene at t
	from     []flow.Vec // particles when the current scene arrived
	blendAge float64    // seconds since the current scene arrived

	w, h           int  // screen size in device-independent pixels
	lastCanvas     rect // canvas of the previous tick, to notice resizes
	panning        bool
	panX, panY     int // pointer at the previous tick of a pan
	capture        debugui.InputCapturingState
	keys           []ebiten.Key // keymap.Table's keys, parsed once
	tick           int
	updateT, drawT frameTimer // CPU time of Update and Draw
	statsPrinted   time.Time
	state          *stateWriter
	quit           atomic.Bool // set on SIGINT/SIGTERM: end the loop cleanly
}

func newGame(cfg Config) *Game {
	g := &Game{
		cfg:       cfg,
		backend:   cfg.Backend,
		settings:  cfg.Settings.Clamp(),
		tl:        timeline.New(cfg.Settings.Steps),
		scale:     cfg.Scale,
		showPanel: true,
		showStats: cfg.Stats,
		w:         cfg.Width,
		h:         cfg.Height,
	}
	g.applied = g.settings
	g.fitData = true
	g.draw = newDrawer()
	g.keep = newKeeper(cfg)
	g.lessons = newLessons()
	g.tl.Playing = true
	g.fonts = NewFonts(g.scale)
	g.canvas.Layers = DefaultLayers()
	g.canvas.Scale = g.scale
	g.bar.Scale = g.scale
	g.hud.Scale = g.scale
	g.panel.Scale = int(math.Round(g.scale))
	g.panel.Sync(g.settings, g.backend.Options())
	v := g.settings.View
	canvasR, _, _ := g.layout()
	g.canvas.Cam = camera.New(canvasR.X, canvasR.Y, canvasR.W, canvasR.H, v[0], v[1], v[2], v[3])
	// If the real screen differs (fullscreen, a window manager's choice), the
	// first Update treats it as a resize.
	g.lastCanvas = canvasR
	// The arrow grid covers what the canvas shows from the first frame on.
	g.settings.View = g.fieldView()
	g.applied = g.settings
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
	g.canvas.Cam.SetViewport(canvasR.X, canvasR.Y, canvasR.W, canvasR.H)
	g.bar.Area = barR
	g.panel.Area = panelR

	st := g.backend.Status()
	g.trackStatus(st)

	if panelR.W > 0 {
		capture, err := g.ui.Update(func(ctx *debugui.Context) error {
			ctx.SetScale(g.panel.Scale)
			edited, changed := g.panel.Build(ctx, st, &g.canvas.Layers, g.tl, g.status, g.actions())
			if changed {
				// The camera, not the panel, owns the arrow grid's view.
				edited.View = g.settings.View
				g.settings = edited
				g.dirty, g.editedAt = true, time.Now()
			}
			return nil // errors here would be sticky in debugui: report through the status line
		})
		g.capture = capture
		if err != nil {
			g.setStatus(err.Error(), true)
		}
	} else {
		g.capture = 0
	}

	if g.capture&debugui.InputCapturingStateFocus == 0 {
		g.handleKeys()
		g.handleDrawKeys()
	}
	canvasR, _, _ = g.layout()
	g.updateLessons(canvasR)
	g.handleDrawPointer(canvasR)
	g.handleToolPointer(canvasR)
	g.handlePointer(canvasR)

	// Keys may have shown or hidden the panel: lay out again for Draw.
	canvasR, barR, panelR = g.layout()
	if canvasR != g.lastCanvas {
		// A resized canvas shows more or less of the plane: let the arrow
		// grid follow as it does after a pan.
		if old := g.lastCanvas; old.W > 0 && old.H > 0 && canvasR.W > 0 && canvasR.H > 0 {
			// Scale the picture with the canvas, as a lecturer going
			// fullscreen expects, keeping the world centre where it is.
			f := math.Min(canvasR.W/old.W, canvasR.H/old.H)
			g.canvas.Cam.Zoom = math.Min(camera.MaxZoom, math.Max(camera.MinZoom, g.canvas.Cam.Zoom*f))
			g.viewMoved = time.Now()
		}
		g.lastCanvas = canvasR
	}
	g.canvas.Cam.SetViewport(canvasR.X, canvasR.Y, canvasR.W, canvasR.H)
	g.bar.Area, g.panel.Area = barR, panelR

	g.takeScene()
	g.tl.Advance(dt)
	g.updatePositions(dt)
	g.applySettings()
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
		Train: func() {
			// A learning rate lowered a moment ago must reach the trainer
			// before it resumes, or it would diverge again at once.
			if g.dirty {
				g.editedAt = time.Time{}
				g.applySettings()
			}
			g.backend.Train()
			g.setStatus("training", false)
		},
		Pause:    func() { g.backend.Pause(); g.setStatus("training paused", false) },
		Reset:    func() { g.backend.Reset(); g.setStatus("weights reset: training from scratch", false) },
		Resample: g.backend.Resample,
		Fit:      g.fit,
		Lessons:  g.lessonsPanel,
		Draw:     g.drawPanel,
		Keep:     g.keepPanel,
		ScaleBy:  func(d float64) { g.setScale(g.scale + d) },
		Contrast: g.setContrast,
		Colours:  g.setColours,
	}
}

// trackStatus turns backend errors and notes into status-line messages once.
func (g *Game) trackStatus(st scene.Status) {
	if st.Err != nil {
		if msg := st.Err.Error(); msg != g.lastErr {
			g.lastErr = msg
			if st.State == "failed" {
				// The trainer says what went wrong; add what to press here.
				g.setStatus(fmt.Sprintf("Training stopped: %s. Use lr ÷10 in the panel, then Train.", strings.TrimSuffix(msg, ".")), true)
			} else {
				g.setStatus(msg, true)
			}
		}
	} else {
		g.lastErr = ""
	}
	if st.Note != "" && st.Note != g.lastNote {
		g.lastNote = st.Note
		g.setStatus(st.Note, false)
	}
}

func (g *Game) setStatus(msg string, isErr bool) { g.status, g.statusErr = msg, isErr }

// handleKeys runs the key table.
func (g *Game) handleKeys() {
	for i, b := range keymap.Table {
		k := g.keys[i]
		d := inpututil.KeyPressDuration(k)
		fire := d == 1
		if b.NeedsCtrl() != ctrlHeld() {
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
	l := &g.canvas.Layers
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
		g.fit()
	case keymap.ToggleTraining:
		if g.backend.Status().State == "running" {
			g.actions().Pause()
		} else {
			g.actions().Train()
		}
	case keymap.Resample:
		g.backend.Resample()
		if ls := &g.lessons; ls.active() && ls.current().Kind == lesson.Batch {
			// Lesson 4's "R new batch": fresh draws for its table too.
			ls.batchNo++
			ls.batchStep = -1
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
	case keymap.ToggleProbe:
		g.toggleTool(toolProbe)
	case keymap.ToggleReverse:
		g.toggleTool(toolReverse)
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
		case g.tools.Mode != toolNone:
			g.toggleTool(g.tools.Mode)
		}
	}
}

// handlePointer pans, zooms and drives the timeline bar.
func (g *Game) handlePointer(canvasR rect) {
	cx, cy := ebiten.CursorPosition()
	mx, my := float64(cx), float64(cy)
	free := g.capture == 0
	left := ebiten.IsMouseButtonPressed(ebiten.MouseButtonLeft)
	leftDown := inpututil.IsMouseButtonJustPressed(ebiten.MouseButtonLeft)
	leftUp := inpututil.IsMouseButtonJustReleased(ebiten.MouseButtonLeft)
	if free || g.bar.scrubbing {
		g.bar.Update(g.tl, mx, my, left, leftDown, leftUp)
	}

	panButton := ebiten.IsMouseButtonPressed(ebiten.MouseButtonRight) || ebiten.IsMouseButtonPressed(ebiten.MouseButtonMiddle)
	panPressed := inpututil.IsMouseButtonJustPressed(ebiten.MouseButtonRight) || inpututil.IsMouseButtonJustPressed(ebiten.MouseButtonMiddle)
	cam := &g.canvas.Cam
	switch {
	case g.panning && panButton:
		if cx != g.panX || cy != g.panY {
			cam.Pan(float64(cx-g.panX), float64(cy-g.panY))
			g.viewMoved = time.Now()
		}
		g.panX, g.panY = cx, cy
	case g.panning:
		g.panning = false
	// A pan starts with a press on the canvas: a button pressed over the
	// panel and dragged onto the canvas must not grab the view there.
	case panPressed && free && canvasR.contains(mx, my):
		g.panning, g.panX, g.panY = true, cx, cy
	}
	if free && canvasR.contains(mx, my) {
		if _, wy := ebiten.Wheel(); wy != 0 && !math.IsNaN(wy) {
			// One wheel notch zooms by 15 % around the pointer.
			cam.ZoomAt(mx, my, math.Pow(1.15, math.Max(-10, math.Min(10, wy))))
			g.viewMoved = time.Now()
		}
	}
}

// fit zooms to the source and target clouds (their 1st–99th percentiles, so
// a few outliers do not shrink the picture).
func (g *Game) fit() {
	if g.sc == nil {
		return
	}
	pts := append(append([]flow.Vec(nil), g.sc.Source...), g.sc.Target...)
	box, ok := robustBox(pts)
	if !ok {
		return
	}
	g.canvas.Cam.Fit(box[0], box[1], box[2], box[3], 0.1)
	g.viewMoved = time.Now()
}

// showsData reports whether the view contains the data's robust box.
func (g *Game) showsData() bool {
	if g.sc == nil {
		return false
	}
	box, ok := robustBox(append(append([]flow.Vec(nil), g.sc.Source...), g.sc.Target...))
	if !ok {
		return true
	}
	x0, y0, x1, y1 := g.canvas.Cam.Visible()
	return box[0] >= x0 && box[1] >= y0 && box[2] <= x1 && box[3] <= y1
}

// takeScene switches to a newly published scene, starting a blend from the
// positions on screen so particles glide instead of jumping.
func (g *Game) takeScene() {
	sc := g.backend.Scene()
	if sc == nil || sc == g.sc {
		return
	}
	if len(sc.Traj) == 0 {
		return
	}
	g.scenes++
	if g.sc != nil && len(g.pos) == sc.Particles() {
		g.from = append(g.from[:0], g.pos...)
		g.blendAge = 0
	} else {
		g.from = g.from[:0]
		g.blendAge = blendTime
	}
	g.sc = sc
	g.tl.SetSteps(sc.Steps())
	if g.fitData && cloudID(sc.Target) != g.fitFrom {
		g.fitData = false
		// At start the default view stays if it already shows the data.
		if g.scenes > 1 || !g.showsData() {
			g.fit()
		}
	}
}

// updatePositions computes the particles to draw at the clock's t.
func (g *Game) updatePositions(dt float64) {
	if g.sc == nil {
		g.pos = g.pos[:0]
		return
	}
	g.target = g.sc.PositionsAt(g.target, g.tl.T)
	g.blendAge += dt
	if g.blendAge < blendTime && len(g.from) == len(g.target) {
		if cap(g.pos) < len(g.target) {
			g.pos = make([]flow.Vec, len(g.target))
		}
		g.pos = g.pos[:len(g.target)]
		scene.Blend(g.pos, g.from, g.target, scene.SmoothStep(g.blendAge/blendTime))
		return
	}
	g.pos = append(g.pos[:0], g.target...)
}

// applySettings hands edited settings to the backend once they have settled,
// and moves the arrow grid to the visible area once the camera has.
func (g *Game) applySettings() {
	now := time.Now()
	if !g.viewMoved.IsZero() && now.Sub(g.viewMoved) > viewDelay {
		g.viewMoved = time.Time{}
		if v := g.fieldView(); v != g.settings.View {
			g.settings.View = v
			g.dirty, g.editedAt = true, now.Add(-applyDelay)
		}
	}
	if !g.dirty || now.Sub(g.editedAt) < applyDelay {
		return
	}
	g.dirty = false
	next := g.settings.Clamp()
	if next == g.applied {
		return
	}
	if err := g.backend.Apply(next); err != nil {
		g.setStatus(err.Error(), true)
		// Keep the panel's edit so the user can correct it; remember what the
		// backend really runs.
		return
	}
	archChanged := next.Width != g.applied.Width || next.Depth != g.applied.Depth || next.Act != g.applied.Act ||
		next.Path != g.applied.Path || next.Coupling != g.applied.Coupling || next.Sigma != g.applied.Sigma
	switch {
	case archChanged:
		g.setStatus("model changed: training restarted from scratch", false)
	case next.LR != g.applied.LR || next.Batch != g.applied.Batch:
		g.setStatus(fmt.Sprintf("applied live: lr %.1e, batch %d", next.LR, next.Batch), false)
	case next.Target != g.applied.Target || next.Source != g.applied.Source:
		g.setStatus("new data: training continues from the current weights", false)
	}
	if (next.Target != g.applied.Target || next.Source != g.applied.Source) && !g.lessons.active() {
		// A lesson chooses its own view.
		g.fitData = true
		if g.sc != nil {
			g.fitFrom = cloudID(g.sc.Target)
		}
	}
	g.applied = next
}

// fieldView is the world square the arrow grid should cover: centred on the
// view, as wide as the longer side of the canvas, so the arrows sit on square
// cells and fill the canvas.
func (g *Game) fieldView() [4]float64 {
	x0, y0, x1, y1 := g.canvas.Cam.Visible()
	half := math.Max(x1-x0, y1-y0) / 2
	cx, cy := (x0+x1)/2, (y0+y1)/2
	if !(half > 0) || math.IsInf(half, 0) {
		return g.settings.View
	}
	return [4]float64{cx - half, cy - half, cx + half, cy + half}
}

// Draw draws the frame. It reads only what Update prepared.
func (g *Game) Draw(screen *ebiten.Image) {
	start := time.Now()
	screen.Fill(toColor(palette.Background))
	canvasR, _, panelR := g.layout()
	t := g.tl.T
	sc := g.sc
	if g.lessons.geometric() {
		// Lessons 1–3 draw their own pairs on an empty plane.
		sc = nil
	}
	g.canvas.Draw(screen, sc, t, g.pos, g.fonts)
	if g.lessons.active() {
		g.drawLessonFigure(screen)
	}
	if l := g.canvas.Layers; l.Legend && sc != nil && (l.Field || l.Particles) {
		// Over the pictures, under the tools and the lesson's text: their
		// boxes must stay readable.
		g.hud.drawLegend(screen, canvasR, sc.MaxSpeed, l.Field, l.Particles, g.fonts)
	}
	g.drawOverlay(screen, canvasR)
	st := g.backend.Status()
	if st.State == "waiting" {
		drawText(screen, "draw something: press D, then hold the left button on the canvas", g.fonts.Large, canvasR.X+canvasR.W/2, canvasR.Y+canvasR.H*0.4, Center, palette.Accent)
	}
	switch {
	case g.lessons.active():
		// The lesson's column carries its own training readout.
		g.drawTools(screen, g.lessons.lay.figure)
		g.drawColumn(screen)
		if lay := &g.lessons.lay; lay.stacked && g.lessons.showsTraining() && lay.figure != canvasR {
			g.hud.drawTraining(screen, lay.figure, st, g.status, g.statusErr, g.fonts)
		}
	default:
		g.drawTools(screen, canvasR)
		g.hud.drawTraining(screen, canvasR, st, g.status, g.statusErr, g.fonts)
	}
	g.takeScreenshot(screen, canvasR)
	if sc == nil && !g.lessons.geometric() {
		drawText(screen, "waiting for the first sample…", g.fonts.Large, canvasR.X+canvasR.W/2, canvasR.Y+canvasR.H/2, Center, palette.Dim)
	}
	g.bar.Draw(screen, g.tl, solverFormula(g.applied.Solver), g.fonts)
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
	if g.sc != nil {
		n = g.sc.Particles()
	}
	arrows := 0
	if g.sc != nil {
		arrows = len(g.sc.GridPts)
	}
	return []string{
		fmt.Sprintf("%.1f FPS  %.1f TPS", ebiten.ActualFPS(), ebiten.ActualTPS()),
		fmt.Sprintf("Update %.2f ms (max %.2f)", ms(um), ms(uw)),
		fmt.Sprintf("Draw   %.2f ms (max %.2f)", ms(dm), ms(dw)),
		fmt.Sprintf("%s particles, %d arrows", thousands(n), arrows),
		fmt.Sprintf("%s dots, %d shapes in %d batches", thousands(g.canvas.dotCount), g.canvas.batch.Shapes, g.canvas.batch.Calls),
	}
}

func (g *Game) statsLine() string {
	um, uw := g.updateT.stats()
	dm, dw := g.drawT.stats()
	n := 0
	if g.sc != nil {
		n = g.sc.Particles()
	}
	return fmt.Sprintf("flowviz stats: fps=%.1f tps=%.1f update_ms=%.3f (max %.3f) draw_ms=%.3f (max %.3f) particles=%d grid=%d window=%dx%d",
		ebiten.ActualFPS(), ebiten.ActualTPS(), ms(um), ms(uw), ms(dm), ms(dw), n, g.settings.Grid, g.w, g.h)
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// report gathers the state-file fields that are cheap to read on the render
// loop; the writer goroutine computes the particle summaries.
func (g *Game) report() stateReport {
	st := g.backend.Status()
	k, exact := g.tl.Step()
	l := g.canvas.Layers
	cam := g.canvas.Cam
	um, _ := g.updateT.stats()
	dm, _ := g.drawT.stats()
	s := appstate.State{
		Frame:    g.tick,
		Window:   appstate.Size{W: g.w, H: g.h},
		Timeline: appstate.Timeline{K: k, N: g.tl.N, T: g.tl.T, Exact: exact, Playing: g.tl.Playing, Mode: g.tl.Mode.String(), Speed: g.tl.Speed},
		Training: appstate.Training{Step: st.Step, Loss: st.Loss, StepsPerSec: st.StepsPerSec, State: st.State, LR: g.applied.LR, Batch: g.applied.Batch},
		Layers:   appstate.Layers{Field: l.Field, Particles: l.Particles, Trails: l.Trails, Trajectories: l.Trajectories, Clouds: l.Clouds, Grid: l.Grid, Legend: l.Legend},
		Camera:   appstate.Camera{X: cam.CenterX, Y: cam.CenterY, Zoom: cam.Zoom, Canvas: [4]float64{cam.X, cam.Y, cam.W, cam.H}},
		Panel:    g.showPanel,
		Help:     g.showHelp,
		Fullscr:  ebiten.IsFullscreen(),
		Scale:    g.scale,
		Theme:    palette.CurrentTheme().Name,
		Colours:  palette.Colours().Name,
		Scenes:   g.scenes,
		Source:   g.applied.Source,
		Target:   g.applied.Target,
		Solver:   g.applied.Solver,
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
	s.Tool = g.toolState()
	s.Controls = g.bar.controls()
	if _, _, panelR := g.layout(); panelR.W > 0 {
		s.Controls["panel"] = [4]float64{panelR.X, panelR.Y, panelR.W, panelR.H}
	}
	if g.sc != nil {
		s.Particles = g.sc.Particles()
		s.SceneStep = g.sc.Step
	}
	return stateReport{state: s, scene: g.sc, t: g.tl.T}
}

// setScale sets the UI scale, clamped to 1..4, of every part at once: panel,
// fonts, canvas, timeline bar and overlays. Update lays the screen out anew
// (the panel's width follows the scale) before the next Draw.
func (g *Game) setScale(s float64) {
	s = math.Min(4, math.Max(1, s))
	g.scale = s
	g.fonts = NewFonts(s)
	g.canvas.Scale = s
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
