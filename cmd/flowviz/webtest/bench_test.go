package webtest

import (
	"testing"
	"time"

	"github.com/go-rod/rod/lib/input"

	"github.com/flowviz/flowviz/viz/appstate"
)

// frameWatch counts the page's animation frames from JavaScript, beside the
// app: a long task on the one thread (a training slice, a frame of the
// sampler) shows as a long gap between two frames, the time a key press can
// wait for an answer.
const frameWatch = `() => {
	const w = { n: 0, maxGap: 0, last: performance.now(), start: performance.now() };
	window.frameWatch = w;
	const tick = (now) => {
		w.n++;
		w.maxGap = Math.max(w.maxGap, now - w.last);
		w.last = now;
		if (window.frameWatch === w) requestAnimationFrame(tick);
	};
	requestAnimationFrame(tick);
}`

const frameRead = `() => { const w = window.frameWatch; window.frameWatch = null;
	return { fps: 1000 * w.n / (performance.now() - w.start), maxGap: w.maxGap }; }`

// watchFrames measures the page's frame rate and longest frame gap (ms)
// over d.
func (pg *page) watchFrames(d time.Duration) (fps, maxGap float64) {
	pg.t.Helper()
	if _, err := pg.eval(frameWatch); err != nil {
		pg.t.Fatal(err)
	}
	time.Sleep(d)
	res, err := pg.eval(frameRead)
	if err != nil {
		pg.t.Fatal(err)
	}
	return res.Value.Get("fps").Num(), res.Value.Get("maxGap").Num()
}

// BenchmarkPage measures the page in headless Chromium: frames per second
// while training and paused, the longest frame gap in each, and training
// steps per second. One iteration is 2 × 8 s of watching.
//
//	go test -run '^$' -bench Page -benchtime 1x ./cmd/flowviz/webtest
func BenchmarkPage(b *testing.B) {
	for range b.N {
		measurePage(b)
	}
}

func measurePage(b *testing.B) {
	pg := open(b, "")
	s := pg.waitFor(3*stateTimeout, "training under way", func(s *appstate.State) bool { return s.Training.Step > 20 && s.Scenes > 0 })
	fpsRun, gapRun := pg.watchFrames(8 * time.Second)
	s2 := pg.wait("a newer state", func(n *appstate.State) bool { return n.Frame > s.Frame })
	steps := float64(s2.Training.Step-s.Training.Step) / (8 + 0.2)
	pg.focus()
	pg.press(input.Enter)
	pg.wait("training paused", func(s *appstate.State) bool { return s.Training.State == "paused" })
	fpsPaused, gapPaused := pg.watchFrames(8 * time.Second)
	b.ReportMetric(fpsRun, "fps-training")
	b.ReportMetric(fpsPaused, "fps-paused")
	b.ReportMetric(gapRun, "ms-max-gap-training")
	b.ReportMetric(gapPaused, "ms-max-gap-paused")
	b.ReportMetric(s2.Training.StepsPerSec, "steps/s")
	b.Logf("training: %.1f fps, longest gap %.0f ms, %.0f steps/s (%.0f counted); paused: %.1f fps, longest gap %.0f ms",
		fpsRun, gapRun, s2.Training.StepsPerSec, steps, fpsPaused, gapPaused)
}
