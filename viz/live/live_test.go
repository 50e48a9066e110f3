package live

import (
	"context"
	"math"
	"math/rand/v2"
	"runtime"
	"testing"
	"time"

	"github.com/flowviz/flowviz/viz/scene"
)

func small() scene.Settings {
	s := scene.DefaultSettings()
	s.Width, s.Depth, s.Batch = 16, 2, 64
	s.Particles, s.Steps, s.Grid = 200, 10, 8
	return s
}

// waitFor polls cond for up to 20 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func start(t testing.TB, s scene.Settings) (*Backend, func()) {
	t.Helper()
	b, err := New(s)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- b.Run(ctx) }()
	return b, func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Run: %v", err)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("Run did not return after cancel")
		}
	}
}

func TestScenesArriveAndFollowSettings(t *testing.T) {
	before := runtime.NumGoroutine()
	b, stop := start(t, small())
	waitFor(t, "a scene", func() bool { return b.Scene() != nil })
	sc := b.Scene()
	if sc.Particles() != 200 || sc.Steps() != 10 || len(sc.GridPts) != 64 || len(sc.Field) != 11 {
		t.Fatalf("scene shape: %d particles, %d steps, %d arrows, %d slices", sc.Particles(), sc.Steps(), len(sc.GridPts), len(sc.Field))
	}
	if b.Scene() != sc {
		t.Errorf("Scene allocated anew for the same frame")
	}
	waitFor(t, "training steps", func() bool { return b.Status().Step > 20 })

	s := small()
	s.Particles, s.Steps, s.LR = 300, 4, 3e-3
	if err := b.Apply(s); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the new counts", func() bool {
		sc := b.Scene()
		return sc.Particles() == 300 && sc.Steps() == 4
	})
	first := b.Scene().Traj[0][0]
	b.Resample()
	waitFor(t, "new draws", func() bool { return b.Scene().Traj[0][0] != first })

	bad := s
	bad.Target = "no-such-shape"
	if err := b.Apply(bad); err == nil {
		t.Errorf("bad target accepted")
	}
	bad = s
	bad.Solver = "leapfrog"
	if err := b.Apply(bad); err == nil {
		t.Errorf("bad solver accepted")
	}

	arch := s
	arch.Width = 24
	if err := b.Apply(arch); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the restart notice", func() bool { return b.Status().Note != "" })
	b.Pause()
	waitFor(t, "pause", func() bool { return b.Status().State == "paused" })
	b.Train()
	waitFor(t, "resume", func() bool { return b.Status().State == "running" })
	stop()
	time.Sleep(20 * time.Millisecond)
	if after := runtime.NumGoroutine(); after > before {
		t.Errorf("goroutines leaked: %d before, %d after", before, after)
	}
}

// TestDivergenceIsReportedAndRecoverable trains with a huge learning rate:
// the status must say failed with an error, and a sane rate plus Train must
// bring training back.
func TestDivergenceIsReportedAndRecoverable(t *testing.T) {
	s := small()
	s.LR = 10
	b, stop := start(t, s)
	defer stop()
	waitFor(t, "failure", func() bool { return b.Status().State == "failed" })
	if st := b.Status(); st.Err == nil {
		t.Errorf("failed without an error: %+v", st)
	}
	s.LR = 1e-3
	if err := b.Apply(s); err != nil {
		t.Fatal(err)
	}
	b.Train()
	waitFor(t, "recovery", func() bool { return b.Status().State == "running" })
	step := b.Status().Step
	waitFor(t, "progress after recovery", func() bool { return b.Status().Step > step+20 })
}

// TestRapidSettingChanges hammers Apply, Resample, Pause and Train while both
// goroutines run, as a user dragging sliders would; then everything must
// still stop cleanly and serve a scene.
func TestRapidSettingChanges(t *testing.T) {
	b, stop := start(t, small())
	rng := rand.New(rand.NewPCG(7, 7))
	solvers := []string{"euler", "midpoint", "heun", "rk4"}
	for i := range 150 {
		s := small()
		s.Particles = 1 + rng.IntN(3000)
		s.Steps = 1 + rng.IntN(40)
		s.Grid = 4 + rng.IntN(20)
		s.LR = math.Pow(10, -4+3*rng.Float64())
		s.Batch = 1 + rng.IntN(512)
		s.Width = 8 + rng.IntN(3)*8
		s.Solver = solvers[rng.IntN(len(solvers))]
		if err := b.Apply(s); err != nil {
			t.Fatalf("Apply %d: %v", i, err)
		}
		switch i % 7 {
		case 0:
			b.Resample()
		case 3:
			b.Pause()
		case 5:
			b.Train()
		}
		_ = b.Scene()
		_ = b.Status()
		time.Sleep(time.Millisecond)
	}
	last := small()
	last.Particles, last.Steps = 123, 7
	if err := b.Apply(last); err != nil {
		t.Fatal(err)
	}
	b.Train()
	waitFor(t, "the last settings", func() bool {
		sc := b.Scene()
		return sc != nil && sc.Particles() == 123 && sc.Steps() == 7
	})
	stop()
}

func TestModelAndReflowFromTheCurrentModel(t *testing.T) {
	b, stop := start(t, small())
	defer stop()
	var _ scene.Inspector = b
	waitFor(t, "training steps", func() bool { return b.Status().Step > 50 })
	m := b.Model()
	if m == nil || m.Step == 0 || len(m.Params) == 0 {
		t.Fatalf("Model() = %+v", m)
	}
	// The weights are a snapshot: training on does not change them.
	first := append([]float32(nil), m.Params...)
	waitFor(t, "more training", func() bool { return b.Model().Step > m.Step+20 })
	for i := range first {
		if m.Params[i] != first[i] {
			t.Fatalf("weight %d of the step-%d model changed while training went on", i, m.Step)
		}
	}
	if err := m.Validate(); err != nil {
		t.Fatalf("model of the live backend: %v", err)
	}
	s := small()
	s.Coupling = "reflow"
	if err := b.Apply(s); err != nil {
		t.Fatalf("Apply reflow: %v", err)
	}
	waitFor(t, "the reflow round", func() bool {
		m := b.Model()
		return m != nil && m.Config.Coupling == "reflow" && m.Step > 10
	})
	// And back to independent pairs: a fresh experiment.
	s.Coupling = "independent"
	if err := b.Apply(s); err != nil {
		t.Fatalf("Apply independent: %v", err)
	}
	waitFor(t, "independent coupling again", func() bool {
		m := b.Model()
		return m != nil && m.Config.Coupling == "independent"
	})
}

func TestReflowNeedsATrainedTeacher(t *testing.T) {
	b, err := New(small())
	if err != nil {
		t.Fatal(err)
	}
	s := small()
	s.Coupling = "reflow"
	if err := b.Apply(s); err == nil {
		t.Fatal("reflow before any training was accepted")
	}
}
