package data

import (
	"errors"
	"fmt"
	"image"
	"image/draw"
	"strings"
	"sync"
	"unicode/utf8"

	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"
)

// MaxTextRunes bounds the text Text renders; longer text would make letters
// too thin to learn at any sensible mask size anyway.
const MaxTextRunes = 200

// textPixels is the em size text is rendered at before MaskOptions.MaxSide
// downscales it: large enough that glyph edges are smooth.
const textPixels = 96

// goBold is parsed once; a face is cheap to make from it, but a Face is not
// safe for concurrent use, so each Text call makes its own.
var goBold = sync.OnceValues(func() (*opentype.Font, error) { return opentype.Parse(gobold.TTF) })

// Text renders s in Go Bold, black on white, one line per "\n", and returns
// the mask of its ink. MaskOptions work as for any image: Size is the world
// size of the longer side of the rendered block, margins included.
func Text(s string, opt MaskOptions) (*ImageDist, error) {
	if strings.TrimSpace(s) == "" {
		return nil, errors.New("data: text is empty")
	}
	if n := utf8.RuneCountInString(s); n > MaxTextRunes {
		return nil, fmt.Errorf("data: text has %d characters; at most %d are accepted", n, MaxTextRunes)
	}
	f, err := goBold()
	if err != nil {
		return nil, fmt.Errorf("data: font: %w", err)
	}
	face, err := opentype.NewFace(f, &opentype.FaceOptions{Size: textPixels, DPI: 72, Hinting: font.HintingNone})
	if err != nil {
		return nil, fmt.Errorf("data: font: %w", err)
	}
	defer face.Close()

	lines := strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n")
	metrics := face.Metrics()
	lineHeight := metrics.Height.Ceil()
	margin := textPixels / 8 // keeps antialiased edges inside the image
	width := 0
	for _, line := range lines {
		width = max(width, font.MeasureString(face, line).Ceil())
	}
	img := image.NewGray(image.Rect(0, 0, width+2*margin, lineHeight*len(lines)+2*margin))
	draw.Draw(img, img.Bounds(), image.White, image.Point{}, draw.Src)
	d := font.Drawer{Dst: img, Src: image.Black, Face: face}
	for i, line := range lines {
		d.Dot = fixed.P(margin, margin+i*lineHeight+metrics.Ascent.Ceil())
		d.DrawString(line)
	}
	dist, err := FromImage(img, opt)
	if err != nil {
		return nil, fmt.Errorf("data: text %q renders without ink", clip(s))
	}
	dist.text = s
	return dist, nil
}
