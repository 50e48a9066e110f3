package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/flowviz/flowviz/flow/data"
)

// trainSmall trains a small model on target into dir and returns its path.
func trainSmall(t *testing.T, dir, target string, extra ...string) string {
	t.Helper()
	model := filepath.Join(dir, "model.json")
	args := append([]string{"train", "-target", target, "-o", model}, smallTrain...)
	args = append(args, extra...)
	if code, _, stderr := flowmatch(t, args...); code != 0 {
		t.Fatalf("train exit %d: %s", code, stderr)
	}
	return model
}

func TestEvalNLL(t *testing.T) {
	model := trainSmall(t, t.TempDir(), "8gaussians:radius=2,std=0.5")
	code, stdout, stderr := flowmatch(t, "eval", "-model", model, "-n", "300", "-steps", "10", "-nll", "-nll-steps", "20", "-json")
	if code != 0 {
		t.Fatalf("eval -nll exit %d: %s", code, stderr)
	}
	var r evalReport
	if err := json.Unmarshal([]byte(stdout), &r); err != nil {
		t.Fatal(err)
	}
	n := r.NLL
	if n == nil || n.N != 300 || n.Steps != 20 || n.Solver != "rk4" || !(n.SE > 0) || n.Entropy == nil || n.KL == nil {
		t.Fatalf("nll report %+v", n)
	}
	// A 300-step model is far from converged, but its NLL cannot be below
	// the entropy beyond the noise, and KL = NLL − H up to the noise.
	if n.NLL < *n.Entropy-3*math.Hypot(n.SE, n.EntropySE) || *n.KL < -3*n.KLSE {
		t.Errorf("NLL %.3f ± %.3f below entropy %.3f, or KL %.3f ± %.3f below 0", n.NLL, n.SE, *n.Entropy, *n.KL, n.KLSE)
	}
	if d := n.NLL - *n.Entropy - *n.KL; math.Abs(d) > 4*(n.SE+n.EntropySE) {
		t.Errorf("NLL − H − KL = %.3f", d)
	}
	// The table names the numbers.
	code, stdout, _ = flowmatch(t, "eval", "-model", model, "-n", "200", "-steps", "5", "-nll")
	for _, want := range []string{"NLL", "nats", "entropy", "KL"} {
		if code != 0 || !strings.Contains(stdout, want) {
			t.Errorf("eval -nll output lacks %q:\n%s", want, stdout)
		}
	}
	// Without -nll the JSON has no nll field.
	_, stdout, _ = flowmatch(t, "eval", "-model", model, "-n", "100", "-steps", "5", "-json")
	if strings.Contains(stdout, `"nll"`) {
		t.Error("nll in the report without -nll")
	}
	// A target without a density still gets its NLL, with a note.
	code, stdout, stderr = flowmatch(t, "eval", "-model", model, "-n", "100", "-steps", "5", "-nll", "-target", "moons", "-json")
	if code != 0 || !strings.Contains(stdout, "no closed-form entropy") {
		t.Errorf("moons target: exit %d, %s %s", code, stdout, stderr)
	}
}

func TestEvalNLLNeedsSourceDensity(t *testing.T) {
	model := trainSmall(t, t.TempDir(), "moons", "-source", "uniform")
	code, _, stderr := flowmatch(t, "eval", "-model", model, "-n", "100", "-steps", "5", "-nll")
	if code != exitFailure || !strings.Contains(stderr, "closed-form density") {
		t.Fatalf("uniform source: exit %d, %s", code, stderr)
	}
}

func TestDensityCommand(t *testing.T) {
	dir := t.TempDir()
	model := trainSmall(t, dir, "gaussian:std=0.5,x=1")
	for _, kind := range densityKinds {
		t.Run(kind, func(t *testing.T) {
			csvPath := filepath.Join(dir, kind+".csv")
			code, _, stderr := flowmatch(t, "density", "-model", model, "-t", "0.5", "-grid", "40", "-bounds", "-4,-3,4,3", "-kind", kind, "-steps", "20", "-o", csvPath)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			raw, err := os.ReadFile(csvPath)
			if err != nil {
				t.Fatal(err)
			}
			lines := strings.Split(strings.TrimSpace(string(raw)), "\n")
			// 40 cells along x, 30 along y: square cells.
			if header := "x,y," + valueName(kind); lines[0] != header || len(lines) != 1+40*30 {
				t.Fatalf("%d lines, header %q", len(lines), lines[0])
			}
			var mass float64
			for _, l := range lines[1:] {
				f := strings.Split(l, ",")
				v, err := strconv.ParseFloat(f[2], 64)
				if err != nil || math.IsNaN(v) {
					t.Fatalf("row %q: %v", l, err)
				}
				mass += math.Exp(v) * 0.2 * 0.2
			}
			if (kind == "learned" || kind == "exact") && math.Abs(mass-1) > 0.02 {
				t.Errorf("mass in the region %.4f", mass)
			}
			pngPath := filepath.Join(dir, kind+".png")
			code, _, stderr = flowmatch(t, "density", "-model", model, "-t", "0.5", "-grid", "40", "-bounds", "-4,-3,4,3", "-kind", kind, "-steps", "20", "-px", "3", "-o", pngPath)
			if code != 0 || !strings.Contains(stderr, "colours:") {
				t.Fatalf("png exit %d: %s", code, stderr)
			}
			img, err := png.Decode(mustOpen(t, pngPath))
			if err != nil {
				t.Fatal(err)
			}
			if b := img.Bounds(); b.Dx() != 120 || b.Dy() != 90 {
				t.Errorf("image %v, want 120×90", b)
			}
		})
	}
	// CSV on stdout.
	code, stdout, _ := flowmatch(t, "density", "-model", model, "-grid", "3", "-o", "-")
	if code != 0 || strings.Count(stdout, "\n") != 10 {
		t.Errorf("stdout CSV: exit %d\n%s", code, stdout)
	}
}

func TestDensityExactDegenerate(t *testing.T) {
	dir := t.TempDir()
	pts := filepath.Join(dir, "pts.csv")
	if err := data.WriteCSVFile(pts, []([2]float64){{1, 1}, {-1, 0}, {0, -1}}); err != nil {
		t.Fatal(err)
	}
	model := trainSmall(t, dir, pts)
	out := filepath.Join(dir, "exact.png")
	code, _, stderr := flowmatch(t, "density", "-model", model, "-kind", "exact", "-t", "1", "-o", out)
	if code != exitFailure || !strings.Contains(stderr, "no density") || !strings.Contains(stderr, "minimum σ") {
		t.Fatalf("point masses at t = 1: exit %d, %s", code, stderr)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Error("a file was written for a failed run")
	}
	if code, _, stderr := flowmatch(t, "density", "-model", model, "-kind", "exact", "-t", "1", "-min-std", "0.05", "-o", out); code != 0 {
		t.Fatalf("with -min-std: exit %d, %s", code, stderr)
	}
}

func TestDensityUsageErrors(t *testing.T) {
	dir := t.TempDir()
	model := trainSmall(t, dir, "gaussian")
	png := filepath.Join(dir, "keep.png")
	if err := os.WriteFile(png, []byte("precious"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"-o", png, "-kind", "nope"},
		{"-o", png, "-t", "1.5"},
		{"-o", png, "-t", "NaN"},
		{"-o", png, "-grid", "0"},
		{"-o", png, "-grid", "5000"},
		{"-o", png, "-bounds", "1,2,3"},
		{"-o", png, "-bounds", "0,0,0,1"},
		{"-o", png, "-bounds", "0,0,inf,1"},
		{"-o", png, "-steps", "0"},
		{"-o", png, "-solver", "leapfrog"},
		{"-o", png, "-min-std", "-1"},
		{"-o", png, "-range", "0"},
		{"-o", png, "-px", "100", "-grid", "200"},
		{"-o", filepath.Join(dir, "out.txt")},
		{},
	} {
		code, _, stderr := flowmatch(t, append([]string{"density", "-model", model}, args...)...)
		if code != exitUsage {
			t.Errorf("%v: exit %d, %s", args, code, stderr)
		}
	}
	if raw, _ := os.ReadFile(png); string(raw) != "precious" {
		t.Error("a refused run touched the output file")
	}
}

func TestDensityInterrupt(t *testing.T) {
	dir := t.TempDir()
	model := trainSmall(t, dir, "gaussian")
	out := filepath.Join(dir, "d.png")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var stdout, stderr bytes.Buffer
	code := run(ctx, []string{"density", "-model", model, "-grid", "200", "-o", out}, &stdout, &stderr)
	if code != exitFailure || !strings.Contains(stderr.String(), "context canceled") {
		t.Fatalf("interrupted: exit %d, %s", code, stderr.String())
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Error("an interrupted run wrote its output")
	}
}

// FuzzParseBounds checks that any -bounds text either parses to a finite,
// non-empty rectangle within ±1e6 or is refused as a usage error.
func FuzzParseBounds(f *testing.F) {
	for _, s := range []string{"-5,-5,5,5", "0,0,1,1", "1,2,3", "0,0,0,1", "NaN,0,1,1", "1e300,0,1e301,1",
		"-inf,0,1,1", " 1 , 2 , 3 , 4 ", strings.Repeat("9", 100_000) + ",0,1,1", strings.Repeat(",", 10_000)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := parseBounds(s)
		if err != nil {
			var ue usageError
			if !errors.As(err, &ue) {
				t.Fatalf("%q: error %v is not a usage error", s, err)
			}
			return
		}
		for _, v := range []float64{r.MinX, r.MinY, r.MaxX, r.MaxY} {
			if math.IsNaN(v) || math.Abs(v) > 1e6 {
				t.Fatalf("%q parsed to %+v", s, r)
			}
		}
		if !(r.MaxX > r.MinX && r.MaxY > r.MinY) {
			t.Fatalf("%q parsed to an empty rectangle %+v", s, r)
		}
		if g := gridFor(r, 96); g.Validate() != nil {
			t.Fatalf("%q: grid %+v invalid: %v", s, g, g.Validate())
		}
	})
}

func TestDensityExactNeedsCentredSource(t *testing.T) {
	model := trainSmall(t, t.TempDir(), "8gaussians", "-source", "gaussian:x=1")
	code, _, stderr := flowmatch(t, "density", "-model", model, "-kind", "exact", "-t", "0.5", "-o", "-")
	if code != exitFailure || !strings.Contains(stderr, "centred Gaussian source") {
		t.Fatalf("off-centre source: exit %d, %s", code, stderr)
	}
	// The learned density only needs a source with a density.
	if code, _, stderr := flowmatch(t, "density", "-model", model, "-t", "0.5", "-grid", "8", "-steps", "4", "-o", "-"); code != 0 {
		t.Fatalf("learned with an off-centre source: exit %d, %s", code, stderr)
	}
}
