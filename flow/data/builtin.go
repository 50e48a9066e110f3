package data

import (
	"math"
	"math/rand/v2"

	"github.com/flowviz/flowviz/flow"
)

// Limits shared by the parameter table: lengths beyond ±maxLength put every
// sample far outside any sensible view, noise beyond maxNoise drowns any shape.
const (
	maxLength = 1e3
	maxNoise  = 1e2
	maxCount  = 100
)

// builtins is the registry behind Parse, Names and Describe, in display order.
// The defaults follow the published references named in each type's doc so
// that metrics compare with published tables, and all fit a view of about
// [-5, 5]² around a standard Gaussian source.
var builtins = []builtin{
	{
		name: "gaussian", doc: "isotropic normal N(mean, std²·I); the usual source",
		params: []param{
			{"std", 1, 0, maxLength, false, "standard deviation"},
			{"x", 0, -maxLength, maxLength, false, "mean x"},
			{"y", 0, -maxLength, maxLength, false, "mean y"},
		},
		build: func(v []float64) Dist { return Gaussian{Std: v[0], Mean: flow.Vec{v[1], v[2]}} },
	},
	{
		name: "uniform", doc: "uniform on the square [-a, a]²",
		params: []param{
			{"a", 3, 0, maxLength, false, "half side"},
		},
		build: func(v []float64) Dist { return Uniform{A: v[0]} },
	},
	{
		name: "moons", doc: "two interleaved half circles (sklearn make_moons), ×scale, minus (shift, shift_y)",
		params: []param{
			{"noise", 0.05, 0, maxNoise, false, "std of Gaussian noise before scaling"},
			{"scale", 2, 0, maxLength, false, "scale factor"},
			{"shift", 1, -maxLength, maxLength, false, "subtracted from x after scaling"},
			{"shift_y", 0, -maxLength, maxLength, false, "subtracted from y after scaling"},
		},
		build: func(v []float64) Dist { return Moons{Noise: v[0], Scale: v[1], Shift: v[2], ShiftY: v[3]} },
	},
	{
		name: "8gaussians", doc: "eight Gaussians on a circle at angles kπ/4",
		params: []param{
			{"radius", 5, 0, maxLength, false, "radius of the circle of centres"},
			{"std", 1, 0, maxLength, false, "std of each Gaussian"},
		},
		build: func(v []float64) Dist { return EightGaussians{Radius: v[0], Std: v[1]} },
	},
	{
		name: "checkerboard", doc: "the 8 dark squares of a 4×4 board on [-2, 2)², ×scale (flow_matching guide: ÷0.45)",
		params: []param{
			{"scale", 1 / 0.45, 0, maxLength, false, "scale factor"},
		},
		build: func(v []float64) Dist { return Checkerboard{Scale: v[0]} },
	},
	{
		name: "2spirals", doc: "two interleaved spirals of 1.5 turns (FFJORD)",
		params: []param{
			{"noise", 0.1, 0, maxNoise, false, "std of Gaussian noise"},
		},
		build: func(v []float64) Dist { return TwoSpirals{Noise: v[0]} },
	},
	{
		name: "circles", doc: "two concentric circles (sklearn make_circles), ×scale",
		params: []param{
			{"factor", 0.5, 0, 1, false, "inner radius / outer radius"},
			{"noise", 0.08, 0, maxNoise, false, "std of Gaussian noise before scaling"},
			{"scale", 3, 0, maxLength, false, "outer radius"},
		},
		build: func(v []float64) Dist { return Circles{Factor: v[0], Noise: v[1], Scale: v[2]} },
	},
	{
		name: "rings", doc: "concentric rings with evenly spaced radii, equally likely (FFJORD)",
		params: []param{
			{"radius", 3, 0, maxLength, false, "radius of the outer ring"},
			{"rings", 4, 1, maxCount, true, "number of rings"},
			{"noise", 0.08, 0, maxNoise, false, "std of Gaussian noise"},
		},
		build: func(v []float64) Dist { return Rings{Radius: v[0], Rings: int(v[1]), Noise: v[2]} },
	},
	{
		name: "pinwheel", doc: "Gaussian blobs bent into spiral arms (FFJORD)",
		params: []param{
			{"arms", 5, 1, maxCount, true, "number of arms"},
			{"radial", 0.3, 0, 10, false, "radial std"},
			{"tangential", 0.1, 0, 10, false, "tangential std"},
			{"rate", 0.25, -10, 10, false, "how strongly the arms bend"},
			{"scale", 2, 0, maxLength, false, "scale factor"},
		},
		build: func(v []float64) Dist {
			return Pinwheel{Arms: int(v[0]), Radial: v[1], Tangential: v[2], Rate: v[3], Scale: v[4]}
		},
	},
	{
		name: "swissroll", doc: "2D swiss roll (sklearn make_swiss_roll, x–z plane), ×scale (FFJORD: noise 1, ÷5)",
		params: []param{
			{"noise", 1, 0, maxNoise, false, "std of Gaussian noise before scaling"},
			{"scale", 0.2, 0, maxLength, false, "scale factor"},
		},
		build: func(v []float64) Dist { return SwissRoll{Noise: v[0], Scale: v[1]} },
	},
	{
		name: "scurve", doc: "S-shaped curve (sklearn make_s_curve, x–z plane), ×scale",
		params: []param{
			{"noise", 0.1, 0, maxNoise, false, "std of Gaussian noise before scaling"},
			{"scale", 2, 0, maxLength, false, "scale factor"},
		},
		build: func(v []float64) Dist { return SCurve{Noise: v[0], Scale: v[1]} },
	},
}

// Gaussian is N(Mean, Std²·I).
type Gaussian struct {
	Std  float64
	Mean flow.Vec
}

// Sample implements Dist.
func (g Gaussian) Sample(rng *rand.Rand, dst []flow.Vec) {
	for i := range dst {
		dst[i] = flow.Vec{g.Mean[0] + g.Std*rng.NormFloat64(), g.Mean[1] + g.Std*rng.NormFloat64()}
	}
}

func (g Gaussian) String() string { return spec("gaussian", g.Std, g.Mean[0], g.Mean[1]) }

// Uniform is the uniform distribution on the square [-A, A]².
type Uniform struct{ A float64 }

// Sample implements Dist: x = A·(2u − 1) for u ~ U[0, 1).
func (u Uniform) Sample(rng *rand.Rand, dst []flow.Vec) {
	for i := range dst {
		dst[i] = flow.Vec{u.A * (2*rng.Float64() - 1), u.A * (2*rng.Float64() - 1)}
	}
}

func (u Uniform) String() string { return spec("uniform", u.A) }

// Moons is sklearn's make_moons, scaled and shifted:
//
//	outer arc (cos s, sin s), inner arc (1 − cos s, ½ − sin s), s ~ U[0, π],
//	x = Scale·(arc + Noise·N(0, I)) − (Shift, ShiftY).
//
// The defaults are the published runner's (noise 0.05, scale 2, shift 1 on x
// only), which centres x on 0. torchcfm's tutorial draws
// make_moons(noise=0.2)·3 − 1, i.e. "moons:noise=0.2,scale=3,shift=1,shift_y=1".
// sklearn spaces s evenly over the batch; here each sample is independent, so
// s is uniform and each arm is picked with probability ½.
type Moons struct{ Noise, Scale, Shift, ShiftY float64 }

// Sample implements Dist.
func (m Moons) Sample(rng *rand.Rand, dst []flow.Vec) { m.SampleLabeled(rng, dst, nil) }

// SampleLabeled implements Labeled: the label is the moon, 0 the outer
// (upper) arc, 1 the inner one.
func (m Moons) SampleLabeled(rng *rand.Rand, dst []flow.Vec, labels []int) {
	for i := range dst {
		s := math.Pi * rng.Float64()
		sin, cos := math.Sincos(s)
		p := flow.Vec{cos, sin}
		k := rng.IntN(2)
		if k == 1 {
			p = flow.Vec{1 - cos, 0.5 - sin}
		}
		setLabel(labels, i, k)
		dst[i] = flow.Vec{
			m.Scale*(p[0]+m.Noise*rng.NormFloat64()) - m.Shift,
			m.Scale*(p[1]+m.Noise*rng.NormFloat64()) - m.ShiftY,
		}
	}
}

func (m Moons) String() string { return spec("moons", m.Noise, m.Scale, m.Shift, m.ShiftY) }

// EightGaussians is an equal mixture of N(c_k, Std²·I) with centres
// c_k = Radius·(cos kπ/4, sin kπ/4), k = 0..7.
//
// The default std is the published runner's 1; torchcfm's tutorial uses
// std 0.1^¼ ≈ 0.562 (covariance √0.1), which separates the modes more.
type EightGaussians struct{ Radius, Std float64 }

// Sample implements Dist.
func (e EightGaussians) Sample(rng *rand.Rand, dst []flow.Vec) { e.SampleLabeled(rng, dst, nil) }

// SampleLabeled implements Labeled: the label is the mode k.
func (e EightGaussians) SampleLabeled(rng *rand.Rand, dst []flow.Vec, labels []int) {
	for i := range dst {
		k := rng.IntN(8)
		setLabel(labels, i, k)
		sin, cos := math.Sincos(float64(k) * math.Pi / 4)
		dst[i] = flow.Vec{e.Radius*cos + e.Std*rng.NormFloat64(), e.Radius*sin + e.Std*rng.NormFloat64()}
	}
}

func (e EightGaussians) String() string { return spec("8gaussians", e.Radius, e.Std) }

// Checkerboard is uniform on the 8 squares of a 4×4 board whose cell
// indices sum to an even number, scaled:
//
//	x1 ~ U[−2, 2),  x2 = U[0, 1) − 2·Bernoulli(½) + (⌊x1⌋ mod 2),  x = Scale·(x1, x2).
//
// The default Scale 1/0.45 is the flow_matching guide's, giving a board of
// side 8.9 that just fits [−5, 5]²; FFJORD's is 2.
type Checkerboard struct{ Scale float64 }

// Sample implements Dist.
func (c Checkerboard) Sample(rng *rand.Rand, dst []flow.Vec) { c.SampleLabeled(rng, dst, nil) }

// SampleLabeled implements Labeled: the label is the square, 2·column +
// (upper or lower pair), 0..7 from the lower left.
func (c Checkerboard) SampleLabeled(rng *rand.Rand, dst []flow.Vec, labels []int) {
	for i := range dst {
		x1 := 4*rng.Float64() - 2
		// Python's floor(x1) % 2 is 0 or 1 even for negative x1; Go's % keeps the sign.
		col := int(math.Floor(x1))
		parity := float64((col%2 + 2) % 2)
		u := rng.Float64()
		lower := rng.IntN(2) // 1: the square two rows down
		x2 := u - 2*float64(lower) + parity
		setLabel(labels, i, 2*(col+2)+1-lower)
		dst[i] = flow.Vec{c.Scale * x1, c.Scale * x2}
	}
}

func (c Checkerboard) String() string { return spec("checkerboard", c.Scale) }

// TwoSpirals is FFJORD's pair of spirals:
//
//	n = √u·3π (1.5 turns), p = (−n cos n + ½u₁, n sin n + ½u₂), u, u₁, u₂ ~ U[0, 1),
//	x = ±p/3 + Noise·N(0, I), the sign picking the spiral.
type TwoSpirals struct{ Noise float64 }

// Sample implements Dist.
func (s TwoSpirals) Sample(rng *rand.Rand, dst []flow.Vec) { s.SampleLabeled(rng, dst, nil) }

// SampleLabeled implements Labeled: the label is the spiral.
func (s TwoSpirals) SampleLabeled(rng *rand.Rand, dst []flow.Vec, labels []int) {
	for i := range dst {
		n := math.Sqrt(rng.Float64()) * 3 * math.Pi
		sin, cos := math.Sincos(n)
		p := flow.Vec{-n*cos + 0.5*rng.Float64(), n*sin + 0.5*rng.Float64()}
		k := rng.IntN(2)
		if k == 1 {
			p = flow.Vec{-p[0], -p[1]}
		}
		setLabel(labels, i, k)
		dst[i] = flow.Vec{p[0]/3 + s.Noise*rng.NormFloat64(), p[1]/3 + s.Noise*rng.NormFloat64()}
	}
}

func (s TwoSpirals) String() string { return spec("2spirals", s.Noise) }

// Circles is sklearn's make_circles scaled as FFJORD does: with equal
// probability the unit circle or the circle of radius Factor,
//
//	x = Scale·(r·(cos θ, sin θ) + Noise·N(0, I)),  θ ~ U[0, 2π).
type Circles struct{ Factor, Noise, Scale float64 }

// Sample implements Dist.
func (c Circles) Sample(rng *rand.Rand, dst []flow.Vec) { c.SampleLabeled(rng, dst, nil) }

// SampleLabeled implements Labeled: the label is the circle, 0 the outer.
func (c Circles) SampleLabeled(rng *rand.Rand, dst []flow.Vec, labels []int) {
	for i := range dst {
		r := 1.0
		k := rng.IntN(2)
		if k == 1 {
			r = c.Factor
		}
		setLabel(labels, i, k)
		sin, cos := math.Sincos(2 * math.Pi * rng.Float64())
		dst[i] = flow.Vec{
			c.Scale * (r*cos + c.Noise*rng.NormFloat64()),
			c.Scale * (r*sin + c.Noise*rng.NormFloat64()),
		}
	}
}

func (c Circles) String() string { return spec("circles", c.Factor, c.Noise, c.Scale) }

// Rings is FFJORD's concentric rings: ring k ∈ {1..Rings} picked uniformly,
//
//	x = Radius·(k/Rings)·(cos θ, sin θ) + Noise·N(0, I),  θ ~ U[0, 2π).
//
// FFJORD's is 4 rings of radii 3, 2.25, 1.5, 0.75 with noise 0.08.
type Rings struct {
	Radius float64
	Rings  int
	Noise  float64
}

// Sample implements Dist.
func (r Rings) Sample(rng *rand.Rand, dst []flow.Vec) { r.SampleLabeled(rng, dst, nil) }

// SampleLabeled implements Labeled: the label is the ring, 0 the innermost.
func (r Rings) SampleLabeled(rng *rand.Rand, dst []flow.Vec, labels []int) {
	n := max(r.Rings, 1)
	for i := range dst {
		k := rng.IntN(n)
		setLabel(labels, i, k)
		radius := r.Radius * float64(1+k) / float64(n)
		sin, cos := math.Sincos(2 * math.Pi * rng.Float64())
		dst[i] = flow.Vec{radius*cos + r.Noise*rng.NormFloat64(), radius*sin + r.Noise*rng.NormFloat64()}
	}
}

func (r Rings) String() string { return spec("rings", r.Radius, float64(r.Rings), r.Noise) }

// Pinwheel is FFJORD's pinwheel: for arm k of Arms,
//
//	f = (1 + Radial·N, Tangential·N),  a = 2πk/Arms + Rate·e^{f₁},
//	x = Scale·(f₁ cos a + f₂ sin a, −f₁ sin a + f₂ cos a),
//
// a Gaussian blob at distance 1 whose angle grows with its radius, so the
// arms curl.
type Pinwheel struct {
	Arms                            int
	Radial, Tangential, Rate, Scale float64
}

// Sample implements Dist.
func (p Pinwheel) Sample(rng *rand.Rand, dst []flow.Vec) { p.SampleLabeled(rng, dst, nil) }

// SampleLabeled implements Labeled: the label is the arm.
func (p Pinwheel) SampleLabeled(rng *rand.Rand, dst []flow.Vec, labels []int) {
	arms := max(p.Arms, 1)
	for i := range dst {
		f1 := 1 + p.Radial*rng.NormFloat64()
		f2 := p.Tangential * rng.NormFloat64()
		k := rng.IntN(arms)
		setLabel(labels, i, k)
		a := 2*math.Pi*float64(k)/float64(arms) + p.Rate*math.Exp(f1)
		sin, cos := math.Sincos(a)
		dst[i] = flow.Vec{p.Scale * (f1*cos + f2*sin), p.Scale * (-f1*sin + f2*cos)}
	}
}

func (p Pinwheel) String() string {
	return spec("pinwheel", float64(p.Arms), p.Radial, p.Tangential, p.Rate, p.Scale)
}

// SwissRoll is sklearn's make_swiss_roll seen from above (its x–z plane):
//
//	t = 1.5π·(1 + 2u),  x = Scale·((t cos t, t sin t) + Noise·N(0, I)).
//
// FFJORD uses noise 1 and divides by 5 (Scale 0.2), so the roll spans about
// [−2.8, 2.8].
type SwissRoll struct{ Noise, Scale float64 }

// Sample implements Dist.
func (s SwissRoll) Sample(rng *rand.Rand, dst []flow.Vec) {
	for i := range dst {
		t := 1.5 * math.Pi * (1 + 2*rng.Float64())
		sin, cos := math.Sincos(t)
		dst[i] = flow.Vec{
			s.Scale * (t*cos + s.Noise*rng.NormFloat64()),
			s.Scale * (t*sin + s.Noise*rng.NormFloat64()),
		}
	}
}

func (s SwissRoll) String() string { return spec("swissroll", s.Noise, s.Scale) }

// SCurve is sklearn's make_s_curve in its x–z plane, an upright "S":
//
//	t = 3π·(u − ½),  x = Scale·((sin t, sign(t)·(cos t − 1)) + Noise·N(0, I)),
//
// spanning [−1, 1]×[−2, 2] before scaling.
type SCurve struct{ Noise, Scale float64 }

// Sample implements Dist.
func (s SCurve) Sample(rng *rand.Rand, dst []flow.Vec) {
	for i := range dst {
		t := 3 * math.Pi * (rng.Float64() - 0.5)
		sin, cos := math.Sincos(t)
		// math.Copysign rather than a sign function: sklearn's np.sign(0) = 0
		// only matters for t exactly 0, where cos t − 1 = 0 anyway.
		dst[i] = flow.Vec{
			s.Scale * (sin + s.Noise*rng.NormFloat64()),
			s.Scale * (math.Copysign(1, t)*(cos-1) + s.Noise*rng.NormFloat64()),
		}
	}
}

func (s SCurve) String() string { return spec("scurve", s.Noise, s.Scale) }
