package viz

import (
	"math"
	"strings"
	"testing"

	"github.com/flowviz/flowviz/viz/scene"
)

func TestTickLabel(t *testing.T) {
	tests := []struct {
		v, step float64
		want    string
	}{
		{2, 1, "2"},
		{-4, 2, "-4"},
		{0.5, 0.5, "0.5"},
		{0.25, 0.05, "0.25"},
		{1.2, 0.2, "1.2"},
		{100, 50, "100"},
	}
	for _, tc := range tests {
		if got := tickLabel(tc.v, tc.step); got != tc.want {
			t.Errorf("tickLabel(%v, %v) = %q, want %q", tc.v, tc.step, got, tc.want)
		}
	}
}

func TestNumberText(t *testing.T) {
	for _, tc := range []struct {
		n    int
		want string
	}{{0, "0"}, {999, "999"}, {1000, "1,000"}, {1234567, "1,234,567"}, {-45000, "-45,000"}} {
		if got := thousands(tc.n); got != tc.want {
			t.Errorf("thousands(%d) = %q, want %q", tc.n, got, tc.want)
		}
	}
	for _, tc := range []struct {
		v    float64
		want string
	}{{math.NaN(), "NaN"}, {math.Inf(1), "∞"}, {1.88521, "1.8852"}, {5.27e5, "5.27e+05"}, {0.001, "1.00e-03"}} {
		if got := lossText(tc.v); got != tc.want {
			t.Errorf("lossText(%v) = %q, want %q", tc.v, got, tc.want)
		}
	}
}

func TestWrapKeepsLinesNarrow(t *testing.T) {
	fonts := NewFonts(1)
	msg := "Training stopped: training diverged at step 18834 (loss 5.27e+05) with learning rate 0.1; rolled back."
	out := wrap(msg, fonts.Body, 200)
	if strings.Join(strings.Fields(out), " ") != msg {
		t.Errorf("wrap lost words: %q", out)
	}
	for _, line := range strings.Split(out, "\n") {
		if w := textWidth(line, fonts.Body); w > 200 && strings.Contains(line, " ") {
			t.Errorf("line %q is %v px wide", line, w)
		}
	}
}

func TestPanelSyncPicksIndices(t *testing.T) {
	var p Panel
	s := scene.DefaultSettings()
	s.Target, s.Batch, s.Particles, s.Solver = "8gaussians:radius=3", 300, 9000, "rk4"
	opts := scene.Options{
		Data: []string{"gaussian", "moons", "8gaussians"}, Acts: []string{"silu", "tanh"},
		Paths: []string{"linear", "ot"}, Couplings: []string{"independent", "ot"},
		Solvers: []string{"euler", "midpoint", "heun", "rk4"},
	}
	p.Sync(s, opts)
	if p.tgtIdx != 2 || p.tgtSpec != "8gaussians:radius=3" {
		t.Errorf("target index %d spec %q", p.tgtIdx, p.tgtSpec)
	}
	if batchChoices[p.batchIdx] != 256 || particleChoices[p.partIdx] != 10000 || p.solvIdx != 3 {
		t.Errorf("batch %d particles %d solver %d", batchChoices[p.batchIdx], particleChoices[p.partIdx], p.solvIdx)
	}
	p.stepParticles(+1)
	if p.edit.Particles != 20000 {
		t.Errorf("+ from 9000 gave %d particles", p.edit.Particles)
	}
	for range 20 {
		p.stepParticles(-1)
	}
	if p.edit.Particles != 1 {
		t.Errorf("− floor gave %d particles", p.edit.Particles)
	}
	p.scaleLR(1e9)
	if p.edit.LR != 10 || !p.changed {
		t.Errorf("lr not clamped to 10: %v", p.edit.LR)
	}
}

func TestSolverFormula(t *testing.T) {
	if got := solverFormula("euler"); !strings.Contains(got, "x ← x + (1/N)·v(x, k/N)") {
		t.Errorf("Euler formula %q", got)
	}
	for _, s := range []string{"midpoint", "heun", "rk4"} {
		if solverFormula(s) == s {
			t.Errorf("no text for %s", s)
		}
	}
}

// A point such as (1, 1) stays on one line; a long aside still wraps.
func TestWrapKeepsPointsWhole(t *testing.T) {
	fonts := NewFonts(1)
	msg := "from x0 = (1, 1) to x1 = (6, 6) in five steps (1, 1) → (2, 2) → (3, 3)"
	for w := 60.0; w < 400; w += 7 {
		out := wrap(msg, fonts.Body, w)
		if strings.Join(strings.Fields(out), " ") != msg {
			t.Fatalf("wrap lost words: %q", out)
		}
		for _, line := range strings.Split(out, "\n") {
			if strings.Count(line, "(") != strings.Count(line, ")") {
				t.Errorf("width %.0f: a point is broken across lines: %q", w, out)
			}
		}
	}
	long := "an aside (which goes on for many words and would not fit) wraps"
	if out := wrap(long, fonts.Body, 120); !strings.Contains(out, "\n") || strings.Count(strings.Split(out, "\n")[0], " ") > 8 {
		t.Errorf("a long aside was kept whole: %q", out)
	}
}

func TestSignificantKeepsSmallFiguresVisible(t *testing.T) {
	for _, tc := range []struct {
		x    float64
		want string
	}{{0, "0"}, {0.0043, "0.0043"}, {-0.012, "−0.012"}, {0.25, "0.25"}, {3.14159, "3.14"}} {
		if got := significant(tc.x); got != tc.want {
			t.Errorf("significant(%v) = %q, want %q", tc.x, got, tc.want)
		}
	}
}

// TestStatusLoss: before the first step the HUD says "—", not NaN; a NaN
// after training has begun is shown as such.
func TestStatusLoss(t *testing.T) {
	for _, tc := range []struct {
		st   scene.Status
		want string
	}{
		{scene.Status{Step: 0, Loss: math.NaN()}, "—"},
		{scene.Status{Step: 12, Loss: math.NaN()}, "NaN"},
		{scene.Status{Step: 12, Loss: 1.88521}, "1.8852"},
	} {
		if got := statusLoss(tc.st); got != tc.want {
			t.Errorf("statusLoss(%+v) = %q, want %q", tc.st, got, tc.want)
		}
	}
}

// TestDataChoicesNameTheDrawing: once a drawing (or an image, a text)
// replaces a preset, its dropdown shows that, not the preset it replaced.
func TestDataChoicesNameTheDrawing(t *testing.T) {
	presets := []string{"gaussian", "moons", "8gaussians"}
	idx := 1
	if got := dataChoices(presets, "moons:noise=0.1", &idx); len(got) != 3 || idx != 1 {
		t.Errorf("a preset: %v, index %d", got, idx)
	}
	got := dataChoices(presets, "drawing", &idx)
	if len(got) != 4 || got[3] != "drawing" || idx != 3 {
		t.Errorf("a drawing: %v, index %d; want the drawing listed last and shown", got, idx)
	}
	if again := dataChoices(presets, "moons", &idx); len(again) != 3 {
		t.Errorf("the presets were changed: %v", again)
	}
}
