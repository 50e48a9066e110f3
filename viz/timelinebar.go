package viz

import (
	"fmt"
	"math"

	"github.com/hajimehoshi/ebiten/v2"

	"github.com/flowviz/flowviz/viz/palette"
	"github.com/flowviz/flowviz/viz/timeline"
)

// rect is a screen rectangle in pixels.
type rect struct{ X, Y, W, H float64 }

func (r rect) contains(x, y float64) bool { return x >= r.X && x < r.X+r.W && y >= r.Y && y < r.Y+r.H }

// TimelineBar is the bar under the canvas: transport buttons, the scrubber
// with a tick per solver state, and the "step k of N" readout.
type TimelineBar struct {
	Area  rect
	Scale float64

	buttons   [5]rect // start, back, play, forward, end
	track     rect    // the scrubber's clickable band
	speedBtn  rect
	modeBtn   rect
	labelY    float64 // top of the "step k of N" readout
	hover     int     // index of the hovered control, −1 for none
	scrubbing bool
	batch     Batch
}

// Control indices, hovered or clicked.
const (
	ctlStart = iota
	ctlBack
	ctlPlay
	ctlForward
	ctlEnd
	ctlSpeed
	ctlMode
	ctlTrack
)

// layout places the controls inside Area. In a narrow bar the buttons
// shrink and the speed and mode buttons go (their keys still work), so the
// scrubber always keeps room.
func (tb *TimelineBar) layout() {
	s := tb.Scale
	a := tb.Area
	gap := 6 * s
	extras := a.W >= 640*s
	extrasW := 0.0
	if extras {
		extrasW = (72+84)*s + 2*gap
	}
	avail := a.W - 24*s - extrasW - 80*s // 80 px of scrubber at least
	size := math.Max(12, math.Min(math.Min(34*s, a.H*0.5), avail/5-gap))
	y := a.Y + math.Min(8*s, a.H*0.1)
	x := a.X + 12*s
	for i := range tb.buttons {
		tb.buttons[i] = rect{x, y, size, size}
		x += size + gap
	}
	right := a.X + a.W - 12*s
	tb.modeBtn, tb.speedBtn = rect{}, rect{}
	trackEnd := right
	if extras {
		tb.modeBtn = rect{right - 84*s, y, 84 * s, size}
		tb.speedBtn = rect{tb.modeBtn.X - gap - 72*s, y, 72 * s, size}
		trackEnd = tb.speedBtn.X - 6*s
	}
	trackX := x + 4*s
	tb.track = rect{trackX, y, math.Max(10, trackEnd-trackX), size}
	tb.labelY = y + size + math.Min(6*s, a.H*0.05)
}

// controls names the bar's clickable rectangles as [x, y, w, h] for the
// state file; hidden ones are left out.
func (tb *TimelineBar) controls() map[string][4]float64 {
	tb.layout()
	out := map[string][4]float64{}
	add := func(name string, r rect) {
		if r.W > 0 && r.H > 0 {
			out[name] = [4]float64{r.X, r.Y, r.W, r.H}
		}
	}
	for i, name := range []string{"start", "back", "play", "forward", "end"} {
		add(name, tb.buttons[i])
	}
	add("scrubber", tb.track)
	add("speed", tb.speedBtn)
	add("mode", tb.modeBtn)
	return out
}

// hit returns the control under (x, y), or −1.
func (tb *TimelineBar) hit(x, y float64) int {
	for i, r := range tb.buttons {
		if r.contains(x, y) {
			return i
		}
	}
	switch {
	case tb.speedBtn.contains(x, y):
		return ctlSpeed
	case tb.modeBtn.contains(x, y):
		return ctlMode
	case tb.track.contains(x, y):
		return ctlTrack
	}
	return -1
}

// trackT converts a pointer x to t on the scrubber.
func (tb *TimelineBar) trackT(x float64) float64 {
	pad := 10 * tb.Scale
	return (x - tb.track.X - pad) / (tb.track.W - 2*pad)
}

// Update handles the pointer: clicks on buttons and dragging the scrubber.
// It reports whether the bar used the pointer this tick.
func (tb *TimelineBar) Update(tl *timeline.Timeline, mx, my float64, pressed, justPressed, justReleased bool) bool {
	tb.layout()
	tb.hover = tb.hit(mx, my)
	if tb.scrubbing {
		if pressed {
			tl.Scrub(tb.trackT(mx))
		}
		if justReleased || !pressed {
			tb.scrubbing = false
		}
		return true
	}
	if !justPressed || !tb.Area.contains(mx, my) {
		return tb.Area.contains(mx, my)
	}
	switch tb.hover {
	case ctlStart:
		tl.Start()
	case ctlBack:
		tl.StepBack()
	case ctlPlay:
		tl.Toggle()
	case ctlForward:
		tl.StepForward()
	case ctlEnd:
		tl.End()
	case ctlSpeed:
		if tl.Speed >= timeline.Speeds[len(timeline.Speeds)-1] {
			tl.Speed = timeline.Speeds[0]
		} else {
			tl.Faster()
		}
	case ctlMode:
		tl.CycleMode()
	case ctlTrack:
		tb.scrubbing = true
		tl.Scrub(tb.trackT(mx))
	}
	return true
}

// Draw draws the bar.
func (tb *TimelineBar) Draw(dst *ebiten.Image, tl *timeline.Timeline, formula string, fonts Fonts) {
	tb.layout()
	s := float32(tb.Scale)
	a := tb.Area
	b := &tb.batch
	b.Begin(dst)
	b.Rect(float32(a.X), float32(a.Y), float32(a.W), float32(a.H), palette.PanelBG)
	b.Rect(float32(a.X), float32(a.Y), float32(a.W), s, palette.GridMajor)

	for i, r := range tb.buttons {
		bg := palette.RGBA{R: 1, G: 1, B: 1, A: 0.06}
		if tb.hover == i {
			bg.A = 0.16
		}
		b.Rect(float32(r.X), float32(r.Y), float32(r.W), float32(r.H), bg)
		tb.icon(b, i, r, tl.Playing)
	}
	for _, c := range []struct {
		r   rect
		idx int
	}{{tb.speedBtn, ctlSpeed}, {tb.modeBtn, ctlMode}} {
		bg := palette.RGBA{R: 1, G: 1, B: 1, A: 0.06}
		if tb.hover == c.idx {
			bg.A = 0.16
		}
		b.Rect(float32(c.r.X), float32(c.r.Y), float32(c.r.W), float32(c.r.H), bg)
	}

	// The scrubber: a track, a tick at every solver state t_k = k/N (when
	// they are at least 3 px apart), the played part in the accent colour and
	// a handle at t.
	tr := tb.track
	pad := 10 * tb.Scale
	x0, x1 := tr.X+pad, tr.X+tr.W-pad
	cy := tr.Y + tr.H/2
	b.Rect(float32(x0), float32(cy)-2*s, float32(x1-x0), 4*s, palette.RGBA{R: 1, G: 1, B: 1, A: 0.18})
	hx := x0 + (x1-x0)*tl.T
	b.Rect(float32(x0), float32(cy)-2*s, float32(hx-x0), 4*s, palette.Accent.WithAlpha(0.85))
	if n := tl.N; (x1-x0)/float64(n) >= 3*tb.Scale {
		for k := 0; k <= n; k++ {
			x := x0 + (x1-x0)*float64(k)/float64(n)
			h := 6 * s
			if k == 0 || k == n || (n >= 10 && k%(n/10) == 0) { // a longer tick every tenth
				h = 10 * s
			}
			b.Rect(float32(x)-0.5*s, float32(cy)+4*s, s, h, palette.RGBA{R: 1, G: 1, B: 1, A: 0.35})
		}
	}
	hr := 8 * s
	if tb.hover == ctlTrack || tb.scrubbing {
		hr = 10 * s
	}
	diamond(b, float32(hx), float32(cy), hr, palette.Accent)
	b.Flush()

	if tb.speedBtn.W > 0 {
		drawText(dst, fmt.Sprintf("%g×", tl.Speed), fonts.Body, tb.speedBtn.X+tb.speedBtn.W/2, tb.speedBtn.Y+tb.speedBtn.H/2, Center, palette.Label)
		drawText(dst, tl.Mode.String(), fonts.Body, tb.modeBtn.X+tb.modeBtn.W/2, tb.modeBtn.Y+tb.modeBtn.H/2, Center, palette.Label)
	}
	// The readout needs its full line; a bar too short for it shows none.
	face := fonts.Large
	if a.Y+a.H-tb.labelY < face.Size*1.1 || textWidth(tl.Label(), face) > a.W-24*tb.Scale {
		face = fonts.Small
		if a.Y+a.H-tb.labelY < face.Size*1.1 {
			return
		}
	}
	drawText(dst, tl.Label(), face, tb.buttons[0].X, tb.labelY, TopLeft, palette.Label)
	// The update rule goes right of the readout when there is room for both.
	if textWidth(tl.Label(), face)+textWidth(formula, fonts.Body)+60*tb.Scale < a.W {
		drawText(dst, formula, fonts.Body, a.X+a.W-12*tb.Scale, tb.labelY+3*tb.Scale, TopRight, palette.Dim)
	}
}

// diamond fills a square rotated by 45° centred on (x, y).
func diamond(b *Batch, x, y, r float32, c palette.RGBA) {
	b.Quad(x, y-r, x+r, y, x, y+r, x-r, y, c, c, c, c)
}

// icon draws the transport glyphs with triangles so they look the same at
// any scale and need no font coverage.
func (tb *TimelineBar) icon(b *Batch, i int, r rect, playing bool) {
	c := palette.Label
	cx, cy := float32(r.X+r.W/2), float32(r.Y+r.H/2)
	s := float32(r.H / 34) // glyphs scale with the button
	h := 8 * s             // half height of a glyph
	bar := func(x float32) { b.Rect(x, cy-h, 3*s, 2*h, c) }
	right := func(x float32) { b.Triangle(x, cy-h, x+1.4*h, cy, x, cy+h, c) }
	left := func(x float32) { b.Triangle(x, cy-h, x-1.4*h, cy, x, cy+h, c) }
	switch i {
	case ctlStart:
		bar(cx - 8*s)
		left(cx + 8*s)
	case ctlBack:
		left(cx + 2*s)
		bar(cx + 4*s)
	case ctlPlay:
		if playing {
			b.Rect(cx-6*s, cy-h, 4*s, 2*h, c)
			b.Rect(cx+2*s, cy-h, 4*s, 2*h, c)
		} else {
			right(cx - 5*s)
		}
	case ctlForward:
		bar(cx - 7*s)
		right(cx - 2*s)
	case ctlEnd:
		right(cx - 8*s)
		bar(cx + 5*s)
	}
}
