// Command flowviz opens the live flow-matching visualizer: a model trains on
// a background goroutine while the learned vector field and the particles it
// carries from noise to the target are animated in real time.
package main

import (
	"flag"
	"fmt"
	"os"
	"runtime/pprof"
	"strconv"
	"strings"

	"github.com/flowviz/flowviz/viz"
	"github.com/flowviz/flowviz/viz/demo"
	"github.com/flowviz/flowviz/viz/live"
	"github.com/flowviz/flowviz/viz/record"
	"github.com/flowviz/flowviz/viz/scene"
)

// exitCode is set by run; main exits with it after deferred calls (the
// profile) have run.
var exitCode int

func main() {
	run()
	os.Exit(exitCode)
}

func run() {
	d := scene.DefaultSettings()
	var s scene.Settings
	flag.StringVar(&s.Source, "source", d.Source, "source distribution spec, e.g. gaussian or gaussian:std=1")
	flag.StringVar(&s.Target, "target", d.Target, "target distribution spec, e.g. moons or 8gaussians:radius=5")
	flag.IntVar(&s.Width, "width", d.Width, "hidden layer width")
	flag.IntVar(&s.Depth, "depth", d.Depth, "number of hidden layers")
	flag.StringVar(&s.Act, "act", d.Act, "activation function")
	flag.Float64Var(&s.LR, "lr", d.LR, "learning rate (changeable live)")
	flag.IntVar(&s.Batch, "batch", d.Batch, "batch size (changeable live)")
	flag.Uint64Var(&s.Seed, "seed", d.Seed, "random seed")
	flag.StringVar(&s.Path, "path", d.Path, "probability path: linear | ot")
	flag.Float64Var(&s.Sigma, "sigma", d.Sigma, "σ of the path")
	flag.StringVar(&s.Coupling, "coupling", d.Coupling, "coupling: independent | ot | reflow")
	flag.StringVar(&s.Solver, "solver", d.Solver, "ODE solver: euler | midpoint | heun | rk4")
	flag.IntVar(&s.Steps, "steps", d.Steps, "NUM_STEPS of the sampler, 1..200")
	flag.IntVar(&s.Particles, "particles", d.Particles, "number of particles, 1..50000")
	flag.IntVar(&s.Grid, "grid", d.Grid, "arrows per side of the field grid, 4..64")
	window := flag.String("window", "1280x800", "window size WxH")
	scale := flag.Float64("scale", 1, "UI scale 1..4 (2 for a projector)")
	theme := flag.String("theme", "standard", "colour theme: standard | contrast (I toggles)")
	colours := flag.String("colours", "viridis", "colour map: viridis | cividis | magma (M cycles; the last two are colour-blind safe for the dots too)")
	fullscreen := flag.Bool("fullscreen", false, "start fullscreen (F11 toggles)")
	startLesson := flag.Int("lesson", 0, "start in the lesson view at lesson N (1..8); PageDown/PageUp move, Esc leaves")
	stats := flag.Bool("stats", false, "show frame timings and print them to stderr every 2 s")
	stateFile := flag.String("state-file", "", "write the app state as JSON to this file every 200 ms")
	useDemo := flag.Bool("demo", false, "play the exact marginal field instead of training a network")
	compareSpec := flag.String("compare", "", "open compare mode: a second model B beside A, B = A with these key=value settings changed (e.g. coupling=ot, or solver=rk4,steps=5); K toggles it")
	stepwise := flag.Bool("stepwise", false, "train and sample from the game loop, a slice of each frame, as the browser build must (no background threads)")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of the whole run to this file")
	drawingFile := flag.String("drawing", viz.DefaultDrawingFile(), "CSV file the drawing is kept in between runs (\"\" to keep none)")
	sessionFile := flag.String("session", "", "open this session file at start-up (and save to it with Ctrl+S)")
	fresh := flag.Bool("fresh", false, "start clean: do not restore the autosave of the last run")
	keepDir := flag.String("keep-dir", viz.DefaultKeepDir(), "folder of the autosave and exports (\"\" to keep nothing)")
	recordOut := flag.String("record", "", "render the -session's flow t = 0→1 into this GIF and exit")
	recordSteps := flag.Int("record-steps", 2000, "with -record: training steps for a session without weights")
	recordSize := flag.Int("record-size", record.DefaultSize, "with -record: GIF size in pixels")
	recordFrames := flag.Int("record-frames", record.DefaultFrames, "with -record: number of frames")
	flag.Parse()
	if *recordOut != "" {
		err := recordSession(*sessionFile, *recordOut, *recordSteps, record.Options{Size: *recordSize, Frames: *recordFrames})
		if err != nil {
			fmt.Fprintln(os.Stderr, "flowviz: -record:", err)
			exitCode = 1
			return
		}
		fmt.Fprintln(os.Stderr, "flowviz: recorded", *recordOut)
		return
	}
	// A drawing kept from the last run becomes the target unless -target
	// asks for another.
	targetSet := false
	flag.Visit(func(f *flag.Flag) { targetSet = targetSet || f.Name == "target" })
	// The autosave is restored only when the command line asks for nothing
	// it would override.
	restoreAuto := !*fresh
	flag.Visit(func(f *flag.Flag) { restoreAuto = restoreAuto && !overridesAutosave[f.Name] })
	s.View, s.Trails = d.View, d.Trails

	w, h, err := parseSize(*window)
	if err != nil {
		fmt.Fprintln(os.Stderr, "flowviz:", err)
		os.Exit(2)
	}
	if s.Steps < scene.MinSteps || s.Steps > scene.MaxSteps {
		fmt.Fprintf(os.Stderr, "flowviz: -steps %d outside %d..%d\n", s.Steps, scene.MinSteps, scene.MaxSteps)
		os.Exit(2)
	}
	if s.Particles < scene.MinParticles || s.Particles > scene.MaxParticles {
		fmt.Fprintf(os.Stderr, "flowviz: -particles %d outside %d..%d\n", s.Particles, scene.MinParticles, scene.MaxParticles)
		os.Exit(2)
	}
	if *scale < 1 || *scale > 4 {
		fmt.Fprintln(os.Stderr, "flowviz: -scale must be in 1..4")
		os.Exit(2)
	}
	if err := viz.CheckLook(*theme, *colours); err != nil {
		fmt.Fprintln(os.Stderr, "flowviz:", err)
		os.Exit(2)
	}
	if *startLesson < 0 {
		fmt.Fprintln(os.Stderr, "flowviz: -lesson must be a lesson number (1..8), or 0 for none")
		os.Exit(2)
	}
	s = s.Clamp()
	if *compareSpec != "" {
		if *useDemo {
			fmt.Fprintln(os.Stderr, "flowviz: -compare needs the live trainer, not -demo")
			os.Exit(2)
		}
		if _, err := s.Differ(*compareSpec); err != nil {
			fmt.Fprintln(os.Stderr, "flowviz:", err)
			os.Exit(2)
		}
	}

	backend, err := newBackend(s, *useDemo)
	if err != nil {
		fmt.Fprintln(os.Stderr, "flowviz:", err)
		os.Exit(2)
	}
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			fmt.Fprintln(os.Stderr, "flowviz:", err)
			os.Exit(2)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			fmt.Fprintln(os.Stderr, "flowviz:", err)
			os.Exit(2)
		}
		defer f.Close()
		defer pprof.StopCPUProfile()
	}
	err = viz.Run(viz.Config{
		Settings: s, Backend: backend,
		Width: w, Height: h, Scale: *scale, Theme: *theme, Colours: *colours, Fullscreen: *fullscreen,
		Stats: *stats, StateFile: *stateFile,
		DrawingFile: *drawingFile, RestoreDrawing: !targetSet && !*useDemo,
		SessionFile: *sessionFile, Fresh: !restoreAuto || *useDemo, KeepDir: *keepDir,
		Lesson: *startLesson, Stepwise: *stepwise && !*useDemo,
		Compare: *compareSpec, NewBackend: compareBackend(*useDemo),
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "flowviz:", err)
		exitCode = 1
	}
}

// overridesAutosave names the flags that choose what the autosave would
// restore: given any of them, the app starts from the command line instead.
var overridesAutosave = map[string]bool{
	"source": true, "target": true, "width": true, "depth": true, "act": true, "lr": true,
	"batch": true, "seed": true, "path": true, "sigma": true, "coupling": true, "solver": true,
	"steps": true, "particles": true, "grid": true, "demo": true,
}

// newBackend picks what trains and samples.
func newBackend(s scene.Settings, useDemo bool) (scene.Backend, error) {
	if useDemo {
		return demo.New(s), nil
	}
	return live.New(s)
}

// compareBackend makes compare mode's second model: the live trainer, or
// nothing for the demo, whose exact field has nothing to compare.
func compareBackend(useDemo bool) func(scene.Settings) (scene.Backend, error) {
	if useDemo {
		return nil
	}
	return func(s scene.Settings) (scene.Backend, error) { return live.New(s) }
}

// parseSize reads "WxH".
func parseSize(v string) (w, h int, err error) {
	ws, hs, ok := strings.Cut(strings.ToLower(v), "x")
	if ok {
		w, err = strconv.Atoi(ws)
		if err == nil {
			h, err = strconv.Atoi(hs)
		}
	}
	if !ok || err != nil || w < 200 || h < 150 || w > 16384 || h > 16384 {
		return 0, 0, fmt.Errorf("-window %q: want WxH with W ≥ 200, H ≥ 150", v)
	}
	return w, h, nil
}
