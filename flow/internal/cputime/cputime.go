//go:build unix

// Package cputime reads the CPU time the process has used, for benchmarks that must be compared while other processes share the cores.
package cputime

import (
	"syscall"
	"time"
)

// Process is the CPU time (user + system) this process has used so far, or
// 0 where it cannot be read. Time spent descheduled does not count, unlike
// the wall clock.
func Process() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
