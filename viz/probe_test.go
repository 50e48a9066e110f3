package viz

import (
	"testing"

	"github.com/hajimehoshi/ebiten/v2"

	"github.com/flowviz/flowviz/flow/train"
	"github.com/flowviz/flowviz/viz/input"
	"github.com/flowviz/flowviz/viz/keymap"
	"github.com/flowviz/flowviz/viz/scene"
)

// The probe's box keeps clear of the point and of the readouts it must not
// cover, trying the point's four sides, then the area's corners.
func TestInfoBoxPlaceAvoidsReadouts(t *testing.T) {
	area := rect{0, 0, 1000, 600}
	readout := rect{10, 10, 400, 200}
	for _, tc := range []struct {
		name  string
		x, y  float64
		avoid []rect
	}{
		{"free below right", 500, 300, nil},
		{"below right would cover the readout", 20, 20, []rect{readout}},
		{"near the bottom right corner", 990, 590, []rect{readout}},
		{"beside the readout", 420, 100, []rect{readout}},
	} {
		bx, by := infoBoxPlace(area, tc.x, tc.y, 300, 120, 24, tc.avoid)
		box := rect{bx, by, 300, 120}
		if box.X < area.X || box.Y < area.Y || box.X+box.W > area.X+area.W || box.Y+box.H > area.Y+area.H {
			t.Errorf("%s: box %v leaves the area %v", tc.name, box, area)
		}
		if box.contains(tc.x, tc.y) {
			t.Errorf("%s: box %v covers the point (%v, %v)", tc.name, box, tc.x, tc.y)
		}
		for _, a := range tc.avoid {
			if box.overlaps(a) {
				t.Errorf("%s: box %v covers the readout %v", tc.name, box, a)
			}
		}
	}
}

// inspectCompareGame is compare mode over two trained models: B's backend
// is another inspectBackend, trained a few hundred steps more.
func inspectCompareGame(t *testing.T) (*Game, *ebiten.Image) {
	t.Helper()
	a := newInspectBackend(t)
	s := scene.DefaultSettings()
	s.Particles, s.Steps = a.sc.Particles(), a.sc.Steps()
	g := newGame(Config{Settings: s, Backend: a, Width: 1600, Height: 900, Scale: 2, Stepwise: true,
		NewBackend: func(scene.Settings) (scene.Backend, error) {
			b := newInspectBackend(t)
			b.model = trainMore(t, b.model, 300)
			return b, nil
		}})
	g.Layout(1600, 900)
	screen := ebiten.NewImage(1600, 900)
	frame(t, g, screen)
	g.do(keymap.ToggleCompare)
	for range 3 {
		frame(t, g, screen)
	}
	return g, screen
}

// trainMore returns m's weights after n more steps on its own data.
func trainMore(t *testing.T, m *train.Model, n int) *train.Model {
	t.Helper()
	tr, err := train.New(m.Config)
	if err != nil {
		t.Fatal(err)
	}
	tr.Restore(&train.SavedState{Model: m, Optimizer: train.OptimizerState{M: make([]float32, len(m.Params)), V: make([]float32, len(m.Params))}})
	for range n {
		if _, err := tr.Step(); err != nil {
			t.Fatal(err)
		}
	}
	tr.Publish()
	return tr.Latest().Model()
}

// In compare mode the reverse tool runs the same end x1 back through both
// models, each path drawn in its own pane.
func TestReverseRunsInBothPanes(t *testing.T) {
	g, screen := inspectCompareGame(t)
	g.do(keymap.ToggleReverse)
	canvasR, _, _ := g.layout()
	rects := g.panes.rects(canvasR, g.ui)
	r := rects[g.panes.focus]
	in := input.Snapshot{}.At(r.X+r.W*0.6, r.Y+r.H*0.6)
	in.Press(input.Left)
	if msg := g.tools.Update(&in, g.toolFrame(rects)); msg != "" {
		t.Fatal(msg)
	}
	g.Draw(screen)
	st := g.tools.State()
	if len(st.Reverse) != 1 || len(st.OtherReverse) != 1 {
		t.Fatalf("reverse paths %v, other pane's %v: want one each", st.Reverse, st.OtherReverse)
	}
	if st.Reverse[0][0] != st.OtherReverse[0][0] {
		t.Fatalf("the paths start at %v and %v, want the same x1", st.Reverse[0][0], st.OtherReverse[0][0])
	}
	fa, _ := g.panes.cur.learned()
	fb, _ := g.panes.other().learned()
	wantA, wantB := reversePath(fa, st.Reverse[0][0]), reversePath(fb, st.Reverse[0][0])
	if st.Reverse[0][1] != wantA[len(wantA)-1] || st.OtherReverse[0][1] != wantB[len(wantB)-1] {
		t.Fatalf("x0s %v and %v, want each model's own %v and %v", st.Reverse[0][1], st.OtherReverse[0][1], wantA[len(wantA)-1], wantB[len(wantB)-1])
	}
	if st.Reverse[0][1] == st.OtherReverse[0][1] {
		t.Fatal("two different models sent x1 back to the same noise")
	}
}
