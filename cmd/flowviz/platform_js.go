//go:build js

package main

import (
	"path"
	"strings"

	"github.com/flowviz/flowviz/cmd/flowviz/internal/cmdline"
	"github.com/flowviz/flowviz/viz"
	"github.com/flowviz/flowviz/viz/storage"
)

// tuneMemory is off: in WebAssembly the collector runs on the page's one
// thread, and a limit just above the live heap would make it run every few
// frames. The page's heap is small anyway (4,000 particles by default).
const tuneMemory = false

// stateGlobal is the page's global that the app's state (the desktop's
// -state-file) is published in every 200 ms, as JSON text.
const stateGlobal = "flowvizState"

// The page's keep folder: a prefix of localStorage keys, not a folder.
const (
	keepDir     = "flowviz"
	drawingFile = keepDir + "/drawing.csv"
)

// platformConfig fits the configuration to a browser page.
//
// WebAssembly runs one thread, and Go's goroutines switch only when one
// blocks: a trainer on its own goroutine would starve the page, so the game
// loop drives training and sampling, a slice of each frame (the stepwise
// mode; the demo's exact field has no trainer to drive).
//
// The autosave and the drawing live in the browser's localStorage, and come
// back on the next visit; sessions, screenshots, GIFs and exports are
// downloads.
func platformConfig(cfg *viz.Config, o *cmdline.Options) {
	cfg.Stepwise = !o.Demo
	cfg.StateFile = stateGlobal
	cfg.KeepDir = keepDir
	cfg.DrawingFile = drawingFile
	cfg.Store = storage.Browser{Prefix: "flowviz:", Keep: kept}
}

// kept reports the files kept in the browser's storage: the autosave, the
// drawing, and those moved aside beside them (name.unreadable-<time>).
func kept(name string) bool {
	if path.Dir(name) != keepDir {
		return false
	}
	base := path.Base(name)
	for _, k := range []string{viz.AutosaveName, path.Base(drawingFile)} {
		if base == k || strings.HasPrefix(base, k+".") {
			return true
		}
	}
	return false
}
