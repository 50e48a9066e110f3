package viz

import (
	"image"
	"image/gif"
	"image/png"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/hajimehoshi/ebiten/v2"

	"github.com/flowviz/flowviz/viz/keymap"
	"github.com/flowviz/flowviz/viz/palette"
	"github.com/flowviz/flowviz/viz/scene"
)

// waitExport waits (at most 20 s) for one file of the export folder whose
// name ends in suffix.
func waitExport(t *testing.T, dir, suffix string) string {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		m, _ := filepath.Glob(filepath.Join(dir, "exports", "*"+suffix))
		if len(m) == 1 {
			if fi, err := os.Stat(m[0]); err == nil && fi.Size() > 0 {
				return m[0]
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("no %s export", suffix)
	return ""
}

// decodeExport opens path and decodes it with decode.
func decodeExport(t *testing.T, path string, decode func(*os.File) error) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := decode(f); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

// edgeInk counts the pixels on img's border that are not background: the
// data cut at an edge shows there.
func edgeInk(img image.Image) (edge, inside int) {
	b := img.Bounds()
	bg := palette.Background
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			if p, ok := img.(*image.Paletted); ok && p.ColorIndexAt(x, y) <= 1 {
				continue // the GIF's background and axes (indices 0 and 1)
			}
			if near(img.At(x, y), bg, 40) {
				continue
			}
			if x < b.Min.X+3 || y < b.Min.Y+3 || x >= b.Max.X-3 || y >= b.Max.Y-3 {
				edge++
			} else {
				inside++
			}
		}
	}
	return edge, inside
}

// TestExportsFitTheData: zoomed in so far that the canvas cuts the data,
// F12's PNG and F9's GIF still hold every particle: nothing at their edges.
func TestExportsFitTheData(t *testing.T) {
	dir := t.TempDir()
	b := newSynthetic(2000, 20, 16)
	st := scene.DefaultSettings()
	st.Particles, st.Steps = b.sc.Particles(), b.sc.Steps()
	g := newGame(Config{Settings: st, Backend: b, Width: 1280, Height: 800, Scale: 1, KeepDir: dir})
	g.Layout(1280, 800)
	screen := ebiten.NewImage(1280, 800)
	frame(t, g, screen)
	g.panes.cur.canvas.Layers = Layers{Particles: true} // no grid lines at the edges
	g.panes.cur.canvas.Cam.Zoom *= 4                    // the circle of radius 2 runs off the canvas
	g.do(keymap.End)
	frame(t, g, screen)
	g.do(keymap.Screenshot)
	frame(t, g, screen)
	var img image.Image
	decodeExport(t, waitExport(t, dir, "-canvas.png"), func(f *os.File) (err error) { img, err = png.Decode(f); return err })
	if edge, inside := edgeInk(img); edge > 0 || inside < 500 {
		t.Errorf("PNG: %d coloured pixels at the edges, %d inside; want none and the particles", edge, inside)
	}
	g.keep.GIFFrames = 3
	g.do(keymap.RecordGIF)
	var anim *gif.GIF
	decodeExport(t, waitExport(t, dir, "-flow.gif"), func(f *os.File) (err error) { anim, err = gif.DecodeAll(f); return err })
	for i, fr := range anim.Image {
		if edge, inside := edgeInk(fr); edge > 0 || inside < 200 {
			t.Errorf("GIF frame %d: %d coloured pixels at the edges, %d inside", i, edge, inside)
		}
	}
}
