package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"image"
	"image/png"
	"io"
	"math"
	"math/rand/v2"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/flowviz/flowviz/flow"
	"github.com/flowviz/flowviz/flow/atomicfile"
	"github.com/flowviz/flowviz/flow/data"
	"github.com/flowviz/flowviz/flow/density"
	"github.com/flowviz/flowviz/flow/train"
	"github.com/flowviz/flowviz/viz/palette"
)

// Random streams of the density work, apart from sample.go's so that adding
// -nll changes none of eval's other figures.
const (
	streamNLL     = 21
	streamEntropy = 22
	streamPoints  = 23
)

// entropyDraws is how many draws the Monte-Carlo entropy of a mixture
// takes: its standard error is then a few thousandths of a nat.
const entropyDraws = 200_000

// empiricalPoints is how many target draws stand in for a target without a
// closed-form density in the exact marginal (as in the app's exact field).
const empiricalPoints = 2000

// nllReport is the likelihood part of eval's report.
type nllReport struct {
	NLL       float64  `json:"nll"`
	SE        float64  `json:"nll_se"`
	N         int      `json:"n"`
	Solver    string   `json:"solver"`
	Steps     int      `json:"steps"`
	Entropy   *float64 `json:"entropy,omitempty"`
	EntropySE float64  `json:"entropy_se,omitempty"`
	KL        *float64 `json:"kl,omitempty"`
	KLSE      float64  `json:"kl_se,omitempty"`
	Note      string   `json:"note,omitempty"`
}

// sourceDensity returns the model's source as a log-density, or an error
// saying why the learned density does not exist.
func sourceDensity(m *train.Model) (*density.Mixture, error) {
	src, err := data.Load(m.Config.Source)
	if err != nil {
		return nil, fmt.Errorf("the model's source %q: %w", m.Config.Source, err)
	}
	p0, err := density.MixtureOf(src)
	if err != nil {
		return nil, fmt.Errorf("the learned density needs a source with a closed-form density (a Gaussian, 8gaussians or a jittered point set): %w", err)
	}
	return p0, nil
}

// evalNLL scores n fresh target draws under the model: the mean −log p_1 in
// nats and its standard error, and for a target with a density its entropy
// and the paired KL(target ‖ model).
func evalNLL(ctx context.Context, m *train.Model, target data.Dist, n, steps int, seed uint64) (*nllReport, error) {
	if n < 2 {
		return nil, usagef("-n %d: -nll needs at least 2 samples for a standard error", n)
	}
	p0, err := sourceDensity(m)
	if err != nil {
		return nil, err
	}
	net, err := m.Net()
	if err != nil {
		return nil, err
	}
	opt := density.Options{Steps: steps, Solver: flow.RK4}
	if err := opt.Validate(); err != nil {
		return nil, usagef("-nll-steps: %v", err)
	}
	x := data.Sample(target, rand.New(rand.NewPCG(seed, streamNLL)), n)
	logq := make([]float64, n)
	if err := density.LogProb(ctx, density.NewNetField(net), p0, x, 1, opt, logq); err != nil {
		return nil, err
	}
	r := &nllReport{N: n, Solver: opt.Solver.String(), Steps: steps}
	r.NLL, r.SE = density.NLL(logq)
	mix, err := density.MixtureOf(target)
	if err != nil {
		r.Note = "no closed-form entropy for this target"
		return r, nil
	}
	h, hse := mix.Entropy(rand.New(rand.NewPCG(seed, streamEntropy)), entropyDraws)
	kl, klse := density.KL(mix, x, logq)
	r.Entropy, r.EntropySE, r.KL, r.KLSE = &h, hse, &kl, klse
	return r, nil
}

// printNLL adds the likelihood lines to eval's table.
func printNLL(w io.Writer, r *nllReport) {
	fmt.Fprintf(w, "NLL\t%.4f ± %.4f nats\tmean −log p_1 of %d fresh target samples (%s, %d steps), ± one standard error\n", r.NLL, r.SE, r.N, r.Solver, r.Steps)
	if r.Entropy != nil {
		fmt.Fprintf(w, "entropy\t%.4f ± %.4f nats\tthe target's differential entropy: the NLL of a perfect model\n", *r.Entropy, r.EntropySE)
		fmt.Fprintf(w, "KL\t%.4f ± %.4f nats\tKL(target ‖ model) = mean(log p − log p_1) on the same samples, ≥ 0\n", *r.KL, r.KLSE)
	} else if r.Note != "" {
		fmt.Fprintf(w, "entropy\t–\t%s\n", r.Note)
	}
}

// densityKinds are what flowmatch density draws.
var densityKinds = []string{"learned", "exact", "difference", "divergence"}

// Limits of flowmatch density's output.
const (
	maxGridSide  = 1024
	maxImageSide = 8192
)

func setupDensity(fs *flag.FlagSet) func(context.Context, *env) error {
	var (
		model, kind, bounds, solver, target, out string
		t, minStd, span                          float64
		grid, steps, px                          int
		seed                                     uint64
	)
	fs.StringVar(&model, "model", "model.json", "model file written by flowmatch train")
	fs.Float64Var(&t, "t", 1, "time in [0, 1]: 0 is the source, 1 the learned target")
	fs.IntVar(&grid, "grid", 96, "cells along the longer side of the region (1..1024); square cells")
	fs.StringVar(&bounds, "bounds", "-5,-5,5,5", "the region drawn, minx,miny,maxx,maxy in world units")
	fs.StringVar(&kind, "kind", "learned", "what to draw: learned log p_t, exact log p_t of the path, difference learned − exact, divergence of the field")
	fs.IntVar(&steps, "steps", 50, "solver steps over [0, 1] for the learned density (from t it takes ⌈t·steps⌉)")
	fs.StringVar(&solver, "solver", "rk4", "ODE solver of the learned density: euler, midpoint, heun or rk4")
	fs.StringVar(&target, "target", "", "dataset spec of the exact density's target (default: the model's)")
	fs.Float64Var(&minStd, "min-std", 0, "exact density: raise σ_t to at least this, smoothing point masses at t = 1")
	fs.Uint64Var(&seed, "seed", 2, "random seed of the target draws standing in for a target without a density")
	fs.Float64Var(&span, "range", 12, "PNG: nats of log-density shown below the maximum; lower values are black")
	fs.IntVar(&px, "px", 0, "PNG: pixels per cell (default: about 512 pixels a side)")
	fs.StringVar(&out, "o", "", "output file: .png for an image, .csv for x,y,value rows (- for CSV on stdout)")
	return func(ctx context.Context, e *env) error {
		start := time.Now()
		if err := oneOf("kind", kind, densityKinds...); err != nil {
			return err
		}
		if !(t >= 0 && t <= 1) {
			return usagef("-t %v: must be in [0, 1]", t)
		}
		if grid < 1 || grid > maxGridSide {
			return usagef("-grid %d: must be in 1..%d", grid, maxGridSide)
		}
		view, err := parseBounds(bounds)
		if err != nil {
			return err
		}
		g := gridFor(view, grid)
		s, err := flow.ParseSolver(solver)
		if err != nil {
			return usagef("-solver: %v", err)
		}
		opt := density.Options{Steps: steps, Solver: s}
		if err := opt.Validate(); err != nil {
			return usagef("-steps: %v", err)
		}
		if !(minStd >= 0) || math.IsInf(minStd, 0) {
			return usagef("-min-std %v: must be a finite number ≥ 0", minStd)
		}
		if !(span > 0) || math.IsInf(span, 0) {
			return usagef("-range %v: must be a finite number > 0", span)
		}
		ext := strings.ToLower(filepath.Ext(out))
		switch {
		case out == "":
			return usagef("-o is required: a .png or .csv file, or - for CSV on stdout")
		case out != "-" && ext != ".png" && ext != ".csv":
			return usagef("-o %q: want a .png or .csv file, or - for CSV on stdout", out)
		}
		if px == 0 {
			px = max(1, 512/grid)
		}
		if px < 1 || grid*px > maxImageSide {
			return usagef("-px %d: the image side grid·px must be in 1..%d", px, maxImageSide)
		}
		m, err := train.LoadModel(model)
		if err != nil {
			return err
		}
		values, err := densityValues(ctx, e, m, kind, g, t, opt, target, minStd, span, seed)
		if err != nil {
			return err
		}
		lo, hi := density.FiniteRange(values)
		if out == "-" || ext == ".csv" {
			write := func(w io.Writer) error { return writeGridCSV(w, g, kind, values) }
			if out == "-" {
				return write(e.stdout)
			}
			if err := atomicfile.Write(out, write); err != nil {
				return err
			}
		} else {
			img, scale := densityImage(g, kind, values, span, px)
			if err := atomicfile.Write(out, func(w io.Writer) error { return png.Encode(w, img) }); err != nil {
				return err
			}
			fmt.Fprintf(e.stderr, "colours: %s\n", scale)
		}
		fmt.Fprintf(e.stderr, "wrote %s of %s at t = %g on a %d×%d grid over %s to %s in %s\n",
			valueName(kind), m.Config.Target, t, g.NX, g.NY, bounds, out, time.Since(start).Round(time.Millisecond))
		fmt.Fprintf(e.stderr, "values from %.4g to %.4g", lo, hi)
		if kind == "learned" || kind == "exact" {
			fmt.Fprintf(e.stderr, "; probability inside the region %.4f", g.Mass(values))
		}
		fmt.Fprintln(e.stderr)
		return nil
	}
}

// densityValues computes what -kind asks for on the grid, as the app's
// density layer does (density.Compute); a difference floors both
// log-densities at span nats below the higher peak.
func densityValues(ctx context.Context, e *env, m *train.Model, kind string, g density.Grid, t float64, opt density.Options, target string, minStd, span float64, seed uint64) ([]float64, error) {
	net, err := m.Net()
	if err != nil {
		return nil, err
	}
	r := density.Request{Key: density.Key{Grid: g, T: t, Opt: opt}, Net: net, Span: span}
	switch kind {
	case "divergence":
		r.Kind = density.KindDivergence
	case "learned":
		r.Kind = density.KindLearned
	case "exact":
		r.Kind = density.KindExact
	default:
		r.Kind = density.KindDifference
	}
	if r.Kind == density.KindLearned || r.Kind == density.KindDifference {
		if r.Source, err = sourceDensity(m); err != nil {
			return nil, err
		}
	}
	if r.Kind == density.KindExact || r.Kind == density.KindDifference {
		if r.Target, err = exactMarginal(e, m, target, t, minStd, seed); err != nil {
			return nil, err
		}
	}
	return density.Compute(ctx, density.NewNetField(net), r)
}

// exactMarginal is the path's exact p_t for the model's source, path and
// target (or -target). A target without a closed-form density is replaced
// by empiricalPoints draws, the finite set the exact marginal field uses.
func exactMarginal(e *env, m *train.Model, target string, t, minStd float64, seed uint64) (*density.Mixture, error) {
	src, err := data.Load(m.Config.Source)
	if err != nil {
		return nil, fmt.Errorf("the model's source %q: %w", m.Config.Source, err)
	}
	s0, err := density.SourceStd(src)
	if err != nil {
		return nil, err
	}
	path, err := flow.ParsePath(m.Config.Path, m.Config.Sigma)
	if err != nil {
		return nil, err
	}
	if target == "" {
		target = m.Config.Target
	}
	tgt, err := data.Load(target)
	if err != nil {
		return nil, fmt.Errorf("target %q: %w", target, err)
	}
	comps, err := density.TargetComponents(tgt)
	if err != nil {
		pts := data.Sample(tgt, rand.New(rand.NewPCG(seed, streamPoints)), empiricalPoints)
		comps, _ = density.TargetComponents(&data.PointSet{Points: pts})
		fmt.Fprintf(e.stderr, "note: %s has no closed-form density; the exact density is the path's marginal for %d of its points\n", tgt, empiricalPoints)
	}
	if m.Config.Coupling != train.CouplingIndependent {
		fmt.Fprintf(e.stderr, "note: the model was trained with the %s coupling; the exact density is the independent coupling's marginal\n", m.Config.Coupling)
	}
	alpha, sigma := path.CondMeanStd(t, s0)
	return density.PathMarginal(comps, alpha, sigma, minStd)
}

// gridFor lays square cells over view, side cells along its longer side.
func gridFor(view density.Rect, side int) density.Grid {
	w, h := view.MaxX-view.MinX, view.MaxY-view.MinY
	if w >= h {
		return density.Grid{View: view, NX: side, NY: max(1, int(math.Round(float64(side)*h/w)))}
	}
	return density.Grid{View: view, NX: max(1, int(math.Round(float64(side)*w/h))), NY: side}
}

// parseBounds reads "minx,miny,maxx,maxy".
func parseBounds(s string) (density.Rect, error) {
	parts := strings.Split(s, ",")
	if len(parts) != 4 {
		return density.Rect{}, usagef("-bounds %q: want minx,miny,maxx,maxy", s)
	}
	var v [4]float64
	for i, p := range parts {
		x, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		if err != nil || math.IsNaN(x) || math.IsInf(x, 0) || math.Abs(x) > 1e6 {
			return density.Rect{}, usagef("-bounds %q: %q is not a number within ±1e6", s, p)
		}
		v[i] = x
	}
	r := density.Rect{MinX: v[0], MinY: v[1], MaxX: v[2], MaxY: v[3]}
	if !(r.MaxX > r.MinX && r.MaxY > r.MinY) {
		return density.Rect{}, usagef("-bounds %q: want minx < maxx and miny < maxy", s)
	}
	return r, nil
}

// valueName is the CSV column and the words for a kind.
func valueName(kind string) string {
	switch kind {
	case "divergence":
		return "div"
	case "difference":
		return "logp_diff"
	}
	return "logp"
}

// writeGridCSV writes one x,y,value row per cell centre.
func writeGridCSV(w io.Writer, g density.Grid, kind string, values []float64) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "x,y,%s\n", valueName(kind))
	for i, p := range g.Points() {
		fmt.Fprintf(bw, "%.6g,%.6g,%.8g\n", p[0], p[1], values[i])
	}
	return bw.Flush()
}

// densityImage draws the values cell by cell, px pixels a cell. A
// log-density uses inferno over [max − span, max]; a divergence or a
// difference the blue–white–red map, symmetric about 0 (red > 0: the
// flow spreads mass out, or the model has too much). It also describes the
// scale in words.
func densityImage(g density.Grid, kind string, values []float64, span float64, px int) (*image.NRGBA, string) {
	_, hi := density.FiniteRange(values)
	colour := func(v float64) (u float64) { return (v - (hi - span)) / span }
	table := palette.Inferno
	scale := fmt.Sprintf("inferno from log p = %.3g (black) to %.3g (pale yellow)", hi-span, hi)
	if kind == "divergence" || kind == "difference" {
		a := max(density.AbsQuantile(values, 0.99), 1e-12)
		colour = func(v float64) float64 { return 0.5 + 0.5*v/a }
		table = palette.Diverging
		scale = fmt.Sprintf("blue ≤ −%.3g, white 0, red ≥ +%.3g (the 99th percentile of |value|)", a, a)
	}
	img := image.NewNRGBA(image.Rect(0, 0, g.NX*px, g.NY*px))
	for j := range g.NY {
		for i := range g.NX {
			c := rampAt(table, colour(values[j*g.NX+i]))
			for y := j * px; y < (j+1)*px; y++ {
				for x := i * px; x < (i+1)*px; x++ {
					img.SetNRGBA(x, y, c)
				}
			}
		}
	}
	return img, scale
}
