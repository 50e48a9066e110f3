//go:build linux || freebsd || netbsd || openbsd

package cmdline

import (
	"bytes"
	"io"
	"log"

	"github.com/jezek/xgb"
)

// quietX11 drops jezek/xgb's notes about a missing Xauthority entry from
// stderr. Only the systems where ebiten talks X11 import xgb: the browser
// build would otherwise carry it (and the net package) for nothing.
func quietX11(stderr io.Writer) {
	xgb.Logger = log.New(dropLines{w: stderr, drop: x11Notes}, "XGB: ", log.Lshortfile)
}

// x11Notes are what jezek/xgb logs on every connection to an X server
// without an Xauthority entry (Xvfb, many remote and container setups): not
// a problem, as the connection is retried without and succeeds.
var x11Notes = [][]byte{[]byte("Could not get authority info"), []byte("Trying connection without authority info")}

// dropLines writes each log line to w unless it contains one of drop: a
// log.Logger writes a whole line per call.
type dropLines struct {
	w    io.Writer
	drop [][]byte
}

func (d dropLines) Write(p []byte) (int, error) {
	for _, s := range d.drop {
		if bytes.Contains(p, s) {
			return len(p), nil
		}
	}
	return d.w.Write(p)
}
