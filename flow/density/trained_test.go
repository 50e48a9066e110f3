package density

import (
	"context"
	"math"
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/flowviz/flowviz/flow"
	"github.com/flowviz/flowviz/flow/data"
	"github.com/flowviz/flowviz/flow/mlp"
	"github.com/flowviz/flowviz/flow/train"
)

// trained caches the networks the tests train, one per target spec.
var trained sync.Map

// trainedNet trains the default network from the standard Gaussian to
// target for steps steps (once per target per test binary), the last third
// at a lower learning rate so that the weights settle instead of jittering
// around the optimum.
func trainedNet(t *testing.T, target string, steps int) *mlp.Net {
	t.Helper()
	if testing.Short() {
		t.Skip("trains a model")
	}
	if n, ok := trained.Load(target); ok {
		return n.(*mlp.Net)
	}
	cfg := train.DefaultConfig()
	cfg.Target = target
	cfg.LR = 2e-3
	tr, err := train.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	for i := range steps {
		if i == 2*steps/3 {
			tr.SetLR(2e-4)
		}
		if _, err := tr.Step(); err != nil {
			t.Fatal(err)
		}
	}
	tr.Publish()
	net := tr.Latest().Net
	trained.Store(target, net)
	return net
}

// TestNetFieldDivergenceMatchesFiniteDifferences compares the network's
// exact divergence with central differences of its float32 velocity. Only
// the smooth activations: with SELU and ReLU a 1e-2 difference straddles a
// kink at one point in six; mlp's own test checks every activation's
// Jacobian against the float64 reference at a step of 1e-5.
func TestNetFieldDivergenceMatchesFiniteDifferences(t *testing.T) {
	for _, act := range []mlp.Activation{mlp.SiLU, mlp.Tanh} {
		net, err := mlp.New(mlp.Config{Width: 32, Depth: 3, Act: act, Fourier: 2}, rand.New(rand.NewPCG(1, uint64(act))))
		if err != nil {
			t.Fatal(err)
		}
		g := Grid{View: Rect{-3, -3, 3, 3}, NX: 23, NY: 17}
		pts := g.Points()
		v, div := make([]flow.Vec, len(pts)), make([]float64, len(pts))
		fv, fdiv := make([]flow.Vec, len(pts)), make([]float64, len(pts))
		for _, tt := range []float64{0, 0.3, 1} {
			NewNetField(net).VelocityDiv(v, div, pts, tt)
			// Float32 velocities: a step of 1e-2 balances the O(h²)
			// truncation against the O(ε/h) rounding.
			FiniteDiff{Field: train.NewNetField(net), H: 1e-2}.VelocityDiv(fv, fdiv, pts, tt)
			for i := range pts {
				if v[i] != fv[i] {
					t.Fatalf("%v: velocity %v, Eval %v", act, v[i], fv[i])
				}
				if math.Abs(div[i]-fdiv[i]) > 3e-3*(1+math.Abs(fdiv[i])) {
					t.Fatalf("%v t=%v at %v: divergence %v, finite differences %v", act, tt, pts[i], div[i], fdiv[i])
				}
			}
		}
	}
}

// TestLearnedGaussianDensity trains N(0, I) → N((2, 1), 0.5²·I). With the
// independent coupling on the straight path the exact marginal is
// N(t·μ, (t²·0.25 + (1−t)²)·I) (PathMarginal); the learned density must be
// close to it where the mass is, and integrate to 1 over the grid.
func TestLearnedGaussianDensity(t *testing.T) {
	net := trainedNet(t, "gaussian:std=0.5,x=2,y=1", 6000)
	src := gaussianSource(1)
	comps, _ := TargetComponents(data.Gaussian{Std: 0.5, Mean: flow.Vec{2, 1}})
	for _, tt := range []float64{0.5, 1} {
		alpha, sigma := flow.LinearPath{}.CondMeanStd(tt, 1)
		exact, err := PathMarginal(comps, alpha, sigma, 0)
		if err != nil {
			t.Fatal(err)
		}
		g := Grid{View: Rect{-4, -4, 6, 5}, NX: 80, NY: 72}
		learned, err := LearnedLogProb(context.Background(), NewNetField(net), src, g, tt, DefaultOptions())
		if err != nil {
			t.Fatal(err)
		}
		want, _ := ExactLogProb(exact, g)
		// Compare where the exact density holds its bulk (within ~2.5σ).
		peak := want[0]
		for _, w := range want {
			peak = max(peak, w)
		}
		sum, n := 0.0, 0
		for i := range want {
			if want[i] > peak-3 {
				sum += math.Abs(learned[i] - want[i])
				n++
			}
		}
		if mae := sum / float64(n); mae > 0.08 {
			t.Errorf("t=%v: mean |log p − exact| = %.3f nats over %d cells of the bulk", tt, mae, n)
		} else {
			t.Logf("t=%v: mean |log p − exact| = %.4f nats over %d cells", tt, mae, n)
		}
		if m := g.Mass(learned); math.Abs(m-1) > 0.01 {
			t.Errorf("t=%v: learned density integrates to %.4f over the grid", tt, m)
		}
	}
}

// TestLearnedDensityMatchesOwnSamples checks a moons model's density
// against a histogram of its own samples: the probability of each cell from
// the density (midpoint rule on 3×3 sub-cells) and the fraction of samples
// in it must agree to within the Monte-Carlo noise, and the total variation
// must be small.
func TestLearnedDensityMatchesOwnSamples(t *testing.T) {
	net := trainedNet(t, "moons", 1500)
	const nx, ny, sub = 18, 12, 3
	view := Rect{-3, -1.5, 3, 2.5}
	fine := Grid{View: view, NX: nx * sub, NY: ny * sub}
	lp, err := LearnedLogProb(context.Background(), NewNetField(net), gaussianSource(1), fine, 1, DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	w, h := fine.CellSize()
	want := make([]float64, nx*ny)
	for j := range ny * sub {
		for i := range nx * sub {
			want[(j/sub)*nx+i/sub] += math.Exp(lp[j*nx*sub+i]) * w * h
		}
	}
	const n = 50_000
	x := data.Sample(data.Gaussian{Std: 1}, rand.New(rand.NewPCG(9, 10)), n)
	flow.Integrate(train.NewNetField(net), flow.RK4, x, 0, 1, 50, nil)
	got := make([]float64, nx*ny)
	cw, ch := (view.MaxX-view.MinX)/nx, (view.MaxY-view.MinY)/ny
	for _, p := range x {
		i, j := int((p[0]-view.MinX)/cw), int((view.MaxY-p[1])/ch)
		if p[0] >= view.MinX && p[1] <= view.MaxY && i < nx && j < ny && i >= 0 && j >= 0 {
			got[j*nx+i] += 1.0 / n
		}
	}
	tv := 0.0
	for k := range got {
		tv += 0.5 * math.Abs(got[k]-want[k])
		if se := math.Sqrt(want[k] / n); math.Abs(got[k]-want[k]) > 5*se+0.002 {
			t.Errorf("cell %d: %.4f of the samples, density says %.4f", k, got[k], want[k])
		}
	}
	if tv > 0.03 {
		t.Errorf("total variation between histogram and density %.4f", tv)
	}
	t.Logf("total variation %.4f", tv)
}

// TestNLLAboveEntropy trains on a mixture of eight overlapping Gaussians:
// the NLL of held-out samples estimates H + KL ≥ H, so it must lie just
// above the true entropy and never below it beyond the noise. The paired
// difference NLL − H on the same samples is KL(p‖q), with a much smaller
// standard error.
func TestNLLAboveEntropy(t *testing.T) {
	target := data.EightGaussians{Radius: 2, Std: 0.5}
	net := trainedNet(t, "8gaussians:radius=2,std=0.5", 4000)
	mix, err := MixtureOf(target)
	if err != nil {
		t.Fatal(err)
	}
	h, hse := mix.Entropy(rand.New(rand.NewPCG(11, 12)), 200_000)
	x := data.Sample(target, rand.New(rand.NewPCG(13, 14)), 4000)
	logq := make([]float64, len(x))
	if err := LogProb(context.Background(), NewNetField(net), gaussianSource(1), x, 1, DefaultOptions(), logq); err != nil {
		t.Fatal(err)
	}
	nll, se := NLL(logq)
	kl, klse := KL(mix, x, logq)
	t.Logf("NLL %.4f ± %.4f, entropy %.4f ± %.4f, KL %.4f ± %.4f", nll, se, h, hse, kl, klse)
	if gap := nll - h; gap < -3*math.Hypot(se, hse) || gap > 0.15 {
		t.Errorf("NLL %.4f ± %.4f vs entropy %.4f ± %.4f: gap %.4f", nll, se, h, hse, gap)
	}
	if kl < -3*klse || kl > 0.1 {
		t.Errorf("KL %.4f ± %.4f: want small and not below 0 beyond noise", kl, klse)
	}
}
