package live

import (
	"math"
	"runtime"
	"testing"
	"time"

	"github.com/flowviz/flowviz/viz/scene"
)

// advanceFor drives b the way a game loop without threads would: one
// Advance of budget per 60 Hz tick, until cond holds or 20 s pass.
func advanceFor(t *testing.T, b *Backend, budget time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("stepwise: timed out waiting for %s", what)
		}
		b.Advance(budget)
	}
}

// TestStepwiseTrainsAndSamples runs the desktop backend in the stepwise
// mode, with no goroutine of its own: training advances, frames arrive,
// settings apply, Pause holds, and no goroutine is started.
func TestStepwiseTrainsAndSamples(t *testing.T) {
	before := runtime.NumGoroutine()
	b, err := New(small())
	if err != nil {
		t.Fatal(err)
	}
	const budget = 4 * time.Millisecond
	advanceFor(t, b, budget, "a scene", func() bool { return b.Scene() != nil })
	first := b.Status()
	advanceFor(t, b, budget, "300 steps", func() bool { return b.Status().Step >= 300 })
	if st := b.Status(); !(st.Loss < first.Loss || first.Step == 0) || math.IsNaN(st.Loss) {
		t.Errorf("loss %v at step %d after %v at step %d", st.Loss, st.Step, first.Loss, first.Step)
	}

	// One Advance keeps to its budget give or take one step.
	start := time.Now()
	b.Advance(budget)
	if d := time.Since(start); d > budget+200*time.Millisecond {
		t.Errorf("Advance(%v) took %v", budget, d)
	}

	s := small()
	s.Particles, s.Steps = 300, 7
	if err := b.Apply(s); err != nil {
		t.Fatal(err)
	}
	advanceFor(t, b, budget, "a scene with the new counts", func() bool {
		sc := b.Scene()
		return sc != nil && sc.Particles() == 300 && sc.Steps() == 7
	})

	b.Pause()
	advanceFor(t, b, budget, "the pause", func() bool { return b.Status().State == "paused" })
	step := b.Status().Step
	for range 10 {
		b.Advance(budget)
	}
	if got := b.Status().Step; got != step {
		t.Errorf("paused at step %d, then %d after Advance", step, got)
	}
	b.Train()
	advanceFor(t, b, budget, "training to resume", func() bool { return b.Status().Step > step })
	if n := runtime.NumGoroutine(); n > before {
		t.Errorf("stepwise mode left %d goroutines, was %d", n, before)
	}
}

// BenchmarkLockstep trains two networks side by side in lockstep, as compare
// mode does, and reports each one's steps/s (go test -bench Lockstep
// -benchtime 2x ./viz/live/): the rates agree whatever the load.
func BenchmarkLockstep(b *testing.B) {
	for b.Loop() {
		l := new(scene.Lockstep)
		var backends [2]*Backend
		var stops [2]func()
		for i := range backends {
			s := small()
			s.Width, s.Depth = 64, 3
			backends[i], stops[i] = start(b, s)
			backends[i].Lockstep(l)
		}
		time.Sleep(3 * time.Second)
		a, c := backends[0].Status(), backends[1].Status()
		for _, stop := range stops {
			stop()
		}
		b.ReportMetric(float64(a.Step-c.Step), "step-diff")
		b.ReportMetric(a.StepsPerSec, "A-steps/s")
		b.ReportMetric(c.StepsPerSec, "B-steps/s")
		b.ReportMetric(math.Abs(a.StepsPerSec-c.StepsPerSec)/math.Max(a.StepsPerSec, c.StepsPerSec), "rel-diff")
	}
}

// TestLockstepKeepsStep: members never get more than the window apart, a
// stalled member holds nobody back, and one back from a stall resumes at
// the slowest count.
func TestLockstepKeepsStep(t *testing.T) {
	var l scene.Lockstep
	a, b := l.Join(), l.Join()
	if got := l.Allowance(a); got != scene.LockstepWindow {
		t.Fatalf("fresh allowance %d", got)
	}
	l.Done(a, scene.LockstepWindow)
	if got := l.Allowance(a); got != 0 {
		t.Fatalf("A a window ahead may take %d more", got)
	}
	l.Done(b, 3)
	if got := l.Allowance(a); got != 3 {
		t.Fatalf("after B's 3 steps A may take %d, want 3", got)
	}
	l.Done(b, 0) // B paused
	if got := l.Allowance(a); got != scene.LockstepWindow {
		t.Fatalf("with B stalled A may take %d, want a window", got)
	}
	l.Done(a, 100)
	if got := l.Allowance(b); got != scene.LockstepWindow {
		t.Fatalf("B back from its stall may take %d", got)
	}
	if got := l.Allowance(a); got != scene.LockstepWindow {
		t.Fatalf("B resumed at A's count: A may take %d", got)
	}
}
