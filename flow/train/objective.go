package train

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/flowviz/flowviz/flow"
	"github.com/flowviz/flowviz/flow/data"
	"github.com/flowviz/flowviz/flow/mlp"
)

// validateObjective checks the path, schedule, prediction target and class
// settings of c.
func (c Config) validateObjective() error {
	path, err := flow.ParseSchedulePath(c.Schedule, c.Path, c.Sigma)
	if err != nil {
		return fmt.Errorf("train: %w", err)
	}
	kind, err := flow.ParseTarget(c.Predict)
	if err != nil {
		return fmt.Errorf("train: %w", err)
	}
	if _, ok := flow.SchedulerOf(path); !ok && kind != flow.Velocity {
		return fmt.Errorf("train: predicting %v needs a Gaussian path xt = α·x1 + σ·x0; the linear path with σ = %g adds noise its velocity does not follow (use sigma 0 or a schedule)", kind, c.Sigma)
	}
	if !finite(c.PUncond) || c.PUncond < 0 || c.PUncond > 1 {
		return fmt.Errorf("train: p_uncond %v must be in [0, 1]", c.PUncond)
	}
	if c.Net.Classes > 0 && c.Coupling != CouplingIndependent {
		return fmt.Errorf("train: a class-conditional model needs the independent coupling, not %s (the pairing would have to carry the labels)", c.Coupling)
	}
	return nil
}

// objective is what a training step regresses when it is not the default
// velocity of an unconditional network: another prediction target (noise,
// data, score) on a Gaussian path, and/or a class per pair. It is nil for
// the default, so that run takes exactly the code it always took.
type objective struct {
	sched   flow.Scheduler
	kind    flow.Target
	classes int
	pUncond float64

	labels  []int     // the batch's class inputs (NullClass when dropped)
	weights []float32 // per-row loss weight λ(t); nil means 1
}

// newObjective returns the objective of cfg with path, or nil for the
// default.
func newObjective(cfg Config, path flow.Path) (*objective, error) {
	kind, err := flow.ParseTarget(cfg.Predict)
	if err != nil {
		return nil, err
	}
	if kind == flow.Velocity && cfg.Net.Classes == 0 {
		return nil, nil
	}
	sched, ok := flow.SchedulerOf(path)
	if !ok && kind != flow.Velocity {
		return nil, errors.New("a prediction target other than velocity needs a Gaussian path")
	}
	return &objective{sched: sched, kind: kind, classes: cfg.Net.Classes, pUncond: cfg.PUncond}, nil
}

func (o *objective) grow(n int) {
	if len(o.labels) < n {
		o.labels = make([]int, n)
		o.weights = make([]float32, n)
	}
}

// gaussianSourceStd returns s0 when d is the centred Gaussian N(0, s0²·I),
// the source the noise and score targets are defined against.
func gaussianSourceStd(d data.Dist) (float64, bool) {
	if g, ok := d.(data.Gaussian); ok && g.Mean == (flow.Vec{}) && g.Std > 0 {
		return g.Std, true
	}
	return 1, false
}

// drawPairs draws a batch of independent pairs with labels: the target's
// class for each x1, replaced by the null class with probability p_uncond
// (label dropout, Ho & Salimans 2022) and for labels the network has no input
// for (a target without classes, or with more than the network was built for).
func (o *objective) drawPairs(tr *Trainer, x0, x1 []flow.Vec) {
	n := len(x1)
	o.grow(n)
	labels := o.labels[:n]
	tr.source.Sample(tr.rng, x0)
	if l, ok := tr.target.(data.Labeled); ok {
		l.SampleLabeled(tr.rng, x1, labels)
	} else {
		tr.target.Sample(tr.rng, x1)
		for i := range labels {
			labels[i] = mlp.NullClass
		}
	}
	DropLabels(tr.rng, labels, o.classes, o.pUncond)
}

// DropLabels is label dropout for a class-conditional network of classes
// classes (Ho & Salimans 2022): each label becomes the null class with
// probability pUncond, so one network learns u(x | y) and u(x | ∅); a label
// the network has no input for (negative, or ≥ classes) becomes null without
// a draw. The plane's trainer and the image trainer (flow/hd) share it.
func DropLabels(rng *rand.Rand, labels []int, classes int, pUncond float64) {
	for i, k := range labels {
		if k < 0 || k >= classes || rng.Float64() < pUncond {
			labels[i] = mlp.NullClass
		}
	}
}

// batchLabels returns the class inputs of the batch, or nil for an
// unconditional network.
func (tr *Trainer) batchLabels(n int) []int {
	if tr.obj == nil || tr.obj.classes == 0 {
		return nil
	}
	return tr.obj.labels[:n]
}

// fill rewrites the batch's inputs and targets for a prediction target other
// than velocity, from the pairs and the times the default loop drew:
//
//	t' = ClampTime + (1 − 2·ClampTime)·t   (away from the singular ends)
//	xt = α·x1 + σ·x0,   target = TargetOf(kind): x0 (noise), x1 (data),
//	                    −x0/(σ·s0²) (score)
//
// The score's loss is weighted by λ = σ²s0² (Song et al. 2021), which makes
// every t count as much as in noise prediction; unweighted, the rows near
// t = 1 with targets of size 1/σ would swamp the rest. It returns the
// weighted loss of predicting zero, the divergence check's yardstick.
func (o *objective) fill(tr *Trainer, x0, x1 []flow.Vec) float64 {
	if o.kind == flow.Velocity {
		return math.NaN() // the default loop's targets stand
	}
	b := &tr.batch
	n := len(x0)
	o.grow(n)
	s0, _ := gaussianSourceStd(tr.source)
	zero := 0.0
	for i := range n {
		t := flow.ClampTime + (1-2*flow.ClampTime)*float64(b.ts[i])
		c := o.sched.At(t)
		want := flow.TargetOf(o.kind, c, x0[i], x1[i], s0)
		xt := flow.Vec{c.Alpha*x1[i][0] + c.Sigma*x0[i][0], c.Alpha*x1[i][1] + c.Sigma*x0[i][1]}
		b.xs[2*i], b.xs[2*i+1] = float32(xt[0]), float32(xt[1])
		b.ts[i] = float32(t)
		b.want[2*i], b.want[2*i+1] = float32(want[0]), float32(want[1])
		w := 1.0
		if o.kind == flow.Score {
			w = c.Sigma * c.Sigma * s0 * s0
		}
		o.weights[i] = float32(w)
		zero += w * (want[0]*want[0] + want[1]*want[1])
	}
	return zero / float64(2*n)
}

// regress is the step's loss on the network's output: the flow-matching
// mean squared error, weighted per row by λ(t) for the score,
//
//	L = 1/(2B)·Σᵢ λᵢ·‖predᵢ − targetᵢ‖²,  dL/dpredᵢ = λᵢ·(predᵢ − targetᵢ)/B.
func (tr *Trainer) regress(pred []float32, n int) float64 {
	b := &tr.batch
	if tr.obj == nil || tr.obj.kind != flow.Score {
		return mlp.CFMLoss(pred, b.want[:2*n], b.dpred[:2*n])
	}
	w := tr.obj.weights[:n]
	scale := 1 / float32(n)
	var sum float64
	for i := range 2 * n {
		diff := pred[i] - b.want[i]
		lw := w[i/2]
		sum += float64(lw) * float64(diff) * float64(diff)
		b.dpred[i] = scale * lw * diff
	}
	return sum / float64(2*n)
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
