// Package imageview is the app's image view without the window: a flow/hd
// trainer and a sampler on goroutines of their own, the frames the sampler
// publishes (a grid of samples from fixed noise at every solver step, their
// speeds, their projection on the data's first two principal components,
// the nearest fresh data) and the view's layout and pictures, so that all of
// it is testable without a display.
package imageview

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"

	"github.com/flowviz/flowviz/flow"
	"github.com/flowviz/flowviz/flow/hd"
	"github.com/flowviz/flowviz/flow/mlp"
)

// Sizes of what the view shows.
const (
	Cols      = 8 // the grid is Cols × Cols samples (Cols × Classes: a row per digit)
	Cells     = Cols * Cols
	Particles = 256  // samples in the PCA view, the grid's first
	RefImages = 2000 // fresh data: the PCA's fit, the nearest examples, the classes
)

// Data is what the view knows of a target, drawn once: fresh images, their
// labels and principal components.
type Data struct {
	Target    string
	Side, Dim int
	X         []float32 // RefImages fresh images in model space (x = 2p − 1)
	Labels    []int
	PCA       *hd.PCA    // the first two components of X
	Proj      []flow.Vec // X on the two components
	// DataDist is the mean distance of other fresh images to their nearest
	// in X: what "close to the data" means for a sample.
	DataDist float64
}

// NewData draws RefImages fresh images of target with seed and fits the
// PCA. It takes a moment (the 256 × 256 covariance of 2000 images and its
// top eigenvectors): call it off the render loop.
func NewData(target string, seed uint64) (*Data, error) {
	ds, err := hd.Target(target)
	if err != nil {
		return nil, err
	}
	d := &Data{Target: target, Side: ds.Side(), Dim: ds.Dim(), X: make([]float32, RefImages*ds.Dim()), Labels: make([]int, RefImages)}
	rng := rand.New(rand.NewPCG(seed, 0xda7a))
	ds.Sample(rng, d.X, d.Labels)
	if d.PCA, err = hd.FitPCA(d.X, d.Dim, 2); err != nil {
		return nil, err
	}
	d.Proj = project(d.PCA, d.X, nil)
	const probes = 200
	other := make([]float32, probes*d.Dim)
	ds.Sample(rng, other, make([]int, probes))
	dist := make([]float64, probes)
	hd.Nearest(other, d.X, d.Dim, nil, dist)
	d.DataDist = mean(dist)
	return d, nil
}

// project writes the rows of x on p's two components into dst (grown).
func project(p *hd.PCA, x []float32, dst []flow.Vec) []flow.Vec {
	n := len(x) / p.Dim
	xy := make([]float32, 2*n)
	p.Project(xy, x)
	if cap(dst) < n {
		dst = make([]flow.Vec, n)
	}
	dst = dst[:n]
	for i := range dst {
		dst[i] = flow.Vec{float64(xy[2*i]), float64(xy[2*i+1])}
	}
	return dst
}

func mean(v []float64) float64 {
	var s float64
	for _, x := range v {
		s += x
	}
	return s / float64(max(1, len(v)))
}

// Guidance is what a class-conditional model is asked for: every digit
// (a grid row each) or one digit (the whole grid), with classifier-free
// guidance w (hd.Guide). An unconditional model ignores it.
type Guidance struct {
	OneClass bool
	Class    int     // the digit when OneClass
	W        float64 // (1 − w)·u(x | ∅) + w·u(x | y); 1 is the conditional model
}

// asked is the class of each of n particles under g: with one class all of
// them; else the grid's first Cols·Classes a row per digit, the rest in
// equal blocks of every digit.
func (g Guidance) asked(n int) []int {
	if g.OneClass {
		return hd.ClassRows(n, hd.Classes, g.Class)
	}
	grid := min(n, Cols*hd.Classes)
	y := make([]int, 0, n)
	for i := range grid {
		y = append(y, i/Cols)
	}
	return append(y, hd.ClassRows(n-grid, hd.Classes, -1)...)
}

// Frame is one sampling of the network: Particles noise images carried to
// t = 1 by Euler in N steps, exactly the 2D sampling loop on D numbers.
// Immutable once published.
type Frame struct {
	Seq  int // increases with every published frame
	Step int // training step of the weights
	N    int // NUM_STEPS
	Side int
	Dim  int
	// Rows of Cols images the grid shows: Cols, or a row per digit when a
	// conditional model samples every digit.
	Rows int
	// Asked[i] is the digit particle i was asked for (nil for an
	// unconditional model), with Guidance.
	Asked    []int
	Guidance Guidance
	// States[k] holds the grid's Cells() images at t_k = k/N, k = 0..N, in
	// model space, row-major Cells() × Dim.
	States [][]float32
	// Speed[k][i] = |v(x_k, t_k)| of grid image i at step k < N: how far
	// each step moves it, times N.
	Speed [][]float32
	// Proj[k][i]: particle i at t_k on the data's first two components.
	Proj [][]flow.Vec
	// Class[i] is particle i's digit by the nearest fresh image at t = 1.
	Class []int
	// Nearest[i] indexes Data.X: the fresh image closest to grid image i
	// at t = 1, at distance NearestDist[i] (model space).
	Nearest     []int
	NearestDist []float64
}

// Steps is N.
func (f *Frame) Steps() int { return f.N }

// Cells is the number of grid images, Cols × Rows.
func (f *Frame) Cells() int { return Cols * f.Rows }

// Accuracy is the share of the particles whose nearest fresh image shows
// the digit they were asked for (the nearest-neighbour classifier), and
// false for an unconditional model.
func (f *Frame) Accuracy() (float64, bool) {
	if f.Asked == nil {
		return 0, false
	}
	hit := 0
	for i, y := range f.Asked {
		if f.Class[i] == y {
			hit++
		}
	}
	return float64(hit) / float64(len(f.Asked)), true
}

// Image returns grid image i at solver state k (model space, Dim long).
func (f *Frame) Image(k, i int) []float32 { return f.States[k][i*f.Dim : (i+1)*f.Dim] }

// Noise is the fixed source of a frame: Particles × dim draws of N(0, I)
// from seed and reseed. The grid keeps it between frames, so a new frame
// changes only because the weights did.
func Noise(dim int, seed, reseed uint64) []float32 {
	x := make([]float32, Particles*dim)
	hd.Noise(rand.New(rand.NewPCG(seed, reseed)), x)
	return x
}

// Sample integrates x0 (Particles × Dim, not written) through net in steps
// Euler steps, x ← x + (1/N)·v(x, k/N), keeping what the view shows; a
// conditional network samples the digits g asks for with its guidance.
func Sample(ctx context.Context, d *Data, net *mlp.Net, x0 []float32, steps int, g Guidance) (*Frame, error) {
	dim := net.Config.PointDim()
	if dim != d.Dim || len(x0) != Particles*dim || steps < 1 {
		return nil, fmt.Errorf("imageview: %d values of dimension %d (data %d), %d steps", len(x0), dim, d.Dim, steps)
	}
	if g.OneClass && (g.Class < 0 || g.Class >= hd.Classes) {
		return nil, fmt.Errorf("imageview: digit %d", g.Class)
	}
	f := &Frame{N: steps, Side: d.Side, Dim: dim, Rows: Cols}
	var guide *hd.Guide
	if net.Config.Classes > 0 {
		f.Asked, f.Guidance = g.asked(Particles), g
		guide = &hd.Guide{Classes: f.Asked, W: g.W}
		if !g.OneClass {
			f.Rows = hd.Classes
		}
	}
	cells := f.Cells()
	x := append([]float32(nil), x0...)
	keep := func(x []float32) {
		f.States = append(f.States, append([]float32(nil), x[:cells*dim]...))
		f.Proj = append(f.Proj, project(d.PCA, x, nil))
	}
	err := hd.EulerGuided(ctx, net, x, steps, guide, func(_ int, _ float32, x, v []float32) {
		keep(x)
		speed := make([]float32, cells)
		hd.Norms(speed, v[:cells*dim], dim)
		f.Speed = append(f.Speed, speed)
	})
	if err != nil {
		return nil, err
	}
	keep(x)
	for _, v := range x {
		if v != v {
			return nil, errors.New("imageview: the samples are not finite; lower the learning rate and reset")
		}
	}
	idx := make([]int, Particles)
	dist := make([]float64, Particles)
	hd.Nearest(x, d.X, dim, idx, dist)
	f.Class = make([]int, Particles)
	for i, j := range idx {
		f.Class[i] = d.Labels[j]
	}
	f.Nearest, f.NearestDist = idx[:cells], dist[:cells]
	return f, nil
}
