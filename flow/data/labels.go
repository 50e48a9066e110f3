package data

import (
	"math"
	"math/rand/v2"

	"github.com/flowviz/flowviz/flow"
)

// Labeled is a distribution whose draws carry a class label in
// 0..NumClasses()−1, for class-conditional models: the mode of 8gaussians,
// the moon, the square of the checkerboard, the ring, the pinwheel's arm, the
// spiral, the circle, or the colour of a drawn point.
type Labeled interface {
	Dist
	// NumClasses is the number of classes; 0 means the draws carry none.
	NumClasses() int
	// SampleLabeled fills dst with independent draws and labels (if not nil,
	// len(dst) entries) with their classes. It draws exactly what Sample
	// draws from the same generator.
	SampleLabeled(rng *rand.Rand, dst []flow.Vec, labels []int)
}

// Compile-time checks of the labelled presets.
var (
	_ Labeled = Moons{}
	_ Labeled = EightGaussians{}
	_ Labeled = Checkerboard{}
	_ Labeled = TwoSpirals{}
	_ Labeled = Circles{}
	_ Labeled = Rings{}
	_ Labeled = Pinwheel{}
	_ Labeled = (*PointSet)(nil)
)

// NumClasses returns the number of classes of d, 0 if its draws carry none.
func NumClasses(d Dist) int {
	if l, ok := d.(Labeled); ok {
		return l.NumClasses()
	}
	return 0
}

func setLabel(labels []int, i, k int) {
	if labels != nil {
		labels[i] = k
	}
}

// NumClasses returns 2, one per moon.
func (Moons) NumClasses() int { return 2 }

// NumClasses returns 8, one per mode.
func (EightGaussians) NumClasses() int { return 8 }

// NumClasses returns 8, one per square.
func (Checkerboard) NumClasses() int { return 8 }

// NumClasses returns 2, one per spiral.
func (TwoSpirals) NumClasses() int { return 2 }

// NumClasses returns 2, one per circle.
func (Circles) NumClasses() int { return 2 }

// NumClasses returns the number of rings.
func (r Rings) NumClasses() int { return max(r.Rings, 1) }

// NumClasses returns the number of arms.
func (p Pinwheel) NumClasses() int { return max(p.Arms, 1) }

// NumClasses returns the number of classes of the point set's labels (one
// more than the largest), 0 if it has none.
func (s *PointSet) NumClasses() int {
	if len(s.Labels) != len(s.Points) {
		return 0
	}
	n := 0
	for _, k := range s.Labels {
		n = max(n, k+1)
	}
	return n
}

// SampleLabeled implements Labeled: a point's label travels with it (−1 for
// every draw of an unlabelled set).
func (s *PointSet) SampleLabeled(rng *rand.Rand, dst []flow.Vec, labels []int) {
	labelled := len(s.Labels) == len(s.Points) && len(s.Points) > 0
	if len(s.Points) == 0 {
		clear(dst)
		for i := range labels {
			labels[i] = -1
		}
		return
	}
	for i := range dst {
		j := rng.IntN(len(s.Points))
		p := s.Points[j]
		if s.Jitter > 0 {
			p[0] += s.Jitter * rng.NormFloat64()
			p[1] += s.Jitter * rng.NormFloat64()
		}
		dst[i] = p
		if labels != nil {
			labels[i] = -1
			if labelled {
				labels[i] = s.Labels[j]
			}
		}
	}
}

// SampleClass fills dst with draws of class k only, by drawing labelled
// batches and keeping those of class k. It gives up (and returns how many it
// filled) after maxTries·len(dst) draws, for a class that is rare or absent.
func SampleClass(d Labeled, rng *rand.Rand, dst []flow.Vec, k int) int {
	const maxTries = 1000
	n := len(dst)
	if n == 0 {
		return 0
	}
	buf := make([]flow.Vec, max(n, 256))
	lab := make([]int, len(buf))
	filled, drawn := 0, 0
	for filled < n && drawn < maxTries*n {
		d.SampleLabeled(rng, buf, lab)
		drawn += len(buf)
		for i, l := range lab {
			if l == k && filled < n {
				dst[filled] = buf[i]
				filled++
			}
		}
	}
	return filled
}

// Mixtured is a distribution that is a mixture of isotropic Gaussians, so
// that its exact flow-matching fields have a closed form (flow.MixtureField).
type Mixtured interface {
	Dist
	Mixture() flow.Mixture
}

// Compile-time checks of the mixtures.
var (
	_ Mixtured = Gaussian{}
	_ Mixtured = EightGaussians{}
	_ Mixtured = (*PointSet)(nil)
)

// Mixture returns the single component N(Mean, Std²·I).
func (g Gaussian) Mixture() flow.Mixture {
	return flow.Mixture{{Weight: 1, Mean: g.Mean, Std: g.Std}}
}

// Mixture returns the eight equally weighted modes.
func (e EightGaussians) Mixture() flow.Mixture {
	m := make(flow.Mixture, 8)
	for k := range m {
		sin, cos := math.Sincos(float64(k) * math.Pi / 4)
		m[k] = flow.Component{Weight: 1, Mean: flow.Vec{e.Radius * cos, e.Radius * sin}, Std: e.Std}
	}
	return m
}

// Mixture returns one component per point, of std Jitter: a jittered point
// set is exactly a Gaussian mixture.
func (s *PointSet) Mixture() flow.Mixture {
	m := make(flow.Mixture, len(s.Points))
	for i, p := range s.Points {
		m[i] = flow.Component{Weight: 1, Mean: p, Std: s.Jitter}
	}
	return m
}

// ClassMixtured is a labelled mixture whose classes are mixtures too, so
// that the exact class-conditional fields u(x | y) have a closed form.
type ClassMixtured interface {
	Mixtured
	Labeled
	// ClassMixture returns the components of class k (empty if none).
	ClassMixture(k int) flow.Mixture
}

var (
	_ ClassMixtured = EightGaussians{}
	_ ClassMixtured = (*PointSet)(nil)
)

// ClassMixture returns mode k.
func (e EightGaussians) ClassMixture(k int) flow.Mixture {
	m := e.Mixture()
	if k < 0 || k >= len(m) {
		return nil
	}
	return m[k : k+1]
}

// ClassMixture returns the components of the points labelled k.
func (s *PointSet) ClassMixture(k int) flow.Mixture {
	if len(s.Labels) != len(s.Points) {
		return nil
	}
	var m flow.Mixture
	for i, p := range s.Points {
		if s.Labels[i] == k {
			m = append(m, flow.Component{Weight: 1, Mean: p, Std: s.Jitter})
		}
	}
	return m
}
