package data

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/flowviz/flowviz/flow"
)

// PointSet samples uniformly from a finite set of points, each draw jittered
// by N(0, Jitter²·I); Jitter 0 is the empirical distribution exactly. Drawn
// shapes and CSV files are point sets.
//
// An empty set samples the origin, so that a half-finished drawing never
// crashes a running trainer; NewPointSet refuses one.
type PointSet struct {
	Points []flow.Vec
	Jitter float64
	Name   string // where the points came from, e.g. a file name; may be empty
	// Labels, if it has len(Points) entries (each ≥ 0), gives each point's
	// class, e.g. the colour it was drawn in; otherwise the set is unlabelled.
	Labels []int
}

// NewPointSet checks that pts is non-empty and finite and that jitter is a
// finite non-negative number, and wraps them in a PointSet. It does not copy pts.
func NewPointSet(name string, pts []flow.Vec, jitter float64) (*PointSet, error) {
	if len(pts) == 0 {
		return nil, fmt.Errorf("data: point set %s has no points", nameOr(name, "points"))
	}
	for i, p := range pts {
		if !finite(p[0]) || !finite(p[1]) {
			return nil, fmt.Errorf("data: point set %s: point %d = %v is not finite", nameOr(name, "points"), i, p)
		}
	}
	if !finite(jitter) || jitter < 0 {
		return nil, fmt.Errorf("data: point set %s: jitter=%v must be a finite number ≥ 0", nameOr(name, "points"), jitter)
	}
	return &PointSet{Points: pts, Jitter: jitter, Name: name}, nil
}

// Sample implements Dist: x = Points[k] + Jitter·N(0, I), k uniform.
func (s *PointSet) Sample(rng *rand.Rand, dst []flow.Vec) { s.SampleLabeled(rng, dst, nil) }

// String describes the set, e.g. "heart.csv(n=1234,jitter=0.05)". It is not
// a spec Parse accepts: the points themselves are not in it.
func (s *PointSet) String() string {
	if s.Jitter == 0 {
		return fmt.Sprintf("%s(n=%d)", nameOr(s.Name, "points"), len(s.Points))
	}
	return fmt.Sprintf("%s(n=%d,jitter=%s)", nameOr(s.Name, "points"), len(s.Points), formatValue(s.Jitter))
}

func nameOr(name, fallback string) string {
	if name == "" {
		return fallback
	}
	return name
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
