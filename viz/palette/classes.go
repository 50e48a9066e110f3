package palette

import "math"

// Class returns the colour of class k: evenly spaced hues for the first
// eight (a drawing's colours, the 8 Gaussians' modes), then hues a golden
// angle apart, all at one lightness and chroma so that no class stands out
// on the dark background.
func Class(k int) RGBA {
	if k < 0 {
		return Label
	}
	var hue float64
	if k < 8 {
		hue = 25 + 45*float64(k)
	} else {
		hue = 25 + 137.508*float64(k)
	}
	return OKLCH(0.76, 0.15, math.Mod(hue, 360)*math.Pi/180)
}
