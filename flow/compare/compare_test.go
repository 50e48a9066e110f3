package compare

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/flowviz/flowviz/flow"
	"github.com/flowviz/flowviz/flow/data"
	"github.com/flowviz/flowviz/flow/internal/approx"
	"github.com/flowviz/flowviz/flow/mlp"
	"github.com/flowviz/flowviz/flow/train"
)

func load(t *testing.T, spec string) data.Dist {
	t.Helper()
	d, err := data.Load(spec)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// floorW2 is W2 between two independent target samples of n points: what a
// perfect model scores.
func floorW2(t *testing.T, target data.Dist, n int) float64 {
	t.Helper()
	a := data.Sample(target, rand.New(rand.NewPCG(91, 1)), n)
	b := data.Sample(target, rand.New(rand.NewPCG(91, 2)), n)
	w, err := flow.W2(a, b)
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// The exact marginal field of a finite target set transports the source
// onto it, so its W2 is at the finite-sample floor; its paths curve
// (independent coupling), so straightness and NPE are clearly above 0.
func TestMarginalFieldScoresNearTheFloor(t *testing.T) {
	targets := data.Sample(load(t, "8gaussians:radius=3,std=0.3"), rand.New(rand.NewPCG(5, 5)), 100)
	target, err := data.NewPointSet("eight", targets, 0)
	if err != nil {
		t.Fatal(err)
	}
	field := &flow.Marginal{Path: flow.LinearPath{}, Targets: targets, SourceStd: 1}
	for _, solver := range []flow.Solver{flow.Euler, flow.Midpoint} {
		opt := Options{N: 500, Solver: solver, Steps: 50, Seed: 3}
		m, err := MeasureField(context.Background(), field, load(t, "gaussian"), target, opt)
		if err != nil {
			t.Fatal(err)
		}
		floor := floorW2(t, target, opt.N)
		t.Logf("%v: W2 %.4f (floor %.4f), 1 step %.4f, straightness %.3f, NPE %.3f", solver, m.W2, floor, m.W2OneStep, m.Straightness, m.NPE)
		if m.W2 > 1.25*floor+0.02 {
			t.Errorf("%v: W2 %.4f, want near the floor %.4f", solver, m.W2, floor)
		}
		// One step from t = 0 moves every particle by the target mean
		// (the posterior at t = 0 is the prior): nowhere near the target.
		if m.W2OneStep < 3*m.W2 {
			t.Errorf("%v: W2 after one step %.4f not far above W2 %.4f", solver, m.W2OneStep, m.W2)
		}
		if m.Straightness < 0.5 || m.NPE < 0.05 {
			t.Errorf("%v: straightness %.3f, NPE %.3f: the independent marginal flow should curve", solver, m.Straightness, m.NPE)
		}
		approx.Check(t, "NFE", float64(m.NFE), float64(opt.Steps*solver.EvalsPerStep()), 0, 0)
	}
}

// Closed forms: a constant field v = c moves straight at constant speed
// (straightness 0, one Euler step exact); the rotation v = ω·(−y, x) moves
// along arcs, and with the discrete formula of flow.Straightness its
// straightness is E r² · ((2 sin(ωΔt/2)/Δt)² − 4 sin²(ω/2)): the chord of each
// step against the chord of the whole arc.
func TestMeasureFieldClosedForms(t *testing.T) {
	const omega = 1.5
	c := flow.Vec{2, -1}
	constant := flow.FieldFunc(func(dst, x []flow.Vec, _ float64) {
		for i := range dst {
			dst[i] = c
		}
	})
	rotation := flow.FieldFunc(func(dst, x []flow.Vec, _ float64) {
		for i, p := range x {
			dst[i] = flow.Vec{-omega * p[1], omega * p[0]}
		}
	})
	source := load(t, "gaussian:std=0.7")
	opt := Options{N: 500, Solver: flow.RK4, Steps: 50, Seed: 8}
	x0 := data.Sample(source, rand.New(rand.NewPCG(opt.Seed, streamSource)), opt.N)
	meanR2 := 0.0
	for _, p := range x0 {
		meanR2 += p[0]*p[0] + p[1]*p[1]
	}
	meanR2 /= float64(opt.N)
	dt := 1.0 / float64(opt.Steps)
	chord := 2 * math.Sin(omega*dt/2) / dt
	for _, tc := range []struct {
		name         string
		field        flow.Field
		target       string
		straightness float64
		tol          float64
	}{
		{"constant", constant, "gaussian:std=0.7,x=2,y=-1", 0, 1e-20},
		{"rotation", rotation, "gaussian:std=0.7", meanR2 * (chord*chord - 4*math.Pow(math.Sin(omega/2), 2)), 1e-7},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, err := MeasureField(context.Background(), tc.field, source, load(t, tc.target), opt)
			if err != nil {
				t.Fatal(err)
			}
			approx.Check(t, "straightness", m.Straightness, tc.straightness, tc.tol, 1e-7)
			floor := floorW2(t, load(t, tc.target), opt.N)
			if m.W2 > 1.5*floor+0.02 {
				t.Errorf("W2 %.4f, want near the floor %.4f: the field maps the source onto the target", m.W2, floor)
			}
			approx.Check(t, "NFE", float64(m.NFE), 4*50, 0, 0)
		})
	}
	m, err := MeasureField(context.Background(), constant, source, load(t, "gaussian:std=0.7,x=2,y=-1"), opt)
	if err != nil {
		t.Fatal(err)
	}
	approx.Check(t, "W2 after 1 step of a constant field", m.W2OneStep, m.W2, 1e-12, 1e-9)
}

func TestMeasureFieldRefuses(t *testing.T) {
	zero := flow.FieldFunc(func(dst, _ []flow.Vec, _ float64) { clear(dst) })
	src, tgt := load(t, "gaussian"), load(t, "moons")
	empty := &data.PointSet{Name: "nothing"}
	for _, tc := range []struct {
		name        string
		src, tgt    data.Dist
		opt         Options
		errContains string
	}{
		{"one sample", src, tgt, Options{N: 1}, "samples"},
		{"too many samples", src, tgt, Options{N: flow.MaxW2Points + 1}, "samples"},
		{"negative steps", src, tgt, Options{Steps: -1}, "solver steps"},
		{"too many steps", src, tgt, Options{Steps: MaxSteps + 1}, "solver steps"},
		{"unknown solver", src, tgt, Options{Solver: 9}, "solver"},
		{"empty target", src, empty, Options{}, "no points"},
		{"no source", nil, tgt, Options{}, "no points"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := MeasureField(context.Background(), zero, tc.src, tc.tgt, tc.opt)
			if err == nil || !strings.Contains(err.Error(), tc.errContains) {
				t.Errorf("error %v, want one about %q", err, tc.errContains)
			}
		})
	}
}

func TestMeasureFieldCancels(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	calls := 0
	field := flow.FieldFunc(func(dst, x []flow.Vec, _ float64) {
		if calls++; calls == 3 {
			cancel()
		}
		clear(dst)
	})
	_, err := MeasureField(ctx, field, load(t, "gaussian"), load(t, "moons"), Options{})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("error %v, want context.Canceled", err)
	}
	if calls != 3 {
		t.Errorf("the field was evaluated %d times, want 3: evaluation stops once ctx ends", calls)
	}
}

// trainedSnapshot trains cfg for n steps and returns the published snapshot.
func trainedSnapshot(tb testing.TB, cfg train.Config, n int) *train.Snapshot {
	tb.Helper()
	tr, err := train.New(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	for range n {
		if _, err := tr.Step(); err != nil {
			tb.Fatal(err)
		}
	}
	tr.Publish()
	return tr.Latest()
}

// Measure reads a published snapshot: its step, loss and speed, and the
// same sample metrics as MeasureField on its network; the same seed gives
// the same numbers.
func TestMeasureSnapshot(t *testing.T) {
	cfg := train.DefaultConfig()
	cfg.Net = mlp.Config{Width: 16, Depth: 2, Act: mlp.SiLU}
	cfg.Batch = 64
	snap := trainedSnapshot(t, cfg, 30)
	opt := Options{N: 300, Steps: 20, Seed: 4}
	m, err := Measure(context.Background(), snap, nil, opt)
	if err != nil {
		t.Fatal(err)
	}
	if m.Step != 30 || m.Loss != snap.Loss || m.StepsPerSec != snap.StepsPerSec {
		t.Errorf("step %d loss %v steps/s %v, want the snapshot's 30 %v %v", m.Step, m.Loss, m.StepsPerSec, snap.Loss, snap.StepsPerSec)
	}
	f, err := MeasureField(context.Background(), snap.Model().Field(), snap.Source, snap.Target, opt)
	if err != nil {
		t.Fatal(err)
	}
	f.Step, f.Loss, f.StepsPerSec = m.Step, m.Loss, m.StepsPerSec
	if f != m {
		t.Errorf("Measure %+v, MeasureField %+v", m, f)
	}
	if _, err := Measure(context.Background(), nil, nil, opt); err == nil {
		t.Error("Measure of a nil snapshot: no error")
	}
}

func TestBetter(t *testing.T) {
	nan := math.NaN()
	base := Metrics{Step: 100, Loss: 1, W2: 0.5, W2OneStep: 2, Straightness: 0.3, NPE: 0.2, NFE: 100, StepsPerSec: 1000}
	for _, tc := range []struct {
		name string
		b    func(*Metrics)
		want Verdict
	}{
		{"identical", func(*Metrics) {}, Verdict{}},
		{"B lower loss", func(m *Metrics) { m.Loss = 0.5 }, Verdict{Loss: B}},
		{"B higher W2", func(m *Metrics) { m.W2 = 0.6 }, Verdict{W2: A}},
		{"within the tie band", func(m *Metrics) { m.W2OneStep = 2 * (1 - TieBand/2) }, Verdict{}},
		{"just outside the band", func(m *Metrics) { m.W2OneStep = 2 * (1 - 2*TieBand) }, Verdict{W2OneStep: B}},
		{"straighter and fewer evaluations", func(m *Metrics) { m.Straightness, m.NPE, m.NFE = 0.1, 0.05, 99 },
			Verdict{Straightness: B, NPE: B, NFE: B}},
		{"faster", func(m *Metrics) { m.StepsPerSec = 1200 }, Verdict{StepsPerSec: B}},
		{"speed jitter ties", func(m *Metrics) { m.StepsPerSec = 1000 * (1 + SpeedTieBand/2) }, Verdict{}},
		{"slower", func(m *Metrics) { m.StepsPerSec = 500 }, Verdict{StepsPerSec: A}},
		{"steps are not judged", func(m *Metrics) { m.Step = 5 }, Verdict{}},
		{"NaN loss loses", func(m *Metrics) { m.Loss = nan }, Verdict{Loss: A}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := base
			tc.b(&b)
			if got := Better(base, b); got != tc.want {
				t.Errorf("Better = %+v, want %+v", got, tc.want)
			}
		})
	}
	a, b := base, base
	a.Loss, b.Loss = nan, nan
	if got := Better(a, b).Loss; got != Tie {
		t.Errorf("two NaN losses: %v, want a tie", got)
	}
	if got := Better(a, base).Loss; got != B {
		t.Errorf("NaN against a number: %v, want B", got)
	}
}

func TestReportTableAndJSON(t *testing.T) {
	a := Metrics{Step: 3000, Loss: math.NaN(), W2: 0.15, W2OneStep: 1.2, Straightness: 0.8, NPE: 0.3, NFE: 100, StepsPerSec: 2000}
	b := a
	b.Loss, b.W2OneStep, b.Straightness, b.NPE = 1.5, 0.4, 0.1, 0.05
	r := NewReport("independent", "coupling=ot", a, b)

	var table bytes.Buffer
	if err := r.WriteTable(&table); err != nil {
		t.Fatal(err)
	}
	t.Logf("\n%s", table.String())
	rows := map[string][]string{}
	for _, line := range strings.Split(table.String(), "\n") {
		// Row names hold at most single spaces; columns are two apart.
		if name, rest, ok := strings.Cut(line, "  "); ok {
			rows[name] = strings.Fields(rest)
		}
	}
	for name, want := range map[string][]string{
		"metric":          {"A:", "independent", "B:", "coupling=ot"},
		"step":            {"3000", "3000"},
		"loss":            {"–", "1.5000", "*"},
		"W2":              {"0.1500", "=", "0.1500", "="},
		"W2 after 1 step": {"1.2000", "0.4000", "*"},
		"straightness":    {"0.8000", "0.1000", "*"},
		"NFE":             {"100", "=", "100", "="},
		"steps/s":         {"2000", "=", "2000", "="},
	} {
		if got := rows[name]; strings.Join(got, " ") != strings.Join(want, " ") {
			t.Errorf("row %q = %q, want %q", name, got, want)
		}
	}

	var js bytes.Buffer
	if err := r.WriteJSON(&js); err != nil {
		t.Fatal(err)
	}
	var back struct {
		A struct {
			Label   string              `json:"label"`
			Metrics map[string]*float64 `json:"metrics"`
		} `json:"a"`
		Better map[string]string `json:"better"`
	}
	if err := json.Unmarshal(js.Bytes(), &back); err != nil {
		t.Fatalf("%v in\n%s", err, js.String())
	}
	if back.A.Label != "independent" || back.A.Metrics["loss"] != nil || *back.A.Metrics["w2"] != 0.15 || *back.A.Metrics["nfe"] != 100 {
		t.Errorf("JSON side A = %+v", back.A)
	}
	if back.Better["straightness"] != "B" || back.Better["w2"] != "tie" || back.Better["loss"] != "B" {
		t.Errorf("JSON verdict = %v", back.Better)
	}
}

// BenchmarkMeasure measures a default 3×64 network at the default options
// (1,000 samples, 100 Euler steps, three exact W2): the cost of one refresh
// of the comparison strip.
func BenchmarkMeasure(b *testing.B) {
	cfg := train.DefaultConfig()
	cfg.Source, cfg.Target = "8gaussians:std=0.5", "moons"
	snap := trainedSnapshot(b, cfg, 200)
	for b.Loop() {
		if _, err := Measure(context.Background(), snap, nil, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}
