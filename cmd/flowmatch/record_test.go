package main

import (
	"bytes"
	"context"
	"image/gif"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRecord runs `flowmatch record` as a lecturer's script would, with no
// display: it trains (or takes a model file), prints progress and writes
// the GIF; a cancelled run writes nothing.
func TestRecord(t *testing.T) {
	t.Setenv("DISPLAY", "")
	dir := t.TempDir()
	out := filepath.Join(dir, "slide.gif")
	code, stdout, stderr := flowmatch(t, "record", "-target", "8gaussians", "-coupling", "ot", "-width", "16", "-depth", "2",
		"-steps", "200", "-particles", "500", "-size", "80", "-frames", "6", "-trails", "-colours", "cividis", "-o", out)
	if code != 0 {
		t.Fatalf("record exit %d: %s", code, stderr)
	}
	for _, want := range []string{"training 200 steps", "ot coupling", "sampling 500 particles, 50 euler steps", "recording frame 6/6", "wrote " + out} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	if stdout != "" {
		t.Errorf("stdout %q", stdout)
	}
	anim := readGIF(t, out)
	if len(anim.Image) != 6 || anim.Image[0].Bounds().Dx() != 80 {
		t.Fatalf("%d frames of %v", len(anim.Image), anim.Image[0].Bounds())
	}

	// A trained model is recorded as it is: no training.
	model := filepath.Join(dir, "m.json")
	if code, _, stderr := flowmatch(t, append([]string{"train", "-target", "moons", "-o", model}, smallTrain...)...); code != 0 {
		t.Fatalf("train: %s", stderr)
	}
	code, _, stderr = flowmatch(t, "record", "-model", model, "-frames", "3", "-size", "32", "-o", out)
	if code != 0 || strings.Contains(stderr, "training") {
		t.Fatalf("record -model: exit %d\n%s", code, stderr)
	}
	if anim := readGIF(t, out); len(anim.Image) != 3 {
		t.Fatalf("%d frames, want 3", len(anim.Image))
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var o, e bytes.Buffer
	never := filepath.Join(dir, "never.gif")
	if code := run(ctx, []string{"record", "-o", never}, &o, &e); code != exitFailure || !strings.Contains(e.String(), "interrupted") {
		t.Errorf("cancelled record: exit %d\n%s", code, e.String())
	}
	if _, err := os.Stat(never); err == nil {
		t.Error("a cancelled record wrote its GIF")
	}

	for _, args := range [][]string{
		{"record", "-size", "4"}, {"record", "-frames", "1"}, {"record", "-particles", "0"},
		{"record", "-sample-steps", "0"}, {"record", "-theme", "neon"}, {"record", "-solver", "leapfrog"}, {"record", "-steps", "0"},
	} {
		if code, _, stderr := flowmatch(t, args...); code != exitUsage {
			t.Errorf("%v: exit %d, want %d\n%s", args, code, exitUsage, stderr)
		}
	}
}

func readGIF(t *testing.T, path string) *gif.GIF {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	anim, err := gif.DecodeAll(f)
	if err != nil {
		t.Fatal(err)
	}
	return anim
}

func TestVersion(t *testing.T) {
	code, stdout, _ := flowmatch(t, "-version")
	if code != 0 || !strings.HasPrefix(stdout, "flowmatch ") || !strings.Contains(stdout, "commit ") {
		t.Errorf("flowmatch -version: exit %d, %q", code, stdout)
	}
}
