// Package record renders a scene's particles into paletted images and
// animated GIFs of the flow from t = 0 to 1, without a window or a GPU.
package record

import (
	"context"
	"fmt"
	"image"
	"image/color"
	"image/gif"
	"io"
	"math"

	"github.com/flowviz/flowviz/flow"
	"github.com/flowviz/flowviz/flow/atomicfile"
	"github.com/flowviz/flowviz/viz/palette"
	"github.com/flowviz/flowviz/viz/scene"
)

// Defaults of an animation: 480 px square, 48 frames at 25 frames a second,
// the formed target held for a second before the loop restarts.
const (
	DefaultSize   = 480
	DefaultFrames = 48
	frameDelay    = 4   // 1/100 s
	holdDelay     = 100 // on the last frame
	MaxSize       = 4096
	MaxFrames     = 1000
)

// Colour indices of the fixed palette.
const (
	bg     = 0
	axis   = 1
	cloud  = 2
	first  = 3 // particle colours start here
	hues   = 12
	levels = 2 // inner (darker) and outer (lighter) starting radius
	starts = hues * levels
	// Then each start colour's trail shades, segment j of scene.TrailSegments
	// blended over the background with scene.TrailAlpha(j + ½).
	trailFirst  = first + starts
	paletteSize = trailFirst + starts*scene.TrailSegments
)

// Palette is the palette every frame of a GIF uses, in the app's current
// theme and colour map: background, axes, the faint target cloud, then the
// particles' start colours (hue = angle of x₀ in 12 sectors, lightness =
// inner or outer half of the radius), the same colours the app gives
// particles, then those colours faded for the trails. One palette for every
// frame: no per-frame quantisation. It reads the palette package's globals, so call
// it where the theme changes (the render loop), not beside it.
func Palette() color.Palette {
	p := color.Palette{rgb(palette.Background), rgb(palette.Axis), color.RGBA{0x3a, 0x40, 0x48, 0xff}}
	for h := range hues {
		a := 2 * math.Pi * (float64(h) + 0.5) / hues
		for l := range levels {
			// ρ = r/(r+1) of 0.3 and 0.7: r = ρ/(1−ρ).
			rho := 0.3 + 0.4*float64(l)
			r := rho / (1 - rho)
			p = append(p, rgb(palette.Start(r*math.Cos(a), r*math.Sin(a), 1)))
		}
	}
	for c := range starts {
		start := p[first+c].(color.RGBA)
		for j := range scene.TrailSegments {
			a := (scene.TrailAlpha(j) + scene.TrailAlpha(j+1)) / 2
			p = append(p, over(start, a))
		}
	}
	return p
}

// over blends c with opacity a over the background.
func over(c color.RGBA, a float32) color.RGBA {
	return rgb(palette.RGBA{R: float32(c.R) / 255, G: float32(c.G) / 255, B: float32(c.B) / 255, A: a})
}

func rgb(c palette.RGBA) color.RGBA {
	// The app draws the axis translucent over the background; blend it.
	b := palette.Background
	mix := func(v, under float32) uint8 {
		return uint8(math.Round(float64(255 * (c.A*v + (1-c.A)*under))))
	}
	return color.RGBA{mix(c.R, b.R), mix(c.G, b.G), mix(c.B, b.B), 0xff}
}

// View places the world in the image: Center is drawn in the middle, Zoom
// pixels per world unit, y up.
type View struct {
	CenterX, CenterY, Zoom float64
}

// FitView frames the scene's target cloud and its particles at t = 0 and
// t = 1 (every point, outliers included: an export must not cut the outer
// clusters) with a 10 % margin in a size×size image.
func FitView(sc *scene.Scene, size int) View {
	box, ok := Extent(sc)
	if !ok {
		return View{Zoom: float64(size) / 8}
	}
	span := math.Max(math.Max(box[2]-box[0], box[3]-box[1]), 1e-3)
	return View{CenterX: (box[0] + box[2]) / 2, CenterY: (box[1] + box[3]) / 2, Zoom: float64(size) / (1.2 * span)}
}

// Extent is the box minX, minY, maxX, maxY holding every finite point of
// the scene's target cloud and of its particles at t = 0 and t = 1; ok is
// false when there is none.
func Extent(sc *scene.Scene) (box [4]float64, ok bool) {
	minX, minY, maxX, maxY := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	add := func(pts []flow.Vec) {
		for _, p := range pts {
			if scene.Finite(p) {
				minX, maxX = math.Min(minX, p[0]), math.Max(maxX, p[0])
				minY, maxY = math.Min(minY, p[1]), math.Max(maxY, p[1])
			}
		}
	}
	add(sc.Target)
	if n := len(sc.Traj); n > 0 {
		add(sc.Traj[0])
		add(sc.Traj[n-1])
	}
	if minX > maxX {
		return box, false
	}
	return [4]float64{minX, minY, maxX, maxY}, true
}

// Colours returns each particle's palette index from its start x₀ = Traj[0],
// with the radius measured against the RMS radius as the app does.
func Colours(sc *scene.Scene) []uint8 {
	if len(sc.Traj) == 0 {
		return nil
	}
	start := sc.Traj[0]
	var ss float64
	n := 0
	for _, p := range start {
		if scene.Finite(p) {
			ss += p[0]*p[0] + p[1]*p[1]
			n++
		}
	}
	scale := 1.0
	if n > 0 && ss > 0 {
		scale = math.Sqrt(ss / float64(n))
	}
	idx := make([]uint8, len(start))
	for i, p := range start {
		if !scene.Finite(p) {
			idx[i] = axis
			continue
		}
		a := math.Atan2(p[1], p[0]) // (−π, π]
		h := int(math.Floor((a + 2*math.Pi) / (2 * math.Pi) * hues))
		h = ((h % hues) + hues) % hues
		l := 0
		if r := math.Hypot(p[0], p[1]); r/(r+scale) >= 0.5 {
			l = 1
		}
		idx[i] = uint8(first + h*levels + l)
	}
	return idx
}

// Frame draws the particles at time t over the axes and the faint target
// cloud into dst, which it clears first; with trails, the first particles'
// fading trails (scene.TrailPoints) lie under the particles. scratch is
// scratch space (grown as needed and returned). Particles are 2×2 pixel
// squares; anything outside dst or not finite is skipped.
func Frame(dst *image.Paletted, sc *scene.Scene, t float64, v View, colours []uint8, trails bool, scratch []flow.Vec) []flow.Vec {
	b := dst.Rect
	w, h := b.Dx(), b.Dy()
	// Row by row: dst may be a panel of a wider image (a SubImage shares
	// its Pix and Stride).
	for y := range h {
		clear(dst.Pix[y*dst.Stride : y*dst.Stride+w])
	}
	toPixel := func(p flow.Vec) (int, int) {
		// sx = W/2 + (x − cx)·zoom,  sy = H/2 − (y − cy)·zoom
		return int(math.Floor(float64(w)/2 + (p[0]-v.CenterX)*v.Zoom)), int(math.Floor(float64(h)/2 - (p[1]-v.CenterY)*v.Zoom))
	}
	put := func(x, y int, c uint8) {
		if x >= 0 && y >= 0 && x < w && y < h {
			dst.Pix[y*dst.Stride+x] = c
		}
	}
	ax, ay := toPixel(flow.Vec{0, 0})
	for x := range w {
		put(x, ay, axis)
	}
	for y := range h {
		put(ax, y, axis)
	}
	for _, p := range sc.Target {
		if scene.Finite(p) {
			x, y := toPixel(p)
			put(x, y, cloud)
		}
	}
	if trails {
		scratch = sc.TrailPoints(scratch, t)
		n := sc.Trailed()
		for j := range scene.TrailSegments {
			for i := range n {
				p, q := scratch[j*n+i], scratch[(j+1)*n+i]
				if !drawable(p) || !drawable(q) {
					continue
				}
				c := uint8(first)
				if i < len(colours) && colours[i] >= first {
					c = colours[i]
				}
				shade := uint8(trailFirst + int(c-first)*scene.TrailSegments + j)
				x0, y0 := toPixel(p)
				x1, y1 := toPixel(q)
				line(x0, y0, x1, y1, func(x, y int) { put(x, y, shade) })
			}
		}
	}
	pos := sc.PositionsAt(scratch, t)
	for i, p := range pos {
		if !drawable(p) {
			continue
		}
		c := uint8(first)
		if i < len(colours) {
			c = colours[i]
		}
		x, y := toPixel(p)
		put(x, y, c)
		put(x+1, y, c)
		put(x, y+1, c)
		put(x+1, y+1, c)
	}
	return pos
}

// drawable reports whether p is finite and near enough to map to pixels.
func drawable(p flow.Vec) bool {
	return scene.Finite(p) && math.Abs(p[0]) <= 1e9 && math.Abs(p[1]) <= 1e9
}

// line calls plot for every pixel of the segment (x0, y0)–(x1, y1)
// (Bresenham), at most 4096 of them: a trail that far off the image is
// clipped by plot anyway.
func line(x0, y0, x1, y1 int, plot func(x, y int)) {
	dx, dy := abs(x1-x0), -abs(y1-y0)
	sx, sy := 1, 1
	if x0 > x1 {
		sx = -1
	}
	if y0 > y1 {
		sy = -1
	}
	e := dx + dy
	for range 4096 {
		plot(x0, y0)
		if x0 == x1 && y0 == y1 {
			return
		}
		e2 := 2 * e
		if e2 >= dy {
			e += dy
			x0 += sx
		}
		if e2 <= dx {
			e += dx
			y0 += sy
		}
	}
}

func abs(v int) int {
	if v < 0 {
		return -v
	}
	return v
}

// Options of an animation.
type Options struct {
	Size    int           // pixels a side, 16..MaxSize (0: DefaultSize)
	Frames  int           // 2..MaxFrames (0: DefaultFrames)
	View    View          // Zoom 0: FitView
	Palette color.Palette // nil: Palette() when the recording starts
	Trails  bool          // draw the first particles' fading trails, as the canvas's T layer does
	// Progress, if set, is told after each frame is drawn (done of total).
	Progress func(done, total int)
}

func (o Options) withDefaults(sc *scene.Scene) (Options, error) {
	if o.Size == 0 {
		o.Size = DefaultSize
	}
	if o.Frames == 0 {
		o.Frames = DefaultFrames
	}
	if o.Size < 16 || o.Size > MaxSize {
		return o, fmt.Errorf("record: size %d outside 16..%d", o.Size, MaxSize)
	}
	if o.Frames < 2 || o.Frames > MaxFrames {
		return o, fmt.Errorf("record: %d frames outside 2..%d", o.Frames, MaxFrames)
	}
	if !(o.View.Zoom > 0) || math.IsInf(o.View.Zoom, 0) {
		o.View = FitView(sc, o.Size)
	}
	if len(o.Palette) != paletteSize {
		o.Palette = Palette()
	}
	if !o.Trails {
		// Without the trail shades every frame encodes with 5-bit codes.
		o.Palette = o.Palette[:trailFirst]
	}
	return o, nil
}

// Animate renders frames at t_i = i/(F−1), i = 0..F−1: the particles
// flowing from the source to the target. It stops with ctx's error when ctx
// is cancelled.
func Animate(ctx context.Context, sc *scene.Scene, opt Options) (*gif.GIF, error) {
	return AnimatePanes(ctx, []*scene.Scene{sc}, opt)
}

// PaneGap is the width in pixels of the divider between the panels of
// AnimatePanes: an axis-coloured line with background either side.
const PaneGap = 6

// AnimatePanes renders the scenes side by side on one clock, each in a
// Size×Size panel through the same view, with a divider between: compare
// mode's panes, frame for frame. The view, when not given, fits the first
// scene. It stops with ctx's error when ctx is cancelled.
func AnimatePanes(ctx context.Context, scs []*scene.Scene, opt Options) (*gif.GIF, error) {
	r, err := NewRecording(scs, opt)
	if err != nil {
		return nil, err
	}
	anim := &gif.GIF{LoopCount: 0}
	for i := range r.opt.Frames {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		img := r.frame(i)
		if r.opt.Progress != nil {
			r.opt.Progress(i+1, r.opt.Frames)
		}
		anim.Image = append(anim.Image, img)
		anim.Delay = append(anim.Delay, r.delay(i))
	}
	return anim, nil
}

// WriteGIF renders and encodes the animation.
func WriteGIF(ctx context.Context, w io.Writer, sc *scene.Scene, opt Options) error {
	anim, err := Animate(ctx, sc, opt)
	if err != nil {
		return err
	}
	return gif.EncodeAll(w, anim)
}

// SaveGIF writes the animation to path atomically: a cancelled or failed
// recording leaves whatever was at path untouched.
func SaveGIF(ctx context.Context, path string, sc *scene.Scene, opt Options) error {
	return SavePanesGIF(ctx, path, []*scene.Scene{sc}, opt)
}

// SavePanesGIF writes AnimatePanes's animation to path atomically.
func SavePanesGIF(ctx context.Context, path string, scs []*scene.Scene, opt Options) error {
	anim, err := AnimatePanes(ctx, scs, opt)
	if err != nil {
		return err
	}
	return atomicfile.Write(path, func(w io.Writer) error { return gif.EncodeAll(w, anim) })
}
