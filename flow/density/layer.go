package density

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/flowviz/flowviz/flow/mlp"
)

// Kind is what a density layer shows.
type Kind int

// The layers: the learned and the exact log p_t, their difference learned −
// exact, and the divergence div v at t.
const (
	KindLearned Kind = iota
	KindExact
	KindDifference
	KindDivergence
	numKinds
)

func (k Kind) String() string {
	switch k {
	case KindLearned:
		return "learned"
	case KindExact:
		return "exact"
	case KindDifference:
		return "difference"
	case KindDivergence:
		return "divergence"
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// Key identifies a layer in the Worker's cache: what it shows, where, when,
// how precisely, and of which model.
type Key struct {
	Kind Kind
	Grid Grid
	T    float64
	Opt  Options
	// Model names the weights, e.g. the snapshot's model version and step;
	// the caller picks it, and equal Models must mean equal weights.
	Model uint64
}

// Request asks for one layer: its Key and what computing it needs.
type Request struct {
	Key
	Net    *mlp.Net   // the snapshot's weights, only read (KindLearned, KindDifference, KindDivergence)
	Source LogDensity // log p_0 (KindLearned, KindDifference)
	Target LogDensity // the exact p_t at Key.T, e.g. a PathMarginal (KindExact, KindDifference)
	// Span floors a difference's two log-densities at Span nats below the
	// higher peak (default DefaultSpan), as heatmaps of that range show them.
	Span float64
}

// DefaultSpan is how many nats below its peak a log-density heatmap shows,
// and where a difference floors its two log-densities: far out in the tails
// both densities are ~0 and their logs differ by hundreds of nats that mean
// nothing.
const DefaultSpan = 12.0

// Layer is a computed layer: Values in the Grid's order, or Err.
type Layer struct {
	Key
	Values  []float64
	Err     error
	Elapsed time.Duration
	seq     uint64 // order of completion
}

// Worker computes layers off the render loop and keeps the latest ones, so
// that scrubbing back to a timeline step shows its layer at once. Call Run
// on a goroutine of its own; Request and Layer never block on a computation
// and are safe from any goroutine.
//
// One layer is computed at a time, and each kind has one waiting slot, so
// that an app showing two kinds at once gets both. A request that changes
// what a kind shows — another grid or t — replaces the waiting one and
// abandons the one in progress of the same kind, since the user has moved
// on. A request that only names a newer model does not abandon anything:
// snapshots arrive many times a second, and abandoning on each would finish
// nothing; it waits as the next job of its kind instead.
type Worker struct {
	mu       sync.Mutex
	pending  [numKinds]*Request
	next     Kind // where Run looks first for a waiting request, round robin
	running  *Key
	cancel   context.CancelFunc
	cache    []*Layer // most recently used last
	done     uint64   // layers completed so far
	capacity int
	wake     chan struct{}
	updated  chan struct{}
}

// NewWorker returns a worker that keeps up to capacity layers (at least 1).
// A 96×96 layer is 74 KB.
func NewWorker(capacity int) *Worker {
	return &Worker{capacity: max(capacity, 1), wake: make(chan struct{}, 1), updated: make(chan struct{}, 1)}
}

// Layer returns the cached layer for k, or nil.
func (w *Worker) Layer(k Key) *Layer {
	w.mu.Lock()
	defer w.mu.Unlock()
	for i, l := range w.cache {
		if l.Key == k {
			copy(w.cache[i:], w.cache[i+1:])
			w.cache[len(w.cache)-1] = l
			return l
		}
	}
	return nil
}

// LayerAnyModel returns the cached layer for k's kind, grid, t and options
// of whichever model was computed last, or nil: what to show while the
// layer of a newer snapshot is being computed.
func (w *Worker) LayerAnyModel(k Key) *Layer {
	w.mu.Lock()
	defer w.mu.Unlock()
	var best *Layer
	for _, l := range w.cache {
		if sameView(l.Key, k) && (best == nil || l.seq > best.seq) {
			best = l
		}
	}
	return best
}

// Request queues r unless its layer is cached, running or already queued.
func (w *Worker) Request(r Request) {
	if w.Layer(r.Key) != nil {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if r.Kind < 0 || r.Kind >= numKinds {
		w.add(&Layer{Key: r.Key, Err: fmt.Errorf("density: unknown layer kind %v", r.Kind)})
		return
	}
	if (w.running != nil && *w.running == r.Key) || (w.pending[r.Kind] != nil && w.pending[r.Kind].Key == r.Key) {
		return
	}
	if w.running != nil && w.cancel != nil && w.running.Kind == r.Kind && !sameView(*w.running, r.Key) {
		w.cancel()
	}
	w.pending[r.Kind] = &r
	poke(w.wake)
}

// Only drops the waiting requests of every kind but k and abandons a
// running one of another kind: an app that stopped showing them (the user
// cycled on to k) should not wait for them.
func (w *Worker) Only(k Kind) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for i := range w.pending {
		if Kind(i) != k {
			w.pending[i] = nil
		}
	}
	if w.running != nil && w.running.Kind != k && w.cancel != nil {
		w.cancel()
	}
}

// sameView reports whether a and b differ at most in the model.
func sameView(a, b Key) bool {
	a.Model = b.Model
	return a == b
}

// Running returns the key of the layer being computed, if any: the app may
// say "computing…" while it waits.
func (w *Worker) Running() (Key, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.running == nil {
		return Key{}, false
	}
	return *w.running, true
}

// Updated is poked (without blocking) whenever a layer is added to the cache.
func (w *Worker) Updated() <-chan struct{} { return w.updated }

// Run computes requested layers until ctx is cancelled.
func (w *Worker) Run(ctx context.Context) {
	var f *NetField
	for {
		select {
		case <-ctx.Done():
			return
		case <-w.wake:
		}
		for {
			w.mu.Lock()
			r := w.takePending()
			if r == nil {
				w.mu.Unlock()
				break
			}
			job, cancel := context.WithCancel(ctx)
			w.running, w.cancel = &r.Key, cancel
			w.mu.Unlock()

			if r.Net != nil {
				if f == nil {
					f = NewNetField(r.Net)
				} else {
					f.Use(r.Net)
				}
			}
			start := time.Now()
			values, err := Compute(job, f, *r)
			cancel()
			w.mu.Lock()
			w.running, w.cancel = nil, nil
			// An abandoned layer is not cached: asked for again, it is
			// computed again.
			if !errors.Is(err, context.Canceled) {
				w.add(&Layer{Key: r.Key, Values: values, Err: err, Elapsed: time.Since(start)})
			}
			w.mu.Unlock()
			if ctx.Err() != nil {
				return
			}
		}
	}
}

// takePending removes and returns the next waiting request, kinds taken in
// turn; w.mu is held.
func (w *Worker) takePending() *Request {
	for i := range numKinds {
		k := (w.next + i) % numKinds
		if r := w.pending[k]; r != nil {
			w.pending[k] = nil
			w.next = (k + 1) % numKinds
			return r
		}
	}
	return nil
}

// add puts l in the cache, dropping the least recently used layer when
// full; w.mu is held.
func (w *Worker) add(l *Layer) {
	if len(w.cache) == w.capacity {
		copy(w.cache, w.cache[1:])
		w.cache = w.cache[:len(w.cache)-1]
	}
	w.done++
	l.seq = w.done
	w.cache = append(w.cache, l)
	poke(w.updated)
}

// Compute computes the layer r asks for, synchronously, with f the
// network's field (f.Net() must be r.Net) for the kinds that need it. It
// returns ctx's error if cancelled.
func Compute(ctx context.Context, f *NetField, r Request) ([]float64, error) {
	g := r.Grid
	if err := g.Validate(); err != nil {
		return nil, err
	}
	if !(r.T >= 0 && r.T <= 1) {
		return nil, fmt.Errorf("density: t = %v outside [0, 1]", r.T)
	}
	needNet := r.Kind != KindExact
	needSource := r.Kind == KindLearned || r.Kind == KindDifference
	needTarget := r.Kind == KindExact || r.Kind == KindDifference
	switch {
	case r.Kind < KindLearned || r.Kind > KindDivergence:
		return nil, fmt.Errorf("density: unknown layer kind %v", r.Kind)
	case needNet && (r.Net == nil || f == nil || f.Net() != r.Net):
		return nil, errors.New("density: the layer needs the request's network")
	case needSource && r.Source == nil:
		return nil, errors.New("density: the learned density needs a source with a closed-form density")
	case needTarget && r.Target == nil:
		return nil, errors.New("density: no exact density for this target")
	}
	switch r.Kind {
	case KindDivergence:
		return Divergence(f, g, r.T)
	case KindLearned:
		return LearnedLogProb(ctx, f, r.Source, g, r.T, r.Opt)
	}
	exact, err := exactRows(ctx, r.Target, g)
	if err != nil || r.Kind == KindExact {
		return exact, err
	}
	learned, err := LearnedLogProb(ctx, f, r.Source, g, r.T, r.Opt)
	if err != nil {
		return nil, err
	}
	span := r.Span
	if !(span > 0) {
		span = DefaultSpan
	}
	_, peakLearned := FiniteRange(learned)
	_, peakExact := FiniteRange(exact)
	floor := max(peakLearned, peakExact) - span
	for i := range learned {
		learned[i] = max(learned[i], floor) - max(exact[i], floor)
	}
	return learned, nil
}

// exactRows is ExactLogProb a row at a time, checking ctx between rows: a
// point-set target of thousands of points takes a fraction of a second.
func exactRows(ctx context.Context, p LogDensity, g Grid) ([]float64, error) {
	pts := g.Points()
	out := make([]float64, len(pts))
	for j := range g.NY {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		row := pts[j*g.NX : (j+1)*g.NX]
		p.LogProb(out[j*g.NX:(j+1)*g.NX], row)
	}
	return out, nil
}

// poke signals c without blocking.
func poke(c chan struct{}) {
	select {
	case c <- struct{}{}:
	default:
	}
}
