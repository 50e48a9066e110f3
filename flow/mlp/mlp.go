// Package mlp is the velocity network v(x, t): a float32 multilayer perceptron with flat parameters, batched forward and backward passes on preallocated buffers, and the Adam optimizer.
package mlp

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
)

// Activation is the nonlinearity applied after every hidden layer.
type Activation int

// The supported activations. Each one maps 0 to 0, which the padded buffers
// of a Workspace rely on (padding columns stay zero through every layer).
const (
	SiLU Activation = iota // z·σ(z), smooth everywhere
	SELU                   // λz for z > 0, λα(eᶻ − 1) otherwise (Klambauer et al. 2017)
	Tanh                   // tanh z
	ReLU                   // max(z, 0)
	numActivations
)

var activationNames = [numActivations]string{"silu", "selu", "tanh", "relu"}

// String returns the lower-case name that ParseActivation accepts.
func (a Activation) String() string {
	if a < 0 || a >= numActivations {
		return fmt.Sprintf("Activation(%d)", int(a))
	}
	return activationNames[a]
}

// ParseActivation reads an activation name ("silu", "selu", "tanh", "relu"),
// ignoring case and surrounding space.
func ParseActivation(s string) (Activation, error) {
	name := strings.ToLower(strings.TrimSpace(s))
	for i, n := range activationNames {
		if n == name {
			return Activation(i), nil
		}
	}
	return 0, fmt.Errorf("mlp: unknown activation %q (want one of %s)", s, strings.Join(activationNames[:], ", "))
}

// Config describes the architecture. The inputs are the point x (Dim
// coordinates, 2 by default: x, y) and t; with Fourier = K > 0 the time is
// also fed as sin(2πkt), cos(2πkt) for k = 1..K, so the input width is
// Dim + 1 + 2K. A class-conditional network (Classes = C > 0) also takes its
// class y as C one-hot inputs after those, all zero for the null class ∅
// (y = NullClass) of classifier-free guidance, so the input width is
// Dim + 1 + 2K + C. Every hidden layer has Width units followed by Act; the
// output layer is linear with Dim units (the velocity, or whichever target
// the network is trained to predict).
type Config struct {
	Width   int        // hidden units per layer, default 64
	Depth   int        // number of hidden layers, default 3
	Act     Activation // default SiLU
	Fourier int        // number of time frequencies, default 0
	Dim     int        // dimension of x and v; 0 means 2, the plane
	Classes int        // number of classes of a conditional network, default 0 (unconditional)
}

// NullClass is the class input of no class: the unconditional prediction
// u(x | ∅) of a conditional network.
const NullClass = -1

// Limits checked by Config.Validate.
const (
	MaxWidth   = 1024
	MaxDepth   = 16
	MaxFourier = 32
	MaxDim     = 4096 // a 64×64 grey image
	MaxClasses = 100
)

// DefaultConfig returns 3 hidden layers of 64 SiLU units and no Fourier
// features.
//
// SiLU rather than SELU (which the PyTorch peer uses) because SiLU is smooth:
// SELU's slope jumps from λα ≈ 1.76 to λ ≈ 1.05 at 0, so the learned field has
// kinks where a higher-order solver (midpoint, Heun, RK4) loses its order, and
// the field plots show creases. SiLU is also what the flow_matching reference
// code uses for 2D examples. Both cost about the same here; set Act: SELU to
// reproduce the peer's network exactly.
func DefaultConfig() Config {
	return Config{Width: 64, Depth: 3, Act: SiLU, Fourier: 0}
}

// Validate reports the first field out of range, naming it and its limits.
func (c Config) Validate() error {
	var errs []error
	if c.Width < 1 || c.Width > MaxWidth {
		errs = append(errs, fmt.Errorf("mlp: width %d out of range 1..%d", c.Width, MaxWidth))
	}
	if c.Depth < 1 || c.Depth > MaxDepth {
		errs = append(errs, fmt.Errorf("mlp: depth %d out of range 1..%d", c.Depth, MaxDepth))
	}
	if c.Act < 0 || c.Act >= numActivations {
		errs = append(errs, fmt.Errorf("mlp: unknown activation %d (want 0..%d)", int(c.Act), int(numActivations)-1))
	}
	if c.Fourier < 0 || c.Fourier > MaxFourier {
		errs = append(errs, fmt.Errorf("mlp: fourier %d out of range 0..%d", c.Fourier, MaxFourier))
	}
	if c.Dim < 0 || c.Dim > MaxDim {
		errs = append(errs, fmt.Errorf("mlp: dim %d out of range 1..%d (0 means 2)", c.Dim, MaxDim))
	}
	if c.Classes < 0 || c.Classes > MaxClasses {
		errs = append(errs, fmt.Errorf("mlp: classes %d out of range 0..%d", c.Classes, MaxClasses))
	}
	return errors.Join(errs...)
}

// PointDim is the dimension of the points and velocities: Dim, or 2 when
// Dim is 0.
func (c Config) PointDim() int {
	if c.Dim == 0 {
		return 2
	}
	return c.Dim
}

// InputWidth is the number of input features: the point's coordinates, t,
// 2 per frequency and 1 per class.
func (c Config) InputWidth() int { return c.PointDim() + c.timeWidth() + c.Classes }

// timeWidth is the number of time features: t and 2 per frequency.
func (c Config) timeWidth() int { return 1 + 2*c.Fourier }

// numLayers counts the affine layers: Depth hidden ones plus the output.
func (c Config) numLayers() int { return c.Depth + 1 }

// layerDims returns the fan-in and fan-out of affine layer l.
func (c Config) layerDims(l int) (in, out int) {
	in, out = c.Width, c.Width
	if l == 0 {
		in = c.InputWidth()
	}
	if l == c.Depth {
		out = c.PointDim()
	}
	return in, out
}

// NumParams is the length of Params for cfg (which must be valid): for each
// layer an in×out weight matrix and an out-long bias.
func NumParams(cfg Config) int {
	n := 0
	for l := range cfg.numLayers() {
		in, out := cfg.layerDims(l)
		n += in*out + out
	}
	return n
}

// Net is the network. Params holds, layer after layer, the weight matrix W
// (in×out, row-major: W[k*out+j] connects input k to output j) and then the
// bias b (out entries), so layer l computes z_j = b_j + Σ_k h_k·W[k*out+j].
//
// A Net is only read by Forward, Backward and Eval, so one Net may serve many
// goroutines at once as long as each has its own Workspace and nobody writes
// Params meanwhile.
type Net struct {
	Config Config
	Params []float32
}

// New returns a network with fresh weights drawn from rng and zero biases.
// Hidden layers use the initialisation that keeps activations at unit scale
// for their nonlinearity: LeCun normal N(0, 1/fan_in) for SELU (the
// self-normalising fixed point), He normal N(0, 2/fan_in) for SiLU and ReLU,
// Xavier normal N(0, 2/(fan_in+fan_out)) for Tanh. The linear output layer
// uses LeCun normal.
func New(cfg Config, rng *rand.Rand) (*Net, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	n := &Net{Config: cfg, Params: make([]float32, NumParams(cfg))}
	off := 0
	for l := range cfg.numLayers() {
		in, out := cfg.layerDims(l)
		variance := 1 / float64(in)
		if l < cfg.Depth {
			switch cfg.Act {
			case SiLU, ReLU:
				variance = 2 / float64(in)
			case Tanh:
				variance = 2 / float64(in+out)
			}
		}
		std := math.Sqrt(variance)
		for i := range in * out {
			n.Params[off+i] = float32(rng.NormFloat64() * std)
		}
		off += in*out + out // biases stay zero
	}
	return n, nil
}

// FromParams wraps params (not copied) as a network, for loading model files.
// It checks the config and that len(params) == NumParams(cfg), and rejects
// NaN or infinite weights.
func FromParams(cfg Config, params []float32) (*Net, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if want := NumParams(cfg); len(params) != want {
		return nil, fmt.Errorf("mlp: %d parameters given, width %d depth %d fourier %d dim %d needs %d",
			len(params), cfg.Width, cfg.Depth, cfg.Fourier, cfg.PointDim(), want)
	}
	for i, p := range params {
		if math.IsNaN(float64(p)) || math.IsInf(float64(p), 0) {
			return nil, fmt.Errorf("mlp: parameter %d is %v", i, p)
		}
	}
	return &Net{Config: cfg, Params: params}, nil
}

// Clone returns a deep copy, for snapshots that must not change while the
// original trains on.
func (n *Net) Clone() *Net {
	return &Net{Config: n.Config, Params: append([]float32(nil), n.Params...)}
}
