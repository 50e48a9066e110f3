package lesson

import (
	"context"
	"errors"
	"fmt"
	"math"
	"runtime"
	"sync"

	"github.com/flowviz/flowviz/flow"
	"github.com/flowviz/flowviz/viz/pace"
)

// SampleResult is one cell of the sampling lesson's table.
type SampleResult struct {
	Steps  int     // NUM_STEPS
	Solver string  // the solver's canonical name
	Evals  int     // field evaluations per particle: Steps × stages per step
	W2     float64 // W2 from the samples to the target points; +Inf if any sample diverged
}

// SamplingTable integrates the same source draws x0 with each solver and
// step count through f (newField gives one Field per call so it can run on
// its own goroutine) and measures W2 to target points; stops early when ctx
// is done, returning ctx.Err().
//
// The result for steps[i] and solvers[j] is at index i·len(solvers) + j, so
// the table reads row by row. x0 and target must have the same size, at most
// flow.MaxW2Points (W2 is an exact assignment, O(n³): keep it near 400).
func SamplingTable(ctx context.Context, newField func() flow.Field, x0, target []flow.Vec, steps []int, solvers []string) ([]SampleResult, error) {
	if len(x0) != len(target) || len(x0) == 0 || len(x0) > flow.MaxW2Points {
		return nil, fmt.Errorf("lesson: sampling table of %d draws against %d targets: want equal sizes in 1..%d", len(x0), len(target), flow.MaxW2Points)
	}
	parsed := make([]flow.Solver, len(solvers))
	for j, name := range solvers {
		s, err := flow.ParseSolver(name)
		if err != nil {
			return nil, fmt.Errorf("lesson: %w", err)
		}
		parsed[j] = s
	}
	results := make([]SampleResult, 0, len(steps)*len(solvers))
	cells := make([]flow.Solver, 0, cap(results)) // cells[i] integrates results[i]
	for _, n := range steps {
		if n < 1 {
			return nil, fmt.Errorf("lesson: sampling table with %d steps: want at least 1", n)
		}
		for _, s := range parsed {
			results = append(results, SampleResult{Steps: n, Solver: s.String(), Evals: n * s.EvalsPerStep()})
			cells = append(cells, s)
		}
	}
	if err := runCells(ctx, newField, x0, target, cells, results); err != nil {
		return nil, err
	}
	return results, nil
}

// runCells fills in W2 of every result, spreading the cells over one worker
// per CPU. Each worker owns its Field, as Field implementations may keep
// scratch buffers. newField is called here, on the caller's goroutine, so it
// need not be safe for concurrent use.
func runCells(ctx context.Context, newField func() flow.Field, x0, target []flow.Vec, cells []flow.Solver, results []SampleResult) error {
	workers := min(runtime.GOMAXPROCS(0), len(results))
	jobs := make(chan int)
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for w := range workers {
		f := newField()
		wg.Go(func() {
			x := make([]flow.Vec, len(x0))
			for i := range jobs {
				if errs[w] != nil {
					continue // drain, so the sender never blocks
				}
				r := &results[i]
				copy(x, x0)
				errs[w] = integrate(ctx, f, cells[i], x, r.Steps)
				if errs[w] == nil {
					r.W2, errs[w] = distance(x, target)
				}
			}
		})
	}
send:
	for i := range results {
		select {
		case jobs <- i:
		case <-ctx.Done():
			break send
		}
	}
	close(jobs)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return err
	}
	return errors.Join(errs...)
}

// integrate runs x through the blog post's sampling loop (for Euler,
// x ← x + (1/N)·v(x, k/N), k = 0..N−1) with solver s, checking ctx
// between steps so a cancelled table stops within one step.
func integrate(ctx context.Context, f flow.Field, s flow.Solver, x []flow.Vec, n int) error {
	in := flow.Integrator{Solver: s}
	h := 1 / float64(n)
	for k := range n {
		if err := ctx.Err(); err != nil {
			return err
		}
		// t_k = k/N from k, as flow.Integrate does, not by summing h.
		in.Step(f, x, float64(k)/float64(n), h)
		pace.Pause(ctx) // in a page, the page draws between steps
	}
	return nil
}

// distance is flow.W2 from the samples to the targets, or +Inf when a sample
// is not finite: a diverged sampler is infinitely far, and the assignment
// must not see NaN costs.
func distance(x, target []flow.Vec) (float64, error) {
	for _, p := range x {
		if !finite(p[0]) || !finite(p[1]) {
			return math.Inf(1), nil
		}
	}
	return flow.W2(x, target)
}
