//go:build !linux

package main

import "time"

// threadCPU cannot read a thread's CPU time here: callers fall back to
// wall-clock time.
func threadCPU() (time.Duration, bool) { return 0, false }
