//go:build !js

package input

import "io/fs"

// Pick reports false: a desktop app has no file picker of its own; files
// come by path or dropped on the window.
func Pick(accept string) bool { return false }

// picked returns nil: there is no picker.
func picked() fs.FS { return nil }
