package main

import (
	"bufio"
	"bytes"
	"context"
	_ "embed"
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"

	"github.com/flowviz/flowviz/flow"
	"github.com/flowviz/flowviz/flow/cputime"
	"github.com/flowviz/flowviz/flow/data"
	"github.com/flowviz/flowviz/flow/train"
)

// emdTimeScript times POT's ot.emd on cost matrices from a file; it runs
// with peerPython.
//
//go:embed emd_time.py
var emdTimeScript string

// The assignment is timed on up to assignProblems minibatch-OT cost
// matrices, as many as fit in assignBytes (they are kept, and written for
// POT); below minAssignProblems it is not timed.
const (
	assignProblems    = 50
	assignBytes       = 256 << 20
	minAssignProblems = 3
)

// assignBench is the exact minibatch assignment timed on the same cost
// matrices by Assign and by POT's emd.
type assignBench struct {
	n, problems         int
	oursMs, oursCPU     float64   // per problem: wall clock and process CPU time (0 if unknown)
	ours                []float64 // optimal totals
	theirsMs, theirsCPU float64
	theirs              []float64
	potVersion          string
	mismatches          int // problems whose optima differ beyond rounding
	worstRelative       float64
}

// otCosts draws k training batches of n pairs the way the trainer does
// (source and target samples) and returns their cost matrices
// c(i, j) = ‖x0[i] − x1[j]‖².
func otCosts(cfg train.Config, n, k int) ([][]float64, error) {
	src, err := data.Load(cfg.Source)
	if err != nil {
		return nil, err
	}
	tgt, err := data.Load(cfg.Target)
	if err != nil {
		return nil, err
	}
	rng := rand.New(rand.NewPCG(cfg.Seed, 0x6f74))
	costs := make([][]float64, k)
	x0, x1 := make([]flow.Vec, n), make([]flow.Vec, n)
	for p := range costs {
		src.Sample(rng, x0)
		tgt.Sample(rng, x1)
		c := make([]float64, n*n)
		for i, a := range x0 {
			for j, b := range x1 {
				dx, dy := a[0]-b[0], a[1]-b[1]
				c[i*n+j] = dx*dx + dy*dy
			}
		}
		costs[p] = c
	}
	return costs, nil
}

// benchAssignOurs times Assign on each matrix once, after one warm-up, by
// the clock and by process CPU time (0 where unknown).
func benchAssignOurs(costs [][]float64, n int) (ms, cpuMs float64, totals []float64) {
	var a flow.Assigner
	rowToCol := make([]int, n)
	a.Assign(costs[0], n, rowToCol)
	totals = make([]float64, len(costs))
	start, cpuStart := time.Now(), cputime.Process()
	for p, c := range costs {
		totals[p] = a.Assign(c, n, rowToCol)
	}
	if cpuStart > 0 {
		cpuMs = 1e3 * (cputime.Process() - cpuStart).Seconds() / float64(len(costs))
	}
	return 1e3 * time.Since(start).Seconds() / float64(len(costs)), cpuMs, totals
}

// benchAssignPOT runs emdTimeScript on the same matrices. A non-empty note
// says why it could not run.
func benchAssignPOT(ctx context.Context, costs [][]float64, n int) (r emdReport, note string) {
	f, err := os.CreateTemp("", "flowmatch-costs-*.f64")
	if err != nil {
		return r, err.Error()
	}
	defer os.Remove(f.Name())
	w := bufio.NewWriter(f)
	for _, c := range costs {
		if err := binary.Write(w, binary.LittleEndian, c); err != nil {
			f.Close()
			return r, err.Error()
		}
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return r, err.Error()
	}
	if err := f.Close(); err != nil {
		return r, err.Error()
	}
	cmd := exec.CommandContext(ctx, peerPython, "-c", emdTimeScript, f.Name(), strconv.Itoa(n))
	cmd.Env = append(os.Environ(), "OMP_NUM_THREADS=1")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return r, fmt.Sprintf("POT's emd failed: %v: %s", err, strings.TrimSpace(stderr.String()))
	}
	if r, err = parseEMD(out, len(costs)); err != nil {
		return r, err.Error()
	}
	return r, ""
}

// emdReport is what emd_time.py prints.
type emdReport struct {
	version   string
	ms, cpuMs float64 // per problem
	totals    []float64
}

// parseEMD reads emd_time.py's report.
func parseEMD(out []byte, problems int) (r emdReport, err error) {
	err = readReport(out, "POT's", func(key string, values []string) (err error) {
		switch key {
		case "pot":
			r.version = values[0]
		case "emd_ms_per_problem":
			r.ms, err = strconv.ParseFloat(values[0], 64)
		case "emd_cpu_ms_per_problem":
			r.cpuMs, err = strconv.ParseFloat(values[0], 64)
		case "totals":
			r.totals = make([]float64, len(values))
			for i, s := range values {
				if r.totals[i], err = strconv.ParseFloat(s, 64); err != nil {
					return err
				}
			}
		}
		return err
	})
	if err != nil {
		return emdReport{}, err
	}
	if r.ms <= 0 || len(r.totals) != problems {
		return emdReport{}, fmt.Errorf("POT's report lacks its figures (want %d totals): %q", problems, out)
	}
	return r, nil
}

// benchAssign times the exact assignment at batch size n, ours and (with
// peer) POT's on the same matrices, and checks that both find the same
// optimum. A non-empty note says why POT did not run.
func benchAssign(ctx context.Context, cfg train.Config, n int, peer bool) (r assignBench, note string, err error) {
	problems := min(assignProblems, assignBytes/(8*n*n))
	if problems < minAssignProblems {
		return r, fmt.Sprintf("a batch of %d is too large to time the assignment on its own", n), nil
	}
	costs, err := otCosts(cfg, n, problems)
	if err != nil {
		return r, "", err
	}
	r.n, r.problems = n, problems
	r.oursMs, r.oursCPU, r.ours = benchAssignOurs(costs, n)
	if !peer {
		return r, "", nil
	}
	if err := exec.CommandContext(ctx, peerPython, "-c", "import ot").Run(); err != nil {
		return r, peerPython + " cannot import ot (apt-get install python3-pot)", nil
	}
	pot, note := benchAssignPOT(ctx, costs, n)
	if note != "" {
		return r, note, nil
	}
	r.theirsMs, r.theirsCPU, r.theirs, r.potVersion = pot.ms, pot.cpuMs, pot.totals, pot.version
	for p, ours := range r.ours {
		rel := math.Abs(ours-r.theirs[p]) / max(math.Abs(r.theirs[p]), 1e-300)
		r.worstRelative = max(r.worstRelative, rel)
		// emd's plan entries are 1/n rounded, so its total carries ~1e-15
		// relative error; a different optimum would differ far more.
		if rel > 1e-9 {
			r.mismatches++
		}
	}
	return r, "", nil
}
