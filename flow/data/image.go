package data

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	_ "image/gif" // image.Decode reads the formats Load accepts
	_ "image/jpeg"
	_ "image/png"
	"io"
	"math/rand/v2"
	"strings"

	"github.com/flowviz/flowviz/flow"
	"github.com/flowviz/flowviz/flow/limitfile"
)

// MaxImagePixels is the largest image LoadImage and ReadImage decode: 100
// megapixels.
const MaxImagePixels = 100_000_000

// MaxImageBytes is the most memory a decoded image may take: width × height
// × the bytes a pixel of its colour model takes (1 for grey or a palette, 3
// for JPEG's YCbCr at most, 4 for RGBA, 8 for 16-bit RGBA). 100 megapixels
// of 8-bit RGBA fit; a 16-bit one of that size (1.6 GB once decoded) does not.
const MaxImageBytes = 400 << 20

// MaxImageFileBytes bounds an image file: a compressed image beyond it would
// be downscaled to at most 4096 pixels a side anyway.
const MaxImageFileBytes = 64 << 20

// maxMaskSide bounds MaskOptions.MaxSide so the ink table stays below a
// few tens of MB whatever the image.
const maxMaskSide = 4096

// MaskOptions says which pixels of an image are "ink" and where the image
// sits in the plane. Zero fields take their defaults.
type MaskOptions struct {
	Threshold float64 // luminance in [0, 1]; pixels darker than it are ink (default 0.5)
	Invert    bool    // take pixels lighter than Threshold instead
	Size      float64 // world size of the image's longer side, centred at the origin (default 8)
	MaxSide   int     // downscale so the longer side is at most this many pixels (default 512, at most 4096)
	Weighted  bool    // weight ink pixels by darkness (by lightness when Invert) instead of equally
}

// withDefaults fills in zero fields and clamps MaxSide.
func (o MaskOptions) withDefaults() MaskOptions {
	if o.Threshold <= 0 || !finite(o.Threshold) {
		o.Threshold = 0.5
	}
	o.Threshold = min(o.Threshold, 1)
	if o.Size <= 0 || !finite(o.Size) {
		o.Size = 8
	}
	if o.MaxSide <= 0 {
		o.MaxSide = 512
	}
	o.MaxSide = min(o.MaxSide, maxMaskSide)
	return o
}

// ImageDist samples uniformly inside the ink pixels of an image (or in
// proportion to their darkness, with MaskOptions.Weighted): a pixel, then a
// uniform position inside it. World y points up, image y down.
type ImageDist struct {
	ink           []uint32 // ink pixels, x | y<<16 (both sides are at most maxMaskSide)
	alias         aliasTable
	width, height int     // mask size in pixels, after downscaling
	pixel         float64 // world size of one mask pixel
	opt           MaskOptions
	path          string // the file it came from, "" for FromImage
	text          string // the text it renders, for Text
}

// FromImage turns the ink pixels of img into a distribution. An image
// without ink is an error.
func FromImage(img image.Image, opt MaskOptions) (*ImageDist, error) {
	opt = opt.withDefaults()
	b := img.Bounds()
	if b.Empty() {
		return nil, errors.New("data: image is empty")
	}
	luma := lumaFunc(img, opt.Invert)
	w, h := b.Dx(), b.Dy()
	if longer := max(w, h); longer > opt.MaxSide {
		// Box-filter down: mask pixel (cx, cy) averages the source pixels
		// with x·mw/w = cx and y·mh/h = cy.
		mw, mh := max(1, w*opt.MaxSide/longer), max(1, h*opt.MaxSide/longer)
		sum := make([]float32, mw*mh)
		cols, rows := make([]int, mw), make([]int, mh)
		for y := range h {
			cy := y * mh / h
			rows[cy]++
			row := sum[cy*mw : (cy+1)*mw]
			for x := range w {
				row[x*mw/w] += float32(luma(b.Min.X+x, b.Min.Y+y))
			}
		}
		for x := range w {
			cols[x*mw/w]++
		}
		luma = func(x, y int) float64 { return float64(sum[y*mw+x]) / float64(cols[x]*rows[y]) }
		w, h, b.Min = mw, mh, image.Point{}
	}
	d := &ImageDist{width: w, height: h, pixel: opt.Size / float64(max(w, h)), opt: opt}
	var weights []float64
	for y := range h {
		for x := range w {
			l := luma(b.Min.X+x, b.Min.Y+y)
			darkness := 1 - l // how inky the pixel is, whichever way round ink is
			ink := l < opt.Threshold
			if opt.Invert {
				darkness, ink = l, l > opt.Threshold
			}
			if !ink {
				continue
			}
			d.ink = append(d.ink, uint32(x)|uint32(y)<<16)
			if opt.Weighted {
				weights = append(weights, darkness)
			}
		}
	}
	if len(d.ink) == 0 {
		side := "darker"
		if opt.Invert {
			side = "lighter"
		}
		return nil, fmt.Errorf("data: image has no ink: no pixel is %s than threshold %s", side, formatValue(opt.Threshold))
	}
	if opt.Weighted {
		d.alias = newAliasTable(weights)
	}
	return d, nil
}

// lumaFunc returns the luminance in [0, 1] of the pixel at (x, y),
// Y = 0.299 R + 0.587 G + 0.114 B as in image/color's gray model, composited
// over the background (white, or black when ink is light) so that
// transparent pixels are never ink.
func lumaFunc(img image.Image, invert bool) func(x, y int) float64 {
	bg := 1.0
	if invert {
		bg = 0
	}
	switch m := img.(type) {
	case *image.Gray:
		return func(x, y int) float64 { return float64(m.GrayAt(x, y).Y) / 255 }
	case *image.YCbCr: // JPEG: Y already is this luminance
		return func(x, y int) float64 { return float64(m.Y[m.YOffset(x, y)]) / 255 }
	case *image.NRGBA:
		return func(x, y int) float64 {
			c := m.NRGBAAt(x, y)
			a := float64(c.A) / 255
			return a*(0.299*float64(c.R)+0.587*float64(c.G)+0.114*float64(c.B))/255 + (1-a)*bg
		}
	case *image.Paletted: // GIF: one luminance per palette entry
		lut := make([]float64, 256)
		for i := range lut {
			lut[i] = bg // indices past the palette are transparent
		}
		for i, c := range m.Palette {
			lut[i] = premultipliedLuma(c, bg)
		}
		return func(x, y int) float64 { return lut[m.ColorIndexAt(x, y)] }
	}
	return func(x, y int) float64 { return premultipliedLuma(img.At(x, y), bg) }
}

// premultipliedLuma composites c over a gray background of luminance bg.
func premultipliedLuma(c color.Color, bg float64) float64 {
	r, g, b, a := c.RGBA()
	return (0.299*float64(r)+0.587*float64(g)+0.114*float64(b))/0xffff + (1-float64(a)/0xffff)*bg
}

// Sample implements Dist: x = (px + u − w/2)·s, y = (h/2 − py − v)·s for an
// ink pixel (px, py), u, v ~ U[0, 1) and s the world size of a pixel.
func (d *ImageDist) Sample(rng *rand.Rand, dst []flow.Vec) {
	for i := range dst {
		var k int
		if d.alias.prob != nil {
			k = d.alias.pick(rng)
		} else {
			k = rng.IntN(len(d.ink))
		}
		px, py := float64(d.ink[k]&0xffff), float64(d.ink[k]>>16)
		dst[i] = flow.Vec{
			(px + rng.Float64() - float64(d.width)/2) * d.pixel,
			(float64(d.height)/2 - py - rng.Float64()) * d.pixel,
		}
	}
}

// Pixels returns the mask's size in pixels after downscaling and the number of
// ink pixels in it.
func (d *ImageDist) Pixels() (width, height, ink int) { return d.width, d.height, len(d.ink) }

// Options returns the options in effect, defaults filled in.
func (d *ImageDist) Options() MaskOptions { return d.opt }

// String is a spec Load accepts back for an image loaded from a file, e.g.
// "cat.png:threshold=0.5,invert=0,size=8,maxside=512,weight=0", or for text,
// e.g. "text:Hi\nthere" (text options are not part of it), and
// "image(WxH,ink=N)" for one made by FromImage.
func (d *ImageDist) String() string {
	if d.text != "" {
		return textPrefix + strings.ReplaceAll(d.text, "\n", `\n`)
	}
	if d.path == "" {
		return fmt.Sprintf("image(%dx%d,ink=%d)", d.width, d.height, len(d.ink))
	}
	return d.path + ":" + imageArgs(d.opt)
}

// LoadImage decodes a PNG, JPEG or GIF file and makes a mask of it. Images
// over MaxImagePixels are refused before decoding.
func LoadImage(path string, opt MaskOptions) (*ImageDist, error) {
	f, err := limitfile.Open(path, MaxImageFileBytes)
	if err != nil {
		return nil, fmt.Errorf("data: %w", err)
	}
	defer f.Close()
	d, err := readImage(f, opt, MaxImagePixels)
	if err != nil {
		return nil, fmt.Errorf("%w (%s)", err, path)
	}
	d.path = path
	return d, nil
}

// ReadImage is LoadImage for an image already open as r.
func ReadImage(r io.Reader, opt MaskOptions) (*ImageDist, error) {
	return readImage(r, opt, MaxImagePixels)
}

// readImage decodes r after checking from its header that the image has at
// most maxPixels pixels, so a small file claiming a huge image cannot make
// the decoder allocate gigabytes.
func readImage(r io.Reader, opt MaskOptions, maxPixels int) (*ImageDist, error) {
	var header bytes.Buffer
	cfg, format, err := image.DecodeConfig(io.TeeReader(r, &header))
	if err != nil {
		return nil, fmt.Errorf("data: image: %w", err)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || cfg.Width > maxPixels/max(cfg.Height, 1) {
		return nil, fmt.Errorf("data: %s image is %d×%d pixels; at most %d megapixels are accepted",
			format, cfg.Width, cfg.Height, maxPixels/1_000_000)
	}
	if bpp := bytesPerPixel(cfg.ColorModel); int64(cfg.Width)*int64(cfg.Height)*bpp > MaxImageBytes {
		return nil, fmt.Errorf("data: %s image of %d×%d pixels at %d bytes a pixel takes %d MiB decoded; at most %d MiB are accepted",
			format, cfg.Width, cfg.Height, bpp, int64(cfg.Width)*int64(cfg.Height)*bpp>>20, MaxImageBytes>>20)
	}
	img, _, err := image.Decode(io.MultiReader(&header, r))
	if err != nil {
		return nil, fmt.Errorf("data: %s image: %w", format, err)
	}
	return FromImage(img, opt)
}

// bytesPerPixel is what a decoder allocates a pixel for an image of model m
// (8, the widest, for a model it does not know).
func bytesPerPixel(m color.Model) int64 {
	switch m {
	case color.GrayModel, color.AlphaModel:
		return 1
	case color.Gray16Model, color.Alpha16Model:
		return 2
	case color.YCbCrModel:
		return 3 // 4:4:4 at most; subsampled chroma takes less
	case color.RGBAModel, color.NRGBAModel, color.CMYKModel:
		return 4
	case color.RGBA64Model, color.NRGBA64Model:
		return 8
	}
	if _, ok := m.(color.Palette); ok {
		return 1
	}
	return 8
}

// aliasTable draws index i with probability weight[i]/Σweight in O(1)
// (Walker's alias method, Vose's construction): pick a column uniformly,
// keep it with probability prob[i], else take alias[i].
type aliasTable struct {
	prob  []float64
	alias []uint32
}

func newAliasTable(weights []float64) aliasTable {
	n := len(weights)
	total := 0.0
	for _, w := range weights {
		total += w
	}
	t := aliasTable{prob: make([]float64, n), alias: make([]uint32, n)}
	// Scale so the average column holds exactly 1, then pair each
	// under-full column with an over-full one that tops it up.
	var small, large []uint32
	for i, w := range weights {
		t.prob[i] = w * float64(n) / total
		if t.prob[i] < 1 {
			small = append(small, uint32(i))
		} else {
			large = append(large, uint32(i))
		}
	}
	for len(small) > 0 && len(large) > 0 {
		s, l := small[len(small)-1], large[len(large)-1]
		small = small[:len(small)-1]
		t.alias[s] = l
		t.prob[l] -= 1 - t.prob[s]
		if t.prob[l] < 1 {
			large = large[:len(large)-1]
			small = append(small, l)
		}
	}
	// Whatever is left is full up to rounding error.
	for _, i := range append(small, large...) {
		t.prob[i] = 1
	}
	return t
}

func (t aliasTable) pick(rng *rand.Rand) int {
	i := rng.IntN(len(t.prob))
	if rng.Float64() < t.prob[i] {
		return i
	}
	return int(t.alias[i])
}
