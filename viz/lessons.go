package viz

import (
	"fmt"
	"time"

	"github.com/ebitengine/debugui"

	"github.com/flowviz/flowviz/flow"
	"github.com/flowviz/flowviz/flow/data"
	"github.com/flowviz/flowviz/viz/appstate"
	"github.com/flowviz/flowviz/viz/camera"
	"github.com/flowviz/flowviz/viz/input"
	"github.com/flowviz/flowviz/viz/lesson"
	"github.com/flowviz/flowviz/viz/scene"
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

func newLessons() Lessons {
	l := Lessons{cur: -1}
	l.all, l.loadErr = lesson.Builtin()
	return l
}

// active reports whether a lesson is shown.
func (ls *Lessons) active() bool { return ls.cur >= 0 && ls.cur < len(ls.all) }

// current returns the lesson shown; only valid when active.
func (ls *Lessons) current() *lesson.Lesson { return &ls.all[ls.cur] }

// geometric reports whether the lesson draws its own picture instead of the
// trained model's scene.
func (ls *Lessons) geometric() bool { return ls.active() && ls.kind.geometric() }

// doLessonKey runs the lesson keys: PageDown/PageUp step through the lessons
// (entering at the last one seen), digits jump, Esc leaves.
func (g *Game) doLessonKey(b int, digit int) {
	ls := &g.lessons
	if ls.loadErr != nil {
		g.setStatus("lessons: "+ls.loadErr.Error(), true)
		return
	}
	switch b {
	case lessonNext:
		if !ls.active() {
			g.showLesson(ls.last)
		} else if ls.cur+1 < len(ls.all) {
			g.showLesson(ls.cur + 1)
		}
	case lessonPrev:
		if !ls.active() {
			g.showLesson(ls.last)
		} else if ls.cur > 0 {
			g.showLesson(ls.cur - 1)
		}
	case lessonGo:
		if digit >= 1 && digit <= len(ls.all) {
			g.showLesson(digit - 1)
		}
	case lessonLeave:
		g.leaveLessons()
	}
}

const (
	lessonNext = iota
	lessonPrev
	lessonGo
	lessonLeave
)

// showLesson switches to lesson i, saving the app's own view first.
func (g *Game) showLesson(i int) {
	ls := &g.lessons
	if i < 0 || i >= len(ls.all) {
		return
	}
	if len(g.panes) > 1 {
		// A lesson runs on the app's own model alone.
		g.toggleCompare()
	}
	if !ls.active() {
		ls.saved.settings = g.pane.settings
		ls.saved.layers = g.pane.canvas.Layers
		ls.saved.cam = g.pane.canvas.Cam
		ls.saved.drawOn = g.draw.On
		ls.saved.tool = g.tools.Mode
		ls.saved.playing = g.tl.Playing
	}
	ls.closeKind()
	ls.cur, ls.last = i, i
	l := ls.current()
	ls.chips, ls.lines = nil, nil
	ls.colNeed, ls.fitted = 0, false
	ls.fit.key = fitKey{}
	g.tools.Off()
	g.draw.On = false

	// Settings: the lesson's over the app's own, so every lesson starts from
	// the same place whichever came before; the kind sets its figure and
	// the timeline up and may change them.
	next := l.Settings.Apply(ls.saved.settings)
	ls.kind = newLessonKind(l.Kind)
	ls.kind.open(g, l, &next)
	next.View = g.pane.settings.View
	if next != g.pane.settings {
		g.pane.settings = next
		g.pane.dirty, g.pane.editedAt = true, time.Time{}
		g.panel.Sync(g.pane.settings, g.pane.backend.Options())
	}
	ls.resetPending = l.Settings.Reset

	if len(l.Show) > 0 {
		g.pane.canvas.Layers = layersOf(l.Show)
	} else {
		g.pane.canvas.Layers = ls.saved.layers
	}
	g.pane.fitData = false

	// The caption says where we are; an older message would only distract.
	g.setStatus("", false)
	g.relayoutLesson()
}

// relayoutLesson makes the lesson's numbers and layout now and fits its
// view, so the frame after a switch is already right.
func (g *Game) relayoutLesson() {
	ls := &g.lessons
	canvasR, _, _ := g.layout()
	// A key or the panel may have just changed the layout (UI scale, the
	// panel): fit against the viewport the next frame draws with.
	g.pane.canvas.Cam.SetViewport(canvasR.X, canvasR.Y, canvasR.W, canvasR.H)
	ls.chips = ls.chips[:0]
	ls.kind.chips(g)
	ls.lines = ls.kind.lines(g)
	ls.lay = g.layoutLesson(canvasR)
	g.fitLesson()
}

// leaveLessons returns to the app's own settings, layers and view.
func (g *Game) leaveLessons() {
	ls := &g.lessons
	if !ls.active() {
		return
	}
	ls.closeKind()
	ls.cur = -1
	s := ls.saved.settings
	s.View = g.pane.settings.View
	if s != g.pane.settings {
		g.pane.settings = s
		g.pane.dirty, g.pane.editedAt = true, time.Time{}
		g.panel.Sync(g.pane.settings, g.pane.backend.Options())
	}
	g.pane.canvas.Layers = ls.saved.layers
	g.pane.canvas.Cam = ls.saved.cam
	g.pane.viewMoved = time.Now()
	g.draw.On = ls.saved.drawOn
	g.tools.Mode = ls.saved.tool
	if ls.saved.playing {
		g.tl.Play()
	}
	if g.pane.sc != nil {
		g.tl.SetSteps(g.pane.sc.Steps())
	}
	g.setStatus("lesson view closed", false)
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

// updateLessons runs the shown lesson's tick: its pointer, its figures.
func (g *Game) updateLessons(canvasR rect, in *input.Snapshot) {
	ls := &g.lessons
	if n := g.cfg.Lesson; n > 0 && g.pane.sc != nil && !ls.started {
		// -lesson: open once the first scene is on screen, after any
		// session restore has set the app's own view to come back to.
		ls.started = true
		if n > len(ls.all) {
			g.setStatus(fmt.Sprintf("-lesson %d: there are %d lessons", n, len(ls.all)), true)
		} else {
			g.doLessonKey(lessonGo, n)
		}
	}
	if !ls.active() {
		return
	}
	if ls.resetPending && !g.pane.dirty {
		ls.resetPending = false
		g.pane.backend.Reset()
		g.pane.backend.Train()
	}
	mx, my := in.X, in.Y
	wx, wy := g.pane.canvas.Cam.ToWorld(mx, my)
	free := in.Free() && canvasR.contains(mx, my)
	ls.kind.update(g, in, flow.Vec{wx, wy}, free)
	g.relayoutLesson()
	if free && in.JustPressed(input.Left) {
		for _, c := range ls.chips {
			if c.r.contains(mx, my) {
				c.do()
				return
			}
		}
	}
}

// lessonHit reports whether a screen point is on the caption or a chip, so
// clicks there go to the lesson, not to a canvas tool.
func (g *Game) lessonHit(mx, my float64) bool {
	ls := &g.lessons
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

// lessonState is the lesson view's part of the state file.
func (g *Game) lessonState() appstate.Lesson {
	ls := &g.lessons
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

// lessonsPanel is the panel's Lessons section: the same moves as the
// clicker keys, for a mouse, and the canvas tools.
func (g *Game) lessonsPanel(ctx *debugui.Context) {
	ls := &g.lessons
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
				g.leaveLessons()
			} else {
				g.showLesson(ls.choice - 1)
			}
		})
		ctx.SetGridLayout([]int{-1, -1, -1}, nil)
		ctx.Button("◀ PgUp").On(func() { g.doLessonKey(lessonPrev, 0) })
		ctx.Button("PgDn ▶").On(func() { g.doLessonKey(lessonNext, 0) })
		ctx.Button("Esc leave").On(func() { g.leaveLessons() })
		ctx.SetGridLayout([]int{-1, -1}, nil)
		probe, reverse := g.tools.Mode == ProbeTool, g.tools.Mode == ReverseTool
		ctx.Checkbox(&probe, "probe (Q)").On(func() { g.toggleTool(ProbeTool) })
		ctx.Checkbox(&reverse, "reverse (Z)").On(func() { g.toggleTool(ReverseTool) })
		ctx.SetGridLayout(nil, nil)
	})
	g.cmp.panel(ctx, len(g.panes) > 1, g.toggleCompare)
}
