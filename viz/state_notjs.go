//go:build !js

package viz

import "github.com/flowviz/flowviz/viz/appstate"

// publishState writes the -state-file.
func publishState(path string, s *appstate.State) error { return appstate.WriteFile(path, s) }
