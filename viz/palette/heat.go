package palette

import "math"

// The maps of density heatmaps, shared by the app's density layer and
// flowmatch density's images.

// infernoTable follows inferno's black–purple–orange–yellow ramp at
// u = 0, 1/8, ..., 1 (approximated by hand): perceptually ordered, readable
// by lightness alone and in grey print, so density reads as brightness.
var infernoTable = [...][3]float32{
	{0, 0, 4}, {31, 12, 72}, {85, 15, 109}, {136, 34, 106}, {186, 54, 85},
	{227, 89, 51}, {249, 140, 10}, {249, 201, 50}, {252, 255, 164},
}

// divergingTable runs blue (u = 0) through near-white (½) to red (1), after
// ColorBrewer's RdBu: the two signs of a divergence or a difference, equally
// strong at equal distance from 0.
var divergingTable = [...][3]float32{
	{33, 102, 172}, {67, 147, 195}, {146, 197, 222}, {209, 229, 240}, {247, 247, 247},
	{253, 219, 199}, {244, 165, 130}, {214, 96, 77}, {178, 24, 43},
}

// NoValue is the colour of a heatmap cell without a value (NaN): mid-grey,
// so a missing value never looks like a real one.
var NoValue = RGBA{0.5, 0.5, 0.5, 1}

// Inferno returns the log-density map's colour at u ∈ [0, 1] (clamped):
// black at 0, pale yellow at 1; NaN gives NoValue.
func Inferno(u float64) RGBA { return heat(infernoTable[:], u) }

// Diverging returns the signed map's colour at u ∈ [0, 1] (clamped): blue
// at 0, white at ½, red at 1; NaN gives NoValue.
func Diverging(u float64) RGBA { return heat(divergingTable[:], u) }

func heat(table [][3]float32, u float64) RGBA {
	if math.IsNaN(u) {
		return NoValue
	}
	return ColourMap{table: table}.At(u)
}

// Bytes returns c's channels as 8-bit straight alpha, rounded.
func (c RGBA) Bytes() (r, g, b, a uint8) {
	q := func(v float32) uint8 { return uint8(math.Round(float64(min(max(v, 0), 1)) * 255)) }
	return q(c.R), q(c.G), q(c.B), q(c.A)
}
