package train

import (
	"errors"
	"fmt"

	"github.com/flowviz/flowviz/flow"
	"github.com/flowviz/flowviz/flow/data"
	"github.com/flowviz/flowviz/flow/mlp"
)

// Scheduler returns the Gaussian scheduler of the model's path (α_t, σ_t),
// and false for the linear path with σ > 0, which has none.
func (m *Model) Scheduler() (flow.Scheduler, bool) { return m.Config.Scheduler() }

// Scheduler returns the Gaussian scheduler of c's path (α_t, σ_t), and
// false for the linear path with σ > 0, which has none.
func (c Config) Scheduler() (flow.Scheduler, bool) {
	p, err := flow.ParseSchedulePath(c.Schedule, c.Path, c.Sigma)
	if err != nil {
		return nil, false
	}
	return flow.SchedulerOf(p)
}

// Predicts returns what the network predicts.
func (m *Model) Predicts() flow.Target { return m.Config.Predicts() }

// Predicts returns what a network trained with c predicts.
func (c Config) Predicts() flow.Target {
	k, err := flow.ParseTarget(c.Predict)
	if err != nil {
		return flow.Velocity // Validate refuses such a config
	}
	return k
}

// Classes returns the number of classes of a conditional model, 0 for an
// unconditional one.
func (m *Model) Classes() int { return m.Config.Net.Classes }

// SourceStd returns s0 when the model's source is a built-in centred
// Gaussian N(0, s0²·I), else 1.
func (m *Model) SourceStd() float64 { return m.Config.SourceStd() }

// SourceStd returns s0 when c's source is a built-in centred Gaussian
// N(0, s0²·I), else 1.
func (c Config) SourceStd() float64 {
	d, err := data.Parse(c.Source)
	if err != nil {
		return 1
	}
	s0, _ := gaussianSourceStd(d)
	return s0
}

// StartScale is σ_0, the factor source draws are scaled by to start
// sampling at t = 0: p_0 ≈ N(0, σ_0²s0²·I). It is 1 for every path but the
// variance-exploding one, whose source is N(0, σmax²·s0²·I).
func (m *Model) StartScale() float64 { return m.Config.StartScale() }

// StartScale is σ_0 of c's path (see Model.StartScale).
func (c Config) StartScale() float64 {
	if s, ok := c.Scheduler(); ok {
		return s.At(0).Sigma
	}
	return 1
}

// VelocityOf turns the raw output of a network trained with c into its
// velocity field: pred itself for a velocity model, else converted.
func VelocityOf(c Config, pred flow.Field) flow.Field {
	return convertTo(c, pred, flow.Velocity)
}

func convertTo(c Config, pred flow.Field, to flow.Target) flow.Field {
	kind := c.Predicts()
	if kind == to {
		return pred
	}
	sched, ok := c.Scheduler()
	if !ok {
		// Validate allows only velocity without a scheduler.
		return pred
	}
	return &flow.ConvertedField{Pred: pred, From: kind, To: to, Sched: sched, SourceStd: c.SourceStd()}
}

// Prediction returns the network's raw output for class y (mlp.NullClass
// for u(x | ∅)) as a field: the target Predicts() names.
func (m *Model) Prediction(y int) *NetField {
	net, err := m.Net()
	if err != nil {
		panic("train: field of an invalid model: " + err.Error())
	}
	f := NewNetField(net)
	f.SetClass(y)
	return f
}

// GuidedPrediction is the raw prediction for class y with classifier-free
// guidance w: (1 − w)·f(x | ∅) + w·f(x | y). For an unconditional model, for
// y = mlp.NullClass or for w = 1 it is the plain prediction.
func (m *Model) GuidedPrediction(y int, w float64) flow.Field {
	if m.Classes() == 0 || y == mlp.NullClass || w == 1 {
		return m.Prediction(y)
	}
	return &flow.GuidedField{Uncond: m.Prediction(mlp.NullClass), Cond: m.Prediction(y), W: w}
}

// VelocityField is the velocity for class y with guidance w, converted from
// whatever the network predicts: what the ODE solvers integrate.
func (m *Model) VelocityField(y int, w float64) flow.Field {
	return m.convertedField(y, w, flow.Velocity)
}

// ScoreField is ∇log p_t for class y with guidance w, converted from
// whatever the network predicts. It needs a Gaussian path.
func (m *Model) ScoreField(y int, w float64) (flow.Field, error) {
	if _, ok := m.Scheduler(); !ok {
		return nil, errNoScheduler(m)
	}
	return m.convertedField(y, w, flow.Score), nil
}

func (m *Model) convertedField(y int, w float64, to flow.Target) flow.Field {
	return convertTo(m.Config, m.GuidedPrediction(y, w), to)
}

// SDEDrift is the drift of the reverse SDE with noise level g for class y
// and guidance w (flow.SDEDrift): integrate it with flow.EulerMaruyama and
// its G. It needs a Gaussian path; noise 0 is the ODE.
func (m *Model) SDEDrift(y int, w, noise float64) (*flow.SDEDrift, error) {
	sched, ok := m.Scheduler()
	if !ok {
		return nil, errNoScheduler(m)
	}
	if !finite(noise) || noise < 0 {
		return nil, fmt.Errorf("train: SDE noise %v must be finite and ≥ 0", noise)
	}
	return &flow.SDEDrift{
		Pred: m.GuidedPrediction(y, w), Kind: m.Predicts(), Sched: sched,
		SourceStd: m.SourceStd(), Noise: noise,
	}, nil
}

func errNoScheduler(m *Model) error {
	return fmt.Errorf("train: the linear path with σ = %g is not Gaussian in the sense xt = α·x1 + σ·x0, so it has no score: train with sigma 0 or a schedule", m.Config.Sigma)
}

// CheckClass reports whether y is a class the model can sample: NullClass
// or 0..Classes−1 of a conditional model.
func (m *Model) CheckClass(y int) error {
	if y == mlp.NullClass {
		return nil
	}
	if m.Classes() == 0 {
		return errors.New("train: the model is not class-conditional (train it with -cond)")
	}
	if y < 0 || y >= m.Classes() {
		return fmt.Errorf("train: class %d out of range 0..%d", y, m.Classes()-1)
	}
	return nil
}
