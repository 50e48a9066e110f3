package density

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/flowviz/flowviz/flow"
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

	// The job in progress, owned by the goroutine calling Run or Advance:
	// its context (cancelled to abandon it), the CPU time spent on it so
	// far, and the field it evaluates.
	job    *Job
	jobCtx context.Context
	spent  time.Duration
	field  *NetField
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
	for {
		select {
		case <-ctx.Done():
			return
		case <-w.wake:
		}
		// Without a deadline, work returns once its job has ended.
		for w.work(ctx, time.Time{}) {
			if ctx.Err() != nil {
				return
			}
		}
	}
}

// Advance is Run in slices, for a program on one thread (a page) that has
// no goroutine to spare: it computes requested layers on the caller's
// goroutine for about budget (at least one piece of a Job) and reports
// whether work is left. A layer unfinished when the budget is spent
// resumes at the next call. Not concurrently with Run.
func (w *Worker) Advance(budget time.Duration) bool {
	deadline := time.Now().Add(budget)
	for w.work(context.Background(), deadline) {
		if !time.Now().Before(deadline) {
			return true
		}
	}
	return false
}

// work takes the next waiting request unless a job is in progress and
// computes it until it ends or the deadline passes (zero: none); it reports
// false when there was nothing to do. A job abandoned (by Request, Only or
// ctx) ends at its next piece.
func (w *Worker) work(ctx context.Context, deadline time.Time) bool {
	if w.job == nil {
		w.mu.Lock()
		r := w.takePending()
		if r == nil {
			w.mu.Unlock()
			return false
		}
		jobCtx, cancel := context.WithCancel(ctx)
		w.running, w.cancel = &r.Key, cancel
		w.mu.Unlock()
		if r.Net != nil {
			if w.field == nil {
				w.field = NewNetField(r.Net)
			} else {
				w.field.Use(r.Net)
			}
		}
		w.job, w.jobCtx, w.spent = NewJob(w.field, *r), jobCtx, 0
	}
	for {
		if w.jobCtx.Err() != nil {
			// An abandoned layer is not cached: asked for again, it is
			// computed again.
			w.endJob(nil)
			return true
		}
		start := time.Now()
		done := w.job.Step()
		w.spent += time.Since(start)
		if done {
			w.endJob(w.job)
			return true
		}
		if !deadline.IsZero() && !time.Now().Before(deadline) {
			return true
		}
	}
}

// endJob caches the layer of the finished job j (nil: abandoned) and
// clears the job in progress.
func (w *Worker) endJob(j *Job) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if j != nil {
		values, err := j.Result()
		w.add(&Layer{Key: j.r.Key, Values: values, Err: err, Elapsed: w.spent})
	}
	w.cancel()
	w.running, w.cancel = nil, nil
	w.job, w.jobCtx = nil, nil
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
	j := NewJob(f, r)
	for {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if j.Step() {
			return j.Result()
		}
	}
}

// Job is Compute a piece at a time, for a program on one thread (a page)
// that computes a layer in slices between its frames: each Step is a row
// of the exact density, a solver step of PieceRows points of the learned
// one (LogProbRun), or PieceRows points' divergence. The pieces are
// Compute's own, so the layer is the same.
type Job struct {
	r   Request
	f   *NetField
	pts []flow.Vec

	exact   []float64 // KindExact, KindDifference: rows done so far
	row     int
	learned []float64 // KindLearned, KindDifference
	lp      *LogProbRun
	div     []float64 // KindDivergence: points done so far
	vel     []flow.Vec
	at      int

	out  []float64
	err  error
	done bool
}

// NewJob starts computing the layer r asks for, with f as for Compute; a
// request that cannot be computed gives a job done with its error.
func NewJob(f *NetField, r Request) *Job {
	j := &Job{r: r, f: f}
	j.err = j.check()
	if j.err != nil {
		j.done = true
		return j
	}
	j.pts = r.Grid.Points()
	switch r.Kind {
	case KindDivergence:
		j.div = make([]float64, len(j.pts))
		j.vel = make([]flow.Vec, min(PieceRows, len(j.pts)))
	case KindExact:
		j.exact = make([]float64, len(j.pts))
	case KindDifference:
		j.exact = make([]float64, len(j.pts))
		fallthrough
	case KindLearned:
		j.learned = make([]float64, len(j.pts))
		j.lp, j.err = NewLogProbRun(f, r.Source, j.pts, r.T, r.Opt, j.learned)
		j.done = j.err != nil
	}
	return j
}

// check reports why r cannot be computed with f.
func (j *Job) check() error {
	r, f := j.r, j.f
	g := r.Grid
	if err := g.Validate(); err != nil {
		return err
	}
	if !(r.T >= 0 && r.T <= 1) {
		return fmt.Errorf("density: t = %v outside [0, 1]", r.T)
	}
	needNet := r.Kind != KindExact
	needSource := r.Kind == KindLearned || r.Kind == KindDifference
	needTarget := r.Kind == KindExact || r.Kind == KindDifference
	switch {
	case r.Kind < KindLearned || r.Kind > KindDivergence:
		return fmt.Errorf("density: unknown layer kind %v", r.Kind)
	case needNet && (r.Net == nil || f == nil || f.Net() != r.Net):
		return errors.New("density: the layer needs the request's network")
	case needSource && r.Source == nil:
		return errors.New("density: the learned density needs a source with a closed-form density")
	case needTarget && r.Target == nil:
		return errors.New("density: no exact density for this target")
	}
	return nil
}

// Step does one piece and reports whether the layer is done.
func (j *Job) Step() bool {
	if j.done {
		return true
	}
	g := j.r.Grid
	switch {
	case j.div != nil:
		// div v(x, t) at the grid's cell centres.
		end := min(j.at+PieceRows, len(j.pts))
		j.f.VelocityDiv(j.vel[:end-j.at], j.div[j.at:end], j.pts[j.at:end], j.r.T)
		if j.at = end; j.at == len(j.pts) {
			j.finish(j.div)
		}
	case j.exact != nil && j.row < g.NY:
		// A row at a time: a point-set target of thousands of points
		// takes a fraction of a second for the whole grid.
		row := j.pts[j.row*g.NX : (j.row+1)*g.NX]
		j.r.Target.LogProb(j.exact[j.row*g.NX:(j.row+1)*g.NX], row)
		if j.row++; j.row == g.NY && j.learned == nil {
			j.finish(j.exact)
		}
	default:
		if j.lp.Step() {
			j.finish(j.learned)
		}
	}
	return j.done
}

// finish ends the job with the layer out; a difference subtracts the exact
// layer from the learned one first.
func (j *Job) finish(out []float64) {
	j.done = true
	if j.r.Kind != KindDifference {
		j.out = out
		return
	}
	span := j.r.Span
	if !(span > 0) {
		span = DefaultSpan
	}
	learned, exact := j.learned, j.exact
	_, peakLearned := FiniteRange(learned)
	_, peakExact := FiniteRange(exact)
	floor := max(peakLearned, peakExact) - span
	for i := range learned {
		learned[i] = max(learned[i], floor) - max(exact[i], floor)
	}
	j.out = learned
}

// Result returns the layer, or why there is none, once Step reported true.
func (j *Job) Result() ([]float64, error) {
	if !j.done {
		return nil, errors.New("density: the layer is not computed yet")
	}
	return j.out, j.err
}

// poke signals c without blocking.
func poke(c chan struct{}) {
	select {
	case c <- struct{}{}:
	default:
	}
}
