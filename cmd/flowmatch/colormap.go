package main

import (
	"image/color"

	"github.com/flowviz/flowviz/viz/palette"
)

// rampAt is the colour of a density image's cell from one of palette's
// heatmap maps (palette.Inferno, palette.Diverging), the app's own.
func rampAt(ramp func(float64) palette.RGBA, u float64) color.NRGBA {
	r, g, b, _ := ramp(u).Bytes()
	return color.NRGBA{r, g, b, 255}
}
