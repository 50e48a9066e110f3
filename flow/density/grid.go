package density

import (
	"context"
	"fmt"
	"math"
	"slices"

	"github.com/flowviz/flowviz/flow"
)

// Rect is an axis-aligned rectangle of the plane in world coordinates, such
// as the part of the plane a camera shows.
type Rect struct{ MinX, MinY, MaxX, MaxY float64 }

// Grid is NX×NY cells covering View. Cell (i, j) is column i from the left
// and row j from the top, image order, stored at index j·NX + i; its centre
// is (MinX + (i+½)·w, MaxY − (j+½)·h) with w, h the cell's width and height.
type Grid struct {
	View   Rect
	NX, NY int
}

// MaxCells bounds NX·NY: a 1024×1024 grid is far beyond what a screen shows.
const MaxCells = 1 << 20

// Validate checks that the view is finite and non-empty and the cell counts
// are in range.
func (g Grid) Validate() error {
	v := g.View
	if !finite(v.MinX) || !finite(v.MinY) || !finite(v.MaxX) || !finite(v.MaxY) || !(v.MaxX > v.MinX) || !(v.MaxY > v.MinY) {
		return fmt.Errorf("density: grid bounds %v: want finite with min < max", v)
	}
	if g.NX < 1 || g.NY < 1 || g.NX > MaxCells || g.NY > MaxCells || g.NX*g.NY > MaxCells {
		return fmt.Errorf("density: grid of %d×%d cells: want 1..%d cells in all", g.NX, g.NY, MaxCells)
	}
	return nil
}

// CellSize returns the width and height of a cell.
func (g Grid) CellSize() (w, h float64) {
	return (g.View.MaxX - g.View.MinX) / float64(g.NX), (g.View.MaxY - g.View.MinY) / float64(g.NY)
}

// Points returns the cell centres in storage order.
func (g Grid) Points() []flow.Vec {
	w, h := g.CellSize()
	pts := make([]flow.Vec, 0, g.NX*g.NY)
	for j := range g.NY {
		y := g.View.MaxY - (float64(j)+0.5)*h
		for i := range g.NX {
			pts = append(pts, flow.Vec{g.View.MinX + (float64(i)+0.5)*w, y})
		}
	}
	return pts
}

// Mass is the midpoint-rule integral Σ exp(logp)·cell area of a density
// given on the grid: the probability inside the view, up to the rule's
// O(cell²) error.
func (g Grid) Mass(logp []float64) float64 {
	w, h := g.CellSize()
	sum := 0.0
	for _, l := range logp {
		sum += math.Exp(l)
	}
	return sum * w * h
}

// LearnedLogProb returns the learned log p_t at the grid's cell centres (see
// LogProb), or ctx's error if it is cancelled first.
func LearnedLogProb(ctx context.Context, f Field, p0 LogDensity, g Grid, t float64, opt Options) ([]float64, error) {
	if err := g.Validate(); err != nil {
		return nil, err
	}
	out := make([]float64, g.NX*g.NY)
	if err := LogProb(ctx, f, p0, g.Points(), t, opt, out); err != nil {
		return nil, err
	}
	return out, nil
}

// Divergence returns div v(x, t) at the grid's cell centres: positive where
// the flow spreads mass out, negative where it converges and mass piles up.
func Divergence(f Field, g Grid, t float64) ([]float64, error) {
	if err := g.Validate(); err != nil {
		return nil, err
	}
	pts := g.Points()
	div := make([]float64, len(pts))
	f.VelocityDiv(make([]flow.Vec, len(pts)), div, pts, t)
	return div, nil
}

// ExactLogProb returns log p at the grid's cell centres for a density with
// a closed form, such as a PathMarginal.
func ExactLogProb(p LogDensity, g Grid) ([]float64, error) {
	if err := g.Validate(); err != nil {
		return nil, err
	}
	pts := g.Points()
	out := make([]float64, len(pts))
	p.LogProb(out, pts)
	return out, nil
}

// NLL returns the mean negative log-likelihood −(1/n)·Σ logq_i in nats and
// its standard error s/√n (the spread of −log q over the samples), from the
// log-likelihoods logq of n ≥ 2 samples, e.g. log p_1 of held-out target
// samples from LogProb at t = 1. For samples of a target with entropy H,
// E[NLL] = H + KL(target ‖ model) ≥ H.
func NLL(logq []float64) (nll, se float64) {
	v := append([]float64(nil), logq...)
	return meanStdErr(v, -1)
}

// KL returns the paired estimate of KL(p ‖ q) = E_p[log p − log q] and its
// standard error, from samples x of a target p with a closed-form density
// and their log-likelihoods logq under the model. Pairing the two logs on
// the same samples cancels most of the noise each mean carries alone: NLL − H
// has the same expectation but a far larger error.
func KL(p LogDensity, x []flow.Vec, logq []float64) (kl, se float64) {
	if len(logq) != len(x) {
		panic(fmt.Sprintf("density: KL with %d log-likelihoods for %d samples", len(logq), len(x)))
	}
	d := make([]float64, len(x))
	p.LogProb(d, x)
	for i := range d {
		d[i] -= logq[i]
	}
	return meanStdErr(d, 1)
}

// FiniteRange returns the smallest and largest finite value, or (+Inf, −Inf)
// if there is none: a log-density heatmap spans [hi − span, hi].
func FiniteRange(v []float64) (lo, hi float64) {
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, x := range v {
		if !math.IsNaN(x) && !math.IsInf(x, 0) {
			lo, hi = min(lo, x), max(hi, x)
		}
	}
	return lo, hi
}

// AbsQuantile is the q-quantile of |v| over the finite values (0 if there
// are none): the half-width of a divergence or difference colour scale
// symmetric about 0 that a few extreme cells cannot flatten.
func AbsQuantile(v []float64, q float64) float64 {
	abs := make([]float64, 0, len(v))
	for _, x := range v {
		if !math.IsNaN(x) && !math.IsInf(x, 0) {
			abs = append(abs, math.Abs(x))
		}
	}
	if len(abs) == 0 {
		return 0
	}
	slices.Sort(abs)
	return abs[min(max(int(q*float64(len(abs))), 0), len(abs)-1)]
}
