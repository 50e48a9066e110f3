package viz

import (
	"fmt"
	"time"

	"github.com/ebitengine/debugui"
	"github.com/hajimehoshi/ebiten/v2"

	"github.com/flowviz/flowviz/flow"
	"github.com/flowviz/flowviz/flow/data"
	"github.com/flowviz/flowviz/viz/appstate"
	"github.com/flowviz/flowviz/viz/camera"
	"github.com/flowviz/flowviz/viz/input"
	"github.com/flowviz/flowviz/viz/lesson"
	"github.com/flowviz/flowviz/viz/scene"
	"github.com/flowviz/flowviz/viz/timeline"
)

// Lessons is the lesson view: the guided lessons of the blog post, one at a
// time over the canvas, with what the app showed before kept to return to.
type Lessons struct {
	all     []lesson.Lesson
	loadErr error
	cur     int  // index into all; -1 when the lesson view is off
	last    int  // the lesson shown last, where PageDown re-enters
	started bool // the -lesson of the command line has been opened

	saved struct {
		settings scene.Settings
		layers   Layers
		cam      camera.Camera
		drawOn   bool
		tool     Tool
		playing  bool
		compare  *compareStash // the user's compare mode, nil if none
	}
	resetPending bool // fresh weights once the lesson's settings reached the backend

	kind lessonKind // the shown lesson's own state and figure

	lines []numLine // the live numbers, made each tick

	// Layout: where caption, numbers and figure go; the column's width
	// only grows while a lesson is shown, and the view is fitted to the
	// figure again only when the figure moves.
	lay     lessonLayout
	colNeed float64 // at scale 1
	fitted  bool
	fit     struct {
		key        fitKey
		ts         float64
		hint, body bool
	}
	fitFor           rect
	curveLo, curveHi float64

	titles []string // the panel's dropdown: "(app view)", then the lessons
	choice int

	chips []chip

	startAt int // -lesson: opened once the first scene is on screen

	// What a lesson runs on and may change while it is shown: pane A, the
	// clock, draw mode and the tools (kept to restore on Esc), the chrome.
	panes *Panes
	ui    *Chrome
	tl    *timeline.Timeline
	draw  *Drawer
	tools *Tools
}

// chip is a clickable choice drawn on the canvas (step counts, solvers,
// couplings): a lecturer at the projector clicks what the lesson compares.
type chip struct {
	r     rect
	label string
	on    bool
	group bool // starts a new group of choices: a wider gap before it
	do    func()
}

func newLessons(panes *Panes, ui *Chrome, tl *timeline.Timeline, draw *Drawer, tools *Tools, startAt int) *Lessons {
	l := &Lessons{cur: -1, startAt: startAt, panes: panes, ui: ui, tl: tl, draw: draw, tools: tools}
	l.all, l.loadErr = lesson.Builtin()
	return l
}

// ctx is what the shown lesson's kind sees of the app.
func (ls *Lessons) ctx() *lessonContext {
	return &lessonContext{pane: ls.panes.cur, panes: ls.panes.all, tl: ls.tl, lessons: ls, draw: ls.draw, scale: ls.ui.scale, toolBatch: &ls.ui.toolBatch, ui: ls.ui}
}

// keepsWork reports whether a lesson is shown and whether its scene is
// the user's own work, which the autosave may record. A lesson's scene is
// the lesson's, not the user's: the autosave made before it holds the app
// as Esc returns to it, and stays. The last lesson is the exception: what
// is drawn there is the user's own work.
func (ls *Lessons) keepsWork() (inLesson, keeps bool) {
	if !ls.active() {
		return false, false
	}
	k, ok := ls.kind.(lessonKeepsWork)
	return true, ok && k.keepsWork()
}

// resample gives the shown lesson's figure fresh draws, if it has any
// (lesson 4's "R new batch").
func (ls *Lessons) resample() {
	if r, ok := ls.kind.(lessonResampler); ok && ls.active() {
		r.resample()
	}
}

// paintArea is where draw mode's strokes land: the canvas, or in a lesson
// its figure, not under the text column.
func (ls *Lessons) paintArea(canvasR rect) rect {
	if ls.active() && !ls.lay.stacked && ls.lay.figure.W > 0 {
		return ls.lay.figure
	}
	return canvasR
}

// drawFigure draws the shown lesson's own picture over the canvas, under
// its column.
func (ls *Lessons) drawFigure(dst *ebiten.Image) {
	if ls.active() {
		ls.kind.draw(ls.ctx(), dst)
	}
}

// active reports whether a lesson is shown.
func (ls *Lessons) active() bool { return ls.cur >= 0 && ls.cur < len(ls.all) }

// current returns the lesson shown; only valid when active.
func (ls *Lessons) current() *lesson.Lesson { return &ls.all[ls.cur] }

// geometric reports whether the lesson draws its own picture instead of the
// trained model's scene.
func (ls *Lessons) geometric() bool { return ls.active() && ls.kind.geometric() }

// key runs the lesson keys: PageDown/PageUp step through the lessons
// (entering at the last one seen), digits jump, Esc leaves.
func (ls *Lessons) key(b int, digit int) {
	if ls.loadErr != nil {
		ls.ui.say("lessons: "+ls.loadErr.Error(), true)
		return
	}
	switch b {
	case lessonNext:
		if !ls.active() {
			ls.show(ls.last)
		} else if ls.cur+1 < len(ls.all) {
			ls.show(ls.cur + 1)
		}
	case lessonPrev:
		if !ls.active() {
			ls.show(ls.last)
		} else if ls.cur > 0 {
			ls.show(ls.cur - 1)
		}
	case lessonGo:
		if digit >= 1 && digit <= len(ls.all) {
			ls.show(digit - 1)
		}
	case lessonLeave:
		ls.leave()
	}
}

const (
	lessonNext = iota
	lessonPrev
	lessonGo
	lessonLeave
)

// show switches to lesson i, saving the app's own view first.
func (ls *Lessons) show(i int) {
	if i < 0 || i >= len(ls.all) {
		return
	}
	if !ls.active() {
		// The user's compare mode waits, B paused, until Esc; a lesson
		// runs on the app's own model (and its own pane B, if it compares).
		ls.saved.compare = ls.panes.stash()
		ls.saved.settings = ls.panes.cur.settings
		ls.saved.layers = ls.panes.cur.canvas.Layers
		ls.saved.cam = ls.panes.cur.canvas.Cam
		ls.saved.drawOn = ls.draw.On
		ls.saved.tool = ls.tools.Mode
		ls.saved.playing = ls.tl.Playing
	}
	ls.closeKind()
	ls.panes.closeCompare(ls.ui) // the lesson before's own
	ls.cur, ls.last = i, i
	l := ls.current()
	ls.chips, ls.lines = nil, nil
	ls.colNeed, ls.fitted = 0, false
	ls.fit.key = fitKey{}
	ls.tools.Off()
	ls.draw.On = false

	// Settings: the lesson's over the app's own, so every lesson starts from
	// the same place whichever came before; the kind sets its figure and
	// the timeline up and may change them.
	next := l.Settings.Apply(ls.saved.settings)
	ls.kind = newLessonKind(l.Kind)
	ls.kind.open(ls.ctx(), l, &next)
	next.View = ls.panes.cur.settings.View
	if next != ls.panes.cur.settings {
		ls.panes.cur.settings = next
		ls.panes.cur.dirty, ls.panes.cur.editedAt = true, time.Time{}
		ls.ui.panel.Sync(ls.panes.cur.settings, ls.panes.cur.backend.Options())
	}
	ls.resetPending = l.Settings.Reset

	if len(l.Show) > 0 {
		ls.panes.cur.canvas.Layers = layersOf(l.Show)
	} else {
		ls.panes.cur.canvas.Layers = ls.saved.layers
	}
	ls.panes.cur.fitData = false

	// The caption says where we are; an older message would only distract.
	ls.ui.say("", false)
	if l.Compare != "" {
		ls.openCompare(l.Compare)
	}
	ls.relayout()
}

// openCompare shows the lesson in compare mode: pane B is the lesson's
// model with spec's settings changed, and both start afresh together, on
// the same weights and batches.
func (ls *Lessons) openCompare(spec string) {
	a := ls.panes.a()
	// B starts from the lesson's settings, not the app's: apply them now.
	a.applyNow(true)
	a.backend.Reset()
	ls.resetPending = false
	ls.panes.cmp = Compare{Spec: spec}
	if !ls.panes.open(false, ls.ui) {
		return // said why; the lesson goes on with one pane
	}
	ls.panes.all[1].canvas.Layers = a.canvas.Layers
	ls.panes.cmp.Spec = spec
}

// relayout makes the lesson's numbers and layout now and fits its
// view, so the frame after a switch is already right.
func (ls *Lessons) relayout() {
	canvasR, _, _ := ls.ui.layout(ls.active())
	// A key or the panel may have just changed the layout (UI scale, the
	// panel): fit against the viewport the next frame draws with.
	for _, p := range ls.panes.all {
		p.canvas.Cam.SetViewport(canvasR.X, canvasR.Y, canvasR.W, canvasR.H)
	}
	ls.chips = ls.chips[:0]
	ls.kind.chips(ls.ctx())
	ls.lines = ls.kind.lines(ls.ctx())
	ls.lay = ls.layoutLesson(canvasR)
	ls.fitLesson()
}

// leave returns to the app's own settings, layers and view.
func (ls *Lessons) leave() {
	if !ls.active() {
		return
	}
	ls.closeKind()
	ls.panes.closeCompare(ls.ui) // the lesson's own
	ls.cur = -1
	// The saved settings' arrow grid is the saved camera's, which comes
	// back below; the lesson's own view may have reached the settings.
	s := ls.saved.settings
	if s != ls.panes.cur.settings {
		ls.panes.cur.settings = s
		ls.panes.cur.dirty, ls.panes.cur.editedAt = true, time.Time{}
		ls.ui.panel.Sync(ls.panes.cur.settings, ls.panes.cur.backend.Options())
	}
	ls.panes.cur.canvas.Layers = ls.saved.layers
	ls.panes.cur.canvas.Cam = ls.saved.cam
	ls.panes.cur.viewMoved = time.Now()
	ls.draw.On = ls.saved.drawOn
	ls.tools.Mode = ls.saved.tool
	if ls.saved.playing {
		ls.tl.Play()
	}
	if ls.panes.cur.sc != nil {
		ls.tl.SetSteps(ls.panes.cur.sc.Steps())
	}
	ls.panes.unstash(ls.saved.compare, ls.ui)
	ls.saved.compare = nil
	ls.ui.say("lesson view closed", false)
}

// stopStash ends the user's compare mode set aside by a lesson: the app
// closes while the lesson is shown.
func (ls *Lessons) stopStash() {
	ls.saved.compare.stop()
	ls.saved.compare = nil
}

// closeKind stops what the shown lesson's kind runs in the background.
func (ls *Lessons) closeKind() {
	if c, ok := ls.kind.(lessonCloser); ok {
		c.close()
	}
	ls.kind = nil
}

// layersOf turns a lesson's layer names into layers: named ones on, the
// rest off.
func layersOf(names []string) Layers {
	var l Layers
	for _, n := range names {
		switch n {
		case "field":
			l.Field = true
		case "particles":
			l.Particles = true
		case "trails":
			l.Trails = true
		case "trajectories":
			l.Trajectories = true
		case "clouds":
			l.Clouds = true
		case "grid":
			l.Grid = true
		case "legend":
			l.Legend = true
		}
	}
	return l
}

// loadOr loads spec, or fallback when spec is empty or bad (lesson data
// is validated on load, so the fallback is for the empty case).
func loadOr(spec, fallback string) data.Dist {
	if spec == "" {
		spec = fallback
	}
	d, err := data.Load(spec)
	if err != nil {
		d, _ = data.Load(fallback)
	}
	return d
}

// Update runs the shown lesson's tick: its pointer, its figures.
func (ls *Lessons) Update(canvasR rect, in *input.Snapshot) {
	if n := ls.startAt; n > 0 && ls.panes.cur.sc != nil && !ls.started {
		// -lesson: open once the first scene is on screen, after any
		// session restore has set the app's own view to come back to.
		ls.started = true
		if n > len(ls.all) {
			ls.ui.say(fmt.Sprintf("-lesson %d: there are %d lessons", n, len(ls.all)), true)
		} else {
			ls.key(lessonGo, n)
		}
	}
	if !ls.active() {
		return
	}
	if ls.resetPending && !ls.panes.cur.dirty {
		ls.resetPending = false
		ls.panes.cur.backend.Reset()
		ls.panes.cur.backend.Train()
	}
	mx, my := in.X, in.Y
	wx, wy := ls.panes.cur.canvas.Cam.ToWorld(mx, my)
	free := in.Free() && canvasR.contains(mx, my)
	ls.kind.update(ls.ctx(), in, flow.Vec{wx, wy}, free)
	ls.relayout()
	if free && in.JustPressed(input.Left) {
		for _, c := range ls.chips {
			if c.r.contains(mx, my) {
				c.do()
				return
			}
		}
	}
}

// hit reports whether a screen point is on the caption or a chip, so
// clicks there go to the lesson, not to a canvas tool.
func (ls *Lessons) hit(mx, my float64) bool {
	if !ls.active() {
		return false
	}
	for _, c := range ls.chips {
		if c.r.contains(mx, my) {
			return true
		}
	}
	lay := &ls.lay
	// Stacked, the column spans the numbers too.
	return lay.column.contains(mx, my)
}

// numbers is the live numbers as text, for the state file and the tests.
func (ls *Lessons) numbers() []string {
	out := make([]string, len(ls.lines))
	for i, n := range ls.lines {
		out[i] = n.plain()
	}
	return out
}

// state is the lesson view's part of the state file.
func (ls *Lessons) state() appstate.Lesson {
	if !ls.active() {
		return appstate.Lesson{}
	}
	l := ls.current()
	st := appstate.Lesson{Number: l.Number, Kind: string(l.Kind), Title: l.Title, Numbers: ls.numbers()}
	c, fig := ls.lay.column, ls.lay.figure
	st.Column, st.Figure, st.View = [4]float64{c.X, c.Y, c.W, c.H}, [4]float64{fig.X, fig.Y, fig.W, fig.H}, l.View
	if e, ok := ls.kind.(lessonEnds); ok {
		x0, x1 := e.ends()
		st.X0, st.X1 = &x0, &x1
	}
	for _, c := range ls.chips {
		lab := c.label
		if c.on {
			lab = "*" + lab
		}
		st.Chips = append(st.Chips, lab)
		st.ChipBoxes = append(st.ChipBoxes, [4]float64{c.r.X, c.r.Y, c.r.W, c.r.H})
	}
	return st
}

// panelSection is the panel's Lessons section: the same moves as the
// clicker keys, for a mouse, and the canvas tools.
func (ls *Lessons) panelSection(ctx *debugui.Context, toggleTool func(Tool), toggleCompare func()) {
	ctx.Header("Lessons and tools", true, func() {
		if ls.loadErr != nil {
			ctx.Text("lessons unavailable: " + ls.loadErr.Error())
			return
		}
		if ls.titles == nil {
			ls.titles = append(ls.titles, "(app view)")
			for _, l := range ls.all {
				ls.titles = append(ls.titles, fmt.Sprintf("%d %s", l.Number, l.Title))
			}
		}
		// The dropdown shows the lesson on screen; choosing one opens it.
		ls.choice = ls.cur + 1
		ctx.Dropdown(&ls.choice, ls.titles).On(func() {
			if ls.choice == 0 {
				ls.leave()
			} else {
				ls.show(ls.choice - 1)
			}
		})
		ctx.SetGridLayout([]int{-1, -1, -1}, nil)
		ctx.Button("◀ PgUp").On(func() { ls.key(lessonPrev, 0) })
		ctx.Button("PgDn ▶").On(func() { ls.key(lessonNext, 0) })
		ctx.Button("Esc leave").On(func() { ls.leave() })
		ctx.SetGridLayout([]int{-1, -1}, nil)
		probe, reverse := ls.tools.Mode == ProbeTool, ls.tools.Mode == ReverseTool
		ctx.Checkbox(&probe, "probe (Q)").On(func() { toggleTool(ProbeTool) })
		ctx.Checkbox(&reverse, "reverse (Z)").On(func() { toggleTool(ReverseTool) })
		ctx.SetGridLayout(nil, nil)
	})
	ls.panes.cmp.panel(ctx, ls.panes.comparing(), toggleCompare)
}
