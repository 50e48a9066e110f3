package mlp

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
)

// refForward is an independent float64 implementation of the network from
// the documented parameter layout: the ground truth for Forward, Eval and
// (through finite differences) Backward.
func refForward(cfg Config, params []float64, x, y, t float64) [2]float64 {
	return refForwardClass(cfg, params, x, y, t, NullClass)
}

// refForwardClass is refForward for class input class (one-hot after the
// time features; all zero for NullClass).
func refForwardClass(cfg Config, params []float64, x, y, t float64, class int) [2]float64 {
	h := refForwardDimClass(cfg, params, []float64{x, y}, t, class)
	return [2]float64{h[0], h[1]}
}

func to64(s []float32) []float64 {
	d := make([]float64, len(s))
	for i, v := range s {
		d[i] = float64(v)
	}
	return d
}

// testBatch draws B points and times.
func testBatch(rng *rand.Rand, b int) (x, t []float32) {
	x, t = make([]float32, 2*b), make([]float32, b)
	for i := range b {
		x[2*i], x[2*i+1] = float32(2*rng.NormFloat64()), float32(2*rng.NormFloat64())
		t[i] = rng.Float32()
	}
	return x, t
}

func newTestNet(t *testing.T, cfg Config, seed uint64) *Net {
	t.Helper()
	n, err := New(cfg, rand.New(rand.NewPCG(seed, 99)))
	if err != nil {
		t.Fatal(err)
	}
	// Non-zero biases, so that their handling is tested too.
	rng := rand.New(rand.NewPCG(seed, 7))
	off := 0
	for l := range cfg.Depth + 1 {
		in, out := cfg.layerDims(l)
		off += in * out
		for j := range out {
			n.Params[off+j] = float32(0.3 * rng.NormFloat64())
		}
		off += out
	}
	return n
}

// testConfigs cover padded widths (5 → 8, 24 = 16 + 8 columns), one to
// three hidden layers, and Fourier features; small enough for finite
// differences over every parameter.
var testConfigs = []Config{
	{Width: 5, Depth: 1},
	{Width: 16, Depth: 2, Fourier: 2},
	{Width: 24, Depth: 2},
	{Width: 8, Depth: 3, Fourier: 1},
}

func forEachConfig(t *testing.T, f func(t *testing.T, cfg Config)) {
	for _, base := range testConfigs {
		for act := range numActivations {
			cfg := base
			cfg.Act = act
			t.Run(fmt.Sprintf("w%d_d%d_f%d_%v", cfg.Width, cfg.Depth, cfg.Fourier, act), func(t *testing.T) { f(t, cfg) })
		}
	}
}

func TestForwardMatchesReference(t *testing.T) {
	withKernels(t, func(t *testing.T) {
		forEachConfig(t, func(t *testing.T, cfg Config) {
			rng := rand.New(rand.NewPCG(5, 6))
			n := newTestNet(t, cfg, 11)
			ws := NewWorkspace(cfg, 20)
			x, tt := testBatch(rng, 13)
			out := n.Forward(ws, x, tt)
			p64 := to64(n.Params)
			for i := range tt {
				want := refForward(cfg, p64, float64(x[2*i]), float64(x[2*i+1]), float64(tt[i]))
				for c := range 2 {
					if got := float64(out[2*i+c]); math.Abs(got-want[c]) > 1e-4*(1+math.Abs(want[c])) {
						t.Fatalf("row %d component %d: %v, want %v", i, c, got, want[c])
					}
				}
			}
		})
	})
}

// TestBackwardGradientCheck compares Backward with central finite
// differences of the float64 reference, for L = Σᵢ dout_i·out_i.
func TestBackwardGradientCheck(t *testing.T) {
	forEachConfig(t, func(t *testing.T, cfg Config) {
		rng := rand.New(rand.NewPCG(8, 9))
		n := newTestNet(t, cfg, 12)
		const b = 7
		x, tt := testBatch(rng, b)
		dout := randSlice(rng, 2*b)

		p64 := to64(n.Params)
		loss := func() float64 {
			var s float64
			for i := range b {
				o := refForward(cfg, p64, float64(x[2*i]), float64(x[2*i+1]), float64(tt[i]))
				s += float64(dout[2*i])*o[0] + float64(dout[2*i+1])*o[1]
			}
			return s
		}
		fd, scale := finiteDiffGrad(p64, loss)

		withKernels(t, func(t *testing.T) {
			ws := NewWorkspace(cfg, b+4)
			n.Forward(ws, x, tt)
			grad := make([]float32, len(n.Params))
			for i := range grad {
				grad[i] = float32(math.NaN()) // must be overwritten
			}
			n.Backward(ws, dout, grad)
			for i := range fd {
				if diff := math.Abs(float64(grad[i]) - fd[i]); !(diff <= 1e-4*scale+1e-3*math.Abs(fd[i])) {
					t.Errorf("param %d: backward %v, finite difference %v", i, grad[i], fd[i])
				}
			}
		})
	})
}

// finiteDiffGrad returns the central-difference gradient of loss with respect
// to every entry of p (which loss reads), and its largest magnitude.
func finiteDiffGrad(p []float64, loss func() float64) (fd []float64, scale float64) {
	const eps = 1e-6
	fd = make([]float64, len(p))
	for i := range p {
		saved := p[i]
		p[i] = saved + eps
		up := loss()
		p[i] = saved - eps
		down := loss()
		p[i] = saved
		fd[i] = (up - down) / (2 * eps)
		scale = max(scale, math.Abs(fd[i]))
	}
	return fd, scale
}

func TestForwardBatchEqualsRows(t *testing.T) {
	withKernels(t, func(t *testing.T) {
		forEachConfig(t, func(t *testing.T, cfg Config) {
			rng := rand.New(rand.NewPCG(10, 11))
			n := newTestNet(t, cfg, 13)
			ws := NewWorkspace(cfg, 31)
			x, tt := testBatch(rng, 31)
			batch := append([]float32(nil), n.Forward(ws, x, tt)...)
			for i := range tt {
				row := n.Forward(ws, x[2*i:2*i+2], tt[i:i+1])
				for c := range 2 {
					if d := math.Abs(float64(row[c] - batch[2*i+c])); d > 1e-6*(1+math.Abs(float64(row[c]))) {
						t.Fatalf("row %d: alone %v, in batch %v", i, row, batch[2*i:2*i+2])
					}
				}
			}
		})
	})
}

func TestEvalEqualsForward(t *testing.T) {
	withKernels(t, func(t *testing.T) {
		forEachConfig(t, func(t *testing.T, cfg Config) {
			rng := rand.New(rand.NewPCG(12, 13))
			n := newTestNet(t, cfg, 14)
			const rows = 53 // several chunks of 16, the last one short
			ws := NewWorkspace(cfg, 16)
			big := NewWorkspace(cfg, rows)
			x, _ := testBatch(rng, rows)
			for _, tv := range []float32{0, 0.37, 1} {
				tt := make([]float32, rows)
				for i := range tt {
					tt[i] = tv
				}
				want := n.Forward(big, x, tt)
				got := make([]float32, 2*rows)
				n.Eval(ws, x, tv, got)
				for i := range got {
					if d := math.Abs(float64(got[i] - want[i])); d > 1e-5*(1+math.Abs(float64(want[i]))) {
						t.Fatalf("t=%v value %d: Eval %v, Forward %v", tv, i, got[i], want[i])
					}
				}
			}
			n.Eval(ws, nil, 0.5, nil) // empty input is fine
		})
	})
}

// TestEvalChunksLargeWorkspace checks Eval's own chunking (evalChunk rows)
// on a workspace larger than that.
func TestEvalChunksLargeWorkspace(t *testing.T) {
	cfg := Config{Width: 16, Depth: 2, Act: Tanh, Fourier: 3}
	n := newTestNet(t, cfg, 17)
	const rows = 2*evalChunk + 37
	x, _ := testBatch(rand.New(rand.NewPCG(14, 15)), rows)
	small, large := make([]float32, 2*rows), make([]float32, 2*rows)
	n.Eval(NewWorkspace(cfg, 10), x, 0.8, small)
	n.Eval(NewWorkspace(cfg, rows), x, 0.8, large)
	for i := range small {
		if small[i] != large[i] {
			t.Fatalf("value %d: %v with a small workspace, %v with a large one", i, small[i], large[i])
		}
	}
}

// TestNetSharedAcrossGoroutines runs Eval on one Net from several
// goroutines, each with its own Workspace (run with -race).
func TestNetSharedAcrossGoroutines(t *testing.T) {
	cfg := DefaultConfig()
	n := newTestNet(t, cfg, 15)
	x, _ := testBatch(rand.New(rand.NewPCG(1, 1)), 100)
	want := make([]float32, len(x))
	n.Eval(NewWorkspace(cfg, 32), x, 0.5, want)
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for g := range errs {
		wg.Go(func() {
			ws := NewWorkspace(cfg, 32)
			got := make([]float32, len(x))
			for range 10 {
				n.Eval(ws, x, 0.5, got)
				for i := range got {
					if got[i] != want[i] {
						errs[g] = fmt.Errorf("goroutine %d value %d: %v, want %v", g, i, got[i], want[i])
						return
					}
				}
			}
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
}

func TestTrainingStepAllocatesNothing(t *testing.T) {
	withKernels(t, func(t *testing.T) {
		cfg := Config{Width: 24, Depth: 3, Act: SELU, Fourier: 2}
		n := newTestNet(t, cfg, 16)
		ws := NewWorkspace(cfg, 32)
		opt := NewAdam(len(n.Params))
		x, tt := testBatch(rand.New(rand.NewPCG(2, 2)), 32)
		target := randSlice(rand.New(rand.NewPCG(3, 3)), 64)
		dpred := make([]float32, 64)
		grad := make([]float32, len(n.Params))
		step := func() {
			pred := n.Forward(ws, x, tt)
			CFMLoss(pred, target, dpred)
			n.Backward(ws, dpred, grad)
			opt.Step(n.Params, grad)
		}
		step()
		if a := testing.AllocsPerRun(5, step); a != 0 {
			t.Errorf("training step allocates %v times", a)
		}
		out := make([]float32, 2000)
		xe := randSlice(rand.New(rand.NewPCG(4, 4)), 2000)
		if a := testing.AllocsPerRun(5, func() { n.Eval(ws, xe, 0.3, out) }); a != 0 {
			t.Errorf("Eval allocates %v times", a)
		}
	})
}

// TestTrainingReducesLoss fits a small net to a smooth time-dependent field
// with the same step the trainer uses.
func TestTrainingReducesLoss(t *testing.T) {
	for _, act := range []Activation{SiLU, SELU} {
		t.Run(act.String(), func(t *testing.T) {
			cfg := Config{Width: 32, Depth: 2, Act: act, Fourier: 1}
			n, err := New(cfg, rand.New(rand.NewPCG(21, 22)))
			if err != nil {
				t.Fatal(err)
			}
			const b = 128
			ws := NewWorkspace(cfg, b)
			opt := NewAdam(len(n.Params))
			opt.LR = 3e-3
			rng := rand.New(rand.NewPCG(23, 24))
			target := make([]float32, 2*b)
			dpred := make([]float32, 2*b)
			grad := make([]float32, len(n.Params))
			var first, last float64
			const steps = 600
			for s := range steps {
				x, tt := testBatch(rng, b)
				for i := range b {
					// v(x, y, t) = (y·cos 2πt, −x + t)
					target[2*i] = x[2*i+1] * float32(math.Cos(2*math.Pi*float64(tt[i])))
					target[2*i+1] = -x[2*i] + tt[i]
				}
				loss := CFMLoss(n.Forward(ws, x, tt), target, dpred)
				n.Backward(ws, dpred, grad)
				opt.Step(n.Params, grad)
				if s < 10 {
					first += loss / 10
				}
				if s >= steps-10 {
					last += loss / 10
				}
			}
			if !(last < first/20) {
				t.Errorf("loss went from %.4g to %.4g, want a 20-fold drop", first, last)
			}
		})
	}
}

func TestCFMLoss(t *testing.T) {
	pred := []float32{1, 2, 3, 4}
	target := []float32{0, 2, 5, 4}
	dpred := make([]float32, 4)
	// ((1)² + 0 + (−2)² + 0)/4 = 1.25; d = 2·diff/4
	if got := CFMLoss(pred, target, dpred); math.Abs(got-1.25) > 1e-12 {
		t.Errorf("loss = %v, want 1.25", got)
	}
	want := []float32{0.5, 0, -1, 0}
	for i := range want {
		if dpred[i] != want[i] {
			t.Errorf("dpred = %v, want %v", dpred, want)
			break
		}
	}
}

func TestAdamFirstStepsByHand(t *testing.T) {
	withKernels(t, testAdamFirstStepsByHand)
}

func testAdamFirstStepsByHand(t *testing.T) {
	// f(θ) = ½·Σ cᵢθᵢ², ∇f = cᵢθᵢ. Step 1 by hand: m = (1−β₁)g, v = (1−β₂)g²,
	// so m̂ = g, v̂ = g² and θ moves by lr·g/(|g| + ε) ≈ lr·sign(g).
	// 19 parameters: two vectors of 8 for the kernel and a tail of 3.
	var c []float64
	var theta0 []float32
	for i := range 19 {
		c = append(c, []float64{1, 4, 0.25, 10}[i%4]*(1+float64(i)/10))
		theta0 = append(theta0, []float32{1, -0.5, 2, 0.1, -3}[i%5])
	}
	params := append([]float32(nil), theta0...)
	grad := make([]float32, len(c))
	opt := NewAdam(len(c))
	opt.LR = 0.1
	gradient := func() {
		for i := range c {
			grad[i] = float32(c[i] * float64(params[i]))
		}
	}
	gradient()
	opt.Step(params, grad)
	for i := range c {
		want := float64(theta0[i]) - 0.1*math.Copysign(1, float64(theta0[i]))
		if math.Abs(float64(params[i])-want) > 1e-6 {
			t.Errorf("step 1: θ[%d] = %v, want %v", i, params[i], want)
		}
	}
	// Steps 2 and 3 against the formulas in float64.
	m, v := make([]float64, len(c)), make([]float64, len(c))
	ref := to64(theta0)
	for step := 1; step <= 3; step++ {
		for i := range c {
			g := c[i] * ref[i]
			m[i] = 0.9*m[i] + 0.1*g
			v[i] = 0.999*v[i] + 0.001*g*g
			mh := m[i] / (1 - math.Pow(0.9, float64(step)))
			vh := v[i] / (1 - math.Pow(0.999, float64(step)))
			ref[i] -= 0.1 * mh / (math.Sqrt(vh) + 1e-8)
		}
		if step == 1 {
			continue
		}
		gradient()
		opt.Step(params, grad)
		for i := range c {
			if math.Abs(float64(params[i])-ref[i]) > 1e-5 {
				t.Errorf("step %d: θ[%d] = %v, want %v", step, i, params[i], ref[i])
			}
		}
	}
	if opt.Steps != 3 {
		t.Errorf("Steps = %d, want 3", opt.Steps)
	}
	opt.Reset()
	if opt.Steps != 0 || opt.M[0] != 0 || opt.V[1] != 0 {
		t.Errorf("Reset left state: steps %d, m %v, v %v", opt.Steps, opt.M, opt.V)
	}
}

func TestAdamWDecaysWithoutGradient(t *testing.T) {
	withKernels(t, func(t *testing.T) {
		// With g = 0 the moments stay 0 and only the decay acts:
		// θ_t = θ₀·(1 − lr·wd)ᵗ.
		p0 := make([]float64, 11)
		params := make([]float32, 11)
		for i := range params {
			params[i] = float32(i) - 4
			p0[i] = float64(params[i])
		}
		opt := NewAdam(11)
		opt.LR, opt.WeightDecay = 0.01, 0.5
		for range 10 {
			opt.Step(params, make([]float32, 11))
		}
		f := math.Pow(1-0.01*0.5, 10)
		for i := range params {
			if math.Abs(float64(params[i])-p0[i]*f) > 1e-6 {
				t.Errorf("θ[%d] = %v, want %v", i, params[i], p0[i]*f)
			}
		}
	})
}

// TestAdamKernelsAgree runs AdamW with both kernel paths on the same
// gradients.
func TestAdamKernelsAgree(t *testing.T) {
	if bestKernels < kernelsAVX2 {
		t.Skip("no assembly kernels on this CPU")
	}
	const n = 1003
	rng := rand.New(rand.NewPCG(70, 71))
	init := randSlice(rng, n)
	var grads [][]float32
	for range 5 {
		grads = append(grads, randSlice(rng, n))
	}
	run := func(k kernelSet) []float32 {
		defer useKernels(k)()
		p := append([]float32(nil), init...)
		opt := NewAdam(n)
		opt.WeightDecay = 0.1
		for _, g := range grads {
			opt.Step(p, g)
		}
		return p
	}
	goP, asmP := run(kernelsGo), run(kernelsAVX2)
	for i := range goP {
		if math.Abs(float64(goP[i]-asmP[i])) > 1e-6*(1+math.Abs(float64(goP[i]))) {
			t.Fatalf("param %d: go %v, asm %v", i, goP[i], asmP[i])
		}
	}
}

func TestAdamStateRestores(t *testing.T) {
	// An optimizer rebuilt from saved M, V and Steps continues identically.
	rng := rand.New(rand.NewPCG(30, 31))
	a, b := append([]float32(nil), randSlice(rng, 10)...), []float32(nil)
	opt := NewAdam(10)
	for range 5 {
		opt.Step(a, randSlice(rng, 10))
	}
	b = append(b, a...)
	restored := NewAdam(10)
	restored.M = append([]float32(nil), opt.M...)
	restored.V = append([]float32(nil), opt.V...)
	restored.Steps = opt.Steps
	g := randSlice(rng, 10)
	opt.Step(a, g)
	restored.Step(b, g)
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("param %d: %v after restore, %v without", i, b[i], a[i])
		}
	}
}

func TestValidate(t *testing.T) {
	cases := []struct {
		cfg  Config
		want string // substring of the error, "" for valid
	}{
		{DefaultConfig(), ""},
		{Config{Width: 1, Depth: 1}, ""},
		{Config{Width: 1024, Depth: 16, Act: ReLU, Fourier: 32}, ""},
		{Config{Width: 0, Depth: 3}, "width 0 out of range 1..1024"},
		{Config{Width: 1025, Depth: 3}, "width 1025"},
		{Config{Width: 64, Depth: 0}, "depth 0 out of range 1..16"},
		{Config{Width: 64, Depth: 17}, "depth 17"},
		{Config{Width: 64, Depth: 3, Fourier: -1}, "fourier -1 out of range 0..32"},
		{Config{Width: 64, Depth: 3, Fourier: 33}, "fourier 33"},
		{Config{Width: 64, Depth: 3, Act: 9}, "unknown activation 9"},
	}
	for _, c := range cases {
		err := c.cfg.Validate()
		if c.want == "" {
			if err != nil {
				t.Errorf("%+v: unexpected error %v", c.cfg, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: error %v, want it to mention %q", c.cfg, err, c.want)
		}
		if _, err := New(c.cfg, rand.New(rand.NewPCG(1, 1))); err == nil {
			t.Errorf("New accepted %+v", c.cfg)
		}
	}
}

func TestFromParams(t *testing.T) {
	cfg := DefaultConfig()
	// 3·64+64 + 2·(64·64+64) + 64·2+2 = 8706
	if got := NumParams(cfg); got != 8706 {
		t.Fatalf("NumParams = %d, want 8706", got)
	}
	if got := NumParams(Config{Width: 4, Depth: 1, Fourier: 1}); got != 5*4+4+4*2+2 {
		t.Errorf("NumParams with fourier = %d, want 34", got)
	}
	good := make([]float32, 8706)
	n, err := FromParams(cfg, good)
	if err != nil || &n.Params[0] != &good[0] {
		t.Fatalf("FromParams(valid) = %v, %v", n, err)
	}
	cases := []struct {
		name   string
		cfg    Config
		params []float32
		want   string
	}{
		{"short", cfg, make([]float32, 8705), "8705 parameters given"},
		{"long", cfg, make([]float32, 9000), "needs 8706"},
		{"bad config", Config{Width: 0, Depth: 3}, good, "width 0"},
		{"nan", cfg, func() []float32 { p := make([]float32, 8706); p[17] = float32(math.NaN()); return p }(), "parameter 17 is NaN"},
		{"inf", cfg, func() []float32 { p := make([]float32, 8706); p[3] = float32(math.Inf(1)); return p }(), "parameter 3 is +Inf"},
	}
	for _, c := range cases {
		if _, err := FromParams(c.cfg, c.params); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want it to mention %q", c.name, err, c.want)
		}
	}
}

func TestNewInitScale(t *testing.T) {
	// The first layer's weights have the documented variance per activation.
	cases := []struct {
		act  Activation
		want float64 // variance for fan-in 64, fan-out 64
	}{
		{SELU, 1.0 / 64}, {SiLU, 2.0 / 64}, {ReLU, 2.0 / 64}, {Tanh, 2.0 / 128},
	}
	for _, c := range cases {
		cfg := Config{Width: 64, Depth: 2, Act: c.act}
		n, err := New(cfg, rand.New(rand.NewPCG(40, 41)))
		if err != nil {
			t.Fatal(err)
		}
		// Layer 1 (hidden → hidden) starts after layer 0's 3·64 + 64 values.
		w := n.Params[3*64+64 : 3*64+64+64*64]
		var ss float64
		for _, v := range w {
			ss += float64(v) * float64(v)
		}
		if got := ss / float64(len(w)); math.Abs(got-c.want) > 0.1*c.want {
			t.Errorf("%v: weight variance %.4g, want %.4g", c.act, got, c.want)
		}
		b := n.Params[3*64+64+64*64 : 3*64+64+64*64+64]
		for _, v := range b {
			if v != 0 {
				t.Fatalf("%v: bias %v, want 0", c.act, v)
			}
		}
	}
}

func TestCloneIsDeep(t *testing.T) {
	n := newTestNet(t, DefaultConfig(), 50)
	c := n.Clone()
	if c.Config != n.Config || len(c.Params) != len(n.Params) || c.Params[5] != n.Params[5] {
		t.Fatal("clone differs")
	}
	c.Params[5]++
	if c.Params[5] == n.Params[5] {
		t.Error("clone shares its parameters")
	}
}

func TestParseActivation(t *testing.T) {
	for _, c := range []struct {
		in   string
		want Activation
	}{{"silu", SiLU}, {"SELU", SELU}, {" Tanh ", Tanh}, {"relu", ReLU}} {
		got, err := ParseActivation(c.in)
		if err != nil || got != c.want {
			t.Errorf("ParseActivation(%q) = %v, %v, want %v", c.in, got, err, c.want)
		}
	}
	for act := range numActivations {
		if got, err := ParseActivation(act.String()); err != nil || got != act {
			t.Errorf("round trip of %v gave %v, %v", act, got, err)
		}
	}
	if _, err := ParseActivation("gelu2"); err == nil || !strings.Contains(err.Error(), `"gelu2"`) || !strings.Contains(err.Error(), "silu, selu, tanh, relu") {
		t.Errorf("ParseActivation(gelu2) error = %v", err)
	}
	if s := Activation(17).String(); s != "Activation(17)" {
		t.Errorf("String of unknown = %q", s)
	}
}

func TestEmptyBatch(t *testing.T) {
	cfg := Config{Width: 8, Depth: 1}
	n := newTestNet(t, cfg, 61)
	ws := NewWorkspace(cfg, 4)
	if out := n.Forward(ws, nil, nil); len(out) != 0 {
		t.Fatalf("Forward of nothing gave %v", out)
	}
	grad := make([]float32, len(n.Params))
	grad[3] = 7
	n.Backward(ws, nil, grad)
	for i, g := range grad {
		if g != 0 {
			t.Fatalf("gradient of an empty batch: grad[%d] = %v", i, g)
		}
	}
}

func TestMisuse(t *testing.T) {
	cfg := Config{Width: 8, Depth: 1}
	n := newTestNet(t, cfg, 60)
	cases := []struct {
		name string
		f    func()
	}{
		{"batch too big", func() { n.Forward(NewWorkspace(cfg, 2), make([]float32, 6), make([]float32, 3)) }},
		{"x and t lengths", func() { n.Forward(NewWorkspace(cfg, 4), make([]float32, 6), make([]float32, 2)) }},
		{"other config", func() { n.Forward(NewWorkspace(DefaultConfig(), 4), make([]float32, 2), make([]float32, 1)) }},
		{"backward first", func() { n.Backward(NewWorkspace(cfg, 4), make([]float32, 2), make([]float32, len(n.Params))) }},
		{"grad length", func() {
			ws := NewWorkspace(cfg, 4)
			n.Forward(ws, make([]float32, 2), make([]float32, 1))
			n.Backward(ws, make([]float32, 2), make([]float32, 3))
		}},
		{"eval lengths", func() { n.Eval(NewWorkspace(cfg, 4), make([]float32, 4), 0, make([]float32, 2)) }},
		{"backward after eval", func() {
			ws := NewWorkspace(cfg, 4)
			n.Forward(ws, make([]float32, 2), make([]float32, 1))
			n.Eval(ws, make([]float32, 2), 0, make([]float32, 2))
			n.Backward(ws, make([]float32, 2), make([]float32, len(n.Params)))
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Error("no panic")
				}
			}()
			c.f()
		})
	}
}
