//go:build !js

package main

import (
	"github.com/flowviz/flowviz/cmd/flowviz/internal/cmdline"
	"github.com/flowviz/flowviz/viz"
)

// tuneMemory keeps the soft memory limit near the live heap (memlimit.go).
const tuneMemory = true

// platformConfig leaves the desktop's configuration as the flags made it.
func platformConfig(*viz.Config, *cmdline.Options) {}
