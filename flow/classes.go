package flow

import (
	"fmt"
	"math"
)

// NearestClass returns the label of the reference point nearest to x: the
// class region x falls in, the regions being the Voronoi cells of a labelled
// sample of the target. It returns −1 without references.
func NearestClass(x Vec, ref []Vec, labels []int) int {
	if len(ref) != len(labels) {
		panic(fmt.Sprintf("flow: NearestClass with %d references and %d labels", len(ref), len(labels)))
	}
	best, k := math.Inf(1), -1
	for i, r := range ref {
		dx, dy := x[0]-r[0], x[1]-r[1]
		if d := dx*dx + dy*dy; d < best {
			best, k = d, labels[i]
		}
	}
	return k
}

// ClassAccuracy is the fraction of samples, all generated for class k, whose
// nearest class region (NearestClass over the labelled reference sample) is
// k: 1 when every sample lands in its class, 1/K for a model that ignores the
// class on K equally likely ones. It is 0 for no samples.
func ClassAccuracy(samples []Vec, k int, ref []Vec, labels []int) float64 {
	if len(samples) == 0 {
		return 0
	}
	hits := 0
	for _, x := range samples {
		if NearestClass(x, ref, labels) == k {
			hits++
		}
	}
	return float64(hits) / float64(len(samples))
}
