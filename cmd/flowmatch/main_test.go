package main

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/flowviz/flowviz/flow"
	"github.com/flowviz/flowviz/flow/data"
	"github.com/flowviz/flowviz/flow/train"
)

// flowmatch runs the tool in-process and returns its exit code and output.
func flowmatch(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = run(context.Background(), args, &out, &errOut)
	return code, out.String(), errOut.String()
}

// small training flags: a few hundred fast steps.
var smallTrain = []string{"-width", "16", "-depth", "2", "-batch", "64", "-steps", "300", "-lr", "3e-3", "-q"}

func TestTrainSampleEvalRoundTrip(t *testing.T) {
	dir := t.TempDir()
	model := filepath.Join(dir, "model.json")
	samples := filepath.Join(dir, "samples.csv")

	args := append([]string{"train", "-target", "gaussian:std=0.3,x=2", "-o", model}, smallTrain...)
	if code, _, stderr := flowmatch(t, args...); code != 0 {
		t.Fatalf("train exit %d: %s", code, stderr)
	}
	m, err := train.LoadModel(model)
	if err != nil {
		t.Fatal(err)
	}
	if m.Step != 300 || m.Config.Net.Width != 16 || m.Config.Target != "gaussian:std=0.3,x=2" {
		t.Fatalf("model step %d config %+v", m.Step, m.Config)
	}

	code, _, stderr := flowmatch(t, "sample", "-model", model, "-n", "500", "-steps", "20", "-solver", "rk4", "-o", samples)
	if code != 0 {
		t.Fatalf("sample exit %d: %s", code, stderr)
	}
	raw, err := os.ReadFile(samples)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(raw), "x,y\n") {
		t.Fatalf("CSV does not start with the x,y header: %.20q", raw)
	}
	pts, err := data.ReadCSV(bytes.NewReader(raw), 0)
	if err != nil || len(pts) != 500 {
		t.Fatalf("read back %d samples: %v", len(pts), err)
	}
	// The samples sit on the target N((2, 0), 0.3²).
	var mx, my float64
	for _, p := range pts {
		mx += p[0] / 500
		my += p[1] / 500
	}
	if mx < 1.7 || mx > 2.3 || my < -0.3 || my > 0.3 {
		t.Fatalf("sample mean (%.2f, %.2f), want about (2, 0)", mx, my)
	}

	// The same to stdout, deterministic for the seed.
	_, out1, _ := flowmatch(t, "sample", "-model", model, "-n", "50", "-seed", "7")
	_, out2, _ := flowmatch(t, "sample", "-model", model, "-n", "50", "-seed", "7", "-o", "-")
	if out1 != out2 || strings.Count(out1, "\n") != 51 {
		t.Fatal("stdout samples differ between runs or have the wrong length")
	}

	code, stdout, stderr := flowmatch(t, "eval", "-model", model, "-n", "300", "-steps", "20", "-json")
	if code != 0 {
		t.Fatalf("eval exit %d: %s", code, stderr)
	}
	var r evalReport
	if err := json.Unmarshal([]byte(stdout), &r); err != nil {
		t.Fatalf("eval -json: %v in %q", err, stdout)
	}
	if r.W2Method != "exact" || r.N != 300 || r.Step != 300 {
		t.Fatalf("report %+v", r)
	}
	if !(r.W2 > 0 && r.W2 < 3*r.W2Floor+0.1) || r.W2Floor <= 0 {
		t.Fatalf("W2 %.3f against a floor of %.3f: the model did not learn the target", r.W2, r.W2Floor)
	}
	for name, v := range map[string]float64{"energy": r.Energy, "path energy": r.PathEnergy, "NPE": r.NPE, "straightness": r.Straightness} {
		if !(v >= 0) {
			t.Errorf("%s = %v", name, v)
		}
	}
	code, stdout, _ = flowmatch(t, "eval", "-model", model, "-n", "2500", "-steps", "5")
	for _, want := range []string{"W2 floor", "sliced, 256 projections", "energy distance", "NPE", "straightness"} {
		if code != 0 || !strings.Contains(stdout, want) {
			t.Fatalf("eval text report (exit %d) lacks %q:\n%s", code, want, stdout)
		}
	}
}

func TestTrainVariants(t *testing.T) {
	dir := t.TempDir()
	teacher := filepath.Join(dir, "teacher.json")
	if code, _, stderr := flowmatch(t, append([]string{"train", "-target", "8gaussians:radius=2", "-coupling", "ot", "-o", teacher}, smallTrain...)...); code != 0 {
		t.Fatalf("ot train exit %d: %s", code, stderr)
	}
	reflowed := filepath.Join(dir, "reflowed.json")
	if code, _, stderr := flowmatch(t, append([]string{"train", "-reflow-from", teacher, "-o", reflowed}, smallTrain...)...); code != 0 {
		t.Fatalf("reflow train exit %d: %s", code, stderr)
	}
	m, err := train.LoadModel(reflowed)
	if err != nil {
		t.Fatal(err)
	}
	if m.Config.Coupling != train.CouplingReflow || m.Config.Teacher != teacher || m.Config.Target != "8gaussians:radius=2" {
		t.Fatalf("reflowed config %+v", m.Config)
	}
	// -resume continues the step count.
	resumed := filepath.Join(dir, "resumed.json")
	if code, _, stderr := flowmatch(t, "train", "-resume", teacher, "-steps", "20", "-q", "-o", resumed); code != 0 {
		t.Fatalf("resume exit %d: %s", code, stderr)
	}
	if m, err := train.LoadModel(resumed); err != nil || m.Step != 320 {
		t.Fatalf("resumed model: %v, step %d", err, m.Step)
	}
	// A model written to stdout is a valid model file.
	code, stdout, _ := flowmatch(t, "train", "-width", "8", "-depth", "1", "-steps", "3", "-q", "-o", "-")
	if _, err := train.ReadModel(strings.NewReader(stdout)); code != 0 || err != nil {
		t.Fatalf("train -o -: exit %d, %v", code, err)
	}
}

func TestData(t *testing.T) {
	code, stdout, stderr := flowmatch(t, "data", "-name", "moons", "-n", "100", "-seed", "4")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	pts, err := data.ReadCSV(strings.NewReader(stdout), 0)
	if err != nil || len(pts) != 100 || !strings.HasPrefix(stdout, "x,y\n") {
		t.Fatalf("%d points, %v", len(pts), err)
	}
	out := filepath.Join(t.TempDir(), "t.csv")
	if code, _, _ := flowmatch(t, "data", "-name", "checkerboard", "-n", "10", "-o", out); code != 0 {
		t.Fatal("data -o file failed")
	}
	if pts, err := data.ReadCSV(mustOpen(t, out), 0); err != nil || len(pts) != 10 {
		t.Fatalf("file: %d points, %v", len(pts), err)
	}
	code, stdout, _ = flowmatch(t, "data", "-list")
	for _, name := range data.Names() {
		if code != 0 || !strings.Contains(stdout, name) {
			t.Fatalf("data -list lacks %s", name)
		}
	}
}

func mustOpen(t *testing.T, path string) *os.File {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

func TestUsageErrors(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name string
		args []string
		code int
		want string // in stderr
	}{
		{"no command", nil, exitUsage, "usage: flowmatch <command>"},
		{"unknown command", []string{"fly"}, exitUsage, `unknown command "fly"`},
		{"unknown flag", []string{"train", "-speed", "3"}, exitUsage, "flag provided but not defined: -speed"},
		{"bad number", []string{"train", "-lr", "fast"}, exitUsage, `invalid value "fast" for flag -lr`},
		{"stray argument", []string{"data", "moons"}, exitUsage, `unexpected argument "moons"`},
		{"bad coupling", []string{"train", "-coupling", "magic"}, exitUsage, "coupling"},
		{"bad activation", []string{"train", "-act", "sigmoid"}, exitUsage, "activation"},
		{"zero width", []string{"train", "-width", "0"}, exitUsage, "width"},
		{"negative lr", []string{"train", "-lr", "-1"}, exitUsage, "learning rate"},
		{"zero steps", []string{"train", "-steps", "0"}, exitUsage, "-steps 0"},
		{"unknown target", []string{"train", "-target", "unicorns"}, exitFailure, "unknown distribution"},
		{"reflow and teacher", []string{"train", "-reflow-from", "a.json", "-teacher", "b.json"}, exitUsage, "cannot be combined"},
		{"bad solver", []string{"sample", "-solver", "leapfrog"}, exitUsage, "solver"},
		{"zero samples", []string{"sample", "-n", "0"}, exitUsage, "-n 0"},
		{"missing model", []string{"sample", "-model", filepath.Join(dir, "none.json")}, exitFailure, "no such file"},
		{"bad dataset", []string{"data", "-name", "unicorns"}, exitUsage, "unknown distribution"},
		{"bad bench coupling", []string{"bench", "-coupling", "reflow"}, exitUsage, "coupling"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := flowmatch(t, tt.args...)
			if code != tt.code || !strings.Contains(stderr, tt.want) {
				t.Fatalf("exit %d (want %d), stderr:\n%s\nwant it to contain %q", code, tt.code, stderr, tt.want)
			}
		})
	}
}

func TestBadModelFiles(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"garbage":   "not json at all",
		"truncated": `{"format":"flowviz-model","version":1,"config":{`,
		"version":   `{"format":"flowviz-model","version":9}`,
		"shape":     `{"format":"flowviz-model","version":1,"config":{"source":"gaussian","target":"moons","path":"linear","sigma":0,"coupling":"independent","net":{"width":2,"depth":1,"activation":"silu","fourier":0},"batch":8,"lr":0.001,"weight_decay":0,"steps":0,"seed":1},"step":0,"params":[1,2,3]}`,
	}
	for name, content := range files {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(dir, name+".json")
			if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
			for _, cmd := range []string{"sample", "eval"} {
				code, stdout, stderr := flowmatch(t, cmd, "-model", path, "-n", "10")
				if code != exitFailure || stdout != "" || !strings.Contains(stderr, path) {
					t.Fatalf("%s of a bad model: exit %d, stdout %q, stderr %q", cmd, code, stdout, stderr)
				}
			}
		})
	}
}

func TestHelp(t *testing.T) {
	code, stdout, _ := flowmatch(t, "-h")
	for _, want := range []string{"train", "sample", "eval", "data", "bench", "moons", "8gaussians"} {
		if code != 0 || !strings.Contains(stdout, want) {
			t.Fatalf("flowmatch -h (exit %d) lacks %q", code, want)
		}
	}
	for _, c := range commands() {
		code, _, stderr := flowmatch(t, c.name, "-h")
		if code != 0 || !strings.Contains(stderr, "usage: flowmatch "+c.name) {
			t.Fatalf("flowmatch %s -h: exit %d\n%s", c.name, code, stderr)
		}
	}
	_, _, stderr := flowmatch(t, "train", "-h")
	for _, want := range []string{"-coupling", "-reflow-from", "datasets", "checkerboard"} {
		if !strings.Contains(stderr, want) {
			t.Fatalf("train -h lacks %q", want)
		}
	}
}

func TestBench(t *testing.T) {
	code, stdout, stderr := flowmatch(t, "bench", "-width", "8", "-depth", "1", "-batch", "16",
		"-train-steps", "20", "-particles", "100", "-sample-steps", "5")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{"train steps/s", "Euler particle-steps/s", "1×8 selu"} {
		if !strings.Contains(stdout, want) {
			t.Fatalf("bench output lacks %q:\n%s", want, stdout)
		}
	}
}

func TestBenchPeerMissing(t *testing.T) {
	code, stdout, stderr := flowmatch(t, "bench", "-width", "8", "-depth", "1", "-batch", "16",
		"-train-steps", "5", "-particles", "10", "-sample-steps", "2",
		"-peer", "-peer-script", filepath.Join(t.TempDir(), "missing.py"))
	if code != 0 || !strings.Contains(stdout, "peer skipped") || !strings.Contains(stdout, "train steps/s") {
		t.Fatalf("exit %d, stdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
}

func TestParsePeer(t *testing.T) {
	r, version, err := parsePeer([]byte("torch 1.13.0a0 threads=1 width=64 depth=3 batch=256\n" +
		"train_steps_per_s 1234.5  final_loss 1.2345\neuler_particle_steps_per_s 1.2e+06\n"))
	if err != nil || version != "1.13.0a0" || r.trainStepsPerSec != 1234.5 || r.particleStepsPerSec != 1.2e6 {
		t.Fatalf("parsePeer: %+v %q %v", r, version, err)
	}
	for _, bad := range []string{"", "train_steps_per_s x\n", "torch 1\ntrain_steps_per_s 5\n"} {
		if _, _, err := parsePeer([]byte(bad)); err == nil {
			t.Errorf("parsePeer(%q) accepted", bad)
		}
	}
}

func TestTrainInterruptSavesModel(t *testing.T) {
	model := filepath.Join(t.TempDir(), "m.json")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var out, errOut bytes.Buffer
	code := run(ctx, []string{"train", "-width", "8", "-depth", "1", "-steps", "1000000", "-o", model}, &out, &errOut)
	if code != exitFailure || !strings.Contains(errOut.String(), "interrupted") {
		t.Fatalf("exit %d, stderr %q", code, errOut.String())
	}
	if _, err := train.LoadModel(model); err != nil {
		t.Fatalf("no model saved on interrupt: %v", err)
	}
}

// tinyModel trains a width-8 network for a few steps and returns its path.
func tinyModel(t *testing.T) string {
	t.Helper()
	model := filepath.Join(t.TempDir(), "m.json")
	var out, errOut bytes.Buffer
	if code := run(context.Background(), []string{"train", "-width", "8", "-depth", "1", "-steps", "20", "-q", "-o", model}, &out, &errOut); code != exitOK {
		t.Fatalf("train: exit %d: %s", code, errOut.String())
	}
	return model
}

// Bug 2 of issue 15: eval and sample on millions of points stop soon after
// Ctrl+C with a message and write nothing. (Without the looks at the
// context they ran for minutes to hours.)
func TestEvalAndSampleStopOnInterrupt(t *testing.T) {
	model := tinyModel(t)
	out := filepath.Join(t.TempDir(), "s.csv")
	for _, args := range [][]string{
		{"eval", "-model", model, "-n", "10000000", "-steps", "4"},
		{"eval", "-model", model, "-n", "1000000", "-steps", "40", "-projections", "100000"},
		{"sample", "-model", model, "-n", "10000000", "-steps", "1000", "-o", out},
	} {
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(2*time.Second, cancel)
		var stdout, stderr bytes.Buffer
		done := make(chan int)
		go func() { done <- run(ctx, args, &stdout, &stderr) }()
		select {
		case code := <-done:
			if code != exitFailure || !strings.Contains(stderr.String(), "interrupted") {
				t.Errorf("%v: exit %d, stderr %q", args, code, stderr.String())
			}
		case <-time.After(60 * time.Second):
			t.Fatalf("%v did not stop within 60 s of Ctrl+C", args)
		}
		cancel()
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("an interrupted sample wrote %s", out)
	}
}

// The interruptible sliced W2 is flow.SlicedW2's estimator, projection by
// projection.
func TestSlicedW2MatchesFlow(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	a, b := make([]flow.Vec, 500), make([]flow.Vec, 500)
	for i := range a {
		a[i] = flow.Vec{rng.NormFloat64(), rng.NormFloat64()}
		b[i] = flow.Vec{2 + rng.NormFloat64()*0.5, rng.ExpFloat64()}
	}
	for _, p := range []int{1, 3, 64} {
		want := flow.SlicedW2(a, b, p, rand.New(rand.NewPCG(7, 7)))
		got, err := slicedW2(context.Background(), a, b, p, rand.New(rand.NewPCG(7, 7)))
		if err != nil || math.Abs(got-want) > 1e-12*want {
			t.Errorf("projections %d: %v, %v; flow.SlicedW2 %v", p, got, err, want)
		}
	}
}

func TestEvalHelpStatesCost(t *testing.T) {
	var out, errOut bytes.Buffer
	run(context.Background(), []string{"eval", "-h"}, &out, &errOut)
	if h := errOut.String() + out.String(); !strings.Contains(h, "cost:") || !strings.Contains(h, "first 8000 points") {
		t.Errorf("eval -h does not state the cost:\n%s", h)
	}
}
