package viz

import (
	"bytes"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hajimehoshi/ebiten/v2"

	"github.com/flowviz/flowviz/viz/imageview"
	"github.com/flowviz/flowviz/viz/session"
	"github.com/flowviz/flowviz/viz/storage"
)

// imageGame is a game showing a conditional digits8 image view in the PCA
// view with sample 12 chosen, trained past step 20.
func imageGame(t *testing.T, dir string) (*Game, *ebiten.Image) {
	t.Helper()
	g, _ := trainedGame(t, dir)
	screen := ebiten.NewImage(1000, 700)
	s := g.panes.cur.settings
	s.Target, s.Cond = "digits8", true
	g.panes.edit(s)
	frame(t, g, screen)
	t.Cleanup(func() {
		if g.img != nil {
			g.img.close()
		}
	})
	deadline := time.Now().Add(120 * time.Second)
	for g.img == nil || g.img.be.Status().Step < 20 {
		if time.Now().After(deadline) {
			t.Fatal("no image model at step 20 within 120 s")
		}
		time.Sleep(50 * time.Millisecond)
		frame(t, g, screen)
	}
	g.img.view = imageview.View{Mode: imageview.PCAView, Cell: 12}
	return g, screen
}

// TestImageSessionRoundTrip: Ctrl+S with the image view shown keeps the
// image model, its average and Adam's state beside the 2D model; opening
// the session in a new game shows the image view again on that model,
// training on from the saved step, in the saved view.
func TestImageSessionRoundTrip(t *testing.T) {
	dir := t.TempDir()
	g, _ := imageGame(t, dir)
	path := filepath.Join(dir, "images.flowviz")
	g.keep.saveSession(path, false)
	deadline := time.Now().Add(60 * time.Second)
	for g.keep.busy.Load() > 0 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	g.keep.update()
	if !strings.Contains(g.ui.status, "session saved") {
		t.Fatalf("status %q", g.ui.status)
	}
	saved, err := session.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	autosaveWithoutImages(t, g, dir)
	im := saved.Images
	if im == nil || im.Model == nil || im.Optimizer == nil || !im.PCA || im.Cell != 12 {
		t.Fatalf("image part %+v", im)
	}
	if im.Model.Step < 20 || im.Optimizer.Steps != im.Model.Step || !im.Model.Config.Conditional() || im.Model.Config.Target != "digits8" {
		t.Fatalf("image model at step %d (optimiser %d), config %+v", im.Model.Step, im.Optimizer.Steps, im.Model.Config)
	}
	if saved.Model == nil {
		t.Error("the 2D model was not kept beside the image model")
	}

	g2, _ := trainedGame(t, t.TempDir())
	screen := ebiten.NewImage(1000, 700)
	if err := g2.keep.applySession(saved); err != nil {
		t.Fatal(err)
	}
	frame(t, g2, screen)
	if g2.img == nil {
		t.Fatal("the session did not open the image view")
	}
	defer g2.img.close()
	if g2.img.view.Mode != imageview.PCAView || g2.img.view.Cell != 12 {
		t.Errorf("view %+v, want the PCA view with sample 12", g2.img.view)
	}
	got, err := g2.img.be.TrainingState(30 * time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if got.Model.Step < im.Model.Step || !got.Model.Config.Conditional() {
		t.Errorf("restored image model at step %d (saved %d)", got.Model.Step, im.Model.Step)
	}
	if got.Model.Step == im.Model.Step && !slices.Equal(got.Model.Params, im.Model.Params) {
		t.Error("the restored image model does not hold the saved weights")
	}
	// It trains on, and does not restart after the settings' debounce.
	first := g2.img
	for end := time.Now().Add(time.Second); time.Now().Before(end); {
		frame(t, g2, screen)
		time.Sleep(20 * time.Millisecond)
	}
	if g2.img != first {
		t.Error("the restored image model was replaced by a fresh one")
	}
	if st := g2.img.be.Status(); st.Step < im.Model.Step {
		t.Errorf("step %d after restoring step %d", st.Step, im.Model.Step)
	}
	// A session without images goes back to the plane.
	plain := *saved
	plain.Images = nil
	if err := g2.keep.applySession(&plain); err != nil {
		t.Fatal(err)
	}
	frame(t, g2, screen)
	if g2.img != nil {
		t.Error("a session without an image model left the image view open")
	}
}

// autosaveWithoutImages autosaves g, showing the image view, to a storage
// that holds 1 MB a file, as a browser's localStorage holds a few MB a
// site: the autosave leaves the image model out, keeps the 2D model, and
// says so once, not as an error.
func autosaveWithoutImages(t *testing.T, g *Game, dir string) {
	t.Helper()
	g.keep.auto.Store = quotaStore{Store: storage.Files{}, limit: 1 << 20}
	for i := range 2 {
		g.ui.say("", false)
		g.keep.autosave()
		waitSaves(t, g)
		said := strings.Contains(g.ui.status, "image model does not fit")
		if g.ui.statusErr || said != (i == 0) {
			t.Errorf("autosave %d to a small storage: status %q (error %v)", i+1, g.ui.status, g.ui.statusErr)
		}
	}
	auto, err := session.Load(filepath.Join(dir, AutosaveName))
	if err != nil {
		t.Fatal(err)
	}
	if auto.Images != nil || auto.Model == nil {
		t.Errorf("the small storage's autosave: images %v, 2D model %v", auto.Images != nil, auto.Model != nil)
	}
}

// quotaStore refuses, as full, a file of more than limit bytes, and keeps
// what was there.
type quotaStore struct {
	storage.Store
	limit int
}

func (q quotaStore) WriteFile(name string, write func(io.Writer) error) error {
	var b bytes.Buffer
	if err := write(&b); err != nil {
		return err
	}
	if b.Len() > q.limit {
		return &fs.PathError{Op: "write", Path: name, Err: storage.ErrFull}
	}
	return q.Store.WriteFile(name, func(w io.Writer) error { _, err := w.Write(b.Bytes()); return err })
}

// TestCorruptImageSessionRefused: a session whose image part is damaged
// is refused when opened, with the reason, and the file stays as it was;
// the view on screen is untouched.
func TestCorruptImageSessionRefused(t *testing.T) {
	dir := t.TempDir()
	g, screen := imageGame(t, dir)
	path := filepath.Join(dir, "images.flowviz")
	s := g.keep.sessionView()
	if err := completeImages(g.img.be, s); err != nil {
		t.Fatal(err)
	}
	if err := completeSession(g.panes.a().backend, s); err != nil {
		t.Fatal(err)
	}
	if err := session.Save(path, s); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	bad := strings.Replace(string(b), `"format":"flowviz-hd-model","version":3`, `"format":"flowviz-hd-model","version":7`, 1)
	if err := os.WriteFile(path, []byte(bad), 0o644); err != nil {
		t.Fatal(err)
	}
	shown := g.img
	g.keep.openSession(path)
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(g.ui.status, "not opened") && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
		g.keep.update()
	}
	if !strings.Contains(g.ui.status, "image model: hd: model version 7 is not supported") {
		t.Errorf("status %q", g.ui.status)
	}
	frame(t, g, screen)
	if g.img != shown {
		t.Error("a refused session replaced the image view")
	}
	if after, _ := os.ReadFile(path); string(after) != bad {
		t.Error("the refused session file changed")
	}
}
