package main

import (
	"context"
	"errors"
	"flag"
	"fmt"

	"github.com/flowviz/flowviz/flow"
	"github.com/flowviz/flowviz/flow/train"
	"github.com/flowviz/flowviz/viz/palette"
	"github.com/flowviz/flowviz/viz/record"
	"github.com/flowviz/flowviz/viz/scene"
)

// setupRecord registers record: the train flags, then how to draw the GIF.
// It draws the picture flowviz's F9 draws (viz/record), without a display.
func setupRecord(fs *flag.FlagSet) func(context.Context, *env) error {
	var (
		cfg    train.Config
		nf     netFlags
		df     diffusionFlags
		model  string
		out    string
		opt    record.Options
		solver string
		steps  int
		parts  int
		theme  string
		cmap   string
		quiet  bool
	)
	def := scene.DefaultSettings()
	registerTrainConfig(fs, &cfg, &nf, &df)
	fs.StringVar(&model, "model", "", "record this model file as it is instead of training one (the train flags are then ignored)")
	fs.StringVar(&out, "o", "flow.gif", "output GIF file")
	fs.IntVar(&opt.Size, "size", record.DefaultSize, fmt.Sprintf("GIF width and height in pixels, 16..%d", record.MaxSize))
	fs.IntVar(&opt.Frames, "frames", record.DefaultFrames, fmt.Sprintf("frames from t = 0 to 1, 2..%d", record.MaxFrames))
	fs.IntVar(&parts, "particles", def.Particles, fmt.Sprintf("particles, %d..%d", scene.MinParticles, scene.MaxParticles))
	fs.StringVar(&solver, "solver", def.Solver, "ODE solver of the sampler: euler, midpoint, heun or rk4")
	fs.IntVar(&steps, "sample-steps", def.Steps, fmt.Sprintf("solver steps of the sampler (NUM_STEPS), %d..%d", scene.MinSteps, scene.MaxSteps))
	fs.BoolVar(&opt.Trails, "trails", false, "draw fading trails behind the particles, as flowviz's T layer")
	fs.StringVar(&theme, "theme", "standard", "colour theme: standard or contrast")
	fs.StringVar(&cmap, "colours", "viridis", "colour map: viridis, cividis or magma (the last two colour the particles blue ↔ orange)")
	fs.BoolVar(&quiet, "q", false, "no progress on stderr")

	return func(ctx context.Context, e *env) error {
		job := record.Job{Particles: parts, Steps: steps, Options: opt}
		var err error
		if job.Solver, err = flow.ParseSolver(solver); err != nil {
			return usagef("-solver: %v", err)
		}
		if parts < scene.MinParticles || parts > scene.MaxParticles {
			return usagef("-particles %d: want %d..%d", parts, scene.MinParticles, scene.MaxParticles)
		}
		if steps < scene.MinSteps || steps > scene.MaxSteps {
			return usagef("-sample-steps %d: want %d..%d", steps, scene.MinSteps, scene.MaxSteps)
		}
		if opt.Size < 16 || opt.Size > record.MaxSize || opt.Frames < 2 || opt.Frames > record.MaxFrames {
			return usagef("-size %d -frames %d: want 16..%d pixels and 2..%d frames", opt.Size, opt.Frames, record.MaxSize, record.MaxFrames)
		}
		if err := palette.SetLook(theme, cmap); err != nil {
			return usageError{err}
		}
		job.Options.Palette = record.Palette()
		if model != "" {
			if job.Model, err = train.LoadModel(model); err != nil {
				return err
			}
			job.Train = job.Model.Config
		} else {
			if cfg.Net, err = nf.config(); err != nil {
				return err
			}
			if err := df.apply(&cfg); err != nil {
				return err
			}
			if cfg.Steps < 1 {
				return usagef("-steps %d: must be ≥ 1", cfg.Steps)
			}
			if err := cfg.Validate(); err != nil {
				return usageError{err}
			}
			job.Train = cfg
		}
		if !quiet {
			job.Log = e.stderr
		}
		err = job.Run(ctx, out)
		if err != nil && ctx.Err() != nil {
			return errors.New("interrupted; no GIF written")
		}
		return err
	}
}
