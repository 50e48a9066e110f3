package main_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/flowviz/flowviz/viz/appstate"
	"github.com/flowviz/flowviz/viz/e2e"
	"github.com/flowviz/flowviz/viz/keepdir"
	"github.com/flowviz/flowviz/viz/scene"
	"github.com/flowviz/flowviz/viz/session"
	"github.com/flowviz/flowviz/viz/storage"
)

// TestKeepE2E is what a lecturer does: train, hide the arrows, save with
// Ctrl+S, quit, start again — the autosave brings back the view and the
// training continues from where it was — then find the autosave damaged and
// get a message and a clean start instead of a crash.
func TestKeepE2E(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end")
	}
	dir := t.TempDir()
	a := startApp(t, "-keep-dir", dir, "-drawing", "")
	a.waitState(t, "300 training steps", func(s *appstate.State) bool { return s.Training.Step >= 300 })
	a.key(e2e.KeysymOf('v')) // arrows off
	a.key(e2e.ControlL, e2e.KeysymOf('s'))
	a.waitState(t, "a saved session", func(s *appstate.State) bool { return strings.Contains(s.Status, "session saved to") })
	saved, err := session.Load(filepath.Join(dir, "session.flowviz"))
	if err != nil {
		t.Fatal(err)
	}
	if saved.View.Layers.Field || saved.Model == nil || saved.Model.Step < 300 || saved.Optimizer.Steps != saved.Model.Step {
		t.Fatalf("saved arrows %v, weights of step %d", saved.View.Layers.Field, saved.Model.Step)
	}
	a.stop(t)
	auto, err := session.Load(filepath.Join(dir, "autosave.flowviz"))
	if err != nil {
		t.Fatalf("no autosave at exit: %v", err)
	}

	b := startApp(t, "-keep-dir", dir, "-drawing", "")
	s := b.waitState(t, "the restored autosave", func(s *appstate.State) bool {
		return strings.Contains(s.Status, "restored autosave") || strings.Contains(s.Status, "session restored")
	})
	if s.Layers.Field {
		t.Error("the arrows are back on after the restore")
	}
	b.waitState(t, "training continuing from the saved step", func(s *appstate.State) bool {
		return s.Training.Step > auto.Model.Step
	})
	b.proc.Signal(syscall.SIGKILL)
	<-b.proc.Done()

	raw, _ := os.ReadFile(filepath.Join(dir, "autosave.flowviz"))
	if err := os.WriteFile(filepath.Join(dir, "autosave.flowviz"), raw[:len(raw)/3], 0o644); err != nil {
		t.Fatal(err)
	}
	c := startApp(t, "-keep-dir", dir, "-drawing", "")
	s = c.waitState(t, "a message about the damaged autosave", func(s *appstate.State) bool {
		return strings.Contains(s.Status, "autosave not restored")
	})
	if !s.Layers.Field {
		t.Error("a damaged autosave changed the layers")
	}
	c.waitState(t, "training from scratch", func(s *appstate.State) bool { return s.Training.Step > 0 })
}

// sessionBytes is a valid session file with its header's version set.
func sessionBytes(t *testing.T, version int) []byte {
	t.Helper()
	s := &session.Session{
		Settings: scene.DefaultSettings(),
		Source:   session.Data{Spec: "gaussian"}, Target: session.Data{Spec: "8gaussians"},
		View: session.View{Zoom: 60, Speed: 1, Layers: session.Layers{Field: true, Particles: true}},
	}
	var b strings.Builder
	if err := session.Write(&b, s); err != nil {
		t.Fatal(err)
	}
	return []byte(strings.Replace(b.String(), fmt.Sprintf(`"version":%d`, session.Version), fmt.Sprintf(`"version":%d`, version), 1))
}

// stop sends SIGTERM and waits for the app to exit.
func (a *app) stop(t *testing.T) {
	t.Helper()
	if err := a.proc.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case <-a.proc.Done():
	case <-time.After(waitLong):
		t.Fatal("flowviz did not exit on SIGTERM")
	}
}

// keptFiles returns the contents of dir's files named <name>.<why>-*.
func keptFiles(t *testing.T, dir, name, why string) []string {
	t.Helper()
	names, err := keepdir.Aside(storage.Files{}, dir, name, why)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, n := range names {
		b, err := os.ReadFile(n)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, string(b))
	}
	return out
}

// TestRefusedAutosaveKeptE2E is issue 15's first bug as a user meets it:
// an autosave from a newer flowviz is refused at start, and must still be
// there after the app autosaves at exit; a refused -session must not cost
// the last good autosave either.
func TestRefusedAutosaveKeptE2E(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end")
	}
	dir := t.TempDir()
	auto := filepath.Join(dir, "autosave.flowviz")
	newer := sessionBytes(t, session.Version+1)
	if err := os.WriteFile(auto, newer, 0o644); err != nil {
		t.Fatal(err)
	}
	a := startApp(t, "-keep-dir", dir, "-drawing", "")
	a.waitState(t, "a message that the autosave is kept", func(s *appstate.State) bool {
		return strings.Contains(s.Status, fmt.Sprintf("version %d is not supported", session.Version+1)) && strings.Contains(s.Status, "kept as autosave.flowviz.unreadable-")
	})
	a.stop(t)
	if kept := keptFiles(t, dir, "autosave.flowviz", "unreadable"); len(kept) != 1 || kept[0] != string(newer) {
		t.Fatalf("the newer autosave is gone (%d kept)", len(kept))
	}
	good, err := os.ReadFile(auto)
	if err != nil {
		t.Fatalf("no autosave at exit: %v", err)
	}
	if _, err := session.Load(auto); err != nil {
		t.Fatal(err)
	}

	bad := filepath.Join(dir, "bad.flowviz")
	if err := os.WriteFile(bad, good[:len(good)/2], 0o644); err != nil {
		t.Fatal(err)
	}
	b := startApp(t, "-keep-dir", dir, "-drawing", "", "-session", bad)
	b.waitState(t, "the refused session", func(s *appstate.State) bool {
		return strings.Contains(s.Status, "session not restored")
	})
	b.stop(t)
	if kept := keptFiles(t, dir, "autosave.flowviz", "previous"); len(kept) != 1 || kept[0] != string(good) {
		t.Fatalf("the last good autosave is gone (%d kept)", len(kept))
	}
	if got, _ := os.ReadFile(bad); string(got) != string(good[:len(good)/2]) {
		t.Fatal("the refused session file changed")
	}
}

// TestBlockingOpensE2E: a -session that is a FIFO used to block start-up
// forever (issue 15, bug 5); now the window opens and the status line says
// why the session was not restored. A kept drawing of 1 GiB is refused by
// its size, unread (bug 3).
func TestBlockingOpensE2E(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end")
	}
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo.flowviz")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	big := filepath.Join(dir, "drawing.csv")
	f, err := os.Create(big)
	if err != nil {
		t.Fatal(err)
	}
	f.Truncate(1 << 30)
	f.Close()
	a := startApp(t, "-keep-dir", dir, "-session", fifo, "-drawing", big)
	a.waitState(t, "the refused FIFO", func(s *appstate.State) bool {
		return strings.Contains(s.Status, "session not restored") && strings.Contains(s.Status, "named pipe")
	})
	a.stop(t)
	// The refused drawing is kept whole: where it was, or moved aside as
	// drawing.csv.unreadable-<time> before the exit could write the drawing.
	kept := []string{big}
	aside, err := keepdir.Aside(storage.Files{}, dir, "drawing.csv", "unreadable")
	if err != nil {
		t.Fatal(err)
	}
	if len(aside) > 0 {
		kept = aside
	}
	if len(kept) != 1 {
		t.Fatalf("the refused drawing was moved aside %d times: %v", len(kept), kept)
	}
	if fi, err := os.Stat(kept[0]); err != nil || fi.Size() != 1<<30 {
		t.Errorf("the refused drawing changed: %v (kept as %s)", err, kept[0])
	}
}

// TestLimitsUpFrontE2E: settings the app could not keep, and data beyond
// the drawing's cap, are refused on the command line with a message that
// names the limit, before any window opens (issue 15, bugs 6 and 8).
func TestLimitsUpFrontE2E(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end")
	}
	bin := e2e.BuildBinary(t, "github.com/flowviz/flowviz/cmd/flowviz")
	x := e2e.StartX(t, screenW, screenH)
	dir := t.TempDir()
	many := filepath.Join(dir, "many.csv")
	var b strings.Builder
	b.WriteString("x,y\n")
	for i := range 60_000 {
		fmt.Fprintf(&b, "%d,%d\n", i%100, i/100)
	}
	os.WriteFile(many, []byte(b.String()), 0o644)
	huge := filepath.Join(dir, "huge.csv")
	os.WriteFile(huge, []byte("x,y\n1e308,-1e308\n"), 0o644)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"-width", "1024", "-depth", "16"}, "more than the 2.5 M a session can keep"},
		{[]string{"-target", many}, "60000 points, more than the 50000 a drawing or a session holds"},
		{[]string{"-target", huge}, "beyond ±1e+06"},
	} {
		// An app that does not refuse opens its window: end it after a while.
		ctx, cancel := context.WithTimeout(context.Background(), waitLong)
		defer cancel()
		cmd := exec.CommandContext(ctx, bin, append([]string{"-keep-dir", dir, "-drawing", ""}, c.args...)...)
		cmd.Env = append(os.Environ(), "DISPLAY="+x.Display(), "XDG_CONFIG_HOME="+dir)
		out, err := cmd.CombinedOutput()
		if err == nil || !strings.Contains(string(out), c.want) {
			t.Errorf("%v: %v, output %q, want %q", c.args, err, out, c.want)
		}
	}
}
