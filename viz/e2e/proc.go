package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Built binaries live in one directory per test process, so each package is compiled once
// however many tests launch it. Main removes the directory; without it, it stays in TMPDIR.
var binaries struct {
	mu    sync.Mutex
	dir   string
	built map[string]string // package → binary path
}

// BuildBinary runs `go build` for pkg (an import path, or a path relative to the test's
// package directory such as "./testdata/xclient") once per test process and returns the
// binary's path.
func BuildBinary(t testing.TB, pkg string) string {
	t.Helper()
	binaries.mu.Lock()
	defer binaries.mu.Unlock()
	if bin, ok := binaries.built[pkg]; ok {
		return bin
	}
	if binaries.dir == "" {
		dir, err := os.MkdirTemp("", "flowviz-e2e-bin-")
		if err != nil {
			t.Fatalf("e2e: %v", err)
		}
		binaries.dir = dir
		binaries.built = map[string]string{}
	}
	// Distinct packages may share a last element (cmd/x and testdata/x): number them.
	name := filepath.Base(strings.TrimSuffix(pkg, "/"))
	bin := filepath.Join(binaries.dir, strconv.Itoa(len(binaries.built))+"-"+name)
	// `go test` puts its own toolchain's bin directory first on PATH, so this is the same go.
	cmd := exec.Command("go", "build", "-o", bin, pkg)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("e2e: go build %s: %v\n%s", pkg, err, out)
	}
	binaries.built[pkg] = bin
	return bin
}

// Main runs the tests and then removes what BuildBinary built. Call it from TestMain:
//
//	func TestMain(m *testing.M) { e2e.Main(m) }
func Main(m *testing.M) {
	code := m.Run()
	binaries.mu.Lock()
	if binaries.dir != "" {
		os.RemoveAll(binaries.dir)
	}
	binaries.mu.Unlock()
	os.Exit(code)
}

// Proc is a program launched on an X server by Launch.
type Proc struct {
	cmd  *exec.Cmd
	out  lockedBuffer
	done chan struct{}
	err  error // set before done is closed
}

// Launch starts bin with args on x's display, with its stdout and stderr captured (and
// logged if the test fails), and kills it in t.Cleanup.
func (x *X) Launch(t testing.TB, bin string, args ...string) *Proc {
	t.Helper()
	p := &Proc{cmd: exec.Command(bin, args...), done: make(chan struct{})}
	env := []string{"DISPLAY=" + x.display}
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "DISPLAY=") {
			env = append(env, kv)
		}
	}
	p.cmd.Env = env
	p.cmd.Stdout = &p.out
	p.cmd.Stderr = &p.out
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("e2e: start %s: %v", bin, err)
	}
	go func() {
		p.err = p.cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(func() {
		select {
		case <-p.done:
		default:
			_ = p.cmd.Process.Kill()
			<-p.done
		}
		if t.Failed() {
			t.Logf("%s %s output:\n%s", filepath.Base(bin), strings.Join(args, " "), p.out.String())
		}
	})
	return p
}

// Signal sends sig to the program, as a desktop session ending it would (SIGTERM).
func (p *Proc) Signal(sig os.Signal) error { return p.cmd.Process.Signal(sig) }

// Output is everything the program has written to stdout and stderr so far.
func (p *Proc) Output() string { return p.out.String() }

// Done is closed when the program has exited.
func (p *Proc) Done() <-chan struct{} { return p.done }

// Err is the program's exit error (nil for exit status 0); valid once Done is closed.
func (p *Proc) Err() error {
	<-p.done
	return p.err
}

// WaitOutput waits until the program's output contains substr, failing the test if
// the program exits first or timeout passes.
func (p *Proc) WaitOutput(t testing.TB, substr string, timeout time.Duration) {
	t.Helper()
	deadline := time.After(timeout)
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for !strings.Contains(p.out.String(), substr) {
		select {
		case <-p.done:
			if strings.Contains(p.out.String(), substr) {
				return
			}
			t.Fatalf("e2e: program exited (%v) before printing %q; output:\n%s", p.err, substr, p.out.String())
		case <-deadline:
			t.Fatalf("e2e: no %q in output after %v; output:\n%s", substr, timeout, p.out.String())
		case <-tick.C:
		}
	}
}
