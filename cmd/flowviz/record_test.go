package main

import (
	"image/gif"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

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

// TestRecordFlag runs `flowviz -session s.flowviz -record out.gif` as a
// lecturer's script would: it trains the weightless session briefly,
// renders the GIF and exits 0 without opening a window; a damaged session
// exits 1 with a message.
func TestRecordFlag(t *testing.T) {
	dir := t.TempDir()
	sess := writeSession(t, dir)
	bin := e2e.BuildBinary(t, "github.com/flowviz/flowviz/cmd/flowviz")
	out := filepath.Join(dir, "out.gif")
	cmd := exec.Command(bin, "-session", sess, "-record", out, "-record-steps", "300", "-record-size", "120", "-record-frames", "12")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("flowviz -record: %v\n%s", err, b)
	}
	f, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	anim, err := gif.DecodeAll(f)
	if err != nil {
		t.Fatal(err)
	}
	if len(anim.Image) != 12 || anim.Image[0].Bounds().Dx() != 120 {
		t.Fatalf("%d frames of %v, want 12 of 120 px", len(anim.Image), anim.Image[0].Bounds())
	}

	bad := filepath.Join(dir, "bad.flowviz")
	raw, _ := os.ReadFile(sess)
	os.WriteFile(bad, raw[:len(raw)/2], 0o644)
	cmd = exec.Command(bin, "-session", bad, "-record", filepath.Join(dir, "no.gif"))
	b, err := cmd.CombinedOutput()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 || !strings.Contains(string(b), "truncated") {
		t.Fatalf("damaged session: %v\n%s", err, b)
	}
	if _, err := os.Stat(filepath.Join(dir, "no.gif")); err == nil {
		t.Fatal("a GIF was written for a damaged session")
	}
}

// TestBadFlagsExit2 checks that absurd settings on the command line are
// refused with exit status 2 and a message naming the flag, before any
// window opens.
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
		cmd := exec.Command(bin, tc.args...)
		b, err := cmd.CombinedOutput()
		if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 2 || !strings.Contains(string(b), tc.want) {
			t.Errorf("flowviz %s: %v, want exit 2 with %q:\n%s", strings.Join(tc.args, " "), err, tc.want, b)
		}
	}
}
