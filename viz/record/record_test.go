package record

import (
	"bytes"
	"context"
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
		Frame(img, sc, tc.t, v, colours, false, nil)
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
	if p := Palette(); len(p) != paletteSize || trailFirst > 32 {
		t.Fatalf("palette has %d colours, %d without trails", len(p), trailFirst)
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
	if err := WriteGIF(context.Background(), &b, sc, Options{Size: 64, Frames: 6}); err != nil {
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
		if _, err := Animate(context.Background(), sc, opt); err == nil {
			t.Errorf("Animate accepted %+v", opt)
		}
	}
	if _, err := Animate(context.Background(), &scene.Scene{}, Options{}); err == nil {
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
		pos = Frame(img, sc, float64(i%48)/47, v, c, false, pos)
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
		if err := WriteGIF(context.Background(), &buf, sc, Options{}); err != nil {
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

// TestFrameTrails checks that a particle moving right leaves a trail to its
// left, in its own colour's trail shades, darkest at the tail, and none
// without trails.
func TestFrameTrails(t *testing.T) {
	sc := lineScene([]flow.Vec{{-1, 0.5}}, 50)
	v := View{Zoom: 10}
	colours := Colours(sc)
	img := image.NewPaletted(image.Rect(0, 0, 100, 100), Palette())
	Frame(img, sc, 0.5, v, colours, true, nil)
	// At t = 0.5 the dot is at x = 0 (pixel 50); the trail covers
	// t ∈ [0.38, 0.5], x ∈ [−0.24, 0] (pixels 47.6..50) on row 45.
	base := trailFirst + int(colours[0]-first)*scene.TrailSegments
	var shades []uint8
	for x := 47; x < 50; x++ {
		c := img.ColorIndexAt(x, 45)
		if int(c) < base || int(c) >= base+scene.TrailSegments {
			t.Fatalf("pixel (%d,45) = %d, want a trail shade of colour %d (%d..%d)", x, c, colours[0], base, base+scene.TrailSegments-1)
		}
		shades = append(shades, c)
	}
	for i := 1; i < len(shades); i++ {
		if shades[i] < shades[i-1] {
			t.Errorf("trail shades %v do not brighten toward the particle", shades)
		}
	}
	if got := img.ColorIndexAt(50, 45); got != colours[0] {
		t.Errorf("the particle (%d) is not drawn over its trail", got)
	}
	Frame(img, sc, 0.5, v, colours, false, nil)
	if got := img.ColorIndexAt(48, 45); got != bg {
		t.Errorf("without trails pixel (48,45) = %d, want background", got)
	}
	if n := len(Palette()); n != paletteSize || n > 256 {
		t.Errorf("palette of %d colours, want %d ≤ 256", n, paletteSize)
	}
}

// Compare mode's GIF: the panes side by side on one clock and one view,
// each particle where its own scene puts it, the divider between, and
// neither panel cleared by the other's drawing.
func TestAnimatePanesSideBySide(t *testing.T) {
	a := lineScene([]flow.Vec{{-1, 0.5}}, 4) // moves right by 2
	b := lineScene([]flow.Vec{{-1, -1}}, 4)
	for k := range b.Traj { // moves up by 2 instead
		b.Traj[k][0] = flow.Vec{-1, -1 + 2*b.Times[k]}
	}
	const size = 100
	anim, err := AnimatePanes(context.Background(), []*scene.Scene{a, b}, Options{Size: size, Frames: 5, View: View{Zoom: 10}})
	if err != nil {
		t.Fatal(err)
	}
	last := anim.Image[len(anim.Image)-1]
	if got, want := last.Bounds().Dx(), 2*size+PaneGap; got != want || last.Bounds().Dy() != size {
		t.Fatalf("frame %v, want %d×%d", last.Bounds(), want, size)
	}
	ca, cb := Colours(a)[0], Colours(b)[0]
	for _, tc := range []struct {
		name string
		x, y int
		want uint8
	}{
		{"A's particle at (1, 0.5)", 60, 45, ca},
		{"B's particle at (−1, 1)", size + PaneGap + 40, 40, cb},
		{"nothing of B in A's panel", 40, 40, bg},
		{"nothing of A in B's panel", size + PaneGap + 60, 45, bg},
		{"the divider", size + PaneGap/2, 10, axis},
		{"A's y axis", 50, 10, axis},
		{"B's y axis", size + PaneGap + 50, 10, axis},
	} {
		if got := last.ColorIndexAt(tc.x, tc.y); got != tc.want {
			t.Errorf("%s: pixel (%d,%d) = %d, want %d", tc.name, tc.x, tc.y, got, tc.want)
		}
	}
	if _, err := AnimatePanes(context.Background(), []*scene.Scene{a, nil}, Options{Size: size}); err == nil {
		t.Error("a pane without a scene was recorded")
	}
}
