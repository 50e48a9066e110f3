package viz

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/flowviz/flowviz/flow"
	"github.com/flowviz/flowviz/flow/data"
	"github.com/flowviz/flowviz/flow/train"
	"github.com/flowviz/flowviz/viz/keepdir"
	"github.com/flowviz/flowviz/viz/live"
	"github.com/flowviz/flowviz/viz/scene"
	"github.com/flowviz/flowviz/viz/session"
	"github.com/flowviz/flowviz/viz/storage"
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
	g.panes.cur.sc = b.Scene()
	return g, b
}

// TestSessionRoundTripRestoresPicture saves a game with a drawn target, a
// moved camera, other layers and a paused timeline, opens it in a fresh
// game and checks that everything the picture depends on came back.
func TestSessionRoundTripRestoresPicture(t *testing.T) {
	dir := t.TempDir()
	g, b := trainedGame(t, dir)
	drawn := &data.PointSet{Points: []flow.Vec{{1, 1}, {2, 0}, {-1, 0.5}}, Name: "drawing"}
	g.draw.setData(false, drawn, false)
	g.panes.cur.canvas.Cam.CenterX, g.panes.cur.canvas.Cam.CenterY, g.panes.cur.canvas.Cam.Zoom = 0.75, -0.5, 123
	g.panes.cur.canvas.Layers = Layers{Trajectories: true, Grid: true}
	g.tl.T, g.tl.Playing, g.tl.Mode, g.tl.Speed = 0.4, false, timeline.Bounce, 2
	g.keep.Lesson = "lesson 1"

	path := filepath.Join(dir, "s.flowviz")
	want := g.keep.sessionView()
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
	g2.keep.openAtStart()
	if !strings.Contains(g2.ui.status, "restored session") {
		t.Fatalf("status %q", g2.ui.status)
	}
	got := g2.keep.sessionView()
	if err := completeSession(b2, got); err != nil { // b2 is not running: read directly
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got.View, want.View) || got.Lesson != want.Lesson {
		t.Errorf("view %+v, lesson %q; want %+v, %q", got.View, got.Lesson, want.View, want.Lesson)
	}
	if got.Model.Step != want.Model.Step || !reflect.DeepEqual(got.Model.Params, want.Model.Params) ||
		!reflect.DeepEqual(got.Optimizer, want.Optimizer) || !reflect.DeepEqual(got.BatchRNG, want.BatchRNG) {
		t.Error("weights, optimizer, batch stream or step differ after opening the session")
	}
	if !reflect.DeepEqual(got.Target, want.Target) || g2.draw.target.Len() != 3 {
		t.Errorf("target %+v (drawing of %d points), want %+v", got.Target, g2.draw.target.Len(), want.Target)
	}
	if got.Settings != want.Settings {
		t.Errorf("settings\n %+v\nwant\n %+v", got.Settings, want.Settings)
	}
	if g2.panes.cur.fitData {
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
		g.keep.openAtStart()
		if !g.ui.statusErr || !strings.Contains(g.ui.status, "autosave not restored, starting clean") {
			t.Errorf("%s: status %q", name, g.ui.status)
		}
		if g.panes.cur.applied.Target != keepSettings().Target {
			t.Errorf("%s: target changed to %q", name, g.panes.cur.applied.Target)
		}
	}
	// -fresh ignores even a good autosave.
	b, _ := live.New(keepSettings())
	g := newGame(Config{Settings: keepSettings(), Backend: b, Width: 800, Height: 600, Scale: 1, KeepDir: dir, Fresh: true})
	g.keep.openAtStart()
	if g.ui.status != "" {
		t.Errorf("fresh start says %q", g.ui.status)
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
	if _, err := exportAll(storage.Files{}, b, g.panes.cur.sc, stem); err != nil {
		t.Fatal(err)
	}
	samples, err := os.ReadFile(stem + "samples.csv")
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(samples), "\n"); n < g.panes.cur.sc.Particles() {
		t.Errorf("samples.csv has %d lines for %d particles", n, g.panes.cur.sc.Particles())
	}
	traj, err := os.ReadFile(stem + "trajectories.csv")
	if err != nil {
		t.Fatal(err)
	}
	if n, want := strings.Count(string(traj), "\n"), 1+g.panes.cur.sc.Particles()*len(g.panes.cur.sc.Traj); n != want {
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
	g.lessons.key(lessonGo, 3)
	g.keep.saveOnExit()
	if _, err := os.Stat(auto); err == nil {
		t.Fatal("the autosave recorded lesson 3's scene")
	}
	g.lessons.key(lessonGo, 8)
	g.keep.saveOnExit()
	if _, err := os.Stat(auto); err != nil {
		t.Fatalf("no autosave in the drawing lesson: %v", err)
	}
	g.lessons.key(lessonLeave, 0)
	g.panes.cur.applied.Coupling = train.CouplingReflow
	if c := g.keep.sessionView().Settings.Coupling; c != train.CouplingIndependent {
		t.Errorf("a reflow run is saved with coupling %q, want independent", c)
	}
}

// keepGame is a game on a live backend that is not running (its state is
// read directly), keeping into dir through st.
func keepGame(t *testing.T, dir string, st storage.Store, sessionFile string) *Game {
	t.Helper()
	b, err := live.New(keepSettings())
	if err != nil {
		t.Fatal(err)
	}
	return newGame(Config{Settings: keepSettings(), Backend: b, Width: 800, Height: 600, Scale: 1,
		KeepDir: dir, Store: st, SessionFile: sessionFile})
}

// goodSession returns the bytes of a valid session file of version version.
func goodSession(t *testing.T, version int) []byte {
	t.Helper()
	g := keepGame(t, t.TempDir(), nil, "")
	s := g.keep.sessionView()
	if err := completeSession(g.panes.cur.backend, s); err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	if err := session.Write(&b, s); err != nil {
		t.Fatal(err)
	}
	// The header's version comes first; the model inside keeps its own.
	return []byte(strings.Replace(b.String(), fmt.Sprintf(`"version":%d`, session.Version), fmt.Sprintf(`"version":%d`, version), 1))
}

// movedAside returns the contents of the files in dir named <name>.<why>-*.
func movedAside(t *testing.T, dir, name, why string) []string {
	t.Helper()
	names, err := keepdir.Aside(storage.Files{}, dir, name, why)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, n := range names {
		b, err := os.ReadFile(n)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, string(b))
	}
	return out
}

// waitSaves waits for the keeper's goroutines and applies their reports.
func waitSaves(t *testing.T, g *Game) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for g.keep.busy.Load() > 0 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	g.keep.update()
}

// Bug 1 of issue 15: a file the app could not read is never written over.
// It is moved aside under a name that says why, the status line says so,
// and autosaving goes on.
func TestRefusedFilesAreNeverWrittenOver(t *testing.T) {
	// v1 is a session this build reads, v2 one of a newer build.
	v1, v2 := goodSession(t, session.Version), goodSession(t, session.Version+1)

	t.Run("newer autosave", func(t *testing.T) {
		dir := t.TempDir()
		auto := filepath.Join(dir, AutosaveName)
		os.WriteFile(auto, v2, 0o644)
		g := keepGame(t, dir, nil, "")
		g.keep.openAtStart()
		if !strings.Contains(g.ui.status, fmt.Sprintf("version %d is not supported", session.Version+1)) || !strings.Contains(g.ui.status, "kept as autosave.flowviz.unreadable-") {
			t.Errorf("status %q", g.ui.status)
		}
		g.keep.saveOnExit()
		if got := movedAside(t, dir, AutosaveName, keepdir.Unreadable); len(got) != 1 || got[0] != string(v2) {
			t.Fatalf("the newer autosave was not kept (%d files)", len(got))
		}
		if _, err := session.Load(auto); err != nil {
			t.Fatalf("no new autosave: %v", err)
		}
	})

	t.Run("refused -session keeps the autosave", func(t *testing.T) {
		dir := t.TempDir()
		auto, bad := filepath.Join(dir, AutosaveName), filepath.Join(dir, "bad.flowviz")
		os.WriteFile(auto, v1, 0o644)
		os.WriteFile(bad, v1[:len(v1)/2], 0o644)
		g := keepGame(t, dir, nil, bad)
		g.keep.openAtStart()
		if !g.ui.statusErr || !strings.Contains(g.ui.status, "session not restored") {
			t.Fatalf("status %q", g.ui.status)
		}
		g.keep.autosave()
		waitSaves(t, g)
		if got := movedAside(t, dir, AutosaveName, keepdir.Previous); len(got) != 1 || got[0] != string(v1) {
			t.Fatalf("the last good autosave was not kept (%d files)", len(got))
		}
		if !strings.Contains(g.ui.status, "kept as autosave.flowviz.previous-") {
			t.Errorf("status %q", g.ui.status)
		}
		// Ctrl+S saves to the -session path: the half file there is kept.
		g.keep.saveSession(bad, false)
		waitSaves(t, g)
		if got := movedAside(t, dir, "bad.flowviz", keepdir.Unreadable); len(got) != 1 || got[0] != string(v1[:len(v1)/2]) {
			t.Fatalf("Ctrl+S wrote over the refused session (%d kept)", len(got))
		}
		if _, err := session.Load(bad); err != nil || !strings.Contains(g.ui.status, "kept as bad.flowviz.unreadable-") {
			t.Fatalf("status %q, saved session: %v", g.ui.status, err)
		}
	})

	t.Run("autosave replaced while the app runs", func(t *testing.T) {
		dir := t.TempDir()
		auto := filepath.Join(dir, AutosaveName)
		os.WriteFile(auto, v1, 0o644)
		g := keepGame(t, dir, nil, "")
		g.keep.openAtStart()
		if !strings.Contains(g.ui.status, "restored autosave") {
			t.Fatalf("status %q", g.ui.status)
		}
		g.keep.autosave() // replaces the restored file in place
		waitSaves(t, g)
		if m, _ := filepath.Glob(auto + ".*"); len(m) != 0 {
			t.Fatalf("the app's own autosave was moved aside: %v", m)
		}
		// Another program (another instance, a copy by hand) puts its file there.
		other := filepath.Join(dir, "other")
		os.WriteFile(other, v2, 0o644)
		os.Rename(other, auto)
		g.keep.saveOnExit()
		if got := movedAside(t, dir, AutosaveName, keepdir.Replaced); len(got) != 1 || got[0] != string(v2) {
			t.Fatalf("the replacing file was not kept (%d files)", len(got))
		}
	})

	t.Run("read-only folder", func(t *testing.T) {
		dir := t.TempDir()
		auto := filepath.Join(dir, AutosaveName)
		os.WriteFile(auto, v2, 0o644)
		st := &storage.Failing{Store: storage.Files{}}
		st.SetReadOnly(true)
		g := keepGame(t, dir, st, "")
		g.keep.openAtStart()
		if !strings.Contains(g.ui.status, "not written over") || !strings.Contains(g.ui.status, "read-only") {
			t.Errorf("status %q", g.ui.status)
		}
		g.keep.autosave()
		waitSaves(t, g)
		if !g.ui.statusErr || !strings.Contains(g.ui.status, "autosave failed") {
			t.Errorf("status %q", g.ui.status)
		}
		g.keep.saveOnExit()
		if b, _ := os.ReadFile(auto); string(b) != string(v2) {
			t.Fatal("the refused autosave was written over in a read-only folder")
		}
	})

	t.Run("full disk", func(t *testing.T) {
		dir := t.TempDir()
		auto := filepath.Join(dir, AutosaveName)
		os.WriteFile(auto, v1, 0o644)
		st := &storage.Failing{Store: storage.Files{}}
		g := keepGame(t, dir, st, "")
		g.keep.openAtStart()
		st.SetBudget(1000)
		g.keep.autosave()
		waitSaves(t, g)
		if !g.ui.statusErr || !strings.Contains(g.ui.status, "no space left") {
			t.Errorf("status %q", g.ui.status)
		}
		if b, _ := os.ReadFile(auto); string(b) != string(v1) {
			t.Fatal("a full disk tore the autosave")
		}
		if m, _ := filepath.Glob(filepath.Join(dir, ".*")); len(m) != 0 {
			t.Fatalf("temporary files left: %v", m)
		}
	})
}

// Bug 7 of issue 15: every kill during a save left a temporary file of up
// to 8 MB for good. The app removes stale ones of its own pattern at start.
func TestStartRemovesStaleTemporaryFiles(t *testing.T) {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "exports"), 0o755)
	old := time.Now().Add(-2 * keepdir.StaleAfter)
	files := map[string]bool{ // name → removed
		".autosave.flowviz.tmp1234567":          true,
		".session.flowviz.tmp99":                true,
		"exports/.20261130-1200-flow.gif.tmp77": true,
		".notes.txt.tmp5":                       false,
		AutosaveName:                            false,
	}
	for n := range files {
		p := filepath.Join(dir, n)
		os.WriteFile(p, []byte("x"), 0o644)
		os.Chtimes(p, old, old)
	}
	keepGame(t, dir, nil, "")
	for n, removed := range files {
		_, err := os.Stat(filepath.Join(dir, n))
		if removed != os.IsNotExist(err) {
			t.Errorf("%s: removed %v, want %v", n, os.IsNotExist(err), removed)
		}
	}
}
