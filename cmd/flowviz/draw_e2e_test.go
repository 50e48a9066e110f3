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

// drawWait bounds each poll of the state file: a stroke's points reach the
// trainer and the particles at most ten times a second, on top of CI's load.
const drawWait = 45 * time.Second

func TestDrawStrokeBecomesTheTarget(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end")
	}
	config := t.TempDir()
	s := startAppIn(t, config, "-particles", "2000")
	s.key(e2e.KeyD)
	before := s.waitStateFor(t, drawWait, "draw mode", func(st *appstate.State) bool { return st.Drawing.On })
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
	x0, y0 := toWorld(cam, 200, 200)
	x1, _ := toWorld(cam, 600, 200)
	r := 40 / cam.Zoom // a brush radius of 14 px, and slack for frame timing
	follows := func(box [4]float64) bool {
		return box[0] >= x0-r && box[0] <= x0+r && box[2] >= x1-r && box[2] <= x1+r && box[1] >= y0-r && box[3] <= y0+r
	}
	// A loaded machine plays the drag back over several frames and writes
	// the state file a few ticks late: wait for the whole stroke.
	drawn := s.waitStateFor(t, drawWait, "the stroke in the drawing and the target", func(st *appstate.State) bool {
		return st.Drawing.Points > 100 && st.Drawing.Box != nil && strings.HasPrefix(st.Target, "drawing(")
	})
	for deadline := time.Now().Add(drawWait); !follows(*drawn.Drawing.Box); {
		if time.Now().After(deadline) {
			t.Fatalf("drawing box %v does not follow the stroke (%.2f..%.2f at y %.2f, ± %.2f); camera %+v when the stroke began, %+v now",
				*drawn.Drawing.Box, x0, x1, y0, r, cam, drawn.Camera)
		}
		time.Sleep(100 * time.Millisecond)
		drawn = s.waitStateFor(t, drawWait, "the stroke in the drawing", func(st *appstate.State) bool { return st.Drawing.Box != nil })
	}

	// Training continues on the drawing; the particles at t = 1 gather on
	// it: on its line, within its ends, spread along it. (A loaded machine
	// sees fewer frames of the drag, so the spray may be denser in places:
	// the spread is asked of the drawing, not of the ideal stroke.)
	step := drawn.Training.Step
	learned := s.waitStateFor(t, drawWait, "the particles on the stroke", func(st *appstate.State) bool {
		f, b := st.Final, st.Drawing.Box
		return st.Training.State == "running" && st.SceneStep > step && f.N > 0 && b != nil &&
			math.Abs(f.P50[1]-y0) < 0.25 && f.P25[1] > y0-0.4 && f.P75[1] < y0+0.4 &&
			f.P05[0] > b[0]-0.5 && f.P95[0] < b[2]+0.5 && f.P75[0]-f.P25[0] > 0.15*(b[2]-b[0])
	})
	t.Logf("%d training steps after the stroke, particles at t=1: median %v, quartiles %v..%v; stroke x %.2f..%.2f y %.2f",
		learned.SceneStep-step, learned.Final.P50, learned.Final.P25, learned.Final.P75, x0, x1, y0)

	// Ctrl+Z undoes the stroke: the drawing empties and training waits.
	s.key(e2e.ControlL, e2e.KeyZ)
	s.waitStateFor(t, drawWait, "the undo", func(st *appstate.State) bool {
		return st.Drawing.Points == 0 && st.Training.State == "waiting" && strings.Contains(st.Status, "draw something")
	})
	// Ctrl+Shift+Z brings it back and training resumes.
	s.key(e2e.ControlL, e2e.ShiftL, e2e.KeyZ)
	redone := s.waitStateFor(t, drawWait, "the redo", func(st *appstate.State) bool {
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
	again := startAppIn(t, config, "-particles", "2000")
	again.waitStateFor(t, drawWait, "the kept drawing as the target", func(st *appstate.State) bool {
		return st.Drawing.Points == redone.Drawing.Points && st.Target == fmt.Sprintf("drawing(n=%d)", redone.Drawing.Points)
	})
}
