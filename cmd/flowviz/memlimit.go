package main

import (
	"os"
	"runtime/debug"
	"runtime/metrics"
	"time"
)

// The app's live heap is mostly the sampler's frames, each holding every
// particle at every solver state (20,000 particles × 51 states × 16 bytes
// = 16 MB), and a new frame arrives up to ten times a second. With Go's
// default GOGC=100 the heap grows to twice the live data between
// collections and the freed memory stays resident: 430–476 MB RSS at
// 20,000 particles. A soft memory limit a little above the live heap makes
// the collector run before the heap doubles and return what it frees.
const (
	memHeadroom  = 0.1     // of the live heap
	memSlack     = 8 << 20 // bytes, for the render loop's own garbage
	memTuneEvery = time.Second
)

// tuneMemoryLimit keeps the soft memory limit at live·(1 + memHeadroom) +
// memSlack, following the live heap as the settings change it, so the
// limit is never below what the app needs (which would make the collector
// run without pause). A GOMEMLIMIT in the environment wins.
func tuneMemoryLimit() {
	if os.Getenv("GOMEMLIMIT") != "" {
		return
	}
	sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	for {
		metrics.Read(sample)
		if sample[0].Value.Kind() == metrics.KindUint64 {
			if live := sample[0].Value.Uint64(); live > 0 {
				debug.SetMemoryLimit(int64(float64(live)*(1+memHeadroom)) + memSlack)
			}
		}
		time.Sleep(memTuneEvery)
	}
}
