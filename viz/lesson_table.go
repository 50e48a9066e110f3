package viz

import (
	"context"
	"math/rand/v2"
	"time"

	"github.com/flowviz/flowviz/flow"
	"github.com/flowviz/flowviz/viz/lesson"
	"github.com/flowviz/flowviz/viz/pace"
)

// Figures of the lessons that measure the model.
const (
	tablePoints   = 400             // particles per W2 measurement
	tableInterval = 4 * time.Second // remeasure at most this often while training runs
)

// w2Table is the W2 to the target of the trained model, by step count and
// solver, measured off the render loop (lessons 6 and 7).
type w2Table struct {
	results map[string][]lesson.SampleResult // by key: a coupling, or ""
	step    map[string]int                   // training step of each
	at      time.Time
	busy    bool
	done    chan tableResult
	cancel  context.CancelFunc
}

type tableResult struct {
	key     string
	step    int
	results []lesson.SampleResult
	err     error
}

func newW2Table() w2Table {
	return w2Table{results: map[string][]lesson.SampleResult{}, step: map[string]int{}}
}

// update starts a W2 measurement of pane p's model off the render loop
// when the model has moved on (results kept under key), and takes its
// result when it is done.
func (w *w2Table) update(p *Pane, key string, steps []int, solvers []string) {
	select {
	case r := <-w.done:
		// The interval counts from the end, as in modelTable.
		w.busy, w.at = false, time.Now()
		if r.err == nil {
			w.results[r.key] = r.results
			w.step[r.key] = r.step
		}
	default:
	}
	if w.busy || p.sc == nil || len(p.sc.Target) == 0 || p.dirty {
		return
	}
	_, m := p.learned()
	if m == nil || m.Step == 0 || m.Config.Coupling != p.applied.Coupling && p.applied.Coupling != "" {
		return
	}
	if last, ok := w.step[key]; ok && (m.Step == last || time.Since(w.at) < tableInterval) {
		return
	}
	src := loadOr(p.applied.Source, "gaussian")
	x0 := make([]flow.Vec, tablePoints)
	src.Sample(rand.New(rand.NewPCG(7, 7)), x0)
	target := append([]flow.Vec(nil), subsample(p.sc.Target, tablePoints)...)
	ctx, cancel := context.WithCancel(pace.With(context.Background()))
	w.cancel = cancel
	if w.done == nil {
		w.done = make(chan tableResult, 1)
	}
	done := w.done
	w.busy, w.at = true, time.Now()
	step := m.Step
	go func() {
		res, err := lesson.SamplingTable(ctx, func() flow.Field { return m.Field() }, x0, target, steps, solvers)
		done <- tableResult{key: key, step: step, results: res, err: err}
	}()
}

// stop cancels a measurement in flight and forgets its result.
func (w *w2Table) stop() {
	if w.cancel != nil {
		w.cancel()
		w.cancel = nil
	}
	if w.busy {
		// The goroutine sends once into the buffered channel; a fresh
		// channel keeps its late result out of the next lesson.
		w.done = nil
		w.busy = false
	}
}
