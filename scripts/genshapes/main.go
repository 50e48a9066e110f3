// Command genshapes draws the built-in target silhouettes of assets/shapes as
// black-on-white PNG masks from their implicit equations and polygons.
//
//	go run ./scripts/genshapes -out assets/shapes
package main

import (
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math"
	"os"
	"path/filepath"
)

// side is the masks' size in pixels: fine enough for smooth edges, small
// enough to embed (a few KB each as 1-bit-like PNG).
const side = 256

// inside reports whether the point (x, y) of [-1, 1]², y up, is ink.
type inside func(x, y float64) bool

var shapes = []struct {
	name string
	in   inside
}{
	{"heart", heart},
	{"star", star},
	{"smiley", smiley},
	{"letter-f", letterF},
	{"arrow", arrow},
}

// heart is the classic sextic (x² + y² − 1)³ − x²y³ ≤ 0, scaled to fill the
// square.
func heart(x, y float64) bool {
	x, y = x*1.25, y*1.25+0.15
	a := x*x + y*y - 1
	return a*a*a-x*x*y*y*y <= 0
}

// star is a five-pointed star: the polygon alternating outer radius 1 and
// inner radius 0.4, its first tip straight up.
func star(x, y float64) bool {
	var poly [][2]float64
	for k := range 10 {
		r := 0.95
		if k%2 == 1 {
			r = 0.4
		}
		a := math.Pi/2 + float64(k)*math.Pi/5
		poly = append(poly, [2]float64{r * math.Cos(a), r*math.Sin(a) - 0.05})
	}
	return inPolygon(poly, x, y)
}

// smiley is a disc with two eyes and a smiling mouth cut out: the mouth is
// the lower part of an annulus, 0.45 ≤ r ≤ 0.6 below y = −0.05.
func smiley(x, y float64) bool {
	if x*x+y*y > 0.9*0.9 {
		return false
	}
	for _, ex := range []float64{-0.3, 0.3} {
		if (x-ex)*(x-ex)+(y-0.3)*(y-0.3) < 0.15*0.15 {
			return false
		}
	}
	r := math.Hypot(x, y+0.05)
	if r >= 0.40 && r <= 0.60 && y < -0.1 {
		return false
	}
	return true
}

// letterF is a block capital F: a stem and two bars.
func letterF(x, y float64) bool {
	stem := x >= -0.55 && x <= -0.2 && y >= -0.9 && y <= 0.9
	top := x >= -0.55 && x <= 0.6 && y >= 0.58 && y <= 0.9
	mid := x >= -0.55 && x <= 0.35 && y >= -0.12 && y <= 0.18
	return stem || top || mid
}

// arrow points right: a shaft and a triangular head.
func arrow(x, y float64) bool {
	shaft := x >= -0.9 && x <= 0.2 && math.Abs(y) <= 0.2
	head := x >= 0.2 && x <= 0.9 && math.Abs(y) <= 0.6*(0.9-x)/0.7
	return shaft || head
}

// inPolygon is the even-odd rule: count edge crossings of the ray to +x.
func inPolygon(poly [][2]float64, x, y float64) bool {
	in := false
	for i, j := 0, len(poly)-1; i < len(poly); j, i = i, i+1 {
		a, b := poly[i], poly[j]
		if (a[1] > y) != (b[1] > y) && x < a[0]+(y-a[1])*(b[0]-a[0])/(b[1]-a[1]) {
			in = !in
		}
	}
	return in
}

func main() {
	out := flag.String("out", "assets/shapes", "directory to write the PNGs to")
	flag.Parse()
	if err := os.MkdirAll(*out, 0o755); err != nil {
		fmt.Fprintln(os.Stderr, "genshapes:", err)
		os.Exit(1)
	}
	for _, s := range shapes {
		img := image.NewGray(image.Rect(0, 0, side, side))
		for py := range side {
			for px := range side {
				// Pixel centres in [-1, 1]², y up.
				x := (float64(px)+0.5)/side*2 - 1
				y := 1 - (float64(py)+0.5)/side*2
				c := uint8(255)
				if s.in(x, y) {
					c = 0
				}
				img.SetGray(px, py, color.Gray{Y: c})
			}
		}
		f, err := os.Create(filepath.Join(*out, s.name+".png"))
		if err == nil {
			err = png.Encode(f, img)
			if cerr := f.Close(); err == nil {
				err = cerr
			}
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "genshapes:", err)
			os.Exit(1)
		}
	}
}
