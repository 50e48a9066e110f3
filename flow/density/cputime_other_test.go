//go:build !unix

package density

import "time"

// processCPU is not known here; benchmarks then report wall-clock figures only.
func processCPU() time.Duration { return 0 }
