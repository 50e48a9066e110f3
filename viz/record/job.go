package record

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/flowviz/flowviz/flow"
	"github.com/flowviz/flowviz/flow/data"
	"github.com/flowviz/flowviz/flow/train"
)

// A Job rewrites its progress line every second on a terminal, and writes a
// new line every logEvery to a file or pipe, so a script's log stays short.
const (
	progressEvery = time.Second
	logEvery      = 5 * time.Second
)

// Job is one GIF made from a script: train a model (unless it has one),
// integrate its particles and record them flowing, writing a progress line
// about once a second. flowmatch record and flowviz -record both run one.
type Job struct {
	Train train.Config // network, coupling, path, batch, lr and seed; Steps is how long to train
	// Source and Target are the data; nil ones are loaded from Train's
	// specs (a session's drawing has no spec, so it comes in here).
	Source, Target data.Dist
	Model          *train.Model // weights to record as they are; nil: train first

	Particles int         // how many to draw
	Steps     int         // solver steps of the sampler (NUM_STEPS)
	Solver    flow.Solver // of the sampler
	Options   Options     // size, frames, view, palette, trails

	Log io.Writer // progress lines; nil: none

	tty     bool // Log is a terminal: progress rewrites one line
	pending bool // a progress line is on the terminal, not yet ended
}

// Run does the job and writes the GIF to path atomically. Cancelling ctx
// (Ctrl+C) stops it between training steps or frames with ctx's error, and
// leaves path as it was.
func (j *Job) Run(ctx context.Context, path string) error {
	if f, ok := j.Log.(*os.File); ok {
		fi, err := f.Stat()
		j.tty = err == nil && fi.Mode()&os.ModeCharDevice != 0
	}
	defer j.endLine()
	src, tgt, err := j.data()
	if err != nil {
		return err
	}
	m := j.Model
	if m == nil {
		if m, err = j.train(ctx, src, tgt); err != nil {
			return err
		}
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	j.logf("sampling %d particles, %d %s steps", j.Particles, j.Steps, j.Solver)
	sc := Sample(m, src, tgt, j.Particles, j.Steps, j.Solver, j.Train.Seed)
	opt := j.Options
	last := time.Now()
	opt.Progress = func(done, total int) {
		if now := time.Now(); now.Sub(last) >= j.every() || done == total {
			last = now
			j.progressf("recording frame %d/%d", done, total)
		}
	}
	if err := SaveGIF(ctx, path, sc, opt); err != nil {
		return err
	}
	if fi, err := os.Stat(path); err == nil {
		j.logf("wrote %s (%d kB)", path, (fi.Size()+512)/1024)
	}
	return nil
}

func (j *Job) data() (src, tgt data.Dist, err error) {
	src, tgt = j.Source, j.Target
	if src == nil {
		if src, err = data.Load(j.Train.Source); err != nil {
			return nil, nil, fmt.Errorf("source: %w", err)
		}
	}
	if tgt == nil {
		if tgt, err = data.Load(j.Train.Target); err != nil {
			return nil, nil, fmt.Errorf("target: %w", err)
		}
	}
	if train.IsEmpty(src) {
		return nil, nil, errors.New("the source has no points")
	}
	if train.IsEmpty(tgt) {
		return nil, nil, errors.New("the target has no points")
	}
	return src, tgt, nil
}

// train trains Train.Steps steps from Train.Seed on src → tgt, so that the
// same job gives the same GIF.
func (j *Job) train(ctx context.Context, src, tgt data.Dist) (*train.Model, error) {
	if j.Train.Steps < 1 {
		return nil, errors.New("no weights to record: train at least one step")
	}
	tr, err := train.New(j.Train)
	if err != nil {
		return nil, err
	}
	tr.SetSource(src)
	tr.SetTarget(tgt)
	j.logf("training %d steps: %s → %s, %s coupling, %d×%d %s", j.Train.Steps, src, tgt,
		j.Train.Coupling, j.Train.Net.Depth, j.Train.Net.Width, j.Train.Net.Act)
	err = tr.StepUntil(ctx, j.Train.Steps, j.every(), func(p train.Progress) {
		j.progressf("training step %d/%d  loss %.4f  %.0f steps/s  eta %s", p.Step, p.Until, p.AvgLoss, p.Rate, p.ETA.Round(time.Second))
	})
	if err != nil {
		return nil, fmt.Errorf("training: %w", err)
	}
	snap := tr.Latest()
	j.logf("trained %d steps, loss %.4f", snap.Step, snap.Loss)
	return snap.Model(), nil
}

func (j *Job) every() time.Duration {
	if j.tty {
		return progressEvery
	}
	return logEvery
}

// progressf writes a progress line: on a terminal over the last one.
func (j *Job) progressf(format string, args ...any) {
	if !j.tty {
		j.logf(format, args...)
		return
	}
	fmt.Fprintf(j.Log, "\r\033[K"+format, args...)
	j.pending = true
}

// logf writes a line that stays.
func (j *Job) logf(format string, args ...any) {
	if j.Log == nil {
		return
	}
	j.endLine()
	fmt.Fprintf(j.Log, format+"\n", args...)
}

// endLine ends a progress line left on the terminal.
func (j *Job) endLine() {
	if j.pending {
		fmt.Fprintln(j.Log)
		j.pending = false
	}
}
