package viz

import (
	"bytes"
	"context"
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
	"github.com/flowviz/flowviz/viz/keepdir"
	"github.com/flowviz/flowviz/viz/keymap"
	"github.com/flowviz/flowviz/viz/record"
	"github.com/flowviz/flowviz/viz/scene"
	"github.com/flowviz/flowviz/viz/session"
	"github.com/flowviz/flowviz/viz/storage"
	"github.com/flowviz/flowviz/viz/timeline"
)

// autosaveEvery is how often the session is saved in the background; it is
// also saved when the app closes.
const autosaveEvery = 60 * time.Second

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
	unread   map[string]bool
	done     chan keepResult
	busy     *atomic.Int32 // goroutines writing
	autoAt   time.Time     // next autosave
	shotNext bool          // take a screenshot in the next Draw
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

func newKeeper(cfg Config) Keeper {
	dir := cfg.KeepDir
	k := Keeper{
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

// doKeep runs a keep key.
func (g *Game) doKeep(a keymap.Action) {
	switch a {
	case keymap.SaveSession:
		g.saveSession(g.keep.Path, false)
	case keymap.OpenSession:
		g.openSession(g.keep.Path)
	case keymap.ExportData:
		g.exportData()
	case keymap.Screenshot:
		g.keep.shotNext = true
	case keymap.RecordGIF:
		g.recordGIF()
	}
}

// keepPanel is the panel's Keep section.
func (g *Game) keepPanel(ctx *debugui.Context) {
	k := &g.keep
	ctx.Header("Keep", false, func() {
		ctx.SetGridLayout(nil, nil)
		ctx.Text("session file")
		ctx.TextField(&k.Path)
		ctx.SetGridLayout([]int{-1, -1}, nil)
		ctx.Button("Save (Ctrl+S)").On(func() { g.saveSession(k.Path, false) })
		ctx.Button("Open (Ctrl+O)").On(func() { g.openSession(k.Path) })
		ctx.Button("PNG (F12)").On(func() { k.shotNext = true })
		ctx.Button("GIF (F9)").On(g.recordGIF)
		ctx.Text("GIF px")
		ctx.Slider(&k.GIFSize, 64, 1024, 16)
		ctx.Text("GIF frames")
		ctx.Slider(&k.GIFFrames, 2, 200, 1)
		ctx.SetGridLayout(nil, nil)
		ctx.Button("CSV + model (Ctrl+E)").On(g.exportData)
		if k.Dir != "" {
			ctx.Text("exports: " + filepath.Join(k.Dir, "exports"))
		}
	})
}

// updateKeep applies what the goroutines finished and autosaves.
func (g *Game) updateKeep() {
	for {
		select {
		case r := <-g.keep.done:
			if r.unread != "" {
				g.keep.unread[r.unread] = true
			}
			if r.opened != nil {
				if err := g.applySession(r.opened); err != nil {
					g.keep.unread[r.openedF] = true
					g.setStatus(fmt.Sprintf("%s not opened: %v", r.openedF, err), true)
				} else {
					g.setStatus("opened "+r.openedF, false)
				}
				continue
			}
			if r.msg != "" {
				g.setStatus(r.msg, r.isErr)
			}
			continue
		default:
		}
		break
	}
	if g.keep.Dir != "" && time.Now().After(g.keep.autoAt) && g.autosaveLesson() {
		g.keep.autoAt = time.Now().Add(autosaveEvery)
		if g.keep.busy.Load() == 0 {
			g.autosave()
		}
	}
}

// autosaveLesson reports whether the autosave may record what is on screen.
// A lesson's scene is the lesson's, not the user's: the autosave made
// before it holds the app as Esc returns to it, and stays. The last
// lesson is the exception: what is drawn there is the user's own work.
func (g *Game) autosaveLesson() bool {
	ls := &g.lessons
	if !ls.active() {
		return true
	}
	k, ok := ls.kind.(lessonKeepsWork)
	return ok && k.keepsWork()
}

// sessionView collects what the render loop owns: settings, view, lesson.
// The training state is added off the loop.
func (g *Game) sessionView() *session.Session {
	cam := g.panes[0].canvas.Cam
	l := g.panes[0].canvas.Layers
	set := g.panes[0].applied
	if set.Coupling == train.CouplingReflow {
		// A reflow round's teacher lives only in memory: the session
		// keeps the reflowed weights and goes on with independent pairs.
		set.Coupling = train.CouplingIndependent
	}
	return &session.Session{
		Settings: set,
		Source:   session.Data{Spec: g.panes[0].applied.Source},
		Target:   session.Data{Spec: g.panes[0].applied.Target},
		View: session.View{
			CenterX: cam.CenterX, CenterY: cam.CenterY, Zoom: cam.Zoom,
			Layers: session.Layers{
				Field: l.Field, Particles: l.Particles, Trails: l.Trails, Trajectories: l.Trajectories,
				Clouds: l.Clouds, Grid: l.Grid, Legend: l.Legend,
			},
			T: g.tl.T, Playing: g.tl.Playing, Speed: g.tl.Speed, Mode: int(g.tl.Mode),
		},
		Lesson:  g.keep.Lesson,
		Compare: g.comparedView(),
	}
}

// comparedView is pane B's part of the session, without its training
// state (completeCompared adds it); nil with one pane.
func (g *Game) comparedView() *session.Compared {
	if len(g.panes) < 2 {
		return nil
	}
	set := g.panes[1].applied
	if set.Coupling == train.CouplingReflow {
		set.Coupling = train.CouplingIndependent
	}
	return &session.Compared{Spec: g.cmp.spec(), Focus: g.focus, Link: g.cmp.Link, Settings: set}
}

// backends are the panes' backends, A first.
func (g *Game) backends() []scene.Backend {
	bs := make([]scene.Backend, len(g.panes))
	for i, p := range g.panes {
		bs[i] = p.backend
	}
	return bs
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
func (g *Game) autosave() {
	s := g.sessionView()
	g.keep.busy.Add(1)
	go func() {
		defer g.keep.busy.Add(-1)
		g.keep.clean()
		moved, err := g.keep.writeAutosave(g.backends(), s)
		if moved != "" {
			g.keep.report(keepResult{msg: keptAsMsg(moved)})
		}
		if err != nil {
			g.keep.report(keepResult{msg: "autosave failed: " + err.Error(), isErr: true})
		}
	}()
}

// keptAsMsg says where an autosave this run did not write went.
func keptAsMsg(moved string) string {
	return "the autosave that was there is kept as " + filepath.Base(moved)
}

// writeAutosave completes s and writes it as the autosave; it may wait for
// the trainer, so it runs off the render loop.
func (k *Keeper) writeAutosave(bs []scene.Backend, s *session.Session) (moved string, err error) {
	if err := completeSession(bs[0], s); err != nil {
		return "", err
	}
	if err := completeCompared(bs, s); err != nil {
		return "", err
	}
	if err := s.Validate(); err != nil {
		return "", fmt.Errorf("refusing to write: %w", err)
	}
	return k.auto.Write(func(w io.Writer) error { return session.Write(w, s) })
}

// saveSession writes the session to path on a goroutine; quiet saves
// report only failures.
func (g *Game) saveSession(path string, quiet bool) {
	if path == "" {
		g.setStatus("no session path: type one in the panel's Keep section", true)
		return
	}
	s, bs := g.sessionView(), g.backends()
	unread := g.keep.unread[path]
	delete(g.keep.unread, path)
	g.keep.busy.Add(1)
	go func() {
		defer g.keep.busy.Add(-1)
		moved := ""
		err := completeSession(bs[0], s)
		if err == nil {
			err = completeCompared(bs, s)
		}
		if err == nil {
			err = s.Validate()
		}
		if err == nil && unread {
			// The file there could not be opened: keep it rather than
			// write over it.
			if moved, err = storage.MoveAside(g.keep.store, path, keepdir.Unreadable, time.Now()); errors.Is(err, fs.ErrNotExist) {
				err = nil
			}
		}
		if err == nil {
			err = session.SaveTo(g.keep.store, path, s)
		}
		switch {
		case err != nil:
			r := keepResult{msg: "session not saved: " + err.Error(), isErr: true}
			if unread && moved == "" {
				r.unread = path
			}
			g.keep.report(r)
		case moved != "":
			g.keep.report(keepResult{msg: "session saved to " + path + "; the unreadable file that was there is kept as " + filepath.Base(moved)})
		case !quiet:
			g.keep.report(keepResult{msg: "session saved to " + path})
		}
	}()
}

// saveOnExit writes the autosave synchronously: Run calls it after the
// window closed and before the backend stops.
func (g *Game) saveOnExit() {
	if g.keep.Dir == "" || !g.autosaveLesson() {
		return
	}
	// Let a save in flight finish first, but not forever: a GIF may take
	// long, and the autosave's own writes are serialised anyway.
	for deadline := time.Now().Add(exitWait); g.keep.busy.Load() > 0 && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
	moved, err := g.keep.writeAutosave(g.backends(), g.sessionView())
	if moved != "" {
		fmt.Fprintln(os.Stderr, "flowviz:", keptAsMsg(moved))
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "flowviz: autosave:", err)
	}
}

// openSession reads path on a goroutine; Update applies it.
func (g *Game) openSession(path string) {
	go func() {
		s, err := session.LoadFrom(g.keep.store, path)
		if err != nil {
			r := keepResult{msg: "session not opened: " + err.Error(), isErr: true}
			if !errors.Is(err, fs.ErrNotExist) {
				r.unread = path
			}
			g.keep.report(r)
			return
		}
		g.keep.report(keepResult{opened: s, openedF: path})
	}()
}

// openAtStart restores -session FILE, or else the last autosave unless
// -fresh. A damaged file is reported on the status line and the app starts
// clean: a bad file never stops the app.
func (g *Game) openAtStart() {
	path, what := g.cfg.SessionFile, "session"
	var before fs.FileInfo // the autosave's version as read
	if path == "" {
		if g.cfg.Fresh || g.keep.auto == nil {
			return
		}
		path, what = g.keep.auto.Path, "autosave"
		var err error
		if before, err = g.keep.store.Stat(path); err != nil {
			return
		}
	}
	s, err := session.LoadFrom(g.keep.store, path)
	if err == nil {
		err = g.applySession(s)
	}
	if err != nil {
		msg := fmt.Sprintf("%s not restored, starting clean: %v", what, err)
		if what == "session" {
			g.keep.unread[path] = true // Ctrl+S saves there: keep it first
		}
		if what == "autosave" {
			// Never write over what could not be read: it may be the
			// user's work from a newer build, or worth repairing.
			if moved, merr := g.keep.auto.SetAside(keepdir.Unreadable); merr != nil {
				msg += "; " + merr.Error() + " (nothing is autosaved until it can be)"
			} else {
				msg += "; the file is kept as " + filepath.Base(moved)
			}
		}
		g.setStatus(msg, true)
		return
	}
	if before != nil {
		g.keep.auto.Restored(before)
	}
	g.setStatus(fmt.Sprintf("restored %s %s", what, path), false)
}

// applySession brings the app to s: data, settings, weights and optimizer
// in the backend, then view, layers, timeline and drawings here. Anything
// that fails is refused before anything changes.
func (g *Game) applySession(s *session.Session) error {
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
	if len(g.panes) > 1 {
		// A session holds the app's own model: compare mode closes, and
		// its pane A takes the session.
		g.toggleCompare()
	}
	if tr, ok := g.panes[0].backend.(Trainer); ok {
		if err := tr.Restore(set, savedState(s.Model, s.Optimizer, s.BatchRNG), src, tgt); err != nil {
			return err
		}
	} else if err := g.panes[0].backend.Apply(set); err != nil {
		return err
	}
	set.View = g.panes[0].settings.View // the camera decides the arrow grid below
	g.panes[0].settings, g.panes[0].applied, g.panes[0].dirty = set, set, false
	g.panel.Sync(g.panes[0].settings, g.panes[0].backend.Options())

	// Drawn data goes back into the drawings, already sent.
	for i, d := range []session.Data{s.Target, s.Source} {
		if d.Spec != "" {
			continue
		}
		doc := drawing.NewLabeled(append([]flow.Vec(nil), d.Points...), d.Labels)
		if i == 0 {
			g.draw.target = doc
		} else {
			g.draw.source = doc
		}
		g.draw.sent[i] = doc.Version()
	}

	v := s.View
	cam := &g.panes[0].canvas.Cam
	cam.CenterX, cam.CenterY = v.CenterX, v.CenterY
	cam.Zoom = min(camera.MaxZoom, max(camera.MinZoom, v.Zoom))
	g.panes[0].fitData = false
	g.panes[0].viewMoved = time.Now()
	l := v.Layers
	g.panes[0].canvas.Layers = Layers{
		Field: l.Field, Particles: l.Particles, Trails: l.Trails, Trajectories: l.Trajectories,
		Clouds: l.Clouds, Grid: l.Grid, Legend: l.Legend,
	}
	g.tl.SetSteps(set.Steps)
	g.tl.T, g.tl.Playing, g.tl.Speed, g.tl.Mode = v.T, v.Playing, v.Speed, timeline.Mode(v.Mode)
	g.keep.Lesson = s.Lesson
	if s.Compare != nil {
		g.restoreCompared(s.Compare, src, tgt)
	}
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
func (g *Game) restoreCompared(c *session.Compared, src, tgt data.Dist) {
	g.cmp.Spec, g.cmp.Link = c.Spec, c.Link
	g.toggleCompare()
	if len(g.panes) < 2 {
		return
	}
	b := g.panes[1]
	set := c.Settings
	set.Source, set.Target = src.String(), tgt.String()
	if tr, ok := b.backend.(Trainer); ok {
		if err := tr.Restore(set, savedState(c.Model, c.Optimizer, c.BatchRNG), src, tgt); err != nil {
			g.setStatus("compared model not restored: "+err.Error(), true)
			return
		}
	}
	set.View = b.settings.View
	b.settings, b.applied, b.dirty = set, set, false
	b.canvas.Cam = g.panes[0].canvas.Cam
	b.canvas.Layers = g.panes[0].canvas.Layers
	if c.Focus == 1 {
		g.setFocus(1)
	}
}

// takeScreenshot reads the canvas back after it is drawn, if asked, and
// encodes the PNG on a goroutine.
func (g *Game) takeScreenshot(screen *ebiten.Image, canvasR rect) {
	if !g.keep.shotNext {
		return
	}
	g.keep.shotNext = false
	r := image.Rect(int(canvasR.X), int(canvasR.Y), int(canvasR.X+canvasR.W), int(canvasR.Y+canvasR.H)).Intersect(screen.Bounds())
	if r.Empty() {
		return
	}
	img := image.NewRGBA(image.Rect(0, 0, r.Dx(), r.Dy()))
	screen.SubImage(r).(*ebiten.Image).ReadPixels(img.Pix)
	path, err := g.keep.exportPath("canvas", "png")
	if err != nil {
		g.setStatus("screenshot not saved: "+err.Error(), true)
		return
	}
	g.keep.busy.Add(1)
	go func() {
		defer g.keep.busy.Add(-1)
		err := g.keep.store.WriteFile(path, func(w io.Writer) error { return png.Encode(w, img) })
		if err != nil {
			g.keep.report(keepResult{msg: "screenshot not saved: " + err.Error(), isErr: true})
			return
		}
		g.keep.report(keepResult{msg: "screenshot saved to " + path})
	}()
}

// recordGIF renders the current scene's flow from t = 0 to 1 as seen on the
// canvas, on a goroutine: scenes are immutable, so it needs nothing else.
func (g *Game) recordGIF() {
	sc := g.pane.sc
	if sc == nil {
		g.setStatus("nothing to record yet", true)
		return
	}
	path, err := g.keep.exportPath("flow", "gif")
	if err != nil {
		g.setStatus("GIF not saved: "+err.Error(), true)
		return
	}
	cam := g.pane.canvas.Cam
	size := min(record.MaxSize, max(16, g.keep.GIFSize))
	// The palette is read here, on the render loop that changes the theme.
	opt := record.Options{Size: size, Frames: g.keep.GIFFrames, Palette: record.Palette(), View: record.View{
		CenterX: cam.CenterX, CenterY: cam.CenterY,
		// The GIF shows the square the canvas's shorter side shows.
		Zoom: cam.Zoom * float64(size) / max(1, min(cam.W, cam.H)),
	}, Trails: g.pane.canvas.Layers.Trails}
	g.setStatus("recording "+path+" …", false)
	g.keep.busy.Add(1)
	go func() {
		defer g.keep.busy.Add(-1)
		if err := record.SaveGIF(context.Background(), path, sc, opt); err != nil {
			g.keep.report(keepResult{msg: "GIF not saved: " + err.Error(), isErr: true})
			return
		}
		g.keep.report(keepResult{msg: fmt.Sprintf("GIF (%d frames, %d px) saved to %s", opt.Frames, size, path)})
	}()
}

// exportData writes the samples at t = 1 and the trajectories as CSV and the
// model as a flowmatch model file, on a goroutine.
func (g *Game) exportData() {
	sc := g.pane.sc
	if sc == nil || sc.Particles() == 0 {
		g.setStatus("nothing to export yet", true)
		return
	}
	samples, err := g.keep.exportPath("samples", "csv")
	if err != nil {
		g.setStatus("export failed: "+err.Error(), true)
		return
	}
	stem := samples[:len(samples)-len("samples.csv")]
	g.keep.busy.Add(1)
	go func() {
		defer g.keep.busy.Add(-1)
		msg, err := exportAll(g.keep.store, g.pane.backend, sc, stem)
		if err != nil {
			g.keep.report(keepResult{msg: "export failed: " + err.Error(), isErr: true})
			return
		}
		g.keep.report(keepResult{msg: msg})
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
