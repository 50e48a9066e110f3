package main

import (
	"bufio"
	"bytes"
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/flowviz/flowviz/flow"
	"github.com/flowviz/flowviz/flow/data"
	"github.com/flowviz/flowviz/flow/mlp"
	"github.com/flowviz/flowviz/flow/train"
)

// peerPython is the interpreter with Debian's python3-torch; a pyenv or venv
// python on PATH usually lacks it.
const peerPython = "/usr/bin/python3"

// peerScripts are where the PyTorch peer is looked for when -peer-script is
// not given: beside the repository, as CI lays out shared/, and the
// workplace's copy.
var peerScripts = []string{"../shared/peers/torch_cfm.py", "/work/shared/peers/torch_cfm.py"}

type benchResult struct {
	trainStepsPerSec    float64
	particleStepsPerSec float64
}

func setupBench(fs *flag.FlagSet) func(context.Context, *env) error {
	var (
		nf          netFlags
		batch       int
		coupling    string
		trainSteps  int
		particles   int
		sampleSteps int
		peer        bool
		peerScript  string
		peerThreads int
		dim         int
	)
	// SELU by default: the activation of the PyTorch peer, so the two run
	// the same network.
	def := mlp.DefaultConfig()
	def.Act = mlp.SELU
	nf.register(fs, def)
	fs.IntVar(&batch, "batch", 256, "pairs per training step")
	fs.StringVar(&coupling, "coupling", train.CouplingIndependent, "coupling: independent or ot")
	fs.IntVar(&trainSteps, "train-steps", 2000, "training steps to time")
	fs.IntVar(&particles, "particles", 10000, "particles to integrate")
	fs.IntVar(&sampleSteps, "sample-steps", 100, "Euler steps to time")
	fs.BoolVar(&peer, "peer", false, "also run the PyTorch peer ("+peerPython+" torch_cfm.py) with the same sizes")
	fs.StringVar(&peerScript, "peer-script", "", "path of torch_cfm.py (default: "+strings.Join(peerScripts, " or ")+")")
	fs.IntVar(&peerThreads, "peer-threads", 1, "torch threads of the peer (1 is fastest here for small nets)")
	fs.IntVar(&dim, "dim", 2, "dimension of the points: 2, or the image sizes 256 (16×16 digits) and 64 (8×8); images default to 200 train steps, 1000 particles × 20 steps")
	return func(ctx context.Context, e *env) error {
		netCfg, err := nf.config()
		if err != nil {
			return err
		}
		if err := oneOf("coupling", coupling, train.CouplingIndependent, train.CouplingOT); err != nil {
			return err
		}
		switch {
		case batch < 1 || batch > train.MaxBatch:
			return usagef("-batch %d: must be in 1..%d", batch, train.MaxBatch)
		case trainSteps < 1:
			return usagef("-train-steps %d: must be ≥ 1", trainSteps)
		case particles < 1 || particles > maxSamples:
			return usagef("-particles %d: must be in 1..%d", particles, maxSamples)
		case sampleSteps < 1:
			return usagef("-sample-steps %d: must be ≥ 1", sampleSteps)
		case peerThreads < 1:
			return usagef("-peer-threads %d: must be ≥ 1", peerThreads)
		}
		if dim != 2 {
			return benchImagesCmd(ctx, e, netCfg, dim, batch, trainSteps, particles, sampleSteps, peer, peerScript, peerThreads)
		}
		cfg := train.DefaultConfig()
		cfg.Net, cfg.Batch, cfg.Coupling = netCfg, batch, coupling
		ours, err := benchOurs(ctx, e, cfg, trainSteps, particles, sampleSteps)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "network %d×%d %v (%d parameters), batch %d, %s coupling; Euler on %d particles × %d steps\n",
			netCfg.Depth, netCfg.Width, netCfg.Act, mlp.NumParams(netCfg), batch, coupling, particles, sampleSteps)
		w := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
		defer w.Flush()
		var theirs benchResult
		var version, note string
		if peer {
			theirs, version, note = benchPeer(ctx, e, peerScript, netCfg, batch, trainSteps, particles, sampleSteps, peerThreads)
		}
		if !peer || note != "" {
			fmt.Fprintf(w, "\tflowmatch\n")
			fmt.Fprintf(w, "train steps/s\t%.0f\n", ours.trainStepsPerSec)
			fmt.Fprintf(w, "Euler particle-steps/s\t%.3g\n", ours.particleStepsPerSec)
			if note != "" {
				fmt.Fprintf(w, "peer skipped: %s\n", note)
			}
			return nil
		}
		if netCfg.Act != mlp.SELU || netCfg.Fourier != 0 {
			fmt.Fprintf(e.stdout, "note: the peer always runs SELU without Fourier features\n")
		}
		fmt.Fprintf(w, "\tflowmatch\ttorch %s (%d thread)\tspeed-up\n", version, peerThreads)
		fmt.Fprintf(w, "train steps/s\t%.0f\t%.0f\t%.1f×\n", ours.trainStepsPerSec, theirs.trainStepsPerSec, ours.trainStepsPerSec/theirs.trainStepsPerSec)
		fmt.Fprintf(w, "Euler particle-steps/s\t%.3g\t%.3g\t%.1f×\n", ours.particleStepsPerSec, theirs.particleStepsPerSec, ours.particleStepsPerSec/theirs.particleStepsPerSec)
		return nil
	}
}

// benchOurs times trainSteps training steps (after a short warm-up) and an
// Euler integration of particles through the trained network.
func benchOurs(ctx context.Context, e *env, cfg train.Config, trainSteps, particles, sampleSteps int) (benchResult, error) {
	var r benchResult
	tr, err := train.New(cfg)
	if err != nil {
		return r, err
	}
	for range 20 { // warm caches and the branch predictor
		if _, err := tr.Step(); err != nil {
			return r, err
		}
	}
	start := time.Now()
	lastReport := start
	for i := range trainSteps {
		if _, err := tr.Step(); err != nil {
			return r, err
		}
		if now := time.Now(); now.Sub(lastReport) >= progressEvery {
			lastReport = now
			if ctx.Err() != nil {
				return r, ctx.Err()
			}
			fmt.Fprintf(e.stderr, "bench: training step %d/%d\n", i+1, trainSteps)
		}
	}
	r.trainStepsPerSec = float64(trainSteps) / time.Since(start).Seconds()

	tr.Publish()
	field := tr.Latest().Model().Field()
	src, err := data.Load(cfg.Source)
	if err != nil {
		return r, err
	}
	x := data.Sample(src, rand.New(rand.NewPCG(cfg.Seed, streamSource)), particles)
	start = time.Now()
	flow.Integrate(field, flow.Euler, x, 0, 1, sampleSteps, nil)
	r.particleStepsPerSec = float64(particles*sampleSteps) / time.Since(start).Seconds()
	return r, nil
}

// benchPeer runs the PyTorch peer with the same sizes and parses its report.
// A non-empty note says why it could not run.
func benchPeer(ctx context.Context, e *env, script string, net mlp.Config, batch, trainSteps, particles, sampleSteps, threads int) (r benchResult, version, note string) {
	dim := net.PointDim()
	if script == "" {
		for _, s := range peerScripts {
			if _, err := os.Stat(s); err == nil {
				script = s
				break
			}
		}
		if script == "" {
			return r, "", "torch_cfm.py not found in " + strings.Join(peerScripts, " or ") + " (set -peer-script)"
		}
	}
	if _, err := os.Stat(script); err != nil {
		return r, "", err.Error()
	}
	if err := exec.CommandContext(ctx, peerPython, "-c", "import torch, sklearn").Run(); err != nil {
		return r, "", peerPython + " cannot import torch and sklearn (apt-get install python3-torch python3-sklearn)"
	}
	fmt.Fprintf(e.stderr, "bench: running the PyTorch peer %s\n", script)
	cmd := exec.CommandContext(ctx, peerPython, script,
		"--width", strconv.Itoa(net.Width), "--depth", strconv.Itoa(net.Depth), "--batch", strconv.Itoa(batch),
		"--steps", strconv.Itoa(trainSteps), "--particles", strconv.Itoa(particles),
		"--sample-steps", strconv.Itoa(sampleSteps), "--threads", strconv.Itoa(threads), "--dim", strconv.Itoa(dim))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return r, "", fmt.Sprintf("the peer failed: %v: %s", err, strings.TrimSpace(stderr.String()))
	}
	r, version, err = parsePeer(out)
	if err != nil {
		return r, "", err.Error()
	}
	return r, version, ""
}

// parsePeer reads torch_cfm.py's report:
//
//	torch 1.13.0a0 threads=1 width=64 depth=3 batch=256
//	train_steps_per_s 1234.5  final_loss 1.2345
//	euler_particle_steps_per_s 1.2e+06
func parsePeer(out []byte) (r benchResult, version string, err error) {
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 2 {
			continue
		}
		switch f[0] {
		case "torch":
			version = f[1]
		case "train_steps_per_s":
			r.trainStepsPerSec, err = strconv.ParseFloat(f[1], 64)
		case "euler_particle_steps_per_s":
			r.particleStepsPerSec, err = strconv.ParseFloat(f[1], 64)
		}
		if err != nil {
			return r, "", fmt.Errorf("the peer's report: %v", err)
		}
	}
	if r.trainStepsPerSec <= 0 || r.particleStepsPerSec <= 0 {
		return r, "", fmt.Errorf("the peer's report lacks its figures: %q", out)
	}
	return r, version, nil
}
