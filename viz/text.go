package viz

import (
	"bytes"
	"image"
	"image/color"
	"strings"

	"github.com/hajimehoshi/ebiten/v2"
	"github.com/hajimehoshi/ebiten/v2/text/v2"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"

	"github.com/flowviz/flowviz/viz/palette"
)

type whiteColour struct{}

func (whiteColour) RGBA() (r, g, b, a uint32) { return 0xffff, 0xffff, 0xffff, 0xffff }

func imageRect(x0, y0, x1, y1 int) image.Rectangle { return image.Rect(x0, y0, x1, y1) }

// Fonts are the embedded Go fonts at the sizes the UI uses, in pixels already
// multiplied by the UI scale.
type Fonts struct {
	Small, Body, Large, Bold *text.GoTextFace
}

var regularSource, boldSource = mustSource(goregular.TTF), mustSource(gobold.TTF)

func mustSource(ttf []byte) *text.GoTextFaceSource {
	src, err := text.NewGoTextFaceSource(bytes.NewReader(ttf))
	if err != nil {
		panic(err) // the fonts are compiled in: this cannot fail at run time
	}
	return src
}

// NewFonts returns the faces for a UI scale. Sizes are picked to stay
// readable from the back of a lecture room at scale 1 on a 1280×800 window.
func NewFonts(scale float64) Fonts {
	return Fonts{
		Small: &text.GoTextFace{Source: regularSource, Size: 13 * scale},
		Body:  &text.GoTextFace{Source: regularSource, Size: 16 * scale},
		Large: &text.GoTextFace{Source: regularSource, Size: 20 * scale},
		Bold:  &text.GoTextFace{Source: boldSource, Size: 16 * scale},
	}
}

// Align of a text relative to its anchor point.
type Align struct{ H, V text.Align }

var (
	TopLeft      = Align{text.AlignStart, text.AlignStart}
	TopCenter    = Align{text.AlignCenter, text.AlignStart}
	TopRight     = Align{text.AlignEnd, text.AlignStart}
	CenterLeft   = Align{text.AlignStart, text.AlignCenter}
	Center       = Align{text.AlignCenter, text.AlignCenter}
	CenterRight  = Align{text.AlignEnd, text.AlignCenter}
	BottomLeft   = Align{text.AlignStart, text.AlignEnd}
	BottomCenter = Align{text.AlignCenter, text.AlignEnd}
	BottomRight  = Align{text.AlignEnd, text.AlignEnd}
)

// drawText draws s with its anchor at (x, y).
func drawText(dst *ebiten.Image, s string, face *text.GoTextFace, x, y float64, a Align, c palette.RGBA) {
	var op text.DrawOptions
	op.GeoM.Translate(x, y)
	op.ColorScale.ScaleWithColor(toColor(c))
	op.PrimaryAlign, op.SecondaryAlign = a.H, a.V
	op.LineSpacing = face.Size * 1.3
	text.Draw(dst, s, face, &op)
}

// drawLines draws the lines of s from (x, y) down, lineH apart.
func drawLines(dst *ebiten.Image, s string, face *text.GoTextFace, x, y, lineH float64, c palette.RGBA) {
	for _, line := range strings.Split(s, "\n") {
		drawText(dst, line, face, x, y, TopLeft, c)
		y += lineH
	}
}

func textWidth(s string, face *text.GoTextFace) float64 {
	w, _ := text.Measure(s, face, face.Size*1.3)
	return w
}

func toColor(c palette.RGBA) color.Color {
	return color.NRGBA{uint8(c.R*255 + 0.5), uint8(c.G*255 + 0.5), uint8(c.B*255 + 0.5), uint8(c.A*255 + 0.5)}
}
