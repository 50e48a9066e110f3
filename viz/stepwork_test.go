package viz

import (
	"testing"
	"time"
)

// TestStepWorkKeepsTheFrameRate simulates ticks of a page whose own work
// per tick is fixed and whose training comes in indivisible steps: over
// many ticks the work stays within the share that keeps the frame rate at
// 80 % of the paused one, or in the idle time of a fast page.
func TestStepWorkKeepsTheFrameRate(t *testing.T) {
	const frame60 = time.Second / 60 // the display
	ms := time.Millisecond
	for _, c := range []struct {
		name      string
		own, step time.Duration // a tick's own time; one indivisible training step
		minShare  float64       // the work must reach at least this share of own
		// side is what the work costs beyond itself, paid in the next
		// tick with or without work (in a page the collector runs between
		// frames), per unit of work.
		side float64
		// startup is how many first ticks take 20 times own (the page
		// compiling and uploading); the figures count the ticks after the
		// first 150 of them.
		startup int
		// spikes: every tenth tick's own time is this many times own
		// (the collector, the browser's compositing), with or without
		// work; 0 for none.
		spikes float64
	}{
		{"slow page, long steps", 40 * ms, 15 * ms, 0.15, 0, 0, 0},
		{"slow page, short steps", 40 * ms, ms, 0.15, 0, 0, 0},
		{"fast page uses its idle time", 5 * ms, 2 * ms, 1, 0, 0, 0},
		{"60 Hz page, steps longer than its idle time", 10 * ms, 15 * ms, 0.15, 0, 0, 0},
		{"slow page, steps longer than a tick", 40 * ms, 60 * ms, 0.15, 0, 0, 0},
		{"a page at one frame a second (a loaded machine)", 1500 * ms, 20 * ms, 0.15, 0, 0, 0},
		{"work that costs half again between frames", 150 * ms, 30 * ms, 0.08, 0.5, 0, 0},
		{"work that costs as much again, fast page", 10 * ms, 5 * ms, 0.05, 1, 0, 0},
		{"a slow page after a slower start", 85 * ms, 15 * ms, 0.15, 0, 10, 0},
		{"a fast page after a slow start", 10 * ms, 5 * ms, 0.5, 0, 10, 0},
		// The headless browser's frames: 75 ms, one in ten three times
		// that. The frames without work are as uneven, so the work may
		// still have a fifth of the time.
		{"a slow page with uneven frames", 75 * ms, 15 * ms, 0.15, 0, 0, 3},
	} {
		t.Run(c.name, func(t *testing.T) {
			var s stepWork
			now := time.Unix(0, 0)
			var work, wall, owed time.Duration
			maxGap := time.Duration(0)
			for i := range 2000 + 150 {
				if i == 150 {
					work, wall, maxGap = 0, 0, 0
				}
				start := now
				w := s.allowance(now)
				var did time.Duration
				for did < w { // the backend works whole steps until past its allowance
					did += c.step
				}
				s.done(did)
				own := c.own
				if i < c.startup {
					own *= 20
				}
				if c.spikes > 0 && i%10 == 9 {
					own = time.Duration(c.spikes * float64(own))
				}
				tick := did + own + owed
				owed = time.Duration(c.side * float64(did))
				if c.own < frame60 {
					// The display's 60 Hz: a tick waits for the next frame.
					tick = frame60 * ((tick + frame60 - 1) / frame60)
				}
				now = now.Add(tick)
				work += did
				wall += now.Sub(start)
				maxGap = max(maxGap, now.Sub(start))
			}
			meanOwn := c.own
			if c.spikes > 0 {
				meanOwn = time.Duration((9 + c.spikes) / 10 * float64(c.own))
			}
			pausedFPS := 1 / max(meanOwn, frame60).Seconds()
			fps := 2000 / wall.Seconds()
			share := work.Seconds() / (2000 * meanOwn.Seconds())
			t.Logf("work %.2f of own time; %.1f fps of %.1f paused; longest tick %v", share, fps, pausedFPS, maxGap)
			if fps < 0.8*pausedFPS-0.5 {
				t.Errorf("%.1f fps, paused %.1f: below 80 %%", fps, pausedFPS)
			}
			if share < c.minShare {
				t.Errorf("work only %.2f of the tick's own time, want ≥ %.2f", share, c.minShare)
			}
			limit := max(maxCredit, c.own/5)
			if maxGap > time.Duration(max(1, c.spikes)*float64(c.own))+c.step+limit+time.Duration(c.side*float64(c.step+limit)) {
				t.Errorf("a tick of %v: a key press would wait that long", maxGap)
			}
		})
	}
}
