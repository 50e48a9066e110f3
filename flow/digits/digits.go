// Package digits draws labelled grey images of the digits 0–9, rendered from the embedded Go fonts with random affine jitter, stroke weight and blur, fresh for every draw.
package digits

import (
	"errors"
	"fmt"
	"image"
	"image/draw"
	"math"
	"math/rand/v2"
	"sync"

	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goitalic"
	"golang.org/x/image/font/gofont/gomono"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"
)

// Classes is the number of labels: the digits 0 to 9.
const Classes = 10

// FontNames are the Go fonts the digits are drawn in, in the order of
// Params.Font.
var FontNames = [...]string{"regular", "bold", "italic", "mono"}

var fontTTFs = [...][]byte{goregular.TTF, gobold.TTF, goitalic.TTF, gomono.TTF}

// Glyphs are rasterised once, at glyphSide × glyphSide, digit height
// glyphHeight, and then only resampled: a draw costs a few thousand bilinear
// lookups, not a font rasterisation.
const (
	glyphSide   = 64
	glyphHeight = 46
	// glyphSoften is the σ (in glyph pixels) of the Gaussian that turns the
	// ink mask into a smooth field; thresholding that field below or above
	// ½ thickens or thins the strokes (Params.Weight).
	glyphSoften = 1.5
	// inkHeight is the digit's height as a fraction of the image side at
	// scale 1 (MNIST's digits fill ~70 % of the frame; a little less leaves room for the jitter).
	inkHeight = 0.65
)

// Jitter bounds the random variation of a draw. All ranges are symmetric
// about the identity except Scale and Blur.
type Jitter struct {
	Rotate   float64 // largest rotation, radians either way
	MinScale float64 // smallest and largest scale of the digit
	MaxScale float64
	Shift    float64 // largest shift either way, as a fraction of the side
	Weight   float64 // largest stroke-weight change either way (threshold shift of the soft glyph field, 0..0.3)
	MinBlur  float64 // smallest and largest σ of the final blur, in pixels of the image
	MaxBlur  float64
}

// DefaultJitter is ±12°, scale 0.85–1.1, shift ±6 % of the side, stroke
// weight ±0.15, blur σ 0.2–0.5 px: every digit stays inside the frame and
// readable, and no two draws are alike.
func DefaultJitter() Jitter {
	return Jitter{Rotate: 12 * math.Pi / 180, MinScale: 0.85, MaxScale: 1.1, Shift: 0.06, Weight: 0.15, MinBlur: 0.2, MaxBlur: 0.5}
}

// Validate reports a range that is inverted, negative or so large that digits
// would leave the frame or vanish.
func (j Jitter) Validate() error {
	switch {
	case !(j.Rotate >= 0 && j.Rotate <= math.Pi/4):
		return fmt.Errorf("digits: rotation %v out of range 0..π/4", j.Rotate)
	case !(j.MinScale > 0.3 && j.MinScale <= j.MaxScale && j.MaxScale <= 1.3):
		return fmt.Errorf("digits: scale range %v..%v must lie in (0.3, 1.3]", j.MinScale, j.MaxScale)
	case !(j.Shift >= 0 && j.Shift <= 0.25):
		return fmt.Errorf("digits: shift %v out of range 0..0.25", j.Shift)
	case !(j.Weight >= 0 && j.Weight <= 0.3):
		return fmt.Errorf("digits: weight %v out of range 0..0.3", j.Weight)
	case !(j.MinBlur >= 0 && j.MinBlur <= j.MaxBlur && j.MaxBlur <= 2):
		return fmt.Errorf("digits: blur range %v..%v must lie in [0, 2]", j.MinBlur, j.MaxBlur)
	}
	return nil
}

// Params is one draw's label and jitter, enough to render it again.
type Params struct {
	Digit, Font    int     // label 0..9 and index into FontNames
	Rotate, Scale  float64 // radians (counter-clockwise), size factor
	ShiftX, ShiftY float64 // fractions of the side, +x right, +y down
	Weight         float64 // stroke weight: > 0 bolder
	Blur           float64 // σ of the final blur in pixels
}

// Generator draws side × side images; values are ink in [0, 1] (1 = ink,
// 0 = background, as MNIST), row-major. A Generator is read-only after New
// and safe for concurrent use; each goroutine brings its own rand.Rand.
type Generator struct {
	side   int
	jitter Jitter
	ss     int // supersamples per pixel and axis
}

// Sides accepted by New.
const (
	MinSide = 8
	MaxSide = 64
)

// New returns a generator of side × side images with jitter j.
func New(side int, j Jitter) (*Generator, error) {
	if side < MinSide || side > MaxSide {
		return nil, fmt.Errorf("digits: side %d out of range %d..%d", side, MinSide, MaxSide)
	}
	if err := j.Validate(); err != nil {
		return nil, err
	}
	if _, err := glyphs(); err != nil {
		return nil, err
	}
	return &Generator{side: side, jitter: j, ss: max(2, 32/side)}, nil
}

// Side is the image's width and height in pixels.
func (g *Generator) Side() int { return g.side }

// Dim is the number of pixels, the dimension of an image as a vector.
func (g *Generator) Dim() int { return g.side * g.side }

// Jitter returns the bounds the generator draws from.
func (g *Generator) Jitter() Jitter { return g.jitter }

// glyphField is one digit in one font: a soft ink field, 1 inside strokes,
// 0 far outside, ½ on the outline.
type glyphField [glyphSide * glyphSide]float32

// glyphs rasterises every digit of every font once per process.
var glyphs = sync.OnceValues(func() (*[len(fontTTFs)][Classes]glyphField, error) {
	var out [len(fontTTFs)][Classes]glyphField
	for fi, ttf := range fontTTFs {
		f, err := opentype.Parse(ttf)
		if err != nil {
			return nil, fmt.Errorf("digits: font %s: %w", FontNames[fi], err)
		}
		// Size the font so that a digit is glyphHeight pixels tall.
		probe, err := opentype.NewFace(f, &opentype.FaceOptions{Size: 100, DPI: 72, Hinting: font.HintingNone})
		if err != nil {
			return nil, fmt.Errorf("digits: font %s: %w", FontNames[fi], err)
		}
		b, _ := font.BoundString(probe, "0")
		probe.Close()
		h := (b.Max.Y - b.Min.Y).Ceil()
		if h <= 0 {
			return nil, fmt.Errorf("digits: font %s draws no 0", FontNames[fi])
		}
		face, err := opentype.NewFace(f, &opentype.FaceOptions{Size: 100 * glyphHeight / float64(h), DPI: 72, Hinting: font.HintingNone})
		if err != nil {
			return nil, fmt.Errorf("digits: font %s: %w", FontNames[fi], err)
		}
		for d := range Classes {
			s := string(rune('0' + d))
			bb, _ := font.BoundString(face, s)
			// Centre the ink's bounding box in the glyph square.
			cx := (bb.Min.X + bb.Max.X) / 2
			cy := (bb.Min.Y + bb.Max.Y) / 2
			img := image.NewAlpha(image.Rect(0, 0, glyphSide, glyphSide))
			draw.Draw(img, img.Bounds(), image.Transparent, image.Point{}, draw.Src)
			dr := font.Drawer{Dst: img, Src: image.Opaque, Face: face,
				Dot: fixed.Point26_6{X: fixed.I(glyphSide/2) - cx, Y: fixed.I(glyphSide/2) - cy}}
			dr.DrawString(s)
			field := &out[fi][d]
			for i, a := range img.Pix {
				field[i] = float32(a) / 255
			}
			soften(field[:], glyphSide, glyphSoften)
			var peak float32
			for _, v := range field {
				peak = max(peak, v)
			}
			if peak < 0.6 {
				face.Close()
				return nil, fmt.Errorf("digits: font %s draws %q too thin (peak %.2f)", FontNames[fi], s, peak)
			}
		}
		face.Close()
	}
	return &out, nil
})

// soften blurs a side × side image in place with a separable Gaussian of σ
// pixels (zero outside), radius ⌈3σ⌉.
func soften(img []float32, side int, sigma float64) {
	r := int(math.Ceil(3 * sigma))
	k := make([]float32, 2*r+1)
	var sum float32
	for i := range k {
		x := float64(i - r)
		k[i] = float32(math.Exp(-x * x / (2 * sigma * sigma)))
		sum += k[i]
	}
	for i := range k {
		k[i] /= sum
	}
	tmp := make([]float32, len(img))
	convolve(tmp, img, side, k, 1, side) // along rows
	convolve(img, tmp, side, k, side, 1) // along columns
}

// convolve writes dst = src ∗ k along one axis: step is the stride along
// that axis, across the stride between lines.
func convolve(dst, src []float32, side int, k []float32, step, across int) {
	r := len(k) / 2
	for line := range side {
		base := line * across
		for i := range side {
			var acc float32
			for j, w := range k {
				p := i + j - r
				if p >= 0 && p < side {
					acc += w * src[base+p*step]
				}
			}
			dst[base+i*step] = acc
		}
	}
}

// Draw draws one image into dst (len Dim()) with a uniformly random digit,
// font and jitter from rng, and returns what it drew.
func (g *Generator) Draw(rng *rand.Rand, dst []float32) Params {
	j := g.jitter
	uniform := func(lo, hi float64) float64 { return lo + (hi-lo)*rng.Float64() }
	p := Params{
		Digit:  rng.IntN(Classes),
		Font:   rng.IntN(len(fontTTFs)),
		Rotate: uniform(-j.Rotate, j.Rotate),
		Scale:  uniform(j.MinScale, j.MaxScale),
		ShiftX: uniform(-j.Shift, j.Shift),
		ShiftY: uniform(-j.Shift, j.Shift),
		Weight: uniform(-j.Weight, j.Weight),
		Blur:   uniform(j.MinBlur, j.MaxBlur),
	}
	g.Render(p, dst)
	return p
}

// Sample draws len(labels) images into dst (len(labels) × Dim(), row-major)
// and writes their digits into labels.
func (g *Generator) Sample(rng *rand.Rand, dst []float32, labels []int) {
	d := g.Dim()
	if len(dst) != d*len(labels) {
		panic(fmt.Sprintf("digits: Sample of %d images into %d values (want %d)", len(labels), len(dst), d*len(labels)))
	}
	for i := range labels {
		labels[i] = g.Draw(rng, dst[i*d:(i+1)*d]).Digit
	}
}

// ErrParams reports Params outside what Render can draw.
var ErrParams = errors.New("digits: params out of range")

// Render draws the image p describes into dst (len Dim()). Each pixel
// averages ss × ss points; each point maps back into the glyph square by the
// inverse affine map
//
//	q = c_g + R(−θ)·(u − c − shift)/(s·k),   k = inkHeight·side/glyphHeight,
//
// reads the soft field bilinearly and turns it into ink with a smooth step
// around the threshold ½ − Weight (lower still below 16 pixels, see
// boldness). A final Gaussian blur of σ = Blur pixels
// softens the edges. It panics on a Digit or Font out of range.
func (g *Generator) Render(p Params, dst []float32) {
	if p.Digit < 0 || p.Digit >= Classes || p.Font < 0 || p.Font >= len(fontTTFs) || !(p.Scale > 0) {
		panic(fmt.Errorf("%w: %+v", ErrParams, p))
	}
	n := g.side
	if len(dst) != n*n {
		panic(fmt.Sprintf("digits: Render into %d values, want %d", len(dst), n*n))
	}
	all, _ := glyphs() // New checked the error
	field := &all[p.Font][p.Digit]
	k := inkHeight * float64(n) / glyphHeight * p.Scale
	sin, cos := math.Sincos(p.Rotate)
	// Image y points down, so a counter-clockwise turn on screen is R(−θ)
	// in image coordinates; its inverse is R(θ).
	a, b := cos/k, -sin/k // q = c_g + [a b; −b a]·(u − c)
	c := float64(n)/2 + p.ShiftX*float64(n)
	cy := float64(n)/2 + p.ShiftY*float64(n)
	const cg = glyphSide / 2
	// The smooth step spans 0.3 of the field around the threshold.
	lo := 0.5 - p.Weight - g.boldness() - 0.15
	ss := g.ss
	inv := 1 / float64(ss)
	norm := float32(inv * inv)
	for y := range n {
		for x := range n {
			var acc float32
			for sy := range ss {
				v := float64(y) + (float64(sy)+0.5)*inv - cy
				for sx := range ss {
					u := float64(x) + (float64(sx)+0.5)*inv - c
					qx := cg + a*u + b*v
					qy := cg - b*u + a*v
					f := bilinear(field, qx-0.5, qy-0.5)
					acc += smoothstep(float32((float64(f) - lo) / 0.3))
				}
			}
			dst[y*n+x] = acc * norm
		}
	}
	if p.Blur > 0 {
		soften(dst, n, p.Blur)
	}
	for i, v := range dst { // rounding can leave 1 + ε
		dst[i] = min(max(v, 0), 1)
	}
}

// boldness lowers the ink threshold for small images: a font's stroke is
// about one pixel wide at 16 × 16 and half a pixel at 8 × 8, which the final
// blur turns into faint grey. Strokes are thickened by 0.15 of the field per
// halving of the side below 32 (0.1 at 16, 0.25 at 8).
func (g *Generator) boldness() float64 {
	return max(0, 0.15*math.Log2(32/float64(g.side))-0.05)
}

// bilinear reads the field at (x, y) in pixel-centre coordinates, 0 outside.
func bilinear(f *glyphField, x, y float64) float32 {
	if !(x > -1 && y > -1 && x < glyphSide && y < glyphSide) {
		return 0
	}
	// x, y > −1, so int(x+1) − 1 is the floor.
	x0, y0 := int(x+1)-1, int(y+1)-1
	fx, fy := float32(x-float64(x0)), float32(y-float64(y0))
	var v00, v10, v01, v11 float32
	if x0 >= 0 && y0 >= 0 && x0 < glyphSide-1 && y0 < glyphSide-1 {
		i := y0*glyphSide + x0
		v00, v10, v01, v11 = f[i], f[i+1], f[i+glyphSide], f[i+glyphSide+1]
	} else { // on the square's edge: a neighbour is outside
		at := func(i, j int) float32 {
			if i < 0 || j < 0 || i >= glyphSide || j >= glyphSide {
				return 0
			}
			return f[j*glyphSide+i]
		}
		v00, v10, v01, v11 = at(x0, y0), at(x0+1, y0), at(x0, y0+1), at(x0+1, y0+1)
	}
	top := v00 + (v10-v00)*fx
	bot := v01 + (v11-v01)*fx
	return top + (bot-top)*fy
}

// smoothstep is 0 below 0, 1 above 1 and 3s² − 2s³ between.
func smoothstep(s float32) float32 {
	s = min(max(s, 0), 1)
	return s * s * (3 - 2*s)
}
