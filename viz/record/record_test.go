package record

import (
	"bytes"
	"image"
	"image/gif"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/flowviz/flowviz/flow"
	"github.com/flowviz/flowviz/flow/mlp"
	"github.com/flowviz/flowviz/flow/train"
	"github.com/flowviz/flowviz/viz/palette"
	"github.com/flowviz/flowviz/viz/scene"
)

// lineScene moves particles in a straight line from x0 to x0 + (2, 0).
func lineScene(x0 []flow.Vec, steps int) *scene.Scene {
	sc := &scene.Scene{}
	for k := range steps + 1 {
		t := float64(k) / float64(steps)
		sc.Times = append(sc.Times, t)
		row := make([]flow.Vec, len(x0))
		for i, p := range x0 {
			row[i] = flow.Vec{p[0] + 2*t, p[1]}
		}
		sc.Traj = append(sc.Traj, row)
	}
	return sc
}

func TestFramePlacesParticles(t *testing.T) {
	sc := lineScene([]flow.Vec{{-1, 0.5}, {math.NaN(), 0}}, 4)
	v := View{CenterX: 0, CenterY: 0, Zoom: 10} // 100×100 px shows [−5, 5]²
	colours := Colours(sc)
	tests := []struct {
		t    float64
		x, y int // top-left pixel of the 2×2 dot: (50 + 10·x, 50 − 10·y)
	}{
		{0, 40, 45},
		{0.5, 50, 45},
		{1, 60, 45},
		{0.25, 45, 45},
	}
	for _, tc := range tests {
		img := image.NewPaletted(image.Rect(0, 0, 100, 100), Palette())
		Frame(img, sc, tc.t, v, colours, nil)
		for _, d := range [][2]int{{0, 0}, {1, 0}, {0, 1}, {1, 1}} {
			if got := img.ColorIndexAt(tc.x+d[0], tc.y+d[1]); got != colours[0] {
				t.Errorf("t=%v: pixel (%d,%d) = %d, want particle colour %d", tc.t, tc.x+d[0], tc.y+d[1], got, colours[0])
			}
		}
		if got := img.ColorIndexAt(tc.x-1, tc.y-1); got != bg {
			t.Errorf("t=%v: pixel beside the dot = %d, want background", tc.t, got)
		}
		if got := img.ColorIndexAt(50, 10); got != axis {
			t.Errorf("t=%v: y axis pixel = %d, want %d", tc.t, got, axis)
		}
	}
}

func TestColoursFollowStartAngle(t *testing.T) {
	sc := lineScene([]flow.Vec{{1, 0.01}, {0, 1}, {-1, -0.01}, {0, -1}, {0.01, 0.01}}, 1)
	c := Colours(sc)
	// Quarter turns are three 30° sectors apart; a point near the origin is
	// an inner (darker) colour, the others outer.
	wantHue := []int{0, 3, 6, 9, 1}
	for i, w := range wantHue {
		h := (int(c[i]) - first) / levels
		if h != w {
			t.Errorf("particle %d: hue sector %d, want %d", i, h, w)
		}
	}
	if (int(c[4])-first)%levels != 0 || (int(c[0])-first)%levels != 1 {
		t.Errorf("lightness levels %v: want the centre inner, the rim outer", c)
	}
	if p := Palette(); len(p) != first+hues*levels || len(p) > 32 {
		t.Fatalf("palette has %d colours", len(p))
	}
}

func TestGIFDecodes(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	x0 := make([]flow.Vec, 500)
	for i := range x0 {
		x0[i] = flow.Vec{rng.NormFloat64(), rng.NormFloat64()}
	}
	sc := lineScene(x0, 10)
	var b bytes.Buffer
	if err := WriteGIF(&b, sc, Options{Size: 64, Frames: 6}); err != nil {
		t.Fatal(err)
	}
	anim, err := gif.DecodeAll(&b)
	if err != nil {
		t.Fatal(err)
	}
	if len(anim.Image) != 6 || anim.Image[0].Bounds().Dx() != 64 {
		t.Fatalf("%d frames of %v", len(anim.Image), anim.Image[0].Bounds())
	}
	if anim.Delay[5] != holdDelay || anim.Delay[0] != frameDelay {
		t.Fatalf("delays %v", anim.Delay)
	}
	// The particles move right: the first frame differs from the last.
	if bytes.Equal(anim.Image[0].Pix, anim.Image[5].Pix) {
		t.Fatal("first and last frames are the same")
	}
}

func TestAnimateRefuses(t *testing.T) {
	sc := lineScene([]flow.Vec{{0, 0}}, 2)
	for _, opt := range []Options{{Size: 8}, {Frames: 1}, {Size: MaxSize + 1}, {Frames: MaxFrames + 1}} {
		if _, err := Animate(sc, opt); err == nil {
			t.Errorf("Animate accepted %+v", opt)
		}
	}
	if _, err := Animate(&scene.Scene{}, Options{}); err == nil {
		t.Error("Animate accepted an empty scene")
	}
}

// BenchmarkFrame renders one 480 px frame of 4,000 particles (the app's
// default) over 50 solver steps.
func BenchmarkFrame(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	x0 := make([]flow.Vec, 4000)
	for i := range x0 {
		x0[i] = flow.Vec{rng.NormFloat64(), rng.NormFloat64()}
	}
	sc := lineScene(x0, 50)
	sc.Target = sc.Traj[50]
	img := image.NewPaletted(image.Rect(0, 0, DefaultSize, DefaultSize), Palette())
	v := FitView(sc, DefaultSize)
	c := Colours(sc)
	var pos []flow.Vec
	for i := 0; b.Loop(); i++ {
		pos = Frame(img, sc, float64(i%48)/47, v, c, pos)
	}
}

// BenchmarkGIF renders and encodes a whole default animation: 48 frames.
func BenchmarkGIF(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	x0 := make([]flow.Vec, 4000)
	for i := range x0 {
		x0[i] = flow.Vec{rng.NormFloat64(), rng.NormFloat64()}
	}
	sc := lineScene(x0, 50)
	for b.Loop() {
		var buf bytes.Buffer
		if err := WriteGIF(&buf, sc, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

func TestSampleMovesParticles(t *testing.T) {
	cfg := train.DefaultConfig()
	cfg.Net = mlp.Config{Width: 8, Depth: 1, Act: mlp.SiLU}
	tr, err := train.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	st := tr.CurrentState()
	sc := Sample(st.Model, st.Source, st.Target, 100, 5, flow.Euler, 1)
	if sc.Particles() != 100 || sc.Steps() != 5 || len(sc.Target) != 100 {
		t.Fatalf("%d particles, %d steps, %d target points", sc.Particles(), sc.Steps(), len(sc.Target))
	}
	// Traj[0] are the source draws; Euler moves them by the field.
	if sc.Traj[0][0] != sc.Source[0] || sc.Traj[5][0] == sc.Traj[0][0] {
		t.Fatalf("start %v, source %v, end %v", sc.Traj[0][0], sc.Source[0], sc.Traj[5][0])
	}
	again := Sample(st.Model, st.Source, st.Target, 100, 5, flow.Euler, 1)
	if again.Traj[5][99] != sc.Traj[5][99] {
		t.Fatal("same seed, different particles")
	}
}

// A GIF is recorded in the app's current look: the high-contrast theme's
// background and the colour-blind-safe start colours of cividis.
func TestPaletteFollowsTheLook(t *testing.T) {
	standard := Palette()
	palette.SetTheme(palette.HighContrast)
	if !palette.SetColours("cividis") {
		t.Fatal("no cividis colour map")
	}
	t.Cleanup(func() {
		palette.SetTheme(palette.Standard)
		palette.SetColours("viridis")
	})
	look := Palette()
	if len(look) != len(standard) {
		t.Fatalf("%d colours, want %d", len(look), len(standard))
	}
	if look[0] == standard[0] {
		t.Errorf("background %v is the standard theme's", look[0])
	}
	same := 0
	for i := first; i < len(look); i++ {
		if look[i] == standard[i] {
			same++
		}
	}
	if same > 0 {
		t.Errorf("%d of %d particle colours are the hue wheel's, not cividis's", same, len(look)-first)
	}
}
