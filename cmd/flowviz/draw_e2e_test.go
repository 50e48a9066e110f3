package main_test

// End-to-end test of draw mode: real XTEST pointer events on the real binary
// under a private Xvfb, checked through the -state-file JSON.

import (
	"fmt"
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

// drawHold keeps a key or button down for several frames: the app reads
// input once per frame, and under -race on two cores a frame can take 50 ms.
const drawHold = 150 * time.Millisecond

// drawWait bounds each poll of the state file.
const drawWait = 45 * time.Second

// drawSession is one flowviz process on its own X server.
type drawSession struct {
	x     *e2e.X
	proc  *e2e.Proc
	state string
}

// startDrawSession launches flowviz with configDir as its config directory
// (os.UserConfigDir reads XDG_CONFIG_HOME first), so the kept drawing of a
// test never mixes with the user's own.
func startDrawSession(t *testing.T, configDir string, args ...string) *drawSession {
	t.Helper()
	x := e2e.StartX(t, 1280, 800)
	bin := e2e.BuildBinary(t, "github.com/flowviz/flowviz/cmd/flowviz")
	t.Setenv("XDG_CONFIG_HOME", configDir)
	s := &drawSession{x: x, state: filepath.Join(t.TempDir(), "state.json")}
	s.proc = x.Launch(t, bin, append([]string{"-state-file", s.state}, args...)...)
	x.WaitWindow(t, "flowviz", drawWait)
	s.wait(t, "a first scene", func(st *appstate.State) bool { return st.Scenes > 0 && st.Final.N > 0 })
	return s
}

// wait polls the state file until ok holds and returns that state.
func (s *drawSession) wait(t *testing.T, what string, ok func(*appstate.State) bool) *appstate.State {
	t.Helper()
	deadline := time.Now().Add(drawWait)
	var last *appstate.State
	for {
		select {
		case <-s.proc.Done():
			t.Fatalf("flowviz exited (%v) while waiting for %s", s.proc.Err(), what)
		default:
		}
		st, err := appstate.ReadFile(s.state)
		if err == nil {
			last = st
			if ok(st) {
				return st
			}
		} else if !os.IsNotExist(err) {
			t.Logf("state file: %v", err)
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s; last state: %+v", what, last)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// tap presses the keys (a chord, in order) for a few frames.
func (s *drawSession) tap(keys ...uint32) {
	for _, k := range keys {
		s.x.KeyDown(k)
	}
	time.Sleep(drawHold)
	for i := len(keys) - 1; i >= 0; i-- {
		s.x.KeyUp(keys[i])
	}
	time.Sleep(drawHold)
}

// stroke drags the left button along the points, pausing on each so the
// app sees the motion, and holding at both ends for a few frames.
func (s *drawSession) stroke(pts [][2]int) {
	s.x.MouseMove(pts[0][0], pts[0][1])
	time.Sleep(drawHold)
	s.x.MouseDown(1)
	time.Sleep(drawHold)
	for _, p := range pts[1:] {
		s.x.MouseMove(p[0], p[1])
		time.Sleep(60 * time.Millisecond)
	}
	time.Sleep(drawHold)
	s.x.MouseUp(1)
	time.Sleep(drawHold)
}

// drawToWorld maps a screen pixel to world coordinates with the reported camera:
// wx = cx + (sx − X − W/2)/zoom, wy = cy − (sy − Y − H/2)/zoom.
func drawToWorld(c appstate.Camera, sx, sy int) (float64, float64) {
	return c.X + (float64(sx)-c.Canvas[0]-c.Canvas[2]/2)/c.Zoom, c.Y - (float64(sy)-c.Canvas[1]-c.Canvas[3]/2)/c.Zoom
}

func TestDrawStrokeBecomesTheTarget(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end")
	}
	config := t.TempDir()
	s := startDrawSession(t, config, "-particles", "2000")
	s.tap(e2e.KeyD)
	before := s.wait(t, "draw mode", func(st *appstate.State) bool { return st.Drawing.On })
	if before.Drawing.Points != 0 {
		t.Fatalf("a fresh drawing has %d points", before.Drawing.Points)
	}
	cam := before.Camera

	// A horizontal stroke across the upper left of the canvas, where no
	// moon lies: y = 200 px, x from 200 to 600 px.
	var pts [][2]int
	for x := 200; x <= 600; x += 20 {
		pts = append(pts, [2]int{x, 200})
	}
	s.stroke(pts)
	x0, y0 := drawToWorld(cam, 200, 200)
	x1, _ := drawToWorld(cam, 600, 200)
	drawn := s.wait(t, "the stroke in the drawing and the target", func(st *appstate.State) bool {
		return st.Drawing.Points > 100 && st.Drawing.Box != nil && strings.HasPrefix(st.Target, "drawing(")
	})
	box := *drawn.Drawing.Box
	r := 40 / cam.Zoom // a brush radius of 14 px, and slack for frame timing
	if box[0] < x0-r || box[0] > x0+r || box[2] < x1-r || box[2] > x1+r || box[1] < y0-r || box[3] > y0+r {
		t.Fatalf("drawing box %v does not follow the stroke (%.2f..%.2f at y %.2f, ± %.2f)", box, x0, x1, y0, r)
	}

	// Training continues on the drawing; the particles at t = 1 gather on
	// it: on its line, within its ends, spread along it. (A loaded machine
	// sees fewer frames of the drag, so the spray may be denser in places:
	// the spread is asked of the drawing, not of the ideal stroke.)
	step := drawn.Training.Step
	learned := s.wait(t, "the particles on the stroke", func(st *appstate.State) bool {
		f, b := st.Final, st.Drawing.Box
		return st.Training.State == "running" && st.SceneStep > step && f.N > 0 && b != nil &&
			math.Abs(f.P50[1]-y0) < 0.25 && f.P25[1] > y0-0.4 && f.P75[1] < y0+0.4 &&
			f.P05[0] > b[0]-0.5 && f.P95[0] < b[2]+0.5 && f.P75[0]-f.P25[0] > 0.15*(b[2]-b[0])
	})
	t.Logf("%d training steps after the stroke, particles at t=1: median %v, quartiles %v..%v; stroke x %.2f..%.2f y %.2f",
		learned.SceneStep-step, learned.Final.P50, learned.Final.P25, learned.Final.P75, x0, x1, y0)

	// Ctrl+Z undoes the stroke: the drawing empties and training waits.
	s.tap(e2e.ControlL, e2e.KeyZ)
	s.wait(t, "the undo", func(st *appstate.State) bool {
		return st.Drawing.Points == 0 && st.Training.State == "waiting" && strings.Contains(st.Status, "draw something")
	})
	// Ctrl+Shift+Z brings it back and training resumes.
	s.tap(e2e.ControlL, e2e.ShiftL, e2e.KeyZ)
	redone := s.wait(t, "the redo", func(st *appstate.State) bool {
		return st.Drawing.Points > 100 && st.Training.State == "running" && strings.HasPrefix(st.Target, "drawing(")
	})

	// Closing the app keeps the drawing; the next start trains on it again.
	if err := s.proc.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case <-s.proc.Done():
	case <-time.After(drawWait):
		t.Fatal("flowviz did not exit on SIGTERM")
	}
	if _, err := os.Stat(filepath.Join(config, "flowviz", "drawing.csv")); err != nil {
		t.Fatalf("no kept drawing: %v", err)
	}
	again := startDrawSession(t, config, "-particles", "2000")
	again.wait(t, "the kept drawing as the target", func(st *appstate.State) bool {
		return st.Drawing.Points == redone.Drawing.Points && st.Target == fmt.Sprintf("drawing(n=%d)", redone.Drawing.Points)
	})
}
