package e2e

import (
	"errors"
	"fmt"
	"image/color"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestMain(m *testing.M) { Main(m) }

const (
	// Where testdata/xclient puts its window by default.
	probeX, probeY, probeW, probeH = 100, 80, 200, 150
	waitLong                       = 20 * time.Second
)

// startProbe starts a server and the probe client, and waits for its first paint.
func startProbe(t *testing.T, w, h int) (*X, *Proc, Window) {
	t.Helper()
	x := StartX(t, w, h)
	probe := x.Launch(t, BuildBinary(t, "./testdata/xclient"))
	win := x.WaitWindow(t, "e2e-probe", waitLong)
	probe.WaitOutput(t, "expose", waitLong)
	return x, probe, win
}

func TestHarnessFindsWindowAndScreenshots(t *testing.T) {
	x, _, win := startProbe(t, 640, 480)

	if got, want := [4]int{win.X, win.Y, win.Width, win.Height}, [4]int{probeX, probeY, probeW, probeH}; got != want {
		t.Errorf("window geometry %v, want %v", got, want)
	}
	if win.Title != "e2e-probe" {
		t.Errorf("title %q", win.Title)
	}

	img := x.Screenshot(t)
	if b := img.Bounds(); b.Dx() != 640 || b.Dy() != 480 {
		t.Fatalf("screenshot is %v, want 640x480", b)
	}
	cx, cy := win.Center()
	for _, tc := range []struct {
		name string
		x, y int
		want color.RGBA
	}{
		{"window background", cx, cy, color.RGBA{0x33, 0x66, 0xcc, 0xff}},
		{"patch the client drew", probeX + 15, probeY + 15, color.RGBA{0xff, 0x88, 0x00, 0xff}},
		{"root outside the window (-br)", 20, 20, color.RGBA{0, 0, 0, 0xff}},
		{"just right of the window", probeX + probeW, cy, color.RGBA{0, 0, 0, 0xff}},
	} {
		if got := img.RGBAAt(tc.x, tc.y); got != tc.want {
			t.Errorf("%s at (%d,%d): %v, want %v", tc.name, tc.x, tc.y, got, tc.want)
		}
	}
}

func TestHarnessInputReachesWindow(t *testing.T) {
	x, probe, win := startProbe(t, 640, 480)

	// Window-relative coordinates in the client's lines prove the pointer went where asked.
	x.Click(probeX+50, probeY+40, ButtonLeft)
	probe.WaitOutput(t, "button press 1 at 50,40", waitLong)
	probe.WaitOutput(t, "button release 1 at 50,40", waitLong)

	x.Click(probeX+60, probeY+30, ButtonRight)
	probe.WaitOutput(t, "button press 3 at 60,30", waitLong)

	// Button1Mask (0x100) in the motion's state: the button is held during the drag.
	x.Drag(probeX+10, probeY+100, probeX+110, probeY+120, ButtonLeft, 4)
	probe.WaitOutput(t, "motion 35,105 state=0x100", waitLong)
	probe.WaitOutput(t, "button release 1 at 110,120", waitLong)

	x.Scroll(probeX+20, probeY+20, 2)
	x.Scroll(probeX+20, probeY+20, -1)
	probe.WaitOutput(t, "button press 4 at 20,20", waitLong)
	probe.WaitOutput(t, "button press 5 at 20,20", waitLong)

	// With no window manager keys go to the window under the pointer.
	x.MouseMove(win.Center())
	x.KeyTap(KeyA, Space, Escape, F11, PageDown)
	for _, sym := range []uint32{KeyA, Space, Escape, F11, PageDown} {
		probe.WaitOutput(t, fmt.Sprintf("key press sym=%#x state=0x0", sym), waitLong)
		probe.WaitOutput(t, fmt.Sprintf("key release sym=%#x", sym), waitLong)
	}
	// Shift (mask 0x1) is held for the uppercase letter and "!", not for the rest.
	x.Type("Hi!7\n")
	for _, want := range []string{"sym=0x48 state=0x1", "sym=0x69 state=0x0", "sym=0x21 state=0x1",
		"sym=0x37 state=0x0", "sym=0xff0d state=0x0"} {
		probe.WaitOutput(t, "key press "+want, waitLong)
	}
	// A modifier held with KeyDown applies to keys tapped meanwhile (ControlMask 0x4).
	x.KeyDown(ControlL)
	x.KeyTap(KeyS)
	x.KeyUp(ControlL)
	probe.WaitOutput(t, "key press sym=0x73 state=0x4", waitLong)

	// With the pointer outside, keys reach the window only once it has the focus.
	x.MouseMove(5, 5)
	x.KeyTap(KeyQ)
	x.Focus(win)
	x.KeyTap(KeyB)
	probe.WaitOutput(t, "key press sym=0x62", waitLong)
	if strings.Contains(probe.Output(), "sym=0x71") {
		t.Error("a key pressed with the pointer outside and no focus reached the window")
	}

	if out := probe.Output(); strings.Contains(out, "X error") {
		t.Errorf("client saw X errors:\n%s", out)
	}
}

// Two private servers at once (also under an outer xvfb-run) get distinct displays and
// their own sizes.
func TestTwoServersAtOnce(t *testing.T) {
	a := StartX(t, 320, 240)
	b := StartX(t, 400, 300)
	if a.Display() == b.Display() {
		t.Fatalf("both servers on %s", a.Display())
	}
	for _, tc := range []struct {
		x    *X
		w, h int
	}{{a, 320, 240}, {b, 400, 300}} {
		if got := tc.x.Screenshot(t).Bounds().Size(); got.X != tc.w || got.Y != tc.h {
			t.Errorf("%s screenshot %v, want %dx%d", tc.x.Display(), got, tc.w, tc.h)
		}
	}
	// A window on one is not on the other.
	b.Launch(t, BuildBinary(t, "./testdata/xclient"), "-title", "only-on-b", "-w", "50", "-h", "50")
	b.WaitWindow(t, "only-on-b", waitLong)
	if ws, err := a.windows(); err != nil || len(ws) != 0 {
		t.Errorf("server %s has windows %v (err %v), want none", a.Display(), ws, err)
	}
}

func TestBuildBinaryCaches(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a binary")
	}
	first := BuildBinary(t, "./testdata/xclient")
	if again := BuildBinary(t, "./testdata/xclient"); again != first {
		t.Errorf("second build gave %s, first %s", again, first)
	}
}

func TestSignalEndsProgram(t *testing.T) {
	_, probe, _ := startProbe(t, 320, 240)
	if err := probe.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case <-probe.Done():
	case <-time.After(waitLong):
		t.Fatal("probe still running after SIGTERM")
	}
	// The probe does not catch SIGTERM, so it dies of it.
	var exit *exec.ExitError
	if err := probe.Err(); !errors.As(err, &exit) || exit.Sys().(syscall.WaitStatus).Signal() != syscall.SIGTERM {
		t.Errorf("exit %v, want killed by SIGTERM", err)
	}
}
