package viz

import (
	"math"

	"github.com/hajimehoshi/ebiten/v2"

	"github.com/flowviz/flowviz/viz/palette"
)

// maxVertices keeps indices inside uint16: 16,383 quads of 4 vertices.
const maxVertices = 65532

// whitePixel is the 1×1 source of every batched triangle: the vertex colours
// do all the colouring, so one DrawTriangles call draws thousands of shapes.
var whitePixel = func() *ebiten.Image {
	img := ebiten.NewImage(3, 3)
	img.Fill(whiteColour{})
	return img.SubImage(imageRect(1, 1, 2, 2)).(*ebiten.Image)
}()

// Batch collects coloured triangles and draws them with as few DrawTriangles
// calls as uint16 indices allow. Its slices are reused from frame to frame,
// so a steady state allocates nothing.
type Batch struct {
	dst      *ebiten.Image
	vertices []ebiten.Vertex
	indices  []uint16
	opts     ebiten.DrawTrianglesOptions
	Calls    int // DrawTriangles calls since Begin, for the stats overlay
	Shapes   int // shapes since Begin
	// OX, OY are subtracted from every coordinate: the screen position of
	// the destination's top-left corner when it is an offscreen layer.
	OX, OY float32
}

// Begin starts a batch onto dst.
func (b *Batch) Begin(dst *ebiten.Image) {
	b.dst = dst
	b.vertices = b.vertices[:0]
	b.indices = b.indices[:0]
	b.Calls, b.Shapes = 0, 0
}

// Flush draws what has been collected.
func (b *Batch) Flush() {
	if len(b.indices) > 0 && b.dst != nil {
		b.dst.DrawTriangles(b.vertices, b.indices, whitePixel, &b.opts)
		b.Calls++
	}
	b.vertices = b.vertices[:0]
	b.indices = b.indices[:0]
}

// room flushes if n more vertices would overflow the indices.
func (b *Batch) room(n int) uint16 {
	if len(b.vertices)+n > maxVertices {
		b.Flush()
	}
	b.Shapes++
	return uint16(len(b.vertices))
}

func (b *Batch) vertex(x, y float32, c palette.RGBA) ebiten.Vertex {
	return ebiten.Vertex{DstX: x - b.OX, DstY: y - b.OY, SrcX: 1, SrcY: 1, ColorR: c.R, ColorG: c.G, ColorB: c.B, ColorA: c.A}
}

// Rect fills the axis-aligned rectangle (x, y, w, h).
func (b *Batch) Rect(x, y, w, h float32, c palette.RGBA) {
	i := b.room(4)
	b.vertices = append(b.vertices,
		b.vertex(x, y, c), b.vertex(x+w, y, c), b.vertex(x+w, y+h, c), b.vertex(x, y+h, c))
	b.indices = append(b.indices, i, i+1, i+2, i, i+2, i+3)
}

// Quad fills the quadrilateral with corners in order, each with its colour.
func (b *Batch) Quad(x0, y0, x1, y1, x2, y2, x3, y3 float32, c0, c1, c2, c3 palette.RGBA) {
	i := b.room(4)
	b.vertices = append(b.vertices,
		b.vertex(x0, y0, c0), b.vertex(x1, y1, c1), b.vertex(x2, y2, c2), b.vertex(x3, y3, c3))
	b.indices = append(b.indices, i, i+1, i+2, i, i+2, i+3)
}

// Triangle fills a triangle.
func (b *Batch) Triangle(x0, y0, x1, y1, x2, y2 float32, c palette.RGBA) {
	i := b.room(3)
	b.vertices = append(b.vertices, b.vertex(x0, y0, c), b.vertex(x1, y1, c), b.vertex(x2, y2, c))
	b.indices = append(b.indices, i, i+1, i+2)
}

// Line draws a segment of the given width as a quad, with colours c0 at
// (x0, y0) and c1 at (x1, y1) (a trail fades along itself this way).
func (b *Batch) Line(x0, y0, x1, y1, width float32, c0, c1 palette.RGBA) {
	dx, dy := x1-x0, y1-y0
	l := float32(math.Sqrt(float64(dx*dx + dy*dy)))
	if !(l > 1e-6) {
		return
	}
	// Normal of half the width: n = (−dy, dx)·w/(2l).
	nx, ny := -dy/l*width/2, dx/l*width/2
	b.Quad(x0+nx, y0+ny, x1+nx, y1+ny, x1-nx, y1-ny, x0-nx, y0-ny, c0, c1, c1, c0)
}

// Arrow draws a shaft from (x, y) along (dx, dy) with a triangular head of
// length head, the head's tip at (x+dx, y+dy).
func (b *Batch) Arrow(x, y, dx, dy, width, head float32, c palette.RGBA) {
	l := float32(math.Sqrt(float64(dx*dx + dy*dy)))
	if !(l > 1e-3) {
		// A zero velocity still shows as a dot, so the grid stays readable.
		b.Rect(x-width, y-width, 2*width, 2*width, c)
		return
	}
	ux, uy := dx/l, dy/l
	head = min(head, l*0.6)
	bx, by := x+dx-ux*head, y+dy-uy*head // base of the head
	b.Line(x, y, bx, by, width, c, c)
	hw := head * 0.55
	b.Triangle(x+dx, y+dy, bx-uy*hw, by+ux*hw, bx+uy*hw, by-ux*hw, c)
}

// Ring strokes a circle of radius r around (x, y) as segs straight pieces.
func (b *Batch) Ring(x, y, r, width float32, segs int, c palette.RGBA) {
	for i := range segs {
		a0, a1 := 2*math.Pi*float64(i)/float64(segs), 2*math.Pi*float64(i+1)/float64(segs)
		b.Line(x+r*float32(math.Cos(a0)), y+r*float32(math.Sin(a0)), x+r*float32(math.Cos(a1)), y+r*float32(math.Sin(a1)), width, c, c)
	}
}

// Frame strokes the outline of a rectangle.
func (b *Batch) Frame(x, y, w, h, width float32, c palette.RGBA) {
	b.Rect(x, y, w, width, c)
	b.Rect(x, y+h-width, w, width, c)
	b.Rect(x, y+width, width, h-2*width, c)
	b.Rect(x+w-width, y+width, width, h-2*width, c)
}
