package timeline

import (
	"math"
	"strings"
	"testing"
)

func TestStepForwardLandsExactly(t *testing.T) {
	for _, n := range []int{1, 3, 7, 50, 200} {
		tl := New(n)
		for k := 1; k <= n; k++ {
			tl.StepForward()
			got, exact := tl.Step()
			if got != k || !exact {
				t.Fatalf("N=%d: after %d steps at (%d, %v), t=%v", n, k, got, exact, tl.T)
			}
			if tl.T != float64(k)/float64(n) {
				t.Fatalf("N=%d: t = %v, want exactly %d/%d", n, tl.T, k, n)
			}
		}
		tl.StepForward() // past the end stays at N
		if k, _ := tl.Step(); k != n || tl.T != 1 {
			t.Errorf("N=%d: stepping past the end gave k=%d t=%v", n, k, tl.T)
		}
		for k := n - 1; k >= 0; k-- {
			tl.StepBack()
			if got, exact := tl.Step(); got != k || !exact {
				t.Fatalf("N=%d: stepping back to %d gave (%d, %v)", n, k, got, exact)
			}
		}
		tl.StepBack()
		if tl.T != 0 {
			t.Errorf("N=%d: stepping before the start gave t=%v", n, tl.T)
		}
	}
}

func TestStepFromBetweenStates(t *testing.T) {
	tests := []struct {
		t        float64
		fwd, bck int
	}{
		{0.33, 4, 3}, // N=10: between 3 and 4
		{0.30, 4, 2}, // exactly 3
		{0.0, 1, 0},
		{1.0, 10, 9},
		{0.999, 10, 9},
	}
	for _, tc := range tests {
		tl := New(10)
		tl.Scrub(tc.t)
		tl.StepForward()
		if k, _ := tl.Step(); k != tc.fwd {
			t.Errorf("t=%v: forward to %d, want %d", tc.t, k, tc.fwd)
		}
		tl.Scrub(tc.t)
		tl.StepBack()
		if k, _ := tl.Step(); k != tc.bck {
			t.Errorf("t=%v: back to %d, want %d", tc.t, k, tc.bck)
		}
	}
}

func TestStepPauses(t *testing.T) {
	tl := New(10)
	tl.Play()
	tl.Advance(0.1)
	tl.StepForward()
	if tl.Playing {
		t.Errorf("stepping did not pause")
	}
	before := tl.T
	tl.Advance(1)
	if tl.T != before {
		t.Errorf("paused clock moved")
	}
}

func TestAdvanceModes(t *testing.T) {
	const dt = 1.0 / 60
	run := func(tl *Timeline, seconds float64) {
		for s := 0.0; s < seconds; s += dt {
			tl.Advance(dt)
		}
	}
	// Loop: after one period and the hold, t restarts near 0.
	tl := New(50)
	tl.Period, tl.Hold = 1, 0.5
	tl.Play()
	run(tl, 0.5)
	if math.Abs(tl.T-0.5) > 0.02 {
		t.Errorf("loop: t=%v after half a period", tl.T)
	}
	run(tl, 0.6)
	if tl.T != 1 {
		t.Errorf("loop: not resting at 1 (t=%v)", tl.T)
	}
	run(tl, 0.6)
	if !(tl.T > 0.1 && tl.T < 0.3) || !tl.Playing { // 0.2 s after the hold ended
		t.Errorf("loop: did not restart (t=%v playing=%v)", tl.T, tl.Playing)
	}

	// Bounce: runs back down after the hold.
	tl = New(50)
	tl.Mode, tl.Period, tl.Hold = Bounce, 1, 0.2
	tl.Play()
	run(tl, 1.5)
	if !(tl.T > 0.6 && tl.T < 0.8) {
		t.Errorf("bounce: t=%v, want about 0.7 on the way back", tl.T)
	}

	// Once: stops at 1; Play restarts from 0.
	tl = New(50)
	tl.Mode, tl.Period = Once, 1
	tl.Play()
	run(tl, 2)
	if tl.Playing || tl.T != 1 {
		t.Errorf("once: playing=%v t=%v", tl.Playing, tl.T)
	}
	tl.Toggle()
	if !tl.Playing || tl.T != 0 {
		t.Errorf("replay from end: playing=%v t=%v", tl.Playing, tl.T)
	}

	// Speed doubles the rate.
	tl = New(50)
	tl.Period, tl.Speed = 4, 2
	tl.Play()
	tl.Advance(1)
	if math.Abs(tl.T-0.5) > 1e-12 {
		t.Errorf("speed 2: t=%v, want 0.5", tl.T)
	}
	for _, bad := range []float64{math.NaN(), -1, 0} {
		tl.Advance(bad)
	}
	if math.Abs(tl.T-0.5) > 1e-12 {
		t.Errorf("bad dt moved the clock to %v", tl.T)
	}
}

func TestSegment(t *testing.T) {
	tests := []struct {
		t    float64
		n    int
		k    int
		frac float64
	}{
		{0, 10, 0, 0},
		{-1, 10, 0, 0},
		{math.NaN(), 10, 0, 0},
		{0.25, 10, 2, 0.5},
		{0.3, 10, 3, 0},
		{float64(7) / 200, 200, 7, 0},
		{1, 10, 9, 1},
		{1, 1, 0, 1},
		{0.5, 1, 0, 0.5},
		{2, 10, 9, 1},
		{0.5, 0, 0, 0},
	}
	for _, tc := range tests {
		k, frac := Segment(tc.t, tc.n)
		if k != tc.k || math.Abs(frac-tc.frac) > 1e-9 {
			t.Errorf("Segment(%v, %d) = (%d, %v), want (%d, %v)", tc.t, tc.n, k, frac, tc.k, tc.frac)
		}
	}
	// Every exact state k/N is found as (k, 0), the blog's t = k/N.
	for _, n := range []int{1, 3, 49, 50, 199, 200} {
		for k := range n {
			if gk, f := Segment(float64(k)/float64(n), n); gk != k || f != 0 {
				t.Fatalf("Segment(%d/%d) = (%d, %v)", k, n, gk, f)
			}
		}
	}
}

func TestLabelAndControls(t *testing.T) {
	tl := New(50)
	tl.Goto(12)
	if got := tl.Label(); !strings.HasPrefix(got, "step 12 of 50,  t = 12/50 = 0.240") {
		t.Errorf("Label = %q", got)
	}
	tl.Scrub(0.245)
	if got := tl.Label(); !strings.HasPrefix(got, "between step 12 and 13 of 50") {
		t.Errorf("Label = %q", got)
	}
	tl.Speed = 1
	tl.Faster()
	tl.Faster()
	if tl.Speed != 4 {
		t.Errorf("Faster twice from 1 = %v", tl.Speed)
	}
	for range 10 {
		tl.Slower()
	}
	if tl.Speed != Speeds[0] {
		t.Errorf("Slower floor = %v", tl.Speed)
	}
	tl.Mode = Loop
	tl.CycleMode()
	if tl.Mode != Bounce {
		t.Errorf("CycleMode from loop = %v", tl.Mode)
	}
	tl.SetSteps(0)
	if tl.N != 1 {
		t.Errorf("SetSteps(0) gave N=%d", tl.N)
	}
	tl.Scrub(math.NaN())
	tl.Scrub(7)
	if tl.T != 1 {
		t.Errorf("Scrub(7) gave %v", tl.T)
	}
}
