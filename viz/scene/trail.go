package scene

import (
	"math"

	"github.com/flowviz/flowviz/flow"
	"github.com/flowviz/flowviz/viz/timeline"
)

// A trail is the fading path a particle left over the last TrailSpan of t,
// drawn as TrailSegments straight pieces; only the first MaxTrailed
// particles get one. The canvas and the GIF recorder draw the same trails.
const (
	TrailSpan     = 0.12
	TrailSegments = 6
	MaxTrailed    = 3000
)

// Trailed returns how many particles get a trail.
func (s *Scene) Trailed() int { return min(s.Particles(), MaxTrailed) }

// TrailPoints writes the trails at time t into dst (grown as needed) and
// returns it: dst[j·n+i] is particle i (of n = Trailed()) at
// t_j = max(0, t − TrailSpan + TrailSpan·j/TrailSegments), j = 0..TrailSegments,
// so j = TrailSegments is the particle itself and j = 0 the trail's tail.
func (s *Scene) TrailPoints(dst []flow.Vec, t float64) []flow.Vec {
	n := s.Trailed()
	dst = grow(dst, (TrailSegments+1)*n)
	if n == 0 {
		return dst
	}
	for j := range TrailSegments + 1 {
		tj := math.Max(0, t-TrailSpan+TrailSpan*float64(j)/TrailSegments)
		k, f := timeline.Segment(tj, s.Steps())
		a, b := s.Traj[k], s.Traj[min(k+1, len(s.Traj)-1)]
		row := dst[j*n : (j+1)*n]
		for i := range row {
			row[i] = flow.Vec{a[i][0] + f*(b[i][0]-a[i][0]), a[i][1] + f*(b[i][1]-a[i][1])}
		}
	}
	return dst
}

// TrailAlpha is the opacity of trail segment j (from point j to j+1), fading
// from 0 at the tail to 0.6 at the particle: the canvas blends the segment
// from TrailAlpha(j) to TrailAlpha(j+1).
func TrailAlpha(j int) float32 { return float32(j) / TrailSegments * 0.6 }
