package viz

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/flowviz/flowviz/flow"
	"github.com/flowviz/flowviz/flow/data"
	"github.com/flowviz/flowviz/flow/train"
	"github.com/flowviz/flowviz/viz/live"
	"github.com/flowviz/flowviz/viz/scene"
	"github.com/flowviz/flowviz/viz/session"
	"github.com/flowviz/flowviz/viz/timeline"
)

func keepSettings() scene.Settings {
	s := scene.DefaultSettings()
	s.Width, s.Depth, s.Particles, s.Steps, s.Grid, s.Trails = 16, 2, 300, 10, 8, 50
	return s
}

// trainedGame returns a game on a live backend that has trained a little,
// with its backend running until the test ends.
func trainedGame(t *testing.T, dir string) (*Game, *live.Backend) {
	t.Helper()
	b, err := live.New(keepSettings())
	if err != nil {
		t.Fatal(err)
	}
	g := newGame(Config{Settings: keepSettings(), Backend: b, Width: 1000, Height: 700, Scale: 1, KeepDir: dir})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { b.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	deadline := time.Now().Add(20 * time.Second)
	for (b.Status().Step < 30 || b.Scene() == nil) && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	g.pane.sc = b.Scene()
	return g, b
}

// TestSessionRoundTripRestoresPicture saves a game with a drawn target, a
// moved camera, other layers and a paused timeline, opens it in a fresh
// game and checks that everything the picture depends on came back.
func TestSessionRoundTripRestoresPicture(t *testing.T) {
	dir := t.TempDir()
	g, b := trainedGame(t, dir)
	drawn := &data.PointSet{Points: []flow.Vec{{1, 1}, {2, 0}, {-1, 0.5}}, Name: "drawing"}
	g.setData(false, drawn, false)
	g.pane.canvas.Cam.CenterX, g.pane.canvas.Cam.CenterY, g.pane.canvas.Cam.Zoom = 0.75, -0.5, 123
	g.pane.canvas.Layers = Layers{Trajectories: true, Grid: true}
	g.tl.T, g.tl.Playing, g.tl.Mode, g.tl.Speed = 0.4, false, timeline.Bounce, 2
	g.keep.Lesson = "lesson 1"

	path := filepath.Join(dir, "s.flowviz")
	want := g.sessionView()
	if err := completeSession(b, want); err != nil {
		t.Fatal(err)
	}
	if err := session.Save(path, want); err != nil {
		t.Fatal(err)
	}

	b2, err := live.New(keepSettings())
	if err != nil {
		t.Fatal(err)
	}
	g2 := newGame(Config{Settings: keepSettings(), Backend: b2, Width: 1000, Height: 700, Scale: 1, KeepDir: dir, SessionFile: path})
	g2.openAtStart()
	if !strings.Contains(g2.status, "restored session") {
		t.Fatalf("status %q", g2.status)
	}
	got := g2.sessionView()
	if err := completeSession(b2, got); err != nil { // b2 is not running: read directly
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got.View, want.View) || got.Lesson != want.Lesson {
		t.Errorf("view %+v, lesson %q; want %+v, %q", got.View, got.Lesson, want.View, want.Lesson)
	}
	if got.Model.Step != want.Model.Step || !reflect.DeepEqual(got.Model.Params, want.Model.Params) ||
		!reflect.DeepEqual(got.Optimizer, want.Optimizer) {
		t.Error("weights, optimizer or step differ after opening the session")
	}
	if !reflect.DeepEqual(got.Target, want.Target) || g2.draw.target.Len() != 3 {
		t.Errorf("target %+v (drawing of %d points), want %+v", got.Target, g2.draw.target.Len(), want.Target)
	}
	if got.Settings != want.Settings {
		t.Errorf("settings\n %+v\nwant\n %+v", got.Settings, want.Settings)
	}
	if g2.pane.fitData {
		t.Error("the restored view would be refitted when the first scene arrives")
	}
}

func TestDamagedAutosaveStartsClean(t *testing.T) {
	dir := t.TempDir()
	auto := filepath.Join(dir, AutosaveName)
	for name, content := range map[string]string{
		"truncated": `{"format":"flowviz-session","version":1,"settings":{"sou`,
		"version":   `{"format":"flowviz-session","version":9}`,
		"garbage":   "\x00\x01\x02",
	} {
		if err := os.WriteFile(auto, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		b, err := live.New(keepSettings())
		if err != nil {
			t.Fatal(err)
		}
		g := newGame(Config{Settings: keepSettings(), Backend: b, Width: 800, Height: 600, Scale: 1, KeepDir: dir})
		g.openAtStart()
		if !g.statusErr || !strings.Contains(g.status, "autosave not restored, starting clean") {
			t.Errorf("%s: status %q", name, g.status)
		}
		if g.pane.applied.Target != keepSettings().Target {
			t.Errorf("%s: target changed to %q", name, g.pane.applied.Target)
		}
	}
	// -fresh ignores even a good autosave.
	b, _ := live.New(keepSettings())
	g := newGame(Config{Settings: keepSettings(), Backend: b, Width: 800, Height: 600, Scale: 1, KeepDir: dir, Fresh: true})
	g.openAtStart()
	if g.status != "" {
		t.Errorf("fresh start says %q", g.status)
	}
}

// TestExportedModelEvaluates writes the exports of a game trained on a
// drawn target and checks that the model file loads with its data, as
// `flowmatch eval -model` does.
func TestExportedModelEvaluates(t *testing.T) {
	dir := t.TempDir()
	g, b := trainedGame(t, dir)
	drawn := &data.PointSet{Points: []flow.Vec{{1, 1}, {2, 0}}, Jitter: 0.1, Name: "drawing"}
	b.SetData(false, drawn)
	stem := filepath.Join(dir, "x-")
	if _, err := exportAll(b, g.pane.sc, stem); err != nil {
		t.Fatal(err)
	}
	samples, err := os.ReadFile(stem + "samples.csv")
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(samples), "\n"); n < g.pane.sc.Particles() {
		t.Errorf("samples.csv has %d lines for %d particles", n, g.pane.sc.Particles())
	}
	traj, err := os.ReadFile(stem + "trajectories.csv")
	if err != nil {
		t.Fatal(err)
	}
	if n, want := strings.Count(string(traj), "\n"), 1+g.pane.sc.Particles()*len(g.pane.sc.Traj); n != want {
		t.Errorf("trajectories.csv has %d lines, want %d", n, want)
	}
	m, err := train.LoadModel(stem + "model.json")
	if err != nil {
		t.Fatal(err)
	}
	tgt, err := data.Load(m.Config.Target)
	if err != nil {
		t.Fatalf("the model's target %q does not load: %v", m.Config.Target, err)
	}
	if ps, ok := tgt.(*data.PointSet); !ok || len(ps.Points) != 2 || ps.Jitter != 0.1 {
		t.Errorf("target came back as %v", tgt)
	}
	if _, err := data.Load(m.Config.Source); err != nil {
		t.Errorf("source %q: %v", m.Config.Source, err)
	}
}

// While a lesson shows its own scene the autosave keeps the app as Esc
// returns to it; what is drawn in the last lesson is the user's and is
// saved. A reflow round is saved as its weights with independent pairs:
// its in-memory teacher cannot be.
func TestAutosaveDuringLessons(t *testing.T) {
	dir := t.TempDir()
	g, _ := trainedGame(t, dir)
	auto := filepath.Join(dir, AutosaveName)
	g.doLessonKey(lessonGo, 3)
	g.saveOnExit()
	if _, err := os.Stat(auto); err == nil {
		t.Fatal("the autosave recorded lesson 3's scene")
	}
	g.doLessonKey(lessonGo, 8)
	g.saveOnExit()
	if _, err := os.Stat(auto); err != nil {
		t.Fatalf("no autosave in the drawing lesson: %v", err)
	}
	g.doLessonKey(lessonLeave, 0)
	g.pane.applied.Coupling = train.CouplingReflow
	if c := g.sessionView().Settings.Coupling; c != train.CouplingIndependent {
		t.Errorf("a reflow run is saved with coupling %q, want independent", c)
	}
}
