package viz

import "time"

// stepWork paces a stepwise backend (scene.Stepper) from the game loop, as
// the browser build runs: training and sampling share the one thread with
// the frames, so the ticks may work only for as long as keeps the frame
// rate at 80 % or more of what it is with training paused.
//
// It measures both rates as it goes. paused is the moving average of the
// time between two ticks when the first did no work (the frame rate
// without training: input, drawing, the browser's compositing, waiting for
// the display), period the moving average of all ticks. Each tick earns share·paused of
// work, and share is steered so that period stays under 1.2·paused: it
// grows by 2 % while it does and shrinks by 10 % while it does not. So a
// page that draws faster than the display trains in its idle time, and a
// slow one gives training a fifth of its time.
//
// A training step cannot be cut (in WebAssembly one takes ~15 ms), so the
// allowance accrues as credit and a tick works only while the credit is
// positive: the average holds even where one step outlasts a tick, and a
// key press waits at most a tick plus one step. Every noWorkEvery ticks at
// the latest one tick does no work, so paused stays measured.
type stepWork struct {
	last    time.Time     // start of the previous tick
	spent   time.Duration // the work done in the previous tick
	paused  float64       // seconds: average time of a tick after one without work
	period  float64       // seconds: average time of any tick
	share   float64       // work earned per tick, in units of paused
	credit  time.Duration // work earned and not yet used
	working int           // ticks in a row that worked
	turn    int           // whose turn is first this tick
	// extra is the parts' own stepwise work beside the panes' (the
	// Keeper's GIF recording), given a turn every tick.
	extra []slicedWork
}

// Constants of the pacing.
const (
	targetRatio  = 1.2                   // period/paused to steer to (frame rate 83 %)
	maxCredit    = 50 * time.Millisecond // the most one tick of a fast page may work
	emaWeight    = 0.05                  // of the newest tick in the averages
	pausedWindow = 16                    // ticks after one without work that the paused time is taken from
	noWorkEvery  = 8
	minShare     = 0.02
	maxShare     = 4.0
)

// allowance returns how long this tick may work (0: not this tick), given
// the time now, and earns the tick's share.
func (s *stepWork) allowance(now time.Time) time.Duration {
	if s.share == 0 {
		s.share = 0.25
	}
	if !s.last.IsZero() {
		if d := now.Sub(s.last).Seconds(); d < 5 { // a tab in the background stops ticking
			ema(&s.period, d)
			if s.spent == 0 {
				ema(&s.paused, d)
			}
		}
		if s.paused > 0 {
			if s.period < targetRatio*s.paused {
				s.share = min(maxShare, s.share*1.02)
			} else {
				s.share = max(minShare, s.share*0.9)
			}
		}
	}
	s.last = now
	s.spent = 0
	if s.paused == 0 || s.working >= noWorkEvery {
		s.working = 0
		return 0 // measure the rate without work
	}
	// The most a tick may work: maxCredit, or a fifth of a tick of a page
	// slower than that (what keeps a tick at 1.2 of paused). Not half a
	// tick, as it was: the ticks without work are slower while training
	// runs than with training paused (new frames to take, likely the
	// collector, which in WebAssembly runs between frames on the page's
	// thread), so paused grows with the very work it bounds, and with
	// half of it a slow page let the work take most of its time (0.94
	// frames a second training against 7.1 paused). Bounded by a fifth,
	// that loop stays small.
	limit := max(maxCredit, time.Duration(s.paused*float64(time.Second)*(targetRatio-1)))
	s.credit = min(limit, s.credit+time.Duration(s.share*s.paused*float64(time.Second)))
	if s.credit <= 0 {
		s.working = 0
		return 0
	}
	s.working++
	return s.credit
}

// ema moves the average *avg towards x (starting at x).
func ema(avg *float64, x float64) {
	if *avg == 0 {
		*avg = x
		return
	}
	*avg += emaWeight * (x - *avg)
}

// done records work that took d.
func (s *stepWork) done(d time.Duration) {
	s.spent += d
	s.credit -= d
	// A step far past the credit is paid back over the next ticks, but
	// no more than a second's worth, so a slow first step (compiling)
	// does not stop training for long.
	s.credit = max(s.credit, -time.Second)
}

// slicedWork is work the game loop does in slices in the stepwise mode: it
// works for about budget on the caller's goroutine and reports whether it
// has more to do now.
type slicedWork func(budget time.Duration) bool

// advance lets the stepwise work run for this tick's allowance: the
// panes' backends and density layers, and the parts' own work (a GIF being
// recorded). They take turns, the first one further on each tick, each
// given an equal part of what is left; what idle ones leave goes round
// again to those that have more to do.
func (s *stepWork) advance(work []slicedWork) {
	start := time.Now()
	w := s.allowance(start)
	if w <= 0 || len(work) == 0 {
		return
	}
	n := len(work)
	s.turn = (s.turn + 1) % n
	for busy := true; busy; {
		busy = false
		for i := range n {
			rest := w - time.Since(start)
			if rest <= 0 {
				break
			}
			if work[(s.turn+i)%n](rest / time.Duration(n-i)) {
				busy = true
			}
		}
		busy = busy && time.Since(start) < w
	}
	s.done(time.Since(start))
}

// work lists the stepwise work of the panes (backend, density layer) and
// the parts' own (extra).
func (ps *Panes) stepwiseWork() []slicedWork {
	w := make([]slicedWork, 0, 2*len(ps.all)+len(ps.work.extra))
	for _, p := range ps.all {
		w = append(w, p.advance, p.dens.advance)
	}
	return append(w, ps.work.extra...)
}
