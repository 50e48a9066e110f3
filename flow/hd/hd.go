// Package hd trains and samples flow-matching models on D-dimensional vectors — images as 256 numbers instead of 2 — with the same loop as the plane.
package hd

import (
	"fmt"
	"math/rand/v2"
	"strings"

	"github.com/flowviz/flowviz/flow/digits"
)

// Dataset draws fresh labelled D-dimensional examples in model space.
type Dataset interface {
	// Dim is the dimension D of an example.
	Dim() int
	// Sample fills dst (len(labels) × D, row-major) with fresh examples
	// and labels with their classes.
	Sample(rng *rand.Rand, dst []float32, labels []int)
}

// Images is a Dataset of square grey images. Model space maps a pixel's ink
// p ∈ [0, 1] to x = 2p − 1 ∈ [−1, 1], so the data sit at the scale of the
// N(0, I) source, as image flow models usually do.
type Images struct {
	Gen *digits.Generator
}

var _ Dataset = (*Images)(nil)

// Dim is the number of pixels.
func (im *Images) Dim() int { return im.Gen.Dim() }

// Side is the images' width and height.
func (im *Images) Side() int { return im.Gen.Side() }

// Sample draws images and maps them into model space.
func (im *Images) Sample(rng *rand.Rand, dst []float32, labels []int) {
	im.Gen.Sample(rng, dst, labels)
	for i, p := range dst {
		dst[i] = 2*p - 1
	}
}

// ToPixels maps model-space vectors back to ink, p = (x + 1)/2, clipped to
// [0, 1], into dst (which may be x).
func ToPixels(dst, x []float32) {
	for i, v := range x {
		dst[i] = min(max((v+1)/2, 0), 1)
	}
}

// Targets are the names of the built-in image datasets, with their sides.
var Targets = map[string]int{"digits": 16, "digits8": 8}

// Canonical is name as Targets spells it: lower case, without spaces.
func Canonical(name string) string { return strings.ToLower(strings.TrimSpace(name)) }

// IsTarget reports whether name (ignoring case and space) is one of Targets.
func IsTarget(name string) bool {
	_, ok := Targets[Canonical(name)]
	return ok
}

// Target returns the dataset called name: "digits" (16 × 16, 256
// dimensions) or "digits8" (8 × 8, 64 dimensions), with the default jitter.
func Target(name string) (*Images, error) {
	side, ok := Targets[strings.ToLower(strings.TrimSpace(name))]
	if !ok {
		return nil, fmt.Errorf("hd: unknown image target %q (want digits or digits8)", name)
	}
	g, err := digits.New(side, digits.DefaultJitter())
	if err != nil {
		return nil, err
	}
	return &Images{Gen: g}, nil
}
