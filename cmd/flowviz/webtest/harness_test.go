// Package webtest drives flowviz's web page in headless Chromium: the site
// is built once (GOOS=js GOARCH=wasm), served by an httptest server, and
// each test opens it in a fresh tab through the DevTools protocol (go-rod).
// The app publishes its state in the page's global flowvizState, as the
// desktop app writes its -state-file.
//
// Without /usr/bin/chromium the tests are skipped with a message, except
// under CI (CI set), where they must run: scripts/setup-deps.sh installs it.
package webtest

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"image"
	"image/draw"
	"image/png"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-rod/rod"
	"github.com/go-rod/rod/lib/input"
	"github.com/go-rod/rod/lib/launcher"
	"github.com/go-rod/rod/lib/proto"

	"github.com/flowviz/flowviz/cmd/internal/website"
	"github.com/flowviz/flowviz/viz/appstate"
)

// chromiumBin is Debian's chromium, installed by scripts/setup-deps.sh.
const chromiumBin = "/usr/bin/chromium"

// Bounds of the waits. The page loads a 23 MB program and compiles it; on
// a loaded 2-core machine that takes seconds.
const (
	loadTimeout  = 3 * time.Minute
	stateTimeout = 60 * time.Second
	// screen is the browser window: the page's canvas fills it.
	screenW, screenH = 1280, 800
)

var (
	serverURL   string       // the built site, served for the whole run
	siteDir     string       // where the site was built
	browser     *rod.Browser // one browser; each test has its own tab
	skipWhy     string       // why every test is skipped ("" to run)
	consoleMu   sync.Mutex   // guards consoleErrs
	consoleErrs []string     // errors any page printed, checked at the end
)

func TestMain(m *testing.M) {
	flag.Parse()
	code := m.Run()
	for _, f := range cleanups {
		f()
	}
	os.Exit(code)
}

var (
	setupOnce sync.Once
	setupErr  error
	cleanups  []func() // run after the tests, last first
)

// setup builds and serves the site and starts the browser, once, when the
// first test needs them; it returns why the tests must be skipped, or fails.
func setup(t testing.TB) {
	t.Helper()
	if testing.Short() {
		t.Skip("the browser tests are end-to-end tests")
	}
	setupOnce.Do(func() { setupErr = start() })
	if skipWhy != "" {
		t.Skip(skipWhy)
	}
	if setupErr != nil {
		t.Fatal(setupErr)
	}
}

func start() error {
	if _, err := os.Stat(chromiumBin); err != nil {
		if os.Getenv("CI") != "" {
			return fmt.Errorf("%s is missing, and CI must run the browser tests: scripts/setup-deps.sh installs it", chromiumBin)
		}
		skipWhy = fmt.Sprintf("no %s: the browser tests are skipped (scripts/setup-deps.sh installs Debian's chromium; under CI they must run)", chromiumBin)
		fmt.Fprintln(os.Stderr, "webtest:", skipWhy)
		return nil
	}
	dir, err := os.MkdirTemp("", "flowviz-web-")
	if err != nil {
		return err
	}
	cleanups = append([]func(){func() { os.RemoveAll(dir) }}, cleanups...)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	began := time.Now()
	var out bytes.Buffer
	if err := website.Build(ctx, dir, website.Options{Stdout: &out}); err != nil {
		return fmt.Errorf("building the site: %v\n%s", err, out.String())
	}
	fmt.Fprintf(os.Stderr, "webtest: site built in %.0f s\n", time.Since(began).Seconds())
	siteDir = dir
	srv := httptest.NewServer(website.Handler(dir))
	cleanups = append([]func(){srv.Close}, cleanups...)
	serverURL = srv.URL + "/"

	profile, err := os.MkdirTemp("", "flowviz-chromium-")
	if err != nil {
		return err
	}
	cleanups = append([]func(){func() { os.RemoveAll(profile) }}, cleanups...)
	l := launcher.New().Bin(chromiumBin).Headless(true).NoSandbox(true).
		// leakless ends the browser when this process dies, even by a timeout's panic.
		Leakless(true).
		UserDataDir(profile).
		Set("disable-gpu").Set("disable-quic").Set("no-first-run").
		Set("disable-background-networking").Set("disable-component-update").Set("disable-sync").
		// WebGL on the CPU (SwiftShader), which recent Chromium asks to be
		// allowed explicitly when there is no GPU.
		Set("enable-unsafe-swiftshader").
		// Frames keep coming in a tab that is not in front.
		Set("disable-background-timer-throttling").Set("disable-renderer-backgrounding").
		Set("window-size", fmt.Sprintf("%d,%d", screenW, screenH))
	lctx, lcancel := context.WithTimeout(context.Background(), time.Minute)
	defer lcancel()
	wsURL, err := l.Context(lctx).Launch()
	if err != nil {
		l.Kill()
		return fmt.Errorf("launching chromium: %w", err)
	}
	cleanups = append([]func(){l.Kill}, cleanups...)
	browser = rod.New().ControlURL(wsURL)
	if err := browser.Connect(); err != nil {
		return fmt.Errorf("connecting to chromium: %w", err)
	}
	cleanups = append([]func(){func() { _ = browser.Close() }}, cleanups...)
	return nil
}

// page is one tab with the app in it.
type page struct {
	t testing.TB
	p *rod.Page
}

// open opens the site (with fragment, "" or "#…") in a new tab and waits
// until the app publishes its state. The tab is closed when the test ends,
// and the test fails if the page logged an error.
func open(t testing.TB, fragment string) *page {
	t.Helper()
	setup(t)
	pg := openRaw(t, fragment)
	pg.waitFor(loadTimeout, "the app's first state", func(*appstate.State) bool { return true })
	return pg
}

// openRaw opens the site in a new tab without waiting for the app.
func openRaw(t testing.TB, fragment string) *page {
	t.Helper()
	p, err := browser.Page(proto.TargetCreateTarget{URL: "about:blank"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = p.Close() })
	pg := &page{t: t, p: p}
	if err := (proto.EmulationSetDeviceMetricsOverride{Width: screenW, Height: screenH, DeviceScaleFactor: 1}).Call(p); err != nil {
		t.Fatal(err)
	}
	go p.EachEvent(func(e *proto.RuntimeConsoleAPICalled) {
		if e.Type == proto.RuntimeConsoleAPICalledTypeError {
			var parts []string
			for _, a := range e.Args {
				parts = append(parts, a.Value.String()+a.Description)
			}
			consoleMu.Lock()
			consoleErrs = append(consoleErrs, t.Name()+": "+strings.Join(parts, " "))
			consoleMu.Unlock()
		}
	}, func(e *proto.RuntimeExceptionThrown) {
		consoleMu.Lock()
		consoleErrs = append(consoleErrs, t.Name()+": exception: "+e.ExceptionDetails.Text+" "+e.ExceptionDetails.Exception.Description)
		consoleMu.Unlock()
	})()
	t.Cleanup(func() {
		for _, e := range consoleErrors() {
			if strings.HasPrefix(e, t.Name()+": ") {
				t.Errorf("the page logged an error: %s", e)
			}
		}
	})
	// Each test starts from empty browser storage: no autosave of an
	// earlier test. (A page of the site's origin is needed to reach it.)
	if err := pg.p.Timeout(loadTimeout).Navigate(serverURL + "wasm_exec.js"); err != nil {
		t.Fatal(err)
	}
	if _, err := pg.eval(`() => localStorage.clear()`); err != nil {
		t.Fatal(err)
	}
	if err := pg.p.Timeout(loadTimeout).Navigate(serverURL + fragment); err != nil {
		t.Fatal(err)
	}
	return pg
}

// navigate loads url and waits for the app's first state.
func (pg *page) navigate(url string) {
	pg.t.Helper()
	if err := pg.p.Timeout(loadTimeout).Navigate(url); err != nil {
		pg.t.Fatal(err)
	}
	pg.waitFor(loadTimeout, "the app's first state", func(*appstate.State) bool { return true })
}

// eval runs a JavaScript function expression in the page, bounded.
func (pg *page) eval(js string, args ...any) (*proto.RuntimeRemoteObject, error) {
	return pg.p.Timeout(20 * time.Second).Evaluate(rod.Eval(js, args...).ByPromise())
}

// state reads the app's latest published state (nil if none yet).
func (pg *page) state() (*appstate.State, error) {
	res, err := pg.eval(`() => window.flowvizState === undefined ? "" : window.flowvizState`)
	if err != nil {
		return nil, err
	}
	text := res.Value.Str()
	if text == "" {
		return nil, nil
	}
	return appstate.Read(strings.NewReader(text))
}

// waitFor polls the state until ok holds, failing the test after timeout.
func (pg *page) waitFor(timeout time.Duration, what string, ok func(*appstate.State) bool) *appstate.State {
	pg.t.Helper()
	deadline := time.Now().Add(timeout)
	var last *appstate.State
	var lastErr error
	for time.Now().Before(deadline) {
		s, err := pg.state()
		if err == nil && s != nil {
			last = s
			if ok(s) {
				return s
			}
		}
		lastErr = err
		time.Sleep(100 * time.Millisecond)
	}
	if last != nil {
		pg.t.Fatalf("waited %v for %s; last state: step %d, lesson %d, t %d/%d, target %s, status %q, fps %.1f",
			timeout, what, last.Training.Step, last.Lesson.Number, last.Timeline.K, last.Timeline.N, last.Target, last.Status, last.FPS)
	}
	pg.t.Fatalf("waited %v for %s; no state (%v)", timeout, what, lastErr)
	return nil
}

// wait is waitFor with the usual bound.
func (pg *page) wait(what string, ok func(*appstate.State) bool) *appstate.State {
	pg.t.Helper()
	return pg.waitFor(stateTimeout, what, ok)
}

// next waits for a state published after s (a newer frame).
func (pg *page) next(s *appstate.State) *appstate.State {
	pg.t.Helper()
	return pg.wait("a newer state", func(n *appstate.State) bool { return n.Frame > s.Frame })
}

// focus gives the canvas the keyboard, as a click on it would.
func (pg *page) focus() {
	pg.t.Helper()
	if _, err := pg.eval(`() => { const c = document.querySelector("canvas"); if (c) c.focus(); }`); err != nil {
		pg.t.Fatal(err)
	}
}

// screenshot captures the page as the user sees it.
func (pg *page) screenshot(name string) *image.RGBA {
	pg.t.Helper()
	b, err := pg.p.Timeout(30*time.Second).Screenshot(false, &proto.PageCaptureScreenshot{Format: proto.PageCaptureScreenshotFormatPng})
	if err != nil {
		pg.t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		pg.t.Fatal(err)
	}
	rgba := image.NewRGBA(img.Bounds())
	draw.Draw(rgba, rgba.Bounds(), img, img.Bounds().Min, draw.Src)
	if dir := os.Getenv("FLOWVIZ_E2E_SHOTS"); dir != "" {
		path := filepath.Join(dir, "web-"+name+".png")
		if err := os.WriteFile(path, b, 0o644); err != nil {
			pg.t.Error(err)
		}
		pg.t.Logf("screenshot: %s", path)
	}
	return rgba
}

// consoleErrors returns the errors pages printed so far.
func consoleErrors() []string {
	consoleMu.Lock()
	defer consoleMu.Unlock()
	return append([]string(nil), consoleErrs...)
}

// frames waits until the page has shown two more frames: the app reads
// input once a frame, so a press released sooner would never be seen, and
// on a loaded machine a frame can take a second.
func (pg *page) frames() {
	pg.t.Helper()
	if _, err := pg.eval(`() => new Promise((ok) => requestAnimationFrame(() => requestAnimationFrame(ok)))`); err != nil {
		pg.t.Fatal(err)
	}
}

// press presses and releases key on the focused canvas.
func (pg *page) press(key input.Key) {
	pg.t.Helper()
	kb := pg.p.Keyboard
	if err := kb.Press(key); err != nil {
		pg.t.Fatal(err)
	}
	pg.frames()
	if err := kb.Release(key); err != nil {
		pg.t.Fatal(err)
	}
	pg.frames()
}

// drag holds the left button down along pts, two frames per point.
func (pg *page) drag(pts []proto.Point) {
	pg.t.Helper()
	m := pg.p.Mouse
	must := func(err error) {
		if err != nil {
			pg.t.Fatal(err)
		}
	}
	must(m.MoveTo(pts[0]))
	pg.frames()
	must(m.Down(proto.InputMouseButtonLeft, 1))
	pg.frames()
	for _, p := range pts[1:] {
		must(m.MoveTo(p))
		pg.frames()
	}
	must(m.Up(proto.InputMouseButtonLeft, 1))
	pg.frames()
}

// touchDrag draws with one finger along pts, through the DevTools
// protocol's Input.dispatchTouchEvent (real touchstart, touchmove and
// touchend events on the canvas), two frames per point.
func (pg *page) touchDrag(pts []proto.Point) {
	pg.t.Helper()
	id := 1.0
	touch := func(typ proto.InputDispatchTouchEventType, p *proto.Point) {
		ev := proto.InputDispatchTouchEvent{Type: typ, TouchPoints: []*proto.InputTouchPoint{}}
		if p != nil {
			ev.TouchPoints = []*proto.InputTouchPoint{{X: p.X, Y: p.Y, ID: &id}}
		}
		if err := ev.Call(pg.p.Timeout(20 * time.Second)); err != nil {
			pg.t.Fatal(err)
		}
		pg.frames()
	}
	touch(proto.InputDispatchTouchEventTypeTouchStart, &pts[0])
	for i := range pts[1:] {
		touch(proto.InputDispatchTouchEventTypeTouchMove, &pts[i+1])
	}
	touch(proto.InputDispatchTouchEventTypeTouchEnd, nil)
}
