//go:build !unix && !js

package mlp

import "time"

// processCPU is not known here; benchmarks then report wall-clock rates only.
func processCPU() time.Duration { return 0 }
