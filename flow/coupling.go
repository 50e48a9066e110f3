package flow

import (
	"fmt"
	"strings"
)

// Coupling decides which source draw x0 is paired with which target draw x1
// in a training batch: the joint distribution q(x0, x1) the pairs come from
// (Tong et al. 2024, §3). Implementations may keep scratch buffers, so one
// Coupling value must not be used from two goroutines at once.
type Coupling interface {
	// Name is the short name ParseCoupling accepts ("independent", "ot").
	Name() string

	// Pair reorders x1 in place so that (x0[i], x1[i]) are the batch's
	// pairs; x0 is left as it is. len(x0) must equal len(x1).
	Pair(x0, x1 []Vec)
}

// IndependentCoupling pairs x0 and x1 as they were drawn: the product
// coupling q(x0)·q(x1) of Lipman et al. 2023.
type IndependentCoupling struct{}

// Name returns "independent".
func (IndependentCoupling) Name() string { return "independent" }

// Pair leaves the batch as drawn.
func (IndependentCoupling) Pair(x0, x1 []Vec) { checkPairs(x0, x1) }

// OTCoupling is minibatch optimal transport (OT-CFM, Tong et al. 2024):
// each batch is re-paired by the exact assignment σ minimising
//
//	Σ_i ‖x0[i] − x1[σ(i)]‖²
//
// With uniform weights and equal batch sizes an optimal plan is a
// permutation (Birkhoff–von Neumann), so no sampling from the plan is
// needed. The learned paths cross less and are straighter. The zero value is
// ready; it keeps its cost matrix and Assigner between batches, so a warm
// Pair allocates nothing.
type OTCoupling struct {
	cost     []float64 // row-major n×n squared distances
	rowToCol []int
	tmp      []Vec
	assigner Assigner
}

// Name returns "ot".
func (*OTCoupling) Name() string { return "ot" }

// Pair reorders x1 by the optimal assignment of x0 onto x1.
func (c *OTCoupling) Pair(x0, x1 []Vec) {
	checkPairs(x0, x1)
	n := len(x0)
	if cap(c.cost) < n*n {
		c.cost = make([]float64, n*n)
	}
	if cap(c.rowToCol) < n {
		c.rowToCol = make([]int, n)
		c.tmp = make([]Vec, n)
	}
	cost, rowToCol, tmp := c.cost[:n*n], c.rowToCol[:n], c.tmp[:n]
	for i, p := range x0 {
		row := cost[i*n : (i+1)*n]
		for j, q := range x1 {
			dx, dy := p[0]-q[0], p[1]-q[1]
			row[j] = dx*dx + dy*dy
		}
	}
	c.assigner.Assign(cost, n, rowToCol)
	for i, j := range rowToCol {
		tmp[i] = x1[j]
	}
	copy(x1, tmp)
}

func checkPairs(x0, x1 []Vec) {
	if len(x0) != len(x1) {
		panic(fmt.Sprintf("flow: coupling %d source draws with %d target draws", len(x0), len(x1)))
	}
}

// ParseCoupling returns a new coupling called name ("independent" or "ot",
// any case). Rectified flow's reflow pairs come from a trained teacher
// model, so package flow/train provides that one.
func ParseCoupling(name string) (Coupling, error) {
	switch strings.ToLower(strings.TrimSpace(name)) {
	case "independent":
		return IndependentCoupling{}, nil
	case "ot":
		return &OTCoupling{}, nil
	}
	return nil, fmt.Errorf("flow: unknown coupling %q (want independent or ot)", name)
}

// Compile-time checks that the package's types implement its interfaces.
var (
	_ Path       = LinearPath{}
	_ Path       = OTPath{}
	_ affinePath = LinearPath{}
	_ affinePath = OTPath{}
	_ Field      = FieldFunc(nil)
	_ Field      = (*Marginal)(nil)
	_ Coupling   = IndependentCoupling{}
	_ Coupling   = (*OTCoupling)(nil)
)
