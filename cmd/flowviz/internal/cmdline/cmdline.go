// Package cmdline reads flowviz's command line and runs what needs no
// window: -version, -h and -record. It does so from its init function,
// before ebiten's, which on Linux needs an X display (see early.go).
package cmdline

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/flowviz/flowviz/flow"
	"github.com/flowviz/flowviz/viz/deck"
	"github.com/flowviz/flowviz/viz/link"
	"github.com/flowviz/flowviz/viz/palette"
	"github.com/flowviz/flowviz/viz/record"
	"github.com/flowviz/flowviz/viz/scene"
	"github.com/flowviz/flowviz/viz/session"
	"github.com/flowviz/flowviz/viz/storage"
)

// Options is the parsed and checked command line.
type Options struct {
	Settings            scene.Settings
	Width, Height       int
	Scale               float64
	Theme, Colours      string
	Fullscreen          bool
	Lesson              int
	Deck                string // -deck: a lecture deck to present
	Stats               bool
	StateFile           string
	Demo                bool
	Compare             string // -compare: B = A with these key=value settings changed
	Stepwise            bool   // train and sample from the game loop
	CPUProfile          string
	MemProfile          string
	DrawingFile         string
	SessionFile         string
	KeepDir             string
	Verbose             bool
	Version             bool
	RestoreDrawing      bool // no -target: a drawing kept from the last run becomes the target
	RestoreAutosave     bool // no -fresh and no flag naming what the autosave would restore
	Record              string
	RecordSteps         int
	RecordTrails        bool
	RecordTrailsSet     bool // -record-trails given (else a session's trails layer decides)
	RecordSize, RecordN int
}

// overridesAutosave names the flags that choose what the autosave would
// restore: given any of them, the app starts from the command line instead.
var overridesAutosave = map[string]bool{
	"source": true, "target": true, "width": true, "depth": true, "act": true, "lr": true,
	"batch": true, "seed": true, "path": true, "sigma": true, "coupling": true, "solver": true,
	"steps": true, "particles": true, "grid": true, "demo": true,
	"schedule": true, "predict": true, "noise": true, "cond": true, "guidance": true,
}

// errUsage marks a bad command line whose message the flag package or
// Parse has already printed.
var errUsage = errors.New("usage")

// Parse reads args (without the program name). Bad flags and values are
// reported on stderr with the usage, and Parse returns an error (exit 2);
// -h returns flag.ErrHelp (exit 0).
func Parse(args []string, stderr io.Writer) (*Options, error) {
	d := scene.DefaultSettings()
	o := &Options{}
	s := &o.Settings
	fs := flag.NewFlagSet("flowviz", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&s.Source, "source", d.Source, "source distribution spec, e.g. gaussian or gaussian:std=1")
	fs.StringVar(&s.Target, "target", d.Target, "target distribution spec, e.g. moons or 8gaussians:radius=5")
	fs.IntVar(&s.Width, "width", d.Width, "hidden layer width")
	fs.IntVar(&s.Depth, "depth", d.Depth, "number of hidden layers")
	fs.StringVar(&s.Act, "act", d.Act, "activation function")
	fs.Float64Var(&s.LR, "lr", d.LR, "learning rate (changeable live)")
	fs.IntVar(&s.Batch, "batch", d.Batch, "batch size (changeable live)")
	fs.Uint64Var(&s.Seed, "seed", d.Seed, "random seed")
	fs.StringVar(&s.Path, "path", d.Path, "probability path: linear | ot")
	fs.Float64Var(&s.Sigma, "sigma", d.Sigma, "σ of the path")
	fs.StringVar(&s.Coupling, "coupling", d.Coupling, "coupling: independent | ot | reflow")
	fs.StringVar(&s.Solver, "solver", d.Solver, "ODE solver: euler | midpoint | heun | rk4")
	fs.IntVar(&s.Steps, "steps", d.Steps, "NUM_STEPS of the sampler, 1..200")
	fs.IntVar(&s.Particles, "particles", d.Particles, "number of particles, 1..50000")
	fs.IntVar(&s.Grid, "grid", d.Grid, "arrows per side of the field grid, 4..64")
	fs.StringVar(&s.Schedule, "schedule", "linear", "Gaussian path x = α·x1 + σ·x0: linear | cosine | vp | ve | poly (not linear: replaces -path and -sigma)")
	fs.StringVar(&s.Predict, "predict", "velocity", "what the network regresses: velocity | noise | data | score")
	fs.Float64Var(&s.Noise, "noise", 0, "noise g of the reverse SDE sampler, 0..5 (0: the ODE)")
	fs.BoolVar(&s.Cond, "cond", false, "class-conditional network on the target's labels (label dropout 0.1)")
	w := fs.Float64("guidance", 1, "classifier-free guidance w, 0..10: (1 − w)·u(x | no class) + w·u(x | y)")
	window := fs.String("window", "1280x800", "window size WxH")
	fs.Float64Var(&o.Scale, "scale", 1, "UI scale 1..4 (2 for a projector)")
	fs.StringVar(&o.Theme, "theme", "standard", "colour theme: standard | contrast (I toggles)")
	fs.StringVar(&o.Colours, "colours", "viridis", "colour map: viridis | cividis | magma (M cycles; the last two are colour-blind safe for the dots too)")
	fs.BoolVar(&o.Fullscreen, "fullscreen", false, "start fullscreen (F11 toggles)")
	fs.IntVar(&o.Lesson, "lesson", 0, "start in the lesson view at lesson N (1..8); PageDown/PageUp move, Esc leaves")
	fs.StringVar(&o.Deck, "deck", "", "present this lecture deck (JSON, see assets/decks/example.json): PageDown/PageUp step, digits jump, Esc leaves; the panel adds scenes to it")
	fs.BoolVar(&o.Stats, "stats", false, "show frame timings and print them to stderr every 2 s")
	fs.StringVar(&o.StateFile, "state-file", "", "write the app state as JSON to this file every 200 ms")
	fs.BoolVar(&o.Demo, "demo", false, "play the exact marginal field instead of training a network")
	fs.StringVar(&o.Compare, "compare", "", "open compare mode: a second model B beside A, B = A with these key=value settings changed (e.g. coupling=ot, or solver=rk4,steps=5); K toggles it")
	linkFrag := fs.String("link", "", "start from the scene of a link's fragment, as the web page does: '#target=moons&coupling=ot&lesson=3' (source, target, width, depth, path, coupling, solver, steps, lesson, compare); it overrides those flags")
	fs.BoolVar(&o.Stepwise, "stepwise", false, "train and sample from the game loop, a slice of each frame, as the browser build must (no background threads)")
	fs.StringVar(&o.CPUProfile, "cpuprofile", "", "write a CPU profile of the whole run to this file")
	fs.StringVar(&o.MemProfile, "memprofile", "", "rewrite a heap profile (in use, after a GC) to this file every 10 s")
	fs.StringVar(&o.DrawingFile, "drawing", session.DefaultDrawingFile(), "CSV file the drawing is kept in between runs (\"\" to keep none)")
	fs.StringVar(&o.SessionFile, "session", "", "open this session file at start-up (and save to it with Ctrl+S); with -record, the scene to record")
	fresh := fs.Bool("fresh", false, "start clean: do not restore the autosave of the last run")
	fs.StringVar(&o.KeepDir, "keep-dir", session.DefaultKeepDir(), "folder of the autosave and exports (\"\" to keep nothing)")
	fs.StringVar(&o.Record, "record", "", "train the scene the flags (or -session) describe, record its flow t = 0→1 into this GIF and exit; needs no display")
	fs.IntVar(&o.RecordSteps, "record-steps", 2000, "with -record: training steps (a session with weights is recorded as it is)")
	fs.IntVar(&o.RecordSize, "record-size", record.DefaultSize, "with -record: GIF size in pixels")
	fs.IntVar(&o.RecordN, "record-frames", record.DefaultFrames, "with -record: number of frames")
	fs.BoolVar(&o.RecordTrails, "record-trails", false, "with -record: draw fading trails (default: the session's trails layer)")
	fs.BoolVar(&o.Verbose, "v", false, "verbose: let the X11 library's connection notes through to stderr")
	fs.BoolVar(&o.Version, "version", false, "print the version and commit and exit")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, err
		}
		return nil, errUsage // the flag package has printed it
	}
	if fs.NArg() > 0 {
		return nil, usagef(stderr, "unexpected argument %q (flowviz takes only flags; see flowviz -h)", fs.Arg(0))
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	o.RecordTrailsSet = set["record-trails"]
	// A drawing kept from the last run becomes the target unless -target
	// asks for another; the autosave is restored only when the command line
	// asks for nothing it would override.
	o.RestoreDrawing = !set["target"] && !o.Demo
	o.RestoreAutosave = !*fresh && !o.Demo
	for name := range set {
		o.RestoreAutosave = o.RestoreAutosave && !overridesAutosave[name]
	}
	s.View, s.Trails = d.View, d.Trails
	s.Guidance = *w - 1
	if _, err := flow.ParseScheduler(s.Schedule); err != nil {
		return nil, usagef(stderr, "-schedule: %v", err)
	}
	if _, err := flow.ParseTarget(s.Predict); err != nil {
		return nil, usagef(stderr, "-predict: %v", err)
	}
	// The defaults are "" in the settings, as in a session file.
	if strings.EqualFold(s.Schedule, "linear") {
		s.Schedule = ""
	}
	if strings.EqualFold(s.Predict, "velocity") {
		s.Predict = ""
	}
	if set["link"] {
		l, err := link.Parse(*linkFrag, *s)
		if err != nil {
			return nil, usagef(stderr, "-link: %v", err)
		}
		*s = l.Settings
		if l.Set["lesson"] {
			o.Lesson = l.Lesson
		}
		if l.Set["compare"] {
			o.Compare = l.Compare
		}
		// A link names a scene: start from it, not from the autosave,
		// and train on its target rather than on a kept drawing.
		for k := range l.Set {
			if overridesAutosave[k] {
				o.RestoreAutosave = false
			}
			if k == "target" {
				o.RestoreDrawing = false
			}
		}
	}

	var err error
	if o.Width, o.Height, err = parseSize(*window); err != nil {
		return nil, usagef(stderr, "%v", err)
	}
	switch {
	case s.Steps < scene.MinSteps || s.Steps > scene.MaxSteps:
		return nil, usagef(stderr, "-steps %d outside %d..%d", s.Steps, scene.MinSteps, scene.MaxSteps)
	case s.Particles < scene.MinParticles || s.Particles > scene.MaxParticles:
		return nil, usagef(stderr, "-particles %d outside %d..%d", s.Particles, scene.MinParticles, scene.MaxParticles)
	case !(s.Noise >= 0 && s.Noise <= scene.MaxNoise):
		return nil, usagef(stderr, "-noise %v outside 0..%d", s.Noise, scene.MaxNoise)
	case !(*w >= scene.MinGuidance+1 && *w <= scene.MaxGuidance+1):
		return nil, usagef(stderr, "-guidance %v outside %d..%d", *w, scene.MinGuidance+1, scene.MaxGuidance+1)
	case o.Scale < 1 || o.Scale > 4:
		return nil, usagef(stderr, "-scale must be in 1..4")
	case o.Lesson > 0 && o.Deck != "":
		return nil, usagef(stderr, "-lesson and -deck both choose what to show first: give one")
	case o.Lesson < 0:
		return nil, usagef(stderr, "-lesson must be a lesson number (1..8), or 0 for none")
	case o.Record != "" && (o.RecordSize < 16 || o.RecordSize > record.MaxSize):
		return nil, usagef(stderr, "-record-size %d outside 16..%d", o.RecordSize, record.MaxSize)
	case o.Record != "" && (o.RecordN < 2 || o.RecordN > record.MaxFrames):
		return nil, usagef(stderr, "-record-frames %d outside 2..%d", o.RecordN, record.MaxFrames)
	}
	if o.Deck != "" {
		// A deck that is there must read: a typo'd or newer deck is said
		// at once, not found missing in front of the class. A deck that is
		// not there yet is a new one for the panel to add scenes to.
		if _, err := os.Stat(o.Deck); err == nil {
			if _, err := deck.Load(storage.Files{}, o.Deck); err != nil {
				return nil, usagef(stderr, "-deck: %v", err)
			}
		}
	}
	if err := palette.CheckLook(o.Theme, o.Colours); err != nil {
		return nil, usagef(stderr, "%v", err)
	}
	o.Settings = s.Clamp()
	if o.Compare != "" {
		if o.Demo {
			return nil, usagef(stderr, "-compare needs the live trainer, not -demo")
		}
		if _, err := o.Settings.Differ(o.Compare); err != nil {
			return nil, usagef(stderr, "%v", err)
		}
	}
	return o, nil
}

func usagef(stderr io.Writer, format string, args ...any) error {
	fmt.Fprintf(stderr, "flowviz: "+format+"\n", args...)
	return errUsage
}

// parseSize reads "WxH".
func parseSize(v string) (w, h int, err error) {
	ws, hs, ok := strings.Cut(strings.ToLower(v), "x")
	if ok {
		w, err = strconv.Atoi(ws)
		if err == nil {
			h, err = strconv.Atoi(hs)
		}
	}
	if !ok || err != nil || w < 200 || h < 150 || w > 16384 || h > 16384 {
		return 0, 0, fmt.Errorf("-window %q: want WxH with W ≥ 200, H ≥ 150", v)
	}
	return w, h, nil
}
