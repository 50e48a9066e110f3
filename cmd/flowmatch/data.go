package main

import (
	"context"
	"flag"
	"fmt"
	"math/rand/v2"

	"github.com/flowviz/flowviz/flow/data"
	"github.com/flowviz/flowviz/flow/train"
)

func setupData(fs *flag.FlagSet) func(context.Context, *env) error {
	var (
		name string
		n    int
		seed uint64
		out  string
		list bool
	)
	fs.StringVar(&name, "name", "moons", "dataset spec: name or name:key=value,... (or a .csv or image file)")
	fs.IntVar(&n, "n", 2000, "number of points")
	fs.Uint64Var(&seed, "seed", 3, "random seed")
	fs.StringVar(&out, "o", "-", "output CSV file with an x,y header (- for stdout)")
	fs.BoolVar(&list, "list", false, "list the built-in datasets and their parameters, then exit")
	return func(ctx context.Context, e *env) error {
		if list {
			datasetHelp(e.stdout)
			return nil
		}
		if n < 1 || n > maxSamples {
			return usagef("-n %d: must be in 1..%d", n, maxSamples)
		}
		d, err := data.Load(name)
		if err != nil {
			return usagef("-name: %v", err)
		}
		if train.IsEmpty(d) {
			return fmt.Errorf("dataset %s has no points", d)
		}
		pts := data.Sample(d, rand.New(rand.NewPCG(seed, streamTarget)), n)
		if out == "-" {
			return data.WriteCSV(e.stdout, pts)
		}
		if err := data.WriteCSVFile(out, pts); err != nil {
			return err
		}
		fmt.Fprintf(e.stderr, "wrote %d points of %s to %s\n", n, d, out)
		return nil
	}
}
