package main_test

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/flowviz/flowviz/viz/appstate"
	"github.com/flowviz/flowviz/viz/e2e"
	"github.com/flowviz/flowviz/viz/session"
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
	if err := a.proc.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case <-a.proc.Done():
	case <-time.After(waitLong):
		t.Fatal("flowviz did not exit on SIGTERM")
	}
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
