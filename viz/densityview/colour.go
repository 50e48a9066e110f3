package densityview

import (
	"fmt"
	"math"

	"github.com/flowviz/flowviz/flow/density"
	"github.com/flowviz/flowviz/viz/palette"
)

// Span is how many nats below its peak a log-density layer shows: the
// colour runs from black at peak − Span to pale yellow at the peak, so
// every region holding a visible share of the mass is lit.
const Span = 10.0

// Scale is how a layer's values map to colours, for the legend.
type Scale struct {
	Lo, Hi float64 // the values at the two ends of the bar
	Signed bool    // blue–white–red about 0 instead of inferno
}

// ScaleOf returns the colour scale of values shown as m: a log-density from
// its peak − Span to its peak; a signed layer symmetric about 0 out to the
// 99th percentile of |value|, so a few extreme cells cannot wash it out.
func ScaleOf(m Mode, values []float64) Scale {
	if m.signed() {
		a := max(density.AbsQuantile(values, 0.99), 1e-9)
		return Scale{Lo: -a, Hi: a, Signed: true}
	}
	_, hi := density.FiniteRange(values)
	if math.IsInf(hi, 0) {
		hi = 0
	}
	return Scale{Lo: hi - Span, Hi: hi}
}

// U maps a value to its place u ∈ [0, 1] on the bar (clamped; NaN stays NaN).
func (s Scale) U(v float64) float64 {
	if math.IsNaN(v) {
		return v
	}
	return min(1, max(0, (v-s.Lo)/(s.Hi-s.Lo)))
}

// Colour is the straight-alpha colour of value v. A log-density is
// opaque enough to hide the grid; its low end is inferno's black, the
// background's colour. A signed value fades to transparent at 0, so red
// and blue stand on the dark canvas where the value is large and the
// particles stay visible everywhere.
func (s Scale) Colour(v float64) palette.RGBA {
	u := s.U(v)
	if !s.Signed {
		if math.IsNaN(u) {
			return palette.NoValue.WithAlpha(0.5)
		}
		return palette.Inferno(u).WithAlpha(0.92)
	}
	if math.IsNaN(u) {
		return palette.NoValue.WithAlpha(0.5)
	}
	// The map's saturated ends only: its pale middle, half transparent,
	// would veil the whole dark canvas in pink and grey.
	c := palette.Diverging(1)
	if u < 0.5 {
		c = palette.Diverging(0)
	}
	return c.WithAlpha(float32(0.92 * math.Pow(min(1, 2*math.Abs(u-0.5)), 0.7)))
}

// Paint writes the layer's cells as premultiplied RGBA bytes, row by row
// in the grid's (image) order, into dst (grown if needed) and returns it
// and the scale used: what ebiten's WritePixels takes.
func Paint(dst []byte, m Mode, values []float64) ([]byte, Scale) {
	s := ScaleOf(m, values)
	n := 4 * len(values)
	if cap(dst) < n {
		dst = make([]byte, n)
	}
	dst = dst[:n]
	for i, v := range values {
		c := s.Colour(v)
		r, g, b, a := c.Bytes()
		// premultiplied: channel · alpha
		dst[4*i] = uint8((uint32(r)*uint32(a) + 127) / 255)
		dst[4*i+1] = uint8((uint32(g)*uint32(a) + 127) / 255)
		dst[4*i+2] = uint8((uint32(b)*uint32(a) + 127) / 255)
		dst[4*i+3] = a
	}
	return dst, s
}

// Unit names the values of mode m for the legend.
func Unit(m Mode) string {
	switch m {
	case Divergence:
		return "div v  (per unit of t)"
	case Difference:
		return "log p_learned − log p_exact  (nats)"
	}
	return "log p_t(x)  (nats)"
}

// Ends labels the two ends of the legend's bar.
func (s Scale) Ends(m Mode) (lo, hi string) {
	switch m {
	case Divergence:
		return fmt.Sprintf("%.2g compressing", s.Lo), fmt.Sprintf("spreading +%.2g", s.Hi)
	case Difference:
		return fmt.Sprintf("%.2g too little", s.Lo), fmt.Sprintf("too much +%.2g", s.Hi)
	}
	return fmt.Sprintf("%.1f", s.Lo), fmt.Sprintf("%.1f", s.Hi)
}

// Caption is the line under the legend's bar.
func Caption(m Mode) string {
	switch m {
	case Divergence:
		return "mass piles up where the flow converges (blue, div v < 0)"
	case Difference:
		return "red: the model puts more mass there than the path does"
	case Exact:
		return "the path's own p_t, in closed form"
	case Learned:
		return "the model's density: log p_0(x_0) − ∫ div v dt"
	}
	return ""
}
