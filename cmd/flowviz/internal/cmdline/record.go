package cmdline

import (
	"context"
	"fmt"
	"io"

	"github.com/flowviz/flowviz/flow"
	"github.com/flowviz/flowviz/flow/train"
	"github.com/flowviz/flowviz/viz/palette"
	"github.com/flowviz/flowviz/viz/record"
	"github.com/flowviz/flowviz/viz/session"
)

// Record makes o.Record: the scene that the flags, or the -session file,
// describe, trained for -record-steps steps unless the session holds
// weights, in o's theme and colour map, writing progress to log.
func Record(ctx context.Context, o *Options, log io.Writer) error {
	if err := palette.SetLook(o.Theme, o.Colours); err != nil {
		return err
	}
	job := record.Job{
		Options: record.Options{Size: o.RecordSize, Frames: o.RecordN, Palette: record.Palette(), Trails: o.RecordTrails},
		Log:     log,
	}
	set := o.Settings
	base := train.DefaultConfig()
	if o.SessionFile != "" {
		s, err := session.Load(o.SessionFile)
		if err != nil {
			return err
		}
		if job.Source, err = s.Source.Dist(); err != nil {
			return fmt.Errorf("source: %w", err)
		}
		if job.Target, err = s.Target.Dist(); err != nil {
			return fmt.Errorf("target: %w", err)
		}
		job.Model = s.Model
		if !o.RecordTrailsSet {
			job.Options.Trails = s.View.Layers.Trails
		}
		// The data are the session's; built-in specs stand in for them in
		// the training config.
		set = s.Settings.Clamp()
		set.Source, set.Target = "gaussian", "moons"
	}
	if job.Model == nil && set.Coupling == train.CouplingReflow {
		return fmt.Errorf("a reflow coupling needs a trained teacher: record it with flowmatch record -model, or use -coupling ot")
	}
	if job.Model == nil && o.RecordSteps < 1 {
		return fmt.Errorf("no weights to record: give -record-steps N > 0 to train first")
	}
	cfg, err := set.TrainConfig(base)
	if err != nil {
		return err
	}
	cfg.Steps = o.RecordSteps
	job.Train = cfg
	if job.Solver, err = flow.ParseSolver(set.Solver); err != nil {
		return err
	}
	job.Particles, job.Steps = set.Particles, set.Steps
	return job.Run(ctx, o.Record)
}
