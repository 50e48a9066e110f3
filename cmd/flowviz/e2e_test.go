package main_test

// End-to-end tests of the real flowviz binary: each test starts its own Xvfb,
// launches the app on it, drives it only with XTEST mouse and keyboard events
// (as a person at the machine would), and checks what it shows in two ways:
// screenshots of the X server, and the JSON state the app writes with
// -state-file every ~200 ms.

import (
	"fmt"
	"image"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/flowviz/flowviz/viz/appstate"
	"github.com/flowviz/flowviz/viz/e2e"
)

func TestMain(m *testing.M) { e2e.Main(m) }

const (
	screenW, screenH = 1280, 800
	// waitLong bounds every poll: generous, because CI runs these beside other
	// packages' -race tests on two cores, and polls return as soon as they can.
	waitLong = 30 * time.Second
	// waitLearn bounds the wait for the moons to form. Training runs on
	// SCHED_IDLE threads, which on a busy CI machine get only the cycles
	// nothing else wants; unloaded, the moons form in a few seconds.
	waitLearn = 90 * time.Second
	// hold is the pause after a pointer move, and between the stages of a
	// drag, so that a frame sees the pointer where it was sent. Presses
	// and releases do not rely on it: they wait until the app reports them.
	hold = 200 * time.Millisecond
	// waitSeen bounds the wait for the app to report one press or release.
	// Under the race detector on a loaded machine a frame can take a
	// second; a press that is not seen in this time is sent again.
	waitSeen = 10 * time.Second
)

// app is one flowviz process on its own X server.
type app struct {
	t     *testing.T
	x     *e2e.X
	proc  *e2e.Proc
	win   e2e.Window
	state string // path of the -state-file
}

// startApp launches flowviz with args on a fresh 1280×800 Xvfb and waits for
// its window and its first state report with a scene. The app keeps a drawing
// and sessions in the user's config directory, so it gets an empty one.
func startApp(t *testing.T, args ...string) *app {
	t.Helper()
	return startAppIn(t, t.TempDir(), args...)
}

// startAppIn is startApp with configDir as the config directory
// (os.UserConfigDir reads XDG_CONFIG_HOME first), for tests that check what
// one run keeps for the next.
func startAppIn(t *testing.T, configDir string, args ...string) *app {
	t.Helper()
	return startAppOn(t, screenW, screenH, configDir, args...)
}

// startAppOn is startAppIn on a w×h screen.
func startAppOn(t *testing.T, w, h int, configDir string, args ...string) *app {
	t.Helper()
	t.Setenv("XDG_CONFIG_HOME", configDir)
	t.Setenv("HOME", t.TempDir())
	start := time.Now()
	x := e2e.StartX(t, w, h)
	bin := e2e.BuildBinary(t, "github.com/flowviz/flowviz/cmd/flowviz")
	built := time.Now()
	a := &app{t: t, x: x, state: filepath.Join(t.TempDir(), "state.json")}
	a.proc = x.Launch(t, bin, append([]string{"-state-file", a.state}, args...)...)
	a.win = x.WaitWindow(t, "flowviz", waitLong)
	shown := time.Now()
	a.waitState(t, "a first scene on screen", func(s *appstate.State) bool {
		// The image view (an image target) shows frames of its own.
		return s.Scenes > 0 && s.Final.N > 0 || s.Images != nil && s.Images.Frames > 0
	})
	t.Logf("Xvfb and binary ready in %v, window after %v, first scene after %v",
		built.Sub(start).Round(time.Millisecond), shown.Sub(built).Round(time.Millisecond), time.Since(shown).Round(time.Millisecond))
	return a
}

// read returns the newest state report, or nil while there is none yet.
func (a *app) read() (*appstate.State, error) {
	s, err := appstate.ReadFile(a.state)
	if os.IsNotExist(err) {
		return nil, nil
	}
	return s, err
}

// waitState polls the state file until ok holds, and returns that state; it
// fails the test after waitLong or if the app exits.
func (a *app) waitState(t *testing.T, what string, ok func(*appstate.State) bool) *appstate.State {
	t.Helper()
	return a.waitStateFor(t, waitLong, what, ok)
}

// waitStateFor is waitState with its own deadline.
func (a *app) waitStateFor(t *testing.T, timeout time.Duration, what string, ok func(*appstate.State) bool) *appstate.State {
	t.Helper()
	s, held := a.poll(t, timeout, what, ok)
	if !held {
		t.Fatalf("no %s after %v; last state:\n%s", what, timeout, dump(s))
	}
	return s
}

// next waits for a report written after the one with frame number after,
// so that it reflects input sent since.
func (a *app) next(t *testing.T, after *appstate.State) *appstate.State {
	t.Helper()
	return a.waitState(t, "a newer state report", func(s *appstate.State) bool { return s.Frame > after.Frame })
}

// fresh waits for a report written at least one report interval after now,
// so that it reflects the input sent before the call.
func (a *app) fresh(t *testing.T) *appstate.State {
	t.Helper()
	s := a.waitState(t, "a state report", func(*appstate.State) bool { return true })
	return a.next(t, a.next(t, s))
}

func dump(s *appstate.State) string {
	if s == nil {
		return "(none)"
	}
	return fmt.Sprintf("%+v", *s)
}

// key taps a key, or a chord pressed in order and released in reverse (Ctrl+Z:
// key(e2e.ControlL, e2e.KeyZ)), with the pointer over the canvas (without a
// window manager, keys go to the window under the pointer).
func (a *app) key(syms ...uint32) {
	a.point(a.win.X+200, a.win.Y+200)
	a.press(len(syms), func() {
		for _, k := range syms {
			a.x.KeyDown(k)
		}
	}, func() {
		for i := len(syms) - 1; i >= 0; i-- {
			a.x.KeyUp(syms[i])
		}
	})
}

// stroke drags the left button along the points, pausing on each so the app
// sees the motion.
func (a *app) stroke(pts [][2]int) {
	a.point(pts[0][0], pts[0][1])
	a.press(1, func() { a.x.MouseDown(e2e.ButtonLeft) }, func() {
		for _, p := range pts[1:max(1, len(pts)-1)] {
			a.x.MouseMove(p[0], p[1])
			time.Sleep(60 * time.Millisecond)
		}
		last := pts[len(pts)-1]
		a.point(last[0], last[1])
		a.x.MouseUp(e2e.ButtonLeft)
	})
}

// click presses and releases the left button at screen point (px, py).
func (a *app) click(px, py int) {
	a.point(px, py)
	a.press(1, func() { a.x.MouseDown(e2e.ButtonLeft) }, func() { a.x.MouseUp(e2e.ButtonLeft) })
}

// point moves the pointer to screen point (px, py) and waits until the app
// reports it there: a panel control takes a press only once a frame has
// seen the pointer over it. A pointer the app does not see (off its
// window) is logged and the test goes on after waitSeen.
func (a *app) point(px, py int) {
	a.t.Helper()
	a.x.MouseMove(px, py)
	wx, wy := float64(px-a.win.X), float64(py-a.win.Y)
	if s, ok := a.waitInput(func(in appstate.Input) bool {
		return math.Abs(in.X-wx) < 1.5 && math.Abs(in.Y-wy) < 1.5
	}); !ok && s != nil {
		a.t.Logf("the app did not see the pointer at (%g, %g) in %v; it reports %+v", wx, wy, waitSeen, s.Input)
	}
}

// seen is the app's count of the presses and releases it has seen, from
// its newest report.
func (a *app) seen() appstate.Input {
	s := a.waitState(a.t, "a state report", func(*appstate.State) bool { return true })
	return s.Input
}

// press runs down, which presses n keys or buttons, waits until the app
// reports having seen them, then runs up, which releases them, and waits
// for that too. Frames on a loaded CI machine under the race detector can
// take hundreds of milliseconds, so no fixed hold is long enough; the app's
// own count says when the input arrived. A press the app never saw is
// released and sent again, at most three times in all.
func (a *app) press(n int, down, up func()) {
	a.t.Helper()
	before := a.seen()
	pressed := func(in appstate.Input) bool { return in.Presses >= before.Presses+n }
	for try := 1; ; try++ {
		down()
		_, ok := a.waitInput(pressed)
		up()
		if !ok {
			// Seen late, while being released? Then wait for the release.
			time.Sleep(hold)
			s, late := a.waitInput(pressed)
			if !late && try < 3 {
				a.t.Logf("press %d of 3 unseen after %v; sent again", try, waitSeen)
				if s != nil {
					before = s.Input
				}
				continue
			}
			if !late {
				a.t.Fatalf("the app never saw a press (%d tries); last state:\n%s", try, dump(s))
			}
		}
		if s, ok := a.waitInput(func(in appstate.Input) bool { return in.Releases >= before.Releases+n }); !ok {
			a.t.Fatalf("the app never saw a release; last state:\n%s", dump(s))
		}
		return
	}
}

// waitInput polls the reports for up to waitSeen until ok holds of their
// input counts, and returns the last report and whether it held.
func (a *app) waitInput(ok func(appstate.Input) bool) (*appstate.State, bool) {
	return a.poll(a.t, waitSeen, "input to arrive", func(s *appstate.State) bool { return ok(s.Input) })
}

// poll polls the state file until ok holds, and returns that state and
// true; after timeout, the last state and false. It fails t if the app
// exits or the state file cannot be read.
func (a *app) poll(t *testing.T, timeout time.Duration, what string, ok func(*appstate.State) bool) (*appstate.State, bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	var last *appstate.State
	for {
		select {
		case <-a.proc.Done():
			t.Fatalf("flowviz exited (%v) while waiting for %s", a.proc.Err(), what)
		default:
		}
		s, err := a.read()
		if err != nil {
			t.Fatalf("state file: %v", err)
		}
		if s != nil {
			last = s
			if ok(s) {
				return s, true
			}
		}
		if time.Now().After(deadline) {
			return last, false
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// clickChip clicks the shown lesson's chip i until chosen holds. A lesson's
// column can refit once after it opens, when its measured table arrives
// and is wider or longer than its placeholder, and the chips move with it;
// so each try aims at the box in a new report.
func (a *app) clickChip(t *testing.T, i int, chosen func(*appstate.State) bool) *appstate.State {
	t.Helper()
	var s *appstate.State
	for try := 1; try <= 4; try++ {
		s = a.fresh(t)
		if i >= len(s.Lesson.ChipBoxes) {
			t.Fatalf("lesson %d has no chip %d: %v", s.Lesson.Number, i, s.Lesson.Chips)
		}
		box := s.Lesson.ChipBoxes[i]
		a.click(a.win.X+int(box[0]+box[2]/2), a.win.Y+int(box[1]+box[3]/2))
		var ok bool
		if s, ok = a.poll(t, 5*time.Second, "the chip chosen", chosen); ok {
			return s
		}
		t.Logf("chip %d of lesson %d not chosen by a click at %v", i, s.Lesson.Number, box)
	}
	t.Fatalf("chip %d never chosen; last state:\n%s", i, dump(s))
	return nil
}

// control is the centre of a named clickable rectangle from the state file.
func control(t *testing.T, s *appstate.State, name string) (int, int) {
	t.Helper()
	r, ok := s.Controls[name]
	if !ok {
		t.Fatalf("state file has no control %q: %v", name, s.Controls)
	}
	return int(math.Round(r[0] + r[2]/2)), int(math.Round(r[1] + r[3]/2))
}

// toScreen and toWorld map between world points and screen pixels.
var toScreen, toWorld = e2e.ToScreen, e2e.ToWorld

// savePNG writes img where a person can look at it after a failure.
func savePNG(t *testing.T, img image.Image, name string) {
	t.Helper()
	dir := os.Getenv("FLOWVIZ_E2E_SHOTS")
	if dir == "" {
		dir = os.TempDir()
	}
	path := filepath.Join(dir, "flowviz-e2e-"+name+".png")
	f, err := os.Create(path)
	if err != nil {
		t.Logf("save screenshot: %v", err)
		return
	}
	defer f.Close()
	if err := png.Encode(f, img); err != nil {
		t.Logf("save screenshot: %v", err)
		return
	}
	t.Logf("screenshot: %s", path)
}

// moonsSummary, near and inked: see e2e.MoonsSummary, e2e.Near, e2e.Inked.
func moonsSummary(*testing.T) appstate.Points { return e2e.MoonsSummary() }

var near = e2e.Near

func inked(img *image.RGBA, x0, y0, x1, y1 int) int {
	return e2e.Inked(img, image.Rect(x0, y0, x1, y1))
}

// worldRect is the screen rectangle (window-relative pixels offset by the
// window's position) that shows the world box [wx0, wx1]×[wy0, wy1].
func (a *app) worldRect(c appstate.Camera, wx0, wy0, wx1, wy1 float64) (x0, y0, x1, y1 int) {
	sx0, sy0 := toScreen(c, wx0, wy1)
	sx1, sy1 := toScreen(c, wx1, wy0)
	return a.win.X + int(sx0), a.win.Y + int(sy0), a.win.X + int(sx1), a.win.Y + int(sy1)
}

// The moons (scale 2, shift 1) fill about x ∈ [−3, 3], y ∈ [−1, 2]: moonsBox
// is their middle, farBox an equally large box of the default view that they
// never reach, left of and below them.
var (
	moonsBox = [4]float64{-2.5, -0.5, 2.5, 1.5}
	farBox   = [4]float64{-3.8, -3.8, 1.2, -1.8}
)

// TestLiveApp is the lecturer's checklist on one running app: each subtest
// sets up what it needs (a timeline position, a layer) from what any earlier
// one may have left, so they share the start-up and the training.
func TestLiveApp(t *testing.T) {
	a := startApp(t)

	t.Run("learns the moons", func(t *testing.T) {
		want := moonsSummary(t)
		s := a.waitStateFor(t, waitLearn, "particles at t = 1 on the two moons", func(s *appstate.State) bool {
			return s.Training.State == "running" && s.Final.N == s.Particles && near(s.Final, want, 0.25)
		})
		t.Logf("moons after %d training steps: particles at t = 1 %+v, target %+v", s.Training.Step, s.Final, want)
		if s.Target != "moons" || s.Source != "gaussian" || s.Window != (appstate.Size{W: screenW, H: screenH}) {
			t.Errorf("default scene %s → %s in %v", s.Source, s.Target, s.Window)
		}
		if s.Status != "" || s.Training.Err != "" {
			t.Errorf("status %q, training error %q", s.Status, s.Training.Err)
		}
	})

	t.Run("space pauses and plays", func(t *testing.T) {
		s := a.waitState(t, "the timeline playing", func(s *appstate.State) bool { return s.Timeline.Playing })
		a.key(e2e.Space)
		paused := a.waitState(t, "the timeline paused", func(s *appstate.State) bool { return !s.Timeline.Playing })
		// Paused, t stays put over the next reports (≥ 400 ms).
		later := a.next(t, a.next(t, paused))
		if later.Timeline.Playing || later.Timeline.T != paused.Timeline.T {
			t.Errorf("paused at t = %v, later t = %v playing %v", paused.Timeline.T, later.Timeline.T, later.Timeline.Playing)
		}
		a.key(e2e.Space)
		a.waitState(t, "the timeline playing again and t moving", func(s *appstate.State) bool {
			return s.Timeline.Playing && s.Timeline.T != paused.Timeline.T
		})
		if s.Timeline.Mode != "loop" {
			t.Errorf("playback mode %q, want the default loop", s.Timeline.Mode)
		}
	})

	t.Run("arrow keys step the solver, Home and End jump", func(t *testing.T) {
		a.key(e2e.Home)
		s := a.waitState(t, "step 0 after Home", func(s *appstate.State) bool {
			return !s.Timeline.Playing && s.Timeline.K == 0 && s.Timeline.T == 0
		})
		n := s.Timeline.N
		if n != 50 {
			t.Fatalf("N = %d, want the default 50 steps", n)
		}
		for _, step := range []struct {
			key  uint32
			name string
			k    int
		}{
			{e2e.Right, "→", 1},
			{e2e.Right, "→", 2},
			{e2e.Right, "→", 3},
			{e2e.Left, "←", 2},
			{e2e.End, "End", n},
			{e2e.Left, "←", n - 1},
			{e2e.Right, "→", n},
			{e2e.Home, "Home", 0},
		} {
			a.key(step.key)
			// t = k/N exactly, as the sampling loop's state k is.
			a.waitState(t, fmt.Sprintf("state k = %d, t = %d/%d after %s", step.k, step.k, n, step.name), func(s *appstate.State) bool {
				return !s.Timeline.Playing && s.Timeline.K == step.k && s.Timeline.Exact &&
					s.Timeline.T == float64(step.k)/float64(n)
			})
		}
	})

	t.Run("V hides and shows the arrows, and the particles sit on the moons", func(t *testing.T) {
		a.key(e2e.End) // t = 1: the particles are samples of the model
		on := a.waitState(t, "t = 1 with the arrows on", func(s *appstate.State) bool {
			return s.Timeline.K == s.Timeline.N && s.Layers.Field && s.Layers.Particles
		})
		imgOn := a.x.Screenshot(t)
		a.key(e2e.KeyV)
		off := a.waitState(t, "the arrows off", func(s *appstate.State) bool { return !s.Layers.Field })
		if off.Layers.Particles != on.Layers.Particles || off.Layers.Grid != on.Layers.Grid {
			t.Errorf("V changed other layers: %+v → %+v", on.Layers, off.Layers)
		}
		a.fresh(t) // a frame drawn after the toggle
		imgOff := a.x.Screenshot(t)

		cam := off.Camera
		fx0, fy0, fx1, fy1 := a.worldRect(cam, farBox[0], farBox[1], farBox[2], farBox[3])
		mx0, my0, mx1, my1 := a.worldRect(cam, moonsBox[0], moonsBox[1], moonsBox[2], moonsBox[3])
		farOn, farOff := inked(imgOn, fx0, fy0, fx1, fy1), inked(imgOff, fx0, fy0, fx1, fy1)
		moons := inked(imgOff, mx0, my0, mx1, my1)
		t.Logf("inked pixels: far box %d with arrows, %d without; moons box %d (of %d)",
			farOn, farOff, moons, (mx1-mx0)*(my1-my0))
		// Arrows cover the whole plane; without them, the far box is nearly empty.
		if farOn < 500 || farOff > farOn/10 {
			t.Errorf("far from the data %d inked pixels with arrows, %d without: V did not hide them", farOn, farOff)
		}
		// 4,000 dots of a few pixels each land in the moons box, few elsewhere.
		if moons < 3000 || farOff > moons/20 {
			t.Errorf("at t = 1, %d inked pixels on the moons, %d far away", moons, farOff)
		}
		if t.Failed() {
			savePNG(t, imgOn, "arrows-on")
			savePNG(t, imgOff, "arrows-off")
		}

		a.key(e2e.KeyV)
		a.waitState(t, "the arrows back on", func(s *appstate.State) bool { return s.Layers.Field })
	})

	t.Run("timeline buttons do what they show", func(t *testing.T) {
		s := a.fresh(t)
		n := s.Timeline.N
		for _, step := range []struct {
			button string
			k      int
		}{
			{"start", 0},
			{"forward", 1},
			{"forward", 2},
			{"back", 1},
			{"end", n},
			{"back", n - 1},
		} {
			a.click(control(t, s, step.button))
			a.waitState(t, fmt.Sprintf("state %d after a click on %s", step.k, step.button), func(s *appstate.State) bool {
				return !s.Timeline.Playing && s.Timeline.K == step.k && s.Timeline.T == float64(step.k)/float64(n)
			})
		}
		a.click(control(t, s, "play"))
		a.waitState(t, "playing after a click on play", func(s *appstate.State) bool { return s.Timeline.Playing })
		a.click(control(t, s, "play"))
		a.waitState(t, "paused after a second click on play", func(s *appstate.State) bool { return !s.Timeline.Playing })
	})

	t.Run("the wheel zooms around the pointer", func(t *testing.T) {
		s := a.fresh(t)
		// A canvas point off-centre, so that zooming about the centre would move it.
		px, py := 260.0, 190.0
		wx, wy := toWorld(s.Camera, px, py)
		for _, c := range []struct {
			clicks int
			factor float64 // 1.15 per notch
		}{
			{+3, math.Pow(1.15, 3)},
			{-3, 1},
		} {
			a.x.Scroll(a.win.X+int(px), a.win.Y+int(py), c.clicks)
			want := s.Camera.Zoom * c.factor
			got := a.waitState(t, fmt.Sprintf("zoom %.2f after %+d wheel notches", want, c.clicks), func(s *appstate.State) bool {
				return math.Abs(s.Camera.Zoom-want) < 1e-6*want
			})
			// ZoomAt keeps the world point under the pointer where it was.
			sx, sy := toScreen(got.Camera, wx, wy)
			if math.Hypot(sx-px, sy-py) > 1.5 {
				t.Errorf("after %+d notches the world point (%.3f, %.3f) under the pointer moved to (%.1f, %.1f), pointer at (%v, %v)",
					c.clicks, wx, wy, sx, sy, px, py)
			}
		}
	})

	t.Run("right drag pans", func(t *testing.T) {
		s := a.fresh(t)
		x0, y0, x1, y1 := 500, 300, 380, 420
		wx, wy := toWorld(s.Camera, float64(x0), float64(y0))
		a.drag(x0, y0, x1, y1, e2e.ButtonRight)
		a.waitState(t, "the camera moved", func(p *appstate.State) bool { return p.Camera.X != s.Camera.X })
		got := a.fresh(t)
		// The world point grabbed follows the pointer: it is now under (x1, y1).
		sx, sy := toScreen(got.Camera, wx, wy)
		if math.Hypot(sx-float64(x1), sy-float64(y1)) > 1.5 || got.Camera.Zoom != s.Camera.Zoom {
			t.Errorf("grabbed (%.3f, %.3f) at (%d, %d), dropped at (%d, %d): it is at (%.1f, %.1f), zoom %v → %v",
				wx, wy, x0, y0, x1, y1, sx, sy, s.Camera.Zoom, got.Camera.Zoom)
		}
		a.key(e2e.KeyF) // fit the view to the data again for the tests after this one
	})

	t.Run("the panel's Pause and Train buttons, and clicks on the panel stay there", func(t *testing.T) {
		a.fresh(t) // after the previous test's input
		s := a.waitState(t, "training running", func(s *appstate.State) bool { return s.Training.State == "running" })
		panel := s.Controls["panel"]
		if panel[2] <= 0 {
			t.Fatalf("no panel in the state file: %v", s.Controls)
		}
		// The Training section opens the panel with Train, Pause and Reset side
		// by side in its first row, 59 px below the panel's top at scale 1.
		row := int(panel[1]) + 59
		pauseX, trainX := int(panel[0]+panel[2]/2), int(panel[0]+panel[2]/6)
		a.click(a.win.X+pauseX, a.win.Y+row)
		paused := a.waitState(t, "training paused", func(s *appstate.State) bool { return s.Training.State == "paused" })
		later := a.next(t, a.next(t, paused))
		if later.Training.Step != paused.Training.Step || later.Training.State != "paused" {
			t.Errorf("paused training went on: step %d → %d, %s", paused.Training.Step, later.Training.Step, later.Training.State)
		}
		if later.Status != "training paused" {
			t.Errorf("status %q after Pause", later.Status)
		}

		// The wheel and a right drag over the panel leave the camera, and the
		// clicks left the timeline, as they were.
		a.x.Scroll(a.win.X+int(panel[0]+panel[2]/2), a.win.Y+int(panel[1]+panel[3]/2), 2)
		a.drag(int(panel[0])+40, int(panel[1])+400, int(panel[0])-200, int(panel[1])+300, e2e.ButtonRight)
		after := a.fresh(t)
		if after.Camera != s.Camera || after.Timeline.K != s.Timeline.K || after.Timeline.Playing != s.Timeline.Playing {
			t.Errorf("input on the panel reached the canvas: camera %+v → %+v, timeline %+v → %+v",
				s.Camera, after.Camera, s.Timeline, after.Timeline)
		}

		a.click(a.win.X+trainX, a.win.Y+row)
		a.waitState(t, "training running again", func(p *appstate.State) bool {
			return p.Training.State == "running" && p.Training.Step > paused.Training.Step
		})
	})

	t.Run("SIGTERM ends it at once with exit 0 while training runs", func(t *testing.T) {
		a.waitState(t, "training running", func(s *appstate.State) bool { return s.Training.State == "running" })
		if err := a.proc.Signal(syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
		select {
		case <-a.proc.Done():
		case <-time.After(5 * time.Second):
			t.Fatal("flowviz still running 5 s after SIGTERM")
		}
		if err := a.proc.Err(); err != nil {
			t.Errorf("exit: %v, want status 0", err)
		}
		if out := a.proc.Output(); strings.Contains(out, "panic") || strings.Contains(out, "flowviz:") {
			t.Errorf("flowviz complained on its way out:\n%s", out)
		}
	})
}

// drag presses button at (x0, y0), moves to (x1, y1) in a few steps and
// releases it there, pausing at each stage so that the app's frame loop sees
// the last position before the release.
func (a *app) drag(x0, y0, x1, y1, button int) {
	const steps = 6
	a.point(a.win.X+x0, a.win.Y+y0)
	a.press(1, func() { a.x.MouseDown(button) }, func() {
		for i := 1; i < steps; i++ {
			// p = p0 + (p1 − p0)·i/steps, rounded.
			f := float64(i) / steps
			a.x.MouseMove(a.win.X+x0+int(math.Round(float64(x1-x0)*f)), a.win.Y+y0+int(math.Round(float64(y1-y0)*f)))
			time.Sleep(hold / 3)
		}
		a.point(a.win.X+x1, a.win.Y+y1)
		a.x.MouseUp(button)
	})
}

// A learning rate far too large makes training diverge; the app says so in
// its status line and the state, stops training, and keeps running.
func TestDivergingLearningRateIsReported(t *testing.T) {
	a := startApp(t, "-lr", "10")
	s := a.waitState(t, "training failed with an error", func(s *appstate.State) bool {
		return s.Training.State == "failed" && s.Training.Err != ""
	})
	t.Logf("status %q; training error %q", s.Status, s.Training.Err)
	if !strings.Contains(s.Status, "Training stopped") || !strings.Contains(s.Status, "lr") {
		t.Errorf("status %q does not say that training stopped and what to do", s.Status)
	}
	// Still alive: the timeline still answers keys, and frames still come.
	a.key(e2e.Home)
	later := a.waitState(t, "the app answering Home after the failure", func(p *appstate.State) bool {
		return p.Timeline.K == 0 && !p.Timeline.Playing && p.Frame > s.Frame
	})
	if later.Training.State != "failed" || later.Training.Step != s.Training.Step {
		t.Errorf("training after failure: %s at step %d, was failed at %d", later.Training.State, later.Training.Step, s.Training.Step)
	}
	select {
	case <-a.proc.Done():
		t.Fatalf("flowviz exited after the divergence: %v", a.proc.Err())
	default:
	}
}
