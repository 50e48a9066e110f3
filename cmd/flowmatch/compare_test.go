package main

import (
	"bytes"
	"context"
	"encoding/json"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/flowviz/flowviz/flow"
	"github.com/flowviz/flowviz/flow/diffspec"
	"github.com/flowviz/flowviz/flow/mlp"
	"github.com/flowviz/flowviz/flow/train"
)

// A SPEC's data specs keep their own commas (diffspec tests the rest).
func TestSpecKeepsDataCommas(t *testing.T) {
	got, err := specKeys.Split("source=8gaussians:radius=5,std=1,target=moons:noise=0.2,scale=3 width=16")
	want := []diffspec.Setting{{Key: "source", Value: "8gaussians:radius=5,std=1"}, {Key: "target", Value: "moons:noise=0.2,scale=3"}, {Key: "width", Value: "16"}}
	if err != nil || !slices.Equal(got, want) {
		t.Errorf("split %q, %v; want %q", got, err, want)
	}
}

// B is A with B's settings changed: what B does not name, it inherits.
func TestSpecBIsADifference(t *testing.T) {
	a := modelSpec{cfg: train.DefaultConfig()}
	if err := a.apply("source=8gaussians:std=0.5,target=moons width=16 depth=2 act=tanh seed=7 sigma=0.1"); err != nil {
		t.Fatal(err)
	}
	b := a
	if err := b.apply("coupling=ot,lr=1e-2,solver=rk4"); err != nil {
		t.Fatal(err)
	}
	want := a.cfg
	want.Coupling, want.LR = train.CouplingOT, 1e-2
	if b.cfg != want || b.solver != flow.RK4 {
		t.Errorf("B = %+v (%v), want %+v (rk4)", b.cfg, b.solver, want)
	}
	if a.cfg.Net != (mlp.Config{Width: 16, Depth: 2, Act: mlp.Tanh, Fourier: a.cfg.Net.Fourier}) || a.cfg.Seed != 7 ||
		a.cfg.Source != "8gaussians:std=0.5" || a.cfg.Sigma != 0.1 || a.solver != flow.Euler {
		t.Errorf("A = %+v", a.cfg)
	}
	for spec, want := range map[string]string{
		"width=wide":       "width=wide",
		"seed=-1":          "seed=-1",
		"act=sigmoid":      "activation",
		"solver=leapfrog":  "solver",
		"lr=1e-2,lr=1e-3":  "lr is given twice",
		"batch=12.5":       "batch=12.5",
		"sigma=0.1,std=3":  "sigma=0.1,std=3",
		"coupling=ot path": `"path" is not`,
	} {
		s := a
		if err := s.apply(spec); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("apply(%q) error %v, want %q", spec, err, want)
		}
	}
}

// small compare flags: tiny networks, a few steps, few samples.
var smallCompare = []string{"-steps", "40", "-n", "200", "-sample-steps", "10", "-q"}

type compareJSON struct {
	A, B struct {
		Label   string              `json:"label"`
		Metrics map[string]*float64 `json:"metrics"`
	}
	Better map[string]string `json:"better"`
}

func runCompareJSON(t *testing.T, args ...string) compareJSON {
	t.Helper()
	code, stdout, stderr := flowmatch(t, append(append([]string{"compare"}, args...), append(smallCompare, "-json")...)...)
	if code != 0 {
		t.Fatalf("compare exit %d: %s", code, stderr)
	}
	var r compareJSON
	if err := json.Unmarshal([]byte(stdout), &r); err != nil {
		t.Fatalf("%v in\n%s", err, stdout)
	}
	return r
}

func TestCompare(t *testing.T) {
	const a = "source=8gaussians:radius=2,std=0.3,target=moons width=16 depth=2 batch=64 lr=3e-3"

	// The same settings on both sides train bit-identical models (same
	// seed, same batches): every measured metric ties.
	same := runCompareJSON(t, "-a", a)
	if same.A.Label != a || same.B.Label != "same as A" {
		t.Errorf("labels %q, %q", same.A.Label, same.B.Label)
	}
	for _, k := range []string{"step", "loss", "w2", "w2_one_step", "straightness", "npe", "nfe"} {
		if same.A.Metrics[k] == nil || same.B.Metrics[k] == nil || *same.A.Metrics[k] != *same.B.Metrics[k] {
			t.Errorf("%s: A %v, B %v: identical settings should measure identically", k, same.A.Metrics[k], same.B.Metrics[k])
		}
	}
	if *same.A.Metrics["step"] != 40 || *same.A.Metrics["nfe"] != 10 {
		t.Errorf("step %v, NFE %v; want 40 and 10", *same.A.Metrics["step"], *same.A.Metrics["nfe"])
	}
	if same.Better["w2"] != "tie" || same.Better["straightness"] != "tie" {
		t.Errorf("verdict %v, want ties", same.Better)
	}

	// B as a difference: RK4 costs 4 evaluations a step.
	rk4 := runCompareJSON(t, "-a", a, "-b", "solver=rk4")
	if *rk4.A.Metrics["nfe"] != 10 || *rk4.B.Metrics["nfe"] != 40 || rk4.Better["nfe"] != "A" {
		t.Errorf("NFE A %v B %v, better %q; want 10, 40, A", *rk4.A.Metrics["nfe"], *rk4.B.Metrics["nfe"], rk4.Better["nfe"])
	}
	// Same training on both sides, so the loss ties.
	if rk4.Better["loss"] != "tie" {
		t.Errorf("loss verdict %q for one training measured two ways", rk4.Better["loss"])
	}

	// The table: a header naming both, every metric, progress on stderr.
	code, stdout, stderr := flowmatch(t, "compare", "-a", a, "-b", "coupling=ot", "-steps", "40", "-n", "200", "-sample-steps", "10")
	if code != 0 {
		t.Fatalf("compare exit %d: %s", code, stderr)
	}
	for _, want := range []string{"A: " + a, "B: coupling=ot", "W2 after 1 step", "straightness", "NPE", "steps/s", "*"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("table lacks %q:\n%s", want, stdout)
		}
	}
	if !strings.Contains(stderr, "step 40/40") {
		t.Errorf("no progress line for the last step in stderr:\n%s", stderr)
	}
}

// Ctrl+C before the first step still prints the table of what is trained
// (nothing: the loss is –) and says it was interrupted.
func TestCompareInterrupted(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var out, errOut bytes.Buffer
	code := run(ctx, append([]string{"compare", "-a", "width=8,depth=1", "-b", "width=16"}, smallCompare...), &out, &errOut)
	if code != exitFailure || !strings.Contains(errOut.String(), "interrupted") {
		t.Fatalf("exit %d, stderr %q", code, errOut.String())
	}
	if !strings.Contains(out.String(), "loss") || !strings.Contains(out.String(), "–") {
		t.Errorf("no table of the untrained models:\n%s", out.String())
	}
}

func TestCompareUsageErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"-a", "speed=3"}, exitUsage, "-a: \"speed=3\" is not"},
		{[]string{"-b", "width=0"}, exitUsage, "-b: train: mlp"},
		{[]string{"-b", "coupling=reflow"}, exitUsage, "needs a teacher"},
		{[]string{"-b", "coupling=magic"}, exitUsage, "unknown coupling"},
		{[]string{"-steps", "0"}, exitUsage, "-steps 0"},
		{[]string{"-n", "1"}, exitUsage, "-n 1"},
		{[]string{"-sample-steps", "0"}, exitUsage, "-sample-steps 0"},
		{[]string{"-solver", "leapfrog"}, exitUsage, "solver"},
		{[]string{"-b", "target=unicorns"}, exitFailure, "model B: train: target"},
		{[]string{"-a", "width=8,depth=1,batch=32", "-b", "lr=100", "-n", "100", "-sample-steps", "5"}, exitFailure, "model B: diverged at step"},
	} {
		code, _, stderr := flowmatch(t, append([]string{"compare"}, tc.args...)...)
		if code != tc.code || !strings.Contains(stderr, tc.want) {
			t.Errorf("%v: exit %d (want %d), stderr %q, want %q", tc.args, code, tc.code, stderr, tc.want)
		}
	}
}

// A SPEC is read from the command line: whatever the text, parsing never
// panics, and settings that parse write back (key=value, space-separated)
// to the same settings.
func FuzzSpec(f *testing.F) {
	for _, s := range []string{
		"", "coupling=ot", "source=8gaussians:radius=5,std=1,target=moons width=16",
		"lr=1e-2,lr=1e-3", "std=1", ",,,", "solver=rk4 seed=18446744073709551615", "width=" + strings.Repeat("9", 400),
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, spec string) {
		s := modelSpec{cfg: train.DefaultConfig()}
		_ = s.apply(spec)
		settings, err := specKeys.Split(spec)
		if err != nil {
			return
		}
		parts := make([]string, len(settings))
		for i, kv := range settings {
			parts[i] = kv.Key + "=" + kv.Value
		}
		again, err := specKeys.Split(strings.Join(parts, " "))
		if err != nil || !slices.Equal(again, settings) {
			t.Fatalf("%q parsed as %q, written back as %q, parsed again as %q (%v)", spec, settings, parts, again, err)
		}
	})
}

// The CPU time of the calling thread grows with work it does and not with
// time it sleeps.
func TestThreadCPU(t *testing.T) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	start, ok := threadCPU()
	if !ok {
		t.Skip("no thread CPU time on this system")
	}
	time.Sleep(50 * time.Millisecond)
	slept, _ := threadCPU()
	x := 1.0
	for deadline := time.Now().Add(30 * time.Millisecond); time.Now().Before(deadline); {
		for range 1000 {
			x = x*1.0000001 + 1e-9
		}
	}
	worked, _ := threadCPU()
	if slept-start > 20*time.Millisecond {
		t.Errorf("sleeping 50 ms cost %v of CPU", slept-start)
	}
	if worked-slept <= 0 || x == 0 {
		t.Errorf("30 ms of work cost %v of CPU", worked-slept)
	}
}
