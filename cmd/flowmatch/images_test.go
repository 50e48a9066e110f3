package main

import (
	"bytes"
	"context"
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
	// image model rather than ignored.
	for _, args := range [][]string{
		{"sample", "-model", model, "-class", "3", "-o", filepath.Join(dir, "c.png")},
		{"sample", "-model", model, "-labels", "-o", filepath.Join(dir, "c.png")},
		{"eval", "-model", model, "-sde"},
		{"eval", "-model", model, "-guidance", "2"},
		{"train", "-target", "digits8", "-cond", "-o", filepath.Join(dir, "c.json")},
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
