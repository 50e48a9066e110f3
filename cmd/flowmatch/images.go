package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"image/png"
	"io"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/flowviz/flowviz/flow/atomicfile"
	"github.com/flowviz/flowviz/flow/digits"
	"github.com/flowviz/flowviz/flow/hd"
	"github.com/flowviz/flowviz/flow/limitfile"
	"github.com/flowviz/flowviz/flow/mlp"
	"github.com/flowviz/flowviz/flow/train"
)

// The image targets (digits, digits8) run the same loop on 256 or 64
// numbers through flow/hd; these are their halves of train, sample, eval
// and bench.

// imageTrainFlags are the train flags the image path reads.
type imageTrainFlags struct {
	target       string
	nf           *netFlags
	batch, steps int
	lr           float64
	seed         uint64
	resume, out  string
	quiet        bool
	cond         bool    // -cond: a class-conditional network on the digit
	pUncond      float64 // -p-uncond: its label dropout
}

// trainImages trains an image model. Width, depth and lr take the image
// defaults (3×512, 5e-4) unless given.
func trainImages(ctx context.Context, e *env, f imageTrainFlags) error {
	cfg := hd.DefaultConfig()
	cfg.Target = f.target
	if flagWasSet(e.fs, "width") {
		cfg.Net.Width = f.nf.width
	}
	if flagWasSet(e.fs, "depth") {
		cfg.Net.Depth = f.nf.depth
	}
	if flagWasSet(e.fs, "act") || flagWasSet(e.fs, "fourier") {
		net, err := f.nf.config()
		if err != nil {
			return err
		}
		cfg.Net.Act, cfg.Net.Fourier = net.Act, net.Fourier
	}
	if flagWasSet(e.fs, "lr") {
		cfg.LR = f.lr
	}
	cfg.Batch, cfg.Steps, cfg.Seed = f.batch, f.steps, f.seed
	if f.steps < 1 {
		return usagef("-steps %d: must be ≥ 1", f.steps)
	}
	for _, name := range []string{"schedule", "predict"} {
		if flagWasSet(e.fs, name) {
			return usagef("-%s: image models are flow matching on the linear path", name)
		}
	}
	if flagWasSet(e.fs, "p-uncond") && !f.cond {
		return usagef("-p-uncond: label dropout needs -cond")
	}
	if f.cond {
		cfg.Net.Classes, cfg.PUncond = hd.Classes, f.pUncond
	}
	var tr *hd.Trainer
	var err error
	if f.resume != "" {
		m, err := hd.LoadModel(f.resume)
		if err != nil {
			return err
		}
		if flagWasSet(e.fs, "lr") {
			m.Config.LR = f.lr
		}
		if flagWasSet(e.fs, "batch") {
			m.Config.Batch = f.batch
		}
		if f.cond && !m.Config.Conditional() {
			return usagef("-cond: %s is an unconditional model; a conditional one trains from scratch (without -resume)", f.resume)
		}
		if flagWasSet(e.fs, "p-uncond") {
			m.Config.PUncond = f.pUncond
		}
		m.Config.Steps = m.Step + f.steps
		if tr, err = hd.NewFromModel(m); err != nil {
			return err
		}
	} else {
		if err := cfg.Validate(); err != nil {
			return usageError{err}
		}
		if tr, err = hd.New(cfg); err != nil {
			return err
		}
	}
	until := tr.Latest().Step + f.steps
	first := tr.Latest().Step
	start := time.Now()
	// Run publishes every second; this goroutine reports what it published.
	done := make(chan error, 1)
	go func() { done <- tr.Run(ctx, until, progressEvery) }()
	tick := time.NewTicker(progressEvery)
	defer tick.Stop()
	for err == nil {
		select {
		case err = <-done:
			if err == nil {
				err = io.EOF // finished
			}
		case <-tick.C:
			if s := tr.Latest(); !f.quiet && s.Step > first {
				rate := float64(s.Step-first) / time.Since(start).Seconds()
				fmt.Fprintf(e.stderr, "step %d/%d  loss %.4f  %.0f steps/s  %s\n", s.Step, until, s.Loss, rate, time.Since(start).Round(time.Second))
			}
		}
	}
	interrupted := errors.Is(err, context.Canceled)
	if err != io.EOF && !interrupted {
		return err
	}
	s := tr.Latest()
	m := s.Model()
	if f.out == "-" {
		if err := hd.WriteModel(e.stdout, m); err != nil {
			return err
		}
	} else if err := hd.SaveModel(f.out, m); err != nil {
		return err
	}
	elapsed := time.Since(start)
	if !f.quiet || interrupted {
		what := "trained"
		if interrupted {
			what = "interrupted after"
		}
		kind := ""
		if m.Config.Conditional() {
			kind = fmt.Sprintf(", conditional on the digit, p_uncond %g", m.Config.PUncond)
		}
		fmt.Fprintf(e.stderr, "%s %d steps of %s (%d dimensions%s) in %s (%.1f steps/s); loss %.4f; model %s\n",
			what, s.Step-first, m.Config.Target, m.Config.Net.PointDim(), kind, elapsed.Round(time.Millisecond),
			float64(s.Step-first)/elapsed.Seconds(), s.Loss, describeOut(f.out))
	}
	if interrupted {
		return errors.New("interrupted; the model so far is saved")
	}
	return nil
}

// imageGen is what -class and -guidance ask of an image model: nil for an
// unconditional one; else a class per sample and the guidance w.
type imageGen struct {
	guide   *hd.Guide
	classes []int // the classes asked, in order; nil for -class none
}

// resolveImageGen checks -class and -guidance against m and assigns n
// samples to classes: one class, every digit in equal contiguous blocks
// (all, the default) or none.
func resolveImageGen(e *env, g generateFlags, m *hd.Model, n int) (*imageGen, error) {
	if !m.Config.Conditional() {
		for _, name := range []string{"class", "guidance"} {
			if flagWasSet(e.fs, name) {
				return nil, usagef("-%s: the image model is unconditional (train it with -cond)", name)
			}
		}
		return nil, nil
	}
	if !finite(g.guidance) || g.guidance < -100 || g.guidance > 100 {
		return nil, usagef("-guidance %v: must be in -100..100", g.guidance)
	}
	ig := &imageGen{}
	switch class := strings.ToLower(strings.TrimSpace(g.class)); class {
	case "", "all":
		for k := range hd.Classes {
			ig.classes = append(ig.classes, k)
		}
		ig.guide = &hd.Guide{Classes: hd.ClassRows(n, hd.Classes, -1), W: g.guidance}
	case "none":
		ig.guide = &hd.Guide{Classes: hd.ClassRows(n, hd.Classes, mlp.NullClass), W: g.guidance}
	default:
		k, err := strconv.Atoi(class)
		if err != nil || k < 0 || k >= hd.Classes {
			return nil, usagef("-class %q: want a digit 0..%d, all or none", g.class, hd.Classes-1)
		}
		ig.classes = []int{k}
		ig.guide = &hd.Guide{Classes: hd.ClassRows(n, hd.Classes, k), W: g.guidance}
	}
	return ig, nil
}

// describe names the classes and guidance for a report line.
func (ig *imageGen) describe() string {
	switch {
	case ig == nil:
		return ""
	case ig.classes == nil:
		return ", no class"
	case len(ig.classes) == 1:
		return fmt.Sprintf(", digit %d, guidance %g", ig.classes[0], ig.guide.W)
	}
	return fmt.Sprintf(", every digit, guidance %g", ig.guide.W)
}

// sampleImages integrates n noise images through m's network with Euler
// (the sampler the lesson teaches), guided as ig asks (nil: unconditional),
// and returns them as pixels in [0, 1].
func sampleImages(ctx context.Context, m *hd.Model, n, steps int, seed uint64, ig *imageGen) ([]float32, error) {
	net, err := m.Net()
	if err != nil {
		return nil, err
	}
	x := make([]float32, n*net.Config.PointDim())
	hd.Noise(rand.New(rand.NewPCG(seed, streamSource)), x)
	var g *hd.Guide
	if ig != nil {
		g = ig.guide
	}
	if err := hd.EulerGuided(ctx, net, x, steps, g, nil); err != nil {
		return nil, err
	}
	hd.ToPixels(x, x)
	return x, nil
}

// writeImageSamples writes the images as a PNG grid (out ends in .png) or
// as CSV of vectors with a p0,p1,… header (anything else; - for stdout).
// With every digit asked (perRow, a multiple of 10 samples) each row of the
// grid is one digit.
func writeImageSamples(e *env, out string, px []float32, side int, perRow bool) error {
	if strings.HasSuffix(strings.ToLower(out), ".png") {
		n := len(px) / (side * side)
		cols := int(math.Ceil(math.Sqrt(float64(n))))
		if perRow && n%hd.Classes == 0 {
			cols = n / hd.Classes
		}
		img, err := digits.Grid(px, side, cols, max(1, 64/side))
		if err != nil {
			return err
		}
		return atomicfile.Write(out, func(w io.Writer) error { return png.Encode(w, img) })
	}
	write := func(w io.Writer) error {
		d := side * side
		var b []byte
		for j := range d {
			if j > 0 {
				b = append(b, ',')
			}
			b = append(b, 'p')
			b = strconv.AppendInt(b, int64(j), 10)
		}
		b = append(b, '\n')
		for i := range len(px) / d {
			for j, v := range px[i*d : (i+1)*d] {
				if j > 0 {
					b = append(b, ',')
				}
				b = strconv.AppendFloat(b, float64(v), 'g', 5, 32)
			}
			b = append(b, '\n')
		}
		_, err := w.Write(b)
		return err
	}
	if out == "-" {
		return write(e.stdout)
	}
	return atomicfile.Write(out, write)
}

// imageEvalReport is eval's report for an image model.
type imageEvalReport struct {
	Model  string `json:"model"`
	Step   int    `json:"step"`
	Target string `json:"target"`
	N      int    `json:"n"`
	Steps  int    `json:"steps"`
	// Classes is the nearest-neighbour classifier's histogram of the
	// samples over the digits 0..9 (the label of the nearest fresh image).
	Classes [digits.Classes]int `json:"classes"`
	// Class is the accuracy for the asked class of a conditional model.
	Class *classReport `json:"class,omitempty"`
	// Distances in model space ([−1, 1] per pixel) to the nearest of Ref
	// fresh data images: of the samples, of other fresh data, of noise.
	Ref          int     `json:"reference_images"`
	SampleToData float64 `json:"sample_to_data"`
	DataToData   float64 `json:"data_to_data"`
	NoiseToData  float64 `json:"noise_to_data"`
	Seconds      float64 `json:"seconds"`
}

// evalImages samples n images and scores them against ref fresh images.
func evalImages(ctx context.Context, e *env, path string, m *hd.Model, n, steps, ref int, seed uint64, ig *imageGen, asJSON bool) error {
	start := time.Now()
	data, err := hd.Target(m.Config.Target)
	if err != nil {
		return err
	}
	d := data.Dim()
	px, err := sampleImages(ctx, m, n, steps, seed, ig)
	if err != nil {
		return err
	}
	x := make([]float32, len(px))
	for i, p := range px { // back to model space, where the data live
		x[i] = 2*p - 1
	}
	refX, refL := make([]float32, ref*d), make([]int, ref)
	data.Sample(rand.New(rand.NewPCG(seed, streamTarget)), refX, refL)
	fresh := make([]float32, n*d)
	data.Sample(rand.New(rand.NewPCG(seed, streamTarget2)), fresh, make([]int, n))
	noise := make([]float32, n*d)
	hd.Noise(rand.New(rand.NewPCG(seed, streamSliced)), noise)

	r := imageEvalReport{Model: path, Step: m.Step, Target: m.Config.Target, N: n, Steps: steps, Ref: ref}
	idx, dist := make([]int, n), make([]float64, n)
	mean := func(q []float32) (float64, error) {
		// In slices of 64 rows so that Ctrl+C is heard within a moment.
		for lo := 0; lo < n; lo += 64 {
			if err := ctx.Err(); err != nil {
				return 0, err
			}
			hi := min(lo+64, n)
			hd.Nearest(q[lo*d:hi*d], refX, d, idx[lo:hi], dist[lo:hi])
		}
		var s float64
		for _, v := range dist {
			s += v
		}
		return s / float64(n), nil
	}
	if r.SampleToData, err = mean(x); err != nil {
		return err
	}
	for _, j := range idx {
		r.Classes[refL[j]]++
	}
	if ig != nil && ig.classes != nil {
		r.Class = imageClassAccuracy(ig, idx, refL)
	}
	if r.DataToData, err = mean(fresh); err != nil {
		return err
	}
	if r.NoiseToData, err = mean(noise); err != nil {
		return err
	}
	r.Seconds = time.Since(start).Seconds()
	if asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(r)
	}
	fmt.Fprintf(e.stdout, "model %s: %s (%d dimensions), step %d; %d samples, Euler %d steps%s\n", path, r.Target, d, r.Step, n, steps, ig.describe())
	fmt.Fprintf(e.stdout, "nearest-neighbour class histogram (against %d fresh images):\n", ref)
	digitsRow := make([]int, digits.Classes)
	for c := range digitsRow {
		digitsRow[c] = c
	}
	writeTwoRows(e.stdout, digitsRow, func(i int) string { return strconv.Itoa(r.Classes[i]) })
	lo, hi := n, 0
	for _, c := range r.Classes {
		lo, hi = min(lo, c), max(hi, c)
	}
	fmt.Fprintf(e.stdout, "  smallest class %.1f%%, largest %.1f%% (uniform: 10%%)\n", 100*float64(lo)/float64(n), 100*float64(hi)/float64(n))
	if c := r.Class; c != nil {
		fmt.Fprintf(e.stdout, "nearest-neighbour classifier accuracy for the asked digit (guidance w = %g):\n", c.Guidance)
		writeTwoRows(e.stdout, c.Classes, func(i int) string { return strconv.FormatFloat(c.Accuracy[i], 'f', 2, 64) })
		fmt.Fprintf(e.stdout, "  mean %.1f%% against chance %.0f%% (a model ignoring the class)\n", 100*c.Mean, 100*c.Chance)
	}
	fmt.Fprintf(e.stdout, "mean distance to the nearest fresh image (model space, pixels in [-1, 1]):\n")
	fmt.Fprintf(e.stdout, "  samples %.3f   fresh data %.3f   noise %.3f\n", r.SampleToData, r.DataToData, r.NoiseToData)
	fmt.Fprintf(e.stdout, "(%.1f s)\n", r.Seconds)
	return nil
}

// writeTwoRows prints the digits head and under each its value, right
// aligned in columns.
func writeTwoRows(out io.Writer, head []int, value func(i int) string) {
	w := tabwriter.NewWriter(out, 0, 0, 1, ' ', tabwriter.AlignRight)
	for _, k := range head {
		fmt.Fprintf(w, "%d\t", k)
	}
	fmt.Fprintln(w)
	for i := range head {
		fmt.Fprintf(w, "%s\t", value(i))
	}
	fmt.Fprintln(w)
	w.Flush()
}

// imageClassAccuracy is, per asked digit, the fraction of its samples
// whose nearest fresh image (idx into refL) shows that digit.
func imageClassAccuracy(ig *imageGen, idx, refL []int) *classReport {
	r := &classReport{Guidance: ig.guide.W, Classes: ig.classes, Chance: 1 / float64(hd.Classes)}
	for _, k := range ig.classes {
		hit, all := 0, 0
		for i, y := range ig.guide.Classes {
			if y == k {
				all++
				if refL[idx[i]] == k {
					hit++
				}
			}
		}
		a := float64(hit) / float64(max(1, all))
		r.Accuracy = append(r.Accuracy, a)
		r.Mean += a / float64(len(ig.classes))
	}
	return r
}

// evalImagesCmd is eval for an image model: -n samples (default 1000)
// against 5,000 fresh images; for a conditional model, of the classes
// -class asks (every digit by default) with guidance -guidance.
func evalImagesCmd(ctx context.Context, e *env, sf *sampleFlags, asJSON bool) error {
	m, err := sf.loadImageModel(e, 1000)
	if err != nil {
		return err
	}
	ig, err := resolveImageGen(e, sf.gen, m, sf.n)
	if err != nil {
		return err
	}
	return evalImages(ctx, e, sf.model, m, sf.n, sf.steps, 5000, sf.seed, ig, asJSON)
}

// benchImagesCmd is bench -dim 256 or 64: our training step on a pool
// (as the peer) and on fresh digits, Euler particle-steps, and the peer.
func benchImagesCmd(ctx context.Context, e *env, net mlp.Config, dim, batch, trainSteps, particles, sampleSteps int, peer bool, script string, peerThreads int) error {
	if !flagWasSet(e.fs, "train-steps") {
		trainSteps = 200
	}
	if !flagWasSet(e.fs, "particles") {
		particles = 1000
	}
	if !flagWasSet(e.fs, "sample-steps") {
		sampleSteps = 20
	}
	if particles > 100_000 {
		return usagef("-particles %d: at most 100000 at dimension %d", particles, dim)
	}
	net.Dim = dim
	pool, fresh, err := benchImages(ctx, e, net, batch, trainSteps, particles, sampleSteps)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "network %d→%d×%d %v→%d (%d parameters), batch %d; Euler on %d particles × %d steps; kernels %s\n",
		dim+1, net.Depth, net.Width, net.Act, dim, mlp.NumParams(net), batch, particles, sampleSteps, mlp.Kernels())
	w := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
	defer w.Flush()
	var theirs benchResult
	var version, note string
	if peer {
		theirs, version, note = benchPeer(ctx, e, script, net, train.CouplingIndependent, batch, trainSteps, particles, sampleSteps, peerThreads)
	}
	if !peer || note != "" {
		fmt.Fprintf(w, "\tflowmatch\n")
		fmt.Fprintf(w, "train steps/s (pooled data)\t%.1f\n", pool.trainStepsPerSec)
		fmt.Fprintf(w, "train steps/s (digits as trained)\t%.1f\n", fresh.trainStepsPerSec)
		fmt.Fprintf(w, "Euler particle-steps/s\t%.3g\n", pool.particleStepsPerSec)
		if note != "" {
			fmt.Fprintf(w, "peer skipped: %s\n", note)
		}
		return nil
	}
	if net.Act != mlp.SELU || net.Fourier != 0 {
		fmt.Fprintf(e.stdout, "note: the peer always runs SELU without Fourier features\n")
	}
	fmt.Fprintf(w, "\tflowmatch\ttorch %s (%d thread)\tspeed-up\n", version, peerThreads)
	fmt.Fprintf(w, "train steps/s (pooled data)\t%.1f\t%.1f\t%.2f×\n", pool.trainStepsPerSec, theirs.trainStepsPerSec, pool.trainStepsPerSec/theirs.trainStepsPerSec)
	fmt.Fprintf(w, "train steps/s (digits as trained)\t%.1f\t\t\n", fresh.trainStepsPerSec)
	fmt.Fprintf(w, "Euler particle-steps/s\t%.3g\t%.3g\t%.2f×\n", pool.particleStepsPerSec, theirs.particleStepsPerSec, pool.particleStepsPerSec/theirs.particleStepsPerSec)
	return nil
}

// poolData is a benchmark's dataset: images drawn once and cycled, as the
// PyTorch peer pre-draws its pool, so that the timing is the network's.
type poolData struct {
	d    int
	pool []float32
	next int
}

func (p *poolData) Dim() int { return p.d }

func (p *poolData) Sample(_ *rand.Rand, dst []float32, labels []int) {
	n := len(p.pool) / p.d
	for i := range labels {
		copy(dst[i*p.d:(i+1)*p.d], p.pool[p.next*p.d:(p.next+1)*p.d])
		labels[i] = 0
		p.next = (p.next + 1) % n
	}
}

var _ hd.Dataset = (*poolData)(nil)

// benchImages times training steps on D-dimensional digits, with a pool
// (as the peer) and with fresh draws, and Euler particle-steps.
func benchImages(ctx context.Context, e *env, net mlp.Config, batch, trainSteps, particles, sampleSteps int) (pool, fresh benchResult, err error) {
	target := "digits"
	if net.Dim == 64 {
		target = "digits8"
	} else if net.Dim != 256 {
		return pool, fresh, usagef("-dim %d: the image sizes are 256 (digits) and 64 (digits8)", net.Dim)
	}
	cfg := hd.DefaultConfig()
	cfg.Target, cfg.Net, cfg.Batch = target, net, batch
	data, err := hd.Target(target)
	if err != nil {
		return pool, fresh, err
	}
	pd := &poolData{d: data.Dim(), pool: make([]float32, 4096*data.Dim())}
	data.Sample(rand.New(rand.NewPCG(1, 1)), pd.pool, make([]int, 4096))
	time1 := func(tr *hd.Trainer, what string) (float64, error) {
		for range 5 {
			if _, err := tr.Step(); err != nil {
				return 0, err
			}
		}
		start := time.Now()
		last := start
		for i := range trainSteps {
			if _, err := tr.Step(); err != nil {
				return 0, err
			}
			if now := time.Now(); now.Sub(last) >= progressEvery {
				last = now
				if err := ctx.Err(); err != nil {
					return 0, err
				}
				fmt.Fprintf(e.stderr, "bench: %s training step %d/%d\n", what, i+1, trainSteps)
			}
		}
		return float64(trainSteps) / time.Since(start).Seconds(), nil
	}
	trPool, err := hd.NewWithData(cfg, pd)
	if err != nil {
		return pool, fresh, err
	}
	if pool.trainStepsPerSec, err = time1(trPool, "pooled"); err != nil {
		return pool, fresh, err
	}
	trFresh, err := hd.New(cfg)
	if err != nil {
		return pool, fresh, err
	}
	if fresh.trainStepsPerSec, err = time1(trFresh, "digits"); err != nil {
		return pool, fresh, err
	}
	trPool.Publish()
	x := make([]float32, particles*data.Dim())
	hd.Noise(rand.New(rand.NewPCG(2, 2)), x)
	start := time.Now()
	if err := hd.Euler(ctx, trPool.Latest().Net, x, sampleSteps, nil); err != nil {
		return pool, fresh, err
	}
	pool.particleStepsPerSec = float64(particles*sampleSteps) / time.Since(start).Seconds()
	fresh.particleStepsPerSec = pool.particleStepsPerSec
	return pool, fresh, nil
}

// isImageModel tells whether the model file at path is an image model,
// reading only its head (WriteModel puts the format first). Any other file,
// or one that cannot be opened (a FIFO or a folder is refused unopened, as
// every model reader does), goes to the 2D reader, which reports it.
func isImageModel(path string) bool {
	f, err := limitfile.Open(path, hd.MaxModelBytes)
	if err != nil {
		return false
	}
	defer f.Close()
	head := make([]byte, 64)
	k, _ := io.ReadFull(f, head)
	return strings.HasPrefix(string(head[:k]), `{"format":"`+hd.ModelFormat+`"`)
}

// loadImageModel checks the sample flags for an image model (-n defaults
// to defaultN) and loads it.
func (sf *sampleFlags) loadImageModel(e *env, defaultN int) (*hd.Model, error) {
	if !flagWasSet(e.fs, "n") {
		sf.n = defaultN
	}
	if sf.n < 1 || sf.n > 100_000 {
		return nil, usagef("-n %d: must be in 1..100000 for an image model", sf.n)
	}
	if sf.steps < 1 || sf.steps > 10_000 {
		return nil, usagef("-steps %d: must be in 1..10000", sf.steps)
	}
	if sf.solver != "euler" {
		return nil, usagef("-solver %s: image models sample with euler", sf.solver)
	}
	for _, name := range []string{"sde", "noise"} {
		if flagWasSet(e.fs, name) {
			return nil, usagef("-%s: image models sample the ODE", name)
		}
	}
	m, err := hd.LoadModel(sf.model)
	if err == nil && m.Config.Conditional() && !flagWasSet(e.fs, "n") && !strings.EqualFold(strings.TrimSpace(sf.gen.class), "none") {
		// Every digit, or one: a multiple of 10, so a grid shows a digit a row.
		sf.n = 10 * (defaultN / 8)
	}
	return m, err
}

// sampleImagesCmd is sample for an image model.
func sampleImagesCmd(ctx context.Context, e *env, sf *sampleFlags, out string) error {
	start := time.Now()
	m, err := sf.loadImageModel(e, 64) // an 8 × 8 grid
	if err != nil {
		return err
	}
	ig, err := resolveImageGen(e, sf.gen, m, sf.n)
	if err != nil {
		return err
	}
	px, err := sampleImages(ctx, m, sf.n, sf.steps, sf.seed, ig)
	if err != nil {
		return err
	}
	side := hd.Targets[m.Config.Target]
	if err := writeImageSamples(e, out, px, side, ig != nil && len(ig.classes) > 1); err != nil {
		return err
	}
	if out != "-" {
		fmt.Fprintf(e.stderr, "wrote %d %d×%d samples (euler, %d steps%s) to %s in %s\n",
			sf.n, side, side, sf.steps, ig.describe(), out, time.Since(start).Round(time.Millisecond))
	}
	return nil
}
