package data

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/flowviz/flowviz/flow"
)

// TestLabelsFollowGeometry checks each preset's label against where its
// point landed, with the noise turned off so that the geometry decides.
func TestLabelsFollowGeometry(t *testing.T) {
	for _, tc := range []struct {
		d     Labeled
		label func(p flow.Vec) int // the class read off the point
	}{
		{EightGaussians{Radius: 5, Std: 0}, func(p flow.Vec) int {
			a := math.Atan2(p[1], p[0])
			return (int(math.Round(a/(math.Pi/4))) + 8) % 8
		}},
		{Moons{Noise: 0, Scale: 1}, func(p flow.Vec) int {
			// The outer arc is the upper half of the unit circle.
			if math.Abs(math.Hypot(p[0], p[1])-1) < 1e-9 && p[1] >= 0 {
				return 0
			}
			return 1
		}},
		{Checkerboard{Scale: 1}, func(p flow.Vec) int {
			col, row := int(math.Floor(p[0]))+2, int(math.Floor(p[1]))+2
			return 2*col + row/2
		}},
		{Rings{Radius: 4, Rings: 4, Noise: 0}, func(p flow.Vec) int {
			return int(math.Round(math.Hypot(p[0], p[1]))) - 1
		}},
		{Pinwheel{Arms: 5, Radial: 0.2, Tangential: 0, Rate: 0, Scale: 1}, func(p flow.Vec) int {
			// With rate 0 arm k points along angle −2πk/5.
			a := -math.Atan2(p[1], p[0])
			return (int(math.Round(a/(2*math.Pi/5))) + 5) % 5
		}},
		{Circles{Factor: 0.5, Noise: 0, Scale: 1}, func(p flow.Vec) int {
			if math.Hypot(p[0], p[1]) > 0.75 {
				return 0
			}
			return 1
		}},
		{TwoSpirals{Noise: 0}, nil},
	} {
		rng := rand.New(rand.NewPCG(1, 2))
		pts := make([]flow.Vec, 2000)
		labels := make([]int, len(pts))
		tc.d.SampleLabeled(rng, pts, labels)
		seen := make([]int, tc.d.NumClasses())
		for i, p := range pts {
			k := labels[i]
			if k < 0 || k >= tc.d.NumClasses() {
				t.Fatalf("%s: label %d out of 0..%d", tc.d, k, tc.d.NumClasses()-1)
			}
			seen[k]++
			if tc.label != nil && tc.label(p) != k {
				t.Errorf("%s: point %v labelled %d, its place says %d", tc.d, p, k, tc.label(p))
				break
			}
		}
		for k, c := range seen {
			if c == 0 {
				t.Errorf("%s: class %d never drawn", tc.d, k)
			}
		}
		// Sample draws exactly the same points.
		again := make([]flow.Vec, len(pts))
		tc.d.Sample(rand.New(rand.NewPCG(1, 2)), again)
		for i := range pts {
			if pts[i] != again[i] {
				t.Fatalf("%s: Sample and SampleLabeled differ at draw %d: %v, %v", tc.d, i, again[i], pts[i])
			}
		}
	}
}

func TestPointSetLabels(t *testing.T) {
	s := &PointSet{Points: []flow.Vec{{0, 0}, {1, 0}, {2, 0}}, Labels: []int{0, 2, 2}}
	if s.NumClasses() != 3 {
		t.Errorf("NumClasses = %d, want 3", s.NumClasses())
	}
	rng := rand.New(rand.NewPCG(3, 4))
	pts, labels := make([]flow.Vec, 100), make([]int, 100)
	s.SampleLabeled(rng, pts, labels)
	for i, p := range pts {
		if want := map[float64]int{0: 0, 1: 2, 2: 2}[p[0]]; labels[i] != want {
			t.Fatalf("point %v labelled %d, want %d", p, labels[i], want)
		}
	}
	s.Labels = nil
	if NumClasses(s) != 0 {
		t.Errorf("unlabelled set has %d classes", NumClasses(s))
	}
	s.SampleLabeled(rng, pts, labels)
	if labels[0] != -1 {
		t.Errorf("unlabelled draw labelled %d", labels[0])
	}
	if NumClasses(Gaussian{Std: 1}) != 0 {
		t.Error("the Gaussian has classes")
	}
}

func TestSampleClass(t *testing.T) {
	d := EightGaussians{Radius: 5, Std: 0.1}
	pts := make([]flow.Vec, 500)
	if n := SampleClass(d, rand.New(rand.NewPCG(5, 6)), pts, 3); n != len(pts) {
		t.Fatalf("filled %d of %d", n, len(pts))
	}
	sin, cos := math.Sincos(3 * math.Pi / 4)
	for _, p := range pts {
		if math.Hypot(p[0]-5*cos, p[1]-5*sin) > 1 {
			t.Fatalf("class 3 draw %v far from its mode", p)
		}
	}
	if n := SampleClass(d, rand.New(rand.NewPCG(5, 6)), pts[:10], 9); n != 0 {
		t.Errorf("absent class filled %d", n)
	}
}

// TestMixtures checks the mixtures against sample moments of their draws.
func TestMixtures(t *testing.T) {
	for _, d := range []Mixtured{
		EightGaussians{Radius: 5, Std: 1},
		Gaussian{Std: 2, Mean: flow.Vec{1, -1}},
		&PointSet{Points: []flow.Vec{{0, 0}, {4, 2}}, Jitter: 0.5},
	} {
		mix := d.Mixture()
		var mean flow.Vec
		var second, wsum float64
		for _, k := range mix {
			wsum += k.Weight
		}
		for _, k := range mix {
			w := k.Weight / wsum
			mean[0] += w * k.Mean[0]
			mean[1] += w * k.Mean[1]
			second += w * (k.Mean[0]*k.Mean[0] + k.Mean[1]*k.Mean[1] + 2*k.Std*k.Std)
		}
		pts := Sample(d, rand.New(rand.NewPCG(7, 8)), 200_000)
		var m flow.Vec
		var s2 float64
		for _, p := range pts {
			m[0] += p[0] / float64(len(pts))
			m[1] += p[1] / float64(len(pts))
			s2 += (p[0]*p[0] + p[1]*p[1]) / float64(len(pts))
		}
		if math.Abs(m[0]-mean[0]) > 0.05 || math.Abs(m[1]-mean[1]) > 0.05 || math.Abs(s2-second) > 0.02*second {
			t.Errorf("%s: draws have mean %v and E|x|² %v; mixture %v and %v", d, m, s2, mean, second)
		}
	}
}

// TestClassMixtures checks that the class mixtures partition the mixture.
func TestClassMixtures(t *testing.T) {
	for _, d := range []ClassMixtured{
		EightGaussians{Radius: 5, Std: 1},
		&PointSet{Points: []flow.Vec{{0, 0}, {1, 0}, {2, 0}}, Labels: []int{1, 0, 1}, Jitter: 0.1},
	} {
		total := 0
		for k := range d.NumClasses() {
			m := d.ClassMixture(k)
			if len(m) == 0 {
				t.Errorf("%s: class %d has no components", d, k)
			}
			total += len(m)
		}
		if total != len(d.Mixture()) || len(d.ClassMixture(d.NumClasses())) != 0 {
			t.Errorf("%s: classes hold %d components of %d", d, total, len(d.Mixture()))
		}
	}
	if m := (EightGaussians{Radius: 5, Std: 1}).ClassMixture(2); math.Abs(m[0].Mean[1]-5) > 1e-12 {
		t.Errorf("mode 2 at %v, want (0, 5)", m[0].Mean)
	}
}

// TestExactGuidance guides the exact class-conditional fields of 8 Gaussians
// (flow.MixtureField on ClassMixture and on the whole mixture) and checks
// that the class accuracy of ODE samples rises with w.
func TestExactGuidance(t *testing.T) {
	d := EightGaussians{Radius: 4, Std: 0.8}
	rng := rand.New(rand.NewPCG(9, 10))
	ref, labels := make([]flow.Vec, 2000), make([]int, 2000)
	d.SampleLabeled(rng, ref, labels)
	sched := flow.CondOTScheduler{}
	uncond := &flow.MixtureField{Sched: sched, Mix: d.Mixture()}
	acc := func(w float64) float64 {
		sum := 0.0
		for k := range 8 {
			cond := &flow.MixtureField{Sched: sched, Mix: d.ClassMixture(k)}
			x := Sample(Gaussian{Std: 1}, rng, 100)
			flow.Integrate(&flow.GuidedField{Uncond: uncond, Cond: cond, W: w}, flow.Euler, x, 0, 1, 50, nil)
			sum += flow.ClassAccuracy(x, k, ref, labels) / 8
		}
		return sum
	}
	prev := -1.0
	for _, w := range []float64{0, 0.5, 1, 2} {
		a := acc(w)
		t.Logf("w = %v: class accuracy %.3f", w, a)
		if a < prev-0.02 {
			t.Errorf("w = %v: class accuracy %.3f fell from %.3f", w, a, prev)
		}
		prev = a
	}
	if a0, a2 := acc(0), acc(2); a0 > 0.3 || a2 < 0.95 {
		t.Errorf("class accuracy %.3f at w = 0, %.3f at w = 2", a0, a2)
	}
}
