package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/flowviz/flowviz/flow/train"
)

// TestScheduleAndSDE trains a VP noise-prediction model and samples it with
// the ODE and the SDE; eval reports the schedule, the target and the noise.
func TestScheduleAndSDE(t *testing.T) {
	model := filepath.Join(t.TempDir(), "vp.json")
	args := append([]string{"train", "-target", "gaussian:std=0.3,x=2", "-schedule", "vp", "-predict", "noise", "-o", model}, smallTrain...)
	if code, _, stderr := flowmatch(t, args...); code != 0 {
		t.Fatalf("train exit %d: %s", code, stderr)
	}
	m, err := train.LoadModel(model)
	if err != nil {
		t.Fatal(err)
	}
	if m.Config.Schedule != "vp" || m.Config.Predict != "noise" || m.Version != train.ModelVersion {
		t.Fatalf("model config %+v", m.Config)
	}
	for _, extra := range [][]string{nil, {"-sde", "-noise", "1.5"}} {
		code, stdout, stderr := flowmatch(t, append([]string{"eval", "-model", model, "-n", "300", "-steps", "50", "-json"}, extra...)...)
		if code != 0 {
			t.Fatalf("eval %v exit %d: %s", extra, code, stderr)
		}
		var r evalReport
		if err := json.Unmarshal([]byte(stdout), &r); err != nil {
			t.Fatal(err)
		}
		if r.Schedule != "vp" || r.Predict != "noise" || (extra != nil) != (r.SDENoise != nil) || r.Class != nil {
			t.Errorf("eval %v report %+v", extra, r)
		}
		// A few hundred steps learn the mean: the samples are near (2, 0).
		if r.W2 > 1 {
			t.Errorf("eval %v: W2 %v", extra, r.W2)
		}
	}
}

// TestConditionalGuidance trains a class-conditional model on 8 Gaussians
// and checks eval's class accuracy, for one class and all, and the
// usage errors around classes.
func TestConditionalGuidance(t *testing.T) {
	dir := t.TempDir()
	model := filepath.Join(dir, "cond.json")
	args := append([]string{"train", "-target", "8gaussians:radius=4,std=0.5", "-cond", "-p-uncond", "0.2", "-o", model}, smallTrain...)
	if code, _, stderr := flowmatch(t, args...); code != 0 {
		t.Fatalf("train exit %d: %s", code, stderr)
	}
	m, err := train.LoadModel(model)
	if err != nil {
		t.Fatal(err)
	}
	if m.Classes() != 8 || m.Config.PUncond != 0.2 {
		t.Fatalf("model classes %d p_uncond %v", m.Classes(), m.Config.PUncond)
	}
	for _, tc := range []struct {
		args    []string
		classes int
	}{
		{nil, 8},
		{[]string{"-class", "3", "-guidance", "3"}, 1},
		{[]string{"-class", "all", "-sde", "-noise", "0.5"}, 8},
	} {
		code, stdout, stderr := flowmatch(t, append([]string{"eval", "-model", model, "-n", "400", "-steps", "20", "-json"}, tc.args...)...)
		if code != 0 {
			t.Fatalf("eval %v exit %d: %s", tc.args, code, stderr)
		}
		var r evalReport
		if err := json.Unmarshal([]byte(stdout), &r); err != nil {
			t.Fatal(err)
		}
		if r.Class == nil || len(r.Class.Classes) != tc.classes || len(r.Class.Accuracy) != tc.classes || r.Class.Chance != 0.125 {
			t.Fatalf("eval %v class report %+v", tc.args, r.Class)
		}
		// 300 steps already place most samples in their mode.
		if r.Class.Mean < 0.5 {
			t.Errorf("eval %v: class accuracy %v", tc.args, r.Class.Mean)
		}
	}
	code, stdout, _ := flowmatch(t, "eval", "-model", model, "-n", "200", "-steps", "10", "-class", "none", "-json")
	if code != 0 || strings.Contains(stdout, `"class"`) {
		t.Errorf("-class none: exit %d, %s", code, stdout)
	}
	code, _, stderr := flowmatch(t, "sample", "-model", model, "-n", "10", "-steps", "5", "-class", "2", "-guidance", "4", "-o", filepath.Join(dir, "s.csv"))
	if code != 0 || !strings.Contains(stderr, "class 2, guidance 4") {
		t.Errorf("sample one class: exit %d, %s", code, stderr)
	}
	code, stdout, stderr = flowmatch(t, "sample", "-model", model, "-n", "16", "-steps", "5", "-labels")
	if code != 0 || !strings.HasPrefix(stdout, "x,y,label\n") || strings.Count(stdout, "\n") != 17 || strings.Count(stdout, ",") != 34 {
		t.Errorf("sample -labels: exit %d, %s %s", code, stdout, stderr)
	}
	if code, _, _ := flowmatch(t, "sample", "-model", model, "-n", "16", "-class", "none", "-labels"); code != exitUsage {
		t.Errorf("-labels without classes: exit %d", code)
	}
	for _, bad := range [][]string{
		{"-class", "8"},
		{"-class", "x"},
		{"-guidance", "NaN"},
		{"-sde", "-noise", "-1"},
	} {
		if code, _, stderr := flowmatch(t, append([]string{"sample", "-model", model, "-n", "10"}, bad...)...); code != exitUsage {
			t.Errorf("sample %v: exit %d, %s", bad, code, stderr)
		}
	}
}

func TestDiffusionUsageErrors(t *testing.T) {
	dir := t.TempDir()
	for _, bad := range [][]string{
		{"-schedule", "sigmoid"},
		{"-predict", "flux"},
		{"-cond", "-target", "gaussian"},
		{"-schedule", "cosine", "-path", "ot"},
		{"-predict", "score", "-sigma", "0.1"},
		{"-p-uncond", "2"},
		{"-cond", "-coupling", "ot"},
	} {
		args := append([]string{"train", "-steps", "1", "-o", filepath.Join(dir, "m.json")}, bad...)
		if code, _, stderr := flowmatch(t, args...); code != exitUsage {
			t.Errorf("train %v: exit %d, %s", bad, code, stderr)
		}
	}
	// An unconditional model has no classes, the noisy linear path no SDE.
	model := filepath.Join(dir, "plain.json")
	if code, _, stderr := flowmatch(t, "train", "-width", "8", "-depth", "1", "-steps", "5", "-sigma", "0.1", "-q", "-o", model); code != 0 {
		t.Fatalf("train exit %d: %s", code, stderr)
	}
	for _, bad := range [][]string{{"-class", "1"}, {"-sde"}} {
		if code, _, stderr := flowmatch(t, append([]string{"sample", "-model", model, "-n", "10"}, bad...)...); code != exitUsage {
			t.Errorf("sample %v: exit %d, %s", bad, code, stderr)
		}
	}
}

// TestSampleInterrupted checks that Ctrl+C stops sampling between steps.
func TestSampleInterrupted(t *testing.T) {
	model := filepath.Join(t.TempDir(), "m.json")
	if code, _, stderr := flowmatch(t, "train", "-width", "8", "-depth", "1", "-steps", "5", "-q", "-o", model); code != 0 {
		t.Fatalf("train exit %d: %s", code, stderr)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for _, extra := range [][]string{nil, {"-sde"}} {
		var out, errOut bytes.Buffer
		code := run(ctx, append([]string{"sample", "-model", model, "-n", "100", "-steps", "100000"}, extra...), &out, &errOut)
		if code != exitFailure || !strings.Contains(errOut.String(), "interrupted") {
			t.Errorf("sample %v: exit %d, stderr %q", extra, code, errOut.String())
		}
	}
}

// TestConditionalOnLabelledCSV trains on a drawn target whose rows carry
// their colour as a label.
func TestConditionalOnLabelledCSV(t *testing.T) {
	dir := t.TempDir()
	csv := filepath.Join(dir, "drawn.csv")
	var b strings.Builder
	b.WriteString("x,y,label\n")
	for i := range 40 {
		b.WriteString([]string{"-3,0,0\n", "3,0,1\n"}[i%2])
	}
	if err := os.WriteFile(csv, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	model := filepath.Join(dir, "m.json")
	args := append([]string{"train", "-target", csv + ":jitter=0.3", "-cond", "-o", model}, smallTrain...)
	if code, _, stderr := flowmatch(t, args...); code != 0 {
		t.Fatalf("train exit %d: %s", code, stderr)
	}
	code, stdout, stderr := flowmatch(t, "eval", "-model", model, "-n", "200", "-steps", "20", "-class", "1", "-guidance", "2", "-json")
	if code != 0 {
		t.Fatalf("eval exit %d: %s", code, stderr)
	}
	var r evalReport
	if err := json.Unmarshal([]byte(stdout), &r); err != nil {
		t.Fatal(err)
	}
	if r.Class == nil || r.Class.Mean < 0.9 {
		t.Errorf("class 1 accuracy %+v", r.Class)
	}
}

// TestNLLRefusesOtherTargets: -nll takes the network's output as the
// velocity, so a noise model is refused with a message, not mis-scored.
func TestNLLRefusesOtherTargets(t *testing.T) {
	model := filepath.Join(t.TempDir(), "vp.json")
	if code, _, stderr := flowmatch(t, "train", "-width", "8", "-depth", "1", "-steps", "5", "-schedule", "vp", "-predict", "noise", "-q", "-o", model); code != 0 {
		t.Fatalf("train exit %d: %s", code, stderr)
	}
	code, _, stderr := flowmatch(t, "eval", "-model", model, "-n", "20", "-steps", "5", "-nll")
	if code != exitUsage || !strings.Contains(stderr, "velocity models only") {
		t.Errorf("eval -nll of a noise model: exit %d, %s", code, stderr)
	}
}
