//go:build !unix && !js

package cputime

import "time"

// Process is not known here: it returns 0, which callers treat as unknown.
func Process() time.Duration { return 0 }
