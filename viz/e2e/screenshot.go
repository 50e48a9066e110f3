package e2e

import (
	"fmt"
	"image"
	"math/bits"
	"testing"

	"github.com/jezek/xgb/xproto"
)

// Screenshot is the whole screen as the X server has it (GetImage of the root window).
func (x *X) Screenshot(t testing.TB) *image.RGBA {
	t.Helper()
	setup := xproto.Setup(x.conn)
	screen := setup.DefaultScreen(x.conn)
	format, ok := pixmapFormat(setup, screen.RootDepth)
	if !ok {
		t.Fatalf("e2e: no pixmap format for depth %d", screen.RootDepth)
	}
	visual, ok := rootVisual(screen)
	if !ok {
		t.Fatalf("e2e: root visual %d not listed", screen.RootVisual)
	}
	reply, err := xproto.GetImage(x.conn, xproto.ImageFormatZPixmap, xproto.Drawable(x.root),
		0, 0, uint16(x.width), uint16(x.height), ^uint32(0)).Reply()
	if err != nil {
		t.Fatalf("e2e: GetImage on %s: %v", x.display, err)
	}
	img, err := decodeZPixmap(reply.Data, zpixmap{
		width: x.width, height: x.height,
		bitsPerPixel: int(format.BitsPerPixel), scanlinePad: int(format.ScanlinePad),
		lsbFirst: setup.ImageByteOrder == xproto.ImageOrderLSBFirst,
		red:      visual.RedMask, green: visual.GreenMask, blue: visual.BlueMask,
	})
	if err != nil {
		t.Fatalf("e2e: screenshot of %s: %v", x.display, err)
	}
	return img
}

func pixmapFormat(setup *xproto.SetupInfo, depth byte) (xproto.Format, bool) {
	for _, f := range setup.PixmapFormats {
		if f.Depth == depth {
			return f, true
		}
	}
	return xproto.Format{}, false
}

func rootVisual(screen *xproto.ScreenInfo) (xproto.VisualInfo, bool) {
	for _, d := range screen.AllowedDepths {
		for _, v := range d.Visuals {
			if v.VisualId == screen.RootVisual {
				return v, true
			}
		}
	}
	return xproto.VisualInfo{}, false
}

// zpixmap describes GetImage's ZPixmap data for a TrueColor visual.
type zpixmap struct {
	width, height    int
	bitsPerPixel     int  // 24 or 32 for depth 24
	scanlinePad      int  // rows are padded to a multiple of this many bits
	lsbFirst         bool // byte order of a pixel's bytes
	red, green, blue uint32
}

// decodeZPixmap turns ZPixmap bytes into RGBA. A pixel is bitsPerPixel/8 bytes read in the
// server's byte order into a value p; each channel is (p & mask) >> trailingZeros(mask),
// scaled to 8 bits. Rows are ⌈width·bpp / pad⌉·pad / 8 bytes apart.
func decodeZPixmap(data []byte, f zpixmap) (*image.RGBA, error) {
	if f.bitsPerPixel != 24 && f.bitsPerPixel != 32 {
		return nil, fmt.Errorf("unsupported %d bits per pixel", f.bitsPerPixel)
	}
	if f.scanlinePad <= 0 || f.scanlinePad > 128 || f.scanlinePad%8 != 0 { // X uses 8, 16 or 32
		return nil, fmt.Errorf("bad scanline pad %d", f.scanlinePad)
	}
	if f.width < 0 || f.height < 0 {
		return nil, fmt.Errorf("bad size %dx%d", f.width, f.height)
	}
	stride := (f.width*f.bitsPerPixel + f.scanlinePad - 1) / f.scanlinePad * f.scanlinePad / 8
	if need := stride * f.height; len(data) < need {
		return nil, fmt.Errorf("image data has %d bytes, %dx%d at %d bpp needs %d",
			len(data), f.width, f.height, f.bitsPerPixel, need)
	}
	bytesPerPixel := f.bitsPerPixel / 8
	img := image.NewRGBA(image.Rect(0, 0, f.width, f.height))
	for y := 0; y < f.height; y++ {
		row := data[y*stride:]
		out := img.Pix[y*img.Stride:]
		for x := 0; x < f.width; x++ {
			px := row[x*bytesPerPixel : (x+1)*bytesPerPixel]
			var p uint32
			for i := range px {
				if f.lsbFirst {
					p |= uint32(px[i]) << (8 * i)
				} else {
					p = p<<8 | uint32(px[i])
				}
			}
			out[4*x+0] = channel(p, f.red)
			out[4*x+1] = channel(p, f.green)
			out[4*x+2] = channel(p, f.blue)
			out[4*x+3] = 0xff
		}
	}
	return img, nil
}

// channel extracts the bits of mask from p and scales them to 0..255.
func channel(p, mask uint32) uint8 {
	if mask == 0 {
		return 0
	}
	n := bits.OnesCount32(mask)
	v := (p & mask) >> bits.TrailingZeros32(mask)
	if n >= 8 {
		return uint8(v >> (n - 8))
	}
	return uint8(v * 255 / (1<<n - 1))
}
