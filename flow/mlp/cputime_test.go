package mlp

import (
	"time"

	"github.com/flowviz/flowviz/flow/cputime"
)

// processCPU is the CPU time this process has used so far (0 where it
// cannot be read).
func processCPU() time.Duration { return cputime.Process() }
