//go:build js

package main

import (
	"github.com/flowviz/flowviz/cmd/flowviz/internal/cmdline"
	"github.com/flowviz/flowviz/viz"
)

// tuneMemory is off: in WebAssembly the collector runs on the page's one
// thread, and a limit just above the live heap would make it run every few
// frames. The page's heap is small anyway (4,000 particles by default).
const tuneMemory = false

// stateGlobal is the page's global that the app's state (the desktop's
// -state-file) is published in every 200 ms, as JSON text.
const stateGlobal = "flowvizState"

// platformConfig fits the configuration to a browser page. WebAssembly
// runs one thread, and Go's goroutines switch only when one blocks: a
// trainer on its own goroutine would starve the page, so the game loop
// drives training and sampling, a slice of each frame (the stepwise mode;
// the demo's exact field has no trainer to drive).
func platformConfig(cfg *viz.Config, o *cmdline.Options) {
	cfg.Stepwise = !o.Demo
	cfg.StateFile = stateGlobal
}
