package viz

import (
	"context"
	"errors"
	"math"
	"os"
	"testing"

	"github.com/flowviz/flowviz/flow"

	"github.com/hajimehoshi/ebiten/v2"

	"github.com/flowviz/flowviz/viz/scene"
)

// The tests run inside a real ebiten game loop (ebiten's own pattern): the
// first Update runs them, then the loop ends. They need a display, e.g.
// xvfb-run -a go test ./viz.
type testRunner struct {
	m    *testing.M
	code int
}

func (r *testRunner) Update() error {
	r.code = r.m.Run()
	return ebiten.Termination
}
func (r *testRunner) Draw(*ebiten.Image)         {}
func (r *testRunner) Layout(int, int) (int, int) { return 320, 240 }

func TestMain(m *testing.M) {
	r := &testRunner{m: m}
	ebiten.SetWindowSize(320, 240)
	if err := ebiten.RunGame(r); err != nil && !errors.Is(err, ebiten.Termination) {
		panic(err)
	}
	os.Exit(r.code)
}

// staticBackend serves one precomputed scene and records what it was told.
type staticBackend struct {
	sc      *scene.Scene
	status  scene.Status
	applied []scene.Settings
	trains  int
	pauses  int
}

func (b *staticBackend) Run(ctx context.Context) error { <-ctx.Done(); return nil }
func (b *staticBackend) Scene() *scene.Scene           { return b.sc }
func (b *staticBackend) Status() scene.Status          { return b.status }
func (b *staticBackend) Options() scene.Options {
	return scene.Options{Data: []string{"gaussian", "moons"}, Acts: []string{"silu"}, Paths: []string{"linear"},
		Couplings: []string{"independent"}, Solvers: []string{"euler"}}
}
func (b *staticBackend) Apply(s scene.Settings) error {
	if s.Target == "bogus" {
		return errors.New("unknown target bogus")
	}
	b.applied = append(b.applied, s)
	return nil
}
func (b *staticBackend) Train()    { b.trains++; b.status.State = "running" }
func (b *staticBackend) Pause()    { b.pauses++; b.status.State = "paused" }
func (b *staticBackend) Reset()    {}
func (b *staticBackend) Resample() {}

// newSynthetic builds a backend whose scene is cheap to make at any size:
// particles on a spiral at t = 0 move in straight lines to a circle of radius 2.
func newSynthetic(particles, steps, grid int) *staticBackend {
	sc := &scene.Scene{Seq: 1, Grid: grid, View: [4]float64{-4, -4, 4, 4}}
	x0 := make([]flow.Vec, particles)
	x1 := make([]flow.Vec, particles)
	for i := range x0 {
		a := float64(i) * 2.39996 // golden angle
		r := math.Sqrt(float64(i)/float64(particles)) * 2
		x0[i] = flow.Vec{r * math.Cos(a), r * math.Sin(a)}
		x1[i] = flow.Vec{2 * math.Cos(a), 2 * math.Sin(a)}
	}
	sc.Times = make([]float64, steps+1)
	sc.Traj = make([][]flow.Vec, steps+1)
	for k := range sc.Traj {
		t := float64(k) / float64(steps)
		sc.Times[k] = t
		sc.Traj[k] = make([]flow.Vec, particles)
		for i := range x0 {
			sc.Traj[k][i] = flow.Vec{(1-t)*x0[i][0] + t*x1[i][0], (1-t)*x0[i][1] + t*x1[i][1]}
		}
	}
	sc.GridPts = scene.GridPoints(grid, sc.View)
	sc.Field = make([][]flow.Vec, steps+1)
	for k := range sc.Field {
		sc.Field[k] = make([]flow.Vec, len(sc.GridPts))
		for j, p := range sc.GridPts {
			sc.Field[k][j] = flow.Vec{-p[1], p[0] * float64(k) / float64(steps)}
		}
	}
	sc.MaxSpeed = flow.MaxSpeed(sc.Field)
	sc.Source, sc.Target = x0[:min(len(x0), 1000)], x1[:min(len(x1), 1000)]
	return &staticBackend{sc: sc, status: scene.Status{State: "running", Step: 100, Loss: 1.5, LossHistory: []float32{3, 2, 1.6, 1.5}}}
}
