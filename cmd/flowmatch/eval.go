package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/flowviz/flowviz/flow"
	"github.com/flowviz/flowviz/flow/data"
)

// exactW2Max is the largest n for which eval solves the exact assignment
// (O(n³) worst case, about a second at 2000); above it W2 is sliced.
const exactW2Max = 2000

// energyMax is how many points of each sample the energy distance uses: it
// sums over all pairs, O(m²), about 0.3 s at 8,000 here; the first m of n
// independent draws are themselves independent draws, so the estimate is
// unbiased, only noisier, for n above it.
const energyMax = 8000

// evalReport is what eval prints, also as JSON with -json.
type evalReport struct {
	Model        string  `json:"model"`
	Step         int     `json:"step"`
	Target       string  `json:"target"`
	N            int     `json:"n"`
	Solver       string  `json:"solver"`
	Steps        int     `json:"steps"`
	W2Method     string  `json:"w2_method"`
	W2           float64 `json:"w2"`
	W2Floor      float64 `json:"w2_floor"`
	Energy       float64 `json:"energy_distance"`
	EnergyN      int     `json:"energy_n"`
	PathEnergy   float64 `json:"path_energy"`
	W2SourceSq   float64 `json:"w2_source_target_sq"`
	NPE          float64 `json:"npe"`
	Straightness float64 `json:"straightness"`
	Seconds      float64 `json:"seconds"`

	Schedule string       `json:"schedule,omitempty"`
	Predict  string       `json:"predict,omitempty"`
	SDENoise *float64     `json:"sde_noise,omitempty"` // set when sampled by the reverse SDE
	Class    *classReport `json:"class,omitempty"`     // conditional models

	// NLL is the likelihood part, with -nll.
	NLL *nllReport `json:"nll,omitempty"`
}

func setupEval(fs *flag.FlagSet) func(context.Context, *env) error {
	var (
		sf          sampleFlags
		target      string
		projections int
		asJSON      bool
	)
	var (
		withNLL  bool
		nllSteps int
	)
	sf.register(fs)
	fs.StringVar(&target, "target", "", "dataset spec to compare with (default: the model's target)")
	fs.IntVar(&projections, "projections", 256, "random directions of the sliced W2 used above n = 2000 (each sorts 2n numbers)")
	fs.BoolVar(&asJSON, "json", false, "print the report as JSON")
	fs.BoolVar(&withNLL, "nll", false, "also the NLL of n fresh target samples in nats (RK4), with the target's entropy where it has a density")
	fs.IntVar(&nllSteps, "nll-steps", 50, "RK4 steps over [0, 1] for -nll")
	return func(ctx context.Context, e *env) error {
		if projections < 1 || projections > 100_000 {
			return usagef("-projections %d: must be in 1..100000", projections)
		}
		if isImageModel(sf.model) {
			return evalImagesCmd(ctx, e, &sf, asJSON)
		}
		start := time.Now()
		s, err := sf.draw(ctx, true)
		if err != nil {
			return err
		}
		if target == "" {
			target = s.model.Config.Target
		}
		tgt, err := data.Load(target)
		if err != nil {
			return fmt.Errorf("target %q: %w", target, err)
		}
		n := sf.n
		// Two independent target samples of the same n: the first is what
		// the model is compared with, the pair gives the finite-sample floor.
		y, err := targetSample(ctx, tgt, s, rand.New(rand.NewPCG(sf.seed, streamTarget)), n)
		if err != nil {
			return err
		}
		y2, err := targetSample(ctx, tgt, s, rand.New(rand.NewPCG(sf.seed, streamTarget2)), n)
		if err != nil {
			return err
		}
		rng := rand.New(rand.NewPCG(sf.seed, streamSliced))
		w2 := func(a, b []flow.Vec) (float64, error) {
			if ctx.Err() != nil {
				return 0, errInterrupted
			}
			if n <= exactW2Max {
				return flow.W2(a, b)
			}
			return slicedW2(ctx, a, b, projections, rng)
		}
		r := evalReport{
			Model: sf.model, Step: s.model.Step, Target: tgt.String(), N: n,
			Solver: s.solver.String(), Steps: sf.steps, W2Method: "exact",
		}
		if n > exactW2Max {
			r.W2Method = fmt.Sprintf("sliced, %d projections", projections)
		}
		if r.W2, err = w2(s.x1, y); err != nil {
			return err
		}
		if r.W2Floor, err = w2(y2, y); err != nil {
			return err
		}
		w2src, err := w2(s.x0, y)
		if err != nil {
			return err
		}
		r.W2SourceSq = w2src * w2src
		if ctx.Err() != nil {
			return errInterrupted
		}
		m := min(n, energyMax)
		r.Energy, r.EnergyN = flow.EnergyDistance(s.x1[:m], y[:m]), m
		r.PathEnergy = flow.PathEnergy(s.traj)
		r.NPE = flow.NormalizedPathEnergy(r.PathEnergy, r.W2SourceSq)
		r.Straightness = flow.Straightness(s.traj)
		r.Schedule, r.Predict = s.model.Config.Schedule, s.model.Config.Predict
		if s.gen.sde {
			r.SDENoise = &s.gen.noise
			r.Solver = s.gen.integrator(s.solver)
		}
		if r.Class, err = classAccuracy(s, tgt, sf.seed); err != nil {
			return err
		}
		if withNLL {
			if err := nllSupported(s.model); err != nil {
				return err
			}
			if r.NLL, err = evalNLL(ctx, s.model, tgt, n, nllSteps, sf.seed); err != nil {
				return err
			}
		}
		r.Seconds = time.Since(start).Seconds()
		if asJSON {
			enc := json.NewEncoder(e.stdout)
			enc.SetIndent("", "  ")
			return enc.Encode(r)
		}
		printReport(e, r)
		return nil
	}
}

func printReport(e *env, r evalReport) {
	w := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintf(w, "model\t%s (step %d)\n", r.Model, r.Step)
	fmt.Fprintf(w, "target\t%s\n", r.Target)
	if r.SDENoise != nil {
		fmt.Fprintf(w, "samples\t%d, %s, %d steps\n", r.N, r.Solver, r.Steps)
	} else {
		fmt.Fprintf(w, "samples\t%d, %s solver, %d steps\n", r.N, r.Solver, r.Steps)
	}
	fmt.Fprintf(w, "W2\t%.4f\t%s W2 between the samples and %d target points\n", r.W2, r.W2Method, r.N)
	fmt.Fprintf(w, "W2 floor\t%.4f\tW2 between two independent target samples of the same n: a perfect model scores about this\n", r.W2Floor)
	fmt.Fprintf(w, "energy distance\t%.5f\t0 when the distributions match (from %d points of each)\n", r.Energy, r.EnergyN)
	fmt.Fprintf(w, "path energy\t%.4f\tmean ∫‖v‖² dt along the trajectories\n", r.PathEnergy)
	fmt.Fprintf(w, "NPE\t%.4f\t|path energy − W2²(source, target)| / W2², 0 for optimal transport (W2² = %.4f)\n", r.NPE, r.W2SourceSq)
	fmt.Fprintf(w, "straightness\t%.4f\tmean ∫‖v − (x1 − x0)‖² dt, 0 for straight paths\n", r.Straightness)
	if r.SDENoise != nil {
		fmt.Fprintf(w, "\t\tpath energy and straightness add up the SDE's random kicks: compare them between ODE runs only\n")
	}
	if r.Schedule != "" || r.Predict != "" {
		fmt.Fprintf(w, "path\t%s schedule, predicts %s\n", orDefault(r.Schedule, "linear"), orDefault(r.Predict, "velocity"))
	}
	if c := r.Class; c != nil {
		fmt.Fprintf(w, "class accuracy\t%.4f\tmean over classes %v at guidance %g of the fraction of class-k samples nearest to class k (chance %.3f)\n",
			c.Mean, c.Classes, c.Guidance, c.Chance)
		var per []string
		for i, k := range c.Classes {
			per = append(per, fmt.Sprintf("%d: %.3f", k, c.Accuracy[i]))
		}
		fmt.Fprintf(w, "  per class\t%s\n", strings.Join(per, "  "))
	}
	if r.NLL != nil {
		printNLL(w, r.NLL)
	}
	fmt.Fprintf(w, "time\t%.2fs\n", r.Seconds)
	w.Flush()
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// slicedW2 is flow.SlicedW2 with a look at ctx between projections, which
// each sort 2n numbers (about 2 s at n = 10 million): projection k rotates
// both clouds by −θ_k, θ_k = (k + offset)·π/projections, so that
// flow.SlicedW2 with one unrotated projection measures along θ_k, and
// SW2² is the mean of the projections' W2².
func slicedW2(ctx context.Context, a, b []flow.Vec, projections int, rng *rand.Rand) (float64, error) {
	offset := rng.Float64()
	ra, rb := make([]flow.Vec, len(a)), make([]flow.Vec, len(b))
	sum := 0.0
	for k := range projections {
		if ctx.Err() != nil {
			return 0, errInterrupted
		}
		s, c := math.Sincos((float64(k) + offset) * math.Pi / float64(projections))
		rotate(ra, a, c, s)
		rotate(rb, b, c, s)
		w := flow.SlicedW2(ra, rb, 1, nil)
		sum += w * w
	}
	return math.Sqrt(sum / float64(projections)), nil
}

// rotate writes x rotated by −θ (cos θ = c, sin θ = s) into dst, so that
// the first coordinate of dst is ⟨x, (c, s)⟩.
func rotate(dst, x []flow.Vec, c, s float64) {
	for i, p := range x {
		dst[i] = flow.Vec{c*p[0] + s*p[1], -s*p[0] + c*p[1]}
	}
}
