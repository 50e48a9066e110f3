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
