package imageview

import (
	"context"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/flowviz/flowviz/flow/hd"
	"github.com/flowviz/flowviz/flow/mlp"
)

// smallConfig is a quick image model: 8 × 8 digits, a narrow network.
func smallConfig() hd.Config {
	cfg := hd.DefaultConfig()
	cfg.Target, cfg.Net.Width, cfg.Net.Depth, cfg.Batch = "digits8", 32, 2, 32
	cfg.Fresh, cfg.PoolSize = 8, 256
	return cfg
}

func TestLayout(t *testing.T) {
	for _, tc := range []struct {
		name string
		area Rect
		s    float64
	}{
		{"1280x800 scale 1", Rect{0, 0, 950, 716}, 1},
		{"1920x1080 scale 2", Rect{0, 0, 1260, 912}, 2},
		{"lesson figure", Rect{700, 0, 1200, 900}, 1},
		{"lesson figure at scale 2", Rect{571, 0, 698, 816}, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, mode := range []Mode{GridView, PCAView} {
				l := NewLayout(tc.area, tc.s, mode)
				parts := map[string]Rect{"near": l.Near, "main": l.Main, "strip": l.Strip}
				if tc.area.W >= NarrowWidth*tc.s {
					parts["info"] = l.Info
				} else if l.Info != (Rect{}) {
					t.Errorf("%v: a narrow area has a readout %+v", mode, l.Info)
				}
				for name, r := range parts {
					if r.W <= 0 || r.H <= 0 || r.X < tc.area.X || r.Y < tc.area.Y || r.X+r.W > tc.area.X+tc.area.W+1e-9 || r.Y+r.H > tc.area.Y+tc.area.H+1e-9 {
						t.Errorf("%v: %s %+v not inside %+v", mode, name, r, tc.area)
					}
				}
				if overlap(l.Main, l.Strip) || overlap(l.Main, l.Near) || overlap(l.Main, l.Info) || overlap(l.Near, l.Strip) {
					t.Errorf("%v: parts overlap: %+v", mode, l)
				}
				if mode == GridView && math.Abs(l.Main.W-l.Main.H) > 1e-9 {
					t.Errorf("grid %+v not square", l.Main)
				}
			}
		})
	}
}

func overlap(a, b Rect) bool {
	return a.X < b.X+b.W && b.X < a.X+a.W && a.Y < b.Y+b.H && b.Y < a.Y+a.H
}

func TestCellAtAndClick(t *testing.T) {
	l := NewLayout(Rect{0, 0, 1280, 800}, 1, GridView)
	m := l.Main
	cell := m.W / Cols
	for _, tc := range []struct {
		x, y float64
		want int
		ok   bool
	}{
		{m.X + 1, m.Y + 1, 0, true},
		{m.X + cell*1.5, m.Y + 1, 1, true},
		{m.X + 1, m.Y + cell*1.5, Cols, true},
		{m.X + m.W - 1, m.Y + m.H - 1, Cells - 1, true},
		{m.X - 1, m.Y + 1, 0, false},
		{m.X + m.W + 1, m.Y + 1, 0, false},
	} {
		got, ok := l.CellAt(tc.x, tc.y, Cols)
		if ok != tc.ok || (ok && got != tc.want) {
			t.Errorf("CellAt(%v, %v) = %d, %v; want %d, %v", tc.x, tc.y, got, ok, tc.want, tc.ok)
		}
	}
	var v View
	if !v.Click(l, m.X+m.W-1, m.Y+1, Cols) || v.Cell != Cols-1 {
		t.Errorf("click on the top right cell chose %d", v.Cell)
	}
	v.Toggle()
	if v.Mode != PCAView || v.Click(l, m.X+1, m.Y+1, Cols) || v.Cell != Cols-1 {
		t.Errorf("in the PCA view a click chose %d (mode %v)", v.Cell, v.Mode)
	}
	v.Toggle()
	if v.Mode != GridView {
		t.Errorf("two toggles: mode %v", v.Mode)
	}
}

// TestFrameAt: on a solver state t = k/N exactly that state, between two
// the straight line, as the 2D particles move.
func TestFrameAt(t *testing.T) {
	const n, dim = 4, 2
	f := &Frame{N: n, Dim: dim}
	for k := range n + 1 {
		st := make([]float32, Cells*dim)
		for i := range st {
			st[i] = float32(k*k) + float32(i)/1000
		}
		f.States = append(f.States, st)
	}
	for _, tc := range []struct {
		t    float64
		want float64 // of value 0
	}{
		{0, 0}, {0.25, 1}, {0.5, 4}, {1, 16}, {0.375, 2.5}, {0.9, 9 + 0.6*7}, {2.0 / 3, 4 + (2.0/3*4-2)*5},
	} {
		got := f.At(nil, tc.t)
		if math.Abs(float64(got[0])-tc.want) > 1e-5 || math.Abs(float64(got[5]-got[0])-0.005) > 1e-5 {
			t.Errorf("At(%v)[0] = %v, want %v", tc.t, got[0], tc.want)
		}
	}
}

func TestTiles(t *testing.T) {
	const side = 3
	imgs := [][]float32{make([]float32, 9), make([]float32, 9), make([]float32, 9)}
	for i := range 9 {
		imgs[0][i] = -1 // no ink
		imgs[1][i] = 1  // full ink
		imgs[2][i] = 5  // clipped
	}
	imgs[0][4] = 0 // half ink in the middle
	pic := Tiles(nil, 3, 2, side, 1, func(i int) []float32 { return imgs[i] })
	if w, h := pic.Rect.Dx(), pic.Rect.Dy(); w != 2*(side+1)+1 || h != 2*(side+1)+1 {
		t.Fatalf("picture %d×%d", w, h)
	}
	for _, tc := range []struct {
		x, y int
		want uint8
	}{
		{1, 1, 0}, {2, 2, 128}, {5, 1, 255}, {1, 5, 255}, {0, 0, 48},
	} {
		if got := pic.RGBAAt(tc.x, tc.y).G; got != tc.want {
			t.Errorf("pixel (%d, %d) = %d, want %d", tc.x, tc.y, got, tc.want)
		}
	}
	if c := pic.RGBAAt(4, 0); c.R != 255 || c.G != 190 {
		t.Errorf("the chosen image's frame is %v, want the accent", c)
	}
	if c := pic.RGBAAt(5, 5); c.G != 48 {
		t.Errorf("the empty fourth slot is %v, want the gap colour", c)
	}
}

func TestStrip(t *testing.T) {
	for _, tc := range []struct {
		n, side int
		width   float64
		every   int
		states  int
	}{
		{50, 16, 1800, 1, 51},  // 51 × 17 = 867 px fit
		{50, 16, 600, 2, 26},   // 35 fit: every 2nd, and the last
		{200, 16, 1200, 3, 68}, // 70 fit
		{1, 16, 100, 1, 2},     // both states
		{10, 8, 10, 10, 2},     // too narrow even for two: the ends
		{200, 16, 17 * 200, 2, 101},
	} {
		every := StripEvery(tc.n, tc.side, tc.width, 0)
		ks := StripStates(tc.n, every)
		if every != tc.every || len(ks) != tc.states || ks[0] != 0 || ks[len(ks)-1] != tc.n {
			t.Errorf("N %d side %d width %v: every %d, states %v", tc.n, tc.side, tc.width, every, ks)
		}
		if float64(len(ks)*(tc.side+1)) > tc.width && len(ks) > 2 {
			t.Errorf("N %d: %d states of %d px do not fit in %v", tc.n, len(ks), tc.side+1, tc.width)
		}
	}
	// Tiles of at least 64 px on a 1212 px strip: 18 fit, so every 3rd of 50.
	if every := StripEvery(50, 16, 1212, 64); every != 3 {
		t.Errorf("64 px tiles: every %d", every)
	}
}

// TestSampleIsTheEulerLoop checks a frame against the loop it shows: every
// state is the one before plus (1/N)·v, so |x_{k+1} − x_k|·N = |v_k|; the
// projections are the states' on the components; the nearest image of a
// sample is no farther than any other.
func TestSampleIsTheEulerLoop(t *testing.T) {
	d, err := NewData("digits8", 3)
	if err != nil {
		t.Fatal(err)
	}
	if f := d.PCA.Fraction(); !(f > 0.05 && f < 0.9) {
		t.Errorf("two components hold %v of the variance", f)
	}
	cfg := smallConfig()
	cfg.Net.Dim = d.Dim
	net, err := mlp.New(cfg.Net, rand.New(rand.NewPCG(1, 2)))
	if err != nil {
		t.Fatal(err)
	}
	const n = 5
	x0 := Noise(d.Dim, 7, 0)
	f, err := Sample(context.Background(), d, net, x0, n, Guidance{W: 1})
	if err != nil {
		t.Fatal(err)
	}
	if len(f.States) != n+1 || len(f.Speed) != n || len(f.Proj) != n+1 || len(f.Class) != Particles || len(f.Nearest) != Cells {
		t.Fatalf("frame of %d states, %d speeds, %d projections, %d classes, %d nearest", len(f.States), len(f.Speed), len(f.Proj), len(f.Class), len(f.Nearest))
	}
	for i := range Cells {
		if got, want := f.Image(0, i), x0[i*d.Dim:(i+1)*d.Dim]; got[0] != want[0] || got[d.Dim-1] != want[d.Dim-1] {
			t.Fatalf("state 0 of image %d is not its noise", i)
		}
	}
	for k := range n {
		for _, i := range []int{0, 17, Cells - 1} {
			a, b := f.Image(k, i), f.Image(k+1, i)
			var s float64
			for j := range a {
				s += float64(b[j]-a[j]) * float64(b[j]-a[j])
			}
			if got, want := math.Sqrt(s)*n, float64(f.Speed[k][i]); math.Abs(got-want) > 1e-4*(1+want) {
				t.Errorf("step %d image %d: |Δx|·N = %v, |v| = %v", k, i, got, want)
			}
		}
	}
	xy := make([]float32, 2)
	d.PCA.Project(xy, f.Image(n, 5))
	if p := f.Proj[n][5]; math.Abs(p[0]-float64(xy[0])) > 1e-4 || math.Abs(p[1]-float64(xy[1])) > 1e-4 {
		t.Errorf("projection %v, want %v", p, xy)
	}
	last := f.Image(n, 3)
	best := f.NearestDist[3]
	for j := range 50 {
		var s float64
		for k, v := range d.X[j*d.Dim : (j+1)*d.Dim] {
			s += float64(v-last[k]) * float64(v-last[k])
		}
		if math.Sqrt(s) < best-1e-4 {
			t.Errorf("data image %d is %v from sample 3, nearer than its nearest %d (%v)", j, math.Sqrt(s), f.Nearest[3], best)
		}
	}
	if _, err := Sample(context.Background(), d, net, x0[:10], n, Guidance{W: 1}); err == nil {
		t.Error("Sample of too little noise did not fail")
	}
}

// TestBackend runs a small model for real: frames arrive from the newest
// weights, Pause stops the steps, Reset starts again from step 0, and
// SetSteps reaches the frames.
func TestBackend(t *testing.T) {
	b, err := New(smallConfig(), 10, 1)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- b.Run(ctx) }()
	defer func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Run: %v", err)
			}
		case <-time.After(30 * time.Second):
			t.Error("Run did not return within 30 s of the cancel")
		}
	}()
	wait := func(what string, ok func() bool) {
		t.Helper()
		deadline := time.Now().Add(120 * time.Second)
		for !ok() {
			if time.Now().After(deadline) {
				t.Fatalf("no %s within 120 s; status %+v", what, b.Status())
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	wait("frame of 10 steps", func() bool { f := b.Frame(); return f != nil && f.N == 10 })
	wait("training steps", func() bool { return b.Status().Step > 20 })
	if d := b.Data(); d == nil || d.Dim != 64 || len(d.Proj) != RefImages {
		t.Fatalf("data %+v", d)
	}
	// New NUM_STEPS make a frame at once, of the newest weights.
	first := b.Frame()
	b.SetSteps(3)
	wait("frame of 3 steps", func() bool { f := b.Frame(); return f.N == 3 && f.Seq > first.Seq && f.Step > first.Step })
	b.Pause()
	wait("paused state", func() bool { return b.Status().State == "paused" })
	// Status says paused at once; a step under way still finishes.
	time.Sleep(500 * time.Millisecond)
	at := b.Status().Step
	time.Sleep(300 * time.Millisecond)
	if now := b.Status().Step; now != at {
		t.Errorf("paused at step %d, then step %d", at, now)
	}
	b.Reset()
	wait("restart", func() bool { return b.Status().Step < at })
	b.Train()
	wait("training again", func() bool { st := b.Status(); return st.State == "running" && st.Step > 5 && len(st.LossHistory) > 0 })
	if st := b.Status(); !(st.Loss > 0) || st.Err != nil {
		t.Errorf("status %+v", st)
	}
}

// TestConditionalFrame: a conditional network's frame asks one digit of
// every particle, or every digit a grid row, and scores itself; the grid of
// ten rows maps clicks onto its own shape.
func TestConditionalFrame(t *testing.T) {
	d, err := NewData("digits8", 3)
	if err != nil {
		t.Fatal(err)
	}
	cfg := smallConfig()
	cfg.Net.Dim, cfg.Net.Classes = d.Dim, hd.Classes
	net, err := mlp.New(cfg.Net, rand.New(rand.NewPCG(1, 2)))
	if err != nil {
		t.Fatal(err)
	}
	x0 := Noise(d.Dim, 7, 0)
	for _, tc := range []struct {
		name string
		g    Guidance
		rows int
		want func(i int) int
	}{
		{"digit 3", Guidance{OneClass: true, Class: 3, W: 2}, Cols, func(int) int { return 3 }},
		{"every digit", Guidance{W: 1}, hd.Classes, func(i int) int { return i / Cols }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, err := Sample(context.Background(), d, net, x0, 2, tc.g)
			if err != nil {
				t.Fatal(err)
			}
			if f.Rows != tc.rows || len(f.States[0]) != tc.rows*Cols*d.Dim || len(f.Nearest) != f.Cells() || len(f.Asked) != Particles || f.Guidance != tc.g {
				t.Fatalf("rows %d, %d values a state, %d nearest, %d asked", f.Rows, len(f.States[0]), len(f.Nearest), len(f.Asked))
			}
			for i := range f.Cells() {
				if f.Asked[i] != tc.want(i) {
					t.Fatalf("grid image %d asked for digit %d, want %d", i, f.Asked[i], tc.want(i))
				}
			}
			a, ok := f.Accuracy()
			if !ok || a < 0 || a > 1 {
				t.Errorf("accuracy %v, %v", a, ok)
			}
		})
	}
	var un Frame
	if _, ok := un.Accuracy(); ok {
		t.Error("an unconditional frame reports an accuracy")
	}
	if _, err := Sample(context.Background(), d, net, x0, 2, Guidance{OneClass: true, Class: 10, W: 1}); err == nil {
		t.Error("digit 10 was sampled")
	}
	// Ten rows in a square area: the grid is narrower than the area, and
	// its last row's last image is at its bottom right.
	l := NewLayout(Rect{0, 0, 1200, 900}, 1, GridView)
	g := l.GridRect(hd.Classes)
	if !(g.W < l.Main.W && g.H <= l.Main.H+1e-9) {
		t.Fatalf("grid %+v in main %+v", g, l.Main)
	}
	if i, ok := l.CellAt(g.X+g.W-1, g.Y+g.H-1, hd.Classes); !ok || i != hd.Classes*Cols-1 {
		t.Errorf("bottom right of ten rows: %d, %v", i, ok)
	}
	if _, ok := l.CellAt(l.Main.X+1, l.Main.Y+l.Main.H/2, hd.Classes); ok {
		t.Error("a click beside the narrower grid chose an image")
	}
}

// TestBackendGuidance: a conditional backend samples what SetGuidance asks,
// at once.
func TestBackendGuidance(t *testing.T) {
	cfg := smallConfig()
	cfg.Net.Classes = hd.Classes
	b, err := New(cfg, 4, 1)
	if err != nil {
		t.Fatal(err)
	}
	defer start(b)()
	wait := func(what string, ok func(f *Frame) bool) {
		t.Helper()
		deadline := time.Now().Add(120 * time.Second)
		for f := b.Frame(); f == nil || !ok(f); f = b.Frame() {
			if time.Now().After(deadline) {
				t.Fatalf("no %s within 120 s", what)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	wait("frame of every digit", func(f *Frame) bool { return f.Rows == hd.Classes && f.Guidance.W == 1 })
	b.SetGuidance(Guidance{OneClass: true, Class: 7, W: 3})
	wait("frame of digit 7", func(f *Frame) bool {
		return f.Rows == Cols && f.Guidance == Guidance{OneClass: true, Class: 7, W: 3} && f.Asked[0] == 7
	})
	b.SetGuidance(Guidance{OneClass: true, Class: 12, W: 99})
	if g := b.Guidance(); g.Class != 9 || g.W != 10 {
		t.Errorf("guidance clamped to %+v", g)
	}
}

// TestBackendRestores: a backend's state, taken while it trains, restores
// into a new backend that goes on from that step with the same weights,
// and TrainingState gives up after its wait when nobody answers.
func TestBackendRestores(t *testing.T) {
	cfg := smallConfig()
	cfg.Net.Classes = hd.Classes
	b, err := New(cfg, 4, 1)
	if err != nil {
		t.Fatal(err)
	}
	stop := start(b)
	deadline := time.Now().Add(120 * time.Second)
	for b.Status().Step < 30 {
		if time.Now().After(deadline) {
			t.Fatal("no 30 steps within 120 s")
		}
		time.Sleep(20 * time.Millisecond)
	}
	saved, err := b.TrainingState(30 * time.Second)
	stop()
	if err != nil {
		t.Fatal(err)
	}
	if saved.Model.Step < 30 || saved.Optimizer.Steps != saved.Model.Step || !saved.Model.Config.Conditional() {
		t.Fatalf("saved at step %d, optimiser %d steps", saved.Model.Step, saved.Optimizer.Steps)
	}
	if _, err := b.TrainingState(50 * time.Millisecond); err == nil {
		t.Error("a stopped backend answered")
	}
	again, err := NewRestored(saved.Model, &saved.Optimizer, 4)
	if err != nil {
		t.Fatal(err)
	}
	again.Pause()
	stop = start(again)
	defer stop()
	got, err := again.TrainingState(30 * time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if got.Model.Step != saved.Model.Step || !slices.Equal(got.Model.Params, saved.Model.Params) ||
		!slices.Equal(got.Model.EMAParams, saved.Model.EMAParams) || !slices.Equal(got.Optimizer.M, saved.Optimizer.M) {
		t.Error("the restored backend does not hold the saved run")
	}
	bad := *saved.Model
	bad.Params = bad.Params[:5]
	if _, err := NewRestored(&bad, nil, 4); err == nil {
		t.Error("a model of the wrong size was restored")
	}
}

// start runs b on a goroutine until the returned stop is called, which
// waits for Run to return.
func start(b *Backend) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- b.Run(ctx) }()
	return func() { cancel(); <-done }
}
