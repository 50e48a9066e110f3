package main

import (
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/flowviz/flowviz/flow"
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
)

// sampleFlags are the flags shared by sample and eval.
type sampleFlags struct {
	model  string
	n      int
	steps  int
	solver string
	seed   uint64
}

func (s *sampleFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&s.model, "model", "model.json", "model file written by flowmatch train")
	fs.IntVar(&s.n, "n", 2000, "number of samples")
	fs.IntVar(&s.steps, "steps", 100, "solver steps from t=0 to t=1 (NUM_STEPS)")
	fs.StringVar(&s.solver, "solver", "euler", "ODE solver: euler, midpoint, heun or rk4")
	fs.Uint64Var(&s.seed, "seed", 2, "random seed of the source draws")
}

// samples is what sample and eval integrate: the source draws and, if asked
// for, every state along the way.
type samples struct {
	model  *train.Model
	solver flow.Solver
	x0, x1 []flow.Vec
	traj   [][]flow.Vec // nil unless requested
}

// maxSamples bounds -n: plenty for any plot or metric, and a typo cannot ask
// for terabytes of trajectory.
const maxSamples = 10_000_000

// draw loads the model and integrates n source draws through it.
func (s *sampleFlags) draw(keepTraj bool) (*samples, error) {
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
	out.x0 = data.Sample(src, rand.New(rand.NewPCG(s.seed, streamSource)), s.n)
	out.x1 = append([]flow.Vec(nil), out.x0...)
	if keepTraj {
		backing := make([]flow.Vec, (s.steps+1)*s.n)
		out.traj = make([][]flow.Vec, s.steps+1)
		for k := range out.traj {
			out.traj[k] = backing[k*s.n : (k+1)*s.n : (k+1)*s.n]
		}
	}
	flow.Integrate(m.Field(), solver, out.x1, 0, 1, s.steps, out.traj)
	return out, nil
}

func setupSample(fs *flag.FlagSet) func(context.Context, *env) error {
	var sf sampleFlags
	var out string
	sf.register(fs)
	fs.StringVar(&out, "o", "-", "output CSV file with an x,y header (- for stdout); for an image model a .png grid (default 64 samples) or CSV of pixel vectors")
	return func(ctx context.Context, e *env) error {
		if isImageModel(sf.model) {
			return sampleImagesCmd(ctx, e, &sf, out)
		}
		start := time.Now()
		s, err := sf.draw(false)
		if err != nil {
			return err
		}
		if out == "-" {
			if err := data.WriteCSV(e.stdout, s.x1); err != nil {
				return err
			}
		} else {
			if err := data.WriteCSVFile(out, s.x1); err != nil {
				return err
			}
			fmt.Fprintf(e.stderr, "wrote %d samples (%s, %d steps) to %s in %s\n",
				len(s.x1), s.solver, sf.steps, out, time.Since(start).Round(time.Millisecond))
		}
		return nil
	}
}
