package density

import (
	"context"
	"runtime"
	"testing"
	"time"

	"github.com/flowviz/flowviz/flow"
)

// TestLogProbRunIsLogProb: LogProb in pieces of PieceRows points is LogProb
// in chunks of 16,384, bit for bit (the matrix kernels compute a row alike
// whatever rows are beside it), for every solver, a t between steps, and a
// point count that leaves a short last chunk.
func TestLogProbRunIsLogProb(t *testing.T) {
	f := NewNetField(testNet(t))
	g := Grid{View: Rect{-4, -4, 4, 4}, NX: 37, NY: 23} // 851 points: 3 full pieces and a short one
	x := g.Points()
	for _, s := range []flow.Solver{flow.Euler, flow.Midpoint, flow.Heun, flow.RK4} {
		for _, tt := range []float64{0, 0.37, 1} {
			opt := Options{Steps: 12, Solver: s}
			whole := make([]float64, len(x))
			if err := LogProb(context.Background(), f, gaussianSource(1), x, tt, opt, whole); err != nil {
				t.Fatal(err)
			}
			pieces := make([]float64, len(x))
			run, err := NewLogProbRun(f, gaussianSource(1), x, tt, opt, pieces)
			if err != nil {
				t.Fatal(err)
			}
			n := 1
			for ; !run.Step(); n++ {
			}
			// Each of the 4 chunks takes its steps and one piece to finish.
			if want := 4 * (opt.StepsFrom(tt) + 1); tt > 0 && n != want-4 && n != want {
				t.Errorf("%v t=%v: %d pieces, want about %d", s, tt, n, want)
			}
			for i := range whole {
				if pieces[i] != whole[i] {
					t.Fatalf("%v t=%v point %d: %v in pieces, %v whole", s, tt, i, pieces[i], whole[i])
				}
			}
		}
	}
}

// TestWorkerAdvance drives a worker by Advance alone, as the page does, in
// slices far shorter than a layer: every kind arrives equal to Compute's,
// bit for bit; a new t abandons the job in progress and it is not cached;
// an idle worker reports no work; and no goroutine is started.
func TestWorkerAdvance(t *testing.T) {
	before := runtime.NumGoroutine()
	net := testNet(t)
	w := NewWorker(8)
	g := Grid{View: Rect{-4, -4, 4, 4}, NX: 30, NY: 20}
	for _, r := range everyKind(t, net, g) {
		kind := r.Kind
		w.Request(r)
		calls := 0
		for w.Advance(0) {
			calls++
		}
		l := w.Layer(r.Key)
		if l == nil {
			t.Fatalf("%v: no layer once Advance reports no work", kind)
		}
		if kind != KindExact && calls < 2 {
			t.Errorf("%v: a 600-point layer took %d zero-length slices; want one per piece", kind, calls)
		}
		want, err := Compute(context.Background(), NewNetField(net), r)
		if l.Err != nil || err != nil {
			t.Fatalf("%v: %v / %v", kind, l.Err, err)
		}
		for i := range want {
			if l.Values[i] != want[i] {
				t.Fatalf("%v value %d: %v in slices, %v by Compute", kind, i, l.Values[i], want[i])
			}
		}
	}
	if w.Advance(time.Second) {
		t.Error("an idle worker reports work")
	}

	slow := Request{Key: Key{Kind: KindLearned, Grid: g, T: 1, Opt: Options{Steps: 50, Solver: flow.RK4}, Model: 2}, Net: net, Source: gaussianSource(1)}
	w.Request(slow)
	w.Advance(0)
	if k, ok := w.Running(); !ok || k != slow.Key {
		t.Fatalf("running %+v, %v after one slice; want the slow layer", k, ok)
	}
	quick := slow
	quick.T = 0.5
	w.Request(quick)
	for w.Advance(time.Millisecond) {
	}
	if w.Layer(quick.Key) == nil || w.Layer(slow.Key) != nil {
		t.Errorf("after a new t: layer of the new t %v, of the abandoned one %v", w.Layer(quick.Key) != nil, w.Layer(slow.Key) != nil)
	}
	if n := runtime.NumGoroutine(); n > before {
		t.Errorf("%d goroutines, %d before", n, before)
	}
}
