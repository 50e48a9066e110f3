package densityview

import (
	"math"
	"math/rand/v2"
	"runtime"
	"testing"
	"time"

	"github.com/flowviz/flowviz/flow/data"
	"github.com/flowviz/flowviz/flow/density"
	"github.com/flowviz/flowviz/flow/mlp"
	"github.com/flowviz/flowviz/flow/train"
	"github.com/flowviz/flowviz/viz/palette"
)

func TestModeCycle(t *testing.T) {
	want := []Mode{Learned, Exact, Difference, Divergence, Off}
	m := Off
	for _, w := range want {
		m = m.Next()
		if m != w {
			t.Fatalf("Next gave %v, want %v", m, w)
		}
		if got, ok := ParseMode(m.String()); !ok || got != m {
			t.Errorf("ParseMode(%q) = %v, %v", m.String(), got, ok)
		}
	}
	if _, ok := ParseMode("density"); ok {
		t.Error("ParseMode accepted an unknown name")
	}
}

// pixel returns the straight-alpha colour Paint wrote for cell i.
func pixel(pix []byte, i int) (r, g, b, a float64) {
	a = float64(pix[4*i+3]) / 255
	if a == 0 {
		return 0, 0, 0, 0
	}
	return float64(pix[4*i]) / 255 / a, float64(pix[4*i+1]) / 255 / a, float64(pix[4*i+2]) / 255 / a, a
}

func TestPaintLogDensity(t *testing.T) {
	hi := -1.5
	values := []float64{hi, hi - Span, hi - Span/2, math.NaN(), math.Inf(-1), hi - 3*Span}
	pix, s := Paint(nil, Learned, values)
	if s.Signed || s.Hi != hi || s.Lo != hi-Span {
		t.Fatalf("scale %+v, want [%v, %v] unsigned", s, hi-Span, hi)
	}
	tests := []struct {
		i    int
		want palette.RGBA
	}{
		{0, palette.Inferno(1).WithAlpha(0.92)},
		{1, palette.Inferno(0).WithAlpha(0.92)},
		{2, palette.Inferno(0.5).WithAlpha(0.92)},
		{3, palette.NoValue.WithAlpha(0.5)}, // NaN: grey, never a real value
		{4, palette.Inferno(0).WithAlpha(0.92)},
		{5, palette.Inferno(0).WithAlpha(0.92)}, // below the span: clamped
	}
	for _, tc := range tests {
		r, g, b, a := pixel(pix, tc.i)
		// premultiplied bytes round to 1/255 of alpha
		tol := 1.5 / 255 / math.Max(a, 0.1)
		if math.Abs(a-float64(tc.want.A)) > 1.0/255 || math.Abs(r-float64(tc.want.R)) > tol || math.Abs(g-float64(tc.want.G)) > tol || math.Abs(b-float64(tc.want.B)) > tol {
			t.Errorf("cell %d (%v): colour (%.3f %.3f %.3f %.3f), want %+v", tc.i, values[tc.i], r, g, b, a, tc.want)
		}
	}
	// The buffer is reused when large enough.
	again, _ := Paint(pix, Learned, values[:2])
	if &again[0] != &pix[0] || len(again) != 8 {
		t.Error("Paint did not reuse its buffer")
	}
}

func TestPaintSigned(t *testing.T) {
	// 200 cells from −1 to 1 and one wild outlier that must not set the scale.
	values := make([]float64, 201)
	for i := range 200 {
		values[i] = -1 + 2*float64(i)/199
	}
	values[200] = 50
	for _, m := range []Mode{Divergence, Difference} {
		pix, s := Paint(nil, m, values)
		if !s.Signed || s.Lo != -s.Hi || s.Hi < 0.97 || s.Hi > 1.01 {
			t.Fatalf("%v scale %+v: want symmetric about 0 at the 99th percentile of |v| ≈ 1", m, s)
		}
		// −1: blue, opaque; +1: red, opaque; 0: transparent.
		r, _, b, a := pixel(pix, 0)
		if !(b > r+0.3 && a > 0.9) {
			t.Errorf("%v at −1: (%.2f, %.2f, alpha %.2f), want opaque blue", m, r, b, a)
		}
		r, _, b, a = pixel(pix, 199)
		if !(r > b+0.3 && a > 0.9) {
			t.Errorf("%v at +1: (%.2f, %.2f, alpha %.2f), want opaque red", m, r, b, a)
		}
		if c := s.Colour(0); c.A > 0.01 {
			t.Errorf("%v at 0: alpha %v, want transparent", m, c.A)
		}
		// Alpha grows with |v| on both sides, equally.
		if lo, hi := s.Colour(-0.5), s.Colour(0.5); math.Abs(float64(lo.A-hi.A)) > 1e-6 || !(lo.A > s.Colour(-0.25).A) {
			t.Errorf("%v: alpha at ∓0.5 %v, %v; at −0.25 %v", m, lo.A, hi.A, s.Colour(-0.25).A)
		}
	}
}

func TestGridFollowsTheView(t *testing.T) {
	for _, vis := range []density.Rect{{MinX: -4, MinY: -4, MaxX: 4, MaxY: 4}, {MinX: -8.3, MinY: -2.1, MaxX: 7.9, MaxY: 6.4}, {MinX: 100, MinY: 100, MaxX: 100.5, MaxY: 101}} {
		g := GridFor(vis)
		if err := g.Validate(); err != nil {
			t.Fatal(err)
		}
		if min(g.NX, g.NY) < Cells {
			t.Errorf("%v: %d×%d cells, want at least %d on the shorter side", vis, g.NX, g.NY, Cells)
		}
		w, h := g.CellSize()
		if math.Abs(w-h) > 1e-9*w {
			t.Errorf("%v: cells %g×%g, want square", vis, w, h)
		}
		if !covers(g, vis) {
			t.Errorf("%v: grid %v does not cover it", vis, g.View)
		}
		// A small pan stays on the grid; a zoom by 2 does not.
		dx := 0.5 * w
		if !covers(g, density.Rect{MinX: vis.MinX + dx, MinY: vis.MinY, MaxX: vis.MaxX + dx, MaxY: vis.MaxY}) {
			t.Errorf("%v: half a cell's pan leaves the grid", vis)
		}
		cx, cy := (vis.MinX+vis.MaxX)/2, (vis.MinY+vis.MaxY)/2
		if covers(g, density.Rect{MinX: cx - (vis.MaxX-vis.MinX)/4, MinY: cy - (vis.MaxY-vis.MinY)/4, MaxX: cx + (vis.MaxX-vis.MinX)/4, MaxY: cy + (vis.MaxY-vis.MinY)/4}) {
			t.Errorf("%v: zoomed in 2×, the coarse grid still counts as covering", vis)
		}
	}
}

// testModel is a small untrained model of the default data.
func testModel(t *testing.T, seed uint64, step int) *train.Model {
	t.Helper()
	cfg := train.DefaultConfig()
	cfg.Net = mlp.Config{Width: 16, Depth: 2, Act: mlp.SiLU}
	net, err := mlp.New(cfg.Net, rand.New(rand.NewPCG(seed, 1)))
	if err != nil {
		t.Fatal(err)
	}
	return &train.Model{Version: train.ModelVersion, Config: cfg, Params: net.Params, Step: step}
}

// settle updates v with f until a layer of step f.Step is shown.
func settle(t *testing.T, v *View, f Frame) *density.Layer {
	t.Helper()
	return settleOn(t, v, f, func(*density.Layer) bool { return true })
}

// settleOn is settle until the layer shown also satisfies ok.
func settleOn(t *testing.T, v *View, f Frame, ok func(*density.Layer) bool) *density.Layer {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		v.Update(f)
		if l, _ := v.Shown(); l != nil && l.T == float64(f.Step)/float64(f.Steps) && l.Err == nil && ok(l) {
			return l
		}
		time.Sleep(5 * time.Millisecond)
	}
	_, note := v.Shown()
	t.Fatalf("no %v layer of step %d/%d (note %q)", v.Mode, f.Step, f.Steps, note)
	return nil
}

// TestViewCachesPerSnapshotAndStep checks the layer keys: a step once
// computed is shown again from the cache for the same snapshot; a newer
// snapshot of the same run keeps the pinned one for a while; another model
// gets layers of its own; the exact layer does not depend on the model.
func TestViewCachesPerSnapshotAndStep(t *testing.T) {
	v := &View{Mode: Learned}
	v.Start(nil)
	defer v.Close()
	m1 := testModel(t, 1, 100)
	f := Frame{
		Visible: density.Rect{MinX: -4, MinY: -3, MaxX: 4, MaxY: 3}, Settled: true,
		Step: 5, Steps: 10, Model: m1, Training: true,
		Source: "gaussian", Target: "8gaussians", Path: "linear", Coupling: train.CouplingIndependent,
	}
	at5 := settle(t, v, f)
	if g := v.Grid(); at5.Grid != g || min(g.NX, g.NY) < Cells {
		t.Errorf("layer on grid %+v, view's grid %+v", at5.Grid, g)
	}
	f.Step = 2
	at2 := settle(t, v, f)
	if at2 == at5 || at2.Model != at5.Model {
		t.Fatalf("step 2: layer %p model %d; step 5: %p model %d", at2, at2.Model, at5, at5.Model)
	}
	// Back to step 5: the cached layer, not a new one.
	f.Step = 5
	if l := settle(t, v, f); l != at5 {
		t.Error("step 5 was computed again instead of taken from the cache")
	}
	// A newer snapshot of the same run, moments later: the pinned one stays.
	f.Model = testModel(t, 1, 110)
	if l := settle(t, v, f); l != at5 {
		t.Error("a newer snapshot within repinEvery replaced the pinned one")
	}
	// Another network (other width): pinned at once, its own layers.
	other := testModel(t, 2, 0)
	other.Config.Net.Width = 8
	net, _ := mlp.New(other.Config.Net, rand.New(rand.NewPCG(3, 4)))
	other.Params = net.Params
	f.Model = other
	// Meanwhile the old model's layer of the step stands in.
	v.Update(f)
	if l, _ := v.Shown(); l != at5 {
		t.Errorf("while the new model's layer is computed, %p is shown, not the old one %p", l, at5)
	}
	settleOn(t, v, f, func(l *density.Layer) bool { return l.Model != at5.Model })
	// The exact layer's key names the data, not the weights.
	v.Mode = Exact
	e1 := settle(t, v, f)
	f.Model = m1
	if l := settle(t, v, f); l != e1 {
		t.Error("the exact layer was recomputed for another model")
	}
	if _, note := v.Shown(); note != "" {
		t.Errorf("8 Gaussians have a closed-form density, yet the note says %q", note)
	}
}

// TestViewSaysWhy checks the notes of layers that cannot be shown, and of
// an exact density that is smoothed.
func TestViewSaysWhy(t *testing.T) {
	v := &View{Mode: Learned}
	defer v.Close()
	f := Frame{Visible: density.Rect{MinX: -4, MinY: -4, MaxX: 4, MaxY: 4}, Settled: true, Step: 10, Steps: 10,
		Model: testModel(t, 1, 1), Source: "uniform", Target: "moons", Path: "linear"}
	v.Update(f)
	if _, note := v.Shown(); note == "" {
		t.Error("a uniform source gives no reason for the missing density")
	}
	// moons has no closed form: its draws stand in, smoothed at t = 1.
	f.Source = "gaussian"
	f.TargetDraws = data.Sample(data.Moons{Noise: 0.05, Scale: 2, Shift: 1}, rand.New(rand.NewPCG(1, 2)), 500)
	v.Mode = Exact
	settle(t, v, f)
	if _, note := v.Shown(); note == "" || !contains(note, "500 target draws") || !contains(note, "smoothed") {
		t.Errorf("exact moons at t = 1: note %q", note)
	}
}

func contains(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return true
		}
	}
	return false
}

// TestMonitorScoresHeldOutSamples checks the live NLL against a direct
// computation on the same draws, and the entropy of 8 Gaussians against
// its Monte-Carlo value, which no model's NLL goes below.
func TestMonitorScoresHeldOutSamples(t *testing.T) {
	var m Monitor
	m.Start(nil)
	defer m.Close()
	model := testModel(t, 1, 7)
	model.Config.Target = "8gaussians"
	m.Set(NLLInput{Model: model, Source: "gaussian", Target: "8gaussians"})
	deadline := time.Now().Add(30 * time.Second)
	var n NLL
	for {
		var ok bool
		if n, ok = m.Latest(); ok {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no NLL after 30 s")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if n.Err != nil || n.N != NLLSamples || n.Step != 7 || !n.HaveEntropy {
		t.Fatalf("NLL %+v", n)
	}
	// The same number directly.
	var ts targetState
	ts.update(NLLInput{Source: "gaussian", Target: "8gaussians"})
	net, _ := model.Net()
	logq := make([]float64, len(ts.x))
	if err := density.LogProb(t.Context(), density.NewNetField(net), ts.p0, ts.x, 1, density.DefaultOptions(), logq); err != nil {
		t.Fatal(err)
	}
	want, se := density.NLL(logq)
	if math.Abs(n.Value-want) > 1e-9 || math.Abs(n.SE-se) > 1e-9 {
		t.Errorf("NLL %v ± %v, direct %v ± %v", n.Value, n.SE, want, se)
	}
	// 8 Gaussians of radius 5 and std 1 (the preset): at most the entropy
	// of one Gaussian, log(2πe) ≈ 2.838, plus log 8 (disjoint components);
	// their overlap (centres 3.8 apart) takes a little off: 4.77 (issue 13).
	if bound := math.Log(2*math.Pi*math.E) + math.Log(8); n.Entropy > bound || n.Entropy < bound-0.2 || math.Abs(n.Entropy-4.77) > 0.02 {
		t.Errorf("entropy %v, want 4.77, a little below %v", n.Entropy, bound)
	}
	if n.Value < n.Entropy-3*n.SE {
		t.Errorf("an untrained model's NLL %v ± %v below the entropy %v", n.Value, n.SE, n.Entropy)
	}

	// A source without a log-density: an error, no number.
	ts.update(NLLInput{Source: "uniform", Target: "moons", TargetDraws: ts.x})
	if ts.p0Err == nil {
		t.Error("a uniform source has no NLL, yet no error")
	}
}

// TestMonitorAdvance drives the monitor by Advance alone, as a page does:
// no goroutine; nothing before the first half second; then an estimate in
// many slices that equals the goroutine's bit for bit; nothing more until
// a new model arrives and NLLEvery has passed.
func TestMonitorAdvance(t *testing.T) {
	model := testModel(t, 1, 7)
	in := NLLInput{Model: model, Source: "gaussian", Target: "8gaussians"}
	var byGoroutine Monitor
	byGoroutine.Start(nil)
	defer byGoroutine.Close()
	byGoroutine.Set(in)

	before := runtime.NumGoroutine()
	var m Monitor
	m.Set(in)
	start := time.Now()
	if m.Advance(time.Second) {
		t.Fatal("an estimate began at once, not after half a second")
	}
	slices := 0
	for deadline := start.Add(30 * time.Second); ; slices++ {
		if time.Now().After(deadline) {
			t.Fatal("no stepwise NLL after 30 s")
		}
		if !m.Advance(0) {
			if _, ok := m.Latest(); ok {
				break
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	if time.Since(start) < firstNLL {
		t.Errorf("first estimate after %v, before %v", time.Since(start), firstNLL)
	}
	if slices < 100 {
		t.Errorf("800 samples × 50 RK4 steps took %d zero-length slices; want one per solver step of a piece", slices)
	}
	if n := runtime.NumGoroutine(); n > before {
		t.Errorf("%d goroutines, %d before the stepwise monitor", n, before)
	}
	got, _ := m.Latest()
	var want NLL
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		var ok bool
		if want, ok = byGoroutine.Latest(); ok {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no NLL from the goroutine after 30 s")
		}
	}
	if got != want {
		t.Errorf("stepwise NLL %+v, the goroutine's %+v", got, want)
	}
	// The same model again: no new work, even after NLLEvery.
	m.next = time.Now()
	m.Set(in)
	if m.Advance(0) {
		t.Error("an estimate of a model already scored")
	}
	// A newer model: scored after NLLEvery.
	newer := testModel(t, 1, 8)
	m.Set(NLLInput{Model: newer, Source: "gaussian", Target: "8gaussians"})
	if m.Advance(0) {
		t.Errorf("a new estimate before NLLEvery")
	}
	m.next = time.Now()
	for m.Advance(time.Millisecond) {
	}
	if n, _ := m.Latest(); n.Step != 8 {
		t.Errorf("after a newer model: NLL of step %d, want 8", n.Step)
	}
}
