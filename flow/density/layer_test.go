package density

import (
	"context"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/flowviz/flowviz/flow"
	"github.com/flowviz/flowviz/flow/data"
	"github.com/flowviz/flowviz/flow/mlp"
)

// waitLayer waits (at most 30 s) until w has the layer for k.
func waitLayer(t *testing.T, w *Worker, k Key) *Layer {
	t.Helper()
	deadline := time.After(30 * time.Second)
	for {
		if l := w.Layer(k); l != nil {
			return l
		}
		select {
		case <-w.Updated():
		case <-time.After(10 * time.Millisecond):
		case <-deadline:
			t.Fatalf("no layer for %+v after 30 s", k)
		}
	}
}

// waitRunning waits (at most 30 s) until w computes the layer for k.
func waitRunning(t *testing.T, w *Worker, k Key) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(time.Millisecond) {
		if r, ok := w.Running(); ok && r == k {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the layer for %+v never started", k)
		}
	}
}

func startWorker(t *testing.T, capacity int) *Worker {
	t.Helper()
	w := NewWorker(capacity)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { w.Run(ctx); close(done) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			t.Error("Run did not return after cancellation")
		}
	})
	return w
}

func testNet(t *testing.T) *mlp.Net {
	t.Helper()
	net, err := mlp.New(mlp.Config{Width: 16, Depth: 2, Act: mlp.SiLU}, rand.New(rand.NewPCG(5, 6)))
	if err != nil {
		t.Fatal(err)
	}
	return net
}

// everyKind returns a request of every kind on grid g at t = 0.4 for net,
// from a standard Gaussian to 8 Gaussians.
func everyKind(t *testing.T, net *mlp.Net, g Grid) []Request {
	t.Helper()
	comps, _ := TargetComponents(data.EightGaussians{Radius: 3, Std: 0.5})
	target, err := PathMarginal(comps, 0.4, 0.6, 0)
	if err != nil {
		t.Fatal(err)
	}
	var rs []Request
	for _, kind := range []Kind{KindLearned, KindExact, KindDifference, KindDivergence} {
		rs = append(rs, Request{Key: Key{Kind: kind, Grid: g, T: 0.4, Opt: Options{Steps: 10, Solver: flow.RK4}, Model: 1}, Net: net, Source: gaussianSource(1), Target: target})
	}
	return rs
}

func TestWorkerComputesEveryKind(t *testing.T) {
	net := testNet(t)
	w := startWorker(t, 8)
	g := Grid{View: Rect{-4, -4, 4, 4}, NX: 12, NY: 10}
	for _, r := range everyKind(t, net, g) {
		w.Request(r)
		l := waitLayer(t, w, r.Key)
		want, err := Compute(context.Background(), NewNetField(net), r)
		if l.Err != nil || err != nil || len(l.Values) != 120 {
			t.Fatalf("%v: %v / %v, %d values", r.Kind, l.Err, err, len(l.Values))
		}
		for i := range want {
			if l.Values[i] != want[i] {
				t.Fatalf("%v value %d: %v, direct %v", r.Kind, i, l.Values[i], want[i])
			}
		}
	}
	// A missing ingredient is an error layer, not a crash.
	bad := Request{Key: Key{Kind: KindLearned, Grid: g, T: 0.4, Opt: DefaultOptions(), Model: 2}, Net: net}
	w.Request(bad)
	if l := waitLayer(t, w, bad.Key); l.Err == nil || !strings.Contains(l.Err.Error(), "source") {
		t.Errorf("learned layer without a source: %v", l.Err)
	}
}

// TestWorkerAbandonsOnViewChange asks for a slow layer and then, before it
// can finish, for another t: the first is abandoned and not cached.
func TestWorkerAbandonsOnViewChange(t *testing.T) {
	net := testNet(t)
	w := startWorker(t, 8)
	slow := Request{Key: Key{Kind: KindLearned, Grid: Grid{View: Rect{-4, -4, 4, 4}, NX: 300, NY: 300}, T: 1, Opt: Options{Steps: 5000, Solver: flow.RK4}, Model: 1}, Net: net, Source: gaussianSource(1)}
	w.Request(slow)
	waitRunning(t, w, slow.Key)
	quick := slow
	quick.T, quick.Grid.NX, quick.Grid.NY, quick.Opt.Steps = 0.5, 4, 4, 4
	w.Request(quick)
	waitLayer(t, w, quick.Key)
	if w.Layer(slow.Key) != nil {
		t.Error("the abandoned layer was cached")
	}
}

// TestWorkerKeepsJobForNewerModel checks that a newer model for the same
// view waits for the running job instead of abandoning it.
func TestWorkerKeepsJobForNewerModel(t *testing.T) {
	net := testNet(t)
	w := startWorker(t, 8)
	first := Request{Key: Key{Kind: KindLearned, Grid: Grid{View: Rect{-4, -4, 4, 4}, NX: 40, NY: 40}, T: 1, Opt: Options{Steps: 200, Solver: flow.RK4}, Model: 1}, Net: net, Source: gaussianSource(1)}
	w.Request(first)
	waitRunning(t, w, first.Key)
	for m := uint64(2); m < 6; m++ {
		next := first
		next.Model = m
		w.Request(next)
	}
	waitLayer(t, w, first.Key)
	last := first
	last.Model = 5
	waitLayer(t, w, last.Key)
	if l := w.LayerAnyModel(Key{Kind: first.Kind, Grid: first.Grid, T: first.T, Opt: first.Opt, Model: 99}); l == nil || l.Model != 5 {
		t.Errorf("LayerAnyModel: %+v, want the model-5 layer", l)
	}
	// The models in between were superseded while waiting.
	mid := first
	mid.Model = 3
	if w.Layer(mid.Key) != nil {
		t.Error("a superseded waiting request was computed")
	}
}

func TestWorkerCacheEvictsLeastRecentlyUsed(t *testing.T) {
	w := startWorker(t, 2)
	g := Grid{View: Rect{-1, -1, 1, 1}, NX: 2, NY: 2}
	src := gaussianSource(1)
	key := func(tt float64) Key { return Key{Kind: KindExact, Grid: g, T: tt} }
	for _, tt := range []float64{0.1, 0.2} {
		w.Request(Request{Key: key(tt), Target: src})
		waitLayer(t, w, key(tt))
	}
	w.Layer(key(0.1)) // 0.1 is now the most recent
	w.Request(Request{Key: key(0.3), Target: src})
	waitLayer(t, w, key(0.3))
	if w.Layer(key(0.2)) != nil || w.Layer(key(0.1)) == nil {
		t.Error("the cache did not drop the least recently used layer")
	}
}

// TestWorkerServesTwoKinds asks for two kinds in turn, as an app showing
// the density and the divergence does every frame: neither abandons the
// other, and both arrive.
func TestWorkerServesTwoKinds(t *testing.T) {
	net := testNet(t)
	w := startWorker(t, 8)
	g := Grid{View: Rect{-4, -4, 4, 4}, NX: 40, NY: 40}
	learned := Request{Key: Key{Kind: KindLearned, Grid: g, T: 1, Opt: Options{Steps: 100, Solver: flow.RK4}, Model: 1}, Net: net, Source: gaussianSource(1)}
	div := Request{Key: Key{Kind: KindDivergence, Grid: g, T: 1, Model: 1}, Net: net}
	deadline := time.Now().Add(60 * time.Second)
	for w.Layer(learned.Key) == nil || w.Layer(div.Key) == nil {
		if time.Now().After(deadline) {
			t.Fatal("the two kinds did not both arrive within 60 s")
		}
		w.Request(learned)
		w.Request(div)
		time.Sleep(time.Millisecond)
	}
	bad := Request{Key: Key{Kind: Kind(7), Grid: g}}
	w.Request(bad)
	if l := w.Layer(bad.Key); l == nil || l.Err == nil {
		t.Errorf("unknown kind: layer %+v", l)
	}
}

// TestDifferenceFloorsTails checks that a difference compares the two
// log-densities floored Span nats below the higher peak: in the far tails,
// where both heatmaps are black, it is 0, not hundreds of nats.
func TestDifferenceFloorsTails(t *testing.T) {
	net := testNet(t)
	comps, _ := TargetComponents(data.EightGaussians{Radius: 3, Std: 0.5})
	target, err := PathMarginal(comps, 0.7, 0.3, 0)
	if err != nil {
		t.Fatal(err)
	}
	g := Grid{View: Rect{-12, -12, 12, 12}, NX: 24, NY: 24}
	f := NewNetField(net)
	base := Request{Key: Key{Grid: g, T: 0.7, Opt: Options{Steps: 10, Solver: flow.RK4}}, Net: net, Source: gaussianSource(1), Target: target}
	for _, span := range []float64{0, 4} {
		r := base
		r.Kind, r.Span = KindDifference, span
		diff, err := Compute(context.Background(), f, r)
		if err != nil {
			t.Fatal(err)
		}
		r.Kind = KindLearned
		learned, _ := Compute(context.Background(), f, r)
		exact, _ := ExactLogProb(target, g)
		_, pl := FiniteRange(learned)
		_, pe := FiniteRange(exact)
		want := span
		if want == 0 {
			want = DefaultSpan
		}
		floor := max(pl, pe) - want
		zeros := 0
		for i := range diff {
			if w := max(learned[i], floor) - max(exact[i], floor); math.Abs(diff[i]-w) > 1e-12 {
				t.Fatalf("span %v, cell %d: difference %v, want %v", span, i, diff[i], w)
			}
			if diff[i] == 0 {
				zeros++
			}
		}
		if zeros == 0 {
			t.Errorf("span %v: no cell of a 24×24 grid out to ±12 is floored on both sides", span)
		}
	}
}

// TestWorkerOnly checks that Only abandons a running job of another kind,
// drops the waiting ones, and serves the kind it keeps.
func TestWorkerOnly(t *testing.T) {
	net := testNet(t)
	w := startWorker(t, 8)
	slow := Request{Key: Key{Kind: KindLearned, Grid: Grid{View: Rect{-4, -4, 4, 4}, NX: 300, NY: 300}, T: 1, Opt: Options{Steps: 5000, Solver: flow.RK4}, Model: 1}, Net: net, Source: gaussianSource(1)}
	w.Request(slow)
	waitRunning(t, w, slow.Key)
	comps, _ := TargetComponents(data.EightGaussians{Radius: 3, Std: 0.5})
	target, _ := PathMarginal(comps, 0.5, 0.5, 0)
	exact := Request{Key: Key{Kind: KindExact, Grid: Grid{View: Rect{-4, -4, 4, 4}, NX: 8, NY: 8}, T: 0.5, Model: 1}, Target: target}
	div := Request{Key: Key{Kind: KindDivergence, Grid: exact.Grid, T: 0.5, Model: 1}, Net: net}
	w.Request(exact)
	w.Only(KindDivergence)
	w.Request(div)
	waitLayer(t, w, div.Key)
	if r, ok := w.Running(); ok {
		t.Errorf("still running %v after Only(divergence) and its layer", r.Kind)
	}
	if w.Layer(slow.Key) != nil || w.Layer(exact.Key) != nil {
		t.Error("a layer of a kind Only dropped was computed")
	}
}
