package e2e

import (
	"image/color"
	"testing"
)

// Standard depth-24 TrueColor masks.
const redMask, greenMask, blueMask = 0xff0000, 0x00ff00, 0x0000ff

func TestDecodeZPixmap(t *testing.T) {
	// Two pixels, 0x112233 and 0xaabbcc, one row, in each layout a server may send.
	for _, tc := range []struct {
		name string
		f    zpixmap
		data []byte
	}{
		{"32bpp LSB first", zpixmap{bitsPerPixel: 32, scanlinePad: 32, lsbFirst: true},
			[]byte{0x33, 0x22, 0x11, 0x00, 0xcc, 0xbb, 0xaa, 0x00}},
		{"32bpp MSB first", zpixmap{bitsPerPixel: 32, scanlinePad: 32},
			[]byte{0x00, 0x11, 0x22, 0x33, 0x00, 0xaa, 0xbb, 0xcc}},
		{"24bpp LSB first, row padded to 32 bits", zpixmap{bitsPerPixel: 24, scanlinePad: 32, lsbFirst: true},
			[]byte{0x33, 0x22, 0x11, 0xcc, 0xbb, 0xaa, 0xee, 0xee}},
		{"24bpp MSB first", zpixmap{bitsPerPixel: 24, scanlinePad: 8},
			[]byte{0x11, 0x22, 0x33, 0xaa, 0xbb, 0xcc}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := tc.f
			f.width, f.height = 2, 1
			f.red, f.green, f.blue = redMask, greenMask, blueMask
			img, err := decodeZPixmap(tc.data, f)
			if err != nil {
				t.Fatal(err)
			}
			for x, want := range []color.RGBA{{0x11, 0x22, 0x33, 0xff}, {0xaa, 0xbb, 0xcc, 0xff}} {
				if got := img.RGBAAt(x, 0); got != want {
					t.Errorf("pixel %d: %v, want %v", x, got, want)
				}
			}
		})
	}
}

func TestDecodeZPixmapRowStride(t *testing.T) {
	// 3 pixels of 24 bits = 9 bytes, padded to 12 per row; the second row must start at 12.
	data := make([]byte, 24)
	data[12], data[13], data[14] = 0x01, 0x02, 0x03 // row 1, pixel 0, LSB first
	img, err := decodeZPixmap(data, zpixmap{width: 3, height: 2, bitsPerPixel: 24, scanlinePad: 32,
		lsbFirst: true, red: redMask, green: greenMask, blue: blueMask})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := img.RGBAAt(0, 1), (color.RGBA{0x03, 0x02, 0x01, 0xff}); got != want {
		t.Errorf("row 1 pixel 0: %v, want %v", got, want)
	}
	if got := img.RGBAAt(2, 0); got != (color.RGBA{0, 0, 0, 0xff}) {
		t.Errorf("padding leaked into row 0: %v", got)
	}
}

func TestDecodeZPixmapRejects(t *testing.T) {
	good := zpixmap{width: 2, height: 2, bitsPerPixel: 32, scanlinePad: 32, red: redMask, green: greenMask, blue: blueMask}
	for _, tc := range []struct {
		name string
		edit func(*zpixmap)
		n    int
	}{
		{"short data", func(*zpixmap) {}, 15},
		{"16 bpp", func(f *zpixmap) { f.bitsPerPixel = 16 }, 64},
		{"zero pad", func(f *zpixmap) { f.scanlinePad = 0 }, 64},
		{"negative size", func(f *zpixmap) { f.width = -1 }, 64},
	} {
		f := good
		tc.edit(&f)
		if _, err := decodeZPixmap(make([]byte, tc.n), f); err == nil {
			t.Errorf("%s: no error", tc.name)
		}
	}
}

func TestChannel(t *testing.T) {
	for _, tc := range []struct {
		p, mask uint32
		want    uint8
	}{
		{0xabcdef, 0xff0000, 0xab},
		{0xabcdef, 0x0000ff, 0xef},
		{0xf800, 0xf800, 0xff},            // 5-bit red of RGB565, full
		{0x0400, 0x07e0, 0x20 * 255 / 63}, // 6-bit green, half
		{0x3ff << 20, 0x3ff << 20, 0xff},  // 10-bit channel keeps its top 8 bits
		{0x12345678, 0, 0},
	} {
		if got := channel(tc.p, tc.mask); got != tc.want {
			t.Errorf("channel(%#x, %#x) = %#x, want %#x", tc.p, tc.mask, got, tc.want)
		}
	}
}

func TestKeyboardMappingFind(t *testing.T) {
	// Keycodes 8..11 with two columns: a/A, 1/!, Shift_L, and "!" alone on an extra key.
	m := keyboardMapping{minKeycode: 8, perKeycode: 2, keysyms: []uint32{
		'a', 'A',
		'1', '!',
		ShiftL, 0,
		0, 0,
	}}
	for _, tc := range []struct {
		sym     uint32
		code    byte
		shifted bool
		ok      bool
	}{
		{'a', 8, false, true},
		{'A', 8, true, true},
		{'!', 9, true, true},
		{ShiftL, 10, false, true},
		{'b', 0, false, false},
	} {
		code, shifted, ok := m.find(tc.sym)
		if code != tc.code || shifted != tc.shifted || ok != tc.ok {
			t.Errorf("find(%#x) = %d, %v, %v; want %d, %v, %v", tc.sym, code, shifted, ok, tc.code, tc.shifted, tc.ok)
		}
	}
}

func TestKeysymOf(t *testing.T) {
	for _, tc := range []struct {
		r    rune
		want uint32
	}{
		{'a', KeyA}, {'z', KeyZ}, {'0', Key0}, {'9', Key9}, {' ', Space}, {'A', 0x41},
		{'\n', Return}, {'\t', Tab}, {'\b', BackSpace}, {'é', 0xe9}, {'€', 0x010020ac},
	} {
		if got := KeysymOf(tc.r); got != tc.want {
			t.Errorf("KeysymOf(%q) = %#x, want %#x", tc.r, got, tc.want)
		}
	}
}

func TestStartXSkipsWithoutXvfb(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	t.Setenv("CI", "")
	var skipped bool
	t.Run("no Xvfb", func(t *testing.T) {
		defer func() { skipped = t.Skipped() }()
		StartX(t, 100, 100)
		t.Error("StartX returned without Xvfb")
	})
	if !skipped {
		t.Error("StartX did not skip")
	}
}

// FuzzDecodeZPixmap feeds GetImage data of any length and layout: decodeZPixmap must
// return an error or an image of the requested size, never panic.
func FuzzDecodeZPixmap(f *testing.F) {
	f.Add([]byte{0x33, 0x22, 0x11, 0x00}, 1, 1, 32, 32, true)
	f.Add([]byte{0x11, 0x22, 0x33, 0xaa, 0xbb, 0xcc}, 2, 1, 24, 8, false)
	f.Add([]byte{}, 3, 2, 24, 32, true)
	f.Fuzz(func(t *testing.T, data []byte, w, h, bpp, pad int, lsb bool) {
		if w > 64 || h > 64 {
			return // larger sizes test nothing new and only allocate
		}
		img, err := decodeZPixmap(data, zpixmap{width: w, height: h, bitsPerPixel: bpp, scanlinePad: pad,
			lsbFirst: lsb, red: redMask, green: greenMask, blue: blueMask})
		if err != nil {
			return
		}
		if b := img.Bounds(); b.Dx() != w || b.Dy() != h {
			t.Fatalf("image %v for %dx%d", b, w, h)
		}
	})
}
