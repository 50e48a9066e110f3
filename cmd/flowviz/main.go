// Command flowviz opens the live flow-matching visualizer: a model trains on
// a background goroutine while the learned vector field and the particles it
// carries from noise to the target are animated in real time.
//
// What needs no window (-version, -h, a bad flag, -record) is done by the
// cmdline package's init, before ebiten starts: see cmdline/early.go.
package main

import (
	"fmt"
	"os"
	"time"

	"github.com/flowviz/flowviz/cmd/flowviz/internal/cmdline"
	"github.com/flowviz/flowviz/flow/hd"
	"github.com/flowviz/flowviz/viz"
	"github.com/flowviz/flowviz/viz/demo"
	"github.com/flowviz/flowviz/viz/live"
	"github.com/flowviz/flowviz/viz/scene"
)

// exitCode is set by run; main exits with it after deferred calls (the
// profile) have run.
var exitCode int

func main() {
	run(cmdline.Parsed())
	os.Exit(exitCode)
}

func run(o *cmdline.Options) {
	s := o.Settings
	if hd.IsTarget(s.Target) {
		// An image target (digits) is the image view's, which trains on
		// its own; the 2D model behind it starts on the default target.
		s.Target = scene.DefaultSettings().Target
	}
	backend, err := newBackend(s, o.Demo)
	if err != nil {
		fmt.Fprintln(os.Stderr, "flowviz:", err)
		os.Exit(2)
	}
	if o.CPUProfile != "" {
		stop, err := startCPUProfile(o.CPUProfile)
		if err != nil {
			fmt.Fprintln(os.Stderr, "flowviz:", err)
			os.Exit(2)
		}
		defer stop()
	}
	if tuneMemory {
		go tuneMemoryLimit()
	}
	if o.MemProfile != "" {
		go func() {
			for range time.Tick(memProfileEvery) {
				writeHeapProfile(o.MemProfile)
			}
		}()
	}
	cfg := viz.Config{
		Settings: o.Settings, Backend: backend,
		Width: o.Width, Height: o.Height, Scale: o.Scale, Theme: o.Theme, Colours: o.Colours, Fullscreen: o.Fullscreen,
		Stats: o.Stats, StateFile: o.StateFile,
		DrawingFile: o.DrawingFile, RestoreDrawing: o.RestoreDrawing,
		SessionFile: o.SessionFile, Fresh: !o.RestoreAutosave, KeepDir: o.KeepDir,
		Lesson: o.Lesson, Deck: o.Deck, Stepwise: o.Stepwise && !o.Demo,
		Compare: o.Compare, NewBackend: compareBackend(o.Demo),
	}
	platformConfig(&cfg, o)
	if err := viz.Run(cfg); err != nil {
		fmt.Fprintln(os.Stderr, "flowviz:", err)
		exitCode = 1
	}
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

// memProfileEvery is how often -memprofile rewrites the heap profile while
// the app runs (at exit the scenes and caches are already let go).
const memProfileEvery = 10 * time.Second
