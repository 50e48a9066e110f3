package main

import (
	"bytes"
	"context"
	"encoding/json"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/flowviz/flowviz/flow/hd"
	"github.com/flowviz/flowviz/flow/train"
)

// TestImageTrainSampleEval runs the image path end to end on digits8 with
// a small network: the model file records its dimension, sample writes a
// PNG grid and CSV vectors, eval reports the histogram and the distances,
// and old 2D model files still load beside it.
func TestImageTrainSampleEval(t *testing.T) {
	dir := t.TempDir()
	model := filepath.Join(dir, "m8.json")
	code, _, stderr := flowmatch(t, "train", "-target", "digits8", "-width", "64", "-depth", "2", "-batch", "64",
		"-steps", "150", "-lr", "2e-3", "-q", "-o", model)
	if code != 0 {
		t.Fatalf("train exit %d: %s", code, stderr)
	}
	m, err := hd.LoadModel(model)
	if err != nil {
		t.Fatal(err)
	}
	if m.Config.Net.Dim != 64 || m.Step != 150 || m.Config.Net.Width != 64 {
		t.Fatalf("model dim %d step %d config %+v", m.Config.Net.Dim, m.Step, m.Config)
	}
	if _, err := train.LoadModel(model); err == nil {
		t.Error("the 2D reader accepted an image model")
	}

	grid := filepath.Join(dir, "grid.png")
	if code, _, stderr := flowmatch(t, "sample", "-model", model, "-steps", "10", "-o", grid); code != 0 {
		t.Fatalf("sample exit %d: %s", code, stderr)
	}
	img, err := png.Decode(mustOpen(t, grid))
	if err != nil {
		t.Fatal(err)
	}
	// 64 samples: 8 × 8 cells of (8+1)·8 pixels plus the outer gap.
	if b := img.Bounds(); b.Dx() != 8*9*8+8 || b.Dy() != b.Dx() {
		t.Errorf("grid is %v", b)
	}
	code, stdout, stderr := flowmatch(t, "sample", "-model", model, "-steps", "10", "-n", "3", "-o", "-")
	if code != 0 {
		t.Fatalf("sample CSV exit %d: %s", code, stderr)
	}
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	if len(lines) != 4 || !strings.HasPrefix(lines[0], "p0,p1,") || strings.Count(lines[1], ",") != 63 {
		t.Errorf("CSV of vectors: %d lines, header %.20q", len(lines), lines[0])
	}

	code, stdout, stderr = flowmatch(t, "eval", "-model", model, "-n", "100", "-steps", "10")
	if code != 0 {
		t.Fatalf("eval exit %d: %s", code, stderr)
	}
	for _, want := range []string{"class histogram", "samples", "fresh data", "noise"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("eval output lacks %q:\n%s", want, stdout)
		}
	}
	code, stdout, _ = flowmatch(t, "eval", "-model", model, "-n", "100", "-steps", "10", "-json")
	if code != 0 || !strings.Contains(stdout, `"classes"`) {
		t.Errorf("eval -json exit %d: %s", code, stdout)
	}

	// The flags of conditional and diffusion models are refused for an
	// unconditional image model rather than ignored.
	for _, args := range [][]string{
		{"sample", "-model", model, "-class", "3", "-o", filepath.Join(dir, "c.png")},
		{"sample", "-model", model, "-labels", "-o", filepath.Join(dir, "c.png")},
		{"eval", "-model", model, "-sde"},
		{"eval", "-model", model, "-guidance", "2"},
		{"train", "-target", "digits8", "-p-uncond", "0.2", "-o", filepath.Join(dir, "c.json")},
		{"train", "-resume", model, "-cond", "-steps", "1", "-o", filepath.Join(dir, "c.json")},
		{"train", "-target", "digits8", "-schedule", "vp", "-o", filepath.Join(dir, "c.json")},
	} {
		if code, _, stderr := flowmatch(t, args...); code != exitUsage {
			t.Errorf("%v: exit %d, want a usage error: %s", args, code, stderr)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "c.png")); err == nil {
		t.Error("a refused sample wrote its output")
	}

	// A 2D model beside it still trains, samples and loads.
	model2 := filepath.Join(dir, "m2.json")
	args := append([]string{"train", "-target", "moons", "-o", model2}, smallTrain...)
	if code, _, stderr := flowmatch(t, args...); code != 0 {
		t.Fatalf("2D train exit %d: %s", code, stderr)
	}
	if code, _, stderr := flowmatch(t, "sample", "-model", model2, "-n", "10", "-o", filepath.Join(dir, "s.csv")); code != 0 {
		t.Fatalf("2D sample exit %d: %s", code, stderr)
	}
}

// TestImageModelRefusals: a corrupt or newer image model is refused with a
// clear error, and -resume does not overwrite it.
func TestImageModelRefusals(t *testing.T) {
	dir := t.TempDir()
	cases := map[string]string{
		"newer":     `{"format":"flowviz-hd-model","version":99}`,
		"truncated": `{"format":"flowviz-hd-model","version":1,"target":"digits8","dim":64,"net":{"wid`,
		"wrong dim": `{"format":"flowviz-hd-model","version":1,"target":"digits8","dim":256,"net":{"width":8,"depth":1,"activation":"silu","fourier":0},"batch":8,"lr":0.001,"steps":1,"seed":1,"step":1,"params":[]}`,
	}
	for name, body := range cases {
		path := filepath.Join(dir, strings.ReplaceAll(name, " ", "_")+".json")
		if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		code, _, stderr := flowmatch(t, "sample", "-model", path, "-o", filepath.Join(dir, "g.png"))
		if code == 0 || !strings.Contains(stderr, "hd:") {
			t.Errorf("%s: sample exit %d, stderr %q", name, code, stderr)
		}
		code, _, _ = flowmatch(t, "train", "-resume", path, "-steps", "1", "-o", path)
		if code == 0 {
			t.Errorf("%s: train -resume accepted it", name)
		}
		if got, _ := os.ReadFile(path); !bytes.Equal(got, []byte(body)) {
			t.Errorf("%s: the file was changed", name)
		}
	}
}

// TestImageTrainInterrupt: a cancelled image run saves the model so far.
func TestImageTrainInterrupt(t *testing.T) {
	model := filepath.Join(t.TempDir(), "m.json")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var out, errOut bytes.Buffer
	code := run(ctx, []string{"train", "-target", "digits8", "-width", "32", "-depth", "1", "-steps", "100000", "-o", model}, &out, &errOut)
	if code != exitFailure || !strings.Contains(errOut.String(), "interrupted") {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	if _, err := hd.LoadModel(model); err != nil {
		t.Fatalf("the interrupted model: %v", err)
	}
}

func TestBenchImages(t *testing.T) {
	code, stdout, stderr := flowmatch(t, "bench", "-dim", "64", "-width", "32", "-depth", "1", "-batch", "16",
		"-train-steps", "5", "-particles", "10", "-sample-steps", "2")
	if code != 0 || !strings.Contains(stdout, "digits as trained") {
		t.Fatalf("bench -dim 64 exit %d: %s %s", code, stdout, stderr)
	}
	if code, _, _ := flowmatch(t, "bench", "-dim", "100"); code != exitUsage {
		t.Errorf("bench -dim 100 exit %d, want usage error", code)
	}
	if code, _, _ := flowmatch(t, "bench", "-dim", "64", "-coupling", "ot"); code != exitUsage {
		t.Errorf("bench -dim 64 -coupling ot exit %d, want usage error", code)
	}
}

// A model path that is a FIFO is refused at once by sample and eval, not
// opened: looking for an image model's header must not block either.
func TestModelFIFORefused(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "model.json")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, cmd := range []string{"sample", "eval"} {
		done := make(chan string, 1)
		go func() {
			code, _, stderr := flowmatch(t, cmd, "-model", fifo, "-n", "10")
			if code == 0 {
				stderr = "exit 0"
			}
			done <- stderr
		}()
		select {
		case stderr := <-done:
			if !strings.Contains(stderr, "named pipe") {
				t.Errorf("%s -model FIFO: %q, want a refusal naming the named pipe", cmd, stderr)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("%s -model FIFO blocked", cmd)
		}
	}
}

// TestImageConditional trains a small class-conditional digits8 model and
// samples it: one digit fills the grid, -class all gives one digit a row,
// and eval reports the nearest-neighbour classifier's accuracy for the
// asked digit against chance, higher with guidance than without.
func TestImageConditional(t *testing.T) {
	dir := t.TempDir()
	model := filepath.Join(dir, "c8.json")
	code, _, stderr := flowmatch(t, "train", "-target", "digits8", "-cond", "-p-uncond", "0.2", "-width", "128", "-depth", "2",
		"-batch", "128", "-steps", "400", "-lr", "2e-3", "-seed", "3", "-o", model)
	if code != 0 {
		t.Fatalf("train exit %d: %s", code, stderr)
	}
	if !strings.Contains(stderr, "conditional on the digit, p_uncond 0.2") {
		t.Errorf("train does not say the model is conditional: %s", stderr)
	}
	m, err := hd.LoadModel(model)
	if err != nil {
		t.Fatal(err)
	}
	if m.Config.Net.Classes != hd.Classes || m.Config.PUncond != 0.2 {
		t.Fatalf("model classes %d p_uncond %v", m.Config.Net.Classes, m.Config.PUncond)
	}
	grid := filepath.Join(dir, "three.png")
	if code, _, stderr := flowmatch(t, "sample", "-model", model, "-class", "3", "-guidance", "2", "-steps", "10", "-o", grid); code != 0 {
		t.Fatalf("sample exit %d: %s", code, stderr)
	}
	if _, err := png.Decode(mustOpen(t, grid)); err != nil {
		t.Fatal(err)
	}
	all := filepath.Join(dir, "all.png")
	if code, _, stderr := flowmatch(t, "sample", "-model", model, "-class", "all", "-steps", "10", "-o", all); code != 0 {
		t.Fatalf("sample all exit %d: %s", code, stderr)
	}
	img, err := png.Decode(mustOpen(t, all))
	if err != nil {
		t.Fatal(err)
	}
	// 80 samples, a digit a row: 8 columns and 10 rows of (8+1)·8 pixels.
	if b := img.Bounds(); b.Dx() != 8*9*8+8 || b.Dy() != 10*9*8+8 {
		t.Errorf("the grid of every digit is %v, want 8 columns and 10 rows", b)
	}
	accuracy := func(w string) imageEvalReport {
		t.Helper()
		code, stdout, stderr := flowmatch(t, "eval", "-model", model, "-class", "3", "-guidance", w, "-n", "200", "-steps", "20", "-json")
		if code != 0 {
			t.Fatalf("eval exit %d: %s", code, stderr)
		}
		var r imageEvalReport
		if err := json.Unmarshal([]byte(stdout), &r); err != nil || r.Class == nil || len(r.Class.Accuracy) != 1 {
			t.Fatalf("eval -json: %v: %s", err, stdout)
		}
		return r
	}
	w0, w3 := accuracy("0"), accuracy("3")
	t.Logf("digit 3: accuracy %.2f at w = 0, %.2f at w = 3 (chance %.2f)", w0.Class.Mean, w3.Class.Mean, w0.Class.Chance)
	if w0.Class.Chance != 0.1 || !(w3.Class.Mean > w0.Class.Mean+0.3) {
		t.Errorf("accuracy %.2f at w = 0, %.2f at w = 3: want guidance to raise it by 0.3", w0.Class.Mean, w3.Class.Mean)
	}
	code, stdout, stderr := flowmatch(t, "eval", "-model", model, "-n", "100", "-steps", "10")
	if code != 0 || !strings.Contains(stdout, "against chance 10%") || !strings.Contains(stdout, "every digit, guidance 1") {
		t.Errorf("eval of every digit: exit %d\n%s%s", code, stdout, stderr)
	}
	for _, args := range [][]string{
		{"sample", "-model", model, "-class", "10", "-o", filepath.Join(dir, "x.png")},
		{"sample", "-model", model, "-class", "seven", "-o", filepath.Join(dir, "x.png")},
		{"sample", "-model", model, "-guidance", "NaN", "-o", filepath.Join(dir, "x.png")},
		{"sample", "-model", model, "-sde", "-o", filepath.Join(dir, "x.png")},
	} {
		if code, _, stderr := flowmatch(t, args...); code != exitUsage {
			t.Errorf("%v: exit %d, want a usage error: %s", args, code, stderr)
		}
	}
}
