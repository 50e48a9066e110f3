// Package camera maps the world plane to a screen rectangle: pan, zoom around a
// point, fit to data, and the nicely spaced grid ticks drawn under the data.
package camera

import "math"

// Zoom limits in pixels per world unit, so a wild wheel spin can neither
// collapse the view to a point nor blow it up past float precision.
const (
	MinZoom = 1e-2
	MaxZoom = 1e5
)

// Camera shows the world around Center at Zoom pixels per world unit inside
// the screen rectangle (X, Y, W, H). World y points up, screen y down.
type Camera struct {
	CenterX, CenterY float64
	Zoom             float64
	X, Y, W, H       float64 // the viewport on screen, in pixels
}

// New returns a camera that shows the world rectangle [minX,maxX]×[minY,maxY]
// inside the given viewport.
func New(x, y, w, h float64, minX, minY, maxX, maxY float64) Camera {
	c := Camera{X: x, Y: y, W: w, H: h, Zoom: 1}
	c.Fit(minX, minY, maxX, maxY, 0.05)
	return c
}

// SetViewport moves the camera's viewport, keeping the world centre and zoom.
func (c *Camera) SetViewport(x, y, w, h float64) { c.X, c.Y, c.W, c.H = x, y, w, h }

// ToScreen maps a world point to the screen:
// sx = X + W/2 + (wx − cx)·zoom,  sy = Y + H/2 − (wy − cy)·zoom.
func (c *Camera) ToScreen(wx, wy float64) (sx, sy float64) {
	return c.X + c.W/2 + (wx-c.CenterX)*c.Zoom, c.Y + c.H/2 - (wy-c.CenterY)*c.Zoom
}

// ToWorld is the inverse of ToScreen.
func (c *Camera) ToWorld(sx, sy float64) (wx, wy float64) {
	return c.CenterX + (sx-c.X-c.W/2)/c.Zoom, c.CenterY - (sy-c.Y-c.H/2)/c.Zoom
}

// Pan moves the view with a drag of (dx, dy) screen pixels: the world point
// under the pointer follows the pointer.
func (c *Camera) Pan(dx, dy float64) {
	c.CenterX -= dx / c.Zoom
	c.CenterY += dy / c.Zoom
}

// ZoomAt multiplies the zoom by factor while keeping the world point under the
// screen point (sx, sy) fixed there.
func (c *Camera) ZoomAt(sx, sy, factor float64) {
	if !(factor > 0) || math.IsInf(factor, 0) {
		return
	}
	wx, wy := c.ToWorld(sx, sy)
	c.Zoom = math.Min(MaxZoom, math.Max(MinZoom, c.Zoom*factor))
	// Solve ToScreen(wx, wy) = (sx, sy) for the centre.
	c.CenterX = wx - (sx-c.X-c.W/2)/c.Zoom
	c.CenterY = wy + (sy-c.Y-c.H/2)/c.Zoom
}

// Fit centres the world rectangle and zooms so it fills the viewport less a
// margin (a fraction of the viewport on each side). Degenerate or non-finite
// rectangles leave the camera unchanged.
func (c *Camera) Fit(minX, minY, maxX, maxY, margin float64) {
	c.fit(minX, minY, maxX, maxY, c.X, c.Y, c.W, c.H, margin)
}

// FitIn is Fit into the screen rectangle (sx, sy, sw, sh), a part of the
// viewport: the world rectangle's centre lands on the part's centre, so a
// figure can sit beside text drawn over the rest of the canvas.
func (c *Camera) FitIn(minX, minY, maxX, maxY, sx, sy, sw, sh, margin float64) {
	if !(sw > 0 && sh > 0) || math.IsInf(sw+sh, 0) {
		return
	}
	c.fit(minX, minY, maxX, maxY, sx, sy, sw, sh, margin)
}

func (c *Camera) fit(minX, minY, maxX, maxY, sx, sy, sw, sh, margin float64) {
	w, h := maxX-minX, maxY-minY
	if !(w >= 0 && h >= 0) || math.IsInf(w, 0) || math.IsInf(h, 0) {
		return
	}
	w, h = math.Max(w, 1e-6), math.Max(h, 1e-6)
	usableW := math.Max(1, sw*(1-2*margin))
	usableH := math.Max(1, sh*(1-2*margin))
	c.Zoom = math.Min(MaxZoom, math.Max(MinZoom, math.Min(usableW/w, usableH/h)))
	// Solve ToScreen(centre of the world rectangle) = centre of the part;
	// for the whole viewport that is the rectangle's centre itself.
	c.CenterX = (minX+maxX)/2 - (sx+sw/2-c.X-c.W/2)/c.Zoom
	c.CenterY = (minY+maxY)/2 + (sy+sh/2-c.Y-c.H/2)/c.Zoom
}

// Visible returns the world rectangle the viewport shows.
func (c *Camera) Visible() (minX, minY, maxX, maxY float64) {
	x0, y1 := c.ToWorld(c.X, c.Y)
	x1, y0 := c.ToWorld(c.X+c.W, c.Y+c.H)
	return x0, y0, x1, y1
}

// Contains reports whether the screen point lies in the viewport.
func (c *Camera) Contains(sx, sy float64) bool {
	return sx >= c.X && sx < c.X+c.W && sy >= c.Y && sy < c.Y+c.H
}

// NiceStep returns the grid spacing in world units from {1, 2, 5}·10^k whose
// on-screen length is the smallest one at least minPixels long.
func NiceStep(zoom, minPixels float64) float64 {
	if !(zoom > 0) || !(minPixels > 0) {
		return 1
	}
	raw := minPixels / zoom
	p := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 5, 10} {
		if m*p >= raw*(1-1e-12) {
			return m * p
		}
	}
	return 10 * p
}

// Ticks appends to dst the multiples of step in [lo, hi], at most limit of
// them (so a broken step never loops for long).
func Ticks(dst []float64, lo, hi, step float64, limit int) []float64 {
	if !(step > 0) || !(hi >= lo) || math.IsInf(lo, 0) || math.IsInf(hi, 0) {
		return dst
	}
	first := math.Ceil(lo/step - 1e-9)
	for i := 0; i < limit; i++ {
		v := (first + float64(i)) * step
		if v > hi+step*1e-9 {
			break
		}
		if math.Abs(v) < step*1e-9 {
			v = 0 // print "0", not "-1.2e-17"
		}
		dst = append(dst, v)
	}
	return dst
}
