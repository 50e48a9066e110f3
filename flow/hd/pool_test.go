package hd

import (
	"math/rand/v2"
	"testing"
)

// counter is a Dataset whose k-th draw is the vector (k, k) labelled k.
type counter struct{ k int }

func (c *counter) Dim() int { return 2 }

func (c *counter) Sample(_ *rand.Rand, dst []float32, labels []int) {
	for i := range labels {
		dst[2*i], dst[2*i+1] = float32(c.k), float32(c.k)
		labels[i] = c.k
		c.k++
	}
}

// TestPoolRenewsOldestFirst: each Sample renews Fresh slots, oldest first
// and wrapping round; the batch comes from the pool, labels with vectors.
func TestPoolRenewsOldestFirst(t *testing.T) {
	src := &counter{}
	rng := rand.New(rand.NewPCG(1, 2))
	p, err := NewPool(src, rng, 10, 4)
	if err != nil {
		t.Fatal(err)
	}
	x, l := make([]float32, 2*50), make([]int, 50)
	for step := 1; step <= 5; step++ {
		p.Sample(rng, x, l)
		if src.k != 10+4*step {
			t.Fatalf("step %d: %d draws, want %d", step, src.k, 10+4*step)
		}
		// The pool holds the 10 newest draws.
		oldest := src.k - 10
		for i, lab := range l {
			if lab < oldest || lab >= src.k || x[2*i] != float32(lab) || x[2*i+1] != float32(lab) {
				t.Fatalf("step %d: entry %d label %d vector (%v, %v), want a draw in [%d, %d)", step, i, lab, x[2*i], x[2*i+1], oldest, src.k)
			}
		}
	}
	for _, c := range [][2]int{{0, 1}, {4, 0}, {4, 5}} {
		if _, err := NewPool(src, rng, c[0], c[1]); err == nil {
			t.Errorf("NewPool accepted size %d fresh %d", c[0], c[1])
		}
	}
}
