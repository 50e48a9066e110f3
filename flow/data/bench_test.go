package data

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"testing"

	"github.com/flowviz/flowviz/flow"
)

// BenchmarkSampleFiles samples 10k points from the non-parametric targets.
func BenchmarkSampleFiles(b *testing.B) {
	img := squareImage(512, 512, image.Rect(100, 100, 400, 300), color.White, color.Black)
	uniform, _ := FromImage(img, MaskOptions{})
	weighted, _ := FromImage(img, MaskOptions{Weighted: true})
	set, _ := NewPointSet("", Sample(mustParse(b, "moons"), newRNG(1), 2000), 0.05)
	for _, tc := range []struct {
		name string
		d    Dist
	}{{"image", uniform}, {"image-weighted", weighted}, {"points", set}} {
		b.Run(tc.name, func(b *testing.B) {
			rng := newRNG(1)
			dst := make([]flow.Vec, 10000)
			for b.Loop() {
				tc.d.Sample(rng, dst)
			}
			b.ReportMetric(float64(len(dst))*float64(b.N)/b.Elapsed().Seconds()/1e6, "Mpoints/s")
		})
	}
}

// BenchmarkFromImage builds masks from square images of several sizes; the
// larger ones are box-filtered down to 512 pixels a side.
func BenchmarkFromImage(b *testing.B) {
	for _, side := range []int{256, 1024, 4096} {
		img := squareImage(side, side, image.Rect(side/4, side/4, side*3/4, side*3/4), color.White, color.Black)
		b.Run(fmt.Sprint(side), func(b *testing.B) {
			for b.Loop() {
				if _, err := FromImage(img, MaskOptions{}); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(side*side)*float64(b.N)/b.Elapsed().Seconds()/1e6, "Mpixels/s")
		})
	}
}

func BenchmarkText(b *testing.B) {
	for b.Loop() {
		if _, err := Text("Flow\nMatching", MaskOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCSV(b *testing.B) {
	pts := Sample(mustParse(b, "moons"), newRNG(1), 10000)
	var buf bytes.Buffer
	if err := WriteCSV(&buf, pts); err != nil {
		b.Fatal(err)
	}
	data := buf.Bytes()
	b.Run("write-10k", func(b *testing.B) {
		for b.Loop() {
			var out bytes.Buffer
			if err := WriteCSV(&out, pts); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("read-10k", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		for b.Loop() {
			if _, err := ReadCSV(bytes.NewReader(data), 0); err != nil {
				b.Fatal(err)
			}
		}
	})
}
