//go:build !js

package viz

import "time"

// autosaveEvery is how often the session is saved in the background; it is
// also saved when the app closes.
const autosaveEvery = 60 * time.Second
