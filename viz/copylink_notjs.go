//go:build !js

package viz

import (
	"fmt"
	"os"
)

// shareLink prints the fragment as the flag that opens it (ebiten has no
// clipboard on the desktop) and returns the status line that says so.
func shareLink(frag string) string {
	fmt.Fprintf(os.Stdout, "flowviz -link '%s'\n", frag)
	return "link printed to the terminal: " + frag
}
