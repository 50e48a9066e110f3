// Command diffusionfig draws sample CSV files (x,y or x,y,label, as written
// by flowmatch sample) side by side as scatter panels in one PNG, for the
// README's figures: one panel per "title=file.csv" argument, points coloured
// by their label.
package main

import (
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"os"
	"strconv"
	"strings"

	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"

	"github.com/flowviz/flowviz/flow/data"
)

// classColours are Okabe–Ito's colour-blind-safe hues, then a grey.
var classColours = []color.RGBA{
	{0, 114, 178, 255}, {230, 159, 0, 255}, {0, 158, 115, 255}, {204, 121, 167, 255},
	{86, 180, 233, 255}, {213, 94, 0, 255}, {240, 228, 66, 255}, {0, 0, 0, 255}, {120, 120, 120, 255},
}

func main() {
	out := flag.String("o", "figure.png", "output PNG")
	view := flag.String("view", "-6,6,-6,6", "xmin,xmax,ymin,ymax of every panel")
	size := flag.Int("size", 320, "panel side in pixels")
	flag.Parse()
	if err := run(*out, *view, *size, flag.Args()); err != nil {
		fmt.Fprintln(os.Stderr, "diffusionfig:", err)
		os.Exit(1)
	}
}

func run(out, viewSpec string, side int, panels []string) error {
	if len(panels) == 0 {
		return fmt.Errorf("no panels: give title=file.csv arguments")
	}
	var v [4]float64
	parts := strings.Split(viewSpec, ",")
	if len(parts) != 4 {
		return fmt.Errorf("-view %q: want xmin,xmax,ymin,ymax", viewSpec)
	}
	for i, p := range parts {
		x, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		if err != nil {
			return fmt.Errorf("-view %q: %v", viewSpec, err)
		}
		v[i] = x
	}
	face, err := titleFace()
	if err != nil {
		return err
	}
	const titleH, gap = 30, 8
	img := image.NewRGBA(image.Rect(0, 0, len(panels)*(side+gap)+gap, side+titleH+gap))
	draw.Draw(img, img.Bounds(), image.White, image.Point{}, draw.Src)
	for i, arg := range panels {
		// The file name follows the last "=", so titles may hold "w = 2".
		k := strings.LastIndex(arg, "=")
		if k < 0 {
			return fmt.Errorf("panel %q: want title=file.csv", arg)
		}
		title, file := arg[:k], arg[k+1:]
		f, err := os.Open(file)
		if err != nil {
			return err
		}
		pts, labels, err := data.ReadLabeledCSV(f, data.MaxCSVPoints)
		f.Close()
		if err != nil {
			return fmt.Errorf("%s: %w", file, err)
		}
		x0, y0 := gap+i*(side+gap), titleH
		frame := image.Rect(x0, y0, x0+side, y0+side)
		draw.Draw(img, frame, &image.Uniform{color.RGBA{245, 245, 245, 255}}, image.Point{}, draw.Src)
		d := font.Drawer{Dst: img, Src: image.Black, Face: face, Dot: fixed.P(x0+4, titleH-9)}
		d.DrawString(title)
		for j, p := range pts {
			c := classColours[0]
			if labels != nil {
				c = classColours[min(labels[j], len(classColours)-1)]
			}
			px := x0 + int((p[0]-v[0])/(v[1]-v[0])*float64(side))
			py := y0 + side - int((p[1]-v[2])/(v[3]-v[2])*float64(side))
			dot := image.Rect(px-1, py-1, px+2, py+2).Intersect(frame)
			draw.Draw(img, dot, &image.Uniform{c}, image.Point{}, draw.Src)
		}
	}
	w, err := os.Create(out)
	if err != nil {
		return err
	}
	if err := png.Encode(w, img); err != nil {
		w.Close()
		return err
	}
	return w.Close()
}

func titleFace() (font.Face, error) {
	f, err := opentype.Parse(goregular.TTF)
	if err != nil {
		return nil, err
	}
	return opentype.NewFace(f, &opentype.FaceOptions{Size: 16, DPI: 72, Hinting: font.HintingFull})
}
