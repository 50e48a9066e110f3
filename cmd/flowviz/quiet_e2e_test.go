package main_test

import (
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestQuietStart starts the app on an X server without an Xauthority entry,
// as Xvfb and many desktops over ssh are: the X11 library's two notes about
// it are not printed, so a clean start leaves the terminal empty; -v lets
// them through.
func TestQuietStart(t *testing.T) {
	for _, verbose := range []bool{false, true} {
		var args []string
		if verbose {
			args = []string{"-v"}
		}
		t.Setenv("XAUTHORITY", "/nonexistent/flowviz-test-xauthority")
		a := startApp(t, args...)
		if err := a.proc.Signal(syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
		select {
		case <-a.proc.Done():
		case <-time.After(waitLong):
			t.Fatal("flowviz did not exit on SIGTERM")
		}
		out := a.proc.Output()
		notes := strings.Contains(out, "Could not get authority info")
		if !verbose && strings.TrimSpace(out) != "" {
			t.Errorf("a clean start printed:\n%s", out)
		}
		if verbose && !notes {
			t.Errorf("-v: the X11 notes are missing:\n%s", out)
		}
	}
}
