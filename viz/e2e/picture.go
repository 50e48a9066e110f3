package e2e

import (
	"image"
	"math"
	"math/rand/v2"

	"github.com/flowviz/flowviz/flow/data"
	"github.com/flowviz/flowviz/viz/appstate"
)

// What the end-to-end tests of the desktop app and of the web page check
// in the state report and in screenshots, shared by both.

// MoonsSummary is the default target's own summary, from a large draw:
// what the particles at t = 1 should look like once the model has learned
// it.
func MoonsSummary() appstate.Points {
	d, err := data.Parse("moons")
	if err != nil {
		panic(err) // the built-in preset
	}
	p, _ := appstate.Summarize(data.Sample(d, rand.New(rand.NewPCG(7, 8)), 20000), nil)
	return p
}

// Near reports whether a point cloud's summary matches want's: the means
// within tol, and the 5th, 50th and 95th percentiles within 2·tol per axis.
func Near(got, want appstate.Points, tol float64) bool {
	for axis := range 2 {
		if math.Abs(got.Mean[axis]-want.Mean[axis]) > tol ||
			math.Abs(got.P05[axis]-want.P05[axis]) > 2*tol ||
			math.Abs(got.P50[axis]-want.P50[axis]) > 2*tol ||
			math.Abs(got.P95[axis]-want.P95[axis]) > 2*tol {
			return false
		}
	}
	return true
}

// ToScreen maps a world point to screen pixels with the state's camera:
// sx = X + W/2 + (wx − cx)·zoom, sy = Y + H/2 − (wy − cy)·zoom.
func ToScreen(c appstate.Camera, wx, wy float64) (float64, float64) {
	return c.Canvas[0] + c.Canvas[2]/2 + (wx-c.X)*c.Zoom, c.Canvas[1] + c.Canvas[3]/2 - (wy-c.Y)*c.Zoom
}

// ToWorld is ToScreen's inverse.
func ToWorld(c appstate.Camera, sx, sy float64) (float64, float64) {
	return c.X + (sx-c.Canvas[0]-c.Canvas[2]/2)/c.Zoom, c.Y - (sy-c.Canvas[1]-c.Canvas[3]/2)/c.Zoom
}

// Inked counts the pixels of img inside r that are bright or coloured:
// dots, arrows, text. The canvas background (17, 20, 24), its grid lines
// (58, 61, 64), axes (108, 109, 112) and the dim grey data clouds are none
// of these.
func Inked(img *image.RGBA, r image.Rectangle) int {
	n := 0
	r = r.Intersect(img.Bounds())
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			c := img.RGBAAt(x, y)
			hi, lo := max(c.R, c.G, c.B), min(c.R, c.G, c.B)
			if hi >= 130 || hi-lo >= 60 {
				n++
			}
		}
	}
	return n
}
