package viz

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/flowviz/flowviz/assets"
	"github.com/flowviz/flowviz/flow"
	"github.com/flowviz/flowviz/flow/data"
	"github.com/flowviz/flowviz/viz/drawing"
)

// loadedPoints is how many points a shape, an image or a text puts into the
// drawing: enough that the empirical set looks like the density it came
// from, few enough to edit and save quickly.
const loadedPoints = 6000

// maxDropBytes bounds a dropped file read into memory; images beyond it
// would be downscaled to 512 pixels a side anyway.
const maxDropBytes = 64 << 20

// DefaultDrawingFile is where the drawing is kept between runs:
// os.UserConfigDir()/flowviz/drawing.csv, or "" if there is no such dir.
func DefaultDrawingFile() string {
	dir, err := os.UserConfigDir()
	if err != nil {
		return ""
	}
	return filepath.Join(dir, "flowviz", "drawing.csv")
}

// loadIntoDrawing replaces the drawing being edited by loadedPoints draws
// from d (one undoable step) and fits the view to it once sent.
func (g *Game) loadIntoDrawing(d data.Dist, what string) {
	pts := data.Sample(d, g.draw.rng, loadedPoints)
	g.replaceDrawing(pts, what)
}

// replaceDrawing puts pts into the drawing being edited.
func (g *Game) replaceDrawing(pts []flow.Vec, what string) {
	if g.draw.stroking {
		return
	}
	doc := g.draw.doc()
	doc.Replace(pts)
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

// takeDroppedFiles loads the first file dropped on the window this tick.
func (g *Game) takeDroppedFiles(fsys fs.FS) {
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
		b, err := readAllLimited(fsys, e.Name())
		if err != nil {
			g.setStatus(fmt.Sprintf("Could not read %s: %v. Nothing changed.", e.Name(), err), true)
			return
		}
		g.loadFile(e.Name(), b)
		return
	}
	g.setStatus("Drop a PNG, JPEG or GIF image or a CSV of points, not a folder.", true)
}

func readAllLimited(fsys fs.FS, name string) ([]byte, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxDropBytes+1))
	if err == nil && len(b) > maxDropBytes {
		err = fmt.Errorf("larger than %d MB", maxDropBytes>>20)
	}
	return b, err
}

// loadFile reads an image or a CSV of points by its name's ending into the
// drawing; anything unreadable leaves everything as it was and says why.
func (g *Game) loadFile(name string, b []byte) {
	base := path.Base(filepath.ToSlash(name))
	switch ext := strings.ToLower(path.Ext(base)); ext {
	case ".csv":
		pts, err := data.ReadCSV(bytes.NewReader(b), data.MaxCSVPoints)
		if err == nil && len(pts) == 0 {
			err = errors.New("no points")
		}
		if err != nil {
			g.setStatus(fmt.Sprintf("Could not load %s: %s. Nothing changed.", base, strings.TrimPrefix(err.Error(), "data: ")), true)
			return
		}
		g.replaceDrawing(pts, base)
	case ".png", ".jpg", ".jpeg", ".gif":
		g.draw.image, g.draw.imageName = b, base
		g.applyImage()
	default:
		g.setStatus(fmt.Sprintf("%s: flowviz reads .png, .jpg, .gif images and .csv points. Nothing changed.", base), true)
	}
}

// applyImage (re)reads the last image with the panel's threshold and invert.
func (g *Game) applyImage() {
	d := &g.draw
	if d.image == nil {
		g.setStatus("Drop an image on the window first.", true)
		return
	}
	img, err := data.ReadImage(bytes.NewReader(d.image), data.MaskOptions{Threshold: d.Threshold, Invert: d.Invert})
	if err != nil {
		g.setStatus(fmt.Sprintf("Could not use %s: %s. Nothing changed.", d.imageName, strings.TrimPrefix(err.Error(), "data: ")), true)
		return
	}
	g.loadIntoDrawing(img, d.imageName)
}

// saveDrawingTo writes the drawing being edited as CSV, atomically.
func (g *Game) saveDrawingTo(file string) {
	if file == "" {
		g.setStatus("Type a file path to save to.", true)
		return
	}
	if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
		g.setStatus(err.Error(), true)
		return
	}
	if err := data.WriteCSVFile(file, g.draw.doc().Points()); err != nil {
		g.setStatus(fmt.Sprintf("Could not save: %v", err), true)
		return
	}
	g.setStatus(fmt.Sprintf("saved %s points to %s", thousands(g.draw.doc().Len()), file), false)
}

// loadDrawingFrom reads a CSV (or an image) file into the drawing.
func (g *Game) loadDrawingFrom(file string) {
	b, err := os.ReadFile(file)
	if err != nil {
		g.setStatus(fmt.Sprintf("Could not load: %v. Nothing changed.", err), true)
		return
	}
	g.loadFile(file, b)
}

// restoreDrawing reads the drawing kept from the last run into the target
// drawing and, if asTarget, trains on it. A missing file is the first run;
// a corrupt one is reported and skipped.
func (g *Game) restoreDrawing(file string, asTarget bool) {
	if file == "" {
		return
	}
	g.draw.File = file // what Save and Load offer
	b, err := os.ReadFile(file)
	if errors.Is(err, fs.ErrNotExist) {
		return
	}
	var pts []flow.Vec
	if err == nil {
		pts, err = data.ReadCSV(bytes.NewReader(b), drawing.MaxPoints)
	}
	if err != nil {
		g.setStatus(fmt.Sprintf("The saved drawing %s could not be read (%s); starting without it.", file, strings.TrimPrefix(err.Error(), "data: ")), true)
		return
	}
	g.draw.target = drawing.New(pts)
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
		if err := os.Remove(file); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
		return err
	}
	return data.WriteCSVFile(file, g.draw.target.Points())
}
