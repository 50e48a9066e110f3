package cputime

import (
	"runtime"
	"testing"
	"time"
)

func TestProcessAdvances(t *testing.T) {
	if runtime.GOOS == "windows" || runtime.GOOS == "plan9" || runtime.GOOS == "js" {
		t.Skip("no rusage here")
	}
	start := Process()
	if start <= 0 {
		t.Fatalf("Process() = %v at start", start)
	}
	// Spin until the counter moves; it counts in at most 10 ms ticks.
	x := 0.0
	for deadline := time.Now().Add(10 * time.Second); Process() == start; x += 1e-9 {
		if time.Now().After(deadline) {
			t.Fatal("CPU time did not advance in 10 s of spinning")
		}
	}
	_ = x
}
