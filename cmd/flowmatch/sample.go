package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"time"

	"github.com/flowviz/flowviz/flow"
	"github.com/flowviz/flowviz/flow/atomicfile"
	"github.com/flowviz/flowviz/flow/data"
	"github.com/flowviz/flowviz/flow/train"
)

// Random streams of the headless tool: one seed drives all of them, and each
// kind of draw has its own stream so that, say, -n does not change which
// target points eval compares against.
const (
	streamSource  = 1
	streamTarget  = 2
	streamTarget2 = 3
	streamSliced  = 4
	streamSDE     = 5 // the Brownian increments of -sde
	streamLabels  = 6 // the classes of -class all, in the target's proportions
	streamRef     = 7 // the labelled target sample class accuracy measures against
)

// sampleFlags are the flags shared by sample and eval.
type sampleFlags struct {
	model  string
	n      int
	steps  int
	solver string
	seed   uint64
	gen    generateFlags // -sde, -noise, -class, -guidance
}

func (s *sampleFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&s.model, "model", "model.json", "model file written by flowmatch train")
	fs.IntVar(&s.n, "n", 2000, "number of samples")
	fs.IntVar(&s.steps, "steps", 100, "solver steps from t=0 to t=1 (NUM_STEPS)")
	fs.StringVar(&s.solver, "solver", "euler", "ODE solver: euler, midpoint, heun or rk4")
	fs.Uint64Var(&s.seed, "seed", 2, "random seed of the source draws")
	s.gen.register(fs)
}

// samples is what sample and eval integrate: the source draws and, if asked
// for, every state along the way.
type samples struct {
	model  *train.Model
	solver flow.Solver
	x0, x1 []flow.Vec
	traj   [][]flow.Vec // nil unless requested
	gen    generation   // classes, guidance and SDE noise used
}

// maxSamples bounds -n: plenty for any plot or metric, and a typo cannot ask
// for terabytes of trajectory.
const maxSamples = 10_000_000

// chunk is how many particles are integrated between two looks at the
// context: a few milliseconds of work for any network the tool accepts at
// 100 steps, so Ctrl+C is answered well within a second.
const chunk = 1024

// errInterrupted is what a long loop returns when Ctrl+C cancelled it.
var errInterrupted = errors.New("interrupted (Ctrl+C); nothing written")

// draw loads the model and integrates n source draws through it, looking
// at ctx between chunks of particles.
func (s *sampleFlags) draw(ctx context.Context, keepTraj bool) (*samples, error) {
	solver, err := flow.ParseSolver(s.solver)
	if err != nil {
		return nil, usagef("-solver: %v", err)
	}
	if s.n < 1 || s.n > maxSamples {
		return nil, usagef("-n %d: must be in 1..%d", s.n, maxSamples)
	}
	if s.steps < 1 || s.steps > 100_000 {
		return nil, usagef("-steps %d: must be in 1..100000", s.steps)
	}
	if keepTraj && s.n*(s.steps+1) > 50_000_000 {
		return nil, usagef("-n %d with -steps %d keeps too many trajectory points; lower one", s.n, s.steps)
	}
	m, err := train.LoadModel(s.model)
	if err != nil {
		return nil, err
	}
	src, err := data.Load(m.Config.Source)
	if err != nil {
		return nil, fmt.Errorf("the model's source %q: %w", m.Config.Source, err)
	}
	out := &samples{model: m, solver: solver}
	if out.x0, err = sampleCtx(ctx, src, rand.New(rand.NewPCG(s.seed, streamSource)), s.n); err != nil {
		return nil, err
	}
	out.x1 = append([]flow.Vec(nil), out.x0...)
	if keepTraj {
		backing := make([]flow.Vec, (s.steps+1)*s.n)
		out.traj = make([][]flow.Vec, s.steps+1)
		for k := range out.traj {
			out.traj[k] = backing[k*s.n : (k+1)*s.n : (k+1)*s.n]
		}
	}
	if out.gen, err = s.gen.resolve(m, solver, s.n, rand.New(rand.NewPCG(s.seed, streamLabels))); err != nil {
		return nil, err
	}
	if err := out.generate(ctx, s.steps, rand.New(rand.NewPCG(s.seed, streamSDE))); err != nil {
		return nil, err
	}
	return out, nil
}

// sampleCtx is data.Sample in chunks with a look at ctx between them; the
// draws are the same, as every distribution draws point after point.
func sampleCtx(ctx context.Context, d data.Dist, rng *rand.Rand, n int) ([]flow.Vec, error) {
	pts := make([]flow.Vec, n)
	for i := 0; i < n; i += 1 << 16 {
		if ctx.Err() != nil {
			return nil, errInterrupted
		}
		d.Sample(rng, pts[i:min(n, i+1<<16)])
	}
	return pts, nil
}

func setupSample(fs *flag.FlagSet) func(context.Context, *env) error {
	var sf sampleFlags
	var out string
	var labels bool
	sf.register(fs)
	fs.StringVar(&out, "o", "-", "output CSV file with an x,y header (- for stdout); for an image model a .png grid (default 64 samples) or CSV of pixel vectors")
	fs.BoolVar(&labels, "labels", false, "conditional models: write x,y,label rows, each sample's class")
	return func(ctx context.Context, e *env) error {
		if isImageModel(sf.model) {
			if labels {
				return usagef("-labels: an image sample's class is its row of the grid (-class all); -labels is for 2D models")
			}
			return sampleImagesCmd(ctx, e, &sf, out)
		}
		start := time.Now()
		s, err := sf.draw(ctx, false)
		if err != nil {
			return err
		}
		if labels && len(s.gen.classes) == 0 {
			return usagef("-labels: the samples have no classes (an unconditional model or -class none)")
		}
		if out == "-" {
			if err := writeSamples(e.stdout, s, labels); err != nil {
				return err
			}
		} else {
			if err := atomicfile.Write(out, func(w io.Writer) error { return writeSamples(w, s, labels) }); err != nil {
				return fmt.Errorf("writing %s: %w", out, err)
			}
			fmt.Fprintf(e.stderr, "wrote %d samples (%s, %d steps%s) to %s in %s\n",
				len(s.x1), s.gen.integrator(s.solver), sf.steps, s.gen.describe(), out, time.Since(start).Round(time.Millisecond))
		}
		return nil
	}
}
