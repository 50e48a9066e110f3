package viz

import (
	"math"
	"time"

	"github.com/hajimehoshi/ebiten/v2"

	"github.com/flowviz/flowviz/viz/input"
	"github.com/flowviz/flowviz/viz/palette"
)

// Presenter ink: how long a finished stroke stays fully drawn, and how long
// it then takes to fade out, when the presenter has not asked it to stay.
const (
	inkHold = 3 * time.Second
	inkFade = 1 * time.Second
	// inkMaxPoints bounds one stroke; a pen held down for minutes keeps
	// only its newest points.
	inkMaxPoints = 4000
	// inkMaxStrokes bounds the strokes kept on screen at once.
	inkMaxStrokes = 64
)

// Ink is the presenter's pen: with it on, the left button draws strokes in
// screen space over everything (figure, lesson text, overlays), as a pen on
// a slide does. Strokes never reach the data or the model: draw mode stays
// the way to change the target. They fade a few seconds after they end, or
// stay until cleared when Keep is set.
type Ink struct {
	On   bool // the pen is active: the left button draws ink
	Keep bool // strokes stay until Clear (Backspace) instead of fading

	strokes []inkStroke
	drawing bool // the newest stroke is being drawn
	batch   Batch
}

// inkStroke is one stroke in screen pixels and when it ended (zero while
// it is being drawn).
type inkStroke struct {
	pts   [][2]float32
	ended time.Time
}

// Toggle switches the pen on or off and says so for the status line.
func (k *Ink) Toggle() string {
	k.On = !k.On
	k.drawing = false
	if k.On {
		return "presenter ink on: draw with the left button · Backspace clears · N ends"
	}
	return "presenter ink off"
}

// Clear removes every stroke.
func (k *Ink) Clear() { k.strokes, k.drawing = k.strokes[:0], false }

// Strokes is the number of strokes on screen.
func (k *Ink) Strokes() int { return len(k.strokes) }

// Update takes one tick of the pointer: with the pen on, a left press
// inside area starts a stroke (unless the panel holds the pointer), moves
// extend it, the release ends it. Faded strokes are dropped. It reports
// whether the pen took the pointer this tick, so that nothing under the
// ink (draw mode, tools, the timeline) acts on it too.
func (k *Ink) Update(in *input.Snapshot, area rect, now time.Time) bool {
	k.expire(now)
	if !k.On {
		return false
	}
	x, y := float32(in.X), float32(in.Y)
	took := false
	switch {
	case in.JustPressed(input.Left) && in.Free() && area.contains(in.X, in.Y):
		if len(k.strokes) >= inkMaxStrokes {
			k.strokes = append(k.strokes[:0], k.strokes[1:]...)
		}
		k.strokes = append(k.strokes, inkStroke{pts: [][2]float32{{x, y}}})
		k.drawing, took = true, true
	case k.drawing && in.Pressed(input.Left):
		s := &k.strokes[len(k.strokes)-1]
		if last := s.pts[len(s.pts)-1]; last != [2]float32{x, y} {
			if len(s.pts) >= inkMaxPoints {
				s.pts = append(s.pts[:0], s.pts[1:]...)
			}
			s.pts = append(s.pts, [2]float32{x, y})
		}
		took = true
	case k.drawing:
		k.strokes[len(k.strokes)-1].ended = now
		k.drawing, took = false, true
	}
	return took
}

// expire drops the strokes that have faded out.
func (k *Ink) expire(now time.Time) {
	if k.Keep {
		return
	}
	out := k.strokes[:0]
	for _, s := range k.strokes {
		if s.ended.IsZero() || now.Sub(s.ended) < inkHold+inkFade {
			out = append(out, s)
		}
	}
	k.strokes = out
}

// alpha is a stroke's opacity at now: 1 while drawn and held, then a
// linear fade to 0 over inkFade.
func (k *Ink) alpha(s inkStroke, now time.Time) float32 {
	if k.Keep || s.ended.IsZero() {
		return 1
	}
	age := now.Sub(s.ended) - inkHold
	if age <= 0 {
		return 1
	}
	return float32(math.Max(0, 1-float64(age)/float64(inkFade)))
}

// inkColour is the pen's colour: a laser-pointer red, bright on the dark
// standard theme and pure on the high-contrast one; a dark halo under it
// keeps it readable over yellow particles and light text.
func inkColour() palette.RGBA {
	if palette.CurrentTheme().Name == palette.HighContrast.Name {
		return palette.RGBA{R: 1, G: 0.16, B: 0.16, A: 1}
	}
	return palette.RGBA{R: 1, G: 0.27, B: 0.30, A: 1}
}

// Draw draws the strokes over everything else, at the UI scale's
// thickness.
func (k *Ink) Draw(dst *ebiten.Image, scale float64, now time.Time) {
	if len(k.strokes) == 0 {
		return
	}
	w := float32(4 * scale)
	halo := w + float32(2*scale)
	b := &k.batch
	b.Begin(dst)
	for _, pass := range []struct {
		width  float32
		colour palette.RGBA
	}{{halo, palette.Background}, {w, inkColour()}} {
		for _, s := range k.strokes {
			a := k.alpha(s, now)
			if a <= 0 {
				continue
			}
			c := pass.colour.WithAlpha(a * pass.colour.A)
			if pass.width == halo {
				c = c.WithAlpha(0.7 * a)
			}
			// Round joins: a square at each point covers the gaps
			// between segments that turn.
			for i, p := range s.pts {
				b.Rect(p[0]-pass.width/2, p[1]-pass.width/2, pass.width, pass.width, c)
				if i > 0 {
					q := s.pts[i-1]
					b.Line(q[0], q[1], p[0], p[1], pass.width, c, c)
				}
			}
		}
	}
	b.Flush()
}
