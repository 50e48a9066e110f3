package sample

import (
	"context"
	"time"

	"github.com/flowviz/flowviz/flow"
	"github.com/flowviz/flowviz/flow/train"
)

// sliceChunk is how many points a field evaluates between two checks of
// the slice's deadline: about 1 ms of a 64-wide network in WebAssembly.
const sliceChunk = 256

// slicer runs one frame's computation in slices of a given length: the
// computation runs on a goroutine of its own but only while AdvanceFor waits
// for it, handing control back at the first checkpoint past the slice's
// deadline. Where goroutines share one thread (WebAssembly), this is the
// only way a frame that takes seconds fits into a page's 16 ms frames.
type slicer struct {
	deadline time.Time
	resume   chan struct{}
	paused   chan struct{}
	done     chan *Frame // the finished frame; nil if it was superseded
	running  bool
	snap     *train.Snapshot // the snapshot being computed
	gen      uint64          // and its settings generation
	cancel   context.CancelFunc
}

// checkpoint hands control back to AdvanceFor once the slice is spent and
// waits for the next slice (or for ctx to end, when the frame is abandoned).
func (sl *slicer) checkpoint(ctx context.Context) {
	if time.Now().Before(sl.deadline) || ctx.Err() != nil {
		return
	}
	sl.paused <- struct{}{}
	select {
	case <-sl.resume:
	case <-ctx.Done():
	}
}

// AdvanceFor is Advance in slices: it works on the newest frame for about
// budget on the caller's behalf and reports whether it published one. A
// frame that needs more time resumes where it stopped at the next call;
// one superseded meanwhile (new settings, a restarted model) is dropped. It
// is the stepwise mode of a page, where a whole frame at once would freeze
// it; not concurrently with Run or Advance.
func (s *Sampler) AdvanceFor(budget time.Duration) bool {
	sl := &s.slicer
	if !sl.running {
		snap, st, gen, ok := s.due()
		if !ok {
			return false
		}
		if sl.resume == nil {
			sl.resume, sl.paused, sl.done = make(chan struct{}), make(chan struct{}), make(chan *Frame)
		}
		ctx, cancel := context.WithCancel(context.Background())
		sl.running, sl.snap, sl.gen, sl.cancel = true, snap, gen, cancel
		sl.deadline = time.Now().Add(budget)
		s.sliced = ctx
		go func() {
			f := s.compute(ctx, snap, st, gen)
			sl.done <- f
		}()
	} else {
		sl.deadline = time.Now().Add(budget)
		sl.resume <- struct{}{}
	}
	select {
	case <-sl.paused:
		return false
	case f := <-sl.done:
		sl.running = false
		sl.cancel()
		s.sliced = nil
		if f == nil {
			// Superseded: the next call starts on the newest snapshot.
			s.stepSnap = nil
			return false
		}
		s.stepSnap, s.stepGen = sl.snap, sl.gen
		s.seq++
		f.Seq = s.seq
		s.latest.Store(f)
		poke(s.updated)
		return true
	}
}

// Abandon drops a frame AdvanceFor left half done, ending its goroutine.
func (s *Sampler) Abandon() {
	sl := &s.slicer
	if !sl.running {
		return
	}
	sl.cancel()
	<-sl.done
	sl.running, s.sliced = false, nil
}

// slicedField evaluates its field in chunks with a checkpoint between them.
type slicedField struct {
	f   flow.Field
	sl  *slicer
	ctx context.Context
}

var _ flow.Field = slicedField{}

// Velocity implements flow.Field.
func (c slicedField) Velocity(dst, x []flow.Vec, t float64) {
	for i := 0; i < len(x); i += sliceChunk {
		j := min(len(x), i+sliceChunk)
		c.f.Velocity(dst[i:j], x[i:j], t)
		c.sl.checkpoint(c.ctx)
	}
}

// slice makes the generator's fields check the slice's deadline when the
// frame is computed by AdvanceFor.
func (s *Sampler) slice(gr *generator) {
	if s.sliced == nil {
		return
	}
	wrap := func(f flow.Field) flow.Field { return slicedField{f: f, sl: &s.slicer, ctx: s.sliced} }
	gr.arrows = wrap(gr.arrows)
	for i, f := range gr.fields {
		gr.fields[i] = wrap(f)
	}
}
