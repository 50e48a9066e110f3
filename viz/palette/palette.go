// Package palette holds the colours of the visualizer: a perceptually uniform
// speed map, colours that identify a particle by where it started, and the theme.
package palette

import "math"

// RGBA is a straight-alpha colour with channels in [0, 1], the form ebiten's
// vertex colours take.
type RGBA struct{ R, G, B, A float32 }

// WithAlpha returns c with its alpha replaced.
func (c RGBA) WithAlpha(a float32) RGBA { c.A = a; return c }

// Theme colours, set by SetTheme. The drawing code reads these variables
// everywhere, so a theme switch takes effect on the next frame.
var (
	Background = Standard.Background
	GridMinor  = Standard.GridMinor
	GridMajor  = Standard.GridMajor
	Axis       = Standard.Axis
	Label      = Standard.Label
	Dim        = Standard.Dim
	Accent     = Standard.Accent
	PanelBG    = Standard.PanelBG
	Source     = Standard.Source
	Target     = Standard.Target
	Error      = Standard.Error
	LineWidth  = Standard.LineWidth

	theme = Standard
)

// Theme is a set of theme colours plus a factor on arrow widths.
type Theme struct {
	Name                                       string
	Background, GridMinor, GridMajor, Axis     RGBA
	Label, Dim, Accent, PanelBG, Source, Error RGBA
	Target                                     RGBA
	LineWidth                                  float64 // factor on arrow widths
}

// Standard is the default theme: a near-black background with light,
// low-contrast lines reads well on most projectors; the clouds are faint so
// they never hide the particles.
var Standard = Theme{
	Name:       "standard",
	Background: RGBA{0.067, 0.078, 0.094, 1},
	GridMinor:  RGBA{1, 1, 1, 0.05},
	GridMajor:  RGBA{1, 1, 1, 0.13},
	Axis:       RGBA{1, 1, 1, 0.35},
	Label:      RGBA{0.80, 0.83, 0.87, 1},
	Dim:        RGBA{0.55, 0.58, 0.63, 1},
	Accent:     RGBA{0.98, 0.76, 0.26, 1},
	PanelBG:    RGBA{0.10, 0.115, 0.135, 0.94},
	Source:     RGBA{0.55, 0.66, 0.80, 0.30}, // blue-grey
	Target:     RGBA{0.99, 0.62, 0.30, 0.30}, // warm amber
	Error:      RGBA{1.00, 0.42, 0.38, 1},
	LineWidth:  1,
}

// HighContrast is for washed-out projectors and bright rooms: pure black,
// white text, grid and axes that survive a projector's low contrast, clouds
// twice as opaque and thicker arrows.
var HighContrast = Theme{
	Name:       "contrast",
	Background: RGBA{0, 0, 0, 1},
	GridMinor:  RGBA{1, 1, 1, 0.14},
	GridMajor:  RGBA{1, 1, 1, 0.32},
	Axis:       RGBA{1, 1, 1, 0.80},
	Label:      RGBA{1, 1, 1, 1},
	Dim:        RGBA{0.85, 0.85, 0.85, 1},
	Accent:     RGBA{1, 0.85, 0.20, 1},
	PanelBG:    RGBA{0, 0, 0, 0.96},
	Source:     RGBA{0.60, 0.78, 1.00, 0.62},
	Target:     RGBA{1.00, 0.66, 0.25, 0.62},
	Error:      RGBA{1.00, 0.50, 0.45, 1},
	LineWidth:  1.5,
}

// Themes lists the themes by name, for flags and the state file.
var Themes = []Theme{Standard, HighContrast}

// SetTheme sets the package's theme variables to t.
func SetTheme(t Theme) {
	theme = t
	Background, GridMinor, GridMajor, Axis = t.Background, t.GridMinor, t.GridMajor, t.Axis
	Label, Dim, Accent, PanelBG = t.Label, t.Dim, t.Accent, t.PanelBG
	Source, Target, Error, LineWidth = t.Source, t.Target, t.Error, t.LineWidth
}

// CurrentTheme returns the theme last set (Standard at start).
func CurrentTheme() Theme { return theme }

// ThemeByName returns the theme called name.
func ThemeByName(name string) (Theme, bool) {
	for _, t := range Themes {
		if t.Name == name {
			return t, true
		}
	}
	return Theme{}, false
}

// viridisTable samples matplotlib's viridis map at u = 0, 1/8, ..., 1. Linear
// interpolation between these nine anchors stays within a few 1/255 of the
// full 256-entry map, which is plenty for arrows.
var viridisTable = [...][3]float32{
	{68, 1, 84}, {71, 45, 123}, {59, 82, 139}, {44, 114, 142}, {33, 145, 140},
	{40, 174, 128}, {94, 201, 98}, {173, 220, 48}, {253, 231, 37},
}

// cividisTable follows cividis (Nuñez et al. 2018), a dark-blue to yellow
// map built so that viewers with deuteranomaly see the same lightness steps
// as everyone else; anchors at u = 0, 1/8, ..., 1, approximated by hand.
var cividisTable = [...][3]float32{
	{0, 34, 78}, {23, 56, 112}, {66, 78, 108}, {96, 101, 111}, {125, 124, 118},
	{155, 148, 117}, {188, 173, 108}, {221, 201, 88}, {254, 232, 56},
}

// magmaTable follows magma's black–purple–orange–cream ramp, the widest
// lightness range of the three: readable by lightness alone, whatever the
// viewer's colour vision. Anchors at u = 0, 1/8, ..., 1, approximated by hand.
var magmaTable = [...][3]float32{
	{0, 0, 4}, {28, 16, 68}, {79, 18, 123}, {129, 37, 129}, {181, 54, 122},
	{229, 80, 100}, {251, 135, 97}, {254, 194, 135}, {252, 253, 191},
}

// ColourMap is a choice of colours for the data: a sequential map for the
// speed of the arrows, and how particles are coloured by their start.
type ColourMap struct {
	Name  string
	table [][3]float32 // equally spaced anchors in 0..255
	// Floor is where speed 0 sits on the map: the darkest anchors vanish on
	// the dark background.
	Floor float64
	// CVDStart colours particles on a blue↔orange scale (StartCVD) instead
	// of the hue wheel, whose red and green look alike to many viewers.
	CVDStart bool
}

// ColourMaps are the choices in the order the M key cycles through them.
// All three speed maps are readable with the common colour-vision
// deficiencies; cividis and magma also replace the start hue wheel.
var ColourMaps = []ColourMap{
	{Name: "viridis", table: viridisTable[:], Floor: SpeedFloor},
	{Name: "cividis", table: cividisTable[:], Floor: 0.20, CVDStart: true},
	{Name: "magma", table: magmaTable[:], Floor: 0.35, CVDStart: true},
}

var colours = ColourMaps[0]

// At returns the map's colour at u ∈ [0, 1] (clamped; NaN maps to 0).
func (m ColourMap) At(u float64) RGBA {
	t := m.table
	if !(u > 0) { // also catches NaN
		u = 0
	}
	if u > 1 {
		u = 1
	}
	x := u * float64(len(t)-1)
	i := int(x)
	if i >= len(t)-1 {
		i = len(t) - 2
	}
	f := float32(x - float64(i))
	a, b := t[i], t[i+1]
	return RGBA{
		(a[0] + f*(b[0]-a[0])) / 255,
		(a[1] + f*(b[1]-a[1])) / 255,
		(a[2] + f*(b[2]-a[2])) / 255,
		1,
	}
}

// SetColours makes the colour map called name current; it reports whether
// there is one.
func SetColours(name string) bool {
	for _, m := range ColourMaps {
		if m.Name == name {
			colours = m
			return true
		}
	}
	return false
}

// Colours returns the current colour map (viridis at start).
func Colours() ColourMap { return colours }

// NextColours returns the name of the map after the current one, wrapping.
func NextColours() string {
	for i, m := range ColourMaps {
		if m.Name == colours.Name {
			return ColourMaps[(i+1)%len(ColourMaps)].Name
		}
	}
	return ColourMaps[0].Name
}

// Viridis returns the viridis colour at u ∈ [0, 1] (clamped; NaN maps to 0).
// Viridis is perceptually uniform and readable with the common forms of colour
// blindness.
func Viridis(u float64) RGBA { return ColourMaps[0].At(u) }

// SpeedFloor is where the speed map starts on viridis: its darkest purple
// vanishes on the dark background, so speed 0 is drawn at Viridis(SpeedFloor).
const SpeedFloor = 0.18

// Speed maps a speed in [0, max] to its arrow colour on the current map m:
// m.At(m.Floor + (1 − m.Floor)·speed/max).
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
	return colours.At(colours.Floor + (1-colours.Floor)*u)
}

// Start colours a particle by its starting point x0 so that the mapping from
// source to target stays visible. With a CVD-safe map current it is
// StartCVD; otherwise the hue follows the angle of x0 around the origin and
// the lightness its radius relative to scale (inner points darker, outer
// ones lighter), in OKLCH, where equal steps look equal.
func Start(x, y, scale float64) RGBA {
	if colours.CVDStart {
		return StartCVD(x, y, scale)
	}
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

// Hues of StartCVD in OKLCH (radians): a sky blue and an orange that stay
// apart under protanopia, deuteranopia and tritanopia, unlike red against
// green. The sky blue keeps more chroma at high lightness than a pure blue.
const (
	startBlue   = 240 * math.Pi / 180
	startOrange = 55 * math.Pi / 180
)

// StartCVD colours a start point x0 for colour-blind viewers: blue for
// x < 0 to orange for x > 0 through grey at x = 0, and lighter with y. Both
// axes go through tanh(·/(2·scale)), nearly linear over the source's bulk.
// The chroma is a share of the most the sRGB gamut holds at that lightness
// and hue, so that no two x collapse onto one clipped colour.
func StartCVD(x, y, scale float64) RGBA {
	if scale <= 0 || math.IsNaN(x) || math.IsNaN(y) || math.IsInf(x, 0) || math.IsInf(y, 0) {
		return RGBA{0.8, 0.8, 0.8, 1}
	}
	u := math.Tanh(x / (2 * scale))
	v := math.Tanh(y / (2 * scale))
	hue := startOrange
	if u < 0 {
		hue = startBlue
	}
	l := 0.66 + 0.18*v
	return OKLCH(l, math.Abs(u)*math.Min(0.16, 0.97*maxChroma(l, hue)), hue)
}

// maxChroma is the largest OKLCH chroma inside the sRGB gamut at lightness l
// and hue h, found by bisection.
func maxChroma(l, h float64) float64 {
	lo, hi := 0.0, 0.4
	for range 16 {
		c := (lo + hi) / 2
		r, g, b := oklabToLinearSRGB(l, c*math.Cos(h), c*math.Sin(h))
		if inGamut(r) && inGamut(g) && inGamut(b) {
			lo = c
		} else {
			hi = c
		}
	}
	return lo
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
