package main

import (
	"image/color"
	"math"
)

// The colour maps of density images. The desktop app's palette lives under
// viz/, which the headless tool does not import; these two maps serve the
// images only.

// infernoTable follows inferno's black–purple–orange–yellow ramp at
// u = 0, 1/8, ..., 1 (approximated by hand): perceptually ordered, readable
// by lightness alone and in grey print, so density reads as brightness.
var infernoTable = [...][3]float64{
	{0, 0, 4}, {31, 12, 72}, {85, 15, 109}, {136, 34, 106}, {186, 54, 85},
	{227, 89, 51}, {249, 140, 10}, {249, 201, 50}, {252, 255, 164},
}

// divergingTable runs blue (u = 0) through near-white (½) to red (1), after
// ColorBrewer's RdBu: the two signs of a divergence or a difference, equally
// strong at equal distance from 0.
var divergingTable = [...][3]float64{
	{33, 102, 172}, {67, 147, 195}, {146, 197, 222}, {209, 229, 240}, {247, 247, 247},
	{253, 219, 199}, {244, 165, 130}, {214, 96, 77}, {178, 24, 43},
}

// rampAt interpolates equally spaced anchors at u ∈ [0, 1] (clamped); NaN
// gives mid-grey, so a missing value never looks like a real one.
func rampAt(table [][3]float64, u float64) color.NRGBA {
	if math.IsNaN(u) {
		return color.NRGBA{128, 128, 128, 255}
	}
	u = min(max(u, 0), 1)
	x := u * float64(len(table)-1)
	i := min(int(x), len(table)-2)
	f := x - float64(i)
	var c [3]uint8
	for k := range c {
		c[k] = uint8(math.Round(table[i][k] + f*(table[i+1][k]-table[i][k])))
	}
	return color.NRGBA{c[0], c[1], c[2], 255}
}
