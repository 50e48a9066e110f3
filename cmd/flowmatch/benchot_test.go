package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/flowviz/flowviz/flow/mlp"
	"github.com/flowviz/flowviz/flow/train"
)

func TestPeerArgs(t *testing.T) {
	net := mlp.DefaultConfig()
	net.Width, net.Depth = 96, 4
	args := peerArgs("p.py", net, train.CouplingOT, 128, 300, 1000, 50, 1)
	for _, pair := range [][2]string{{"--width", "96"}, {"--depth", "4"}, {"--batch", "128"}, {"--coupling", "ot"},
		{"--dim", "2"}, {"--steps", "300"}, {"--particles", "1000"}, {"--sample-steps", "50"}, {"--threads", "1"}} {
		k := slices.Index(args, pair[0])
		if k < 0 || k+1 >= len(args) || args[k+1] != pair[1] {
			t.Errorf("peer args %v lack %s %s", args, pair[0], pair[1])
		}
	}
}

// TestDefaultPeerScript: the peer is looked for beside the repository,
// from anywhere inside it, and beside the working directory outside it.
func TestDefaultPeerScript(t *testing.T) {
	root, err := filepath.Abs("../..") // this package is cmd/flowmatch
	if err != nil {
		t.Fatal(err)
	}
	if got, want := defaultPeerScript(), filepath.Join(root, "..", "shared", "peers", "torch_cfm.py"); got != want {
		t.Errorf("inside the repository: %s, want %s", got, want)
	}
	dir := t.TempDir()
	t.Chdir(dir)
	if got, want := defaultPeerScript(), filepath.Join(dir, "..", "shared", "peers", "torch_cfm.py"); got != want {
		t.Errorf("outside the repository: %s, want %s", got, want)
	}
}

func TestParseEMD(t *testing.T) {
	r, err := parseEMD([]byte("pot 0.8.2\nemd_ms_per_problem 4.25\nemd_cpu_ms_per_problem 4\ntotals 1.5 2.25\n"), 2)
	if err != nil || r.ms != 4.25 || r.cpuMs != 4 || r.version != "0.8.2" || !slices.Equal(r.totals, []float64{1.5, 2.25}) {
		t.Fatalf("parseEMD: %+v %v", r, err)
	}
	for _, bad := range []string{"", "pot 1\nemd_ms_per_problem 3\ntotals 1\n", "emd_ms_per_problem x\ntotals 1 2\n", "emd_ms_per_problem 3\ntotals 1 y\n"} {
		if _, err := parseEMD([]byte(bad), 2); err == nil {
			t.Errorf("parseEMD(%q) accepted", bad)
		}
	}
}

// TestBenchPeerOT runs bench -coupling ot -peer with a stand-in for
// torch_cfm.py that records its arguments: the peer must be asked for the
// OT coupling and our sizes, and POT's emd must find our optima.
func TestBenchPeerOT(t *testing.T) {
	if err := exec.Command(peerPython, "-c", "import torch, sklearn, ot").Run(); err != nil {
		t.Skipf("%s lacks torch, sklearn or POT: %v", peerPython, err)
	}
	dir := t.TempDir()
	argsFile := filepath.Join(dir, "args")
	script := filepath.Join(dir, "torch_cfm.py")
	stub := "import sys\nopen(" + pyString(argsFile) + ", 'w').write(' '.join(sys.argv[1:]))\n" +
		"print('torch 0.0 threads=1')\nprint('train_steps_per_s 100.0  final_loss 1.0')\nprint('euler_particle_steps_per_s 1e6')\n"
	if err := os.WriteFile(script, []byte(stub), 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := flowmatch(t, "bench", "-coupling", "ot", "-width", "8", "-depth", "2", "-batch", "32",
		"-train-steps", "5", "-particles", "10", "-sample-steps", "2", "-peer", "-peer-script", script)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	args, err := os.ReadFile(argsFile)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"--coupling ot", "--width 8", "--depth 2", "--batch 32", "--dim 2"} {
		if !strings.Contains(string(args), want) {
			t.Errorf("the peer ran with %q, lacking %q", args, want)
		}
	}
	for _, want := range []string{"OT assignment ms (n = 32)", "POT", "same optimum as POT on all 50 problems"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("bench output lacks %q:\n%s", want, stdout)
		}
	}
}

// pyString quotes s as a Python string literal.
func pyString(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}
