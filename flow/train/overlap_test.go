package train

import (
	"context"
	"runtime"
	"slices"
	"testing"
	"time"

	"github.com/flowviz/flowviz/flow/data"
)

func smallOTConfig() Config {
	cfg := DefaultConfig()
	cfg.Coupling = CouplingOT
	cfg.Net.Width, cfg.Net.Depth = 8, 1
	cfg.Batch = 48
	return cfg
}

// TestOverlapSameBatches: with overlap, step k trains on the same batch, to
// the bit, as without, through commands that change the data, the batch
// size and the seed between steps.
func TestOverlapSameBatches(t *testing.T) {
	plain, over := newTrainer(t, smallOTConfig()), newTrainer(t, smallOTConfig())
	over.SetOverlap(true)
	defer over.Close()
	ring, err := data.Load("8gaussians")
	if err != nil {
		t.Fatal(err)
	}
	commands := map[int]func(tr *Trainer){
		7:  func(tr *Trainer) { tr.SetLR(3e-3) },
		12: func(tr *Trainer) { tr.SetTarget(ring) },
		20: func(tr *Trainer) { tr.SetBatch(32) },
		27: func(tr *Trainer) { tr.Reseed(9) },
		33: func(tr *Trainer) { tr.SetOverlap(tr == plain) }, // and the other way round
	}
	for step := range 45 {
		if cmd := commands[step]; cmd != nil {
			cmd(plain)
			cmd(over)
		}
		lp, errp := plain.Step()
		lo, erro := over.Step()
		if errp != nil || erro != nil {
			t.Fatalf("step %d: %v, %v", step, errp, erro)
		}
		n := plain.cfg.Batch
		if !slices.Equal(plain.batch.x0[:n], over.batch.x0[:n]) || !slices.Equal(plain.batch.x1[:n], over.batch.x1[:n]) {
			t.Fatalf("step %d: the batches differ with overlap", step)
		}
		if lp != lo {
			t.Fatalf("step %d: loss %v without overlap, %v with", step, lp, lo)
		}
	}
	if !slices.Equal(plain.net.Params, over.net.Params) {
		t.Fatal("the weights differ with overlap")
	}
}

// TestOverlapStops: the overlap's goroutine ends with Run, and with Close
// for a trainer driven by Step.
func TestOverlapStops(t *testing.T) {
	before := runtime.NumGoroutine()

	tr := newTrainer(t, smallOTConfig())
	tr.SetOverlap(true)
	steps(t, tr, 5)
	exited := tr.overlap.exited
	if tr.overlap.jobs == nil || isClosed(exited) {
		t.Fatal("no overlap goroutine while stepping")
	}
	tr.Close()
	if !isClosed(exited) || tr.overlap.jobs != nil {
		t.Fatal("the overlap goroutine still runs after Close")
	}
	waitGoroutines(t, before, "after Close")
	steps(t, tr, 3) // still usable; the goroutine comes back
	if tr.overlap.jobs == nil {
		t.Fatal("no overlap goroutine after Close and more steps")
	}
	tr.Close()
	waitGoroutines(t, before, "after the second Close")

	tr = newTrainer(t, smallOTConfig())
	tr.SetOverlap(true)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- tr.Run(ctx) }()
	deadline := time.Now().Add(30 * time.Second)
	for tr.Latest().Step < 30 {
		if time.Now().After(deadline) {
			cancel()
			t.Fatal("Run took no 30 steps in 30 s")
		}
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return within 10 s of cancellation")
	}
	if tr.overlap.jobs != nil || tr.overlap.exited == nil || !isClosed(tr.overlap.exited) {
		t.Fatal("the overlap goroutine still runs after Run returned")
	}
	waitGoroutines(t, before, "after Run returned")
}

// isClosed reports whether c is closed (it never carries values).
func isClosed(c <-chan struct{}) bool {
	select {
	case <-c:
		return true
	default:
		return false
	}
}

// waitGoroutines fails unless the goroutine count falls back to want within
// a few seconds (an ended goroutine takes a moment to be counted out; other
// tests' goroutines ending meanwhile only help).
func waitGoroutines(t *testing.T, want int, when string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > want {
		if time.Now().After(deadline) {
			t.Fatalf("%s: %d goroutines, %d before", when, runtime.NumGoroutine(), want)
		}
		time.Sleep(time.Millisecond)
	}
}

func TestOverlapWarmStepAllocatesNothing(t *testing.T) {
	tr := newTrainer(t, smallOTConfig())
	tr.SetOverlap(true)
	defer tr.Close()
	steps(t, tr, 3)
	if n := testing.AllocsPerRun(50, func() { tr.trainStep() }); n != 0 {
		t.Fatalf("%v allocations per warm step with overlap", n)
	}
}
