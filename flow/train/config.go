// Package train runs flow-matching training of the velocity network on its own
// goroutine and publishes immutable snapshots of its progress.
package train

import (
	"errors"
	"fmt"
	"math"

	"github.com/flowviz/flowviz/flow/mlp"
)

// Couplings name how a training batch pairs source draws x0 with target draws x1.
const (
	// CouplingIndependent pairs x0 and x1 as drawn: flow.IndependentCoupling.
	CouplingIndependent = "independent"
	// CouplingOT re-pairs each batch by an exact optimal assignment under the
	// squared Euclidean cost: flow.OTCoupling, which makes the learned paths
	// straighter.
	CouplingOT = "ot"
	// CouplingReflow pairs x0 with x1 = ODE(x0) under a frozen teacher model
	// (rectified flow, Liu et al. 2022): the new model straightens the teacher.
	CouplingReflow = "reflow"
)

// Couplings lists the accepted values of Config.Coupling.
func Couplings() []string {
	return []string{CouplingIndependent, CouplingOT, CouplingReflow}
}

// MaxBatch bounds Config.Batch: large enough for any lesson, small enough that
// a typo cannot exhaust memory.
const MaxBatch = 8192

// Config is everything that determines a training run. The zero value is not
// useful: start from DefaultConfig.
type Config struct {
	Source string // data spec of the source (noise) distribution for data.Load, default "gaussian"
	Target string // data spec of the target distribution, default "moons"

	Path  string  // probability path for flow.ParsePath: "linear" or "ot", default "linear"
	Sigma float64 // σ of the linear path, σ_min of the OT path; default 0

	// Schedule is a Gaussian path's scheduler for flow.ParseScheduler
	// ("cosine", "vp", "ve:max=8", "poly:n=3"); "" or "linear" keep Path.
	Schedule string
	// Predict is what the network regresses (flow.ParseTarget): "" or
	// "velocity" is flow matching, "noise" and "score" denoising score
	// matching, "data" the denoiser. Everything downstream converts to
	// velocity (Model.VelocityField).
	Predict string
	// PUncond is the label dropout of a class-conditional network
	// (Net.Classes > 0): the probability that a training pair is shown with
	// the null class, which trains u(x | ∅) for classifier-free guidance.
	// Default 0.1.
	PUncond float64

	Coupling string // CouplingIndependent, CouplingOT or CouplingReflow
	Teacher  string // model file of the frozen teacher for CouplingReflow

	Net         mlp.Config // the velocity network, default mlp.DefaultConfig()
	Batch       int        // pairs per step, default 256
	LR          float64    // Adam learning rate, default 1e-3
	WeightDecay float64    // decoupled (AdamW) weight decay, default 0
	Steps       int        // stop after this many steps; 0 trains until cancelled
	Seed        uint64     // seeds the initial weights and every draw, default 1
}

// DefaultConfig returns the settings of the lesson the app opens with: Gaussian
// noise to two moons along straight paths.
func DefaultConfig() Config {
	return Config{
		Source:   "gaussian",
		Target:   "moons",
		Path:     "linear",
		Sigma:    0,
		Coupling: CouplingIndependent,
		PUncond:  0.1,
		Net:      mlp.DefaultConfig(),
		Batch:    256,
		LR:       1e-3,
		Seed:     1,
	}
}

// Validate reports the first thing wrong with c, in words a user can act on. It
// does not open the data or teacher files: New does that.
func (c Config) Validate() error {
	if c.Source == "" {
		return errors.New("train: empty source spec")
	}
	if c.Target == "" {
		return errors.New("train: empty target spec")
	}
	if !finite(c.Sigma) || c.Sigma < 0 {
		return fmt.Errorf("train: sigma %v must be finite and ≥ 0", c.Sigma)
	}
	if err := c.validateObjective(); err != nil {
		return err
	}
	switch c.Coupling {
	case CouplingIndependent, CouplingOT: // flow.ParseCoupling's names
	case CouplingReflow:
		if c.Teacher == "" {
			return errors.New("train: reflow coupling needs a teacher model (Config.Teacher)")
		}
	default:
		return fmt.Errorf("train: unknown coupling %q (want one of %v)", c.Coupling, Couplings())
	}
	if err := c.Net.Validate(); err != nil {
		return fmt.Errorf("train: %w", err)
	}
	if c.Batch < 1 || c.Batch > MaxBatch {
		return fmt.Errorf("train: batch %d out of range 1..%d", c.Batch, MaxBatch)
	}
	if !finite(c.LR) || c.LR <= 0 {
		return fmt.Errorf("train: learning rate %v must be finite and > 0", c.LR)
	}
	if !finite(c.WeightDecay) || c.WeightDecay < 0 {
		return fmt.Errorf("train: weight decay %v must be finite and ≥ 0", c.WeightDecay)
	}
	if c.Steps < 0 {
		return fmt.Errorf("train: steps %d must be ≥ 0", c.Steps)
	}
	return nil
}

// restartsModel reports whether moving from a to b invalidates the weights: a
// different network shape cannot reuse them, and a different path, coupling or
// seed asks for a different experiment, which starts from fresh weights.
func restartsModel(a, b Config) bool {
	return a.Net != b.Net || a.Path != b.Path || a.Sigma != b.Sigma ||
		a.Schedule != b.Schedule || a.Predict != b.Predict ||
		a.Coupling != b.Coupling || a.Teacher != b.Teacher || a.Seed != b.Seed
}

func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }
