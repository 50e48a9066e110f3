package viz

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	"github.com/flowviz/flowviz/assets"
	"github.com/flowviz/flowviz/flow"
	"github.com/flowviz/flowviz/flow/data"
	"github.com/flowviz/flowviz/flow/limitfile"
	"github.com/flowviz/flowviz/viz/drawing"
	"github.com/flowviz/flowviz/viz/keepdir"
	"github.com/flowviz/flowviz/viz/session"
	"github.com/flowviz/flowviz/viz/storage"
)

// loadedPoints is how many points a shape, an image or a text puts into the
// drawing: enough that the empirical set looks like the density it came
// from, few enough to edit and save quickly.
const loadedPoints = 6000

// maxDropBytes bounds a dropped or loaded file read into memory; images
// beyond it would be downscaled to 512 pixels a side anyway.
const maxDropBytes = data.MaxImageFileBytes

// maxDrawingBytes bounds the kept drawing file: drawing.MaxPoints lines of
// up to 64 bytes.
const maxDrawingBytes = drawing.MaxPoints * 64

// DefaultDrawingFile is where the drawing is kept between runs:
// os.UserConfigDir()/flowviz/drawing.csv, or "" if there is no such dir.
func DefaultDrawingFile() string { return session.DefaultDrawingFile() }

// loadIntoDrawing replaces the drawing being edited by loadedPoints draws
// from d (one undoable step) and fits the view to it once sent.
func (g *Game) loadIntoDrawing(d data.Dist, what string) {
	pts := data.Sample(d, g.draw.rng, loadedPoints)
	g.replaceDrawing(pts, what)
}

// replaceDrawing puts pts into the drawing being edited.
func (g *Game) replaceDrawing(pts []flow.Vec, what string) { g.replaceLabeled(pts, nil, what) }

// replaceLabeled puts pts with their classes (nil: all class 0) into the
// drawing being edited.
func (g *Game) replaceLabeled(pts []flow.Vec, labels []int, what string) {
	if g.draw.stroking {
		return
	}
	doc := g.draw.doc()
	doc.ReplaceLabeled(pts, labels)
	g.draw.fitNext = true
	msg := fmt.Sprintf("%s → %s: %s points; training continues from the current weights", what, g.drawSide(), thousands(doc.Len()))
	if doc.Capped() {
		msg = fmt.Sprintf("%s: only the first %s points were kept", what, thousands(drawing.MaxPoints))
	}
	g.setStatus(msg, doc.Capped())
}

// useShape loads the built-in shape chosen in the panel.
func (g *Game) useShape() {
	names := assets.Names()
	if g.draw.Shape < 0 || g.draw.Shape >= len(names) {
		return
	}
	d, err := assets.Shape(names[g.draw.Shape], data.MaskOptions{})
	if err != nil {
		g.setStatus(err.Error(), true)
		return
	}
	g.loadIntoDrawing(d, "shape "+names[g.draw.Shape])
}

// useText renders the panel's text and loads its glyphs.
func (g *Game) useText() {
	d, err := data.Text(strings.ReplaceAll(g.draw.Text, `\n`, "\n"), data.MaskOptions{})
	if err != nil {
		g.setStatus(strings.TrimPrefix(err.Error(), "data: "), true)
		return
	}
	g.draw.usedText = g.draw.Text
	g.loadIntoDrawing(d, fmt.Sprintf("text %q", g.draw.Text))
}

// fileLoads carries files read and decoded on goroutines to the render
// loop: a 64 MB image takes seconds to decode, which the loop must not wait
// for.
type fileLoads struct {
	done    chan loadedFile
	pending int // loads started and not yet applied
}

// loadedFile is a file read and decoded off the render loop.
type loadedFile struct {
	name  string     // base name, for messages
	pts   []flow.Vec // a CSV's points
	labs  []int      // and their classes, nil for a plain x,y file
	img   data.Dist  // an image's mask
	raw   []byte     // the image's bytes, kept for a new threshold
	err   error
	isImg bool
}

// startLoad reads (with read) and decodes a file on a goroutine; the next
// ticks apply it. Nothing in the drawing changes until it has arrived.
func (g *Game) startLoad(name string, read func() ([]byte, error)) {
	l := &g.draw.loads
	if l.done == nil {
		l.done = make(chan loadedFile, 4)
	}
	if l.pending >= cap(l.done) {
		g.setStatus("Still loading the last files; try again in a moment.", true)
		return
	}
	l.pending++
	opt := data.MaskOptions{Threshold: g.draw.Threshold, Invert: g.draw.Invert}
	g.setStatus("loading "+path.Base(filepath.ToSlash(name))+" …", false)
	go func() {
		b, err := read()
		if err != nil {
			l.done <- loadedFile{name: path.Base(filepath.ToSlash(name)), err: fmt.Errorf("could not read it: %w", err)}
			return
		}
		l.done <- decodeFile(name, b, opt)
	}()
}

// takeLoaded applies the loads that have finished.
func (g *Game) takeLoaded() {
	l := &g.draw.loads
	for l.pending > 0 {
		select {
		case r := <-l.done:
			l.pending--
			g.applyLoaded(r)
		default:
			return
		}
	}
}

// takeDroppedFiles starts loading the first file dropped on the window this
// tick, and applies the loads that have finished.
func (g *Game) takeDroppedFiles(fsys fs.FS) {
	g.takeLoaded()
	if fsys == nil {
		return
	}
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil || len(entries) == 0 {
		return
	}
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		name := e.Name()
		// Stat before open: opening a dropped FIFO would block.
		fi, err := fs.Stat(fsys, name)
		if err == nil {
			err = limitfile.Check(name, fi, maxDropBytes)
		}
		if err != nil {
			g.setStatus(fmt.Sprintf("Could not read %s: %v. Nothing changed.", name, err), true)
			return
		}
		f, err := fsys.Open(name)
		if err != nil {
			g.setStatus(fmt.Sprintf("Could not read %s: %v. Nothing changed.", name, err), true)
			return
		}
		g.startLoad(name, func() ([]byte, error) {
			defer f.Close()
			return limitfile.ReadAll(limitfile.Reader(f, name, maxDropBytes), fi.Size())
		})
		return
	}
	g.setStatus("Drop a PNG, JPEG or GIF image or a CSV of points, not a folder.", true)
}

// decodeFile reads an image or a CSV of points by its name's ending; it
// touches nothing of the game, so it runs on any goroutine.
func decodeFile(name string, b []byte, opt data.MaskOptions) loadedFile {
	base := path.Base(filepath.ToSlash(name))
	r := loadedFile{name: base}
	switch ext := strings.ToLower(path.Ext(base)); ext {
	case ".csv":
		r.pts, r.labs, r.err = data.ReadLabeledCSV(bytes.NewReader(b), data.MaxCSVPoints)
		if r.err == nil && len(r.pts) == 0 {
			r.err = errors.New("no points")
		}
	case ".png", ".jpg", ".jpeg", ".gif":
		r.isImg, r.raw = true, b
		r.img, r.err = data.ReadImage(bytes.NewReader(b), opt)
	default:
		r.err = errors.New("flowviz reads .png, .jpg, .gif images and .csv points")
	}
	return r
}

// applyLoaded puts a decoded file into the drawing, or says why not.
func (g *Game) applyLoaded(r loadedFile) {
	if r.err != nil {
		verb := "load"
		if r.isImg && r.raw != nil && g.draw.imageName == r.name {
			verb = "use"
		}
		g.setStatus(fmt.Sprintf("Could not %s %s: %s. Nothing changed.", verb, r.name, strings.TrimPrefix(r.err.Error(), "data: ")), true)
		return
	}
	if r.isImg {
		g.draw.image, g.draw.imageName = r.raw, r.name
		g.loadIntoDrawing(r.img, r.name)
		return
	}
	g.replaceLabeled(r.pts, r.labs, r.name)
}

// loadFile reads an image or a CSV of points by its name's ending into the
// drawing at once; anything unreadable leaves everything as it was and
// says why.
func (g *Game) loadFile(name string, b []byte) {
	g.applyLoaded(decodeFile(name, b, data.MaskOptions{Threshold: g.draw.Threshold, Invert: g.draw.Invert}))
}

// applyImage re-reads the last image with the panel's threshold and
// invert, off the render loop.
func (g *Game) applyImage() {
	d := &g.draw
	if d.image == nil {
		g.setStatus("Drop an image on the window first.", true)
		return
	}
	b, name := d.image, d.imageName
	g.startLoad(name, func() ([]byte, error) { return b, nil })
}

// saveDrawingTo writes the drawing being edited as CSV, atomically.
func (g *Game) saveDrawingTo(file string) {
	if file == "" {
		g.setStatus("Type a file path to save to.", true)
		return
	}
	if err := g.keep.store.MkdirAll(filepath.Dir(file)); err != nil {
		g.setStatus(err.Error(), true)
		return
	}
	if err := writeDrawing(g.keep.store, file, g.draw.doc()); err != nil {
		g.setStatus(fmt.Sprintf("Could not save: %v", err), true)
		return
	}
	g.setStatus(fmt.Sprintf("saved %s points to %s", thousands(g.draw.doc().Len()), file), false)
}

// loadDrawingFrom reads a CSV (or an image) file into the drawing, off the
// render loop; a FIFO or a file beyond maxDropBytes is refused unread.
func (g *Game) loadDrawingFrom(file string) {
	st := g.keep.store
	g.startLoad(file, func() ([]byte, error) { return storage.ReadFile(st, file, maxDropBytes) })
}

// restoreDrawing reads the drawing kept from the last run into the target
// drawing and, if asTarget, trains on it. A missing file is the first run;
// a corrupt one is reported and skipped.
func (g *Game) restoreDrawing(file string, asTarget bool) {
	if file == "" {
		return
	}
	g.draw.File = file // what Save and Load offer
	b, err := storage.ReadFile(g.keep.store, file, maxDrawingBytes)
	if errors.Is(err, fs.ErrNotExist) {
		return
	}
	var pts []flow.Vec
	var labels []int
	if err == nil {
		pts, labels, err = data.ReadLabeledCSV(bytes.NewReader(b), drawing.MaxPoints)
	}
	if err != nil {
		msg := fmt.Sprintf("The saved drawing %s could not be read (%s); starting without it", file, strings.TrimPrefix(err.Error(), "data: "))
		// The exit would write the new drawing over it: keep it aside.
		if moved, merr := storage.MoveAside(g.keep.store, file, keepdir.Unreadable, time.Now()); merr == nil {
			msg += "; it is kept as " + filepath.Base(moved)
		} else {
			msg += "; " + merr.Error()
		}
		g.setStatus(msg+".", true)
		return
	}
	g.draw.target = drawing.NewLabeled(pts, labels)
	if asTarget && g.draw.target.Len() > 0 {
		// A version the backend has not seen: the first tick sends it.
		g.draw.sent[0] = -1
		g.draw.fitNext = true
		g.setStatus(fmt.Sprintf("restored your drawing (%s points) from %s; D draws more", thousands(g.draw.target.Len()), file), false)
	}
}

// sessionAtStart reports whether openAtStart will restore a session (one
// named by -session, or the autosave unless -fresh).
func (g *Game) sessionAtStart() bool {
	if g.cfg.SessionFile != "" {
		return true
	}
	if g.cfg.Fresh || g.keep.Dir == "" {
		return false
	}
	_, err := os.Stat(filepath.Join(g.keep.Dir, AutosaveName))
	return err == nil
}

// keepDrawing writes the target drawing for the next run if it was edited.
func (g *Game) keepDrawing(file string) error {
	if file == "" || g.draw.target.Version() == 0 {
		return nil
	}
	if g.draw.target.Len() == 0 {
		// Cleared: the next run starts without a drawing.
		if err := g.keep.store.Remove(file); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		return nil
	}
	if err := g.keep.store.MkdirAll(filepath.Dir(file)); err != nil {
		return err
	}
	return writeDrawing(g.keep.store, file, g.draw.target)
}
