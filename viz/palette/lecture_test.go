package palette

import (
	"math"
	"testing"
)

// vars gathers the theme variables as they are now.
func vars() Theme {
	return Theme{
		Name: theme.Name, Background: Background, GridMinor: GridMinor, GridMajor: GridMajor, Axis: Axis,
		Label: Label, Dim: Dim, Accent: Accent, PanelBG: PanelBG, Source: Source, Target: Target,
		Error: Error, LineWidth: LineWidth,
	}
}

func TestThemeSwitchAndBack(t *testing.T) {
	start := vars()
	if start != Standard {
		t.Fatalf("variables at start %+v, want Standard %+v", start, Standard)
	}
	defer SetTheme(Standard)
	SetTheme(HighContrast)
	if got := vars(); got != HighContrast || CurrentTheme() != HighContrast {
		t.Fatalf("after SetTheme(HighContrast): %+v", got)
	}
	if Background != (RGBA{0, 0, 0, 1}) || Label != (RGBA{1, 1, 1, 1}) {
		t.Errorf("high contrast: background %v, labels %v; want black and white", Background, Label)
	}
	// Every line and cloud is at least as strong as in the standard theme.
	for _, p := range [][2]RGBA{{Standard.GridMinor, GridMinor}, {Standard.GridMajor, GridMajor}, {Standard.Axis, Axis}, {Standard.Source, Source}, {Standard.Target, Target}} {
		if p[1].A <= p[0].A {
			t.Errorf("high contrast alpha %v not above standard %v", p[1].A, p[0].A)
		}
	}
	SetTheme(Standard)
	if got := vars(); got != start {
		t.Errorf("after switching back: %+v, want %+v", got, start)
	}
	for _, th := range Themes {
		if got, ok := ThemeByName(th.Name); !ok || got != th {
			t.Errorf("ThemeByName(%q) = %v, %v", th.Name, got.Name, ok)
		}
	}
	if _, ok := ThemeByName("neon"); ok {
		t.Error("ThemeByName accepted an unknown name")
	}
}

// toOKLab converts an sRGB colour to Björn Ottosson's OKLab.
func toOKLab(c RGBA) [3]float64 {
	return linearToOKLab(linear(c))
}

// linear decodes the sRGB transfer curve of each channel.
func linear(c RGBA) [3]float64 {
	dec := func(v float32) float64 {
		x := float64(v)
		if x <= 0.04045 {
			return x / 12.92
		}
		return math.Pow((x+0.055)/1.055, 2.4)
	}
	return [3]float64{dec(c.R), dec(c.G), dec(c.B)}
}

// linearToOKLab is the forward OKLab transform: LMS = M1·RGB, LMS' = ∛LMS,
// Lab = M2·LMS'.
func linearToOKLab(rgb [3]float64) [3]float64 {
	r, g, b := rgb[0], rgb[1], rgb[2]
	l := math.Cbrt(0.4122214708*r + 0.5363325363*g + 0.0514459929*b)
	m := math.Cbrt(0.2119034982*r + 0.6806995451*g + 0.1073969566*b)
	s := math.Cbrt(0.0883024619*r + 0.2817188376*g + 0.6299787005*b)
	return [3]float64{
		0.2104542553*l + 0.7936177850*m - 0.0040720468*s,
		1.9779984951*l - 2.4285922050*m + 0.4505937099*s,
		0.0259040371*l + 0.7827717662*m - 0.8086757660*s,
	}
}

func deltaE(a, b [3]float64) float64 { return math.Sqrt(sq(a[0]-b[0]) + sq(a[1]-b[1]) + sq(a[2]-b[2])) }

func sq(x float64) float64 { return x * x }

func TestSequentialMapsRiseInLightness(t *testing.T) {
	for _, m := range ColourMaps {
		prev := -1.0
		for i := 0; i <= 64; i++ {
			l := toOKLab(m.At(float64(i) / 64))[0]
			if l <= prev {
				t.Errorf("%s: OKLab lightness falls at u = %d/64: %.4f after %.4f", m.Name, i, l, prev)
			}
			prev = l
		}
		// Speed 0 stays visible on both themes' backgrounds.
		for _, bg := range []RGBA{Standard.Background, HighContrast.Background} {
			if d := toOKLab(m.At(m.Floor))[0] - toOKLab(bg)[0]; d < 0.2 {
				t.Errorf("%s: slowest arrow only %.3f lighter than the background %v", m.Name, d, bg)
			}
		}
	}
}

func TestColourMapCycle(t *testing.T) {
	defer SetColours("viridis")
	if Colours().Name != "viridis" {
		t.Fatalf("start map %q, want viridis", Colours().Name)
	}
	var order []string
	for range len(ColourMaps) + 1 {
		next := NextColours()
		if !SetColours(next) {
			t.Fatalf("SetColours(%q) failed", next)
		}
		order = append(order, Colours().Name)
	}
	want := []string{"cividis", "magma", "viridis", "cividis"}
	for i := range want {
		if order[i] != want[i] {
			t.Fatalf("M cycles %v, want %v", order, want)
		}
	}
	if SetColours("rainbow") {
		t.Error("SetColours accepted an unknown name")
	}
	SetColours("magma")
	if Speed(0, 1) != ColourMaps[2].At(ColourMaps[2].Floor) || Speed(1, 1) != ColourMaps[2].At(1) {
		t.Error("Speed does not follow the current map")
	}
	if Start(1, 0, 1) != StartCVD(1, 0, 1) {
		t.Error("Start does not switch to the blue↔orange scheme with a CVD-safe map")
	}
}

// Colour-vision-deficiency simulation matrices of Machado, Oliveira and
// Fernandes (2009), severity 1.0, applied to linear sRGB.
var (
	protanopia = [3][3]float64{
		{0.152286, 1.052583, -0.204868},
		{0.114503, 0.786281, 0.099216},
		{-0.003882, -0.048116, 1.051998},
	}
	deuteranopia = [3][3]float64{
		{0.367322, 0.860646, -0.227968},
		{0.280085, 0.672501, 0.047413},
		{-0.011820, 0.042940, 0.968881},
	}
	tritanopia = [3][3]float64{
		{1.255528, -0.076749, -0.178779},
		{-0.078411, 0.930809, 0.147602},
		{0.004733, 0.691367, 0.303900},
	}
)

// simulate returns how a viewer with the deficiency m sees c, in OKLab.
func simulate(m [3][3]float64, c RGBA) [3]float64 {
	in := linear(c)
	var out [3]float64
	for i := range 3 {
		v := m[i][0]*in[0] + m[i][1]*in[1] + m[i][2]*in[2]
		out[i] = math.Min(1, math.Max(0, v))
	}
	return linearToOKLab(out)
}

// minDelta is the smallest OKLab distance, as seen through m (nil: normal
// vision), between start colours of a 5×5 grid of start points one unit
// apart (in units of the source's radius).
func minDelta(m *[3][3]float64, start func(x, y, scale float64) RGBA) (float64, [2][2]float64) {
	var pts [][2]float64
	for i := -2; i <= 2; i++ {
		for j := -2; j <= 2; j++ {
			pts = append(pts, [2]float64{float64(i), float64(j)})
		}
	}
	best, pair := math.Inf(1), [2][2]float64{}
	for i, p := range pts {
		for _, q := range pts[i+1:] {
			a, b := start(p[0], p[1], 1), start(q[0], q[1], 1)
			var la, lb [3]float64
			if m == nil {
				la, lb = toOKLab(a), toOKLab(b)
			} else {
				la, lb = simulate(*m, a), simulate(*m, b)
			}
			if d := deltaE(la, lb); d < best {
				best, pair = d, [2][2]float64{p, q}
			}
		}
	}
	return best, pair
}

func TestStartCVDStaysDistinct(t *testing.T) {
	SetColours("viridis")
	// 0.02 is about one just-noticeable difference in OKLab. The closest
	// pairs are neighbours two radii out, where few particles start.
	const threshold = 0.025
	for _, v := range []struct {
		name string
		m    *[3][3]float64
	}{{"normal vision", nil}, {"protanopia", &protanopia}, {"deuteranopia", &deuteranopia}, {"tritanopia", &tritanopia}} {
		d, pair := minDelta(v.m, StartCVD)
		old, oldPair := minDelta(v.m, Start) // the hue wheel: viridis is current
		t.Logf("%s: smallest ΔE between start points %.3f at %v (hue wheel %.3f at %v)", v.name, d, pair, old, oldPair)
		if d < threshold {
			t.Errorf("%s: start points %v look alike: ΔE %.3f < %v", v.name, pair, d, threshold)
		}
		// Where the hue wheel fails a colour-blind viewer, this scheme must
		// do clearly better.
		if v.m != nil && old < threshold && d < 2*old {
			t.Errorf("%s: ΔE %.3f, not clearly above the hue wheel's %.3f", v.name, d, old)
		}
	}
	// Left and right of the origin differ in hue, not only lightness.
	left, right := toOKLab(StartCVD(-2, 0, 1)), toOKLab(StartCVD(2, 0, 1))
	if left[2] >= 0 || right[2] <= 0 {
		t.Errorf("x < 0 should be blue (b < 0), x > 0 orange (b > 0): %v, %v", left, right)
	}
	for _, p := range [][2]float64{{0, 0}, {1e9, -1e9}, {math.NaN(), 1}, {math.Inf(1), 0}} {
		c := StartCVD(p[0], p[1], 1)
		for _, v := range []float32{c.R, c.G, c.B, c.A} {
			if !(v >= 0 && v <= 1) {
				t.Errorf("StartCVD(%v) = %v out of range", p, c)
			}
		}
	}
}
