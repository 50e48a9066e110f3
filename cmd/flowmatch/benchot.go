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
	"github.com/flowviz/flowviz/flow/data"
	"github.com/flowviz/flowviz/flow/train"
)

// emdTimeScript times POT's ot.emd on cost matrices from a file; it runs
// with peerPython.
//
//go:embed emd_time.py
var emdTimeScript string

// assignProblems is how many minibatch-OT cost matrices the assignment is
// timed on.
const assignProblems = 50

// assignBench is the exact minibatch assignment timed on the same cost
// matrices by Assign and by POT's emd.
type assignBench struct {
	n             int
	oursMs        float64   // per problem
	ours          []float64 // optimal totals
	theirsMs      float64
	theirs        []float64
	potVersion    string
	mismatches    int // problems whose optima differ beyond rounding
	worstRelative float64
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

// benchAssignOurs times Assign on each matrix once, after one warm-up.
func benchAssignOurs(costs [][]float64, n int) (msPerProblem float64, totals []float64) {
	var a flow.Assigner
	rowToCol := make([]int, n)
	a.Assign(costs[0], n, rowToCol)
	totals = make([]float64, len(costs))
	start := time.Now()
	for p, c := range costs {
		totals[p] = a.Assign(c, n, rowToCol)
	}
	return 1e3 * time.Since(start).Seconds() / float64(len(costs)), totals
}

// benchAssignPOT runs emdTimeScript on the same matrices. A non-empty note
// says why it could not run.
func benchAssignPOT(ctx context.Context, costs [][]float64, n int) (msPerProblem float64, totals []float64, version, note string) {
	f, err := os.CreateTemp("", "flowmatch-costs-*.f64")
	if err != nil {
		return 0, nil, "", err.Error()
	}
	defer os.Remove(f.Name())
	w := bufio.NewWriter(f)
	for _, c := range costs {
		if err := binary.Write(w, binary.LittleEndian, c); err != nil {
			f.Close()
			return 0, nil, "", err.Error()
		}
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return 0, nil, "", err.Error()
	}
	if err := f.Close(); err != nil {
		return 0, nil, "", err.Error()
	}
	cmd := exec.CommandContext(ctx, peerPython, "-c", emdTimeScript, f.Name(), strconv.Itoa(n))
	cmd.Env = append(os.Environ(), "OMP_NUM_THREADS=1")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return 0, nil, "", fmt.Sprintf("POT's emd failed: %v: %s", err, strings.TrimSpace(stderr.String()))
	}
	msPerProblem, totals, version, err = parseEMD(out, len(costs))
	if err != nil {
		return 0, nil, "", err.Error()
	}
	return msPerProblem, totals, version, ""
}

// parseEMD reads emd_time.py's report.
func parseEMD(out []byte, problems int) (msPerProblem float64, totals []float64, version string, err error) {
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 2 {
			continue
		}
		switch f[0] {
		case "pot":
			version = f[1]
		case "emd_ms_per_problem":
			if msPerProblem, err = strconv.ParseFloat(f[1], 64); err != nil {
				return 0, nil, "", fmt.Errorf("POT's report: %v", err)
			}
		case "totals":
			totals = make([]float64, 0, len(f)-1)
			for _, s := range f[1:] {
				v, err := strconv.ParseFloat(s, 64)
				if err != nil {
					return 0, nil, "", fmt.Errorf("POT's report: %v", err)
				}
				totals = append(totals, v)
			}
		}
	}
	if msPerProblem <= 0 || len(totals) != problems {
		return 0, nil, "", fmt.Errorf("POT's report lacks its figures (want %d totals): %q", problems, out)
	}
	return msPerProblem, totals, version, nil
}

// benchAssign times the exact assignment at batch size n, ours and (with
// peer) POT's on the same matrices, and checks that both find the same
// optimum. A non-empty note says why POT did not run.
func benchAssign(ctx context.Context, cfg train.Config, n int, peer bool) (r assignBench, note string, err error) {
	costs, err := otCosts(cfg, n, assignProblems)
	if err != nil {
		return r, "", err
	}
	r.n = n
	r.oursMs, r.ours = benchAssignOurs(costs, n)
	if !peer {
		return r, "", nil
	}
	if err := exec.CommandContext(ctx, peerPython, "-c", "import ot").Run(); err != nil {
		return r, peerPython + " cannot import ot (apt-get install python3-pot)", nil
	}
	r.theirsMs, r.theirs, r.potVersion, note = benchAssignPOT(ctx, costs, n)
	if note != "" {
		return r, note, nil
	}
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
