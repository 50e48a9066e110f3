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
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/flowviz/flowviz/flow"
	"github.com/flowviz/flowviz/flow/cputime"
	"github.com/flowviz/flowviz/flow/data"
	"github.com/flowviz/flowviz/flow/mlp"
	"github.com/flowviz/flowviz/flow/train"
)

// peerPython is the interpreter with Debian's python3-torch; a pyenv or venv
// python on PATH usually lacks it.
const peerPython = "/usr/bin/python3"

// peerScript is where the PyTorch peer is looked for when -peer-script is
// not given, relative to the repository's root (the directory of flowviz's
// go.mod at or above the working directory; the working directory itself
// outside the repository): shared/ lies beside the repository, as CI lays
// it out.
const peerScript = "../shared/peers/torch_cfm.py"

// peerTarget is the peer's moons (torchcfm's: noise 0.2, ×3, −1), so that
// both train on the same data and OT couplings see the same geometry.
const peerTarget = "moons:noise=0.2,scale=3,shift=1,shift_y=1"

type benchResult struct {
	trainStepsPerSec float64
	// trainStepsPerCPUSec is training steps per second of process CPU
	// time (0 when unknown): steadier than trainStepsPerSec while other
	// processes compete for the cores.
	trainStepsPerCPUSec float64
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
		script      string
		peerThreads int
		dim         int
		overlap     bool
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
	fs.BoolVar(&peer, "peer", false, "also run the PyTorch peer ("+peerPython+" torch_cfm.py) with the same sizes and coupling")
	fs.StringVar(&script, "peer-script", "", "path of torch_cfm.py (default: "+peerScript+" from the repository's root)")
	fs.IntVar(&peerThreads, "peer-threads", 1, "torch threads of the peer (1 is fastest here for small nets)")
	fs.IntVar(&dim, "dim", 2, "dimension of the points: 2, or the image sizes 256 (16×16 digits) and 64 (8×8); images default to 200 train steps, 1000 particles × 20 steps")
	fs.BoolVar(&overlap, "overlap", runtime.GOMAXPROCS(0) > 1, "with -coupling ot, couple the next batch on another core while the current step trains")
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
			if coupling != train.CouplingIndependent {
				return usagef("-coupling %s: images are benchmarked with the independent coupling", coupling)
			}
			return benchImagesCmd(ctx, e, netCfg, dim, batch, trainSteps, particles, sampleSteps, peer, script, peerThreads)
		}
		cfg := train.DefaultConfig()
		cfg.Net, cfg.Batch, cfg.Coupling = netCfg, batch, coupling
		cfg.Target = peerTarget
		ours, err := benchOurs(ctx, e, cfg, overlap, trainSteps, particles, sampleSteps)
		if err != nil {
			return err
		}
		var assign assignBench
		var assignNote string
		if coupling == train.CouplingOT {
			if assign, assignNote, err = benchAssign(ctx, cfg, batch, peer); err != nil {
				return err
			}
		}
		otNote := ""
		if coupling == train.CouplingOT && overlap {
			otNote = " (overlapped with training)"
		}
		fmt.Fprintf(e.stdout, "network %d×%d %v (%d parameters), batch %d, %s coupling%s; Euler on %d particles × %d steps\n",
			netCfg.Depth, netCfg.Width, netCfg.Act, mlp.NumParams(netCfg), batch, coupling, otNote, particles, sampleSteps)
		w := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
		defer w.Flush()
		var theirs benchResult
		var version, note string
		if peer {
			theirs, version, note = benchPeer(ctx, e, script, netCfg, coupling, batch, trainSteps, particles, sampleSteps, peerThreads)
		}
		if !peer || note != "" {
			fmt.Fprintf(w, "\tflowmatch\n")
			fmt.Fprintf(w, "train steps/s\t%.0f\n", ours.trainStepsPerSec)
			if ours.trainStepsPerCPUSec > 0 {
				fmt.Fprintf(w, "  per CPU-second\t%.0f\n", ours.trainStepsPerCPUSec)
			}
			fmt.Fprintf(w, "Euler particle-steps/s\t%.3g\n", ours.particleStepsPerSec)
			switch {
			case assign.n > 0:
				fmt.Fprintf(w, "OT assignment ms (n = %d)\t%.3g\n", assign.n, assign.oursMs)
			case assignNote != "":
				fmt.Fprintf(w, "OT assignment not timed: %s\n", assignNote)
			}
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
		if ours.trainStepsPerCPUSec > 0 && theirs.trainStepsPerCPUSec > 0 {
			fmt.Fprintf(w, "  per CPU-second (steadier when busy)\t%.0f\t%.0f\t%.1f×\n",
				ours.trainStepsPerCPUSec, theirs.trainStepsPerCPUSec, ours.trainStepsPerCPUSec/theirs.trainStepsPerCPUSec)
		}
		fmt.Fprintf(w, "Euler particle-steps/s\t%.3g\t%.3g\t%.1f×\n", ours.particleStepsPerSec, theirs.particleStepsPerSec, ours.particleStepsPerSec/theirs.particleStepsPerSec)
		switch {
		case assign.n == 0 && assignNote != "":
			fmt.Fprintf(w, "OT assignment not timed: %s\n", assignNote)
		case assign.n == 0:
		case assignNote != "":
			fmt.Fprintf(w, "OT assignment ms (n = %d)\t%.3g\t(POT skipped: %s)\n", assign.n, assign.oursMs, assignNote)
		default:
			fmt.Fprintf(w, "OT assignment ms (n = %d)\t%.3g\t%.3g (POT %s emd)\t%.1f×\n",
				assign.n, assign.oursMs, assign.theirsMs, assign.potVersion, assign.theirsMs/assign.oursMs)
			if assign.oursCPU > 0 && assign.theirsCPU > 0 {
				fmt.Fprintf(w, "  in CPU ms (steadier when busy)\t%.3g\t%.3g\t%.1f×\n",
					assign.oursCPU, assign.theirsCPU, assign.theirsCPU/assign.oursCPU)
			}
			if assign.mismatches > 0 {
				fmt.Fprintf(w, "warning: %d of %d optima differ from POT's (worst relative %.2g)\n", assign.mismatches, assign.problems, assign.worstRelative)
			} else {
				fmt.Fprintf(w, "same optimum as POT on all %d problems (relative difference ≤ %.1g)\n", assign.problems, assign.worstRelative)
			}
		}
		return nil
	}
}

// defaultPeerScript is peerScript resolved against the repository's root.
func defaultPeerScript() string {
	dir, err := os.Getwd()
	if err != nil {
		return peerScript
	}
	for d := dir; ; {
		if mod, err := os.ReadFile(filepath.Join(d, "go.mod")); err == nil && bytes.HasPrefix(mod, []byte("module github.com/flowviz/flowviz\n")) {
			return filepath.Join(d, peerScript)
		}
		parent := filepath.Dir(d)
		if parent == d {
			return filepath.Join(dir, peerScript)
		}
		d = parent
	}
}

// benchOurs times trainSteps training steps (after a short warm-up) and an
// Euler integration of particles through the trained network.
func benchOurs(ctx context.Context, e *env, cfg train.Config, overlap bool, trainSteps, particles, sampleSteps int) (benchResult, error) {
	var r benchResult
	tr, err := train.New(cfg)
	if err != nil {
		return r, err
	}
	tr.SetOverlap(overlap)
	defer tr.Close()
	for range 20 { // warm caches and the branch predictor
		if _, err := tr.Step(); err != nil {
			return r, err
		}
	}
	start, cpuStart := time.Now(), cputime.Process()
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
	if cpu := cputime.Process() - cpuStart; cpuStart > 0 && cpu > 0 {
		r.trainStepsPerCPUSec = float64(trainSteps) / cpu.Seconds()
	}

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

// benchPeer runs the PyTorch peer with the same sizes, dimension and
// coupling and parses its report. A non-empty note says why it could not run.
func benchPeer(ctx context.Context, e *env, script string, net mlp.Config, coupling string, batch, trainSteps, particles, sampleSteps, threads int) (r benchResult, version, note string) {
	if script == "" {
		script = defaultPeerScript()
	}
	if _, err := os.Stat(script); err != nil {
		return r, "", fmt.Sprintf("torch_cfm.py not found: %v (set -peer-script)", err)
	}
	modules, pkgs := "torch, sklearn", "python3-torch python3-sklearn"
	if coupling == train.CouplingOT {
		modules, pkgs = modules+", ot", pkgs+" python3-pot"
	}
	if err := exec.CommandContext(ctx, peerPython, "-c", "import "+modules).Run(); err != nil {
		return r, "", peerPython + " cannot import " + modules + " (apt-get install " + pkgs + ")"
	}
	fmt.Fprintf(e.stderr, "bench: running the PyTorch peer %s\n", script)
	out, cpu, err := runPeer(ctx, peerArgs(script, net, coupling, batch, trainSteps, particles, sampleSteps, threads))
	if err != nil {
		return r, "", err.Error()
	}
	r, version, err = parsePeer(out)
	if err != nil {
		return r, "", err.Error()
	}
	// The peer's training loop in CPU time: the same run with one step
	// costs the same start-up, data and sampling, so the difference is
	// trainSteps − 1 steps.
	if trainSteps > 1 {
		fmt.Fprintf(e.stderr, "bench: running the peer again with 1 step, to isolate its steps' CPU time\n")
		_, cpu1, err := runPeer(ctx, peerArgs(script, net, coupling, batch, 1, particles, sampleSteps, threads))
		if err == nil && cpu > cpu1 {
			r.trainStepsPerCPUSec = float64(trainSteps-1) / (cpu - cpu1).Seconds()
		}
	}
	return r, version, ""
}

// runPeer runs peerPython with args and returns its output and the CPU time
// (user + system) it used.
func runPeer(ctx context.Context, args []string) (out []byte, cpu time.Duration, err error) {
	cmd := exec.CommandContext(ctx, peerPython, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err = cmd.Output()
	if err != nil {
		return nil, 0, fmt.Errorf("the peer failed: %v: %s", err, strings.TrimSpace(stderr.String()))
	}
	return out, cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime(), nil
}

// peerArgs are the arguments of torch_cfm.py for the run we timed: the same
// network sizes, batch, coupling and dimension (the 2D data is moons; above
// 2 dimensions the peer times a pre-drawn random pool).
func peerArgs(script string, net mlp.Config, coupling string, batch, trainSteps, particles, sampleSteps, threads int) []string {
	return []string{script,
		"--width", strconv.Itoa(net.Width), "--depth", strconv.Itoa(net.Depth), "--batch", strconv.Itoa(batch),
		"--coupling", coupling, "--dim", strconv.Itoa(net.PointDim()), "--data", "moons",
		"--steps", strconv.Itoa(trainSteps), "--particles", strconv.Itoa(particles),
		"--sample-steps", strconv.Itoa(sampleSteps), "--threads", strconv.Itoa(threads)}
}

// parsePeer reads torch_cfm.py's report:
//
//	torch 1.13.0a0 threads=1 width=64 depth=3 batch=256
//	train_steps_per_s 1234.5  final_loss 1.2345
//	euler_particle_steps_per_s 1.2e+06
func parsePeer(out []byte) (r benchResult, version string, err error) {
	err = readReport(out, "the peer's", func(key string, values []string) (err error) {
		switch key {
		case "torch":
			version = values[0]
		case "train_steps_per_s":
			r.trainStepsPerSec, err = strconv.ParseFloat(values[0], 64)
		case "euler_particle_steps_per_s":
			r.particleStepsPerSec, err = strconv.ParseFloat(values[0], 64)
		}
		return err
	})
	if err != nil {
		return r, "", err
	}
	if r.trainStepsPerSec <= 0 || r.particleStepsPerSec <= 0 {
		return r, "", fmt.Errorf("the peer's report lacks its figures: %q", out)
	}
	return r, version, nil
}

// readReport calls field with the key and values of each line "key value…"
// of a Python helper's report; whose names it in errors.
func readReport(out []byte, whose string, field func(key string, values []string) error) error {
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 2 {
			continue
		}
		if err := field(f[0], f[1:]); err != nil {
			return fmt.Errorf("%s report: %v", whose, err)
		}
	}
	return sc.Err()
}
