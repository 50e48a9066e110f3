//go:build unix

package density

import (
	"syscall"
	"time"
)

// processCPU is the CPU time (user + system) this process has used so far,
// or 0 where it cannot be read. Benchmarks report per CPU-second too: on a
// loaded machine the wall clock counts time spent descheduled.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
