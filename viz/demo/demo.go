// Package demo is a scene.Backend that needs no network: it plays the exact
// marginal velocity field from Gaussian noise to a fixed point set, sharpening
// it over time as if a model were learning it. The visualizer's tests use it,
// and it shows what a perfectly trained model would draw.
package demo

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/flowviz/flowviz/flow"
	"github.com/flowviz/flowviz/viz/scene"
)

// Backend is the demo scene.Backend. The zero value is not usable; call New.
type Backend struct {
	latest atomic.Pointer[scene.Scene]
	wake   chan struct{} // capacity 1: settings changed

	mu       sync.Mutex // guards the fields below; never held while computing
	settings scene.Settings
	status   scene.Status
	running  bool
	resample uint64
	seq      int

	// Interval between "training" updates; each one lowers the smoothing h.
	Interval time.Duration
}

// New returns a demo backend with the given settings, training on.
func New(s scene.Settings) *Backend {
	b := &Backend{wake: make(chan struct{}, 1), settings: s.Clamp(), running: true, Interval: 250 * time.Millisecond}
	b.status = scene.Status{State: "running", Note: "demo: exact marginal field, no network"}
	return b
}

func (b *Backend) poke() {
	select {
	case b.wake <- struct{}{}:
	default:
	}
}

// Scene returns the newest scene (nil before the first).
func (b *Backend) Scene() *scene.Scene { return b.latest.Load() }

// Status returns the fake training status.
func (b *Backend) Status() scene.Status {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.status
}

// Options lists what the demo accepts.
func (b *Backend) Options() scene.Options {
	return scene.Options{
		Data:      []string{"gaussian", "moons", "ring"},
		Acts:      []string{"silu"},
		Paths:     []string{"linear"},
		Couplings: []string{"independent"},
		Solvers:   []string{"euler"},
	}
}

// Apply takes new settings; an unknown target is refused.
func (b *Backend) Apply(s scene.Settings) error {
	if s.Target != "moons" && s.Target != "ring" {
		return errors.New("demo: target must be moons or ring")
	}
	if math.IsNaN(s.LR) || s.LR <= 0 || s.LR > 10 {
		return errors.New("demo: learning rate out of range")
	}
	b.mu.Lock()
	old := b.settings
	b.settings = s.Clamp()
	if old.Target != s.Target || old.Width != s.Width || old.Depth != s.Depth {
		b.status.Step = 0
		b.status.Note = "architecture or data changed: training restarted"
	}
	b.mu.Unlock()
	b.poke()
	return nil
}

// Train resumes the fake training; Pause pauses it; Reset starts it over.
func (b *Backend) Train() { b.setRunning(true) }
func (b *Backend) Pause() { b.setRunning(false) }
func (b *Backend) Reset() {
	b.mu.Lock()
	b.status.Step = 0
	b.status.LossHistory = nil
	b.mu.Unlock()
	b.poke()
}

// Resample draws new particles.
func (b *Backend) Resample() {
	b.mu.Lock()
	b.resample++
	b.mu.Unlock()
	b.poke()
}

func (b *Backend) setRunning(on bool) {
	b.mu.Lock()
	b.running = on
	if on {
		b.status.State = "running"
	} else {
		b.status.State = "paused"
	}
	b.mu.Unlock()
	b.poke()
}

// Run publishes scenes until ctx is cancelled.
func (b *Backend) Run(ctx context.Context) error {
	tick := time.NewTicker(b.Interval)
	defer tick.Stop()
	type input struct {
		s      scene.Settings
		step   int
		reseed uint64
	}
	var done *input
	for {
		b.mu.Lock()
		in := &input{s: b.settings, step: b.status.Step, reseed: b.resample}
		b.mu.Unlock()
		// Recompute only when something the scene depends on changed.
		if done == nil || done.s != in.s || done.step != in.step || done.reseed != in.reseed {
			sc, err := Compute(ctx, in.s, in.step, in.reseed)
			if err != nil {
				return nil // cancelled
			}
			b.mu.Lock()
			b.seq++
			sc.Seq = b.seq
			b.mu.Unlock()
			b.latest.Store(sc)
			done = in
		}
		select {
		case <-ctx.Done():
			return nil
		case <-b.wake:
		case <-tick.C:
			b.mu.Lock()
			if b.running && b.status.Step < 40 {
				b.status.Step++
				h := smoothing(b.status.Step)
				b.status.Loss = 1 + h
				b.status.StepsPerSec = float64(time.Second) / float64(b.Interval)
				b.status.LossHistory = append(b.status.LossHistory[:len(b.status.LossHistory):len(b.status.LossHistory)], float32(b.status.Loss))
			}
			b.mu.Unlock()
		}
	}
}

// smoothing is the target's blur h at a fake training step: it halves every
// five steps down to 0.04, as a model's samples sharpen while it learns.
func smoothing(step int) float64 { return math.Max(0.04, math.Pow(0.5, float64(step)/5)) }

// Targets returns the demo target point set: two moons (sklearn's make_moons
// scaled by 2 and shifted by −1) or a ring of radius 2.5.
func Targets(name string, n int) []flow.Vec {
	pts := make([]flow.Vec, n)
	for i := range pts {
		s := math.Pi * (float64(i/2) + 0.5) / float64((n+1)/2)
		switch {
		case name == "ring":
			a := 2 * math.Pi * float64(i) / float64(n)
			pts[i] = flow.Vec{2.5 * math.Cos(a), 2.5 * math.Sin(a)}
		case i%2 == 0: // outer arc (cos s, sin s)
			pts[i] = flow.Vec{2*math.Cos(s) - 1, 2*math.Sin(s) - 1}
		default: // inner arc (1 − cos s, 1 − sin s − ½)
			pts[i] = flow.Vec{2*(1-math.Cos(s)) - 1, 2*(1-math.Sin(s)-0.5) - 1}
		}
	}
	return pts
}

// Marginal is the exact marginal velocity of the linear path from N(0, I) to
// the mixture of N(y_j, h²I):
//
//	s² = (1−t)² + t²h²,  w_j ∝ exp(−|x − t·y_j|² / 2s²),
//	v(x, t) = Σ_j w_j · (y_j + (t·h² − (1−t))/s² · (x − t·y_j)).
//
// At h = 0 each term is (y_j − x)/(1 − t), the straight line to y_j.
func Marginal(ys []flow.Vec, h float64) flow.Field {
	logw := make([]float64, len(ys))
	return flow.FieldFunc(func(dst, x []flow.Vec, t float64) {
		s2 := (1-t)*(1-t) + t*t*h*h
		s2 = math.Max(s2, 1e-6)
		gain := (t*h*h - (1 - t)) / s2
		for i, p := range x {
			best := math.Inf(-1)
			for j, y := range ys {
				dx, dy := p[0]-t*y[0], p[1]-t*y[1]
				logw[j] = -(dx*dx + dy*dy) / (2 * s2)
				best = math.Max(best, logw[j])
			}
			var sw, vx, vy float64
			for j, y := range ys {
				w := math.Exp(logw[j] - best) // shifted for stability
				dx, dy := p[0]-t*y[0], p[1]-t*y[1]
				sw += w
				vx += w * (y[0] + gain*dx)
				vy += w * (y[1] + gain*dy)
			}
			dst[i] = flow.Vec{vx / sw, vy / sw}
		}
	})
}

// Compute builds the scene for settings s at fake training step: Euler
// trajectories x ← x + (1/N)·v(x, k/N) from seeded Gaussian draws, and the
// field on the arrow grid at every t_k. It returns ctx's error if cancelled.
func Compute(ctx context.Context, s scene.Settings, step int, reseed uint64) (*scene.Scene, error) {
	s = s.Clamp()
	ys := Targets(s.Target, 64)
	field := Marginal(ys, smoothing(step))
	n := s.Steps
	rng := rand.New(rand.NewPCG(s.Seed, 0x5eed+reseed))
	sc := &scene.Scene{Step: step, Grid: s.Grid, View: s.View, Times: make([]float64, n+1), Traj: make([][]flow.Vec, n+1)}
	sc.Traj[0] = make([]flow.Vec, s.Particles)
	for i := range sc.Traj[0] {
		sc.Traj[0][i] = flow.Vec{rng.NormFloat64(), rng.NormFloat64()}
	}
	sc.GridPts = scene.GridPoints(s.Grid, s.View)
	sc.Field = make([][]flow.Vec, n+1)
	v := make([]flow.Vec, s.Particles)
	for k := 0; k <= n; k++ {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		t := float64(k) / float64(n)
		sc.Times[k] = t
		sc.Field[k] = make([]flow.Vec, len(sc.GridPts))
		field.Velocity(sc.Field[k], sc.GridPts, t)
		if k == n {
			break
		}
		field.Velocity(v, sc.Traj[k], t)
		next := make([]flow.Vec, s.Particles)
		for i, p := range sc.Traj[k] {
			next[i] = flow.Vec{p[0] + v[i][0]/float64(n), p[1] + v[i][1]/float64(n)}
		}
		sc.Traj[k+1] = next
	}
	sc.MaxSpeed = flow.MaxSpeed(sc.Field)
	sc.Source = make([]flow.Vec, 1500)
	for i := range sc.Source {
		sc.Source[i] = flow.Vec{rng.NormFloat64(), rng.NormFloat64()}
	}
	sc.Target = make([]flow.Vec, 1500)
	for i := range sc.Target {
		y := ys[rng.IntN(len(ys))]
		sc.Target[i] = flow.Vec{y[0] + 0.05*rng.NormFloat64(), y[1] + 0.05*rng.NormFloat64()}
	}
	return sc, nil
}
