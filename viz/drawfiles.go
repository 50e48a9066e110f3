package viz

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
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
func (d *Drawer) loadIntoDrawing(dist data.Dist, what string) {
	pts := data.Sample(dist, d.rng, loadedPoints)
	d.replaceLabeled(pts, nil, what)
}

// replaceLabeled puts pts with their classes (nil: all class 0) into the
// drawing being edited.
func (d *Drawer) replaceLabeled(pts []flow.Vec, labels []int, what string) {
	if d.stroking {
		return
	}
	doc := d.doc()
	doc.ReplaceLabeled(pts, labels)
	d.fitNext = true
	msg := fmt.Sprintf("%s → %s: %s points; training continues from the current weights", what, d.side(), thousands(doc.Len()))
	if doc.Capped() {
		msg = fmt.Sprintf("%s: only the first %s points were kept", what, thousands(drawing.MaxPoints))
	}
	d.ui.say(msg, doc.Capped())
}

// useShape loads the built-in shape chosen in the panel.
func (d *Drawer) useShape() {
	names := assets.Names()
	if d.Shape < 0 || d.Shape >= len(names) {
		return
	}
	dist, err := assets.Shape(names[d.Shape], data.MaskOptions{})
	if err != nil {
		d.ui.say(err.Error(), true)
		return
	}
	d.loadIntoDrawing(dist, "shape "+names[d.Shape])
}

// useText renders the panel's text and loads its glyphs.
func (d *Drawer) useText() {
	dist, err := data.Text(strings.ReplaceAll(d.Text, `\n`, "\n"), data.MaskOptions{})
	if err != nil {
		d.ui.say(strings.TrimPrefix(err.Error(), "data: "), true)
		return
	}
	d.usedText = d.Text
	d.loadIntoDrawing(dist, fmt.Sprintf("text %q", d.Text))
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
func (d *Drawer) startLoad(name string, read func() ([]byte, error)) {
	l := &d.loads
	if l.done == nil {
		l.done = make(chan loadedFile, 4)
	}
	if l.pending >= cap(l.done) {
		d.ui.say("Still loading the last files; try again in a moment.", true)
		return
	}
	l.pending++
	opt := data.MaskOptions{Threshold: d.Threshold, Invert: d.Invert}
	d.ui.say("loading "+path.Base(filepath.ToSlash(name))+" …", false)
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
func (d *Drawer) takeLoaded() {
	l := &d.loads
	for l.pending > 0 {
		select {
		case r := <-l.done:
			l.pending--
			d.applyLoaded(r)
		default:
			return
		}
	}
}

// takeDroppedFiles starts loading the first file dropped on the window this
// tick, and applies the loads that have finished.
func (d *Drawer) takeDroppedFiles(fsys fs.FS) {
	d.takeLoaded()
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
			d.ui.say(fmt.Sprintf("Could not read %s: %v. Nothing changed.", name, err), true)
			return
		}
		f, err := fsys.Open(name)
		if err != nil {
			d.ui.say(fmt.Sprintf("Could not read %s: %v. Nothing changed.", name, err), true)
			return
		}
		d.startLoad(name, func() ([]byte, error) {
			defer f.Close()
			return limitfile.ReadAll(limitfile.Reader(f, name, maxDropBytes), fi.Size())
		})
		return
	}
	d.ui.say("Drop a PNG, JPEG or GIF image, a CSV of points or a session (.flowviz), not a folder.", true)
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
func (d *Drawer) applyLoaded(r loadedFile) {
	if r.err != nil {
		verb := "load"
		if r.isImg && r.raw != nil && d.imageName == r.name {
			verb = "use"
		}
		d.ui.say(fmt.Sprintf("Could not %s %s: %s. Nothing changed.", verb, r.name, strings.TrimPrefix(r.err.Error(), "data: ")), true)
		return
	}
	if r.isImg {
		d.image, d.imageName = r.raw, r.name
		d.loadIntoDrawing(r.img, r.name)
		return
	}
	d.replaceLabeled(r.pts, r.labs, r.name)
}

// loadFile reads an image or a CSV of points by its name's ending into the
// drawing at once; anything unreadable leaves everything as it was and
// says why.
func (d *Drawer) loadFile(name string, b []byte) {
	d.applyLoaded(decodeFile(name, b, data.MaskOptions{Threshold: d.Threshold, Invert: d.Invert}))
}

// applyImage re-reads the last image with the panel's threshold and
// invert, off the render loop.
func (d *Drawer) applyImage() {
	if d.image == nil {
		d.ui.say("Drop an image on the window first.", true)
		return
	}
	b, name := d.image, d.imageName
	d.startLoad(name, func() ([]byte, error) { return b, nil })
}

// saveTo writes the drawing being edited as CSV, atomically.
func (d *Drawer) saveTo(file string) {
	if file == "" {
		d.ui.say("Type a file path to save to.", true)
		return
	}
	if err := d.store.MkdirAll(filepath.Dir(file)); err != nil {
		d.ui.say(err.Error(), true)
		return
	}
	if err := writeDrawing(d.store, file, d.doc()); err != nil {
		d.ui.say(fmt.Sprintf("Could not save: %v", err), true)
		return
	}
	d.ui.say(fmt.Sprintf("saved %s points to %s", thousands(d.doc().Len()), file), false)
}

// loadFrom reads a CSV (or an image) file into the drawing, off the
// render loop; a FIFO or a file beyond maxDropBytes is refused unread.
func (d *Drawer) loadFrom(file string) {
	st := d.store
	d.startLoad(file, func() ([]byte, error) { return storage.ReadFile(st, file, maxDropBytes) })
}

// restore reads the drawing kept from the last run into the target
// drawing and, if asTarget, trains on it. A missing file is the first run;
// a corrupt one is reported and skipped.
func (d *Drawer) restore(file string, asTarget bool) {
	if file == "" {
		return
	}
	d.File = file // what Save and Load offer
	b, err := storage.ReadFile(d.store, file, maxDrawingBytes)
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
		if moved, merr := storage.MoveAside(d.store, file, keepdir.Unreadable, time.Now()); merr == nil {
			msg += "; it is kept as " + filepath.Base(moved)
		} else {
			msg += "; " + merr.Error()
		}
		d.ui.say(msg+".", true)
		return
	}
	d.target = drawing.NewLabeled(pts, labels)
	if asTarget && d.target.Len() > 0 {
		// A version the backend has not seen: the first tick sends it.
		d.sent[0] = -1
		d.fitNext = true
		d.ui.say(fmt.Sprintf("restored your drawing (%s points) from %s; D draws more", thousands(d.target.Len()), file), false)
	}
}

// keepTo writes the target drawing for the next run if it was edited.
func (d *Drawer) keepTo(file string) error {
	if file == "" || d.target.Version() == 0 {
		return nil
	}
	if d.target.Len() == 0 {
		// Cleared: the next run starts without a drawing.
		if err := d.store.Remove(file); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		return nil
	}
	if err := d.store.MkdirAll(filepath.Dir(file)); err != nil {
		return err
	}
	return writeDrawing(d.store, file, d.target)
}
