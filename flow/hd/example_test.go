package hd_test

import (
	"context"
	"fmt"
	"math/rand/v2"

	"github.com/flowviz/flowviz/flow/hd"
	"github.com/flowviz/flowviz/flow/mlp"
)

// The same loop as in the plane, on 8×8 images: train, then integrate
// noise with Euler, watching |v| of the first sample (a film strip), and
// project the results on the data's first two principal components.
func Example() {
	cfg := hd.DefaultConfig()
	cfg.Target = "digits8"
	cfg.Net = mlp.Config{Width: 32, Depth: 2}
	tr, err := hd.New(cfg)
	if err != nil {
		panic(err)
	}
	for range 20 {
		if _, err := tr.Step(); err != nil {
			panic(err)
		}
	}
	tr.Publish()
	snap := tr.Latest()

	d := tr.Data().Dim()
	x := make([]float32, 16*d)
	hd.Noise(rand.New(rand.NewPCG(1, 2)), x)
	speed := make([]float32, 16)
	steps := 0
	err = hd.Euler(context.Background(), snap.Net, x, 10, func(k int, t float32, x, v []float32) {
		hd.Norms(speed, v, d) // |v| of every sample at this step
		steps++
	})
	if err != nil {
		panic(err)
	}

	data := make([]float32, 500*d)
	tr.Data().Sample(rand.New(rand.NewPCG(3, 4)), data, make([]int, 500))
	pca, err := hd.FitPCA(data, d, 2)
	if err != nil {
		panic(err)
	}
	xy := make([]float32, 16*2)
	pca.Project(xy, x)
	fmt.Println(d, snap.Step, steps, len(xy), pca.Fraction() > 0 && pca.Fraction() < 1)
	// Output: 64 20 10 32 true
}
