package cmdline

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"syscall"
	"testing"

	"github.com/flowviz/flowviz/cmd/internal/version"
)

// Why init: on Linux, ebiten's internal/ui package opens GLFW and an X
// connection in its own init function and panics without a display, before
// main runs. Go initialises packages in import-path order where their
// imports allow (the spec's "Package initialization"): this package, under
// github.com/flowviz, and everything it imports (none of which imports
// ebiten) are initialised before github.com/hajimehoshi/ebiten/v2/internal/ui.
// So -version, -h, a bad flag and -record are handled here and the process
// exits before ebiten is initialised; cmd/flowviz's tests run those with
// DISPLAY unset, which would fail if the order changed. The same goes for
// quieting jezek/xgb's logger, which ebiten's init already writes to.

// parsed is the command line read by init, for main.
var parsed *Options

func init() {
	if testing.Testing() {
		return // a test binary's arguments are the test flags
	}
	o, code, exit := Start(os.Args[1:], os.Stdout, os.Stderr)
	if exit {
		os.Exit(code)
	}
	if needsDisplay() && os.Getenv("DISPLAY") == "" && os.Getenv("WAYLAND_DISPLAY") == "" {
		fmt.Fprintln(os.Stderr, "flowviz: no display (DISPLAY is not set): the app needs a desktop, or xvfb-run; -record FILE.gif works without one")
		os.Exit(1)
	}
	parsed = o
}

// needsDisplay reports whether ebiten opens an X11 (or Wayland) connection
// at init on this system, as it does on Linux and the BSDs.
func needsDisplay() bool {
	switch runtime.GOOS {
	case "linux", "freebsd", "netbsd", "openbsd":
		return true
	}
	return false
}

// Parsed returns the command line, as read when the program started.
func Parsed() *Options { return parsed }

// Start reads args and does what needs no window: it reports a bad
// command line (exit 2), prints -h or -version (exit 0), or records
// (-record; exit 0, or 1 on failure or Ctrl+C), and then says exit. Otherwise
// it quiets the X11 library (unless -v) and returns the options for the app.
func Start(args []string, stdout, stderr io.Writer) (o *Options, code int, exit bool) {
	o, err := Parse(args, stderr)
	switch {
	case errors.Is(err, flag.ErrHelp):
		return nil, 0, true
	case err != nil:
		return nil, 2, true
	case o.Version:
		fmt.Fprintln(stdout, version.Get().String("flowviz"))
		return nil, 0, true
	case o.Record != "":
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		defer stop()
		if err := Record(ctx, o, stderr); err != nil {
			if ctx.Err() != nil {
				err = errors.New("interrupted; no GIF written")
			}
			fmt.Fprintln(stderr, "flowviz: -record:", err)
			return nil, 1, true
		}
		return nil, 0, true
	}
	if !o.Verbose {
		quietX11(stderr)
	}
	return o, 0, false
}
