package mlp

import "fmt"

// CFMLoss is the conditional flow-matching regression loss over a batch of
// B predicted velocities (B×2) and their targets x1 − x0:
//
//	L = 1/(2B) · Σᵢ (predᵢ − targetᵢ)²,   dL/dpredᵢ = 2·(predᵢ − targetᵢ)/(2B),
//
// the mean over all 2B elements, as ((direction − pred)**2).mean() in the
// blog post and the PyTorch peer. It returns L (summed in float64) and
// writes dL/dpred into dpred.
func CFMLoss(pred, target, dpred []float32) float64 {
	if len(target) != len(pred) || len(dpred) != len(pred) {
		panic(fmt.Sprintf("mlp: CFMLoss lengths %d, %d, %d differ", len(pred), len(target), len(dpred)))
	}
	if len(pred) == 0 {
		return 0
	}
	scale := 2 / float32(len(pred))
	var sum float64
	for i, p := range pred {
		diff := p - target[i]
		sum += float64(diff) * float64(diff)
		dpred[i] = scale * diff
	}
	return sum / float64(len(pred))
}
