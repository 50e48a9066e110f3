package viz

import (
	"slices"
	"time"
)

// stepWork paces a stepwise backend (scene.Stepper) from the game loop, as
// the browser build runs: training and sampling share the one thread with
// the frames, so the ticks may work only for as long as keeps the frame
// rate at 80 % or more of what it is with training paused.
//
// Its ticks are frames: the game loop calls it on the first tick after a
// frame was drawn only, since ebiten runs several ticks in a row to catch
// up after a slow frame, and time between those says nothing of the frame
// rate (nor should each of them work).
//
// It measures both rates as it goes. paused is the mean of the last
// pausedWindow times between two ticks when the first did no work (the
// frame rate without training: input, drawing, the browser's compositing,
// waiting for the display), leaving out those over outlier times their
// median; period is the moving average of all ticks. Not a moving average
// for paused: the page's first ticks take most of a second (compiling,
// the first uploads), and an average that starts there and learns only on
// every eighth tick took a minute to forget them, all the while allowing
// training a fifth of that second each tick; the median leaves them out at
// once. Nor the median itself: the headless browser's frames are uneven
// (one in ten or so takes three times the others, with or without work),
// and the median of the idle ticks against the average of all counted that
// unevenness as the work's, and held training at the floor of its share
// (0.02–0.05 of a frame in the page).
//
// Each tick earns share·paused of work, and share is steered so that
// period stays under 1.2·paused: it grows by 2 % while it does and shrinks
// by 3 % while it does not. So a page that draws faster than the display
// trains in its idle time, and a slow one gives training a fifth of its
// time. period averages over about five ticks: a longer memory, with a
// faster shrink, overshot by a wide margin (the share fell tenfold each
// time the period crossed its bound, and took seconds to climb back).
//
// A training step cannot be cut (in WebAssembly one takes ~15 ms), so the
// allowance accrues as credit and a tick works only while the credit is
// positive: the average holds even where one step outlasts a tick, and a
// key press waits at most a tick plus one step. Every noWorkEvery ticks at
// the latest one tick does no work, so paused stays measured.
type stepWork struct {
	last    time.Time             // start of the previous tick
	spent   time.Duration         // the work done in the previous tick
	paused  float64               // seconds: mean time of a tick after one without work, outliers left out
	pauses  [pausedWindow]float64 // the latest such times, a ring
	npauses int                   // how many were recorded
	period  float64               // seconds: average time of any tick
	share   float64               // work earned per tick, in units of paused
	credit  time.Duration         // work earned and not yet used
	working int                   // ticks in a row that worked
	turn    int                   // whose turn is first this tick
	// extra is the parts' own stepwise work beside the panes' (the
	// Keeper's GIF recording), given a turn every tick.
	extra []slicedWork
}

// Constants of the pacing.
const (
	targetRatio  = 1.2                   // period/paused to steer to (frame rate 83 %)
	maxCredit    = 50 * time.Millisecond // the most one tick of a fast page may work
	emaWeight    = 0.2                   // of the newest tick in the average period
	pausedWindow = 9                     // ticks after one without work that the paused time is taken from
	outlier      = 4                     // a paused tick over this many times their median is left out
	noWorkEvery  = 8                     // at least one tick in this many does no work
	noWorkFirst  = 2                     // the same until pausedWindow such ticks are measured
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
				s.pause(d)
			}
		}
		if s.paused > 0 {
			if s.period < targetRatio*s.paused {
				s.share = min(maxShare, s.share*1.02)
			} else {
				s.share = max(minShare, s.share*0.97)
			}
		}
	}
	s.last = now
	s.spent = 0
	every := noWorkEvery
	if s.npauses < pausedWindow {
		every = noWorkFirst
	}
	if s.paused == 0 || s.working >= every {
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

// pause records the time d of a tick after one without work, and sets
// paused to the mean of the latest pausedWindow, without those over
// outlier times their median.
func (s *stepWork) pause(d float64) {
	s.pauses[s.npauses%pausedWindow] = d
	s.npauses++
	latest := slices.Clone(s.pauses[:min(s.npauses, pausedWindow)])
	slices.Sort(latest)
	bound := outlier * latest[len(latest)/2]
	var sum float64
	n := 0
	for _, x := range latest {
		if x <= bound {
			sum += x
			n++
		}
	}
	s.paused = sum / float64(n)
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
