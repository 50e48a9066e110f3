package viz

import (
	"fmt"
	"math"
	"slices"
	"sync/atomic"
	"time"

	"github.com/ebitengine/debugui"
	"github.com/hajimehoshi/ebiten/v2"

	"github.com/flowviz/flowviz/viz/appstate"
	"github.com/flowviz/flowviz/viz/input"
	"github.com/flowviz/flowviz/viz/keymap"
	"github.com/flowviz/flowviz/viz/palette"
	"github.com/flowviz/flowviz/viz/timeline"
)

// Timing constants of the game loop.
const (
	blendTime     = 0.25                   // seconds to glide particles to a new scene
	applyDelay    = 250 * time.Millisecond // settle time before edited settings apply
	viewDelay     = 500 * time.Millisecond // settle time before the arrow grid follows the camera
	stateInterval = 12                     // ticks between state-file reports (200 ms at 60 TPS)
)

// Game dispatches ebiten's Update/Draw to the parts of the screen, as
// ebiten's examples/2048 does: input → chrome → lesson, draw mode, tools →
// panes → keep. It only reads the backends' newest Scene and Status
// pointers; it never runs the network and never waits for training.
type Game struct {
	cfg     Config
	panes   *Panes
	tl      *timeline.Timeline
	ui      *Chrome
	draw    *Drawer
	keep    *Keeper
	lessons *Lessons
	tools   *Tools
	present *Presenter // ink, presentation mode, overlays kept off the figure
	decks   *Decks     // the deck presented: the lessons or a lecturer's own
	// img is the image view (imagepane.go), shown instead of the panes
	// while the target is an image one (digits, digits8); nil otherwise.
	img  *imagePane
	loop loopStats
	keys []ebiten.Key // keymap.Table's keys, parsed once
	quit atomic.Bool  // set on SIGINT/SIGTERM: end the loop cleanly
}

// loopStats is the game loop's own bookkeeping: its tick, the CPU time of
// Update and Draw, the -stats lines and the -state-file reports.
type loopStats struct {
	tick           int
	drawn          bool           // a frame was drawn since the last Update
	input          appstate.Input // presses and releases seen since start
	updateT, drawT frameTimer
	statsPrinted   time.Time
	state          *stateWriter
}

func newGame(cfg Config) *Game {
	g := &Game{cfg: cfg, tl: timeline.New(cfg.Settings.Steps), ui: newChrome(cfg), tools: &Tools{}, present: &Presenter{}}
	g.decks = newDecks(cfg)
	g.tl.Playing = true
	canvasR, _, _ := g.ui.layout(false)
	g.panes = newPanes(cfg, canvasR, g.ui.say)
	g.draw = newDrawer(g.panes, g.ui, cfg.Store)
	g.lessons = newLessons(g.panes, g.ui, g.tl, g.draw, g.tools, cfg.Lesson)
	g.keep = newKeeper(cfg, g.panes, g.ui, g.tl, g.draw, g.lessons.keepsWork)
	g.lessons.images = func() *imagePane { return g.img }
	g.keep.images = g.lessons.images
	g.keep.link = func() string { return sceneLink(g.panes, g.lessons) }
	g.ui.panel.Sync(g.panes.cur.settings, g.panes.cur.backend.Options())
	for _, b := range keymap.Table {
		var k ebiten.Key
		if err := k.UnmarshalText([]byte(b.Key)); err != nil {
			panic(fmt.Sprintf("key table names unknown key %q", b.Key)) // caught by the tests
		}
		g.keys = append(g.keys, k)
	}
	if cfg.StateFile != "" {
		g.loop.state = newStateWriter(cfg.StateFile)
	}
	return g
}

// layout splits the screen into canvas, timeline bar and panel; a deck's
// custom scene takes its caption column from the canvas.
func (g *Game) layout() (canvas, bar, panel rect) {
	canvas, bar, panel = g.ui.layout(g.lessons.active())
	column, canvas := g.decks.reserve(canvas, g.ui.scale)
	g.panes.besideColumn(column, canvas)
	return canvas, bar, panel
}

// paneRects is where the panes go on canvasR: in a lesson that compares,
// in its figure beside the text column.
func (g *Game) paneRects(canvasR rect) []rect {
	if g.lessons.active() && g.panes.comparing() {
		return g.lessons.paneRects()
	}
	return g.panes.rects(canvasR, g.ui)
}

// Update advances one tick: UI, input, new scenes, the clock.
func (g *Game) Update() error {
	if g.quit.Load() {
		return ebiten.Termination
	}
	start := time.Now()
	g.loop.tick++
	dt := 1 / float64(ebiten.TPS())
	ui, ps := g.ui, g.panes
	canvasR, barR, panelR := g.layout()
	for i, r := range g.paneRects(canvasR) {
		ps.all[i].canvas.Cam.SetViewport(r.X, r.Y, r.W, r.H)
	}
	ui.bar.Area, ui.panel.Area = barR, panelR
	for _, p := range ps.all {
		if g.img == nil {
			// Behind the image view the 2D model's notes and errors
			// would speak of a model not on screen: they wait till it is.
			p.trackStatus(p.backend.Status())
		}
	}

	in := input.Read()
	if panelR.W > 0 {
		st := trainingStatus(g.img, ps)
		capture, err := ui.dui.Update(func(ctx *debugui.Context) error {
			ctx.SetScale(ui.panel.Scale)
			ui.panel.NLL = ps.cur.dens.nllLine()
			edited, changed := ui.panel.Build(ctx, st, &ps.cur.canvas.Layers, g.tl, ui.status, g.actions())
			if changed {
				ps.edit(edited)
			}
			return nil // errors here would be sticky in debugui: report through the status line
		})
		in.Capture(capture)
		if err != nil {
			ui.say(err.Error(), true)
		}
	}
	moved := in.X != g.loop.input.X || in.Y != g.loop.input.Y
	g.loop.input.X, g.loop.input.Y = in.X, in.Y
	g.loop.input.Presses += in.Presses
	g.loop.input.Releases += in.Releases
	g.loop.input.KeysCaptured = in.KeysCaptured
	g.handleKeys(&in)
	g.draw.handleKeys(&in)
	if g.present.Ink.Update(&in, rect{0, 0, float64(ui.w), float64(ui.h)}, time.Now()) {
		// The pen has the pointer: nothing under the ink acts on it.
		in.PointerCaptured = true
	}
	canvasR, _, _ = g.layout()
	rects := g.paneRects(canvasR)
	ps.focusAt(&in, rects, ui)
	g.lessons.Update(canvasR, &in)
	// The lesson may have opened its second pane or closed it (a link's
	// lesson opens on the first tick): what follows needs a rect for each
	// pane.
	rects = g.paneRects(canvasR)
	g.img = followImageTarget(g.img, ps, g.lessons, ui, g.tl, g.keep.takeImageRestore())
	images := g.img != nil
	if images {
		g.img.Update(&in, imageArea(g.lessons, canvasR), ui.scale, ps.cur.settings, g.tl)
	} else {
		g.draw.paint(g.lessons.paintArea(rects[ps.focus]), &in)
		if msg := g.tools.Update(&in, g.toolFrame(rects)); msg != "" {
			ui.say(msg, true)
		}
	}
	if in.Free() || ui.bar.scrubbing {
		ui.bar.Update(g.tl, in.X, in.Y, in.Pressed(input.Left), in.JustPressed(input.Left), in.JustReleased(input.Left))
	}
	if !images {
		ps.panZoom(&in, rects)
	}

	// Keys may have shown or hidden the panel or a pane: lay out again.
	canvasR, barR, panelR = g.layout()
	for i, r := range g.paneRects(canvasR) {
		ps.all[i].resize(r)
	}
	ui.bar.Area, ui.panel.Area = barR, panelR

	// ebiten runs several Updates in a row to catch up after a slow
	// frame; the stepwise work takes its turn once a frame, in the first.
	newFrame := g.loop.drawn || g.loop.tick == 1
	g.loop.drawn = false
	ps.tick(dt, g.tl, g.lessons.active(), newFrame)
	g.ui.diff.update(ps.cur)
	g.present.measure(ps.all)
	g.decks.update(g.deckCtx())
	g.draw.takeDroppedFiles(g.keep.takeDroppedSession(in.Dropped))
	g.draw.send()
	g.keep.update()

	// The state is reported every stateInterval ticks, and at once after a
	// press, a release or a pointer move, so that whoever reads it (tests,
	// the page's latency probe) sees the app's answer to input without
	// waiting for the next report.
	if g.loop.state != nil && (g.loop.tick%stateInterval == 0 || in.Presses+in.Releases > 0 || moved) {
		g.loop.state.post(g.report())
	}
	g.loop.updateT.add(time.Since(start))
	if g.cfg.Stats && time.Since(g.loop.statsPrinted) > 2*time.Second {
		g.loop.statsPrinted = time.Now()
		fmt.Fprintln(statsOut, g.statsLine())
	}
	return nil
}

func (g *Game) actions() Actions {
	lessons := func(ctx *debugui.Context) { g.lessons.panelSection(ctx, g.toggleTool, g.toggleCompare) }
	if g.img != nil {
		return g.img.actions(g.ui, g.panes, lessons)
	}
	ps, ui := g.panes, g.ui
	return Actions{
		// Training, reset and new draws act on every pane: compared models
		// train, pause and restart together on the same particles.
		Train: func() {
			for _, p := range ps.all {
				// A learning rate lowered a moment ago must reach the
				// trainer before it resumes, or it would diverge again.
				p.applyNow(g.lessons.active())
				p.backend.Train()
			}
			ui.say("training", false)
		},
		Pause: func() {
			for _, p := range ps.all {
				p.backend.Pause()
			}
			ui.say("training paused", false)
		},
		Reset: func() {
			for _, p := range ps.all {
				p.backend.Reset()
			}
			ui.say("weights reset: training from scratch", false)
		},
		Resample: func() {
			for _, p := range ps.all {
				p.backend.Resample()
			}
		},
		Fit:       ps.cur.fit,
		Lessons:   lessons,
		Draw:      func(ctx *debugui.Context) { g.draw.panelSection(ctx, g.toggleDraw) },
		Keep:      g.keep.panelSection,
		ScaleBy:   func(d float64) { ui.setScale(ui.scale+d, ps) },
		Contrast:  ui.setContrast,
		Colours:   ui.setColours,
		Presenter: func(ctx *debugui.Context) { g.present.presenterPanel(ctx, g.do) },
		Deck:      func(ctx *debugui.Context) { g.decks.panel(ctx, g.deckCtx()) },
		Classes:   sceneClasses(ps.cur.sc),
	}
}

// handleKeys runs the key table.
func (g *Game) handleKeys(in *input.Snapshot) {
	for i, b := range keymap.Table {
		k := g.keys[i]
		d := in.Duration(k)
		fire := d == 1
		if b.NeedsCtrl() != in.Ctrl() {
			fire = false
		}
		if b.NeedsShift() != in.Shift() && (b.NeedsShift() || keymap.ShiftMatters(b.Key)) {
			fire = false
		}
		// Held step keys repeat after a third of a second, 15 times a second.
		if b.Action.Repeats() && d > 20 && (d-20)%4 == 0 {
			fire = true
		}
		if fire && b.Action == keymap.GoLesson {
			g.decks.key(g.deckCtx(), lessonGo, b.Digit())
		} else if fire {
			g.do(b.Action)
		}
	}
}

// do performs a key action.
func (g *Game) do(a keymap.Action) {
	ui := g.ui
	l := &g.panes.cur.canvas.Layers
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
	case keymap.ToggleScore:
		g.panes.cur.toggleScoreArrows(ui)
	case keymap.ToggleGrid:
		l.Grid = !l.Grid
	case keymap.ToggleLegend:
		l.Legend = !l.Legend
	case keymap.CycleDensity:
		l.Density = l.Density.Next()
		ui.say("density layer: "+l.Density.Title(), false)
	case keymap.FitView:
		g.panes.cur.fit()
	case keymap.ToggleTraining:
		if trainingStatus(g.img, g.panes).State == "running" {
			g.actions().Pause()
		} else {
			g.actions().Train()
		}
	case keymap.Resample:
		g.actions().Resample()
		g.lessons.resample() // lesson 4's "R new batch": fresh draws for its table too
	case keymap.TogglePanel:
		ui.showPanel = !ui.showPanel
		g.setPresenting(false)
	case keymap.Presentation:
		g.setPresenting(!g.present.On)
	case keymap.ToggleInk:
		ui.say(g.present.Ink.Toggle(), false)
		if g.present.Ink.On {
			g.draw.On = false // both take the left button
		}
	case keymap.ClearInk:
		g.present.Ink.Clear()
	case keymap.ToggleStats:
		ui.showStats = !ui.showStats
	case keymap.Fullscreen:
		ebiten.SetFullscreen(!ebiten.IsFullscreen())
	case keymap.Help:
		ui.showHelp = !ui.showHelp
	case keymap.ToggleDraw:
		g.toggleDraw()
		if g.draw.On {
			g.present.Ink.On = false // both take the left button
		}
	case keymap.UIScaleUp:
		ui.setScale(math.Floor(ui.scale)+1, g.panes)
	case keymap.UIScaleDown:
		ui.setScale(math.Ceil(ui.scale)-1, g.panes)
	case keymap.ToggleContrast:
		ui.setContrast(palette.CurrentTheme().Name != palette.HighContrast.Name)
	case keymap.CycleColourMap:
		ui.setColours(palette.NextColours())
	case keymap.SaveSession, keymap.OpenSession, keymap.ExportData, keymap.Screenshot, keymap.RecordGIF:
		g.keep.do(a)
	case keymap.ToggleCompare:
		g.toggleCompare()
	case keymap.ToggleImageView:
		toggleImageView(g.img, ui)
	case keymap.ToggleProbe:
		g.toggleTool(ProbeTool)
	case keymap.ToggleReverse:
		g.toggleTool(ReverseTool)
	case keymap.NextLesson:
		g.decks.key(g.deckCtx(), lessonNext, 0)
	case keymap.PrevLesson:
		g.decks.key(g.deckCtx(), lessonPrev, 0)
	case keymap.LeaveLesson:
		// Esc closes what is on top: the help, then the lesson, then a tool.
		switch {
		case ui.showHelp:
			ui.showHelp = false
		case g.decks.presenting():
			g.decks.key(g.deckCtx(), lessonLeave, 0)
		case g.lessons.active():
			g.lessons.key(lessonLeave, 0)
		case g.tools.Mode != NoTool:
			g.toggleTool(g.tools.Mode)
		}
	}
}

// toggleTool switches a tool on or off; a tool turns draw mode off.
func (g *Game) toggleTool(mode Tool) {
	g.ui.say(g.tools.Toggle(mode), false)
	if g.tools.Mode != NoTool {
		g.draw.On = false
	}
}

// toggleDraw switches draw mode; draw mode turns the tools off (the left
// button paints now).
func (g *Game) toggleDraw() {
	if g.draw.toggle() {
		g.tools.Mode = NoTool
	}
}

// toggleCompare opens or closes compare mode. Closing keeps pane A as it
// was: its model, settings and view.
func (g *Game) toggleCompare() {
	if g.panes.comparing() {
		g.panes.closeCompare(g.ui)
		return
	}
	if g.lessons.active() {
		g.ui.say("leave the lesson first (Esc), then K compares two models", true)
		return
	}
	if g.img != nil {
		g.ui.say("compare mode compares 2D models: choose a 2D target in the panel first", true)
		return
	}
	g.panes.openCompare(g.ui)
}

// deckCtx is what the deck works on: the parts a scene brings to the
// screen and the Keeper that reads and restores it.
func (g *Game) deckCtx() *deckContext {
	return &deckContext{panes: g.panes, lessons: g.lessons, ui: g.ui, tl: g.tl, keep: g.keep}
}

// toolFrame is what the tools see this tick: the focused pane in its area
// of rects, the other pane in its own, and the boxes (training readouts)
// their text must keep clear of.
func (g *Game) toolFrame(rects []rect, avoid ...rect) toolFrame {
	ps := g.panes
	f := toolFrame{area: rects[ps.focus], pane: ps.cur, t: g.tl.T, scale: g.ui.scale, fonts: g.ui.fonts, blocked: g.lessons.hit, avoid: avoid}
	if o := ps.other(); o != nil && len(rects) > 1 {
		f.other, f.otherArea = o, rects[1-ps.focus]
	}
	return f
}

// Draw draws the frame. It reads only what Update prepared.
func (g *Game) Draw(screen *ebiten.Image) {
	start := time.Now()
	g.loop.drawn = true
	ui := g.ui
	g.present.beginFrame()
	screen.Fill(toColor(palette.Background))
	canvasR, _, panelR := g.layout()
	switch {
	case g.img != nil:
		g.img.drawOnCanvas(screen, canvasR, g.tl.T, ui, g.lessons, g.keep)
	case g.panes.comparing() && g.lessons.active():
		g.drawPanes(screen, g.lessons.lay.figure)
		g.lessons.drawColumn(screen)
	case g.panes.comparing():
		g.drawPanes(screen, canvasR)
	default:
		g.drawPane(screen, canvasR)
	}
	full, _, _ := ui.layout(g.lessons.active())
	column, _ := g.decks.reserve(full, ui.scale)
	if g.panes.comparing() && g.panes.stripLeft > 0 {
		// The strip runs under the caption column too.
		column.H = g.panes.rects(canvasR, ui)[0].H
	}
	g.decks.drawCaption(screen, &ui.toolBatch, column, ui.scale)
	g.keep.screenshot(screen, canvasR)
	ui.bar.Draw(screen, g.tl, solverFormula(g.panes.cur.applied.Solver), ui.fonts)
	if panelR.W > 0 {
		ui.dui.Draw(screen)
	}
	if ui.showStats && !g.present.On {
		ui.hud.drawStats(screen, canvasR, g.statsLines(), ui.fonts)
	}
	g.present.Ink.Draw(screen, ui.scale, time.Now())
	if ui.showHelp {
		ui.hud.drawHelp(screen, ui.fonts)
	}
	g.loop.drawT.add(time.Since(start))
}

// drawPane draws the one pane on the canvas, with the lesson over it.
func (g *Game) drawPane(screen *ebiten.Image, canvasR rect) {
	ui, p := g.ui, g.panes.cur
	sc := p.sc
	if g.lessons.geometric() {
		// Lessons 1–3 draw their own pairs on an empty plane.
		sc = nil
	}
	p.canvas.Draw(screen, sc, g.tl.T, p.pos, ui.fonts)
	g.lessons.drawFigure(screen)
	g.draw.drawOverlay(screen, g.lessons.paintArea(canvasR))
	st := p.backend.Status()
	pr := g.present
	if g.lessons.active() {
		// The lesson's column carries its own training readout; the
		// legend keeps to the figure's free space.
		lay := &g.lessons.lay
		pl := newPlacer(lay.figure, pr.figureOf(0), 10*ui.scale)
		if l := p.canvas.Layers; !pr.On && l.Legend && sc != nil && (l.Field || l.Particles) {
			pr.drawPlacedLegend(screen, ui, pl, "legend", sc.MaxSpeed, l)
		}
		if !pr.On && p.canvas.Layers.Legend && !g.lessons.geometric() {
			pr.drawPlacedDensityKey(screen, ui, pl, "density_legend", &p.dens)
		}
		g.tools.Draw(screen, g.toolFrame([]rect{lay.figure}))
		g.lessons.drawColumn(screen)
		if !pr.On && lay.stacked && g.lessons.showsTraining() && lay.figure != canvasR {
			pr.drawReadout(screen, ui, pl, "training", st, p.dens.nllLine(), ui.status, ui.statusErr)
		}
	} else {
		// Readout, hints, legend and the tool's box go where the figure
		// is not (see Presenter).
		pl := newPlacer(canvasR, pr.figureOf(0), 10*ui.scale)
		var readout rect
		if !pr.On {
			readout = pr.drawReadout(screen, ui, pl, "training", st, p.dens.nllLine(), ui.status, ui.statusErr)
			pr.drawHints(screen, ui, pl, st, sc == nil && !g.lessons.geometric())
			if l := p.canvas.Layers; l.Legend && sc != nil && (l.Field || l.Particles) {
				pr.drawPlacedLegend(screen, ui, pl, "legend", sc.MaxSpeed, l)
			}
			if p.canvas.Layers.Legend && !g.lessons.geometric() {
				pr.drawPlacedDensityKey(screen, ui, pl, "density_legend", &p.dens)
			}
			g.ui.diff.draw(screen, pl, p.applied, ui.fonts, ui.scale)
		}
		f := g.toolFrame([]rect{canvasR}, readout)
		f.place = pl
		g.tools.Draw(screen, f)
		if r, ok := g.tools.boxAt(); ok {
			pr.record("probe", r, true)
		} else if g.tools.hasBox() {
			pr.record("probe", rect{}, false)
		}
	}
}

// drawPanes draws compare mode in area (the canvas, or a lesson's figure):
// each pane's field, particles, trails and training readout with its loss
// curve, the focused one framed, and the comparison strip below both.
func (g *Game) drawPanes(screen *ebiten.Image, canvasR rect) {
	ui, ps := g.ui, g.panes
	rects := ps.rects(canvasR, ui)
	labels := compareLabels(ps.all[0].applied, ps.all[1].applied)
	readouts := make([]rect, len(ps.all))
	for i, p := range ps.all {
		status, isErr := "", false
		if p == ps.cur {
			status, isErr = ui.status, ui.statusErr
		}
		readouts[i] = p.drawInPane(screen, rects[i], g.tl.T, labels[i], i, i == ps.focus, status, isErr, ui, g.present)
	}
	g.draw.drawOverlay(screen, rects[ps.focus])
	g.tools.Draw(screen, g.toolFrame(rects, readouts...))
	strip, l := ps.stripRect(canvasR, rects), ps.strip(canvasR, ui)
	ps.cmp.drawStrip(screen, &ui.toolBatch, strip, l, ps.all, labels, ui.fonts, ui.scale)
	g.present.record("compare_strip", strip, true)
	for r, row := range stripRows {
		if !slices.Contains(l.shown, r) {
			g.present.record("compare_strip:"+row.name, rect{}, false)
		}
	}
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

// setPresenting turns presentation mode (Shift+H) on or off: the chrome
// hides all but the figure, the timeline and the caption.
func (g *Game) setPresenting(on bool) {
	if on == g.present.On {
		return
	}
	g.present.On, g.ui.presenting = on, on
	if on {
		g.ui.say("presentation: Shift+H brings the panel and readouts back", false)
	} else {
		g.ui.say("presentation off", false)
	}
}
