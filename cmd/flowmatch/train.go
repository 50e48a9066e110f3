package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"runtime"
	"time"

	"github.com/flowviz/flowviz/flow/hd"
	"github.com/flowviz/flowviz/flow/mlp"
	"github.com/flowviz/flowviz/flow/train"
)

// progressEvery is how often long runs report on stderr.
const progressEvery = time.Second

// netFlags registers the network flags shared by train and bench.
type netFlags struct {
	width, depth, fourier int
	act                   string
}

func (n *netFlags) register(fs *flag.FlagSet, def mlp.Config) {
	fs.IntVar(&n.width, "width", def.Width, "hidden units per layer")
	fs.IntVar(&n.depth, "depth", def.Depth, "hidden layers")
	fs.StringVar(&n.act, "act", def.Act.String(), "activation: silu, selu, tanh or relu")
	fs.IntVar(&n.fourier, "fourier", def.Fourier, "Fourier features of t (0 = feed t as is)")
}

func (n *netFlags) config() (mlp.Config, error) {
	act, err := mlp.ParseActivation(n.act)
	if err != nil {
		return mlp.Config{}, usagef("-act: %v", err)
	}
	cfg := mlp.Config{Width: n.width, Depth: n.depth, Act: act, Fourier: n.fourier}
	if err := cfg.Validate(); err != nil {
		return mlp.Config{}, usageError{err}
	}
	return cfg, nil
}

// registerTrainConfig registers the flags of a training run, shared by
// train and record (the Gaussian-path flags in df), with
// train.DefaultConfig's values as defaults.
func registerTrainConfig(fs *flag.FlagSet, cfg *train.Config, nf *netFlags, df *diffusionFlags) {
	def := train.DefaultConfig()
	*cfg = def
	fs.StringVar(&cfg.Source, "source", def.Source, "source (noise) dataset spec")
	fs.StringVar(&cfg.Target, "target", def.Target, "target dataset spec, or digits / digits8 for 16×16 / 8×8 digit images (3×512 network, lr 5e-4 unless given)")
	fs.StringVar(&cfg.Coupling, "coupling", def.Coupling, "pairing of x0 and x1: independent, ot (minibatch optimal transport) or reflow")
	fs.StringVar(&cfg.Teacher, "teacher", "", "teacher model file of the reflow coupling")
	fs.StringVar(&cfg.Path, "path", def.Path, "probability path: linear or ot")
	fs.Float64Var(&cfg.Sigma, "sigma", def.Sigma, "σ of the linear path, σ_min of the ot path")
	df.register(fs, def)
	nf.register(fs, def.Net)
	fs.IntVar(&cfg.Batch, "batch", 256, "pairs per step")
	fs.Float64Var(&cfg.LR, "lr", def.LR, "Adam learning rate")
	fs.Float64Var(&cfg.WeightDecay, "wd", def.WeightDecay, "decoupled weight decay")
	fs.IntVar(&cfg.Steps, "steps", 5000, "training steps")
	fs.Uint64Var(&cfg.Seed, "seed", def.Seed, "random seed (weights and draws)")
}

func setupTrain(fs *flag.FlagSet) func(context.Context, *env) error {
	var (
		cfg        train.Config
		nf         netFlags
		out        string
		reflowFrom string
		resume     string
		quiet      bool
		df         diffusionFlags
	)
	registerTrainConfig(fs, &cfg, &nf, &df)
	fs.StringVar(&reflowFrom, "reflow-from", "", "reflow a trained model: same as -coupling reflow -teacher FILE, with its source and target unless given")
	fs.StringVar(&resume, "resume", "", "continue training this model file (its config; flags given override lr, batch, wd)")
	fs.StringVar(&out, "o", "model.json", "output model file (- for stdout)")
	fs.BoolVar(&quiet, "q", false, "no progress on stderr")

	return func(ctx context.Context, e *env) error {
		if hd.IsTarget(cfg.Target) || (resume != "" && isImageModel(resume)) {
			return trainImages(ctx, e, imageTrainFlags{target: cfg.Target, nf: &nf, batch: cfg.Batch, steps: cfg.Steps,
				lr: cfg.LR, seed: cfg.Seed, resume: resume, out: out, quiet: quiet, cond: df.cond, pUncond: df.pUncond})
		}
		var err error
		if cfg.Net, err = nf.config(); err != nil {
			return err
		}
		if err := df.apply(&cfg); err != nil {
			return err
		}
		if cfg.Steps < 1 {
			return usagef("-steps %d: must be ≥ 1", cfg.Steps)
		}
		if reflowFrom != "" {
			if flagWasSet(e.fs, "teacher") || (flagWasSet(e.fs, "coupling") && cfg.Coupling != train.CouplingReflow) {
				return usagef("-reflow-from cannot be combined with -teacher or another -coupling")
			}
			teacher, err := train.LoadModel(reflowFrom)
			if err != nil {
				return err
			}
			cfg.Coupling, cfg.Teacher = train.CouplingReflow, reflowFrom
			if !flagWasSet(e.fs, "source") {
				cfg.Source = teacher.Config.Source
			}
			if !flagWasSet(e.fs, "target") {
				cfg.Target = teacher.Config.Target
			}
		}
		var tr *train.Trainer
		if resume != "" {
			m, err := train.LoadModel(resume)
			if err != nil {
				return err
			}
			// The model's own config, with the live settings the user gave.
			steps := cfg.Steps
			c := m.Config
			if flagWasSet(e.fs, "lr") {
				c.LR = cfg.LR
			}
			if flagWasSet(e.fs, "batch") {
				c.Batch = cfg.Batch
			}
			if flagWasSet(e.fs, "wd") {
				c.WeightDecay = cfg.WeightDecay
			}
			m.Config = c
			if tr, err = train.NewFromModel(m); err != nil {
				return err
			}
			cfg = c
			cfg.Steps = m.Step + steps
		} else {
			if err := cfg.Validate(); err != nil {
				return usageError{err}
			}
			if tr, err = train.New(cfg); err != nil {
				return err
			}
		}
		// With a core to spare, the next OT batch is coupled while the
		// current step trains; the batches are the same either way.
		tr.SetOverlap(runtime.GOMAXPROCS(0) > 1)
		defer tr.Close()
		return trainLoop(ctx, e, tr, cfg.Steps, out, quiet)
	}
}

// trainLoop steps tr until it has taken steps steps in all (or ctx is
// cancelled, which saves the model so far), reporting progress every second.
func trainLoop(ctx context.Context, e *env, tr *train.Trainer, steps int, out string, quiet bool) error {
	start := time.Now()
	first := tr.Latest().Step
	err := tr.StepUntil(ctx, steps, progressEvery, func(p train.Progress) {
		if !quiet {
			fmt.Fprintf(e.stderr, "step %d/%d  loss %.4f (avg %.4f)  %.0f steps/s  eta %s\n",
				p.Step, p.Until, p.Loss, p.AvgLoss, p.Rate, p.ETA.Round(time.Second))
		}
	})
	interrupted := err != nil && ctx.Err() != nil
	if err != nil && !interrupted {
		return fmt.Errorf("%w; a lower -lr may train", err)
	}
	snap := tr.Latest()
	m := snap.Model()
	if out == "-" {
		if err := train.WriteModel(e.stdout, m); err != nil {
			return err
		}
	} else if err := train.SaveModel(out, m); err != nil {
		return err
	}
	elapsed := time.Since(start)
	if !quiet || interrupted {
		what := "trained"
		if interrupted {
			what = "interrupted after"
		}
		fmt.Fprintf(e.stderr, "%s %d steps in %s (%.0f steps/s); average loss %.4f; model %s\n",
			what, snap.Step-first, elapsed.Round(time.Millisecond), float64(snap.Step-first)/elapsed.Seconds(),
			snap.Loss, describeOut(out))
	}
	if interrupted {
		return errors.New("interrupted; the model so far is saved")
	}
	return nil
}

func describeOut(out string) string {
	if out == "-" {
		return "written to stdout"
	}
	return "saved to " + out
}
