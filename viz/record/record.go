// Package record renders a scene's particles into paletted images and
// animated GIFs of the flow from t = 0 to 1, without a window or a GPU.
package record

import (
	"errors"
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
)

// Palette is the palette every frame of a GIF uses, in the app's current
// theme and colour map: background, axes, the faint target cloud, then the
// particles' start colours (hue = angle of x₀ in 12 sectors, lightness =
// inner or outer half of the radius), the same colours the app gives
// particles. 27 colours: every frame encodes with 5-bit codes and no
// per-frame quantisation. It reads the palette package's globals, so call
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
	return p
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

// FitView frames the scene's target cloud and final particles with a 10 %
// margin in a size×size image.
func FitView(sc *scene.Scene, size int) View {
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
		return View{Zoom: float64(size) / 8}
	}
	span := math.Max(math.Max(maxX-minX, maxY-minY), 1e-3)
	return View{CenterX: (minX + maxX) / 2, CenterY: (minY + maxY) / 2, Zoom: float64(size) / (1.2 * span)}
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
// cloud into dst, which it clears first. pos is scratch space (grown as
// needed and returned). Particles are 2×2 pixel squares; anything outside
// dst or not finite is skipped.
func Frame(dst *image.Paletted, sc *scene.Scene, t float64, v View, colours []uint8, pos []flow.Vec) []flow.Vec {
	clear(dst.Pix)
	b := dst.Rect
	w, h := b.Dx(), b.Dy()
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
	pos = sc.PositionsAt(pos, t)
	for i, p := range pos {
		if !scene.Finite(p) || math.Abs(p[0]) > 1e9 || math.Abs(p[1]) > 1e9 {
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

// Options of an animation.
type Options struct {
	Size    int           // pixels a side, 16..MaxSize (0: DefaultSize)
	Frames  int           // 2..MaxFrames (0: DefaultFrames)
	View    View          // Zoom 0: FitView
	Palette color.Palette // nil: Palette() when the recording starts
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
	if len(o.Palette) != first+hues*levels {
		o.Palette = Palette()
	}
	return o, nil
}

// Animate renders frames at t_i = i/(F−1), i = 0..F−1: the particles
// flowing from the source to the target.
func Animate(sc *scene.Scene, opt Options) (*gif.GIF, error) {
	if sc == nil || sc.Particles() == 0 {
		return nil, errors.New("record: no particles to animate yet")
	}
	opt, err := opt.withDefaults(sc)
	if err != nil {
		return nil, err
	}
	colours := Colours(sc)
	anim := &gif.GIF{LoopCount: 0}
	var pos []flow.Vec
	r := image.Rect(0, 0, opt.Size, opt.Size)
	for i := range opt.Frames {
		img := image.NewPaletted(r, opt.Palette)
		t := float64(i) / float64(opt.Frames-1)
		pos = Frame(img, sc, t, opt.View, colours, pos)
		delay := frameDelay
		if i == opt.Frames-1 {
			delay = holdDelay
		}
		anim.Image = append(anim.Image, img)
		anim.Delay = append(anim.Delay, delay)
	}
	return anim, nil
}

// WriteGIF renders and encodes the animation.
func WriteGIF(w io.Writer, sc *scene.Scene, opt Options) error {
	anim, err := Animate(sc, opt)
	if err != nil {
		return err
	}
	return gif.EncodeAll(w, anim)
}

// SaveGIF writes the animation to path atomically.
func SaveGIF(path string, sc *scene.Scene, opt Options) error {
	anim, err := Animate(sc, opt)
	if err != nil {
		return err
	}
	return atomicfile.Write(path, func(w io.Writer) error { return gif.EncodeAll(w, anim) })
}
