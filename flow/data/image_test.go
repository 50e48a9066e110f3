package data

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/draw"
	"image/gif"
	"image/jpeg"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/flowviz/flowviz/flow"
)

// squareImage is a w×h image of background bg with the pixel rectangle r
// filled with ink.
func squareImage(w, h int, r image.Rectangle, bg, ink color.Color) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	draw.Draw(img, img.Bounds(), image.NewUniform(bg), image.Point{}, draw.Src)
	draw.Draw(img, r, image.NewUniform(ink), image.Point{}, draw.Src)
	return img
}

// inBox reports whether every point lies in [x0, x1]×[y0, y1].
func inBox(t *testing.T, pts []flow.Vec, x0, x1, y0, y1 float64) {
	t.Helper()
	for i, p := range pts {
		if p[0] < x0 || p[0] > x1 || p[1] < y0 || p[1] > y1 {
			t.Fatalf("sample %d = %v is outside [%g, %g]×[%g, %g]", i, p, x0, x1, y0, y1)
		}
	}
}

func TestFromImageSquare(t *testing.T) {
	// A 100×60 image, longer side 10 world units: pixels are 0.1 wide and the
	// image spans [−5, 5]×[−3, 3]. Pixel columns 20..39 are x ∈ [−3, −1];
	// pixel rows 10..29 (counted downwards) are y ∈ [0, 2].
	square := image.Rect(20, 10, 40, 30)
	tests := []struct {
		name string
		img  image.Image
		opt  MaskOptions
	}{
		{"black on white", squareImage(100, 60, square, color.White, color.Black), MaskOptions{Size: 10}},
		{"white on black, inverted", squareImage(100, 60, square, color.Black, color.White), MaskOptions{Size: 10, Invert: true}},
		{"black on transparent", squareImage(100, 60, square, color.Transparent, color.Black), MaskOptions{Size: 10}},
		{"white on transparent, inverted", squareImage(100, 60, square, color.Transparent, color.White), MaskOptions{Size: 10, Invert: true}},
		{"gray image", toGray(squareImage(100, 60, square, color.White, color.Black)), MaskOptions{Size: 10}},
		{"offset bounds", squareImage(100, 60, square, color.White, color.Black).SubImage(image.Rect(0, 0, 100, 60)), MaskOptions{Size: 10}},
		{"weighted", squareImage(100, 60, square, color.White, color.Gray{40}), MaskOptions{Size: 10, Weighted: true}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d, err := FromImage(tc.img, tc.opt)
			if err != nil {
				t.Fatal(err)
			}
			if w, h, ink := d.Pixels(); w != 100 || h != 60 || ink != 400 {
				t.Fatalf("Pixels() = %d, %d, %d; want 100, 60, 400", w, h, ink)
			}
			pts := Sample(d, newRNG(1), 20000)
			inBox(t, pts, -3, -1, 0, 2)
			// Uniform on a 2×2 square: mean at its centre, variance 2²/12 per axis.
			mean, variance := moments(pts)
			want := flow.Vec{-2, 1}
			for k := range 2 {
				if math.Abs(mean[k]-want[k]) > 0.02 || math.Abs(variance[k]-1.0/3) > 0.02 {
					t.Fatalf("mean %v variance %v, want %v and 1/3", mean, variance, want)
				}
			}
		})
	}
}

func toGray(src image.Image) *image.Gray {
	g := image.NewGray(src.Bounds())
	draw.Draw(g, g.Bounds(), src, src.Bounds().Min, draw.Src)
	return g
}

func TestFromImageWeighted(t *testing.T) {
	// Left square black (darkness 1), right square of luminance 0.4
	// (darkness 0.6): weighted, they are drawn 1 : 0.6; unweighted, 1 : 1.
	img := squareImage(40, 20, image.Rect(0, 0, 20, 20), color.White, color.Black)
	draw.Draw(img, image.Rect(20, 0, 40, 20), image.NewUniform(color.Gray{102}), image.Point{}, draw.Src)
	for _, tc := range []struct {
		weighted bool
		ratio    float64
	}{{true, 0.6}, {false, 1}} {
		d, err := FromImage(img, MaskOptions{Weighted: tc.weighted})
		if err != nil {
			t.Fatal(err)
		}
		left, right := 0, 0
		for _, p := range Sample(d, newRNG(2), 40000) {
			if p[0] < 0 {
				left++
			} else {
				right++
			}
		}
		if got := float64(right) / float64(left); math.Abs(got-tc.ratio) > 0.03 {
			t.Errorf("weighted=%v: right/left = %.3f, want %.3f", tc.weighted, got, tc.ratio)
		}
	}
}

func TestFromImageThreshold(t *testing.T) {
	// Three stripes of luminance 0.2, 0.5, 0.8 on columns 0–9, 10–19, 20–29.
	img := image.NewGray(image.Rect(0, 0, 30, 10))
	for x := range 30 {
		for y := range 10 {
			img.SetGray(x, y, color.Gray{[]uint8{51, 128, 204}[x/10]})
		}
	}
	tests := []struct {
		opt MaskOptions
		ink int
	}{
		{MaskOptions{}, 100},
		{MaskOptions{Threshold: 0.6}, 200},
		{MaskOptions{Threshold: 0.9}, 300},
		{MaskOptions{Threshold: 0.6, Invert: true}, 100},
		{MaskOptions{Threshold: 0.1, Invert: true}, 300},
	}
	for _, tc := range tests {
		d, err := FromImage(img, tc.opt)
		if err != nil {
			t.Fatal(err)
		}
		if _, _, ink := d.Pixels(); ink != tc.ink {
			t.Errorf("%+v: %d ink pixels, want %d", tc.opt, ink, tc.ink)
		}
	}
}

func TestFromImageDownscale(t *testing.T) {
	// 1000×500 with the left half black, MaxSide 50: a 50×25 mask whose
	// left 25 columns are ink, spanning x ∈ [−4, 0] at the default size 8.
	img := squareImage(1000, 500, image.Rect(0, 0, 500, 500), color.White, color.Black)
	d, err := FromImage(img, MaskOptions{MaxSide: 50})
	if err != nil {
		t.Fatal(err)
	}
	if w, h, ink := d.Pixels(); w != 50 || h != 25 || ink != 625 {
		t.Fatalf("Pixels() = %d, %d, %d; want 50, 25, 625", w, h, ink)
	}
	inBox(t, Sample(d, newRNG(3), 5000), -4, 0, -2, 2)
	// A thin line survives downscaling only if it darkens its cells enough:
	// a 1-pixel line in 20-pixel cells averages to luminance 0.95.
	line := squareImage(1000, 500, image.Rect(250, 0, 251, 500), color.White, color.Black)
	if _, err := FromImage(line, MaskOptions{MaxSide: 50}); err == nil {
		t.Error("a 1-pixel line downscaled 20× still has ink at threshold 0.5")
	}
	if d, err := FromImage(line, MaskOptions{MaxSide: 50, Threshold: 0.99}); err != nil {
		t.Error(err)
	} else if _, _, ink := d.Pixels(); ink != 25 {
		t.Errorf("line at threshold 0.99: %d ink pixels, want one column of 25", ink)
	}
}

func TestFromImageNoInk(t *testing.T) {
	for _, img := range []image.Image{
		squareImage(10, 10, image.Rectangle{}, color.White, color.Black),
		squareImage(10, 10, image.Rectangle{}, color.Transparent, color.Black),
		image.NewGray(image.Rectangle{}),
	} {
		if _, err := FromImage(img, MaskOptions{}); err == nil {
			t.Errorf("image %v without ink gave no error", img.Bounds())
		}
	}
	_, err := FromImage(squareImage(10, 10, image.Rectangle{}, color.Black, color.Black), MaskOptions{Invert: true})
	if err == nil || !strings.Contains(err.Error(), "no pixel is lighter than threshold 0.5") {
		t.Errorf("error %v, want one explaining the threshold", err)
	}
}

// encoded returns img encoded as png, gif or jpeg.
func encoded(t testing.TB, img image.Image, format string) []byte {
	t.Helper()
	var buf bytes.Buffer
	var err error
	switch format {
	case "png":
		err = png.Encode(&buf, img)
	case "gif":
		err = gif.Encode(&buf, img, nil)
	case "jpeg":
		err = jpeg.Encode(&buf, img, &jpeg.Options{Quality: 95})
	}
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestReadImageFormats(t *testing.T) {
	img := squareImage(64, 32, image.Rect(8, 8, 24, 24), color.White, color.Black)
	for _, format := range []string{"png", "gif", "jpeg"} {
		t.Run(format, func(t *testing.T) {
			d, err := ReadImage(bytes.NewReader(encoded(t, img, format)), MaskOptions{Size: 64})
			if err != nil {
				t.Fatal(err)
			}
			// JPEG blurs edges a little; the ink stays within a pixel of the square.
			if _, _, ink := d.Pixels(); ink < 15*15 || ink > 17*17 {
				t.Fatalf("%d ink pixels, want about 256", ink)
			}
			inBox(t, Sample(d, newRNG(4), 2000), -25, -7, -9, 9)
		})
	}
}

func TestReadImageRefusesHuge(t *testing.T) {
	data := encoded(t, image.NewPaletted(image.Rect(0, 0, 2, 2), color.Palette{color.Black, color.White}), "gif")
	// A GIF's logical screen size is bytes 6–9 (little-endian) with no
	// checksum: claim 65535×65535 pixels.
	copy(data[6:10], []byte{0xff, 0xff, 0xff, 0xff})
	_, err := ReadImage(bytes.NewReader(data), MaskOptions{})
	if err == nil || !strings.Contains(err.Error(), "65535×65535") || !strings.Contains(err.Error(), "100 megapixels") {
		t.Fatalf("error %v, want a refusal naming the size and the limit", err)
	}
	if _, err := ReadImage(strings.NewReader("not an image"), MaskOptions{}); err == nil {
		t.Fatal("decoding text as an image succeeded")
	}
}

func TestAliasTable(t *testing.T) {
	weights := []float64{1, 2, 3, 4, 0, 10}
	table := newAliasTable(weights)
	const n = 200000
	counts := make([]int, len(weights))
	rng := newRNG(5)
	for range n {
		counts[table.pick(rng)]++
	}
	for i, w := range weights {
		want := n * w / 20
		if math.Abs(float64(counts[i])-want) > 5*math.Sqrt(want)+1 {
			t.Errorf("index %d drawn %d times, want %.0f", i, counts[i], want)
		}
	}
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	pngPath := filepath.Join(dir, "Square.PNG")
	img := squareImage(100, 100, image.Rect(50, 0, 100, 50), color.White, color.Black)
	if err := os.WriteFile(pngPath, encoded(t, img, "png"), 0o644); err != nil {
		t.Fatal(err)
	}
	csvPath := filepath.Join(dir, "pts.csv")
	if err := WriteCSVFile(csvPath, []flow.Vec{{1, 2}, {3, 4}}); err != nil {
		t.Fatal(err)
	}

	d, err := Load(pngPath + ":size=4,threshold=0.3")
	if err != nil {
		t.Fatal(err)
	}
	want := pngPath + ":threshold=0.3,invert=0,size=4,maxside=512,weight=0"
	if d.String() != want {
		t.Fatalf("String() = %q, want %q", d.String(), want)
	}
	inBox(t, Sample(d, newRNG(6), 2000), 0, 2, 0, 2) // top-right quarter of a 4×4 image
	again, err := Load(d.String())
	if err != nil || again.String() != want {
		t.Fatalf("Load(String()) = %v, %v", again, err)
	}
	if d, err := Load(pngPath); err != nil || d.(*ImageDist).Options() != (MaskOptions{Threshold: 0.5, Size: 8, MaxSide: 512}) {
		t.Fatalf("Load without options: %v, %v", d, err)
	}

	set, err := Load(csvPath + ":jitter=0.25")
	if err != nil {
		t.Fatal(err)
	}
	if set.String() != "pts.csv(n=2,jitter=0.25)" {
		t.Fatalf("String() = %q", set.String())
	}
	if d, err := Load("moons:noise=0.1"); err != nil || d.String() != "moons:noise=0.1,scale=2,shift=1,shift_y=0" {
		t.Fatalf("Load of a built-in: %v, %v", d, err)
	}

	for _, tc := range []struct{ spec, want string }{
		{pngPath + ":blur=1", `unknown key "blur" (keys: threshold, invert, size, maxside, weight)`},
		{pngPath + ":invert=2", "invert=2 is out of range"},
		{pngPath + ":threshold=0", "threshold=0 is out of range"},
		{csvPath + ":jitter=-1", "jitter=-1 is out of range"},
		{filepath.Join(dir, "missing.png"), "no such file"},
		{filepath.Join(dir, "missing.csv"), "no such file"},
		{"nonsense", "unknown distribution"},
	} {
		d, err := Load(tc.spec)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Load(%q) error %v, want one containing %q", tc.spec, err, tc.want)
		}
		if err != nil && d != nil {
			t.Errorf("Load(%q) returned a non-nil Dist %#v with its error", tc.spec, d)
		}
	}
	// A file with no ink, or an empty CSV, is an error with a nil Dist.
	if err := os.WriteFile(filepath.Join(dir, "blank.png"), encoded(t, image.NewGray(image.Rect(0, 0, 4, 4)), "png"), 0o644); err != nil {
		t.Fatal(err)
	}
	if d, err := Load(filepath.Join(dir, "blank.png") + ":invert=1"); err == nil || d != nil {
		t.Errorf("inkless image: %v, %v", d, err)
	}
}

func TestSplitFileSpec(t *testing.T) {
	tests := []struct{ spec, path, args, ext string }{
		{"a.csv", "a.csv", "", ".csv"},
		{"dir/a.PNG:size=3", "dir/a.PNG", "size=3", ".png"},
		{"C:/x/a.jpeg", "C:/x/a.jpeg", "", ".jpeg"},
		{"odd.png:dir/a.csv:jitter=1", "odd.png:dir/a.csv", "jitter=1", ".csv"},
		{"moons:noise=0.1", "", "", ""},
		{"picture.jpg.bak", "", "", ""},
	}
	for _, tc := range tests {
		path, args, ext := splitFileSpec(tc.spec)
		if path != tc.path || args != tc.args || ext != tc.ext {
			t.Errorf("splitFileSpec(%q) = %q, %q, %q; want %q, %q, %q", tc.spec, path, args, ext, tc.path, tc.args, tc.ext)
		}
	}
}

func FuzzLoadImage(f *testing.F) {
	img := squareImage(16, 8, image.Rect(2, 2, 6, 6), color.White, color.Black)
	for _, format := range []string{"png", "gif", "jpeg"} {
		f.Add(encoded(f, img, format), 0.5, false, 4)
	}
	f.Add(encoded(f, toGray(img), "png"), 0.9, true, 1)
	f.Add([]byte("GIF89a\xff\xff\xff\xff"), 0.5, false, 0)
	// Size bombs: small files whose headers claim huge images.
	f.Add(claimedPNG(f, 10000, 10000, true), 0.5, false, 0)
	f.Add(claimedPNG(f, 1<<30, 1, false), 0.5, false, 0)
	f.Fuzz(func(t *testing.T, data []byte, threshold float64, invert bool, maxSide int) {
		opt := MaskOptions{Threshold: threshold, Invert: invert, MaxSide: maxSide, Size: 8, Weighted: maxSide%2 == 0}
		// A smaller pixel limit than MaxImagePixels keeps each input fast.
		d, err := readImage(bytes.NewReader(data), opt, 1<<20)
		if err != nil {
			return
		}
		for _, p := range Sample(d, newRNG(1), 16) {
			if !(math.Abs(p[0]) <= 4 && math.Abs(p[1]) <= 4) {
				t.Fatalf("sample %v outside the 8×8 box", p)
			}
		}
	})
}

// claimedPNG is a PNG whose header claims w×h pixels (16 bits a channel if
// deep) with the pixel data of a 1×1 image: a size bomb.
func claimedPNG(t testing.TB, w, h uint32, deep bool) []byte {
	t.Helper()
	var img image.Image = image.NewNRGBA(image.Rect(0, 0, 1, 1))
	if deep {
		img = image.NewNRGBA64(image.Rect(0, 0, 1, 1))
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	out := b.Bytes()
	// IHDR: length at 8, type at 12, width at 16, height at 20, CRC at 29.
	binary.BigEndian.PutUint32(out[16:], w)
	binary.BigEndian.PutUint32(out[20:], h)
	binary.BigEndian.PutUint32(out[29:], crc32.ChecksumIEEE(out[12:29]))
	return out
}

// Issue 15, bug 3: a 100-megapixel 16-bit PNG passed the pixel cap and
// decoded to 1.6 GB. The byte budget counts the bytes of a pixel.
func TestImageByteBudget(t *testing.T) {
	for _, c := range []struct {
		w, h uint32
		deep bool
		want string
	}{
		{10000, 10000, true, "at 8 bytes a pixel takes 762 MiB decoded; at most 400 MiB"},
		{20000, 10000, false, "at most 100 megapixels"},
	} {
		_, err := ReadImage(bytes.NewReader(claimedPNG(t, c.w, c.h, c.deep)), MaskOptions{})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%d×%d: %v, want %q", c.w, c.h, err, c.want)
		}
	}
}
