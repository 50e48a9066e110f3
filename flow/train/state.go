package train

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/flowviz/flowviz/flow/data"
)

// OptimizerState is Adam's whole state: its moment estimates and its update
// count. With the weights it is what continuing training exactly needs.
type OptimizerState struct {
	M, V  []float32
	Steps int
}

// Validate checks that the state fits a network of n parameters and is
// finite, with second moments ≥ 0 (they are running means of g²).
func (o *OptimizerState) Validate(n int) error {
	if len(o.M) != n || len(o.V) != n {
		return fmt.Errorf("optimizer state has %d and %d moments for %d parameters", len(o.M), len(o.V), n)
	}
	if o.Steps < 0 {
		return fmt.Errorf("optimizer step count %d is negative", o.Steps)
	}
	for i := range o.M {
		m, v := float64(o.M[i]), float64(o.V[i])
		if math.IsNaN(m) || math.IsInf(m, 0) || math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
			return fmt.Errorf("optimizer moment %d is (%v, %v)", i, m, v)
		}
	}
	return nil
}

// SavedState is the trainer's state to save: model, optimizer, batch stream
// and data. With all of them a restored trainer continues bit for bit as the
// saved one would have. The slices are copies, owned by the caller.
type SavedState struct {
	Model     *Model
	Optimizer OptimizerState
	// BatchRNG is the state of the streams the batches and the path's noise
	// are drawn from (the binary forms of two math/rand/v2 PCGs, see
	// ValidBatchRNG). Nil, as in files written before it was saved, restarts
	// the streams from the seed: the run continues, but not bit for bit.
	BatchRNG       []byte
	Source, Target data.Dist
	// LossHistory and HistoryStride are the loss curve as a Snapshot
	// carries it, kept in memory only (session files do not hold them): a
	// state restored with them goes on drawing the same curve, one without
	// them starts a new curve at its step.
	LossHistory   []float32
	HistoryStride int
}

// ValidBatchRNG checks that b is a batch stream state as SavedState.BatchRNG
// holds it; nil is valid (no state saved).
func ValidBatchRNG(b []byte) error {
	if b == nil {
		return nil
	}
	var draws, noise rand.PCG
	return parseStreams(b, &draws, &noise)
}

// captureState copies the current state; it runs on the training goroutine.
func (tr *Trainer) captureState() *SavedState {
	return &SavedState{
		Model: &Model{
			Version: ModelVersion, Config: tr.cfg,
			Params: append([]float32(nil), tr.net.Params...), Step: tr.step,
		},
		Optimizer: OptimizerState{
			M: append([]float32(nil), tr.opt.M...), V: append([]float32(nil), tr.opt.V...),
			Steps: tr.opt.Steps,
		},
		BatchRNG: tr.appendStreams(nil),
		Source:   tr.source, Target: tr.target,
		LossHistory: tr.history.values(), HistoryStride: tr.history.stride,
	}
}

// RequestState asks the training goroutine for a copy of its state between
// two steps, so weights, moments and step count belong together. The reply
// comes on the returned channel once Run (or Step, or Publish) applies
// commands; a caller that drives the trainer itself can use CurrentState.
func (tr *Trainer) RequestState() <-chan *SavedState {
	reply := make(chan *SavedState, 1)
	tr.enqueue(func(tr *Trainer) { reply <- tr.captureState() })
	return reply
}

// CurrentState applies pending commands and returns a copy of the state. It
// must not run concurrently with Run.
func (tr *Trainer) CurrentState() *SavedState {
	tr.applyCommands()
	return tr.captureState()
}

// Restore replaces config, data, weights, optimizer state and step count by
// s, as when a saved session is opened. An invalid s is refused with a
// Message and changes nothing. The trainer takes s over.
func (tr *Trainer) Restore(s *SavedState) {
	tr.enqueue(func(tr *Trainer) {
		if err := tr.restore(s); err != nil {
			tr.notify("session refused: %v", err)
		}
	})
}

// NewFromState starts a trainer that continues exactly from s.
func NewFromState(s *SavedState) (*Trainer, error) {
	if err := checkState(s); err != nil {
		return nil, fmt.Errorf("train: %w", err)
	}
	tr := &Trainer{wake: make(chan struct{}, 1), updated: make(chan struct{}, 1)}
	if err := tr.restore(s); err != nil {
		return nil, fmt.Errorf("train: %w", err)
	}
	tr.publish()
	return tr, nil
}

func checkState(s *SavedState) error {
	if s == nil || s.Model == nil || s.Source == nil || s.Target == nil {
		return fmt.Errorf("incomplete training state")
	}
	if err := s.Model.Validate(); err != nil {
		return err
	}
	if s.Model.Config.Coupling == CouplingReflow {
		return fmt.Errorf("a reflow run cannot be restored: its teacher is not saved")
	}
	if err := ValidBatchRNG(s.BatchRNG); err != nil {
		return err
	}
	if n := len(s.LossHistory); n >= historyLen || (n > 0 && s.HistoryStride < 1) {
		return fmt.Errorf("loss curve of %d points with stride %d (want fewer than %d, stride ≥ 1)", n, s.HistoryStride, historyLen)
	}
	return s.Optimizer.Validate(len(s.Model.Params))
}

func (tr *Trainer) restore(s *SavedState) error {
	if err := checkState(s); err != nil {
		return err
	}
	tr.teacher = nil
	if err := tr.restart(s.Model.Config); err != nil {
		return err
	}
	tr.source, tr.target = s.Source, s.Target
	tr.cfg.Source, tr.cfg.Target = s.Source.String(), s.Target.String()
	tr.dataVersion++
	copy(tr.net.Params, s.Model.Params)
	copy(tr.opt.M, s.Optimizer.M)
	copy(tr.opt.V, s.Optimizer.V)
	tr.opt.Steps = s.Optimizer.Steps
	tr.step = s.Model.Step
	if len(s.LossHistory) > 0 {
		tr.history.points = append(tr.history.points[:0], s.LossHistory...)
		tr.history.stride = s.HistoryStride
	}
	if s.BatchRNG != nil {
		if err := tr.setStreams(s.BatchRNG); err != nil {
			return err // checkState has checked it: not reached
		}
	}
	tr.saveCheckpoint()
	tr.updateState()
	tr.notify("session restored at step %d", tr.step)
	return nil
}
