// Package e2e drives real programs under a private Xvfb server for end-to-end tests.
//
// It never imports ebiten: the app runs as a separate process, and the test talks X11 to
// the same server (github.com/jezek/xgb) to find its window, send XTEST input and take
// screenshots.
package e2e

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"log"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jezek/xgb"
	"github.com/jezek/xgb/xproto"
	"github.com/jezek/xgb/xtest"
)

// X is one private Xvfb server and the test's own connection to it.
type X struct {
	// t receives errors from the input methods, whose signatures carry no testing.TB.
	t       testing.TB
	display string
	width   int
	height  int
	conn    *xgb.Conn
	root    xproto.Window

	keymapOnce sync.Once
	keymap     keyboardMapping
	keymapErr  error
}

// startTimeout bounds how long Xvfb may take to announce its display. It starts in well
// under a second; the slack is for a loaded CI machine running tests with -race.
const startTimeout = 20 * time.Second

// StartX starts a private Xvfb of w×h pixels at depth 24, waits until it accepts
// connections, and stops it in t.Cleanup. Xvfb chooses a free display number itself
// (-displayfd), so several servers, and an outer xvfb-run, can run at once.
// If Xvfb is not installed the test is skipped, unless CI=true, where that is a failure.
func StartX(t testing.TB, w, h int) *X {
	t.Helper()
	xvfb, err := exec.LookPath("Xvfb")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("e2e: Xvfb not found (run scripts/setup-deps.sh): %v", err)
		}
		t.Skipf("e2e: Xvfb not installed: %v", err)
	}
	if w <= 0 || h <= 0 || w > 16384 || h > 16384 {
		t.Fatalf("e2e: bad screen size %dx%d", w, h)
	}

	// Xvfb writes the display number it bound, then a newline, to the -displayfd fd.
	displayRead, displayWrite, err := os.Pipe()
	if err != nil {
		t.Fatalf("e2e: pipe: %v", err)
	}
	defer displayRead.Close()
	var serverLog lockedBuffer
	cmd := exec.Command(xvfb,
		"-displayfd", "3", // ExtraFiles[0] is fd 3 in the child
		"-screen", "0", fmt.Sprintf("%dx%dx24", w, h),
		"-nolisten", "tcp", // only the unix socket: nothing leaves the machine
		"-ac",      // no auth: the socket is local, and an outer xvfb-run's XAUTHORITY has no cookie for us
		"-br",      // black root window instead of the weave, so screenshots are predictable
		"-noreset", // survive the last client disconnecting
		"+extension", "XTEST",
	)
	cmd.ExtraFiles = []*os.File{displayWrite}
	cmd.Stdout = &serverLog
	cmd.Stderr = &serverLog
	if err := cmd.Start(); err != nil {
		displayWrite.Close()
		t.Fatalf("e2e: start Xvfb: %v", err)
	}
	// Our copy of the write end must go, or a crashed Xvfb would never give us EOF.
	displayWrite.Close()
	exited := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		close(exited)
	}()
	stop := func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(5 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
	}

	type lineOrErr struct {
		line string
		err  error
	}
	got := make(chan lineOrErr, 1)
	go func() {
		line, err := bufio.NewReader(displayRead).ReadString('\n')
		got <- lineOrErr{line, err}
	}()
	var number int
	select {
	case r := <-got:
		number, err = strconv.Atoi(strings.TrimSpace(r.line))
		if r.err != nil || err != nil {
			stop()
			t.Fatalf("e2e: Xvfb did not report a display (%q, %v):\n%s", r.line, r.err, serverLog.String())
		}
	case <-time.After(startTimeout):
		stop()
		t.Fatalf("e2e: Xvfb did not start within %v:\n%s", startTimeout, serverLog.String())
	}

	// xgb logs to stderr that there is no auth cookie (the server runs -ac) and that its
	// reader stopped when the server did: noise in every test's output.
	quietXGB.Do(func() { xgb.Logger = log.New(io.Discard, "", 0) })
	x := &X{t: t, display: ":" + strconv.Itoa(number), width: w, height: h}
	// -displayfd is written once the server listens, so the first dial normally succeeds;
	// retry briefly anyway rather than trust that ordering.
	deadline := time.Now().Add(startTimeout)
	for {
		x.conn, err = xgb.NewConnDisplay(x.display)
		if err == nil || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		stop()
		t.Fatalf("e2e: connect to Xvfb on %s: %v\n%s", x.display, err, serverLog.String())
	}
	if err := xtest.Init(x.conn); err != nil {
		x.conn.Close()
		stop()
		t.Fatalf("e2e: XTEST extension on %s: %v", x.display, err)
	}
	x.root = xproto.Setup(x.conn).DefaultScreen(x.conn).Root
	t.Cleanup(func() {
		x.conn.Close()
		stop()
		if t.Failed() && serverLog.Len() > 0 {
			t.Logf("Xvfb %s output:\n%s", x.display, serverLog.String())
		}
	})
	return x
}

var quietXGB sync.Once

// Display is the server's DISPLAY value, ":N".
func (x *X) Display() string { return x.display }

// Size is the screen size StartX was given.
func (x *X) Size() (w, h int) { return x.width, x.height }

// lockedBuffer collects a child's output while a test may read it.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func (b *lockedBuffer) Len() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Len()
}
