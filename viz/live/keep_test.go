package live

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/flowviz/flowviz/flow"
	"github.com/flowviz/flowviz/flow/data"
	"github.com/flowviz/flowviz/viz/scene"
)

func smallSettings() scene.Settings {
	s := scene.DefaultSettings()
	s.Width, s.Depth, s.Particles, s.Steps, s.Grid = 16, 2, 200, 10, 8
	return s
}

func TestTrainingStateRestores(t *testing.T) {
	a, err := New(smallSettings())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	deadline := time.Now().Add(20 * time.Second)
	for a.Status().Step < 20 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	st, err := a.TrainingState()
	cancel()
	<-done
	if err != nil {
		t.Fatal(err)
	}
	if st.Model.Step < 20 || st.Optimizer.Steps != st.Model.Step {
		t.Fatalf("state at step %d with optimizer steps %d", st.Model.Step, st.Optimizer.Steps)
	}

	b, err := New(smallSettings())
	if err != nil {
		t.Fatal(err)
	}
	drawn, err := data.NewPointSet("drawing", []flow.Vec{{1, 1}, {2, 2}}, 0)
	if err != nil {
		t.Fatal(err)
	}
	params := slices.Clone(st.Model.Params)
	m := slices.Clone(st.Optimizer.M)
	if err := b.Restore(smallSettings(), st, st.Source, drawn); err != nil {
		t.Fatal(err)
	}
	got, err := b.TrainingState()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got.Model.Params, params) || !slices.Equal(got.Optimizer.M, m) || got.Model.Step != st.Model.Step {
		t.Fatal("restored backend has other weights, moments or step")
	}
	if got.Target != drawn {
		t.Fatalf("target %v, want the drawn set", got.Target)
	}
	if lbl := b.settings.Target; lbl != drawn.String() {
		t.Fatalf("settings target %q, want %q", lbl, drawn.String())
	}
}
