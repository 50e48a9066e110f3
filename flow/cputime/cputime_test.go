package cputime

import (
	"runtime"
	"testing"
	"time"
)

// TestProcessGrows: busy work shows as CPU time (on systems that report it).
func TestProcessGrows(t *testing.T) {
	start := Process()
	if start == 0 && runtime.GOOS == "windows" {
		t.Skip("no CPU time here")
	}
	x := 1.0
	deadline := time.Now().Add(5 * time.Second)
	for Process()-start < 10*time.Millisecond {
		for range 1_000_000 {
			x = x*1.0000001 + 1e-9
		}
		if time.Now().After(deadline) {
			t.Fatalf("5 s of busy work used %v of CPU (x = %v)", Process()-start, x)
		}
	}
}
