// Package timeline is the animation clock of the sampler's time axis t ∈ [0, 1]:
// play, pause, scrub, step exactly from one solver state to the next.
package timeline

import (
	"fmt"
	"math"
)

// Mode says what playback does when it reaches an end of [0, 1].
type Mode int

const (
	Loop   Mode = iota // jump back to t = 0 after a short hold at t = 1
	Bounce             // reverse direction at each end
	Once               // stop at t = 1
)

// Modes lists the modes in the order the UI cycles through them.
var Modes = []Mode{Loop, Bounce, Once}

func (m Mode) String() string {
	switch m {
	case Loop:
		return "loop"
	case Bounce:
		return "bounce"
	case Once:
		return "once"
	}
	return fmt.Sprintf("Mode(%d)", int(m))
}

// Speeds are the playback speed multipliers the UI steps through.
var Speeds = []float64{0.125, 0.25, 0.5, 1, 2, 4}

// Defaults of a new Timeline.
const (
	DefaultPeriod = 3.0 // seconds for t to run from 0 to 1 at speed 1
	DefaultHold   = 1.5 // seconds to rest at an end: long enough to look at the result
)

// snapTol is how close t·N must be to an integer to count as exactly on step
// k; t = k/N in float64 is within 1e-15 relative of k.
const snapTol = 1e-9

// Timeline is the state of the animation clock. N is the number of solver
// steps of the frame being shown; the solver states sit at t_k = k/N.
type Timeline struct {
	T       float64 // current time in [0, 1]
	N       int     // number of solver steps, ≥ 1
	Playing bool
	Speed   float64 // multiplier of 1/Period
	Mode    Mode
	Period  float64
	Hold    float64

	dir  float64 // +1 forwards, −1 backwards (bounce)
	rest float64 // seconds left to rest at an end
}

// New returns a paused timeline at t = 0 with n steps.
func New(n int) *Timeline {
	tl := &Timeline{Speed: 1, Period: DefaultPeriod, Hold: DefaultHold, dir: 1}
	tl.SetSteps(n)
	return tl
}

// SetSteps changes N (clamped to ≥ 1), keeping t.
func (tl *Timeline) SetSteps(n int) { tl.N = max(1, n) }

// Advance moves the clock by dt seconds of wall time when playing.
func (tl *Timeline) Advance(dt float64) {
	if !tl.Playing || !(dt > 0) {
		return
	}
	if tl.dir == 0 {
		tl.dir = 1
	}
	if tl.rest > 0 {
		tl.rest -= dt
		if tl.rest > 0 {
			return
		}
		dt = -tl.rest
		tl.rest = 0
		switch tl.Mode {
		case Loop:
			if tl.T >= 1 {
				tl.T = 0
			}
		case Bounce:
			if tl.T >= 1 {
				tl.dir = -1
			} else {
				tl.dir = 1
			}
		}
	}
	period := tl.Period
	if !(period > 0) {
		period = DefaultPeriod
	}
	speed := tl.Speed
	if !(speed > 0) {
		speed = 1
	}
	tl.T += tl.dir * dt * speed / period
	switch {
	case tl.T >= 1:
		tl.T = 1
		if tl.Mode == Once {
			tl.Playing = false
			return
		}
		tl.rest = tl.Hold
		if tl.rest <= 0 {
			tl.rest = 1e-12 // still go through the end-of-range logic above
		}
	case tl.T <= 0:
		tl.T = 0
		if tl.Mode == Bounce {
			tl.rest = max(tl.Hold, 1e-12)
		} else {
			tl.dir = 1
		}
	}
}

// Toggle plays or pauses. Playing from the end in Loop or Once mode restarts
// from 0, as a video player does.
func (tl *Timeline) Toggle() {
	if tl.Playing {
		tl.Playing = false
		return
	}
	tl.Play()
}

// Play starts playback.
func (tl *Timeline) Play() {
	if tl.T >= 1 && tl.Mode != Bounce {
		tl.T = 0
	}
	if tl.dir == 0 {
		tl.dir = 1
	}
	tl.rest = 0
	tl.Playing = true
}

// Pause stops playback where it is.
func (tl *Timeline) Pause() { tl.Playing = false }

// Step returns the solver step k with t_k ≤ t < t_{k+1}, and whether t is
// exactly on t_k (as after stepping or at the ends).
func (tl *Timeline) Step() (k int, exact bool) {
	x := tl.T * float64(tl.N)
	r := math.Round(x)
	if math.Abs(x-r) <= snapTol*math.Max(1, x) {
		return min(tl.N, max(0, int(r))), true
	}
	return min(tl.N, max(0, int(math.Floor(x)))), false
}

// Goto pauses and lands exactly on solver state k (clamped to [0, N]).
func (tl *Timeline) Goto(k int) {
	k = min(tl.N, max(0, k))
	tl.Playing = false
	tl.rest = 0
	tl.T = float64(k) / float64(tl.N)
}

// StepForward pauses and moves to the next solver state: from between t_k and
// t_{k+1} that is t_{k+1}; from exactly t_k it is also t_{k+1}.
func (tl *Timeline) StepForward() {
	k, _ := tl.Step()
	tl.Goto(k + 1)
}

// StepBack pauses and moves to the previous solver state: from between t_k and
// t_{k+1} that is t_k; from exactly t_k it is t_{k−1}.
func (tl *Timeline) StepBack() {
	k, exact := tl.Step()
	if exact {
		k--
	}
	tl.Goto(k)
}

// Start jumps to t = 0 (state 0), End to t = 1 (state N).
func (tl *Timeline) Start() { tl.Goto(0) }
func (tl *Timeline) End()   { tl.Goto(tl.N) }

// Scrub sets t directly (clamped to [0, 1]) and pauses, as dragging the
// scrubber does; between states the view interpolates.
func (tl *Timeline) Scrub(t float64) {
	if math.IsNaN(t) {
		return
	}
	tl.Playing = false
	tl.rest = 0
	tl.T = math.Min(1, math.Max(0, t))
}

// CycleMode switches to the next playback mode.
func (tl *Timeline) CycleMode() {
	for i, m := range Modes {
		if m == tl.Mode {
			tl.Mode = Modes[(i+1)%len(Modes)]
			return
		}
	}
	tl.Mode = Loop
}

// Faster and Slower step through Speeds.
func (tl *Timeline) Faster() { tl.Speed = stepSpeed(tl.Speed, +1) }
func (tl *Timeline) Slower() { tl.Speed = stepSpeed(tl.Speed, -1) }

func stepSpeed(cur float64, dir int) float64 {
	best := 0
	for i, s := range Speeds {
		if math.Abs(s-cur) < math.Abs(Speeds[best]-cur) {
			best = i
		}
	}
	return Speeds[min(len(Speeds)-1, max(0, best+dir))]
}

// Label says where the clock is in the terms of the sampling loop:
// "step k of N, t = k/N = 0.xxx", or the two neighbouring steps in between.
func (tl *Timeline) Label() string {
	k, exact := tl.Step()
	if exact {
		return fmt.Sprintf("step %d of %d,  t = %d/%d = %.3f", k, tl.N, k, tl.N, float64(k)/float64(tl.N))
	}
	return fmt.Sprintf("between step %d and %d of %d,  t = %.3f", k, k+1, tl.N, tl.T)
}

// Segment locates t on a grid of n steps for interpolation: the states k and
// k+1 to blend (0 ≤ k < n) and the weight frac ∈ [0, 1] of state k+1. Exact
// states give frac 0, except t = 1, which is (n−1, 1).
func Segment(t float64, n int) (k int, frac float64) {
	if n < 1 || !(t > 0) {
		return 0, 0
	}
	if t >= 1 {
		return n - 1, 1
	}
	x := t * float64(n)
	r := math.Round(x)
	if math.Abs(x-r) <= snapTol*math.Max(1, x) {
		x = r
	}
	k = int(math.Floor(x))
	if k >= n {
		return n - 1, 1
	}
	return k, x - float64(k)
}
