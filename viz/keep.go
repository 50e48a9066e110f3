package viz

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/png"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/ebitengine/debugui"
	"github.com/hajimehoshi/ebiten/v2"

	"github.com/flowviz/flowviz/flow"
	"github.com/flowviz/flowviz/flow/data"
	"github.com/flowviz/flowviz/flow/train"
	"github.com/flowviz/flowviz/viz/camera"
	"github.com/flowviz/flowviz/viz/drawing"
	"github.com/flowviz/flowviz/viz/imageview"
	"github.com/flowviz/flowviz/viz/keepdir"
	"github.com/flowviz/flowviz/viz/keymap"
	"github.com/flowviz/flowviz/viz/record"
	"github.com/flowviz/flowviz/viz/scene"
	"github.com/flowviz/flowviz/viz/session"
	"github.com/flowviz/flowviz/viz/storage"
	"github.com/flowviz/flowviz/viz/timeline"
)

// exitWait bounds how long the exit autosave waits for saves in flight.
const exitWait = 10 * time.Second

// AutosaveName is the file in the keep folder that the next start restores.
const AutosaveName = "autosave.flowviz"

// Trainer is what a backend offers to be saved and restored exactly:
// weights, optimizer state and data (viz/live implements it).
type Trainer interface {
	TrainingState() (*train.SavedState, error)
	Restore(s scene.Settings, st *train.SavedState, source, target data.Dist) error
}

// DefaultKeepDir is where sessions and exports go: os.UserConfigDir()/flowviz
// (beside the kept drawing), else ./flowviz.
func DefaultKeepDir() string { return session.DefaultKeepDir() }

// Keeper saves and opens sessions and writes exports. Everything that
// touches the disk or waits for the trainer runs on its own goroutine and
// reports back through done, which Update drains, so the render loop never
// stalls on a save.
type Keeper struct {
	Dir       string // "" when nothing may be kept
	Path      string // the panel's session path, for Ctrl+S and Ctrl+O
	GIFSize   int    // pixels a side
	GIFFrames int
	Lesson    string // carried through sessions

	store storage.Store
	auto  *keepdir.Autosave // nil when nothing may be kept
	// unread holds session files the app failed to open or apply: a save
	// to one moves it aside first, as the autosave does.
	unread map[string]bool
	done   chan keepResult
	busy   *atomic.Int32 // goroutines writing
	// saidImagesLeftOut: the status line has said that the autosave
	// leaves the image model out (once a run).
	saidImagesLeftOut atomic.Bool
	autoAt            time.Time // next autosave
	shotNext          bool      // take a screenshot in the next Draw
	gif               *gifJob   // the GIF the game loop records, in the stepwise mode

	sessionFile string // -session: opened at start instead of the autosave
	fresh       bool   // -fresh: the autosave is not restored

	// What a session holds: the panes (settings, weights, view), the
	// clock and the drawings; the status line says how saves went.
	panes *Panes
	ui    *Chrome
	tl    *timeline.Timeline
	draw  *Drawer
	// lessonKeepsWork reports whether a lesson is shown whose scene is
	// the user's own work (see mayAutosave).
	lessonKeepsWork func() (inLesson, keeps bool)
	// link gives the link of the scene on screen, for Copy link.
	link func() string
	// images gives the image view shown (nil: none), whose model a
	// session keeps too; imageRestore is a session's image model waiting
	// for the view to open (keep_images.go).
	images       func() *imagePane
	imageRestore *session.Images
}

// keepResult is a goroutine's report: a status message, or a session read
// from disk to apply.
type keepResult struct {
	msg     string
	isErr   bool
	opened  *session.Session
	openedF string
	unread  string // a session file that could not be opened or kept
}

func newKeeper(cfg Config, panes *Panes, ui *Chrome, tl *timeline.Timeline, draw *Drawer, lessonKeepsWork func() (bool, bool)) *Keeper {
	dir := cfg.KeepDir
	k := &Keeper{
		sessionFile: cfg.SessionFile, fresh: cfg.Fresh,
		panes: panes, ui: ui, tl: tl, draw: draw, lessonKeepsWork: lessonKeepsWork,
		Dir: dir, GIFSize: record.DefaultSize, GIFFrames: record.DefaultFrames,
		store:  cfg.Store,
		done:   make(chan keepResult, 16),
		busy:   new(atomic.Int32),
		autoAt: time.Now().Add(autosaveEvery),
		unread: map[string]bool{},
	}
	if k.store == nil {
		k.store = storage.Files{}
	}
	if panes.stepwise {
		panes.work.extra = append(panes.work.extra, k.advanceGIF)
	}
	if dir != "" {
		k.auto = &keepdir.Autosave{Store: k.store, Path: filepath.Join(dir, AutosaveName)}
		k.clean()
	}
	if cfg.SessionFile != "" {
		k.Path = cfg.SessionFile
	} else if dir != "" {
		k.Path = filepath.Join(dir, "session.flowviz")
	}
	return k
}

// report hands a result to Update without ever blocking a goroutine.
func (k *Keeper) report(r keepResult) {
	select {
	case k.done <- r:
	default:
	}
}

// clean removes what saves of the app's own files, interrupted by a kill
// or a crash, left in the keep folder.
func (k *Keeper) clean() {
	now := time.Now()
	keepdir.Clean(k.store, k.Dir, []string{AutosaveName, "session.flowviz", "drawing.csv"}, now)
	keepdir.Clean(k.store, filepath.Join(k.Dir, "exports"), nil, now)
}

// exportPath returns <dir>/exports/<stamp>-<what>.<ext>, creating the folder.
func (k *Keeper) exportPath(what, ext string) (string, error) {
	if k.Dir == "" {
		return "", errors.New("no folder to export to (-keep-dir is empty)")
	}
	dir := filepath.Join(k.Dir, "exports")
	if err := k.store.MkdirAll(dir); err != nil {
		return "", err
	}
	return filepath.Join(dir, time.Now().Format("20060102-150405")+"-"+what+"."+ext), nil
}

// do runs a keep key.
func (k *Keeper) do(a keymap.Action) {
	switch a {
	case keymap.SaveSession:
		k.saveSession(k.Path, false)
	case keymap.OpenSession:
		k.openAny(k.Path)
	case keymap.ExportData:
		k.exportData()
	case keymap.Screenshot:
		k.shotNext = true
	case keymap.RecordGIF:
		k.recordGIF()
	}
}

// panelSection is the panel's Keep section.
func (k *Keeper) panelSection(ctx *debugui.Context) {
	ctx.Header("Keep", false, func() {
		ctx.SetGridLayout(nil, nil)
		ctx.Text("session file")
		ctx.TextField(&k.Path)
		ctx.SetGridLayout([]int{-1, -1}, nil)
		ctx.Button("Save (Ctrl+S)").On(func() { k.saveSession(k.Path, false) })
		ctx.Button("Open (Ctrl+O)").On(func() { k.openAny(k.Path) })
		ctx.Button("PNG (F12)").On(func() { k.shotNext = true })
		ctx.Button("GIF (F9)").On(k.recordGIF)
		ctx.Text("GIF px")
		ctx.Slider(&k.GIFSize, 64, 1024, 16)
		ctx.Text("GIF frames")
		ctx.Slider(&k.GIFFrames, 2, 200, 1)
		ctx.SetGridLayout(nil, nil)
		ctx.Button("CSV + model (Ctrl+E)").On(k.exportData)
		if k.link != nil {
			ctx.Button("Copy link").On(func() { k.ui.say(shareLink(k.link()), false) })
		}
		if k.Dir != "" {
			ctx.Text("exports: " + filepath.Join(k.Dir, "exports"))
		}
	})
}

// update applies what the goroutines finished and autosaves.
func (k *Keeper) update() {
	for {
		select {
		case r := <-k.done:
			if r.unread != "" {
				k.unread[r.unread] = true
			}
			if r.opened != nil {
				if err := k.applySession(r.opened); err != nil {
					k.unread[r.openedF] = true
					k.ui.say(fmt.Sprintf("%s not opened: %v", r.openedF, err), true)
				} else {
					k.ui.say("opened "+r.openedF, false)
				}
				continue
			}
			if r.msg != "" {
				k.ui.say(r.msg, r.isErr)
			}
			continue
		default:
		}
		break
	}
	if k.Dir != "" && time.Now().After(k.autoAt) && k.mayAutosave() {
		k.autoAt = time.Now().Add(autosaveEvery)
		if k.busy.Load() == 0 {
			k.autosave()
		}
	}
}

// mayAutosave reports whether the autosave may record what is on screen.
// A lesson's scene is the lesson's, not the user's: the autosave made
// before it holds the app as Esc returns to it, and stays. The last
// lesson is the exception: what is drawn there is the user's own work.
func (k *Keeper) mayAutosave() bool {
	inLesson, keeps := k.lessonKeepsWork()
	return !inLesson || keeps
}

// sessionView collects what the render loop owns: settings, view, lesson.
// The training state is added off the loop.
func (k *Keeper) sessionView() *session.Session {
	cam := k.panes.a().canvas.Cam
	l := k.panes.a().canvas.Layers
	set := k.panes.a().applied
	if set.Coupling == train.CouplingReflow {
		// A reflow round's teacher lives only in memory: the session
		// keeps the reflowed weights and goes on with independent pairs.
		set.Coupling = train.CouplingIndependent
	}
	return &session.Session{
		Settings: set,
		Source:   session.Data{Spec: k.panes.a().applied.Source},
		Target:   session.Data{Spec: k.panes.a().applied.Target},
		View: session.View{
			CenterX: cam.CenterX, CenterY: cam.CenterY, Zoom: cam.Zoom,
			Layers: session.Layers{
				Field: l.Field, Particles: l.Particles, Trails: l.Trails, Trajectories: l.Trajectories,
				Clouds: l.Clouds, Grid: l.Grid, Legend: l.Legend,
			},
			T: k.tl.T, Playing: k.tl.Playing, Speed: k.tl.Speed, Mode: int(k.tl.Mode),
		},
		Lesson:  k.Lesson,
		Compare: k.comparedView(),
		Images:  k.imagesView(),
	}
}

// comparedView is pane B's part of the session, without its training
// state (completeCompared adds it); nil with one pane.
func (k *Keeper) comparedView() *session.Compared {
	if len(k.panes.all) < 2 {
		return nil
	}
	set := k.panes.all[1].applied
	if set.Coupling == train.CouplingReflow {
		set.Coupling = train.CouplingIndependent
	}
	return &session.Compared{Spec: k.panes.cmp.spec(), Focus: k.panes.focus, Link: k.panes.cmp.Link, Settings: set}
}

// completeCompared adds pane B's training state (bs[1]) to s.Compare.
func completeCompared(bs []scene.Backend, s *session.Session) error {
	if s.Compare == nil || len(bs) < 2 {
		s.Compare = nil
		return nil
	}
	tr, ok := bs[1].(Trainer)
	if !ok {
		return nil
	}
	st, err := tr.TrainingState()
	if err != nil {
		return fmt.Errorf("compared model: %w", err)
	}
	c := s.Compare
	c.Model, c.Optimizer, c.BatchRNG = st.Model, &st.Optimizer, st.BatchRNG
	// The weights say which network, as for pane A.
	n := st.Model.Config.Net
	c.Settings.Width, c.Settings.Depth, c.Settings.Act = n.Width, n.Depth, n.Act.String()
	c.Settings.Source, c.Settings.Target = s.Settings.Source, s.Settings.Target
	return nil
}

// completeSession adds the backend's training state to s. It may wait for
// the trainer: call it off the render loop.
func completeSession(b scene.Backend, s *session.Session) error {
	tr, ok := b.(Trainer)
	if !ok {
		return nil // the demo: settings and view only
	}
	st, err := tr.TrainingState()
	if err != nil {
		return err
	}
	s.Model, s.Optimizer, s.BatchRNG = st.Model, &st.Optimizer, st.BatchRNG
	// The weights say which network: settings just edited in the panel
	// may not have reached the trainer yet.
	n := st.Model.Config.Net
	s.Settings.Width, s.Settings.Depth, s.Settings.Act = n.Width, n.Depth, n.Act.String()
	s.Source, s.Target = session.FromDist(st.Source), session.FromDist(st.Target)
	s.Settings.Source, s.Settings.Target = st.Source.String(), st.Target.String()
	return nil
}

// autosave writes the autosave on a goroutine, reporting only failures and
// where an autosave it did not write was moved to.
func (k *Keeper) autosave() {
	s, img := k.sessionView(), k.imageBackend()
	k.busy.Add(1)
	go func() {
		defer k.busy.Add(-1)
		k.clean()
		moved, err := k.writeAutosave(k.panes.backends(), img, s)
		if moved != "" {
			k.report(keepResult{msg: keptAsMsg(moved)})
		}
		if errors.Is(err, errImagesLeftOut) {
			if !k.saidImagesLeftOut.Swap(true) {
				k.report(keepResult{msg: "the autosave keeps the 2D model: the image model does not fit the browser's storage (Ctrl+S downloads the whole session)"})
			}
			err = nil
		}
		if err != nil {
			k.report(keepResult{msg: "autosave failed: " + err.Error(), isErr: true})
		}
	}()
}

// keptAsMsg says where an autosave this run did not write went.
func keptAsMsg(moved string) string {
	return "the autosave that was there is kept as " + filepath.Base(moved)
}

// writeAutosave completes s and writes it as the autosave; it may wait for
// the trainer, so it runs off the render loop.
func (k *Keeper) writeAutosave(bs []scene.Backend, img *imageview.Backend, s *session.Session) (moved string, err error) {
	if err := completeSession(bs[0], s); err != nil {
		return "", err
	}
	if err := completeCompared(bs, s); err != nil {
		return "", err
	}
	if err := completeImages(img, s); err != nil {
		return "", err
	}
	if err := s.Validate(); err != nil {
		return "", fmt.Errorf("refusing to write: %w", err)
	}
	write := func(w io.Writer) error { return session.Write(w, s) }
	moved, err = k.auto.Write(write)
	if !errors.Is(err, storage.ErrFull) || s.Images == nil {
		return moved, err
	}
	// A browser keeps a few MB a site, and the image model's weights with
	// Adam's moments are several: the rest of the session (the 2D model,
	// the view, the drawing) fits.
	s.Images = nil
	again, err := k.auto.Write(write)
	if again != "" {
		moved = again
	}
	if err == nil {
		err = errImagesLeftOut
	}
	return moved, err
}

// errImagesLeftOut: the autosave was written without the image model.
var errImagesLeftOut = errors.New("the image model was left out of the autosave")

// saveSession writes the session to path on a goroutine; quiet saves
// report only failures.
func (k *Keeper) saveSession(path string, quiet bool) {
	if path == "" {
		k.ui.say("no session path: type one in the panel's Keep section", true)
		return
	}
	s, bs, img := k.sessionView(), k.panes.backends(), k.imageBackend()
	unread := k.unread[path]
	delete(k.unread, path)
	k.busy.Add(1)
	go func() {
		defer k.busy.Add(-1)
		moved := ""
		err := completeSession(bs[0], s)
		if err == nil {
			err = completeCompared(bs, s)
		}
		if err == nil {
			err = completeImages(img, s)
		}
		if err == nil {
			err = s.Validate()
		}
		if err == nil && unread {
			// The file there could not be opened: keep it rather than
			// write over it.
			if moved, err = storage.MoveAside(k.store, path, keepdir.Unreadable, time.Now()); errors.Is(err, fs.ErrNotExist) {
				err = nil
			}
		}
		if err == nil {
			err = session.SaveTo(k.store, path, s)
		}
		switch {
		case err != nil:
			r := keepResult{msg: "session not saved: " + err.Error(), isErr: true}
			if unread && moved == "" {
				r.unread = path
			}
			k.report(r)
		case moved != "":
			k.report(keepResult{msg: "session saved to " + path + "; the unreadable file that was there is kept as " + filepath.Base(moved)})
		case !quiet:
			k.report(keepResult{msg: "session saved to " + path})
		}
	}()
}

// saveOnExit writes the autosave synchronously: Run calls it after the
// window closed and before the backend stops.
func (k *Keeper) saveOnExit() {
	if k.Dir == "" || !k.mayAutosave() {
		return
	}
	// Let a save in flight finish first, but not forever: a GIF may take
	// long, and the autosave's own writes are serialised anyway.
	for deadline := time.Now().Add(exitWait); k.busy.Load() > 0 && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
	moved, err := k.writeAutosave(k.panes.backends(), k.imageBackend(), k.sessionView())
	if moved != "" {
		fmt.Fprintln(os.Stderr, "flowviz:", keptAsMsg(moved))
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "flowviz: autosave:", err)
	}
}

// openSession reads path on a goroutine; Update applies it.
func (k *Keeper) openSession(path string) {
	go func() {
		s, err := session.LoadFrom(k.store, path)
		if err != nil {
			r := keepResult{msg: "session not opened: " + err.Error(), isErr: true}
			if !errors.Is(err, fs.ErrNotExist) {
				r.unread = path
			}
			k.report(r)
			return
		}
		k.report(keepResult{opened: s, openedF: path})
	}()
}

// openAtStart restores -session FILE, or else the last autosave unless
// -fresh. A damaged file is reported on the status line and the app starts
// clean: a bad file never stops the app.
func (k *Keeper) openAtStart() {
	path, what := k.sessionFile, "session"
	var before fs.FileInfo // the autosave's version as read
	if path == "" {
		if k.fresh || k.auto == nil {
			return
		}
		path, what = k.auto.Path, "autosave"
		var err error
		if before, err = k.store.Stat(path); err != nil {
			return
		}
	}
	s, err := session.LoadFrom(k.store, path)
	if err == nil {
		err = k.applySession(s)
	}
	if err != nil {
		msg := fmt.Sprintf("%s not restored, starting clean: %v", what, err)
		if what == "session" {
			k.unread[path] = true // Ctrl+S saves there: keep it first
		}
		if what == "autosave" {
			// Never write over what could not be read: it may be the
			// user's work from a newer build, or worth repairing.
			if moved, merr := k.auto.SetAside(keepdir.Unreadable); merr != nil {
				msg += "; " + merr.Error() + " (nothing is autosaved until it can be)"
			} else {
				msg += "; the file is kept as " + filepath.Base(moved)
			}
		}
		k.ui.say(msg, true)
		return
	}
	if before != nil {
		k.auto.Restored(before)
	}
	k.ui.say(fmt.Sprintf("restored %s %s", what, path), false)
}

// applySession brings the app to s: data, settings, weights and optimizer
// in the backend, then view, layers, timeline and drawings here. Anything
// that fails is refused before anything changes.
func (k *Keeper) applySession(s *session.Session) error {
	src, err := s.Source.Dist()
	if err != nil {
		return fmt.Errorf("source: %w", err)
	}
	tgt, err := s.Target.Dist()
	if err != nil {
		return fmt.Errorf("target: %w", err)
	}
	set := s.Settings
	set.Source, set.Target = src.String(), tgt.String()
	// A session holds the app's own model: compare mode closes, and its
	// pane A takes the session.
	k.panes.closeCompare(k.ui)
	if tr, ok := k.panes.a().backend.(Trainer); ok {
		if err := tr.Restore(set, savedState(s.Model, s.Optimizer, s.BatchRNG), src, tgt); err != nil {
			return err
		}
	} else if err := k.panes.a().backend.Apply(set); err != nil {
		return err
	}
	set.View = k.panes.a().settings.View // the camera decides the arrow grid below
	k.panes.a().settings, k.panes.a().applied, k.panes.a().dirty = set, set, false
	k.ui.panel.Sync(k.panes.a().settings, k.panes.a().backend.Options())

	// Drawn data goes back into the drawings, already sent.
	for i, d := range []session.Data{s.Target, s.Source} {
		if d.Spec != "" {
			continue
		}
		doc := drawing.NewLabeled(append([]flow.Vec(nil), d.Points...), d.Labels)
		if i == 0 {
			k.draw.target = doc
		} else {
			k.draw.source = doc
		}
		k.draw.sent[i] = doc.Version()
	}

	v := s.View
	cam := &k.panes.a().canvas.Cam
	cam.CenterX, cam.CenterY = v.CenterX, v.CenterY
	cam.Zoom = min(camera.MaxZoom, max(camera.MinZoom, v.Zoom))
	k.panes.a().fitData = false
	k.panes.a().viewMoved = time.Now()
	l := v.Layers
	k.panes.a().canvas.Layers = Layers{
		Field: l.Field, Particles: l.Particles, Trails: l.Trails, Trajectories: l.Trajectories,
		Clouds: l.Clouds, Grid: l.Grid, Legend: l.Legend,
	}
	k.tl.SetSteps(set.Steps)
	k.tl.T, k.tl.Playing, k.tl.Speed, k.tl.Mode = v.T, v.Playing, v.Speed, timeline.Mode(v.Mode)
	k.Lesson = s.Lesson
	if s.Compare != nil {
		k.restoreCompared(s.Compare, src, tgt)
	}
	k.restoreImages(s.Images)
	return nil
}

// savedState is the trainer state a session holds: nil without weights (a
// fresh start), fresh Adam moments for weights saved without them.
func savedState(m *train.Model, opt *train.OptimizerState, rng []byte) *train.SavedState {
	if m == nil {
		return nil
	}
	st := &train.SavedState{Model: m, BatchRNG: rng}
	if opt != nil {
		st.Optimizer = *opt
	} else {
		n := len(m.Params)
		st.Optimizer = train.OptimizerState{M: make([]float32, n), V: make([]float32, n)}
	}
	return st
}

// restoreCompared reopens compare mode with pane B's settings, weights and
// optimizer from a session. Pane A is restored already; a B that cannot be
// made is reported and A stays alone.
func (k *Keeper) restoreCompared(c *session.Compared, src, tgt data.Dist) {
	k.panes.cmp.Spec, k.panes.cmp.Link = c.Spec, c.Link
	if !k.panes.openCompare(k.ui) {
		return
	}
	b := k.panes.all[1]
	set := c.Settings
	set.Source, set.Target = src.String(), tgt.String()
	if tr, ok := b.backend.(Trainer); ok {
		if err := tr.Restore(set, savedState(c.Model, c.Optimizer, c.BatchRNG), src, tgt); err != nil {
			k.ui.say("compared model not restored: "+err.Error(), true)
			return
		}
	}
	set.View = b.settings.View
	b.settings, b.applied, b.dirty = set, set, false
	b.canvas.Cam = k.panes.a().canvas.Cam
	b.canvas.Layers = k.panes.a().canvas.Layers
	if c.Focus == 1 {
		k.panes.setFocus(1, k.ui)
	}
}

// screenshot reads the canvas back after it is drawn, if asked, and
// encodes the PNG on a goroutine.
func (k *Keeper) screenshot(screen *ebiten.Image, canvasR rect) {
	if !k.shotNext {
		return
	}
	k.shotNext = false
	r := image.Rect(int(canvasR.X), int(canvasR.Y), int(canvasR.X+canvasR.W), int(canvasR.Y+canvasR.H)).Intersect(screen.Bounds())
	if r.Empty() {
		return
	}
	img := image.NewRGBA(image.Rect(0, 0, r.Dx(), r.Dy()))
	if inLesson, _ := k.lessonKeepsWork(); !k.panes.comparing() && !inLesson && k.panes.cur.sc != nil {
		// The figure alone, framed to hold all the data, at the canvas's
		// size: no readout or legend, nothing cut at the edges.
		k.panes.cur.figureShot(img, k.tl.T, k.ui.fonts)
	} else {
		screen.SubImage(r).(*ebiten.Image).ReadPixels(img.Pix)
	}
	path, err := k.exportPath("canvas", "png")
	if err != nil {
		k.ui.say("screenshot not saved: "+err.Error(), true)
		return
	}
	k.busy.Add(1)
	go func() {
		defer k.busy.Add(-1)
		err := k.store.WriteFile(path, func(w io.Writer) error { return png.Encode(w, img) })
		if err != nil {
			k.report(keepResult{msg: "screenshot not saved: " + err.Error(), isErr: true})
			return
		}
		k.report(keepResult{msg: "screenshot saved to " + path})
	}()
}

// recordGIF renders the current scene's flow from t = 0 to 1 as seen on the
// canvas, off the render loop: on a goroutine, or in the stepwise mode (a
// page, one thread) a frame at a time from the game loop (advanceGIF).
// Scenes are immutable, so it needs nothing else. In compare mode both
// panes' scenes play side by side on one clock, A on the left, each panel
// GIFSize pixels a side.
func (k *Keeper) recordGIF() {
	if k.gif != nil {
		k.ui.say("a GIF is being recorded already", true)
		return
	}
	var scs []*scene.Scene
	for _, p := range k.panes.all {
		if p.sc == nil {
			k.ui.say("nothing to record yet", true)
			return
		}
		scs = append(scs, p.sc)
	}
	path, err := k.exportPath("flow", "gif")
	if err != nil {
		k.ui.say("GIF not saved: "+err.Error(), true)
		return
	}
	size := min(record.MaxSize, max(16, k.GIFSize))
	// The palette is read here, on the render loop that changes the theme.
	// The GIF frames all the data (record.FitView of pane A's scene; the
	// panes share the data), not the canvas's square, which may cut the
	// outer clusters of a wide target.
	opt := record.Options{Size: size, Frames: k.GIFFrames, Palette: record.Palette(), View: record.FitView(scs[0], size),
		Trails: k.panes.cur.canvas.Layers.Trails}
	rec, err := record.NewRecording(scs, opt)
	if err != nil {
		k.ui.say("GIF not saved: "+err.Error(), true)
		return
	}
	what := "GIF"
	if len(scs) > 1 {
		what = "GIF of panes A | B"
	}
	job := &gifJob{rec: rec, path: path, msg: fmt.Sprintf("%s (%d frames, %d px) saved to %s", what, rec.Frames(), size, path)}
	k.ui.say("recording "+path+" …", false)
	if k.panes.stepwise {
		k.gif = job
		return
	}
	k.busy.Add(1)
	go func() {
		defer k.busy.Add(-1)
		for !job.step() {
		}
		k.report(job.save(k.store))
	}()
}

// gifJob is a GIF being recorded and where it goes.
type gifJob struct {
	rec  *record.Recording
	path string
	msg  string // the status line once saved
	err  error
}

// step records a frame and reports whether the recording has ended.
func (j *gifJob) step() bool {
	done, err := j.rec.Step()
	j.err = err
	return done || err != nil
}

// save writes the recorded GIF (a download in a page) and says how it went.
func (j *gifJob) save(store storage.Store) keepResult {
	err := j.err
	if err == nil {
		err = store.WriteFile(j.path, func(w io.Writer) error {
			_, err := w.Write(j.rec.Bytes())
			return err
		})
	}
	if err != nil {
		return keepResult{msg: "GIF not saved: " + err.Error(), isErr: true}
	}
	return keepResult{msg: j.msg}
}

// advanceGIF records the GIF in progress for about budget in the stepwise
// mode, a frame at a time, and saves it at the end; it reports whether
// frames are left.
func (k *Keeper) advanceGIF(budget time.Duration) bool {
	j := k.gif
	if j == nil {
		return false
	}
	for deadline := time.Now().Add(budget); ; {
		if j.step() {
			k.gif = nil
			r := j.save(k.store)
			k.ui.say(r.msg, r.isErr)
			return false
		}
		if !time.Now().Before(deadline) {
			return true
		}
	}
}

// exportData writes the samples at t = 1 and the trajectories as CSV and the
// model as a flowmatch model file, on a goroutine.
func (k *Keeper) exportData() {
	sc := k.panes.cur.sc
	if sc == nil || sc.Particles() == 0 {
		k.ui.say("nothing to export yet", true)
		return
	}
	samples, err := k.exportPath("samples", "csv")
	if err != nil {
		k.ui.say("export failed: "+err.Error(), true)
		return
	}
	stem := samples[:len(samples)-len("samples.csv")]
	k.busy.Add(1)
	go func() {
		defer k.busy.Add(-1)
		msg, err := exportAll(k.store, k.panes.cur.backend, sc, stem)
		if err != nil {
			k.report(keepResult{msg: "export failed: " + err.Error(), isErr: true})
			return
		}
		k.report(keepResult{msg: msg})
	}()
}

// exportAll writes <stem>samples.csv, <stem>trajectories.csv and, when the
// backend trains a network, <stem>model.json (plus the CSV of drawn data the
// model's config then names, so `flowmatch eval -model` can load it).
func exportAll(store storage.Store, b scene.Backend, sc *scene.Scene, stem string) (string, error) {
	if err := writeCSV(store, stem+"samples.csv", sc.Traj[len(sc.Traj)-1]); err != nil {
		return "", err
	}
	if err := store.WriteFile(stem+"trajectories.csv", func(w io.Writer) error { return writeTrajectories(w, sc) }); err != nil {
		return "", err
	}
	msg := "samples and trajectories saved to " + stem + "*.csv"
	tr, ok := b.(Trainer)
	if !ok {
		return msg, nil
	}
	ts, err := tr.TrainingState()
	if err != nil {
		return "", err
	}
	m := ts.Model
	m.Config.Source, err = specFor(store, ts.Source, stem+"source.csv")
	if err != nil {
		return "", err
	}
	m.Config.Target, err = specFor(store, ts.Target, stem+"target.csv")
	if err != nil {
		return "", err
	}
	if err := store.WriteFile(stem+"model.json", func(w io.Writer) error { return train.WriteModel(w, m) }); err != nil {
		return "", err
	}
	return "samples, trajectories and model saved to " + stem + "*", nil
}

// specFor returns a data.Load spec for d: its own for a built-in, else the
// path of a CSV of its points (written here), with the jitter.
func specFor(st storage.Store, d data.Dist, csvPath string) (string, error) {
	sd := session.FromDist(d)
	if sd.Spec != "" {
		return sd.Spec, nil
	}
	write := func(w io.Writer) error { return data.WriteCSV(w, sd.Points) }
	if sd.Labels != nil {
		// A conditional model's target keeps its classes.
		write = func(w io.Writer) error { return data.WriteLabeledCSV(w, sd.Points, sd.Labels) }
	}
	if err := st.WriteFile(csvPath, write); err != nil {
		return "", fmt.Errorf("data: %w", err)
	}
	abs, err := filepath.Abs(csvPath)
	if err != nil {
		abs = csvPath
	}
	if sd.Jitter > 0 {
		return abs + ":jitter=" + strconv.FormatFloat(sd.Jitter, 'g', -1, 64), nil
	}
	return abs, nil
}

// writeCSV writes pts as an x,y CSV file through st, atomically.
func writeCSV(st storage.Store, path string, pts []flow.Vec) error {
	if err := st.WriteFile(path, func(w io.Writer) error { return data.WriteCSV(w, pts) }); err != nil {
		return fmt.Errorf("data: %w", err)
	}
	return nil
}

// writeTrajectories writes one row per particle and solver state:
// particle,k,t,x,y.
func writeTrajectories(w io.Writer, sc *scene.Scene) error {
	var b bytes.Buffer
	b.WriteString("particle,k,t,x,y\n")
	for i := range sc.Particles() {
		for k, row := range sc.Traj {
			t := float64(k) / float64(max(1, len(sc.Traj)-1))
			if k < len(sc.Times) {
				t = sc.Times[k]
			}
			b.WriteString(strconv.Itoa(i))
			b.WriteByte(',')
			b.WriteString(strconv.Itoa(k))
			b.WriteByte(',')
			b.WriteString(strconv.FormatFloat(t, 'g', -1, 64))
			b.WriteByte(',')
			b.WriteString(strconv.FormatFloat(row[i][0], 'g', -1, 64))
			b.WriteByte(',')
			b.WriteString(strconv.FormatFloat(row[i][1], 'g', -1, 64))
			b.WriteByte('\n')
		}
		if b.Len() > 1<<16 {
			if _, err := w.Write(b.Bytes()); err != nil {
				return err
			}
			b.Reset()
		}
	}
	_, err := w.Write(b.Bytes())
	return err
}

// sessionAtStart reports whether openAtStart will restore a session (one
// named by -session, or the autosave unless -fresh).
func (k *Keeper) sessionAtStart() bool {
	if k.sessionFile != "" {
		return true
	}
	if k.fresh || k.Dir == "" {
		return false
	}
	_, err := k.store.Stat(filepath.Join(k.Dir, AutosaveName))
	return err == nil
}
