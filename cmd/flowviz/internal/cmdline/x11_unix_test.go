//go:build linux || freebsd || netbsd || openbsd

package cmdline

import (
	"bytes"
	"log"
	"os"
	"strings"
	"testing"
)

// TestX11NotesDropped checks that the logger Start installs drops jezek/xgb's
// note about a missing Xauthority entry and keeps every other line.
func TestX11NotesDropped(t *testing.T) {
	var b bytes.Buffer
	l := log.New(dropLines{w: &b, drop: x11Notes}, "XGB: ", log.Lshortfile)
	l.Printf("Could not get authority info: %v", os.ErrNotExist)
	l.Println("Trying connection without authority info...")
	l.Printf("A read error is unrecoverable: %s", "EOF")
	if got := b.String(); strings.Contains(got, "authority") || !strings.Contains(got, "XGB: x11_unix_test.go") || !strings.Contains(got, "unrecoverable: EOF") {
		t.Errorf("logged %q", got)
	}
}
