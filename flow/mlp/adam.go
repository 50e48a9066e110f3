package mlp

import (
	"fmt"
	"math"
)

// Adam is the Adam optimizer (Kingma & Ba 2015) with optional decoupled
// weight decay (AdamW, Loshchilov & Hutter 2019), updating exactly as
// PyTorch's torch.optim.Adam / AdamW do. For step t:
//
//	θ ← θ·(1 − lr·wd)                  (decoupled decay, only if wd > 0)
//	m ← β₁·m + (1 − β₁)·g
//	v ← β₂·v + (1 − β₂)·g²
//	θ ← θ − (lr/(1 − β₁ᵗ)) · m / (√v/√(1 − β₂ᵗ) + ε)
//
// The exported fields M, V and Steps are the whole state, so a session file
// can save and restore it; hyper-parameters may change between steps.
type Adam struct {
	LR, Beta1, Beta2, Eps, WeightDecay float64

	M, V  []float32 // first and second moment estimates, one per parameter
	Steps int       // number of updates so far (t above)
}

// NewAdam returns an optimizer for numParams parameters with PyTorch's
// defaults: lr 1e-3, β₁ 0.9, β₂ 0.999, ε 1e-8, no weight decay.
func NewAdam(numParams int) *Adam {
	return &Adam{
		LR: 1e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8,
		M: make([]float32, numParams), V: make([]float32, numParams),
	}
}

// Step applies one update to params given their gradient grad.
func (a *Adam) Step(params, grad []float32) {
	if len(params) != len(a.M) || len(grad) != len(a.M) || len(a.V) != len(a.M) {
		panic(fmt.Sprintf("mlp: Adam for %d parameters got %d parameters and %d gradients", len(a.M), len(params), len(grad)))
	}
	a.Steps++
	t := float64(a.Steps)
	stepSize := float32(a.LR / (1 - math.Pow(a.Beta1, t)))
	invSqrtBC2 := float32(1 / math.Sqrt(1-math.Pow(a.Beta2, t)))
	b1, b2 := float32(a.Beta1), float32(a.Beta2)
	c1, c2 := 1-b1, 1-b2
	eps := float32(a.Eps)
	decay := float32(1 - a.LR*a.WeightDecay)
	m, v := a.M[:len(params)], a.V[:len(params)]
	grad = grad[:len(params)]
	head := 0
	if asm() {
		head = len(params) / 8 * 8
		if head > 0 {
			adamAsm(&params[0], &grad[0], &m[0], &v[0], head, &adamCoeffs{b1, c1, b2, c2, eps, stepSize, invSqrtBC2, decay})
		}
	}
	for i := head; i < len(params); i++ {
		g := grad[i]
		p := params[i] * decay // decay is exactly 1 without weight decay
		mi := b1*m[i] + c1*g
		vi := b2*v[i] + c2*g*g
		m[i], v[i] = mi, vi
		denom := float32(math.Sqrt(float64(vi)))*invSqrtBC2 + eps
		params[i] = p - stepSize*(mi/denom)
	}
}

// adamCoeffs are the per-step scalars of Adam.Step in the order
// kernels_amd64.s reads them.
type adamCoeffs struct {
	b1, c1, b2, c2, eps, stepSize, invSqrtBC2, decay float32
}

// Reset forgets the moments and the step count, as for a fresh optimizer.
func (a *Adam) Reset() {
	clear(a.M)
	clear(a.V)
	a.Steps = 0
}
