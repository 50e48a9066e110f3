// Package palette holds the colours of the visualizer: a perceptually uniform
// speed map, colours that identify a particle by where it started, and the theme.
package palette

import "math"

// RGBA is a straight-alpha colour with channels in [0, 1], the form ebiten's
// vertex colours take.
type RGBA struct{ R, G, B, A float32 }

// WithAlpha returns c with its alpha replaced.
func (c RGBA) WithAlpha(a float32) RGBA { c.A = a; return c }

// Theme colours. A near-black background with light, low-contrast lines reads
// well on projectors; the clouds are faint so they never hide the particles.
var (
	Background = RGBA{0.067, 0.078, 0.094, 1}
	GridMinor  = RGBA{1, 1, 1, 0.05}
	GridMajor  = RGBA{1, 1, 1, 0.13}
	Axis       = RGBA{1, 1, 1, 0.35}
	Label      = RGBA{0.80, 0.83, 0.87, 1}
	Dim        = RGBA{0.55, 0.58, 0.63, 1}
	Accent     = RGBA{0.98, 0.76, 0.26, 1}
	PanelBG    = RGBA{0.10, 0.115, 0.135, 0.94}
	Source     = RGBA{0.55, 0.66, 0.80, 0.30} // blue-grey
	Target     = RGBA{0.99, 0.62, 0.30, 0.30} // warm amber
	Error      = RGBA{1.00, 0.42, 0.38, 1}
)

// viridisTable samples matplotlib's viridis map at u = 0, 1/8, ..., 1. Linear
// interpolation between these nine anchors stays within a few 1/255 of the
// full 256-entry map, which is plenty for arrows.
var viridisTable = [...][3]float32{
	{68, 1, 84}, {71, 45, 123}, {59, 82, 139}, {44, 114, 142}, {33, 145, 140},
	{40, 174, 128}, {94, 201, 98}, {173, 220, 48}, {253, 231, 37},
}

// Viridis returns the viridis colour at u ∈ [0, 1] (clamped; NaN maps to 0).
// Viridis is perceptually uniform and readable with the common forms of colour
// blindness.
func Viridis(u float64) RGBA {
	if !(u > 0) { // also catches NaN
		u = 0
	}
	if u > 1 {
		u = 1
	}
	x := u * float64(len(viridisTable)-1)
	i := int(x)
	if i >= len(viridisTable)-1 {
		i = len(viridisTable) - 2
	}
	f := float32(x - float64(i))
	a, b := viridisTable[i], viridisTable[i+1]
	return RGBA{
		(a[0] + f*(b[0]-a[0])) / 255,
		(a[1] + f*(b[1]-a[1])) / 255,
		(a[2] + f*(b[2]-a[2])) / 255,
		1,
	}
}

// SpeedFloor is where the speed map starts on viridis: its darkest purple
// vanishes on the dark background, so speed 0 is drawn at Viridis(SpeedFloor).
const SpeedFloor = 0.18

// Speed maps a speed in [0, max] to its arrow colour:
// Viridis(SpeedFloor + (1 − SpeedFloor)·speed/max).
func Speed(speed, max float64) RGBA {
	u := 0.0
	if max > 0 {
		u = speed / max
	}
	if !(u > 0) {
		u = 0
	}
	if u > 1 {
		u = 1
	}
	return Viridis(SpeedFloor + (1-SpeedFloor)*u)
}

// Start colours a particle by its starting point x0 so that the mapping from
// source to target stays visible: the hue follows the angle of x0 around the
// origin and the lightness its radius relative to scale (inner points darker,
// outer ones lighter). It works in OKLCH, where equal steps look equal.
func Start(x, y, scale float64) RGBA {
	r := math.Hypot(x, y)
	if scale <= 0 || math.IsNaN(r) || math.IsInf(r, 0) {
		return RGBA{0.8, 0.8, 0.8, 1}
	}
	// ρ = r/(r+scale) ∈ [0, 1): a gentle saturation of the radius.
	rho := r / (r + scale)
	lightness := 0.60 + 0.30*rho
	chroma := 0.06 + 0.12*math.Min(1, 2*rho) // the centre is close to grey
	hue := math.Atan2(y, x)
	return OKLCH(lightness, chroma, hue)
}

// OKLCH converts Björn Ottosson's OKLCH (L ∈ [0,1], chroma, hue in radians) to
// sRGB, reducing chroma until the colour is inside the sRGB gamut.
func OKLCH(l, c, h float64) RGBA {
	for range 8 {
		r, g, b := oklabToLinearSRGB(l, c*math.Cos(h), c*math.Sin(h))
		if inGamut(r) && inGamut(g) && inGamut(b) {
			return RGBA{encodeSRGB(r), encodeSRGB(g), encodeSRGB(b), 1}
		}
		c *= 0.8
	}
	r, g, b := oklabToLinearSRGB(l, 0, 0)
	return RGBA{encodeSRGB(r), encodeSRGB(g), encodeSRGB(b), 1}
}

func inGamut(v float64) bool { return v >= -1e-4 && v <= 1+1e-4 }

// oklabToLinearSRGB is the inverse OKLab transform: LMS' = M2⁻¹·Lab,
// LMS = LMS'³, RGB = M1⁻¹·LMS.
func oklabToLinearSRGB(L, a, b float64) (r, g, bl float64) {
	l := L + 0.3963377774*a + 0.2158037573*b
	m := L - 0.1055613458*a - 0.0638541728*b
	s := L - 0.0894841775*a - 1.2914855480*b
	l, m, s = l*l*l, m*m*m, s*s*s
	r = 4.0767416621*l - 3.3077115913*m + 0.2309699292*s
	g = -1.2684380046*l + 2.6097574011*m - 0.3413193965*s
	bl = -0.0041960863*l - 0.7034186147*m + 1.7076147010*s
	return r, g, bl
}

// encodeSRGB applies the sRGB transfer curve: 12.92·v below 0.0031308, else
// 1.055·v^(1/2.4) − 0.055.
func encodeSRGB(v float64) float32 {
	v = math.Max(0, math.Min(1, v))
	if v <= 0.0031308 {
		return float32(12.92 * v)
	}
	return float32(1.055*math.Pow(v, 1/2.4) - 0.055)
}
