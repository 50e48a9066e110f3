package viz

import (
	"image"
	"image/gif"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hajimehoshi/ebiten/v2"

	"github.com/flowviz/flowviz/viz/input"
	"github.com/flowviz/flowviz/viz/keymap"
	"github.com/flowviz/flowviz/viz/palette"
	"github.com/flowviz/flowviz/viz/record"
	"github.com/flowviz/flowviz/viz/scene"
)

// compareGame is a game whose compare mode opens a second synthetic backend
// (no goroutine: the test drives both).
func compareGame(t *testing.T) (*Game, *staticBackend, *[]*staticBackend, *ebiten.Image) {
	t.Helper()
	a := newSynthetic(300, 10, 8)
	var made []*staticBackend
	s := scene.DefaultSettings()
	s.Particles, s.Steps = 300, 10
	g := newGame(Config{Settings: s, Backend: a, Width: 1280, Height: 800, Scale: 1, Stepwise: true,
		NewBackend: func(sb scene.Settings) (scene.Backend, error) {
			b := newSynthetic(300, 10, 8)
			made = append(made, b)
			return b, nil
		}})
	g.Layout(1280, 800)
	screen := ebiten.NewImage(1280, 800)
	frame(t, g, screen)
	return g, a, &made, screen
}

func TestCompareOpensSharesAndCloses(t *testing.T) {
	g, a, made, screen := compareGame(t)
	camBefore := g.panes.cur.canvas.Cam
	g.do(keymap.ToggleCompare)
	if len(g.panes.all) != 2 || len(*made) != 1 {
		t.Fatalf("K made %d panes and %d backends", len(g.panes.all), len(*made))
	}
	b := g.panes.all[1]
	if b.applied.Coupling != "ot" || g.panes.all[0].applied.Coupling != "independent" {
		t.Fatalf("B = A with %q: A %q, B %q", DefaultCompare, g.panes.all[0].applied.Coupling, b.applied.Coupling)
	}
	if got := (*made)[0].applied; len(got) == 0 || got[len(got)-1].Coupling != "ot" {
		t.Fatalf("B's backend was given %+v", got)
	}
	for range 3 {
		frame(t, g, screen)
	}
	canvasR, _, _ := g.layout()
	rects := g.panes.rects(canvasR, g.ui)
	if rects[0].X+rects[0].W > rects[1].X || rects[0].Y != rects[1].Y || rects[0].H >= canvasR.H {
		t.Fatalf("panes %v and %v do not sit side by side above the strip in %v", rects[0], rects[1], canvasR)
	}

	// A wheel notch over B zooms both around the same world point.
	in := input.Snapshot{WheelY: 1}.At(rects[1].X+rects[1].W/2, rects[1].Y+rects[1].H/2)
	g.panes.panZoom(&in, rects)
	ca, cb := g.panes.all[0].canvas.Cam, g.panes.all[1].canvas.Cam
	if ca.Zoom != cb.Zoom || ca.CenterX != cb.CenterX || ca.CenterY != cb.CenterY || ca.Zoom == camBefore.Zoom {
		t.Fatalf("cameras after a zoom over B: A %+v, B %+v", ca, cb)
	}

	// A click in B focuses it; the panel's edit of the learning rate goes
	// to B alone, the data to both; with link on, to both.
	click := input.Snapshot{}.At(rects[1].X+20, rects[1].Y+rects[1].H/2)
	click.Press(input.Left)
	g.panes.focusAt(&click, rects, g.ui)
	if g.panes.focus != 1 || g.panes.cur != b {
		t.Fatalf("click in B: focus %d", g.panes.focus)
	}
	e := b.settings
	e.LR, e.Target = 5e-3, "8gaussians"
	g.panes.edit(e)
	if b.settings.LR != 5e-3 || g.panes.all[0].settings.LR == 5e-3 {
		t.Errorf("unlinked lr edit: A %v, B %v", g.panes.all[0].settings.LR, b.settings.LR)
	}
	if g.panes.all[0].settings.Target != "8gaussians" {
		t.Errorf("the target is shared, A has %q", g.panes.all[0].settings.Target)
	}
	g.panes.cmp.Link = true
	e = b.settings
	e.Width = 128
	g.panes.edit(e)
	if g.panes.all[0].settings.Width != 128 || g.panes.all[0].settings.Coupling != "independent" {
		t.Errorf("linked width edit: A %+v", g.panes.all[0].settings)
	}

	// Training is toggled for both.
	g.do(keymap.ToggleTraining)
	if a.trains+a.pauses == 0 || (*made)[0].trains+(*made)[0].pauses == 0 {
		t.Errorf("Enter reached A %d and B %d times", a.trains+a.pauses, (*made)[0].trains+(*made)[0].pauses)
	}

	st := g.report().state
	if st.Compare == nil || len(st.Compare.Panes) != 2 || st.Compare.Focus != 1 || st.Compare.Panes[1].Coupling != "ot" {
		t.Fatalf("state file compare part: %+v", st.Compare)
	}

	// K again: one pane, A as it was, the panel back on A.
	aPane := g.panes.all[0]
	g.do(keymap.ToggleCompare)
	if len(g.panes.all) != 1 || g.panes.cur != aPane || g.panes.focus != 0 {
		t.Fatalf("after closing: %d panes, focus %d", len(g.panes.all), g.panes.focus)
	}
	frame(t, g, screen)
	if st := g.report().state; st.Compare != nil {
		t.Fatalf("state file still reports compare mode")
	}
}

// TestCompareNeedsTheLiveTrainer: without a backend maker (the demo),
// K says why and keeps one pane.
func TestCompareNeedsTheLiveTrainer(t *testing.T) {
	b := newSynthetic(100, 10, 8)
	g := testGame(t, b, 800, 600)
	g.do(keymap.ToggleCompare)
	if len(g.panes.all) != 1 || !g.ui.statusErr {
		t.Fatalf("%d panes, status %q", len(g.panes.all), g.ui.status)
	}
}

// BenchmarkFrame measures a frame's CPU time (Update + Draw) with one pane
// and with two of 10,000 particles each: compare mode's budget is 2× one.
func BenchmarkFrame(b *testing.B) {
	for _, panes := range []int{1, 2} {
		b.Run(map[int]string{1: "one-pane-10k", 2: "two-panes-10k"}[panes], func(b *testing.B) {
			s := scene.DefaultSettings()
			s.Particles, s.Steps = 10000, 100
			a := newSynthetic(10000, 100, 32)
			g := newGame(Config{Settings: s, Backend: a, Width: 1920, Height: 1080, Scale: 1, Stepwise: true,
				NewBackend: func(scene.Settings) (scene.Backend, error) { return newSynthetic(10000, 100, 32), nil }})
			g.Layout(1920, 1080)
			screen := ebiten.NewImage(1920, 1080)
			if panes == 2 {
				g.do(keymap.ToggleCompare)
			}
			// Reading a pixel flushes ebiten's command queue, as a real frame
			// does; without it the queue only grows, and the benchmark times
			// its slices' copies.
			for range 5 {
				frame(b, g, screen)
				_ = screen.At(0, 0)
			}
			for b.Loop() {
				frame(b, g, screen)
				_ = screen.At(0, 0)
			}
		})
	}
}

// TestCompareSessionReopensBothPanes: a session saved in compare mode holds
// pane B, and opening it brings both panes back, B with its own settings
// and the focus where it was.
func TestCompareSessionReopensBothPanes(t *testing.T) {
	g, _, _, _ := compareGame(t)
	g.do(keymap.ToggleCompare)
	canvasR, _, _ := g.layout()
	rects := g.panes.rects(canvasR, g.ui)
	click := input.Snapshot{}.At(rects[1].X+20, rects[1].Y+rects[1].H/2)
	click.Press(input.Left)
	g.panes.focusAt(&click, rects, g.ui)
	s := g.keep.sessionView()
	if err := completeCompared(g.panes.backends(), s); err != nil {
		t.Fatal(err)
	}
	if s.Compare == nil || s.Compare.Spec != DefaultCompare || s.Compare.Settings.Coupling != "ot" || s.Compare.Focus != 1 {
		t.Fatalf("session's compare part: %+v", s.Compare)
	}
	if s.Settings.Coupling != "independent" {
		t.Fatalf("the session's own model is pane B's: %+v", s.Settings)
	}
	if err := s.Validate(); err != nil {
		t.Fatal(err)
	}

	g2, _, made, _ := compareGame(t)
	if err := g2.keep.applySession(s); err != nil {
		t.Fatal(err)
	}
	if len(g2.panes.all) != 2 || len(*made) != 1 || g2.panes.focus != 1 {
		t.Fatalf("reopened: %d panes, %d backends made, focus %d", len(g2.panes.all), len(*made), g2.panes.focus)
	}
	if c := g2.panes.all[1].applied.Coupling; c != "ot" {
		t.Fatalf("pane B reopened with coupling %q", c)
	}
}

// exported returns the one file in dir/exports whose name ends in suffix.
func exported(t *testing.T, dir, suffix string) string {
	t.Helper()
	matches, err := filepath.Glob(filepath.Join(dir, "exports", "*"+suffix))
	if err != nil || len(matches) != 1 {
		t.Fatalf("exports %v (%v), want one *%s", matches, err, suffix)
	}
	return matches[0]
}

// inked counts the pixels of img inside r that are not the background.
func inked(img image.Image, r image.Rectangle) int {
	bg := toColor(palette.Background)
	n := 0
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			cr, cg, cb, _ := img.At(x, y).RGBA()
			br, bgg, bb, _ := bg.RGBA()
			if cr != br || cg != bgg || cb != bb {
				n++
			}
		}
	}
	return n
}

// In compare mode F12's PNG captures both panes and the strip, and F9's
// GIF plays both panes side by side, A on the left.
func TestCompareExportsShowBothPanes(t *testing.T) {
	g, _, _, screen := compareGame(t)
	dir := t.TempDir()
	g.keep.Dir = dir
	g.do(keymap.ToggleCompare)
	for range 3 {
		frame(t, g, screen)
	}
	canvasR, _, _ := g.layout()
	rects := g.panes.rects(canvasR, g.ui)

	g.do(keymap.Screenshot)
	frame(t, g, screen)
	waitSaves(t, g)
	f, err := os.Open(exported(t, dir, ".png"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	shot, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	if got := shot.Bounds(); got.Dx() != int(canvasR.W) || got.Dy() != int(canvasR.H) {
		t.Fatalf("PNG %v, want the canvas %v with both panes", got, canvasR)
	}
	for i, r := range rects {
		pr := image.Rect(int(r.X), int(r.Y), int(r.X+r.W), int(r.Y+r.H)).Sub(image.Pt(int(canvasR.X), int(canvasR.Y)))
		if n := inked(shot, pr); n < pr.Dx()*pr.Dy()/100 {
			t.Errorf("pane %d's part of the PNG has %d drawn pixels of %d", i, n, pr.Dx()*pr.Dy())
		}
	}

	g.keep.GIFSize, g.keep.GIFFrames = 64, 3
	g.do(keymap.RecordGIF)
	// Stepwise, the game loop records the GIF a frame at a time.
	for deadline := time.Now().Add(20 * time.Second); g.keep.gif != nil && time.Now().Before(deadline); {
		frame(t, g, screen)
	}
	if g.ui.statusErr || !strings.Contains(g.ui.status, "panes A | B") {
		t.Fatalf("status after F9: %q", g.ui.status)
	}
	gf, err := os.Open(exported(t, dir, ".gif"))
	if err != nil {
		t.Fatal(err)
	}
	defer gf.Close()
	anim, err := gif.DecodeAll(gf)
	if err != nil {
		t.Fatal(err)
	}
	last := anim.Image[len(anim.Image)-1]
	if got, want := last.Bounds().Dx(), 2*64+record.PaneGap; got != want || last.Bounds().Dy() != 64 {
		t.Fatalf("GIF frames %v, want %d×64: both panes side by side", last.Bounds(), want)
	}
	for i, r := range []image.Rectangle{image.Rect(0, 0, 64, 64), image.Rect(64+record.PaneGap, 0, 2*64+record.PaneGap, 64)} {
		n := 0
		for y := r.Min.Y; y < r.Max.Y; y++ {
			for x := r.Min.X; x < r.Max.X; x++ {
				if last.ColorIndexAt(x, y) > 2 { // past background, axis and cloud: a particle
					n++
				}
			}
		}
		if n < 20 {
			t.Errorf("GIF panel %d has %d particle pixels", i, n)
		}
	}
}

// A lesson that compares (7: independent vs minibatch OT) shows two panes of
// its own; the user's compare mode waits, B paused, and Esc brings it back
// exactly as it was: the same pane B, its focus, training again.
func TestLessonComparesAndEscRestoresTheUsersCompareMode(t *testing.T) {
	g, _, made, screen := compareGame(t)
	g.panes.cmp.Spec = "lr=0.01"
	g.do(keymap.ToggleCompare)
	userB := g.panes.all[1]
	userB.backend.Train()
	shared := len(g.panes.cmp.share)
	canvasR, _, _ := g.layout()
	rects := g.panes.rects(canvasR, g.ui)
	click := input.Snapshot{}.At(rects[1].X+20, rects[1].Y+rects[1].H/2)
	click.Press(input.Left)
	g.panes.focusAt(&click, rects, g.ui)
	frame(t, g, screen)

	g.lessons.key(lessonGo, 7)
	frame(t, g, screen)
	if !g.lessons.active() || len(g.panes.all) != 2 || len(*made) != 2 {
		t.Fatalf("lesson 7: %d panes, %d backends made", len(g.panes.all), len(*made))
	}
	if a, b := g.panes.all[0].applied.Coupling, g.panes.all[1].applied.Coupling; a != "independent" || b != "ot" || g.panes.all[1] == userB {
		t.Fatalf("lesson 7 compares A %q with B %q (the user's B: %v)", a, b, g.panes.all[1] == userB)
	}
	if st := userB.backend.Status().State; st != "paused" {
		t.Fatalf("the user's pane B is %q during the lesson, want paused", st)
	}
	fig := g.lessons.lay.figure
	pr := g.paneRects(canvasR)
	if pr[0].X < fig.X || pr[1].X+pr[1].W > fig.X+fig.W+1 || pr[0].X+pr[0].W > pr[1].X {
		t.Fatalf("lesson panes %v not side by side in the figure %v", pr, fig)
	}
	rows := strings.Join(g.lessons.numbers(), "\n")
	if !strings.Contains(rows, "independent") || !strings.Contains(rows, "minibatch OT") {
		t.Fatalf("lesson 7's numbers:\n%s", rows)
	}

	// Lesson 6: Euler in A, RK4 in B; a step-count chip sets both.
	g.lessons.key(lessonGo, 6)
	frame(t, g, screen)
	if len(g.panes.all) != 2 || g.panes.all[0].settings.Solver != "euler" || g.panes.all[1].settings.Solver != "rk4" {
		t.Fatalf("lesson 6 panes: %d, solvers %q", len(g.panes.all), g.panes.all[1].settings.Solver)
	}
	for _, c := range g.lessons.chips {
		if c.label == "5" {
			c.do()
		}
	}
	if a, b := g.panes.all[0].settings.Steps, g.panes.all[1].settings.Steps; a != 5 || b != 5 {
		t.Fatalf("the chip 5 set NUM_STEPS %d in A, %d in B", a, b)
	}

	g.do(keymap.LeaveLesson)
	frame(t, g, screen)
	if g.lessons.active() || len(g.panes.all) != 2 || g.panes.all[1] != userB || g.panes.focus != 1 || g.panes.cmp.Spec != "lr=0.01" {
		t.Fatalf("after Esc: %d panes, the user's B back %v, focus %d, spec %q", len(g.panes.all), g.panes.all[1] == userB, g.panes.focus, g.panes.cmp.Spec)
	}
	if st := userB.backend.Status().State; st != "running" {
		t.Fatalf("the user's pane B is %q after Esc, want running again", st)
	}
	if len(g.panes.cmp.share) != shared {
		t.Fatalf("after Esc %d backends train in lockstep, want %d as before", len(g.panes.cmp.share), shared)
	}
}
