package hd

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"sync/atomic"
	"time"

	"github.com/flowviz/flowviz/flow/digits"
	"github.com/flowviz/flowviz/flow/mlp"
	"github.com/flowviz/flowviz/flow/train"
)

// Config is one training run: the target, the network and the optimiser.
type Config struct {
	Target string     // "digits" or "digits8"
	Net    mlp.Config // Net.Dim is set from the target
	Batch  int        // pairs per step, default 256
	LR     float64    // Adam learning rate, default 5e-4
	Steps  int        // steps the run aims for (the tool stops there; 0 = no limit)
	Seed   uint64     // weights and draws
	// Fresh is how many new images a step renders into a pool of
	// PoolSize (see Pool); 0 draws the whole batch fresh every step.
	Fresh, PoolSize int
	// EMA is the largest decay of the exponential moving average of the
	// weights that sampling uses (0: sample the trained weights). The decay
	// at step k is min(EMA, (1 + k)/(10 + k)), so early on the average
	// follows the weights closely.
	EMA float64
	// PUncond is the label dropout of a class-conditional network
	// (Net.Classes = Classes): the probability that a pair trains u(x | ∅)
	// instead of u(x | y). Unused without classes.
	PUncond float64
}

// Classes is the class count of a conditional image network: the digits.
const Classes = digits.Classes

// Conditional reports whether the network takes the digit as an input.
func (c Config) Conditional() bool { return c.Net.Classes > 0 }

// DefaultPUncond is the label dropout a conditional run takes unless told
// otherwise, as the plane's (train.DefaultConfig).
const DefaultPUncond = 0.1

// MaxBatch bounds Config.Batch.
const MaxBatch = 4096

// DefaultConfig is 3 hidden layers of 512 SiLU units on the 16 × 16 digits,
// batch 256, Adam at 5e-4 (1e-3 is noisier at this width).
func DefaultConfig() Config {
	return Config{
		Target: "digits",
		Net:    mlp.Config{Width: 512, Depth: 3, Act: mlp.SiLU},
		Batch:  256, LR: 5e-4, Seed: 1,
		Fresh: 64, PoolSize: 8192, EMA: 0.999, PUncond: DefaultPUncond,
	}
}

// Validate checks the target, the network and the ranges.
func (c Config) Validate() error {
	var errs []error
	if !IsTarget(c.Target) {
		errs = append(errs, fmt.Errorf("hd: unknown image target %q (want digits or digits8)", c.Target))
	}
	if err := c.Net.Validate(); err != nil {
		errs = append(errs, err)
	}
	if c.Batch < 1 || c.Batch > MaxBatch {
		errs = append(errs, fmt.Errorf("hd: batch %d out of range 1..%d", c.Batch, MaxBatch))
	}
	if !(c.LR > 0 && c.LR < 1) {
		errs = append(errs, fmt.Errorf("hd: learning rate %v out of range (0, 1)", c.LR))
	}
	if c.Fresh < 0 || c.PoolSize < 0 || (c.Fresh > 0 && c.PoolSize < c.Fresh) || c.PoolSize > 1<<20 {
		errs = append(errs, fmt.Errorf("hd: pool of %d renewing %d per step (want 0 ≤ fresh ≤ pool ≤ %d)", c.PoolSize, c.Fresh, 1<<20))
	}
	if c.Steps < 0 {
		errs = append(errs, fmt.Errorf("hd: steps %d negative", c.Steps))
	}
	if c.Net.Classes != 0 && c.Net.Classes != Classes {
		errs = append(errs, fmt.Errorf("hd: a conditional image network takes %d classes, not %d", Classes, c.Net.Classes))
	}
	if !(c.PUncond >= 0 && c.PUncond <= 1) {
		errs = append(errs, fmt.Errorf("hd: p_uncond %v out of range [0, 1]", c.PUncond))
	}
	if !(c.EMA >= 0 && c.EMA < 1) {
		errs = append(errs, fmt.Errorf("hd: EMA decay %v out of range [0, 1)", c.EMA))
	}
	return errors.Join(errs...)
}

// Snapshot is an immutable published state of a training run: readers may
// use Net from any goroutine (each with its own mlp.Workspace).
type Snapshot struct {
	Config Config
	// Net is what sampling uses: the moving average of the weights when
	// Config.EMA > 0, else the weights; a copy, never written.
	Net *mlp.Net
	// Params are the trained weights when Net is their average (nil
	// otherwise): what training resumes from.
	Params []float32
	Step   int
	Loss   float64 // running mean of the batch loss (EMA over ~50 steps); NaN before the first step
	// LossHistory is the loss curve of this run, downsampled as the 2D
	// trainer's (train.LossCurve); never written.
	LossHistory []float32
}

// Model returns the snapshot as a model file's content.
func (s *Snapshot) Model() *Model {
	if s.Params != nil {
		return &Model{Version: ModelVersion, Config: s.Config, Params: s.Params, EMAParams: s.Net.Params, Step: s.Step}
	}
	return &Model{Version: ModelVersion, Config: s.Config, Params: s.Net.Params, Step: s.Step}
}

// Trainer runs the flow-matching loop on one goroutine:
//
//	x0 ~ N(0, I), (x1, y) ~ data, t ~ U[0, 1]
//	xt = (1 − t)·x0 + t·x1,   target dxt = x1 − x0
//	loss = mean ‖v(xt, t | y) − dxt‖² over the batch's B·D numbers
//
// A conditional network (Config.Conditional) takes the digit y as a one-hot
// input, replaced by the null class with probability PUncond (label
// dropout, train.DropLabels, as in the plane); an unconditional one never
// sees y.
//
// Step, Run and Publish belong to that goroutine; Latest may be called from
// any goroutine.
type Trainer struct {
	cfg  Config
	data Dataset // the target, for callers
	draw Dataset // what the steps draw from: data, or a Pool of it
	net  *mlp.Net
	opt  *mlp.Adam
	ws   *mlp.Workspace
	rng  *rand.Rand
	step int
	ema  float64
	loss train.LossCurve
	avg  []float32 // the moving average of the weights (Config.EMA > 0)

	x0, x1, xt, target, dpred, grad, t []float32
	labels                             []int

	latest atomic.Pointer[Snapshot]
}

// New starts a run with fresh weights on cfg.Target.
func New(cfg Config) (*Trainer, error) {
	data, err := Target(cfg.Target)
	if err != nil {
		return nil, err
	}
	return newTrainer(cfg, data, nil, 0)
}

// pooled wraps data in a Pool as cfg asks (Fresh > 0), seeded apart from
// the training draws.
func pooled(cfg Config, data Dataset, step int) (Dataset, error) {
	if cfg.Fresh == 0 {
		return data, nil
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return NewPool(data, rand.New(rand.NewPCG(cfg.Seed^0x9e3779b97f4a7c15, uint64(step))), cfg.PoolSize, cfg.Fresh)
}

// NewWithData starts a run with fresh weights on another dataset of the
// same dimension as cfg.Target (a benchmark's pre-drawn pool, say).
func NewWithData(cfg Config, data Dataset) (*Trainer, error) {
	return newTrainer(cfg, data, nil, 0)
}

// NewFromModel continues the run m holds (with a fresh optimiser state).
func NewFromModel(m *Model) (*Trainer, error) {
	if err := m.Validate(); err != nil {
		return nil, err
	}
	data, err := Target(m.Config.Target)
	if err != nil {
		return nil, err
	}
	tr, err := newTrainer(m.Config, data, m.Params, m.Step)
	if err == nil && tr.avg != nil && m.EMAParams != nil {
		copy(tr.avg, m.EMAParams)
		tr.Publish()
	}
	return tr, err
}

// NewFromState continues the run m holds with Adam's state opt (nil: a
// fresh optimiser), as a session restores it: the weights, their average,
// the moments and the update count go on where they were; the draws start
// from a stream of the step (not bit for bit the saved run's).
func NewFromState(m *Model, opt *train.OptimizerState) (*Trainer, error) {
	if opt != nil {
		if err := opt.Validate(len(m.Params)); err != nil {
			return nil, fmt.Errorf("hd: %w", err)
		}
	}
	tr, err := NewFromModel(m)
	if err != nil {
		return nil, err
	}
	if opt != nil {
		copy(tr.opt.M, opt.M)
		copy(tr.opt.V, opt.V)
		tr.opt.Steps = opt.Steps
	}
	return tr, nil
}

// Optimizer is a copy of Adam's state; call it on the training goroutine.
func (tr *Trainer) Optimizer() train.OptimizerState {
	return train.OptimizerState{M: append([]float32(nil), tr.opt.M...), V: append([]float32(nil), tr.opt.V...), Steps: tr.opt.Steps}
}

func newTrainer(cfg Config, data Dataset, params []float32, step int) (*Trainer, error) {
	var err error
	cfg.Net.Dim = data.Dim()
	cfg.Target = strings.ToLower(strings.TrimSpace(cfg.Target))
	if !cfg.Conditional() {
		cfg.PUncond = 0 // no labels to drop: the config says so, as its file does
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if side := Targets[cfg.Target]; side*side != data.Dim() {
		return nil, fmt.Errorf("hd: data of dimension %d for target %s (%d)", data.Dim(), cfg.Target, side*side)
	}
	draw, err := pooled(cfg, data, step)
	if err != nil {
		return nil, err
	}
	rng := rand.New(rand.NewPCG(cfg.Seed, uint64(step)))
	var net *mlp.Net
	if params != nil {
		net, err = mlp.FromParams(cfg.Net, append([]float32(nil), params...))
	} else {
		net, err = mlp.New(cfg.Net, rng)
	}
	if err != nil {
		return nil, err
	}
	opt := mlp.NewAdam(len(net.Params))
	opt.LR = cfg.LR
	d, b := data.Dim(), cfg.Batch
	tr := &Trainer{
		cfg: cfg, data: data, draw: draw, net: net, opt: opt, ws: mlp.NewWorkspace(cfg.Net, b), rng: rng, step: step,
		x0: make([]float32, b*d), x1: make([]float32, b*d), xt: make([]float32, b*d),
		target: make([]float32, b*d), dpred: make([]float32, b*d),
		grad: make([]float32, len(net.Params)), t: make([]float32, b), labels: make([]int, b),
		ema: math.NaN(),
	}
	if cfg.EMA > 0 {
		tr.avg = append([]float32(nil), net.Params...)
	}
	tr.Publish()
	return tr, nil
}

// Config returns the run's config (Net.Dim filled in).
func (tr *Trainer) Config() Config { return tr.cfg }

// Data returns the run's target dataset (not its pool): fresh draws from
// it are safe from any goroutine with its own rand.Rand.
func (tr *Trainer) Data() Dataset { return tr.data }

// ErrDiverged reports a non-finite loss; the step's update was not applied.
var ErrDiverged = errors.New("hd: the loss is not finite; lower the learning rate")

// Step takes one training step on a fresh batch and returns its loss.
func (tr *Trainer) Step() (float64, error) {
	d := tr.data.Dim()
	tr.draw.Sample(tr.rng, tr.x1, tr.labels)
	for i := range tr.x0 {
		tr.x0[i] = float32(tr.rng.NormFloat64())
	}
	for i := range tr.t {
		t := tr.rng.Float32()
		tr.t[i] = t
		x0, x1 := tr.x0[i*d:(i+1)*d], tr.x1[i*d:(i+1)*d]
		xt, dxt := tr.xt[i*d:(i+1)*d], tr.target[i*d:(i+1)*d]
		for j := range x0 {
			xt[j] = (1-t)*x0[j] + t*x1[j] // xt = (1 − t)·x0 + t·x1
			dxt[j] = x1[j] - x0[j]        // dxt = x1 − x0
		}
	}
	var y []int // nil: the unconditional network, or every row null
	if tr.cfg.Conditional() {
		y = tr.labels
		train.DropLabels(tr.rng, y, tr.cfg.Net.Classes, tr.cfg.PUncond)
	}
	pred := tr.net.ForwardClass(tr.ws, tr.xt, tr.t, y)
	loss := mlp.CFMLoss(pred, tr.target, tr.dpred)
	if math.IsNaN(loss) || math.IsInf(loss, 0) {
		return loss, ErrDiverged
	}
	tr.net.Backward(tr.ws, tr.dpred, tr.grad)
	tr.opt.Step(tr.net.Params, tr.grad)
	if tr.avg != nil {
		// avg ← d·avg + (1 − d)·θ, d = min(EMA, (1 + k)/(10 + k))
		d := float32(min(tr.cfg.EMA, float64(1+tr.step)/float64(10+tr.step)))
		for i, p := range tr.net.Params {
			tr.avg[i] = d*tr.avg[i] + (1-d)*p
		}
	}
	tr.step++
	tr.loss.Add(loss)
	if math.IsNaN(tr.ema) {
		tr.ema = loss
	} else {
		tr.ema += (loss - tr.ema) / 50
	}
	return loss, nil
}

// Publish makes the current weights the latest Snapshot.
func (tr *Trainer) Publish() {
	s := &Snapshot{Config: tr.cfg, Net: tr.net.Clone(), Step: tr.step, Loss: tr.ema, LossHistory: tr.loss.Values()}
	if tr.avg != nil {
		s.Params = s.Net.Params
		s.Net = tr.net.Clone()
		copy(s.Net.Params, tr.avg)
	}
	tr.latest.Store(s)
}

// Latest returns the newest published Snapshot (never nil).
func (tr *Trainer) Latest() *Snapshot { return tr.latest.Load() }

// Run steps until ctx is done or the run has taken until steps in all
// (until ≤ 0: no limit), publishing every publishEvery and at the end. It
// returns ctx's error when cancelled, ErrDiverged on a non-finite loss.
func (tr *Trainer) Run(ctx context.Context, until int, publishEvery time.Duration) error {
	defer tr.Publish()
	last := time.Now()
	for until <= 0 || tr.step < until {
		if err := ctx.Err(); err != nil {
			return err
		}
		if _, err := tr.Step(); err != nil {
			return err
		}
		if now := time.Now(); now.Sub(last) >= publishEvery {
			last = now
			tr.Publish()
		}
	}
	return nil
}
