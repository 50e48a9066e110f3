// Package website builds and serves flowviz's static web page: index.html,
// wasm_exec.js from the Go toolchain, flowviz.wasm and its gzipped copy.
package website

import (
	"bytes"
	"compress/gzip"
	"context"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// The files of a built site.
const (
	Index    = "index.html"
	WasmExec = "wasm_exec.js"
	Wasm     = "flowviz.wasm"
	WasmGz   = "flowviz.wasm.gz"
)

// The package built to WebAssembly.
const appPackage = "github.com/flowviz/flowviz/cmd/flowviz"

//go:embed page/index.html
var indexHTML []byte

// Options is how Build builds.
type Options struct {
	Go      string    // the go command ("go" if empty)
	LDFlags string    // more -ldflags, after -s -w (the version stamp)
	Stdout  io.Writer // where go build's output goes (os.Stderr if nil)
}

// Build writes the site into dir, creating it: the page, wasm_exec.js,
// flowviz.wasm built with GOOS=js GOARCH=wasm, stripped (-s -w), and
// flowviz.wasm.gz. Files already there with other names are left alone.
func Build(ctx context.Context, dir string, o Options) error {
	if o.Go == "" {
		o.Go = "go"
	}
	if o.Stdout == nil {
		o.Stdout = os.Stderr
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	goroot, err := goEnv(ctx, o.Go, "GOROOT")
	if err != nil {
		return err
	}
	wasmExec, err := findWasmExec(goroot)
	if err != nil {
		return err
	}
	if err := copyFile(filepath.Join(dir, WasmExec), wasmExec); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, Index), indexHTML, 0o644); err != nil {
		return err
	}
	wasm := filepath.Join(dir, Wasm)
	ldflags := strings.TrimSpace("-s -w " + o.LDFlags)
	cmd := exec.CommandContext(ctx, o.Go, "build", "-trimpath", "-ldflags", ldflags, "-o", wasm, appPackage)
	cmd.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm", "CGO_ENABLED=0")
	cmd.Stdout, cmd.Stderr = o.Stdout, o.Stdout
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("GOOS=js GOARCH=wasm go build %s: %w", appPackage, err)
	}
	return gzipFile(filepath.Join(dir, WasmGz), wasm)
}

// goEnv asks the go command for one variable.
func goEnv(ctx context.Context, goCmd, name string) (string, error) {
	out, err := exec.CommandContext(ctx, goCmd, "env", name).Output()
	if err != nil {
		return "", fmt.Errorf("go env %s: %w", name, err)
	}
	return strings.TrimSpace(string(out)), nil
}

// findWasmExec finds the toolchain's wasm_exec.js: lib/wasm since Go 1.24,
// misc/wasm before.
func findWasmExec(goroot string) (string, error) {
	for _, d := range []string{"lib/wasm", "misc/wasm"} {
		p := filepath.Join(goroot, d, WasmExec)
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("no %s under %s/lib/wasm or %s/misc/wasm", WasmExec, goroot, goroot)
}

func copyFile(to, from string) error {
	b, err := os.ReadFile(from)
	if err != nil {
		return err
	}
	return os.WriteFile(to, b, 0o644)
}

// gzipFile writes from's gzip at the best compression to to. The header
// carries no name or time, so the same wasm gives the same bytes.
func gzipFile(to, from string) error {
	b, err := os.ReadFile(from)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		return err
	}
	if _, err := zw.Write(b); err != nil {
		return err
	}
	if err := zw.Close(); err != nil {
		return err
	}
	return os.WriteFile(to, buf.Bytes(), 0o644)
}

// Handler serves dir as a plain static host does (GitHub Pages, a course
// page): files as they are, flowviz.wasm.gz as application/gzip without a
// Content-Encoding, so the page's own unpacking is what is tried. Nothing is
// cached, so a rebuilt page is what a reload shows.
func Handler(dir string) http.Handler {
	files := http.FileServer(http.Dir(dir))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-cache")
		if strings.HasSuffix(r.URL.Path, ".gz") {
			// Go's type for .gz would be guessed from the content; say it.
			w.Header().Set("Content-Type", "application/gzip")
		}
		files.ServeHTTP(w, r)
	})
}

// Check reports a dir that does not hold a built site.
func Check(dir string) error {
	for _, f := range []string{Index, WasmExec, Wasm} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			if errors.Is(err, os.ErrNotExist) {
				return fmt.Errorf("%s has no %s: run make web first", dir, f)
			}
			return err
		}
	}
	return nil
}

// Serve serves dir on addr until ctx is done, then shuts down within 5 s.
// ready, if not nil, is called with the address being listened on.
func Serve(ctx context.Context, dir, addr string, ready func(url string)) error {
	if err := Check(dir); err != nil {
		return err
	}
	srv := &http.Server{Addr: addr, Handler: Handler(dir), ReadHeaderTimeout: 10 * time.Second}
	ln, err := listen(addr)
	if err != nil {
		return err
	}
	if ready != nil {
		ready("http://" + ln.Addr().String() + "/")
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return srv.Shutdown(sctx)
}

// listen opens addr for Serve.
func listen(addr string) (net.Listener, error) { return net.Listen("tcp", addr) }
