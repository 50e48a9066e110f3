package main

import (
	"fmt"

	"github.com/flowviz/flowviz/flow"
	"github.com/flowviz/flowviz/flow/mlp"
	"github.com/flowviz/flowviz/flow/train"
	"github.com/flowviz/flowviz/viz/record"
	"github.com/flowviz/flowviz/viz/session"
)

// recordSession renders the flow of a saved session, t = 0 → 1, into a GIF
// without opening a window. A session without weights is trained for
// trainSteps steps first, from its seed, so the result is deterministic.
func recordSession(sessionPath, out string, trainSteps int, opt record.Options) error {
	if sessionPath == "" {
		return fmt.Errorf("-record needs -session FILE")
	}
	s, err := session.Load(sessionPath)
	if err != nil {
		return err
	}
	src, err := s.Source.Dist()
	if err != nil {
		return fmt.Errorf("source: %w", err)
	}
	tgt, err := s.Target.Dist()
	if err != nil {
		return fmt.Errorf("target: %w", err)
	}
	m := s.Model
	if m == nil {
		if m, err = trainFor(s, trainSteps); err != nil {
			return err
		}
	}
	solver, err := flow.ParseSolver(s.Settings.Solver)
	if err != nil {
		return err
	}
	sc := record.Sample(m, src, tgt, s.Settings.Particles, s.Settings.Steps, solver, s.Settings.Seed)
	return record.SaveGIF(out, sc, opt)
}

// trainFor trains the session's settings and data for n steps.
func trainFor(s *session.Session, n int) (*train.Model, error) {
	if n < 1 {
		return nil, fmt.Errorf("the session has no weights: give -record-steps N > 0 to train first")
	}
	cfg, err := trainConfigOf(s)
	if err != nil {
		return nil, err
	}
	tr, err := train.New(cfg)
	if err != nil {
		return nil, err
	}
	src, _ := s.Source.Dist()
	tgt, _ := s.Target.Dist()
	tr.SetSource(src)
	tr.SetTarget(tgt)
	for range n {
		if _, err := tr.Step(); err != nil {
			return nil, fmt.Errorf("training: %w", err)
		}
	}
	return tr.CurrentState().Model, nil
}

// trainConfigOf maps a session's settings onto a training config; the data
// are swapped in afterwards, so built-in placeholders stand for them here.
func trainConfigOf(s *session.Session) (train.Config, error) {
	st := s.Settings
	cfg := train.DefaultConfig()
	cfg.Source, cfg.Target = "gaussian", "moons"
	cfg.Path, cfg.Sigma, cfg.Coupling = st.Path, st.Sigma, st.Coupling
	cfg.Net.Width, cfg.Net.Depth = st.Width, st.Depth
	act, err := mlp.ParseActivation(st.Act)
	if err != nil {
		return cfg, err
	}
	cfg.Net.Act = act
	cfg.Batch, cfg.LR, cfg.Seed = st.Batch, st.LR, st.Seed
	return cfg, cfg.Validate()
}
