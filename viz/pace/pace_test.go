package pace

import (
	"context"
	"testing"
	"time"
)

// TestRestKeepsTheShare sets a share and checks that a rest after work of
// 20 ms lasts at least work·(1/Share − 1), that a cancelled context ends
// it, and that Pause rests only with a pacer and counts from the last
// pause. The cases that must not rest use a share whose rest would be 2 s,
// so that a loaded machine's late timers cannot be mistaken for a rest.
func TestRestKeepsTheShare(t *testing.T) {
	defer func(s float64) { Share = s }(Share)
	Share = 0.5
	work := 20 * time.Millisecond
	for _, c := range []struct {
		name    string
		share   float64
		min     time.Duration // the shortest the rest may be
		max     time.Duration // the longest: generous, as timers run late on a loaded machine
		cancel  bool
		pacer   bool
		byPause bool
	}{
		{"half", 0.5, work, time.Second, false, false, false},
		{"fifth", 0.2, 4 * work, time.Second, false, false, false},
		{"no share", 0, 0, time.Second, false, false, false},
		{"cancelled", 0.01, 0, time.Second, true, false, false},
		{"pause with a pacer", 0.5, work, time.Second, false, true, true},
		{"pause without one", 0.01, 0, time.Second, false, false, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			Share = c.share
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			if c.pacer {
				ctx = With(ctx)
			}
			if c.cancel {
				cancel()
			}
			start := time.Now()
			time.Sleep(work)
			began := time.Now()
			if c.byPause {
				Pause(ctx)
			} else {
				Rest(ctx, start)
			}
			if d := time.Since(began); d < c.min || d > c.max {
				t.Errorf("rested %v, want %v..%v", d, c.min, c.max)
			}
			if c.pacer {
				// Straight after a pause there is no work to rest for
				// (counted from With, there would be 2 s).
				Share = 0.01
				began = time.Now()
				Pause(ctx)
				if d := time.Since(began); d > time.Second {
					t.Errorf("a second pause with no work between rested %v", d)
				}
			}
		})
	}
}
