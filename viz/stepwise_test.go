package viz

import (
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/hajimehoshi/ebiten/v2"

	"github.com/flowviz/flowviz/viz/keymap"
	"github.com/flowviz/flowviz/viz/live"
	"github.com/flowviz/flowviz/viz/scene"
)

// TestStepwiseGame runs the app's game loop with the desktop backend in the
// stepwise mode, as the browser build does: no goroutine of its own, the
// backend's training and sampling, the density layer's worker, the live
// NLL and F9's GIF advanced by Update alone; particles come on screen,
// training moves on, a layer and an NLL arrive and the GIF is saved.
func TestStepwiseGame(t *testing.T) {
	s := scene.DefaultSettings()
	s.Width, s.Depth, s.Particles, s.Steps, s.Grid = 32, 2, 500, 20, 8
	b, err := live.New(s)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	before := runtime.NumGoroutine()
	g := newGame(Config{Settings: s, Backend: b, Width: 800, Height: 600, Scale: 1, Stepwise: true, KeepDir: dir})
	g.Layout(800, 600)
	if err := b.Apply(g.panes.cur.applied); err != nil {
		t.Fatal(err)
	}
	screen := ebiten.NewImage(800, 600)
	until := func(what string, ok func() bool) {
		t.Helper()
		for deadline := time.Now().Add(120 * time.Second); !ok(); {
			if time.Now().After(deadline) {
				t.Fatalf("after 120 s: not %s (step %d, scene %v)", what, b.Status().Step, g.panes.cur.sc != nil)
			}
			frame(t, g, screen)
		}
	}
	until("200 steps trained and a scene", func() bool { return g.panes.cur.sc != nil && b.Status().Step >= 200 })
	if len(g.panes.cur.pos) != 500 {
		t.Errorf("%d particles on screen, want 500", len(g.panes.cur.pos))
	}
	g.do(keymap.CycleDensity)
	g.keep.GIFSize, g.keep.GIFFrames = 160, 12
	g.do(keymap.RecordGIF)
	var gifs []string
	dens := &g.panes.cur.dens
	logAt := time.Now()
	until("a density layer, an NLL and the GIF", func() bool {
		gifs, _ = filepath.Glob(filepath.Join(dir, "exports", "*-flow.gif"))
		if time.Since(logAt) > 5*time.Second {
			logAt = time.Now()
			_, note := dens.view.Shown()
			t.Logf("layer %v (%q), NLL %q, GIFs %d", dens.shown(), note, dens.nllLine(), len(gifs))
		}
		if raceEnabled {
			// Under the race detector the layer's and the NLL's slices
			// take minutes; make test runs this test without it too,
			// where both must arrive.
			return len(gifs) == 1
		}
		return dens.shown() && dens.nllLine() != "" && len(gifs) == 1
	})
	if !strings.Contains(g.ui.status, "saved to") {
		t.Errorf("status after the GIF: %q", g.ui.status)
	}
	steps := b.Status().Step
	until("training on beside the layer", func() bool { return b.Status().Step > steps+50 })

	// No goroutine of the app's may stay: the readouts' one-shot
	// measurements (W2) run off the render loop and end on their own, so
	// give them a bounded moment; the sampler's frame in progress runs
	// only while the game loop waits for it.
	count := func() (int, string) {
		buf := make([]byte, 1<<20)
		return runtime.NumGoroutine(), string(buf[:runtime.Stack(buf, true)])
	}
	n, stacks := count()
	for settle := time.Now().Add(10 * time.Second); n > before+1 && time.Now().Before(settle); n, stacks = count() {
		time.Sleep(20 * time.Millisecond)
	}
	if n > before+1 { // a sampler's frame may be half done
		t.Errorf("stepwise game started goroutines: %d, was %d\n%s", n, before, stacks)
	}
}

// K pressed mid-run: A's run is set aside and both panes race from step 0
// (the strip says so); closing compare mode brings A's run back at the
// step it had reached.
func TestCompareMidRunRacesFromZeroAndRestoresA(t *testing.T) {
	s := scene.DefaultSettings()
	s.Width, s.Depth, s.Particles, s.Steps, s.Grid = 16, 2, 300, 10, 8
	a, err := live.New(s)
	if err != nil {
		t.Fatal(err)
	}
	// Equal costs per step (minibatch OT would make B much slower, and the
	// stepwise mode shares time, not steps).
	g := newGame(Config{Settings: s, Backend: a, Width: 1280, Height: 800, Scale: 1, Stepwise: true, Compare: "lr=0.003",
		NewBackend: func(sb scene.Settings) (scene.Backend, error) { return live.New(sb) }})
	g.Layout(1280, 800)
	if err := a.Apply(g.panes.cur.applied); err != nil {
		t.Fatal(err)
	}
	screen := ebiten.NewImage(1280, 800)
	until := func(what string, ok func() bool) {
		t.Helper()
		for deadline := time.Now().Add(120 * time.Second); !ok(); {
			if time.Now().After(deadline) {
				t.Fatalf("after 120 s: not %s (A at step %d)", what, a.Status().Step)
			}
			frame(t, g, screen)
		}
	}
	until("trained 300 steps", func() bool { return g.panes.cur.sc != nil && a.Status().Step >= 300 })
	before := a.Status().Step

	g.do(keymap.ToggleCompare)
	if !g.panes.comparing() {
		t.Fatalf("K did not open compare mode: %q", g.ui.status)
	}
	if note := g.panes.cmp.raceNote(); !strings.Contains(note, thousands(before)) {
		t.Fatalf("the strip's note %q does not name A's kept step %d", note, before)
	}
	b := g.panes.all[1].backend
	until("raced 50 steps", func() bool { return a.Status().Step >= 50 && b.Status().Step >= 50 })
	// The stepwise mode shares time, not steps, and publishes now and
	// then: the counts are near, not equal; A started again from 0.
	if sa, sb := a.Status().Step, b.Status().Step; sa >= before || sb >= before {
		t.Fatalf("race: A at step %d (was %d before K), B at %d: want both from 0", sa, before, sb)
	}

	g.do(keymap.ToggleCompare)
	if g.panes.comparing() || !strings.Contains(g.ui.status, "back at step "+thousands(before)) {
		t.Fatalf("after closing: %d panes, status %q", len(g.panes.all), g.ui.status)
	}
	until("A back at its own run", func() bool { return a.Status().Step >= before })
}
