package train

import (
	"context"
	"slices"
	"testing"
	"time"
)

func TestStateRoundTripContinuesTraining(t *testing.T) {
	tr := newTrainer(t, smallConfig())
	steps(t, tr, 30)
	s := tr.CurrentState()
	if s.Model.Step != 30 || s.Optimizer.Steps != 30 {
		t.Fatalf("captured step %d, optimizer steps %d; want 30, 30", s.Model.Step, s.Optimizer.Steps)
	}
	back, err := NewFromState(s)
	if err != nil {
		t.Fatal(err)
	}
	got := back.CurrentState()
	if !slices.Equal(got.Model.Params, s.Model.Params) || !slices.Equal(got.Optimizer.M, s.Optimizer.M) ||
		!slices.Equal(got.Optimizer.V, s.Optimizer.V) || got.Optimizer.Steps != 30 || got.Model.Step != 30 {
		t.Fatal("restored trainer differs from the captured state")
	}
	if got.Source.String() != s.Source.String() || got.Target.String() != s.Target.String() {
		t.Fatalf("data %v → %v became %v → %v", s.Source, s.Target, got.Source, got.Target)
	}
	// The loss curve comes along: the restored trainer's snapshot draws it.
	if len(s.LossHistory) != 30 || s.HistoryStride != 1 {
		t.Fatalf("captured a loss curve of %d points, stride %d; want 30, 1", len(s.LossHistory), s.HistoryStride)
	}
	if h := back.Latest().LossHistory; !slices.Equal(h, s.LossHistory) {
		t.Fatalf("restored loss curve %v, want %v", h, s.LossHistory)
	}
	// The restored optimizer goes on from step 30: Adam's bias correction
	// uses t = 31 next, not t = 1.
	steps(t, back, 1)
	if n := back.CurrentState().Optimizer.Steps; n != 31 {
		t.Fatalf("optimizer steps after one more step = %d, want 31", n)
	}
}

func TestRestoreRefusesBadState(t *testing.T) {
	tr := newTrainer(t, smallConfig())
	good := tr.CurrentState()
	cases := map[string]func(s *SavedState){
		"short moments": func(s *SavedState) { s.Optimizer.M = s.Optimizer.M[:3] },
		"negative v":    func(s *SavedState) { s.Optimizer.V[0] = -1 },
		"negative t":    func(s *SavedState) { s.Optimizer.Steps = -1 },
		"no target":     func(s *SavedState) { s.Target = nil },
		"short params":  func(s *SavedState) { s.Model.Params = s.Model.Params[:1] },
		"bad stream":    func(s *SavedState) { s.BatchRNG = []byte("pcg:short") },
		"long curve":    func(s *SavedState) { s.LossHistory, s.HistoryStride = make([]float32, historyLen), 1 },
		"no stride":     func(s *SavedState) { s.LossHistory, s.HistoryStride = []float32{1}, 0 },
	}
	for name, spoil := range cases {
		s := tr.CurrentState()
		spoil(s)
		if _, err := NewFromState(s); err == nil {
			t.Errorf("%s: NewFromState accepted it", name)
		}
		tr.Restore(s)
		if got := tr.CurrentState(); !slices.Equal(got.Model.Params, good.Model.Params) {
			t.Errorf("%s: a refused Restore changed the weights", name)
		}
	}
}

func TestRequestStateWhileRunning(t *testing.T) {
	tr := newTrainer(t, smallConfig())
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- tr.Run(ctx) }()
	defer func() { cancel(); <-done }()
	select {
	case s := <-tr.RequestState():
		if s.Model.Step != s.Optimizer.Steps {
			t.Fatalf("step %d and optimizer steps %d do not belong together", s.Model.Step, s.Optimizer.Steps)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no state from the running trainer")
	}
}

// A run saved at step 25 and restored goes on bit for bit as the same run
// left alone: weights, Adam moments and the batch stream are all saved.
func TestRestoreIsBitExact(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  func(*Config)
	}{
		{"independent", func(*Config) {}},
		{"ot coupling", func(c *Config) { c.Coupling = CouplingOT }},
		{"noisy path", func(c *Config) { c.Sigma = 0.1 }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := smallConfig()
			tc.cfg(&cfg)
			whole := newTrainer(t, cfg)
			steps(t, whole, 40)

			first := newTrainer(t, cfg)
			steps(t, first, 25)
			saved := first.CurrentState()
			steps(t, first, 3) // the saved copy must not change with the trainer
			back, err := NewFromState(saved)
			if err != nil {
				t.Fatal(err)
			}
			steps(t, back, 15)

			// Through Restore on a trainer that has done something else.
			other := newTrainer(t, cfg)
			steps(t, other, 7)
			other.Restore(saved)
			steps(t, other, 15)

			want := whole.CurrentState()
			for name, tr := range map[string]*Trainer{"NewFromState": back, "Restore": other} {
				got := tr.CurrentState()
				if !slices.Equal(got.Model.Params, want.Model.Params) || !slices.Equal(got.Optimizer.M, want.Optimizer.M) ||
					!slices.Equal(got.BatchRNG, want.BatchRNG) || got.Model.Step != 40 {
					t.Errorf("%s: the restored run differs from the uninterrupted one at step %d", name, got.Model.Step)
				}
			}

			// A state without the stream (a file from before it was saved)
			// still restores and trains, from a restarted stream.
			saved.BatchRNG = nil
			old, err := NewFromState(saved)
			if err != nil {
				t.Fatal(err)
			}
			steps(t, old, 15)
			if slices.Equal(old.CurrentState().Model.Params, want.Model.Params) {
				t.Error("without the saved stream the run should not repeat the same batches")
			}
		})
	}
}
