package viz

import (
	"errors"
	"fmt"
	"image"
	"math"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/ebitengine/debugui"
	"github.com/hajimehoshi/ebiten/v2"

	"github.com/flowviz/flowviz/flow/data"
	"github.com/flowviz/flowviz/viz/appstate"
	"github.com/flowviz/flowviz/viz/deck"
	"github.com/flowviz/flowviz/viz/lesson"
	"github.com/flowviz/flowviz/viz/palette"
	"github.com/flowviz/flowviz/viz/scene"
	"github.com/flowviz/flowviz/viz/session"
	"github.com/flowviz/flowviz/viz/timeline"
)

// Decks presents a deck: the built-in one (the lessons, in file order) or
// a lecturer's own, opened with -deck or from the panel. PageDown/PageUp
// step through its scenes, the digits jump, Esc leaves to the free app and
// PageDown comes back. A lesson scene opens the lesson view; a custom
// scene brings its data, settings, weights, view, layers and timeline and
// shows its caption and formula in a column beside the figure. The panel
// builds a deck by clicking: "Add this as a scene" appends the app's state.
type Decks struct {
	deck    *deck.Deck
	builtin bool       // deck is the built-in one: nothing to save
	file    *deck.File // where a lecturer's deck is saved; nil for the built-in
	path    string     // the panel's deck path
	cur     int        // the scene shown, −1 in the free app
	last    int        // the scene PageDown returns to
	custom  bool       // the scene shown is a custom one (its caption is up)
	started bool       // -deck's first scene has been shown
	flag    string     // -deck's file, opened once the app is up

	// What "Add this as a scene" takes from the panel.
	caption, title, formula string
	freeze                  bool
	sel                     int // the scene the panel's list has selected
	labels                  []string

	// runs are the trained states of the live scenes shown last: paging
	// back to one goes on where it was.
	runs sceneRuns

	added  chan addedScene // scenes captured off the render loop
	saved  chan string     // save results for the status line
	busy   *atomic.Int32
	column rect // where the caption column was drawn, empty when none
	// controls are the Deck section's widgets on screen by name, for the
	// state file (end-to-end tests click them).
	controls map[string]rect
}

// addedScene is a scene captured on a goroutine, or why it failed.
type addedScene struct {
	s   deck.Scene
	err error
}

// DefaultDeckName is the deck the panel adds scenes to when none is open,
// in the keep folder.
const DefaultDeckName = "lecture.json"

func newDecks(cfg Config) *Decks {
	d := &Decks{cur: -1, added: make(chan addedScene, 4), saved: make(chan string, 8), busy: new(atomic.Int32)}
	d.deck, _ = deck.Builtin() // the lessons' own load error is shown by the lesson view
	if d.deck == nil {
		d.deck = &deck.Deck{}
	}
	d.builtin, d.flag = true, cfg.Deck
	switch {
	case cfg.Deck != "":
		d.path = cfg.Deck
	case cfg.KeepDir != "":
		d.path = filepath.Join(cfg.KeepDir, DefaultDeckName)
	}
	return d
}

// presenting reports whether a scene of the deck is on screen.
func (d *Decks) presenting() bool { return d.cur >= 0 && d.cur < len(d.deck.Scenes) }

// showingCustom reports whether a custom scene's caption is up.
func (d *Decks) showingCustom() bool { return d.presenting() && d.custom }

// deckContext is what presenting and building a deck works on, built by
// the Game for each call: the panes (a scene's data, view and layers), the
// lessons (the built-in deck's scenes), the chrome (the status line and the
// layout), the timeline and the Keeper (files and the session restore).
type deckContext struct {
	panes   *Panes
	lessons *Lessons
	ui      *Chrome
	tl      *timeline.Timeline
	keep    *Keeper
}

// open opens the deck file at path for presenting and adding to. A
// file that cannot be read is reported, and scenes added go to a new deck
// there, the unreadable file kept aside at the first save.
func (d *Decks) open(c *deckContext, path string) error {
	f, dk, err := deck.Open(c.keep.store, path)
	if f == nil {
		return err
	}
	if d.presenting() {
		d.leave(c)
	}
	d.deck, d.file, d.builtin, d.path = dk, f, false, path
	d.cur, d.last, d.sel, d.labels = -1, 0, 0, nil
	d.runs.forget()
	return err
}

// key runs the clicker keys on the deck: PageDown and PageUp step
// (entering at the scene last seen), digits jump, Esc leaves.
func (d *Decks) key(c *deckContext, b int, digit int) {
	if d.builtin {
		// The built-in deck is the lessons: the lesson view steps them.
		c.lessons.key(b, digit)
		return
	}
	n := len(d.deck.Scenes)
	switch b {
	case lessonNext:
		switch {
		case !d.presenting():
			d.show(c, d.last)
		case d.cur+1 < n:
			d.show(c, d.cur+1)
		}
	case lessonPrev:
		switch {
		case !d.presenting():
			d.show(c, d.last)
		case d.cur > 0:
			d.show(c, d.cur-1)
		}
	case lessonGo:
		if digit >= 1 && digit <= n {
			d.show(c, digit-1)
		}
	case lessonLeave:
		d.leave(c)
	}
}

// show shows scene i of the deck.
func (d *Decks) show(c *deckContext, i int) {
	if i < 0 || i >= len(d.deck.Scenes) {
		if len(d.deck.Scenes) == 0 {
			c.ui.say("the deck has no scenes yet: add some in the panel's Deck section", true)
		}
		return
	}
	d.keepRun(c)
	s := &d.deck.Scenes[i]
	if s.IsLesson() {
		idx := slices.IndexFunc(c.lessons.all, func(l lesson.Lesson) bool { return deck.LessonName(l.File) == s.Lesson })
		if idx < 0 {
			c.ui.say("no built-in lesson "+s.Lesson, true)
			return
		}
		d.cur, d.last, d.custom = i, i, false
		c.lessons.show(idx)
		return
	}
	if c.lessons.active() {
		c.lessons.leave()
	}
	if err := d.apply(c, i); err != nil {
		c.ui.say(fmt.Sprintf("scene %d not shown: %v", i+1, err), true)
		return
	}
	d.cur, d.last, d.custom = i, i, true
	c.ui.say("", false)
}

// leave returns to the free app: a lesson scene restores the app as it
// was; a custom scene stays on screen to be played with.
func (d *Decks) leave(c *deckContext) {
	if !d.presenting() {
		return
	}
	if !d.custom && c.lessons.active() {
		c.lessons.leave()
	}
	d.keepRun(c)
	d.cur, d.custom = -1, false
	c.ui.say("left the deck: PageDown returns", false)
}

// keepRun keeps the training state of the custom scene on screen, if it
// trains live, for when it is shown again.
func (d *Decks) keepRun(c *deckContext) {
	if d.showingCustom() && len(d.deck.Scenes[d.cur].Model) == 0 {
		d.runs.keep(d.cur, c.panes.backends())
	}
}

// apply brings the app to custom scene i: data, settings and weights
// through the session restore (so a deck shows nothing a session would
// refuse), then compare mode, layers, view and timeline. A live scene
// shown before goes on from its kept run.
func (d *Decks) apply(c *deckContext, i int) error {
	s := &d.deck.Scenes[i]
	set := s.Settings.Apply(scene.DefaultSettings())
	set.Trails = min(set.Trails, set.Particles)
	dir := "."
	if d.file != nil {
		dir = d.file.Dir()
	}
	side := func(dd deck.Data, spec string) (session.Data, error) {
		dist, ok, err := dd.Dist(dir)
		if err != nil {
			return session.Data{}, err
		}
		if !ok {
			return session.Data{Spec: spec}, nil
		}
		if strings.HasPrefix(dd.Spec, "text:") {
			return session.Data{Spec: dd.Spec}, nil
		}
		return session.FromDist(dist), nil
	}
	src, err := side(s.Source, set.Source)
	if err != nil {
		return fmt.Errorf("source: %w", err)
	}
	tgt, err := side(s.Target, set.Target)
	if err != nil {
		return fmt.Errorf("target: %w", err)
	}
	ma, mb, err := s.Weights()
	if err != nil {
		return err
	}
	playing := s.Playing == nil || *s.Playing
	ss := &session.Session{Settings: set, Source: src, Target: tgt, Model: ma,
		View: session.View{CenterX: 0, CenterY: 0, Zoom: c.panes.cur.canvas.Cam.Zoom, Layers: sessionLayers(s.Layers), T: s.T, Playing: playing, Speed: 1}}
	if s.Compare != "" {
		ss.Compare = &session.Compared{Spec: s.Compare, Model: mb}
		if ss.Compare.Settings, err = set.Differ(s.Compare); err != nil {
			return err
		}
	}
	if c.panes.comparing() && s.Compare == "" {
		c.panes.closeCompare(c.ui)
	}
	if err := c.keep.applySession(ss); err != nil {
		return err
	}
	// Frozen weights show as they are; without them the scene trains live
	// from fresh weights, its readout beside the figure.
	for _, p := range c.panes.all {
		if ma != nil {
			p.backend.Pause()
		} else {
			p.backend.Train()
		}
	}
	if ma == nil {
		d.resume(c, i)
	}
	d.fitScene(c, s)
	return nil
}

// resume continues live scene i from its kept run, if there is one for
// every pane: weights, optimizer, step, batch stream and loss curve. The
// scene's settings apply on top as a session's do, so a run whose network
// no longer fits them starts afresh, as the scene would without it.
func (d *Decks) resume(c *deckContext, i int) {
	states := d.runs.take(i)
	if len(states) != len(c.panes.all) {
		return
	}
	for j, p := range c.panes.all {
		tr, ok := p.backend.(Trainer)
		if !ok {
			return
		}
		st := *states[j] // Restore sets the copy's data
		if err := tr.Restore(p.applied, &st, st.Source, st.Target); err != nil {
			c.ui.say(fmt.Sprintf("scene %d starts afresh: %v", i+1, err), true)
			return
		}
	}
}

// sessionLayers turns layer names into a session's layers; none gives the
// default layers.
func sessionLayers(names []string) session.Layers {
	l := DefaultLayers()
	if len(names) > 0 {
		l = layersOf(names)
	}
	return session.Layers{Field: l.Field, Particles: l.Particles, Trails: l.Trails, Trajectories: l.Trajectories,
		Clouds: l.Clouds, Grid: l.Grid, Legend: l.Legend}
}

// fitScene points the camera at the scene's view in the figure beside the
// caption, or at the data once it is sampled.
func (d *Decks) fitScene(c *deckContext, s *deck.Scene) {
	canvasR, _, _ := c.ui.layout(c.lessons.active())
	column, canvasR := d.reserve(canvasR, c.ui.scale)
	c.panes.besideColumn(column, canvasR)
	rects := c.panes.rects(canvasR, c.ui)
	for i, p := range c.panes.all {
		p.resize(rects[i])
	}
	for _, p := range c.panes.all {
		p.fitData = s.View == nil
		p.fitFrom = cloud{}
		if p.sc != nil {
			p.fitFrom = cloudID(p.sc.Target)
		}
	}
	if v := s.View; v != nil {
		cam := &c.panes.a().canvas.Cam
		cam.Fit(v[0], v[1], v[2], v[3], 0.06)
		for _, p := range c.panes.all[1:] {
			p.canvas.Cam.CenterX, p.canvas.Cam.CenterY, p.canvas.Cam.Zoom = cam.CenterX, cam.CenterY, cam.Zoom
		}
		c.panes.a().viewMoved = time.Now()
	}
}

// captionFaces are the caption column's faces: the lessons' faces.
func (d *Decks) captionFaces(s float64) lessonFaces { return lessonFacesAt(s) }

// reserve takes a custom scene's caption column from the canvas: on the
// left, or on top when the canvas is narrow. It returns the column (empty
// when no caption is up) and the canvas left for the figure, where the
// panes, the camera and the overlays then live.
func (d *Decks) reserve(canvasR rect, sc float64) (column, rest rect) {
	if !d.showingCustom() {
		return rect{}, canvasR
	}
	s := d.deck.Scenes[d.cur]
	f := d.captionFaces(sc)
	pad := 14 * sc
	colW := math.Min(0.4*canvasR.W, math.Max(0.26*canvasR.W, 260*sc))
	if canvasR.W-colW < 1.1*canvasR.H*0.6 || canvasR.W-colW < 300*sc {
		// Narrow: the caption on top, the figure below.
		w := canvasR.W - 2*pad - 4*sc
		h := pad*2 + f.title.Size*captionLead + linesOf(wrap(s.Caption, f.caption, w))*f.caption.Size*captionLead +
			linesOf(wrap(s.Formula, f.formula, w))*f.formula.Size*captionLead
		h = math.Min(h, canvasR.H*0.4)
		return rect{canvasR.X, canvasR.Y, canvasR.W, h}, rect{canvasR.X, canvasR.Y + h, canvasR.W, canvasR.H - h}
	}
	return rect{canvasR.X, canvasR.Y, colW, canvasR.H}, rect{canvasR.X + colW, canvasR.Y, canvasR.W - colW, canvasR.H}
}

// drawCaption draws a custom scene's caption column: where we are, the
// title, the caption and the formula, as the lessons show theirs.
func (d *Decks) drawCaption(dst *ebiten.Image, b *Batch, column rect, scale float64) {
	d.column = column
	if column.W <= 0 {
		return
	}
	s := d.deck.Scenes[d.cur]
	f := d.captionFaces(scale)
	pad := 14 * scale
	col := d.column
	// What does not fit the column is cut at its edge, not drawn over
	// the figure (a long caption at a large scale on a small window).
	dst = dst.SubImage(image.Rect(int(col.X), int(col.Y), int(col.X+col.W), int(col.Y+col.H))).(*ebiten.Image)
	b.Begin(dst)
	b.Rect(float32(col.X), float32(col.Y), float32(col.W), float32(col.H), palette.PanelBG.WithAlpha(1))
	b.Rect(float32(col.X), float32(col.Y), float32(4*scale), float32(col.H), palette.Accent)
	b.Flush()
	x, y, w := col.X+pad+4*scale, col.Y+pad, col.W-2*pad-4*scale
	title := s.Title
	if title == "" {
		title = "scene"
	}
	head := wrap(fmt.Sprintf("%d / %d   %s", d.cur+1, len(d.deck.Scenes), title), f.title, w)
	drawText(dst, head, f.title, x, y, TopLeft, palette.Accent)
	y += linesOf(head) * f.title.Size * captionLead
	if s.Caption != "" {
		c := wrap(s.Caption, f.caption, w)
		drawText(dst, c, f.caption, x, y, TopLeft, palette.Label)
		y += linesOf(c)*f.caption.Size*captionLead + 6*scale
	}
	if s.Formula != "" {
		drawText(dst, wrap(s.Formula, f.formula, w), f.formula, x, y, TopLeft, palette.Label)
	}
	if col.H > 300*scale {
		drawText(dst, "PgDn next · PgUp back · Esc leave", f.body, x, col.Y+col.H-pad, BottomLeft, palette.Dim)
	}
}

// update opens -deck's first scene once the app is up, takes scenes
// captured for the deck, reports saves, and follows the lesson view when
// the panel opens or closes lessons of the built-in deck.
func (d *Decks) update(c *deckContext) {
	if !d.started && d.flag != "" && c.panes.cur.sc != nil {
		d.started = true
		if err := d.open(c, d.flag); err != nil {
			c.ui.say("deck not opened: "+err.Error(), true)
		} else {
			d.show(c, 0)
		}
	}
	for {
		select {
		case r := <-d.added:
			if r.err != nil {
				c.ui.say("scene not added: "+r.err.Error(), true)
				continue
			}
			d.appendScene(c, r.s)
			continue
		case msg := <-d.saved:
			c.ui.say(msg, strings.HasPrefix(msg, "deck not saved"))
			continue
		default:
		}
		break
	}
	if d.builtin {
		d.cur, d.custom = -1, false
		if c.lessons.active() {
			d.cur = c.lessons.cur
		}
	} else if d.presenting() && !d.custom && !c.lessons.active() {
		d.cur = -1 // the panel closed the lesson
	}
}

// appendScene adds s to the open deck (a new one at the panel's path if
// the built-in deck is shown) and saves it.
func (d *Decks) appendScene(c *deckContext, s deck.Scene) {
	if d.builtin {
		if d.path == "" {
			c.ui.say("no deck path: type one in the panel's Deck section", true)
			return
		}
		if err := d.open(c, d.path); err != nil {
			c.ui.say(fmt.Sprintf("%s could not be read (%v): scenes go to a new deck, the file is kept aside", d.path, err), true)
		}
	}
	if len(d.deck.Scenes) >= deck.MaxScenes {
		c.ui.say(fmt.Sprintf("a deck holds at most %d scenes", deck.MaxScenes), true)
		return
	}
	d.deck.Scenes = append(d.deck.Scenes, s)
	d.sel, d.labels = len(d.deck.Scenes)-1, nil
	d.caption, d.title, d.formula = "", "", ""
	d.save(fmt.Sprintf("scene %d added", len(d.deck.Scenes)))
}

// save writes the deck on a goroutine; what says what changed.
func (d *Decks) save(what string) {
	if d.file == nil {
		return
	}
	cp := &deck.Deck{Title: d.deck.Title, Scenes: slices.Clone(d.deck.Scenes)}
	f := d.file
	d.busy.Add(1)
	go func() {
		defer d.busy.Add(-1)
		moved, err := f.Save(cp)
		msg := fmt.Sprintf("%s; deck saved to %s (%d scenes)", what, f.Path, len(cp.Scenes))
		if err != nil {
			msg = "deck not saved: " + err.Error()
		} else if moved != "" {
			msg += "; the file that was there is kept as " + filepath.Base(moved)
		}
		select {
		case d.saved <- msg:
		default:
		}
	}()
}

// capture takes the app's state as a deck scene on a goroutine (the
// data and weights come from the trainer, which may make it wait).
func (d *Decks) capture(c *deckContext) {
	if d.busy.Load() > 2 {
		c.ui.say("still adding the last scene…", true)
		return
	}
	view := c.keep.sessionView()
	bs := c.panes.backends()
	cam := c.panes.a().canvas.Cam
	x0, y0, x1, y1 := cam.Visible()
	s := deck.Scene{Title: strings.TrimSpace(d.title), Caption: strings.TrimSpace(d.caption), Formula: strings.TrimSpace(d.formula),
		View: &[4]float64{x0, y0, x1, y1}, T: c.tl.T, Compare: ""}
	if !c.tl.Playing {
		f := false
		s.Playing = &f
	}
	l := c.panes.a().canvas.Layers
	for name, on := range map[string]bool{"field": l.Field, "particles": l.Particles, "trails": l.Trails, "trajectories": l.Trajectories,
		"clouds": l.Clouds, "grid": l.Grid, "legend": l.Legend} {
		if on {
			s.Layers = append(s.Layers, name)
		}
	}
	slices.SortFunc(s.Layers, func(a, b string) int { return slices.Index(deck.Layers, a) - slices.Index(deck.Layers, b) })
	if c.panes.comparing() {
		s.Compare = c.panes.cmp.spec()
	}
	freeze := d.freeze
	d.busy.Add(1)
	go func() {
		defer d.busy.Add(-1)
		r := addedScene{s: s}
		r.err = completeSession(bs[0], view)
		if r.err == nil {
			r.err = completeCompared(bs, view)
		}
		if r.err == nil {
			r.s.Settings = deck.SettingsOf(view.Settings)
			r.s.Source, r.err = dataFor(view.Source)
		}
		if r.err == nil {
			r.s.Target, r.err = dataFor(view.Target)
		}
		if r.err == nil && freeze {
			var mb = (*session.Compared)(nil)
			if view.Compare != nil {
				mb = view.Compare
			}
			if mb != nil {
				r.err = r.s.Freeze(view.Model, mb.Model)
			} else {
				r.err = r.s.Freeze(view.Model, nil)
			}
		}
		if r.err == nil {
			r.err = (&deck.Deck{Scenes: []deck.Scene{r.s}}).Validate()
		}
		select {
		case d.added <- r:
		default:
		}
	}()
}

// dataFor turns a session's data into a deck's.
func dataFor(sd session.Data) (deck.Data, error) {
	if sd.Spec != "" {
		dist, err := data.Load(sd.Spec)
		if err != nil {
			return deck.Data{}, err
		}
		return deck.DataOf(dist), nil
	}
	if len(sd.Points) == 0 {
		return deck.Data{}, errors.New("the drawing is empty: draw something first")
	}
	return deck.Data{Points: sd.Points, Jitter: sd.Jitter, Name: sd.Name}, nil
}

// move moves the selected scene by dir (−1 up, +1 down).
func (d *Decks) move(dir int) {
	i, j := d.sel, d.sel+dir
	if d.builtin || i < 0 || j < 0 || j >= len(d.deck.Scenes) {
		return
	}
	d.deck.Scenes[i], d.deck.Scenes[j] = d.deck.Scenes[j], d.deck.Scenes[i]
	d.sel, d.labels = j, nil
	d.runs.forget()
	d.save(fmt.Sprintf("scene moved to %d", j+1))
}

// deleteScene removes the selected scene.
func (d *Decks) deleteScene(c *deckContext) {
	if d.builtin || d.sel < 0 || d.sel >= len(d.deck.Scenes) {
		return
	}
	if d.presenting() {
		d.leave(c)
	}
	d.deck.Scenes = slices.Delete(d.deck.Scenes, d.sel, d.sel+1)
	d.runs.forget()
	d.sel, d.labels = min(d.sel, max(0, len(d.deck.Scenes)-1)), nil
	d.last = min(d.last, max(0, len(d.deck.Scenes)-1))
	d.save("scene deleted")
}

// panel is the panel's Deck section: open a deck, add the app's state
// as a scene with a caption, reorder and delete scenes.
func (d *Decks) panel(ctx *debugui.Context, c *deckContext) {
	ctx.Header("Deck", true, func() {
		ctx.SetGridLayout(nil, nil)
		what := "built-in deck: the lessons"
		if !d.builtin {
			what = fmt.Sprintf("%s · %d scenes", filepath.Base(d.path), len(d.deck.Scenes))
		}
		ctx.Text(what)
		ctx.TextField(&d.path)
		ctx.SetGridLayout([]int{-1, -1}, nil)
		ctx.Button("Open deck").On(func() {
			if err := d.open(c, d.path); err != nil {
				c.ui.say("deck not opened: "+err.Error(), true)
				return
			}
			c.ui.say(fmt.Sprintf("deck %s: %d scenes · PgDn presents", d.path, len(d.deck.Scenes)), false)
		})
		ctx.Button("Lessons").On(func() {
			if d.presenting() {
				d.leave(c)
			}
			d.deck, _ = deck.Builtin()
			if d.deck == nil {
				d.deck = &deck.Deck{}
			}
			d.builtin, d.file, d.cur, d.last, d.sel, d.labels = true, nil, -1, 0, 0, nil
			d.runs.forget()
		})
		ctx.SetGridLayout([]int{-1, -2}, nil)
		ctx.Text("title")
		ctx.TextField(&d.title)
		ctx.Text("caption")
		d.cell(ctx, c.ui, "deck_caption", func() { ctx.TextField(&d.caption) })
		ctx.Text("formula")
		ctx.TextField(&d.formula)
		ctx.SetGridLayout([]int{-1, -1}, nil)
		ctx.Checkbox(&d.freeze, "freeze weights")
		d.cell(ctx, c.ui, "add_scene", func() { ctx.Button("Add this as a scene").On(func() { d.capture(c) }) })
		if d.builtin || len(d.deck.Scenes) == 0 {
			ctx.SetGridLayout(nil, nil)
			return
		}
		if d.labels == nil {
			for i := range d.deck.Scenes {
				d.labels = append(d.labels, d.deck.Label(i))
			}
		}
		ctx.SetGridLayout(nil, nil)
		d.sel = min(d.sel, len(d.labels)-1)
		ctx.Dropdown(&d.sel, d.labels)
		ctx.SetGridLayout([]int{-1, -1, -1, -1}, nil)
		ctx.Button("Show").On(func() { d.show(c, d.sel) })
		ctx.Button("Up").On(func() { d.move(-1) })
		ctx.Button("Down").On(func() { d.move(+1) })
		ctx.Button("Delete").On(func() { d.deleteScene(c) })
		ctx.SetGridLayout(nil, nil)
	})
}

// cell lays out one widget in a grid cell of its own and keeps where
// the cell is on screen under name.
func (d *Decks) cell(ctx *debugui.Context, ui *Chrome, name string, widget func()) {
	ctx.GridCell(func(b image.Rectangle) {
		sc := float64(max(1, ui.panel.Scale))
		if d.controls == nil {
			d.controls = map[string]rect{}
		}
		d.controls[name] = rect{float64(b.Min.X) * sc, float64(b.Min.Y) * sc, float64(b.Dx()) * sc, float64(b.Dy()) * sc}
		ctx.SetGridLayout([]int{-1}, nil)
		widget()
	})
}

// state is the deck's part of the state file.
func (d *Decks) state() appstate.Deck {
	st := appstate.Deck{Builtin: d.builtin, Path: d.path, Scenes: len(d.deck.Scenes), Current: d.cur + 1}
	if d.presenting() {
		s := d.deck.Scenes[d.cur]
		st.Lesson, st.Title, st.Caption = s.Lesson, s.Title, s.Caption
	}
	if c := d.column; c.W > 0 {
		st.Column = &[4]float64{c.X, c.Y, c.W, c.H}
	}
	return st
}
