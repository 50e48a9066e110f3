package viz

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/hajimehoshi/ebiten/v2"

	"github.com/flowviz/flowviz/flow/data"
	"github.com/flowviz/flowviz/viz/drawing"
	"github.com/flowviz/flowviz/viz/input"
	"github.com/flowviz/flowviz/viz/keymap"
	"github.com/flowviz/flowviz/viz/scene"
)

// drawBackend is a staticBackend that also takes drawn data.
type drawBackend struct {
	*staticBackend
	sets []setCall
}

type setCall struct {
	source bool
	pts    *data.PointSet
}

func (b *drawBackend) SetData(source bool, d data.Dist) string {
	b.sets = append(b.sets, setCall{source, d.(*data.PointSet)})
	return d.String()
}

func drawGame(t *testing.T) (*Game, *drawBackend, *ebiten.Image) {
	t.Helper()
	sb := newSynthetic(500, 10, 8)
	b := &drawBackend{staticBackend: sb}
	s := scene.DefaultSettings()
	s.Particles, s.Steps = sb.sc.Particles(), sb.sc.Steps()
	g := newGame(Config{Settings: s, Backend: b, Width: 1280, Height: 800, Scale: 1})
	g.Layout(1280, 800)
	screen := ebiten.NewImage(1280, 800)
	frame(t, g, screen)
	return g, b, screen
}

// stroke drags the left button from (x0, y0) to (x1, y1) over n ticks, the
// way the game sees a real drag: a press, held ticks, a release.
func stroke(g *Game, x0, y0, x1, y1 float64, n int) {
	strokeWith(g, input.Snapshot{}, x0, y0, x1, y1, n)
}

// strokeWith is stroke with base's capture state.
func strokeWith(g *Game, base input.Snapshot, x0, y0, x1, y1 float64, n int) {
	canvasR, _, _ := g.layout()
	for i := 0; i <= n; i++ {
		f := float64(i) / float64(n)
		in := base.At(x0+f*(x1-x0), y0+f*(y1-y0))
		if i == 0 {
			in.Press(input.Left)
		} else {
			in.Hold(input.Left)
		}
		g.draw.paint(canvasR, &in)
	}
	in := base.At(x1, y1)
	in.Release(input.Left)
	g.draw.paint(canvasR, &in)
}

// send lets the throttle pass and hands the drawing to the backend.
func send(g *Game) {
	g.draw.sentAt = time.Time{}
	g.draw.send()
}

func TestStrokeReachesTheBackend(t *testing.T) {
	tests := []struct {
		name string
		tool Brush
		min  int
	}{
		{"spray", Spray, 20 * 12},
		{"line", LineBrush, 30},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			g, b, screen := drawGame(t)
			g.do(keymap.ToggleDraw)
			g.draw.Tool = tc.tool
			stroke(g, 200, 300, 600, 300, 20)
			frame(t, g, screen)
			send(g)
			if len(b.sets) != 1 || b.sets[0].source {
				t.Fatalf("backend got %d sets (%+v), want one target", len(b.sets), b.sets)
			}
			pts := b.sets[0].pts.Points
			if len(pts) < tc.min {
				t.Fatalf("%d points, want ≥ %d", len(pts), tc.min)
			}
			// Every point lies within the brush of the stroke's screen path.
			r := g.draw.brushWorld()
			ax, ay := g.panes.cur.canvas.Cam.ToWorld(200, 300)
			bx, by := g.panes.cur.canvas.Cam.ToWorld(600, 300)
			for _, p := range pts {
				if p[0] < ax-r-1e-9 || p[0] > bx+r+1e-9 || math.Abs(p[1]-ay) > r+1e-9 {
					t.Fatalf("point %v outside the stroke from (%g,%g) to (%g,%g) ± %g", p, ax, ay, bx, by, r)
				}
			}
			if g.panes.cur.applied.Target != b.sets[0].pts.String() || g.ui.panel.edit.Target != g.panes.cur.applied.Target {
				t.Fatalf("settings label %q / panel %q, want %q", g.panes.cur.applied.Target, g.ui.panel.edit.Target, b.sets[0].pts.String())
			}
			st := g.report().state.Drawing
			if st.Points != len(pts) || st.Box == nil || st.Box[0] > ax || st.Box[2] < bx-r {
				t.Fatalf("state file drawing %+v", st)
			}

			// Undo empties the drawing: the backend gets an empty set, and
			// the status line asks for a drawing.
			g.draw.undo()
			send(g)
			if len(b.sets) != 2 || len(b.sets[1].pts.Points) != 0 {
				t.Fatalf("after undo the backend got %d sets", len(b.sets))
			}
			if !strings.Contains(g.ui.status, "draw something") {
				t.Fatalf("status %q does not ask for a drawing", g.ui.status)
			}
			g.draw.redo()
			send(g)
			if n := len(b.sets[2].pts.Points); n != len(pts) {
				t.Fatalf("after redo %d points, want %d", n, len(pts))
			}
		})
	}
}

func TestDrawingGoesToTheSourceOnRequest(t *testing.T) {
	g, b, _ := drawGame(t)
	g.do(keymap.ToggleDraw)
	g.draw.ToSource = true
	stroke(g, 300, 300, 320, 320, 3)
	send(g)
	if len(b.sets) != 1 || !b.sets[0].source || g.panes.cur.applied.Source != b.sets[0].pts.String() {
		t.Fatalf("sets %+v, source label %q", b.sets, g.panes.cur.applied.Source)
	}
	if g.draw.target.Len() != 0 {
		t.Fatal("the target drawing changed")
	}
}

func TestNoPaintingOutsideTheCanvasOrWithoutDrawMode(t *testing.T) {
	g, b, _ := drawGame(t)
	stroke(g, 300, 300, 400, 300, 5) // draw mode off
	_, _, panelR := g.layout()
	g.do(keymap.ToggleDraw)
	stroke(g, panelR.X+20, 200, panelR.X+60, 200, 5) // on the panel
	// A stroke begun on the canvas and dragged onto the panel paints only
	// on the canvas.
	stroke(g, panelR.X-1, 200, panelR.X+100, 200, 20)
	for _, p := range g.draw.target.Points() {
		if sx, _ := g.panes.cur.canvas.Cam.ToScreen(p[0], p[1]); sx > panelR.X+float64(g.draw.Radius) {
			t.Fatalf("point at screen x %.0f, under the panel at %.0f", sx, panelR.X)
		}
	}
	if g.draw.target.Len() == 0 {
		t.Fatal("the stroke's start on the canvas painted nothing")
	}
	g.draw.target = drawing.New(nil)
	strokeWith(g, input.Snapshot{PointerCaptured: true}, 300, 300, 400, 300, 5) // debugui holds the pointer
	send(g)
	if g.draw.target.Len() != 0 || len(b.sets) != 0 {
		t.Fatalf("painted %d points, sent %d sets", g.draw.target.Len(), len(b.sets))
	}
}

func TestEraserAndCapMessage(t *testing.T) {
	g, _, _ := drawGame(t)
	g.do(keymap.ToggleDraw)
	stroke(g, 400, 400, 400, 400, 10)
	if g.draw.target.Len() == 0 {
		t.Fatal("spray added nothing")
	}
	g.draw.Tool = Eraser
	g.draw.Radius = 40
	stroke(g, 400, 400, 400, 400, 1)
	if n := g.draw.target.Len(); n != 0 {
		t.Fatalf("%d points left after erasing over them", n)
	}
	g.draw.Tool = Spray
	g.draw.Density = 60
	for g.draw.target.Len() < drawing.MaxPoints {
		stroke(g, 300, 300, 500, 300, 100)
	}
	if !strings.Contains(g.ui.status, "50,000") || !g.ui.statusErr {
		t.Fatalf("status %q (error %v) does not state the cap", g.ui.status, g.ui.statusErr)
	}
}

func BenchmarkDrawOverlay(b *testing.B) {
	sb := newSynthetic(500, 10, 8)
	g := newGame(Config{Settings: scene.DefaultSettings(), Backend: sb, Width: 1280, Height: 800, Scale: 1})
	g.Layout(1280, 800)
	screen := ebiten.NewImage(1280, 800)
	g.draw.On = true
	stroke(g, 300, 300, 500, 300, 199)
	canvasR, _, _ := g.layout()
	for b.Loop() {
		g.draw.drawOverlay(screen, canvasR)
	}
}
