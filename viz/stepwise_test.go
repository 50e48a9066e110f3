package viz

import (
	"runtime"
	"testing"
	"time"

	"github.com/hajimehoshi/ebiten/v2"

	"github.com/flowviz/flowviz/viz/live"
	"github.com/flowviz/flowviz/viz/scene"
)

// TestStepwiseGame runs the app's game loop with the desktop backend in the
// stepwise mode, as the browser build will: no backend goroutine, training
// and sampling advanced by Update alone; particles come on screen and
// training moves on.
func TestStepwiseGame(t *testing.T) {
	s := scene.DefaultSettings()
	s.Width, s.Depth, s.Particles, s.Steps, s.Grid = 32, 2, 500, 20, 8
	b, err := live.New(s)
	if err != nil {
		t.Fatal(err)
	}
	before := runtime.NumGoroutine()
	g := newGame(Config{Settings: s, Backend: b, Width: 800, Height: 600, Scale: 1, Stepwise: true})
	g.Layout(800, 600)
	if err := b.Apply(g.panes.cur.applied); err != nil {
		t.Fatal(err)
	}
	screen := ebiten.NewImage(800, 600)
	deadline := time.Now().Add(30 * time.Second)
	for g.panes.cur.sc == nil || b.Status().Step < 200 {
		if time.Now().After(deadline) {
			t.Fatalf("after 30 s: scene %v, step %d", g.panes.cur.sc != nil, b.Status().Step)
		}
		frame(t, g, screen)
	}
	if len(g.panes.cur.pos) != 500 {
		t.Errorf("%d particles on screen, want 500", len(g.panes.cur.pos))
	}
	if n := runtime.NumGoroutine(); n > before+1 { // the state writer may run
		t.Errorf("stepwise game started goroutines: %d, was %d", n, before)
	}
}
