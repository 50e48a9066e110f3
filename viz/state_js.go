//go:build js

package viz

import (
	"bytes"
	"syscall/js"

	"github.com/flowviz/flowviz/viz/appstate"
)

// publishState sets the page's global called name to the state as JSON
// text, the browser's -state-file: the page and its tests read it with
// JSON.parse(window[name]).
func publishState(name string, s *appstate.State) error {
	var buf bytes.Buffer
	if err := appstate.Write(&buf, s); err != nil {
		return err
	}
	js.Global().Set(name, buf.String())
	return nil
}
