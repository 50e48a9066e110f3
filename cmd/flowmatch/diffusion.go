package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"

	"github.com/flowviz/flowviz/flow"
	"github.com/flowviz/flowviz/flow/data"
	"github.com/flowviz/flowviz/flow/mlp"
	"github.com/flowviz/flowviz/flow/train"
)

// diffusionFlags are train's flags for Gaussian paths, prediction targets
// and class-conditional models.
type diffusionFlags struct {
	schedule, predict string
	cond              bool
	pUncond           float64
}

func (d *diffusionFlags) register(fs *flag.FlagSet, def train.Config) {
	fs.StringVar(&d.schedule, "schedule", "linear",
		"Gaussian path xt = α·x1 + σ·x0: linear, cosine, vp[:bmin=0.1,bmax=20], ve[:min=0.01,max=10] or poly[:n=2] (not linear: needs -path linear -sigma 0)")
	fs.StringVar(&d.predict, "predict", "velocity",
		"what the network regresses: velocity (flow matching), noise or score (denoising score matching), or data")
	fs.BoolVar(&d.cond, "cond", false, "class-conditional model on the target's class labels (8gaussians: mode, moons: moon, ...)")
	fs.Float64Var(&d.pUncond, "p-uncond", def.PUncond, "label dropout of -cond: probability of training a pair with the null class")
}

// apply writes the flags into cfg; -cond reads the target's class count.
func (d *diffusionFlags) apply(cfg *train.Config) error {
	if _, err := flow.ParseScheduler(d.schedule); err != nil {
		return usagef("-schedule: %v", err)
	}
	if _, err := flow.ParseTarget(d.predict); err != nil {
		return usagef("-predict: %v", err)
	}
	cfg.Schedule, cfg.Predict, cfg.PUncond = d.schedule, d.predict, d.pUncond
	// The defaults are stored as "" so that the default run's file says
	// nothing new.
	if strings.EqualFold(cfg.Schedule, "linear") {
		cfg.Schedule = ""
	}
	if strings.EqualFold(cfg.Predict, "velocity") {
		cfg.Predict = ""
	}
	if !d.cond {
		return nil
	}
	target, err := data.Load(cfg.Target)
	if err != nil {
		return err
	}
	n := data.NumClasses(target)
	if n == 0 {
		return usagef("-cond: target %s has no class labels (8gaussians, moons, checkerboard, rings, pinwheel, 2spirals and circles do)", target)
	}
	if n > mlp.MaxClasses {
		return usagef("-cond: target %s has %d classes, more than the %d a network takes", target, n, mlp.MaxClasses)
	}
	cfg.Net.Classes = n
	return nil
}

// generateFlags are sample's and eval's flags for classes, guidance and the
// reverse SDE.
type generateFlags struct {
	sde      bool
	noise    float64
	class    string
	guidance float64
}

func (g *generateFlags) register(fs *flag.FlagSet) {
	fs.BoolVar(&g.sde, "sde", false, "sample the reverse SDE (Euler–Maruyama) instead of the ODE; same marginals")
	fs.Float64Var(&g.noise, "noise", 1, "noise level G of -sde: g_t = G·σ_t (0 is the ODE)")
	fs.StringVar(&g.class, "class", "", "conditional models: a class K, all (every class in the target's proportions) or none (unconditional); default all")
	fs.Float64Var(&g.guidance, "guidance", 1, "classifier-free guidance w: (1−w)·u(x|∅) + w·u(x|y); 1 is the conditional model")
}

// generation is what generateFlags resolve to for one model.
type generation struct {
	m        *train.Model
	solver   flow.Solver
	sde      bool
	noise    float64
	guidance float64
	labels   []int // each sample's class, NullClass for unconditional
	classes  []int // the classes sampled, in order; nil for unconditional
}

// resolve checks the flags against the model and assigns n samples to
// classes: for "all", in the proportions of the model's target (drawn from
// rng), or equal shares if that has other labels.
func (g *generateFlags) resolve(m *train.Model, solver flow.Solver, n int, rng *rand.Rand) (generation, error) {
	gen := generation{m: m, solver: solver, sde: g.sde, noise: g.noise, guidance: g.guidance}
	if !finite(g.guidance) || g.guidance < -100 || g.guidance > 100 {
		return gen, usagef("-guidance %v: must be in -100..100", g.guidance)
	}
	if g.sde {
		if !finite(g.noise) || g.noise < 0 || g.noise > 100 {
			return gen, usagef("-noise %v: must be in 0..100", g.noise)
		}
		if _, err := m.SDEDrift(mlp.NullClass, 1, g.noise); err != nil {
			return gen, usageError{err}
		}
	}
	gen.labels = make([]int, n)
	var target data.Dist
	class := strings.ToLower(strings.TrimSpace(g.class))
	switch {
	case class == "none" || (class == "" && m.Classes() == 0):
		for i := range gen.labels {
			gen.labels[i] = mlp.NullClass
		}
		return gen, nil
	case m.Classes() == 0:
		return gen, usagef("-class %s: the model is not class-conditional (train it with -cond)", g.class)
	case class == "" || class == "all":
		for k := range m.Classes() {
			gen.classes = append(gen.classes, k)
		}
		var err error
		if target, err = data.Load(m.Config.Target); err != nil {
			return gen, fmt.Errorf("the model's target %q: %w", m.Config.Target, err)
		}
	default:
		k, err := strconv.Atoi(class)
		if err != nil {
			return gen, usagef("-class %q: want a class number, all or none", g.class)
		}
		if err := m.CheckClass(k); err != nil || k < 0 {
			return gen, usagef("-class %d: the model has classes 0..%d", k, m.Classes()-1)
		}
		gen.classes = []int{k}
	}
	if len(gen.classes) == 1 {
		for i := range gen.labels {
			gen.labels[i] = gen.classes[0]
		}
		return gen, nil
	}
	// All classes in the target's own proportions: the labels of a labelled
	// target sample, sorted so that each class is one contiguous block.
	if l, ok := target.(data.Labeled); ok && l.NumClasses() == m.Classes() {
		l.SampleLabeled(rng, make([]flow.Vec, n), gen.labels)
		slices.Sort(gen.labels)
		return gen, nil
	}
	for i := range gen.labels {
		gen.labels[i] = gen.classes[i*len(gen.classes)/n]
	}
	return gen, nil
}

// targetSample draws n points of what the samples should match: the target,
// or the target's class K when one class was sampled.
func targetSample(ctx context.Context, target data.Dist, s *samples, rng *rand.Rand, n int) ([]flow.Vec, error) {
	if len(s.gen.classes) != 1 {
		return sampleCtx(ctx, target, rng, n)
	}
	k := s.gen.classes[0]
	l, ok := target.(data.Labeled)
	if !ok {
		return nil, fmt.Errorf("target %s has no class labels to compare class %d with", target, k)
	}
	pts := make([]flow.Vec, n)
	if got := data.SampleClass(l, rng, pts, k); got < n {
		return nil, fmt.Errorf("target %s: class %d is too rare to draw %d points of", target, k, n)
	}
	return pts, nil
}

func finite(x float64) bool { return x == x && x-x == 0 }

// integrator names how the samples were integrated.
func (g generation) integrator(s flow.Solver) string {
	if g.sde {
		return fmt.Sprintf("Euler–Maruyama SDE, noise %g", g.noise)
	}
	return s.String()
}

// describe lists the classes and guidance, "" for an unconditional model.
func (g generation) describe() string {
	switch len(g.classes) {
	case 0:
		return ""
	case 1:
		return fmt.Sprintf(", class %d, guidance %g", g.classes[0], g.guidance)
	}
	return fmt.Sprintf(", all %d classes, guidance %g", len(g.classes), g.guidance)
}

// generate integrates s.x1 (the source draws, scaled to the path's p_0)
// from t = 0 to 1 in n steps, each class's share with its guided field, by
// the ODE solver or Euler–Maruyama, checking ctx between steps.
func (s *samples) generate(ctx context.Context, n int, rng *rand.Rand) error {
	g := s.gen
	if a := s.model.StartScale(); a != 1 {
		for i := range s.x1 {
			s.x1[i] = flow.Vec{a * s.x1[i][0], a * s.x1[i][1]}
		}
		copy(s.x0, s.x1) // the path starts at σ_0·x0
	}
	if s.traj != nil {
		copy(s.traj[0], s.x1)
	}
	var in flow.Integrator
	in.Solver = s.solver
	var scratch []flow.Vec
	for lo := 0; lo < len(s.x1); {
		y := g.labels[lo]
		hi := lo
		for hi < len(s.x1) && g.labels[hi] == y {
			hi++
		}
		var f flow.Field
		var gt func(float64) float64
		if g.sde {
			d, err := s.model.SDEDrift(y, g.guidance, g.noise)
			if err != nil {
				return err
			}
			f, gt = d, d.G
			scratch = make([]flow.Vec, min(chunk, hi-lo))
		} else {
			f = s.model.VelocityField(y, g.guidance)
		}
		h := 1 / float64(n)
		// The class's particles go through in chunks, each integrated over
		// all n steps, with a look at ctx before every step of a chunk: a
		// chunk's step is milliseconds of work for any network the tool
		// accepts, so Ctrl+C is answered well within a second.
		for c := lo; c < hi; c += chunk {
			d := min(hi, c+chunk)
			xc := s.x1[c:d]
			for k := range n {
				if ctx.Err() != nil {
					return errInterrupted
				}
				t := float64(k) / float64(n)
				if g.sde {
					flow.EulerMaruyama(f, gt, xc, t, t+h, 1, rng, nil, scratch[:len(xc)])
				} else {
					in.Step(f, xc, t, h)
				}
				if s.traj != nil {
					copy(s.traj[k+1][c:d], xc)
				}
			}
		}
		lo = hi
	}
	return nil
}

// classReport is eval's class accuracy of a conditional model.
type classReport struct {
	Guidance float64   `json:"guidance"`
	Classes  []int     `json:"classes"`
	Accuracy []float64 `json:"accuracy"` // per class, in the order of Classes
	Mean     float64   `json:"mean_accuracy"`
	Chance   float64   `json:"chance"` // 1/K, what a model ignoring the class scores
}

// classAccuracy measures, for each class sampled, the fraction of its
// samples whose nearest point of a labelled target sample has that class.
func classAccuracy(s *samples, target data.Dist, seed uint64) (*classReport, error) {
	if len(s.gen.classes) == 0 {
		return nil, nil
	}
	l, ok := target.(data.Labeled)
	if !ok || l.NumClasses() == 0 {
		return nil, fmt.Errorf("class accuracy: target %s has no class labels", target)
	}
	const refN = 4000
	ref := make([]flow.Vec, refN)
	labels := make([]int, refN)
	l.SampleLabeled(rand.New(rand.NewPCG(seed, streamRef)), ref, labels)
	r := &classReport{Guidance: s.gen.guidance, Classes: s.gen.classes, Chance: 1 / float64(l.NumClasses())}
	for _, k := range s.gen.classes {
		var mine []flow.Vec
		for i, y := range s.gen.labels {
			if y == k {
				mine = append(mine, s.x1[i])
			}
		}
		a := flow.ClassAccuracy(mine, k, ref, labels)
		r.Accuracy = append(r.Accuracy, a)
		r.Mean += a / float64(len(s.gen.classes))
	}
	return r, nil
}

// writeSamples writes the samples as x,y CSV, or x,y,label with their
// classes.
func writeSamples(w io.Writer, s *samples, labels bool) error {
	if labels {
		return data.WriteLabeledCSV(w, s.x1, s.gen.labels)
	}
	return data.WriteCSV(w, s.x1)
}

// nllSupported refuses -nll for the models its change-of-variables
// integrator does not handle yet: it takes the network's raw output as the
// velocity and the source as p_0, which holds only for an unconditional
// velocity model whose path starts at the source (not VE's σmax·x0).
func nllSupported(m *train.Model) error {
	switch {
	case m.Predicts() != flow.Velocity:
		return usagef("-nll: the model predicts %v; the likelihood is computed for velocity models only", m.Predicts())
	case m.Classes() > 0:
		return usagef("-nll: the likelihood is computed for unconditional models only")
	case m.StartScale() != 1:
		return usagef("-nll: the path starts from σ_0·x0 with σ_0 = %g, not from the source", m.StartScale())
	}
	return nil
}
