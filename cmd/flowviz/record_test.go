package main

import (
	"bufio"
	"image/gif"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/flowviz/flowviz/flow"
	"github.com/flowviz/flowviz/viz/e2e"
	"github.com/flowviz/flowviz/viz/scene"
	"github.com/flowviz/flowviz/viz/session"
)

// writeSession saves a session without weights: a drawn target of two
// clusters, small enough to train in a moment.
func writeSession(t *testing.T, dir string) string {
	t.Helper()
	set := scene.DefaultSettings()
	set.Width, set.Depth, set.Particles, set.Steps = 16, 2, 500, 20
	var pts []flow.Vec
	for i := range 40 {
		pts = append(pts, flow.Vec{2 + 0.01*float64(i), 1}, flow.Vec{-2, -1 - 0.01*float64(i)})
	}
	s := &session.Session{
		Settings: set,
		Source:   session.Data{Spec: "gaussian"},
		Target:   session.Data{Points: pts, Jitter: 0.05, Name: "drawing"},
		View:     session.View{Zoom: 80, Speed: 1, Layers: session.Layers{Particles: true}},
	}
	path := filepath.Join(dir, "s.flowviz")
	if err := session.Save(path, s); err != nil {
		t.Fatal(err)
	}
	return path
}

// headless is the command bin args run without any display, as on a server
// or in a lecturer's script over ssh.
func headless(bin string, args ...string) *exec.Cmd {
	cmd := exec.Command(bin, args...)
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "DISPLAY=") && !strings.HasPrefix(kv, "WAYLAND_DISPLAY=") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	return cmd
}

// TestRecordFlag runs `flowviz -session s.flowviz -record out.gif` as a
// lecturer's script would: it trains the weightless session briefly,
// renders the GIF and exits 0 without opening a window; a damaged session
// exits 1 with a message.
func TestRecordFlag(t *testing.T) {
	dir := t.TempDir()
	sess := writeSession(t, dir)
	bin := e2e.BuildBinary(t, "github.com/flowviz/flowviz/cmd/flowviz")
	out := filepath.Join(dir, "out.gif")
	cmd := headless(bin, "-session", sess, "-record", out, "-record-steps", "300", "-record-size", "120", "-record-frames", "12")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("flowviz -record: %v\n%s", err, b)
	}
	checkGIF(t, out, 12, 120)

	bad := filepath.Join(dir, "bad.flowviz")
	raw, _ := os.ReadFile(sess)
	os.WriteFile(bad, raw[:len(raw)/2], 0o644)
	cmd = headless(bin, "-session", bad, "-record", filepath.Join(dir, "no.gif"))
	b, err := cmd.CombinedOutput()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 || !strings.Contains(string(b), "truncated") {
		t.Fatalf("damaged session: %v\n%s", err, b)
	}
	if _, err := os.Stat(filepath.Join(dir, "no.gif")); err == nil {
		t.Fatal("a GIF was written for a damaged session")
	}
}

// TestRecordFromFlagsNoDisplay runs `flowviz -record out.gif -target …`
// with no display: it trains the scene its flags describe, prints progress
// and nothing else on stderr, and writes the GIF.
func TestRecordFromFlagsNoDisplay(t *testing.T) {
	dir := t.TempDir()
	bin := e2e.BuildBinary(t, "github.com/flowviz/flowviz/cmd/flowviz")
	out := filepath.Join(dir, "slide.gif")
	cmd := headless(bin, "-record", out, "-target", "8gaussians", "-coupling", "ot", "-width", "16", "-depth", "2",
		"-particles", "400", "-record-steps", "200", "-record-size", "96", "-record-frames", "8", "-record-trails")
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("flowviz -record: %v\n%s", err, stderr.String())
	}
	for i, line := range strings.Split(strings.TrimSpace(stderr.String()), "\n") {
		ok := false
		for _, p := range []string{"training ", "trained 200 steps", "sampling 400 particles", "recording frame ", "wrote " + out} {
			ok = ok || strings.HasPrefix(line, p)
		}
		if !ok {
			t.Errorf("stderr line %d is not progress: %q", i+1, line)
		}
	}
	if !strings.Contains(stderr.String(), "ot coupling") {
		t.Errorf("the OT coupling of the flags was not trained:\n%s", stderr.String())
	}
	if stdout.Len() > 0 {
		t.Errorf("stdout: %q", stdout.String())
	}
	checkGIF(t, out, 8, 96)
}

// checkGIF checks that path is an animated GIF of frames frames, size px wide.
func checkGIF(t *testing.T, path string, frames, size int) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	anim, err := gif.DecodeAll(f)
	if err != nil {
		t.Fatal(err)
	}
	if len(anim.Image) != frames || anim.Image[0].Bounds().Dx() != size {
		t.Fatalf("%s: %d frames of %v, want %d of %d px", path, len(anim.Image), anim.Image[0].Bounds(), frames, size)
	}
}

// TestRecordCtrlC interrupts a long recording while it trains: it stops
// within seconds with exit status 1 and writes no GIF.
func TestRecordCtrlC(t *testing.T) {
	dir := t.TempDir()
	bin := e2e.BuildBinary(t, "github.com/flowviz/flowviz/cmd/flowviz")
	out := filepath.Join(dir, "never.gif")
	cmd := headless(bin, "-record", out, "-record-steps", "10000000")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	lines := make(chan string, 100)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	var log []string
	wait := time.After(60 * time.Second)
	for len(log) == 0 || !strings.HasPrefix(log[len(log)-1], "training") {
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatalf("flowviz exited before training:\n%s", strings.Join(log, "\n"))
			}
			log = append(log, l)
		case <-wait:
			t.Fatalf("no training line in 60 s:\n%s", strings.Join(log, "\n"))
		}
	}
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		for l := range lines {
			log = append(log, l)
		}
		done <- cmd.Wait()
	}()
	select {
	case err := <-done:
		if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 {
			t.Errorf("after Ctrl+C: %v, want exit status 1", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("flowviz -record did not stop within 30 s of Ctrl+C")
	}
	if !strings.Contains(strings.Join(log, "\n"), "interrupted; no GIF written") {
		t.Errorf("stderr:\n%s", strings.Join(log, "\n"))
	}
	if _, err := os.Stat(out); err == nil {
		t.Error("an interrupted recording wrote its GIF")
	}
}

// TestNoDisplay checks what flowviz does with no display at all: -version
// prints the build, and the app itself says it needs a display, instead of
// ebiten panicking.
func TestNoDisplay(t *testing.T) {
	bin := e2e.BuildBinary(t, "github.com/flowviz/flowviz/cmd/flowviz")
	b, err := headless(bin, "-version").CombinedOutput()
	if err != nil || !strings.HasPrefix(string(b), "flowviz ") || !strings.Contains(string(b), "commit ") {
		t.Errorf("flowviz -version: %v\n%s", err, b)
	}
	b, err = headless(bin, "-fresh").CombinedOutput()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 || !strings.Contains(string(b), "no display") || strings.Contains(string(b), "panic") {
		t.Errorf("flowviz without a display: %v\n%s", err, b)
	}
}

// TestBadFlagsExit2 checks that absurd settings on the command line are
// refused with exit status 2 and a message naming the flag, before any
// window opens, even with no display.
func TestBadFlagsExit2(t *testing.T) {
	bin := e2e.BuildBinary(t, "github.com/flowviz/flowviz/cmd/flowviz")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-theme", "purple"}, `no theme "purple"`},
		{[]string{"-colours", "rainbow"}, `no colour map "rainbow"`},
		{[]string{"-lesson", "-1"}, "-lesson"},
		{[]string{"-scale", "9"}, "-scale"},
		{[]string{"-steps", "0"}, "-steps"},
	} {
		cmd := headless(bin, tc.args...)
		b, err := cmd.CombinedOutput()
		if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 2 || !strings.Contains(string(b), tc.want) {
			t.Errorf("flowviz %s: %v, want exit 2 with %q:\n%s", strings.Join(tc.args, " "), err, tc.want, b)
		}
	}
}
