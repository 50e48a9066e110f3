package webtest

import (
	"slices"
	"testing"
	"time"

	"github.com/go-rod/rod"
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

// keyLatency presses V (arrows on and off) n times on the canvas, each at
// a random moment 100–300 ms after the last answer, and returns how long
// each took, in ms, from the moment the press was due to the first
// animation frame whose published state shows the answer. A press is a
// keydown event dispatched from a timer: like a real key's event, the timer
// fires only once the page's thread is free, so a long task (a training
// slice, a sampler frame) delays it as it would a key, and that wait is
// counted. The app reports its state on the tick it sees a press.
const keyLatency = `(n) => new Promise((resolve) => {
	const canvas = document.querySelector("canvas");
	const field = () => { const s = window.flowvizState; return s ? JSON.parse(s).layers.field : null; };
	const key = (type) => canvas.dispatchEvent(new KeyboardEvent(type, { code: "KeyV", key: "v", bubbles: true, cancelable: true }));
	const out = [];
	const one = () => {
		if (out.length === n) { resolve(out); return; }
		const wait = 100 + 200 * Math.random();
		const due = performance.now() + wait;
		setTimeout(() => {
			const before = field();
			key("keydown");
			// Time by performance.now(), not the frame's timestamp: that is
			// when the frame began, which can precede the timer that sent
			// the key, so the quickest answers came out negative.
			const poll = () => {
				const now = performance.now();
				if (field() !== before) {
					out.push(now - due);
					key("keyup");
					requestAnimationFrame(() => requestAnimationFrame(one));
				} else if (now - due > 10000) {
					out.push(-1); // no answer within 10 s
					key("keyup");
					one();
				} else {
					requestAnimationFrame(poll);
				}
			};
			requestAnimationFrame(poll);
		}, wait);
	};
	one();
})`

// keyLatencies measures n key presses (keyLatency) and returns their
// median and the longest, in ms; a press without an answer counts as
// 10 s.
func (pg *page) keyLatencies(n int) (median, longest float64) {
	pg.t.Helper()
	res, err := pg.p.Timeout(time.Duration(n) * 11 * time.Second).Evaluate(rod.Eval(keyLatency, n).ByPromise())
	if err != nil {
		pg.t.Fatal(err)
	}
	var ms []float64
	for _, v := range res.Value.Arr() {
		x := v.Num()
		if x < 0 {
			x = 10000
		}
		ms = append(ms, x)
	}
	slices.Sort(ms)
	return ms[len(ms)/2], ms[len(ms)-1]
}

// BenchmarkPage measures the page in headless Chromium: frames per second
// while training and paused, the longest frame gap in each, training
// steps per second, and the answer to a key press (keyLatency: median and
// longest of 15) in each. One iteration is 2 × 8 s of watching and 30
// presses. It prints figures and asserts none.
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
	keyRun, keyRunMax := pg.keyLatencies(15)
	pg.press(input.Enter)
	paused := pg.wait("training paused", func(s *appstate.State) bool { return s.Training.State == "paused" })
	// The page with training paused still scores the last model's NLL
	// (seconds of work in WebAssembly): the baseline is the page once it
	// is idle. Waited for at most a minute; the log says if it never was.
	idle := false
	for deadline := time.Now().Add(time.Minute); !idle && time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		s, err := pg.state()
		idle = err == nil && s != nil && s.Density != nil && s.Density.NLLStep == s.Training.Step && s.Training.Step > 0
	}
	if !idle {
		b.Logf("the paused page did not finish its NLL within a minute (paused at step %d): the paused figures include that work", paused.Training.Step)
	}
	fpsPaused, gapPaused := pg.watchFrames(8 * time.Second)
	s3 := pg.next(s2)
	keyPaused, keyPausedMax := pg.keyLatencies(15)
	b.ReportMetric(fpsRun, "fps-training")
	b.ReportMetric(fpsPaused, "fps-paused")
	b.ReportMetric(gapRun, "ms-max-gap-training")
	b.ReportMetric(gapPaused, "ms-max-gap-paused")
	b.ReportMetric(s2.Training.StepsPerSec, "steps/s")
	b.ReportMetric(fpsRun/fpsPaused, "fps-ratio")
	b.ReportMetric(keyRun, "ms-key-training")
	b.ReportMetric(keyRunMax, "ms-key-max-training")
	b.ReportMetric(keyPaused, "ms-key-paused")
	b.ReportMetric(keyPausedMax, "ms-key-max-paused")
	b.Logf("training: %.1f fps, longest gap %.0f ms, %.0f steps/s (%.0f counted), key answered in %.0f ms (median; longest %.0f)",
		fpsRun, gapRun, s2.Training.StepsPerSec, steps, keyRun, keyRunMax)
	b.Logf("paused: %.1f fps, longest gap %.0f ms, key answered in %.0f ms (median; longest %.0f); fps ratio %.2f",
		fpsPaused, gapPaused, keyPaused, keyPausedMax, fpsRun/fpsPaused)
	b.Logf("the app's own mean Update and Draw: %.1f and %.1f ms training, %.1f and %.1f ms paused",
		s2.UpdateMs, s2.DrawMs, s3.UpdateMs, s3.DrawMs)
}
