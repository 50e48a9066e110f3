package imageview

import (
	"image"
	"math"

	"github.com/flowviz/flowviz/flow"
	"github.com/flowviz/flowviz/viz/palette"
	"github.com/flowviz/flowviz/viz/timeline"
)

// Rect is a screen rectangle in device-independent pixels.
type Rect struct{ X, Y, W, H float64 }

// Contains reports whether (x, y) lies inside r.
func (r Rect) Contains(x, y float64) bool { return x >= r.X && x < r.X+r.W && y >= r.Y && y < r.Y+r.H }

// Mode is what the main area shows.
type Mode int

const (
	GridView Mode = iota // the 8 × 8 samples as images
	PCAView              // data and samples on the data's first two components
)

func (m Mode) String() string {
	if m == PCAView {
		return "pca"
	}
	return "grid"
}

// View is the state the user changes: the mode and the chosen sample.
type View struct {
	Mode Mode
	Cell int // the grid image of the film strip and the nearest example
}

// Toggle switches between the grid and the PCA view.
func (v *View) Toggle() {
	if v.Mode == GridView {
		v.Mode = PCAView
	} else {
		v.Mode = GridView
	}
}

// Click chooses the image under (x, y) of a grid of rows rows, if any,
// and reports whether one was hit.
func (v *View) Click(l Layout, x, y float64, rows int) bool {
	if v.Mode != GridView {
		return false
	}
	if i, ok := l.CellAt(x, y, rows); ok {
		v.Cell = i
		return true
	}
	return false
}

// Layout places the view's parts on the canvas.
type Layout struct {
	Scale float64
	Info  Rect // left column, top: the training readout (empty in a narrow area)
	Near  Rect // left column, below: the chosen sample beside its nearest fresh image
	Main  Rect // the grid (a square) or the PCA plot
	Strip Rect // bottom: the chosen sample at every solver step, with |v|
}

// NarrowWidth is the width (at scale 1) below which the view drops its
// training readout (a lesson's column shows one) and puts the nearest
// example beside the grid.
const NarrowWidth = 560

// NewLayout lays the view out in area at UI scale s.
func NewLayout(area Rect, s float64, mode Mode) Layout {
	pad := math.Round(12 * s)
	l := Layout{Scale: s}
	stripH := math.Min(math.Max(area.H*0.24, 120*s), area.H*0.4)
	l.Strip = Rect{area.X + pad, area.Y + area.H - stripH, area.W - 2*pad, stripH - pad}
	topH := area.H - stripH
	capH := math.Round(26 * s)
	if area.W < NarrowWidth*s {
		// The main area on the left, the nearest example in a column
		// right of it; no readout.
		nearW := math.Min(150*s, area.W*0.3)
		right := Rect{area.X + pad, area.Y + pad + capH, area.W - nearW - 3*pad, topH - 2*pad - capH}
		l.Near = Rect{area.X + area.W - nearW - pad, area.Y + pad + capH, nearW, topH - 2*pad - capH}
		if mode == PCAView {
			l.Main = right
			return l
		}
		size := math.Max(0, math.Min(right.W, right.H))
		l.Main = Rect{right.X + (right.W-size)/2, right.Y, size, size}
		return l
	}
	colW := math.Min(330*s, area.W*0.34)
	infoH := math.Min(210*s, topH*0.5)
	l.Info = Rect{area.X, area.Y, colW, infoH}
	l.Near = Rect{area.X + pad, area.Y + infoH, colW - 2*pad, topH - infoH - pad}
	// A caption line above the main area says what it shows.
	right := Rect{area.X + colW, area.Y + pad + capH, area.W - colW - pad, topH - 2*pad - capH}
	if mode == PCAView {
		l.Main = right
		return l
	}
	size := math.Max(0, math.Min(right.W, right.H))
	l.Main = Rect{right.X + (right.W-size)/2, right.Y + (right.H-size)/2, size, size}
	return l
}

// GridRect is where a grid of rows rows of Cols images goes in Main: the
// largest rectangle of its shape, centred (Main itself for a square grid).
func (l Layout) GridRect(rows int) Rect {
	r := l.Main
	rows = max(1, rows)
	if rows == Cols {
		return r
	}
	w := math.Min(r.W, r.H*Cols/float64(rows))
	h := w * float64(rows) / Cols
	return Rect{r.X + (r.W-w)/2, r.Y + (r.H-h)/2, w, h}
}

// CellAt is the image under (x, y) of a grid of rows rows.
func (l Layout) CellAt(x, y float64, rows int) (int, bool) {
	g := l.GridRect(rows)
	if !g.Contains(x, y) || g.W <= 0 {
		return 0, false
	}
	c := int((x - g.X) / g.W * Cols)
	r := int((y - g.Y) / g.H * float64(rows))
	if c < 0 || c >= Cols || r < 0 || r >= rows {
		return 0, false
	}
	return r*Cols + c, true
}

// At writes the grid's images at time t into dst (grown) and returns it:
// on a solver state t = k/N exactly state k, between two states the
// straight line between them, as the 2D particles move.
func (f *Frame) At(dst []float32, t float64) []float32 {
	k, a := timeline.Segment(t, f.N)
	x0, x1 := f.States[k], f.States[min(k+1, f.N)]
	if cap(dst) < len(x0) {
		dst = make([]float32, len(x0))
	}
	dst = dst[:len(x0)]
	if a == 0 {
		copy(dst, x0)
		return dst
	}
	if a == 1 {
		copy(dst, x1)
		return dst
	}
	b := float32(a)
	for i := range dst {
		dst[i] = x0[i] + b*(x1[i]-x0[i])
	}
	return dst
}

// ProjAt writes the particles' projections at time t into dst (grown).
func (f *Frame) ProjAt(dst []flow.Vec, t float64) []flow.Vec {
	k, a := timeline.Segment(t, f.N)
	p0, p1 := f.Proj[k], f.Proj[min(k+1, f.N)]
	if cap(dst) < len(p0) {
		dst = make([]flow.Vec, len(p0))
	}
	dst = dst[:len(p0)]
	for i := range dst {
		dst[i] = flow.Vec{p0[i][0] + a*(p1[i][0]-p0[i][0]), p0[i][1] + a*(p1[i][1]-p0[i][1])}
	}
	return dst
}

// StripEvery is how many solver steps apart the film strip's images are so
// that N + 1 states fit in width with each at least minTile pixels wide
// (and one screen pixel per image pixel): 1 when all fit.
func StripEvery(n, side int, width, minTile float64) int {
	per := math.Max(float64(side+1), minTile)
	fit := int(width / per)
	if fit < 2 {
		return max(1, n)
	}
	return max(1, int(math.Ceil(float64(n)/float64(fit-1))))
}

// StripStates is the solver states the film strip shows: every every-th
// state and always the last.
func StripStates(n, every int) []int {
	var ks []int
	for k := 0; k < n; k += every {
		ks = append(ks, k)
	}
	return append(ks, n)
}

// Tiles paints n images of side × side (model space x, shown as ink
// p = (x + 1)/2 clipped to [0, 1], white on black) into dst, cols a row,
// with one-pixel gaps; the picture is grown as needed and returned.
// Image hi (if in range) gets its gap lit in accent colour.
func Tiles(dst *image.RGBA, n, cols, side, hi int, img func(i int) []float32) *image.RGBA {
	cols = max(1, min(cols, n))
	rows := (n + cols - 1) / cols
	w, h := cols*(side+1)+1, rows*(side+1)+1
	if dst == nil || dst.Rect.Dx() != w || dst.Rect.Dy() != h {
		dst = image.NewRGBA(image.Rect(0, 0, w, h))
	}
	for i := 0; i < len(dst.Pix); i += 4 {
		dst.Pix[i], dst.Pix[i+1], dst.Pix[i+2], dst.Pix[i+3] = 48, 48, 56, 255
	}
	for i := range n {
		ox, oy := (i%cols)*(side+1)+1, (i/cols)*(side+1)+1
		if i == hi {
			for y := oy - 1; y <= oy+side; y++ {
				for x := ox - 1; x <= ox+side; x++ {
					o := dst.PixOffset(x, y)
					dst.Pix[o], dst.Pix[o+1], dst.Pix[o+2] = 255, 190, 60
				}
			}
		}
		x := img(i)
		for r := range side {
			o := dst.PixOffset(ox, oy+r)
			for c := range side {
				v := (x[r*side+c] + 1) / 2
				g := uint8(min(max(v, 0), 1)*255 + 0.5)
				dst.Pix[o], dst.Pix[o+1], dst.Pix[o+2] = g, g, g
				o += 4
			}
		}
	}
	return dst
}

// ClassColour is the colour of digit k in the PCA view: ten hues around
// OKLCH's circle at one lightness, so none stands out by brightness.
func ClassColour(k int) palette.RGBA {
	return palette.OKLCH(0.74, 0.15, 2*math.Pi*float64(k%10)/10+0.4)
}

// Box is the world rectangle of the PCA plot: the data's and the samples'
// projections with a margin.
func Box(pts ...[]flow.Vec) [4]float64 {
	b := [4]float64{math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)}
	for _, ps := range pts {
		for _, p := range ps {
			if math.IsNaN(p[0]) || math.IsNaN(p[1]) || math.IsInf(p[0], 0) || math.IsInf(p[1], 0) {
				continue
			}
			b[0], b[1] = math.Min(b[0], p[0]), math.Min(b[1], p[1])
			b[2], b[3] = math.Max(b[2], p[0]), math.Max(b[3], p[1])
		}
	}
	if b[0] > b[2] {
		return [4]float64{-1, -1, 1, 1}
	}
	mx, my := 0.06*(b[2]-b[0])+1e-6, 0.06*(b[3]-b[1])+1e-6
	return [4]float64{b[0] - mx, b[1] - my, b[2] + mx, b[3] + my}
}

// Fit maps world box b into r keeping the aspect ratio (y up): screen =
// (ox + s·x, oy − s·y).
func Fit(b [4]float64, r Rect) (s, ox, oy float64) {
	s = math.Min(r.W/(b[2]-b[0]), r.H/(b[3]-b[1]))
	cx, cy := (b[0]+b[2])/2, (b[1]+b[3])/2
	return s, r.X + r.W/2 - s*cx, r.Y + r.H/2 + s*cy
}
