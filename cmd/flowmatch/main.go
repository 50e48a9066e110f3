// Command flowmatch trains, samples, evaluates and benchmarks 2D flow-matching
// models without a display.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"

	"github.com/flowviz/flowviz/cmd/internal/version"
	"github.com/flowviz/flowviz/flow/data"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	go func() {
		// After the first Ctrl+C the command winds up within a second; a
		// second one ends the process at once, as it would without us.
		<-ctx.Done()
		stop()
	}()
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// Exit codes: usage errors (bad command, flag or value) are 2, failures
// while doing the work are 1.
const (
	exitOK      = 0
	exitFailure = 1
	exitUsage   = 2
)

// usageError marks an error as the user's invocation being wrong.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

func usagef(format string, args ...any) error {
	return usageError{fmt.Errorf(format, args...)}
}

// command is one subcommand: its flags are registered on fs, and run does
// the work once they are parsed.
type command struct {
	name    string
	summary string
	setup   func(fs *flag.FlagSet) func(ctx context.Context, env *env) error
}

// env is what a subcommand writes to.
type env struct {
	stdout, stderr io.Writer
	fs             *flag.FlagSet
}

func commands() []command {
	return []command{
		{"train", "train a model and save it as JSON", setupTrain},
		{"sample", "draw samples from a model as x,y CSV", setupSample},
		{"eval", "score a model's samples against its target (W2, energy distance, path energy, NPE, straightness)", setupEval},
		{"density", "write a model's learned or exact log-density, or its divergence, as a PNG or CSV grid", setupDensity},
		{"data", "draw points from a dataset as x,y CSV", setupData},
		{"record", "train a model (or take one) and record its particles flowing t = 0 → 1 as an animated GIF", setupRecord},
		{"bench", "measure training steps/s and Euler particle-steps/s (optionally beside the PyTorch peer)", setupBench},
		{"compare", "train two models in lockstep on the same batches and compare W2, straightness, NPE and speed", setupCompare},
	}
}

// run is main without the process: it parses args, runs the subcommand and
// returns the exit code, so tests can call it in-process.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		mainUsage(stderr)
		return exitUsage
	}
	name := args[0]
	switch name {
	case "-h", "-help", "--help", "help":
		mainUsage(stdout)
		return exitOK
	case "-version", "--version", "version":
		fmt.Fprintln(stdout, version.Get().String("flowmatch"))
		return exitOK
	}
	for _, c := range commands() {
		if c.name != name {
			continue
		}
		fs := flag.NewFlagSet("flowmatch "+name, flag.ContinueOnError)
		fs.SetOutput(stderr)
		do := c.setup(fs)
		fs.Usage = func() { commandUsage(fs.Output(), c, fs) }
		if err := fs.Parse(args[1:]); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return exitOK
			}
			return exitUsage // the flag package has printed the error and usage
		}
		if fs.NArg() > 0 {
			fmt.Fprintf(stderr, "flowmatch %s: unexpected argument %q (flags go before nothing else; see flowmatch %s -h)\n", name, fs.Arg(0), name)
			return exitUsage
		}
		err := do(ctx, &env{stdout: stdout, stderr: stderr, fs: fs})
		if err == nil {
			return exitOK
		}
		fmt.Fprintf(stderr, "flowmatch %s: %v\n", name, err)
		var ue usageError
		if errors.As(err, &ue) {
			fmt.Fprintf(stderr, "run 'flowmatch %s -h' for help\n", name)
			return exitUsage
		}
		return exitFailure
	}
	fmt.Fprintf(stderr, "flowmatch: unknown command %q\n\n", name)
	mainUsage(stderr)
	return exitUsage
}

func mainUsage(w io.Writer) {
	fmt.Fprintf(w, "flowmatch trains and inspects 2D flow-matching models without a display.\n\n")
	fmt.Fprintf(w, "usage: flowmatch <command> [flags]\n\ncommands:\n")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-7s %s\n", c.name, c.summary)
	}
	fmt.Fprintf(w, "\nexamples:\n")
	fmt.Fprintf(w, "  flowmatch train -target moons -steps 5000 -o model.json\n")
	fmt.Fprintf(w, "  flowmatch sample -model model.json -n 2000 -o samples.csv\n")
	fmt.Fprintf(w, "  flowmatch train -target digits -o digits.json && flowmatch sample -model digits.json -o grid.png\n")
	fmt.Fprintf(w, "  flowmatch eval -model model.json -nll\n")
	fmt.Fprintf(w, "  flowmatch density -model model.json -t 0.5 -grid 96 -o density.png\n")
	fmt.Fprintf(w, "  flowmatch data -name 8gaussians -n 2000 -o target.csv\n")
	fmt.Fprintf(w, "  flowmatch record -target 8gaussians -coupling ot -steps 3000 -o slide.gif\n")
	fmt.Fprintf(w, "  flowmatch bench -peer\n")
	fmt.Fprintf(w, "  flowmatch compare -a source=8gaussians:std=0.5,target=moons -b coupling=ot -steps 3000\n\n")
	datasetHelp(w)
	fmt.Fprintf(w, "\nrun 'flowmatch <command> -h' for the flags of a command, 'flowmatch -version' for the build.\n")
}

func commandUsage(w io.Writer, c command, fs *flag.FlagSet) {
	fmt.Fprintf(w, "usage: flowmatch %s [flags]\n\n%s.\n\nflags:\n", c.name, c.summary)
	fs.PrintDefaults()
	if c.name == "eval" {
		fmt.Fprintf(w, "\ncost: W2 is exact up to n = %d (an assignment, about 0.5 s at 2000) and sliced above\n"+
			"(each projection sorts 2n numbers: about 2 s per projection at n = 10 million); the energy\n"+
			"distance sums over all pairs of the first %d points of each sample (O(m²), under a second).\n"+
			"The samples keep every step: n × (steps + 1) is at most 50 million. Ctrl+C stops within a second.\n",
			exactW2Max, energyMax)
	}
	switch c.name {
	case "train", "data", "eval", "density", "record":
		fmt.Fprintln(w)
		datasetHelp(w)
	case "compare":
		fmt.Fprintln(w)
		specHelp(w)
	}
}

// datasetHelp lists the built-in datasets with their parameters.
func datasetHelp(w io.Writer) {
	fmt.Fprintf(w, "datasets (a spec is name or name:key=value,...; a .csv file or an image also works):\n")
	for _, n := range data.Names() {
		fmt.Fprintf(w, "  %s\n", data.Describe(n))
	}
	fmt.Fprintf(w, "image targets (train -target; sample writes a .png grid, eval a class histogram):\n")
	fmt.Fprintf(w, "  digits   16×16 grey digits 0–9 from the Go fonts, jittered, 256 dimensions\n")
	fmt.Fprintf(w, "  digits8  the same at 8×8, 64 dimensions\n")
	fmt.Fprintf(w, "  with -cond the network takes the digit; sample/eval -class K|all|none -guidance W\n")
}

// flagWasSet reports whether the user gave flag name explicitly.
func flagWasSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) {
		if f.Name == name {
			set = true
		}
	})
	return set
}

// oneOf checks that value is one of allowed, as a usage error naming flag.
func oneOf(flagName, value string, allowed ...string) error {
	for _, a := range allowed {
		if value == a {
			return nil
		}
	}
	return usagef("-%s %q: want one of %s", flagName, value, strings.Join(allowed, ", "))
}
