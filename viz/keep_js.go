//go:build js

package viz

import "time"

// autosaveEvery is how often the session is saved in the background. A
// page is closed without notice (a tab shut, a reload) and has no exit to
// save at, so it saves more often than the desktop app; one save is a
// single localStorage write of a few hundred KB.
const autosaveEvery = 10 * time.Second
