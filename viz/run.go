// Package viz is the live visualizer: an ebiten window that animates the
// learned vector field and the particles it carries, with a debugui panel,
// while a scene.Backend trains and samples on its own goroutines.
package viz

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"runtime"
	"slices"
	"sync"
	"time"

	"github.com/hajimehoshi/ebiten/v2"

	"github.com/flowviz/flowviz/flow"
	"github.com/flowviz/flowviz/viz/appstate"
	"github.com/flowviz/flowviz/viz/palette"
	"github.com/flowviz/flowviz/viz/scene"
	"github.com/flowviz/flowviz/viz/storage"
)

// Config is what the command line chooses.
type Config struct {
	Settings      scene.Settings
	Backend       scene.Backend // required
	Width, Height int           // window size, default 1280×800
	Scale         float64       // UI scale 1..4
	Theme         string        // "standard" (default) or "contrast"
	Colours       string        // colour map: viridis (default), cividis, magma
	Fullscreen    bool
	Stats         bool   // frame-timing overlay and a stderr line every 2 s
	StateFile     string // where to write the JSON state every 200 ms (in a browser: the name of a JS global)
	Title         string
	// SessionFile is opened at start-up; without it the autosave of the
	// last run is, unless Fresh. KeepDir is where sessions, the autosave
	// and exports go (DefaultKeepDir for the app; "" keeps nothing).
	SessionFile string
	Fresh       bool
	KeepDir     string
	// Store is where the keep folder's files go (storage.Files{} if nil).
	Store storage.Store
	// DrawingFile keeps the target drawing between runs: read at start,
	// written at exit if edited ("" for neither). RestoreDrawing trains on
	// the restored drawing at once (when no target was asked for).
	DrawingFile    string
	RestoreDrawing bool
	// Stepwise drives the backend from the game loop (scene.Stepper)
	// instead of its own goroutines, as on platforms without threads.
	Stepwise bool
	// NewBackend makes the backend of compare mode's second model; nil
	// when the backend cannot be compared (the demo). Compare, when not
	// empty, opens compare mode at start with B = A changed by it
	// (key=value,…, see scene.Settings.Differ).
	NewBackend func(scene.Settings) (scene.Backend, error)
	Compare    string
	// Lesson opens the lesson view at this lesson (1-based) once the
	// first scene is on screen; 0 starts in the app's own view.
	Lesson int
	// Deck is a lecture deck to open and present from its first scene
	// once the app is up; the panel adds scenes to it.
	Deck string
}

// runBackend runs b on a goroutine of its own until the returned stop is
// called, which waits (at most 10 s) for it to finish. In the stepwise mode
// the game loop drives b instead and stop does nothing.
func runBackend(b scene.Backend, stepwise bool) (stop func()) {
	if stepwise {
		return func() {}
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- b.Run(ctx) }()
	return func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				fmt.Fprintln(os.Stderr, "flowviz: compared model:", err)
			}
		case <-time.After(10 * time.Second):
			fmt.Fprintln(os.Stderr, "flowviz: the compared model did not stop within 10 s")
		}
	}
}

// statsOut receives the -stats lines.
var statsOut io.Writer = os.Stderr

// Run opens the window and blocks until it is closed. The backend runs on
// its own goroutine under a context that is cancelled when the window
// closes; Run waits for it to finish, so no goroutine outlives the call.
func Run(cfg Config) error {
	if cfg.Backend == nil {
		return errors.New("viz: no backend")
	}
	if _, ok := cfg.Backend.(scene.Stepper); cfg.Stepwise && !ok {
		return errors.New("viz: this backend cannot run stepwise")
	}
	if cfg.Width <= 0 || cfg.Height <= 0 {
		cfg.Width, cfg.Height = 1280, 800
	}
	cfg.Scale = math.Min(4, math.Max(1, cfg.Scale))
	if err := applyLook(cfg.Theme, cfg.Colours); err != nil {
		return err
	}
	if cfg.Title == "" {
		cfg.Title = "flowviz — flow matching, live"
	}
	// Training and sampling each keep a core busy. With GOMAXPROCS equal to
	// the core count, ebiten's game and render goroutines would wait for
	// Go's 10 ms preemption to get a P; two spare Ps let the OS scheduler,
	// which honours the background threads' lower priority, share the cores
	// at a much finer grain.
	if n := runtime.NumCPU() + 2; runtime.GOMAXPROCS(0) < n {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(n))
	}

	g := newGame(cfg)
	// A session restored at start brings its own data: the kept drawing
	// then only returns to the drawing, not to training.
	g.draw.restore(cfg.DrawingFile, cfg.RestoreDrawing && !g.keep.sessionAtStart())
	// The game has fitted the arrow grid to the canvas: start from that.
	if err := cfg.Backend.Apply(g.panes.cur.applied); err != nil {
		return err
	}
	g.keep.openAtStart()
	if cfg.Compare != "" && !g.panes.comparing() {
		// Both models start together, from step 0 on the same data.
		g.toggleCompare()
	}
	// SIGINT and SIGTERM close the window like its close button does, so
	// the backend stops and the last state is written.
	defer onSignals(func() { g.quit.Store(true) })()

	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	var backendErr error
	if !cfg.Stepwise {
		wg.Add(1)
		go func() {
			defer wg.Done()
			backendErr = cfg.Backend.Run(ctx)
		}()
	}

	ebiten.SetWindowSize(cfg.Width, cfg.Height)
	ebiten.SetWindowTitle(cfg.Title)
	ebiten.SetWindowResizingMode(ebiten.WindowResizingModeEnabled)
	ebiten.SetFullscreen(cfg.Fullscreen)
	ebiten.SetWindowSizeLimits(200, 150, -1, -1)
	// Draw fills the whole screen first anyway: skip ebiten's own clear,
	// one full-screen pass less for a software renderer.
	ebiten.SetScreenClearedEveryFrame(false)
	err := ebiten.RunGame(g)
	g.panes.cmp.close()
	g.lessons.stopStash()

	// Autosave while the trainer still runs: it hands over its state
	// between two steps.
	g.keep.saveOnExit()
	cancel()
	wg.Wait()
	if kerr := g.draw.keepTo(cfg.DrawingFile); kerr != nil {
		fmt.Fprintln(os.Stderr, "flowviz: could not keep the drawing:", kerr)
	}
	if g.loop.state != nil {
		g.loop.state.close(g.report())
	}
	if errors.Is(err, ebiten.Termination) {
		err = nil
	}
	return errors.Join(err, backendErr)
}

// CheckLook reports a theme or colour map name that does not exist.
func CheckLook(theme, colours string) error { return palette.CheckLook(theme, colours) }

// applyLook sets the palette's theme and colour map by name ("" keeps the
// default).
func applyLook(theme, colours string) error {
	if err := palette.SetLook(theme, colours); err != nil {
		return fmt.Errorf("viz: %w", err)
	}
	return nil
}

// stateReport is what the render loop hands the state writer: the cheap
// fields plus the immutable scene and time from which the writer computes
// the particle summaries.
type stateReport struct {
	state appstate.State
	scene *scene.Scene
	t     float64
}

// stateWriter writes the state file on its own goroutine so that sorting
// 50,000 positions for percentiles never delays a frame.
type stateWriter struct {
	path    string
	reports chan stateReport // capacity 1: a newer report replaces an unwritten one
	done    chan struct{}
	buf     []flow.Vec
	scratch []float64
	mu      sync.Mutex // serialises the final write with the goroutine's
}

func newStateWriter(path string) *stateWriter {
	w := &stateWriter{path: path, reports: make(chan stateReport, 1), done: make(chan struct{})}
	go func() {
		defer close(w.done)
		for r := range w.reports {
			w.write(r)
		}
	}()
	return w
}

// post queues a report without blocking, dropping a stale queued one.
func (w *stateWriter) post(r stateReport) {
	for {
		select {
		case w.reports <- r:
			return
		default:
		}
		select {
		case <-w.reports:
		default:
		}
	}
}

// close writes a last report and stops the goroutine.
func (w *stateWriter) close(r stateReport) {
	close(w.reports)
	<-w.done
	w.write(r)
}

func (w *stateWriter) write(r stateReport) {
	w.mu.Lock()
	defer w.mu.Unlock()
	s := r.state
	if r.scene != nil {
		w.buf = r.scene.PositionsAt(w.buf, r.t)
		s.Now, w.scratch = appstate.Summarize(w.buf, w.scratch)
		w.buf = r.scene.PositionsAt(w.buf, 1)
		s.Final, w.scratch = appstate.Summarize(w.buf, w.scratch)
	}
	if err := publishState(w.path, &s); err != nil {
		fmt.Fprintln(os.Stderr, "flowviz: state file:", err)
	}
}

// robustBox returns the box spanned by the 1st to 99th percentiles of the
// finite points on each axis.
func robustBox(pts []flow.Vec) ([4]float64, bool) {
	xs := make([]float64, 0, len(pts))
	ys := make([]float64, 0, len(pts))
	for _, p := range pts {
		if scene.Finite(p) {
			xs = append(xs, p[0])
			ys = append(ys, p[1])
		}
	}
	if len(xs) == 0 {
		return [4]float64{}, false
	}
	slices.Sort(xs)
	slices.Sort(ys)
	q := func(s []float64, f float64) float64 { return appstate.Percentile(s, f) }
	return [4]float64{q(xs, 0.01), q(ys, 0.01), q(xs, 0.99), q(ys, 0.99)}, true
}
