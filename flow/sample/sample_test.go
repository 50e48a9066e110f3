package sample

import (
	"context"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/flowviz/flowviz/flow"
	"github.com/flowviz/flowviz/flow/data"
	"github.com/flowviz/flowviz/flow/mlp"
	"github.com/flowviz/flowviz/flow/train"
)

func newTrainer(t testing.TB, nsteps int) *train.Trainer {
	t.Helper()
	cfg := train.DefaultConfig()
	cfg.Net = mlp.Config{Width: 16, Depth: 2, Act: mlp.SiLU}
	cfg.Batch = 64
	tr, err := train.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	for range nsteps {
		if _, err := tr.Step(); err != nil {
			t.Fatal(err)
		}
	}
	tr.Publish()
	return tr
}

func smallSettings() Settings {
	return Settings{Particles: 257, Steps: 8, Solver: flow.Heun, Seed: 3, Grid: 5, View: [4]float64{-2, -1, 2, 3}, Trails: 10}
}

// frame computes one frame synchronously.
func frame(t testing.TB, s *Sampler, st Settings) *Frame {
	t.Helper()
	s.Set(st)
	f := s.compute(context.Background(), s.tr.Latest(), s.Settings(), s.gen.Load())
	if f == nil {
		t.Fatal("frame abandoned")
	}
	return f
}

func TestSettingsClamp(t *testing.T) {
	def := DefaultSettings()
	tests := []struct {
		name string
		in   Settings
		want Settings
	}{
		{"default unchanged", def, def},
		{"zeros", Settings{}, Settings{Particles: 1, Steps: 1, Grid: 4, View: DefaultView}},
		{"too large", Settings{Particles: 1e9, Steps: 1e4, Grid: 1000, Trails: 1e9, Solver: flow.RK4, View: def.View},
			Settings{Particles: MaxParticles, Steps: MaxSteps, Grid: MaxGrid, Trails: MaxParticles, Solver: flow.RK4, View: def.View}},
		{"unknown solver", Settings{Particles: 10, Steps: 10, Grid: 10, Solver: 99, View: def.View},
			Settings{Particles: 10, Steps: 10, Grid: 10, Solver: flow.Euler, View: def.View}},
		{"inverted view", Settings{Particles: 10, Steps: 10, Grid: 10, View: [4]float64{1, 0, -1, 2}},
			Settings{Particles: 10, Steps: 10, Grid: 10, View: DefaultView}},
		{"NaN view", Settings{Particles: 10, Steps: 10, Grid: 10, View: [4]float64{math.NaN(), 0, 1, 1}},
			Settings{Particles: 10, Steps: 10, Grid: 10, View: DefaultView}},
		{"trails above particles", Settings{Particles: 10, Steps: 10, Grid: 10, Trails: 50, View: def.View},
			Settings{Particles: 10, Steps: 10, Grid: 10, Trails: 10, View: def.View}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.in.Clamp(); got != tt.want {
				t.Fatalf("Clamp(%+v) = %+v, want %+v", tt.in, got, tt.want)
			}
		})
	}
}

func TestFrameShapesAndValues(t *testing.T) {
	tr := newTrainer(t, 30)
	s := New(tr, DefaultSettings())
	st := smallSettings()
	f := frame(t, s, st)
	n, p, g := st.Steps, st.Particles, st.Grid*st.Grid

	if f.Snap != tr.Latest() || f.Settings != st {
		t.Fatal("frame does not record its snapshot and settings")
	}
	if len(f.Times) != n+1 || len(f.Traj) != n+1 || len(f.Field) != n+1 {
		t.Fatalf("%d times, %d states, %d field slices; want %d each", len(f.Times), len(f.Traj), len(f.Field), n+1)
	}
	for k := range n + 1 {
		if math.Abs(f.Times[k]-float64(k)/float64(n)) > 1e-15 || len(f.Traj[k]) != p || len(f.Field[k]) != g {
			t.Fatalf("slice %d: t = %v, %d particles, %d arrows", k, f.Times[k], len(f.Traj[k]), len(f.Field[k]))
		}
	}
	if f.Times[n] != 1 {
		t.Fatalf("last time %v, want exactly 1", f.Times[n])
	}
	if !slices.Equal(f.Traj[0], f.SourcePts) || len(f.TargetPts) != p || len(f.GridPts) != g {
		t.Fatal("source cloud is not Traj[0], or cloud sizes are wrong")
	}

	// The trajectory is the solver applied to the source draws.
	field := f.Snap.Model().Field()
	x := slices.Clone(f.Traj[0])
	traj := make([][]flow.Vec, n+1)
	for k := range traj {
		traj[k] = make([]flow.Vec, p)
	}
	flow.Integrate(field, st.Solver, x, 0, 1, n, traj)
	for k := range traj {
		for i := range traj[k] {
			if d := math.Hypot(traj[k][i][0]-f.Traj[k][i][0], traj[k][i][1]-f.Traj[k][i][1]); d > 1e-9 {
				t.Fatalf("Traj[%d][%d] = %v, solver gives %v", k, i, f.Traj[k][i], traj[k][i])
			}
		}
	}

	// Arrows sit at cell centres, row by row from the view's lower left.
	for _, c := range []struct {
		j    int
		want flow.Vec
	}{{0, flow.Vec{-1.6, -0.6}}, {1, flow.Vec{-0.8, -0.6}}, {st.Grid, flow.Vec{-1.6, 0.2}}, {g - 1, flow.Vec{1.6, 2.6}}} {
		if got := f.GridPts[c.j]; math.Abs(got[0]-c.want[0]) > 1e-12 || math.Abs(got[1]-c.want[1]) > 1e-12 {
			t.Fatalf("GridPts[%d] = %v, want %v", c.j, got, c.want)
		}
	}
	maxSp := 0.0
	v := make([]flow.Vec, g)
	for k, tk := range f.Times {
		field.Velocity(v, f.GridPts, tk)
		for j := range v {
			if d := math.Hypot(v[j][0]-f.Field[k][j][0], v[j][1]-f.Field[k][j][1]); d > 1e-9 {
				t.Fatalf("Field[%d][%d] = %v, network gives %v", k, j, f.Field[k][j], v[j])
			}
			maxSp = max(maxSp, math.Hypot(v[j][0], v[j][1]))
		}
	}
	if math.Abs(f.MaxSpeed-maxSp) > 1e-12 || f.MaxSpeed == 0 {
		t.Fatalf("MaxSpeed %v, want %v", f.MaxSpeed, maxSp)
	}
}

func TestSourceDrawsStayFixed(t *testing.T) {
	tr := newTrainer(t, 5)
	s := New(tr, DefaultSettings())
	st := smallSettings()
	a := frame(t, s, st)
	for range 20 {
		if _, err := tr.Step(); err != nil {
			t.Fatal(err)
		}
	}
	tr.Publish()
	b := frame(t, s, st)
	if !slices.Equal(a.Traj[0], b.Traj[0]) || !slices.Equal(a.TargetPts, b.TargetPts) {
		t.Fatal("the same seed gave different particles after training went on")
	}
	if slices.Equal(a.Traj[st.Steps], b.Traj[st.Steps]) {
		t.Fatal("the end points did not move with the new weights")
	}
	// Earlier frames are never written to.
	snapshot := slices.Clone(a.Traj[1])
	frame(t, s, st)
	if !slices.Equal(snapshot, a.Traj[1]) {
		t.Fatal("a published frame changed")
	}
	// A new target redraws the target cloud but keeps the particles.
	circles, err := data.Parse("circles")
	if err != nil {
		t.Fatal(err)
	}
	tr.SetTarget(circles)
	tr.Publish()
	if c := frame(t, s, st); !slices.Equal(a.Traj[0], c.Traj[0]) || slices.Equal(a.TargetPts, c.TargetPts) {
		t.Fatal("a new target changed the particles or kept the old target cloud")
	}
	st.Seed++
	if c := frame(t, s, st); slices.Equal(a.Traj[0], c.Traj[0]) {
		t.Fatal("a new seed kept the particles")
	}
}

func TestEmptySourceGivesNoParticles(t *testing.T) {
	tr := newTrainer(t, 1)
	tr.SetSource(&data.PointSet{})
	tr.Publish()
	s := New(tr, DefaultSettings())
	f := frame(t, s, smallSettings())
	if len(f.Traj) != smallSettings().Steps+1 || len(f.Traj[0]) != 0 || len(f.Traj[3]) != 0 {
		t.Fatalf("empty source: %d states of %d particles", len(f.Traj), len(f.Traj[0]))
	}
	if len(f.Field[0]) != 25 {
		t.Fatal("the field grid is still wanted without particles")
	}
}

func TestSupersededWork(t *testing.T) {
	tr := newTrainer(t, 1)
	s := New(tr, smallSettings())
	ctx := context.Background()
	snap, gen := tr.Latest(), s.gen.Load()
	if s.superseded(ctx, snap, gen) {
		t.Fatal("fresh work counted as superseded")
	}
	// Further training alone does not supersede (see superseded).
	if _, err := tr.Step(); err != nil {
		t.Fatal(err)
	}
	tr.Publish()
	if s.superseded(ctx, snap, gen) {
		t.Fatal("a snapshot of the same model superseded")
	}
	s.Set(smallSettings())
	if !s.superseded(ctx, snap, gen) || s.compute(ctx, snap, smallSettings(), gen) != nil {
		t.Fatal("new settings did not supersede")
	}
	gen = s.gen.Load()
	target, err := data.Parse("circles")
	if err != nil {
		t.Fatal(err)
	}
	tr.SetTarget(target)
	tr.Publish()
	if s.superseded(ctx, snap, gen) {
		t.Fatal("a new target superseded: drawing one would starve the frames")
	}
	source, err := data.Parse("uniform")
	if err != nil {
		t.Fatal(err)
	}
	tr.SetSource(source)
	tr.Publish()
	if !s.superseded(ctx, snap, gen) {
		t.Fatal("a new source did not supersede")
	}
	snap = tr.Latest()
	tr.Reset()
	tr.Publish()
	if !s.superseded(ctx, snap, gen) {
		t.Fatal("a restarted model did not supersede")
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if !s.superseded(cancelled, tr.Latest(), gen) {
		t.Fatal("cancellation did not stop the work")
	}
}

// nextFrame waits for a frame other than prev.
func nextFrame(t *testing.T, s *Sampler, prev *Frame, ok func(*Frame) bool) *Frame {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		if f := s.Latest(); f != nil && f != prev && ok(f) {
			return f
		}
		select {
		case <-s.Updated():
		case <-time.After(20 * time.Millisecond):
		case <-deadline:
			t.Fatal("timed out waiting for a frame")
		}
	}
}

func TestRunFollowsTrainerAndSettings(t *testing.T) {
	tr := newTrainer(t, 0)
	s := New(tr, smallSettings())
	s.minInterval = 10 * time.Millisecond
	if s.Latest() != nil {
		t.Fatal("a frame before Run")
	}
	ctx, cancel := context.WithCancel(context.Background())
	trDone, sDone := make(chan error), make(chan struct{})
	go func() { trDone <- tr.Run(ctx) }()
	go func() { s.Run(ctx); close(sDone) }()

	first := nextFrame(t, s, nil, func(*Frame) bool { return true })
	later := nextFrame(t, s, first, func(f *Frame) bool { return f.Snap.Step > first.Snap.Step })
	if later.Seq <= first.Seq {
		t.Fatalf("sequence numbers %d then %d", first.Seq, later.Seq)
	}

	// A heavy frame in progress is abandoned for new settings.
	heavy := smallSettings()
	heavy.Particles, heavy.Steps, heavy.Solver = MaxParticles, MaxSteps, flow.RK4
	s.Set(heavy)
	time.Sleep(30 * time.Millisecond)
	light := smallSettings()
	light.Particles = 99
	start := time.Now()
	s.Set(light)
	f := nextFrame(t, s, later, func(f *Frame) bool { return f.Settings.Particles != smallSettings().Particles })
	if f.Settings != light || len(f.Traj[0]) != 99 {
		t.Fatalf("got a frame of %d particles, want the light settings' 99", len(f.Traj[0]))
	}
	if waited := time.Since(start); waited > 2*time.Second {
		t.Fatalf("the light frame took %v: the heavy one was not abandoned", waited)
	}

	// A paused trainer publishes nothing new, so the sampler goes quiet.
	tr.Pause()
	time.Sleep(100 * time.Millisecond)
	quiet := s.Latest()
	time.Sleep(300 * time.Millisecond)
	if s.Latest() != quiet {
		t.Fatal("frames kept coming while nothing changed")
	}

	cancel()
	<-trDone
	select {
	case <-sDone:
	case <-time.After(2 * time.Second):
		t.Fatal("Run did not return after cancel")
	}
}

func BenchmarkFrame(b *testing.B) {
	tr := newTrainer(b, 0)
	for _, bc := range []struct {
		name string
		st   Settings
	}{
		{"default", DefaultSettings()},
		{"10k-particles-rk4", Settings{Particles: 10000, Steps: 50, Solver: flow.RK4, Grid: 24, View: DefaultView}},
		{"20k-particles", Settings{Particles: 20000, Steps: 50, Solver: flow.Euler, Grid: 24, View: DefaultView}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			s := New(tr, bc.st)
			st := s.Settings()
			var f *Frame
			for range b.N {
				f = s.compute(context.Background(), tr.Latest(), st, s.gen.Load())
			}
			evals := float64(st.Particles*st.Solver.EvalsPerStep()*st.Steps + st.Grid*st.Grid*(st.Steps+1))
			b.ReportMetric(evals*float64(b.N)/b.Elapsed().Seconds(), "evals/s")
			// What a frame holds while the app shows it: every particle at
			// every state, and the arrow field at every state (16 B a point).
			var points int
			for _, row := range f.Traj {
				points += len(row)
			}
			for _, row := range f.Field {
				points += len(row)
			}
			b.ReportMetric(float64(points*16)/(1<<20), "frame-MiB")
		})
	}
}
