package hd

import (
	"fmt"
	"math/rand/v2"
)

// Pool is a Dataset that keeps Size recent draws of another and renews
// Fresh of them, oldest first, on every Sample; the batch is then drawn
// uniformly from the pool. Rendering a digit costs about half as much CPU as
// the 3×512 network's step on it, so renewing a quarter of a batch each step
// cuts a step's cost by about a third, and still no fixed training set exists: an image
// lives Size/Fresh steps and is seen about batch/Fresh times.
type Pool struct {
	Data  Dataset
	Size  int // images kept
	Fresh int // images renewed per Sample

	x      []float32
	labels []int
	next   int // oldest slot, renewed next
}

var _ Dataset = (*Pool)(nil)

// NewPool fills a pool of size draws of data, renewing fresh per Sample.
func NewPool(data Dataset, rng *rand.Rand, size, fresh int) (*Pool, error) {
	if size < 1 || fresh < 1 || fresh > size {
		return nil, fmt.Errorf("hd: pool of %d renewing %d", size, fresh)
	}
	p := &Pool{Data: data, Size: size, Fresh: fresh, x: make([]float32, size*data.Dim()), labels: make([]int, size)}
	data.Sample(rng, p.x, p.labels)
	return p, nil
}

// Dim is the data's dimension.
func (p *Pool) Dim() int { return p.Data.Dim() }

// Sample renews Fresh pool slots with new draws, then copies len(labels)
// uniformly chosen pool entries into dst.
func (p *Pool) Sample(rng *rand.Rand, dst []float32, labels []int) {
	d := p.Data.Dim()
	for left := p.Fresh; left > 0; {
		k := min(left, p.Size-p.next)
		p.Data.Sample(rng, p.x[p.next*d:(p.next+k)*d], p.labels[p.next:p.next+k])
		p.next = (p.next + k) % p.Size
		left -= k
	}
	for i := range labels {
		j := rng.IntN(p.Size)
		copy(dst[i*d:(i+1)*d], p.x[j*d:(j+1)*d])
		labels[i] = p.labels[j]
	}
}
