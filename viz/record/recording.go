package record

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/gif"

	"github.com/flowviz/flowviz/flow"
	"github.com/flowviz/flowviz/viz/scene"
)

// Recording is SavePanesGIF's animation rendered and encoded a frame at a
// time, for a program on one thread (a page) that records in slices
// between its own frames: each Step draws one frame and encodes it. The
// bytes are gif.EncodeAll's of AnimatePanes's animation, bit for bit.
//
// image/gif encodes whole animations only; a GIF is a header, an
// optional loop block, one block per frame and a trailer, so each frame is
// encoded as a GIF of its own and its block taken out of it.
type Recording struct {
	scs     []*scene.Scene
	opt     Options
	colours [][]uint8
	scratch []flow.Vec
	rect    image.Rectangle
	i       int // frames done
	out     bytes.Buffer
	one     bytes.Buffer // one frame's GIF
}

// NewRecording starts recording the scenes side by side, as AnimatePanes.
func NewRecording(scs []*scene.Scene, opt Options) (*Recording, error) {
	if len(scs) == 0 {
		return nil, errors.New("record: no scene to animate")
	}
	for _, sc := range scs {
		if sc == nil || sc.Particles() == 0 {
			return nil, errors.New("record: no particles to animate yet")
		}
	}
	opt, err := opt.withDefaults(scs[0])
	if err != nil {
		return nil, err
	}
	r := &Recording{scs: scs, opt: opt, rect: image.Rect(0, 0, len(scs)*opt.Size+(len(scs)-1)*PaneGap, opt.Size)}
	if w := r.rect.Dx(); w > MaxSize*2 {
		return nil, fmt.Errorf("record: %d panels of %d px are %d px wide, at most %d", len(scs), opt.Size, w, MaxSize*2)
	}
	for _, sc := range scs {
		r.colours = append(r.colours, Colours(sc))
	}
	return r, nil
}

// Frames is the number of frames.
func (r *Recording) Frames() int { return r.opt.Frames }

// Done is how many frames are recorded.
func (r *Recording) Done() int { return r.i }

// Step draws and encodes the next frame and reports whether the GIF is
// complete.
func (r *Recording) Step() (bool, error) {
	if r.i == r.opt.Frames {
		return true, nil
	}
	img := r.frame(r.i)
	r.one.Reset()
	if err := gif.EncodeAll(&r.one, &gif.GIF{Image: []*image.Paletted{img}, Delay: []int{r.delay(r.i)}}); err != nil {
		return false, err
	}
	b := r.one.Bytes()
	// "GIF89a", the screen's width and height, flags, background and
	// aspect: 13 bytes, then no global colour table (every frame has its
	// own palette, as AnimatePanes's do).
	const header = 13
	if len(b) < header+1 || b[10]&0x80 != 0 || b[len(b)-1] != 0x3b {
		return false, errors.New("record: unexpected GIF layout from image/gif")
	}
	if r.i == 0 {
		r.out.Write(b[:header])
		if r.opt.Frames > 1 {
			// The NETSCAPE2.0 block: loop forever (LoopCount 0).
			r.out.Write([]byte{0x21, 0xff, 0x0b})
			r.out.WriteString("NETSCAPE2.0")
			r.out.Write([]byte{0x03, 0x01, 0x00, 0x00, 0x00})
		}
	}
	r.out.Write(b[header : len(b)-1])
	if r.i++; r.i == r.opt.Frames {
		r.out.WriteByte(0x3b)
		return true, nil
	}
	return false, nil
}

// frame draws frame i of the animation, as AnimatePanes does.
func (r *Recording) frame(i int) *image.Paletted {
	img := image.NewPaletted(r.rect, r.opt.Palette)
	t := float64(i) / float64(r.opt.Frames-1)
	for j, sc := range r.scs {
		x := j * (r.opt.Size + PaneGap)
		panel := img.SubImage(image.Rect(x, 0, x+r.opt.Size, r.opt.Size)).(*image.Paletted)
		r.scratch = Frame(panel, sc, t, r.opt.View, r.colours[j], r.opt.Trails, r.scratch)
		if j > 0 {
			for y := range r.opt.Size {
				img.Pix[y*img.Stride+x-PaneGap/2] = axis
			}
		}
	}
	return img
}

// delay is frame i's delay: the last holds the formed target.
func (r *Recording) delay(i int) int {
	if i == r.opt.Frames-1 {
		return holdDelay
	}
	return frameDelay
}

// Bytes returns the GIF once Step has reported it complete.
func (r *Recording) Bytes() []byte { return r.out.Bytes() }
