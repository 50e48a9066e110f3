package viz

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/hajimehoshi/ebiten/v2"

	"github.com/flowviz/flowviz/flow"
	"github.com/flowviz/flowviz/flow/compare"
	"github.com/flowviz/flowviz/flow/data"
	"github.com/flowviz/flowviz/flow/train"
	"github.com/flowviz/flowviz/viz/deck"
	"github.com/flowviz/flowviz/viz/keymap"
	"github.com/flowviz/flowviz/viz/scene"
	"github.com/flowviz/flowviz/viz/storage"
)

// waitDeck runs updateDecks until ok holds (at most 20 s).
func waitDeck(t *testing.T, g *Game, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("no %s; status %q", what, g.ui.status)
		}
		time.Sleep(10 * time.Millisecond)
		g.decks.update(g.deckCtx())
	}
}

// TestDeckRoundTripByClicking builds a deck as the panel's button does —
// a preset scene, a drawn one with frozen weights — saves it, opens it in
// a fresh app and gets the same scenes on screen.
func TestDeckRoundTripByClicking(t *testing.T) {
	dir := t.TempDir()
	g, b := trainedGame(t, dir)
	path := filepath.Join(dir, DefaultDeckName)
	if g.decks.path != path || !g.decks.builtin {
		t.Fatalf("deck path %q builtin %v", g.decks.path, g.decks.builtin)
	}

	// Scene 1: the default moons, paused at t = 0.3, some layers.
	g.tl.Scrub(0.3)
	g.tl.Pause()
	g.panes.cur.canvas.Layers = Layers{Particles: true, Grid: true}
	g.decks.title, g.decks.caption, g.decks.formula = "moons", "noise to moons", "v ≈ x1 − x0"
	g.decks.capture(g.deckCtx())
	waitDeck(t, g, "the first scene saved", func() bool {
		return len(g.decks.deck.Scenes) == 1 && g.decks.busy.Load() == 0
	})
	if g.decks.builtin || g.decks.caption != "" {
		t.Fatalf("adding did not start a deck of its own or keep the caption field: builtin %v caption %q", g.decks.builtin, g.decks.caption)
	}

	// Scene 2: a drawing, frozen.
	drawn := &data.PointSet{Points: []flow.Vec{{1, 1}, {2, 0}, {-1, 0.5}, {0, -1}}, Name: "drawing"}
	g.draw.setData(false, drawn, false)
	deadline := time.Now().Add(20 * time.Second)
	for b.Status().Step < 10 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	g.decks.caption, g.decks.freeze = "a drawing", true
	g.panes.cur.canvas.Layers = DefaultLayers()
	g.tl.Play()
	g.decks.capture(g.deckCtx())
	waitDeck(t, g, "the second scene saved", func() bool {
		return len(g.decks.deck.Scenes) == 2 && g.decks.busy.Load() == 0
	})

	saved, err := deck.Load(storage.Files{}, path)
	if err != nil {
		t.Fatal(err)
	}
	if len(saved.Scenes) != 2 {
		t.Fatalf("%d scenes saved", len(saved.Scenes))
	}
	s1, s2 := saved.Scenes[0], saved.Scenes[1]
	if s1.Title != "moons" || s1.Caption != "noise to moons" || s1.Formula != "v ≈ x1 − x0" || specName(s1.Target.Spec) != "moons" ||
		s1.T != 0.3 || s1.Playing == nil || *s1.Playing || len(s1.Model) != 0 || len(s1.Layers) != 2 {
		t.Errorf("scene 1 saved as %+v", s1)
	}
	if len(s2.Target.Points) != 4 || len(s2.Model) == 0 || s2.Playing != nil {
		t.Errorf("scene 2: %d points, %d bytes of weights", len(s2.Target.Points), len(s2.Model))
	}

	// Reorder and delete, each saved.
	g.decks.sel = 1
	g.decks.move(-1)
	waitDeck(t, g, "the move saved", func() bool { return g.decks.busy.Load() == 0 })
	if again, _ := deck.Load(storage.Files{}, path); again == nil || again.Scenes[0].Caption != "a drawing" {
		t.Error("the move was not saved")
	}
	g.decks.move(+1)
	waitDeck(t, g, "the move back saved", func() bool { return g.decks.busy.Load() == 0 })

	// A fresh app opens the deck and shows the same scenes.
	g2, _ := trainedGame(t, t.TempDir())
	if err := g2.decks.open(g2.deckCtx(), path); err != nil {
		t.Fatal(err)
	}
	g2.do(keymap.NextLesson)
	if g2.decks.cur != 0 || !g2.decks.custom {
		t.Fatalf("PageDown: scene %d custom %v; status %q", g2.decks.cur, g2.decks.custom, g2.ui.status)
	}
	if specName(g2.panes.cur.settings.Target) != "moons" || g2.tl.T != 0.3 || g2.tl.Playing || g2.panes.cur.canvas.Layers != (Layers{Particles: true, Grid: true}) {
		t.Errorf("scene 1 shown with target %q t %v playing %v layers %+v", g2.panes.cur.settings.Target, g2.tl.T, g2.tl.Playing, g2.panes.cur.canvas.Layers)
	}
	if col, _ := g2.decks.reserve(rect{0, 0, 1000, 600}, 1); col.W <= 0 {
		t.Error("no caption column for a custom scene")
	}
	g2.do(keymap.NextLesson)
	if g2.decks.cur != 1 || g2.draw.target.Len() != 4 {
		t.Errorf("scene 2: current %d, drawing of %d points", g2.decks.cur, g2.draw.target.Len())
	}
	// The trainer takes the weights and the pause as commands between
	// steps: then its step stays where the weights were frozen.
	deadline = time.Now().Add(10 * time.Second)
	prev, stable := -1, 0
	for stable < 5 && time.Now().Before(deadline) {
		step := g2.panes.cur.backend.Status().Step
		if step == prev {
			stable++
		} else {
			prev, stable = step, 0
		}
		time.Sleep(100 * time.Millisecond)
	}
	if stable < 5 || prev < 10 {
		t.Errorf("the frozen scene is at step %d, stable %v; want the saved weights' step, paused", prev, stable >= 5)
	}
	g2.do(keymap.LeaveLesson)
	if g2.decks.presenting() {
		t.Error("Esc did not leave the deck")
	}
	g2.do(keymap.NextLesson)
	if g2.decks.cur != 1 {
		t.Errorf("PageDown after Esc shows scene %d, want the last one, 2", g2.decks.cur+1)
	}
	if st := g2.report().state.Deck; st.Current != 2 || st.Scenes != 2 || st.Builtin {
		t.Errorf("state file's deck %+v", st)
	}
	g2.decks.sel = 0
	g2.decks.deleteScene(g2.deckCtx())
	waitDeck(t, g2, "the delete saved", func() bool { return g2.decks.busy.Load() == 0 })
	if again, _ := deck.Load(storage.Files{}, path); again == nil || len(again.Scenes) != 1 {
		t.Error("the delete was not saved")
	}
}

// TestDeckLiveSceneContinues: paging away from a live scene and back goes
// on from where it was — step, weights and loss curve — not from fresh
// weights; a scene shown for the first time starts afresh.
func TestDeckLiveSceneContinues(t *testing.T) {
	dir := t.TempDir()
	g, b := trainedGame(t, dir)
	path := filepath.Join(dir, "live.json")
	const deckJSON = `{"format": "flowviz-deck", "version": 1, "scenes": [
		{"title": "moons", "target": {"spec": "moons"}},
		{"title": "eight", "target": {"spec": "8gaussians"}}]}`
	if err := os.WriteFile(path, []byte(deckJSON), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := g.decks.open(g.deckCtx(), path); err != nil {
		t.Fatal(err)
	}
	// waitStep waits until the trainer has applied what it was sent and
	// reached step min; it returns the step.
	waitStep := func(what string, ok func(step int) bool) int {
		t.Helper()
		deadline := time.Now().Add(30 * time.Second)
		for {
			st := b.Status()
			if ok(st.Step) {
				return st.Step
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: the trainer is at step %d (%s); status %q", what, st.Step, st.State, g.ui.status)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	// stateNow is the trainer's state once it has applied what it was sent
	// (it answers between steps, after the commands sent before; at most
	// one slice of steps may come between).
	stateNow := func() *train.SavedState {
		t.Helper()
		st, err := b.TrainingState()
		if err != nil {
			t.Fatal(err)
		}
		return st
	}
	const fresh = 100 // steps a fresh start may have taken when asked
	waitStep("the app's own run", func(s int) bool { return s >= 3*fresh })
	g.do(keymap.NextLesson)
	if g.decks.cur != 0 {
		t.Fatalf("PageDown shows scene %d", g.decks.cur+1)
	}
	if st := stateNow(); st.Model.Step >= fresh {
		t.Fatalf("scene 1 shown first starts at step %d, not afresh", st.Model.Step)
	}
	// The trainer's own count: its published status may lag the reset.
	left := 0
	for deadline := time.Now().Add(30 * time.Second); left < 3*fresh; left = stateNow().Model.Step {
		if time.Now().After(deadline) {
			t.Fatalf("scene 1 is at step %d after 30 s", left)
		}
		time.Sleep(10 * time.Millisecond)
	}
	g.do(keymap.NextLesson)
	if g.decks.cur != 1 || !slices.Equal(g.decks.runs.scenes(), []int{0}) {
		t.Fatalf("scene %d shown, runs kept for %v; want scene 2 and scene 1's run", g.decks.cur+1, g.decks.runs.scenes())
	}
	if st := stateNow(); st.Model.Step >= fresh {
		t.Fatalf("scene 2 shown first starts at step %d, not afresh", st.Model.Step)
	}
	time.Sleep(50 * time.Millisecond) // scene 2 trains a little
	g.do(keymap.PrevLesson)
	// What scene 1 went on from: where it was left, with its loss curve (a
	// fresh start would be a few steps in, with a short curve; past 512
	// steps the curve halves, so ≥ 256 points).
	if st := stateNow(); st.Model.Step < left || len(st.LossHistory) < 2*fresh || specName(st.Target.String()) != "moons" {
		t.Errorf("scene 1 back at step %d with %d loss points on %s; left at step %d", st.Model.Step, len(st.LossHistory), st.Target, left)
	}
	back := waitStep("scene 1 shows its step", func(s int) bool { return s >= left })
	if specName(g.panes.cur.settings.Target) != "moons" {
		t.Errorf("scene 1 shows target %q", g.panes.cur.settings.Target)
	}
	t.Logf("scene 1 left at step %d, back at %d", left, back)
	// Scene 2 was kept in turn; reordering forgets the runs.
	if !slices.Equal(g.decks.runs.scenes(), []int{1}) {
		t.Errorf("runs kept for %v, want scene 2's", g.decks.runs.scenes())
	}
	g.decks.sel = 1
	g.decks.move(-1)
	waitDeck(t, g, "the move saved", func() bool { return g.decks.busy.Load() == 0 })
	if n := len(g.decks.runs.scenes()); n != 0 {
		t.Errorf("%d runs kept after reordering", n)
	}
}

// trainerStub is a Trainer that hands over a state of n parameters at
// step 100, or fails.
type trainerStub struct {
	scene.Backend
	n    int
	fail bool
}

func (s trainerStub) TrainingState() (*train.SavedState, error) {
	if s.fail {
		return nil, errors.New("the trainer did not answer")
	}
	return &train.SavedState{Model: &train.Model{Params: make([]float32, s.n), Step: 100}}, nil
}

func (s trainerStub) Restore(scene.Settings, *train.SavedState, data.Dist, data.Dist) error {
	return nil
}

// TestSceneRunsBound: the runs kept are the last keptRuns scenes' and
// within keptRunFloats numbers, the oldest going first; a backend that
// fails keeps nothing.
func TestSceneRunsBound(t *testing.T) {
	var k sceneRuns
	small := []scene.Backend{trainerStub{n: 1000}}
	for i := range 6 {
		k.keep(i, small)
	}
	if got := k.scenes(); !slices.Equal(got, []int{2, 3, 4, 5}) {
		t.Errorf("kept %v, want the last %d scenes", got, keptRuns)
	}
	k.keep(3, small) // kept again: now the newest
	if got := k.scenes(); !slices.Equal(got, []int{2, 4, 5, 3}) {
		t.Errorf("kept %v after keeping scene 4 again", got)
	}
	// Runs of two thirds of the bound (two panes, three numbers a
	// parameter): the first pushes out the oldest scene (five runs), the
	// second every other one (the numbers).
	big := []scene.Backend{trainerStub{n: keptRunFloats / 9}, trainerStub{n: keptRunFloats / 9}}
	k.keep(7, big)
	if got := k.scenes(); !slices.Equal(got, []int{4, 5, 3, 7}) {
		t.Errorf("kept %v after a big run", got)
	}
	k.keep(8, big)
	if got := k.scenes(); !slices.Equal(got, []int{8}) {
		t.Errorf("kept %v after a second big run, want only it", got)
	}
	total := 0
	for _, r := range k.runs {
		total += r.floats()
	}
	if total > keptRunFloats || len(k.runs) > keptRuns {
		t.Errorf("%d runs of %d numbers kept, bound %d runs, %d numbers", len(k.runs), total, keptRuns, keptRunFloats)
	}
	k.keep(9, []scene.Backend{trainerStub{n: keptRunFloats}}) // beyond the bound alone
	k.keep(10, []scene.Backend{trainerStub{n: 10}, trainerStub{fail: true}})
	if got := k.scenes(); slices.Contains(got, 9) || slices.Contains(got, 10) {
		t.Errorf("kept %v: a run beyond the bound or a failed one was kept", got)
	}
	if st := k.take(8); len(st) != 2 || k.take(8) != nil {
		t.Error("take did not hand scene 9's run over once")
	}
}

// TestDeckCompareStripReadable: a custom scene that compares, its caption
// column on the left, at scales 1–4 on 1280×720 and 1920×1080: the strip
// lies under both panes and beside no caption, and every heading and value
// of it (as wide as its values get) fits its column and lies inside it.
func TestDeckCompareStripReadable(t *testing.T) {
	if raceEnabled {
		t.Skip("a layout sweep on one goroutine that takes minutes under the race detector: make test runs it without -race")
	}
	g, _, _, _ := compareGame(t)
	path := filepath.Join(t.TempDir(), "compare.json")
	const deckJSON = `{"format": "flowviz-deck", "version": 1, "scenes": [
		{"title": "Straighter paths with optimal transport",
		 "caption": "The same eight Gaussians, paired at random (A) and by minibatch optimal transport (B).",
		 "formula": "W2 after one Euler step: lower is straighter",
		 "target": {"spec": "8gaussians"}, "compare": "coupling=ot"}]}`
	if err := os.WriteFile(path, []byte(deckJSON), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := g.decks.open(g.deckCtx(), path); err != nil {
		t.Fatal(err)
	}
	g.do(keymap.NextLesson)
	if !g.decks.showingCustom() || !g.panes.comparing() {
		t.Fatalf("scene shown %v, comparing %v; status %q", g.decks.showingCustom(), g.panes.comparing(), g.ui.status)
	}
	for _, size := range [][2]int{{1280, 720}, {1920, 1080}} {
		screen := ebiten.NewImage(size[0], size[1])
		g.Layout(size[0], size[1])
		for s := 1.0; s <= 4; s++ {
			g.ui.setScale(s, g.panes)
			for range 3 {
				frame(t, g, screen)
			}
			what := fmt.Sprintf("%dx%d scale %g", size[0], size[1], s)
			st := g.report().state
			sb, ok := st.Overlays["compare_strip"]
			if !ok || st.Deck.Column == nil {
				t.Fatalf("%s: strip %v, caption column %v", what, ok, st.Deck.Column)
			}
			strip, col := boxOf(sb), boxOf(*st.Deck.Column)
			if strip.overlaps(col) {
				t.Errorf("%s: the strip %v runs under the caption %v", what, strip, col)
			}
			figure, _, _ := g.layout()
			l := g.panes.strip(figure, g.ui)
			if l.h > strip.H+0.5 {
				t.Errorf("%s: the strip needs %.0f px, has %.0f", what, l.h, strip.H)
			}
			ms := [2]compare.Metrics{g.panes.cmp.metrics(g.panes.all[0], 0), g.panes.cmp.metrics(g.panes.all[1], 1)}
			var names []string
			for j, r := range l.shown {
				row := stripRows[r]
				names = append(names, row.name)
				_, y := l.cell(strip, j, -1, s)
				texts := []string{row.widest, row.text(ms[0]), row.text(ms[1])}
				w, nameW := 0.0, textWidth(row.name, g.ui.fonts.Small)
				for _, v := range texts {
					w = max(w, textWidth(v, g.ui.fonts.Body))
				}
				if !l.compact {
					w = max(w, nameW)
				} else if nameW > l.nameW {
					t.Errorf("%s: %s's name is %.0f px in %.0f", what, row.name, nameW, l.nameW)
				}
				// The next column's mark (or pane letter and mark) sits
				// 9 px a scale step before it.
				xb, yb := l.cell(strip, j, 1, s)
				if cw := l.colW(strip, j); w+9*s > cw || xb+w > strip.X+strip.W {
					t.Errorf("%s: %s's column is %.0f px for %.0f px of text", what, row.name, cw, w)
				}
				if y < strip.Y || yb+l.lineH > strip.Y+strip.H+0.5 {
					t.Errorf("%s: %s's rows %.0f–%.0f leave the strip %v", what, row.name, y, yb+l.lineH, strip)
				}
			}
			// Every metric where there is room (scale 1, and 2 on
			// 1920×1080); the one that tells two models apart best
			// always; those left out are listed in the state file.
			want := stripPriority[:1]
			if s == 1 || s == 2 && size[0] == 1920 {
				want = stripPriority
			}
			for _, name := range want {
				if !slices.Contains(names, name) {
					t.Errorf("%s: the strip shows %v, not %s", what, names, name)
				}
			}
			for _, name := range stripPriority {
				if !slices.Contains(names, name) && !contains(st.HiddenOverlays, "compare_strip:"+name) {
					t.Errorf("%s: %s is neither in the strip nor listed as hidden: %v", what, name, st.HiddenOverlays)
				}
			}
			t.Logf("%s: figure %.0f×%.0f, strip %.0f×%.0f, list %v, %d columns, %d of %d metrics", what, figure.W, figure.H, strip.W, strip.H, l.compact, l.cols, len(l.shown), len(stripRows))
			if size == [2]int{1920, 1080} && s == 2 || size == [2]int{1280, 720} && s == 4 {
				saveShot(t, screen, fmt.Sprintf("deck-compare-%dx%d-scale%g", size[0], size[1], s))
			}
		}
		screen.Deallocate()
	}
}
