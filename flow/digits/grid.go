package digits

import (
	"fmt"
	"image"
	"image/color"
)

// Grid lays out images (n × side·side values, ink in [0, 1]; values outside
// are clipped) as a grey picture of cols columns, white ink on black, each
// image magnified zoom times with a gap of zoom pixels between them.
func Grid(images []float32, side, cols, zoom int) (*image.Gray, error) {
	d := side * side
	if side < 1 || cols < 1 || zoom < 1 || len(images)%d != 0 || len(images) == 0 {
		return nil, fmt.Errorf("digits: grid of %d values at side %d, %d columns, zoom %d", len(images), side, cols, zoom)
	}
	n := len(images) / d
	cols = min(cols, n)
	rows := (n + cols - 1) / cols
	cell := (side + 1) * zoom
	img := image.NewGray(image.Rect(0, 0, cols*cell+zoom, rows*cell+zoom))
	for i := range img.Pix {
		img.Pix[i] = 40 // dark grey gaps frame the black cells
	}
	for k := range n {
		ox, oy := (k%cols)*cell+zoom, (k/cols)*cell+zoom
		for y := range side {
			for x := range side {
				v := min(max(images[k*d+y*side+x], 0), 1)
				c := color.Gray{Y: uint8(v*255 + 0.5)}
				for dy := range zoom {
					for dx := range zoom {
						img.SetGray(ox+x*zoom+dx, oy+y*zoom+dy, c)
					}
				}
			}
		}
	}
	return img, nil
}
