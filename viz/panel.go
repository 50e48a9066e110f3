package viz

import (
	"fmt"
	"image"
	"math"
	"slices"
	"strings"

	"github.com/ebitengine/debugui"

	"github.com/flowviz/flowviz/viz/palette"
	"github.com/flowviz/flowviz/viz/scene"
	"github.com/flowviz/flowviz/viz/timeline"
)

// Choices offered by the panel's dropdowns besides the backend's Options.
var (
	batchChoices    = []int{16, 32, 64, 128, 256, 512, 1024, 2048, 4096}
	particleChoices = []int{1, 100, 500, 1000, 2000, 4000, 10000, 20000, 50000}
)

// Panel is the debugui side panel. It edits a copy of the settings and tells
// the game what changed through its callbacks; it never talks to the backend
// itself.
type Panel struct {
	Area  rect
	Scale int

	opts     scene.Options
	edit     scene.Settings // what the widgets show and change
	srcIdx   int
	tgtIdx   int
	actIdx   int
	pathIdx  int
	coupIdx  int
	solvIdx  int
	batchIdx int
	partIdx  int
	colIdx   int
	srcSpec  string
	tgtSpec  string
	seed     int
	changed  bool // a setting changed this tick
	// NLL is the live NLL line of the focused pane, "" for none.
	NLL string

	diff diffusionSection // schedules, targets, SDE, classes: its own file
}

// Sync loads settings into the widgets (at start and after outside changes).
func (p *Panel) Sync(s scene.Settings, opts scene.Options) {
	p.opts = opts
	p.edit = s
	p.srcSpec, p.tgtSpec = s.Source, s.Target
	p.srcIdx = indexOf(opts.Data, specName(s.Source))
	p.tgtIdx = indexOf(opts.Data, specName(s.Target))
	p.actIdx = indexOf(opts.Acts, s.Act)
	p.pathIdx = indexOf(opts.Paths, s.Path)
	p.coupIdx = indexOf(opts.Couplings, s.Coupling)
	p.solvIdx = indexOf(opts.Solvers, s.Solver)
	p.batchIdx = nearestIndex(batchChoices, s.Batch)
	p.partIdx = nearestIndex(particleChoices, s.Particles)
	p.seed = int(s.Seed)
}

// specName is the distribution name of a spec "name:key=value,...".
func specName(spec string) string {
	name, _, _ := strings.Cut(spec, ":")
	return name
}

// dataChoices is what a data dropdown lists: the presets, and when the data
// in use is none of them (a drawing, an image, a text, a CSV) its name as a
// last entry, which *idx then shows; picking a preset replaces it.
func dataChoices(presets []string, spec string, idx *int) []string {
	name := specName(spec)
	if name == "" || slices.Contains(presets, name) {
		return presets
	}
	*idx = len(presets)
	return append(presets[:len(presets):len(presets)], name)
}

func indexOf(list []string, v string) int { return max(0, slices.Index(list, v)) }

func nearestIndex(list []int, v int) int {
	best := 0
	for i, c := range list {
		if abs(c-v) < abs(list[best]-v) {
			best = i
		}
	}
	return best
}

func abs(x int) int { return max(x, -x) }

// Actions are what the panel asks the game to do.
type Actions struct {
	Train, Pause, Reset, Resample, Fit func()
	Lessons                            func(*debugui.Context) // the Lessons section, if any
	Images                             func(*debugui.Context) // the image view's section, if shown
	Draw                               func(*debugui.Context) // the Draw section, if any
	Keep                               func(*debugui.Context) // the Keep section, if any
	ScaleBy                            func(float64)          // UI scale + or − 1
	Contrast                           func(on bool)          // high-contrast theme
	Colours                            func(name string)      // colour map by name
	Presenter                          func(*debugui.Context) // the ink and presentation controls, if any
	Deck                               func(*debugui.Context) // the Deck section, if any
	Classes                            int                    // classes of the target on screen, for the Diffusion section
}

// Build lays out the panel for this tick. It returns the settings as edited
// and whether any changed.
func (p *Panel) Build(ctx *debugui.Context, st scene.Status, layers *Layers, tl *timeline.Timeline, status string, act Actions) (scene.Settings, bool) {
	p.changed = false
	sc := float64(max(1, p.Scale))
	// The window is keyed by its size so that a resized screen gets a panel
	// laid out anew at the right edge instead of a stale one.
	bounds := image.Rect(int(p.Area.X/sc), int(p.Area.Y/sc), int((p.Area.X+p.Area.W)/sc), int((p.Area.Y+p.Area.H)/sc))
	ctx.IDScope(fmt.Sprint(bounds), func() {
		ctx.Window("flowviz", bounds, func(layout debugui.ContainerLayout) {
			p.training(ctx, st, act)
			if act.Images != nil {
				act.Images(ctx)
			}
			if act.Lessons != nil {
				act.Lessons(ctx)
			}
			if act.Deck != nil {
				act.Deck(ctx)
			}
			p.lecture(ctx, act)
			p.data(ctx)
			if act.Draw != nil {
				act.Draw(ctx)
			}
			if act.Keep != nil {
				act.Keep(ctx)
			}
			p.model(ctx)
			p.flow(ctx)
			if p.diff.build(ctx, &p.edit, diffusionInfo{t: tl.T, classes: act.Classes}, p.Scale) {
				p.mark()
			}
			p.sampler(ctx, act)
			p.view(ctx, layers, tl, act)
			p.statusLine(ctx, status)
		})
	})
	return p.edit, p.changed
}

func (p *Panel) mark() { p.changed = true }

func (p *Panel) training(ctx *debugui.Context, st scene.Status, act Actions) {
	ctx.Header("Training", true, func() {
		ctx.SetGridLayout([]int{-1, -1, -1}, nil)
		ctx.Button("Train").On(act.Train)
		ctx.Button("Pause").On(act.Pause)
		ctx.Button("Reset").On(act.Reset)
		ctx.SetGridLayout(nil, nil)
		state := st.State
		if state == "" {
			state = "starting"
		}
		ctx.Text(fmt.Sprintf("%s · step %s · %s steps/s", state, thousands(st.Step), thousands(int(math.Round(st.StepsPerSec)))))
		ctx.Text("loss " + lossText(st.Loss))
		if p.NLL != "" {
			ctx.Text(p.NLL)
			if strings.Contains(p.NLL, "entropy") {
				ctx.Text("(no model's NLL goes below the entropy)")
			}
		}
	})
}

// lecture is the projector section: UI scale, theme and colour map, each
// also on a key. It sits high in the panel so that the colour list opens
// inside the window (see DESIGN.md on debugui's dropdowns).
func (p *Panel) lecture(ctx *debugui.Context, act Actions) {
	ctx.Header("Lecture", true, func() {
		ctx.SetGridLayout([]int{-3, -1, -1}, nil)
		ctx.Text(fmt.Sprintf("UI scale %d (− +)", p.Scale))
		ctx.Button("−").On(func() {
			if act.ScaleBy != nil {
				act.ScaleBy(-1)
			}
		})
		ctx.Button("+").On(func() {
			if act.ScaleBy != nil {
				act.ScaleBy(+1)
			}
		})
		ctx.SetGridLayout(nil, nil)
		contrast := palette.CurrentTheme().Name == palette.HighContrast.Name
		ctx.Checkbox(&contrast, "high contrast (I)").On(func() {
			if act.Contrast != nil {
				act.Contrast(contrast)
			}
		})
		ctx.SetGridLayout([]int{-1, -2}, nil)
		ctx.Text("colours (M)")
		names := make([]string, len(palette.ColourMaps))
		for i, m := range palette.ColourMaps {
			names[i] = m.Name
			if m.Name == palette.Colours().Name {
				p.colIdx = i
			}
		}
		ctx.Dropdown(&p.colIdx, names).On(func() {
			if act.Colours != nil && p.colIdx < len(names) {
				act.Colours(names[p.colIdx])
			}
		})
		ctx.SetGridLayout(nil, nil)
		if act.Presenter != nil {
			act.Presenter(ctx)
		}
	})
}

// statusLine ends the panel, so that a long message wraps without moving
// any widget above it.
func (p *Panel) statusLine(ctx *debugui.Context, status string) {
	ctx.Header("Status", true, func() {
		if status == "" {
			status = "ok"
		}
		ctx.Text(status)
	})
}

func (p *Panel) data(ctx *debugui.Context) {
	ctx.Header("Data", true, func() {
		ctx.SetGridLayout([]int{-1, -2}, nil)
		ctx.Text("source")
		ctx.Dropdown(&p.srcIdx, dataChoices(p.opts.Data, p.edit.Source, &p.srcIdx)).On(func() {
			if p.srcIdx < len(p.opts.Data) {
				p.edit.Source, p.srcSpec = p.opts.Data[p.srcIdx], p.opts.Data[p.srcIdx]
				p.mark()
			}
		})
		ctx.Text("")
		ctx.TextField(&p.srcSpec).On(func() {
			if p.srcSpec != p.edit.Source {
				p.edit.Source = p.srcSpec
				p.mark()
			}
		})
		ctx.Text("target")
		ctx.Dropdown(&p.tgtIdx, dataChoices(p.opts.Data, p.edit.Target, &p.tgtIdx)).On(func() {
			if p.tgtIdx < len(p.opts.Data) {
				p.edit.Target, p.tgtSpec = p.opts.Data[p.tgtIdx], p.opts.Data[p.tgtIdx]
				p.mark()
			}
		})
		ctx.Text("")
		ctx.TextField(&p.tgtSpec).On(func() {
			if p.tgtSpec != p.edit.Target {
				p.edit.Target = p.tgtSpec
				p.mark()
			}
		})
	})
}

func (p *Panel) model(ctx *debugui.Context) {
	ctx.Header("Model", true, func() {
		ctx.SetGridLayout([]int{-1, -2}, nil)
		ctx.Text("width")
		ctx.NumberField(&p.edit.Width, 8).On(func() { p.edit.Width = min(1024, max(1, p.edit.Width)); p.mark() })
		ctx.Text("depth")
		ctx.NumberField(&p.edit.Depth, 1).On(func() { p.edit.Depth = min(16, max(1, p.edit.Depth)); p.mark() })
		ctx.Text("activation")
		ctx.Dropdown(&p.actIdx, p.opts.Acts).On(func() {
			if p.actIdx < len(p.opts.Acts) {
				p.edit.Act = p.opts.Acts[p.actIdx]
				p.mark()
			}
		})
		ctx.Text("batch")
		ctx.Dropdown(&p.batchIdx, intLabels(batchChoices)).On(func() {
			p.edit.Batch = batchChoices[p.batchIdx]
			p.mark()
		})
		ctx.Text("seed")
		ctx.NumberField(&p.seed, 1).On(func() { p.seed = max(0, p.seed); p.edit.Seed = uint64(p.seed); p.mark() })
		ctx.SetGridLayout([]int{-3, -2, -2, -2, -2}, nil)
		ctx.Text(fmt.Sprintf("lr %.1e", p.edit.LR))
		ctx.Button("÷10").On(func() { p.scaleLR(0.1) })
		ctx.Button("÷2").On(func() { p.scaleLR(0.5) })
		ctx.Button("×2").On(func() { p.scaleLR(2) })
		ctx.Button("×10").On(func() { p.scaleLR(10) })
	})
}

// stepParticles moves to the next or previous particle count of
// particleChoices.
func (p *Panel) stepParticles(dir int) {
	i := nearestIndex(particleChoices, p.edit.Particles)
	i = min(len(particleChoices)-1, max(0, i+dir))
	p.edit.Particles = particleChoices[i]
	p.partIdx = i
	p.mark()
}

// scaleLR multiplies the learning rate, kept within [1e-6, 10].
func (p *Panel) scaleLR(f float64) {
	p.edit.LR = math.Min(10, math.Max(1e-6, p.edit.LR*f))
	p.mark()
}

func (p *Panel) flow(ctx *debugui.Context) {
	ctx.Header("Flow", true, func() {
		ctx.SetGridLayout([]int{-1, -2}, nil)
		ctx.Text("path")
		ctx.Dropdown(&p.pathIdx, p.opts.Paths).On(func() {
			if p.pathIdx < len(p.opts.Paths) {
				p.edit.Path = p.opts.Paths[p.pathIdx]
				p.mark()
			}
		})
		ctx.Text("σ")
		ctx.SliderF(&p.edit.Sigma, 0, 1, 0.01, 2).On(p.mark)
		ctx.Text("coupling")
		ctx.Dropdown(&p.coupIdx, p.opts.Couplings).On(func() {
			if p.coupIdx < len(p.opts.Couplings) {
				p.edit.Coupling = p.opts.Couplings[p.coupIdx]
				p.mark()
			}
		})
	})
}

func (p *Panel) sampler(ctx *debugui.Context, act Actions) {
	ctx.Header("Sampler", true, func() {
		ctx.SetGridLayout([]int{-1, -2}, nil)
		ctx.Text("solver")
		ctx.Dropdown(&p.solvIdx, p.opts.Solvers).On(func() {
			if p.solvIdx < len(p.opts.Solvers) {
				p.edit.Solver = p.opts.Solvers[p.solvIdx]
				p.mark()
			}
		})
		ctx.Text("NUM_STEPS")
		ctx.Slider(&p.edit.Steps, scene.MinSteps, scene.MaxSteps, 1).On(p.mark)
		// Buttons rather than a dropdown: a list this low in the panel would
		// reach past the window's bottom, where debugui mishandles it.
		ctx.SetGridLayout([]int{-2, -2, -1, -1}, nil)
		ctx.Text("particles")
		ctx.Text(thousands(p.edit.Particles))
		ctx.Button("−").On(func() { p.stepParticles(-1) })
		ctx.Button("+").On(func() { p.stepParticles(+1) })
		ctx.SetGridLayout([]int{-1, -2}, nil)
		ctx.Text("arrows/side")
		ctx.Slider(&p.edit.Grid, scene.MinGrid, scene.MaxGrid, 1).On(p.mark)
		ctx.SetGridLayout(nil, nil)
		ctx.Button("Resample particles").On(act.Resample)
	})
}

func (p *Panel) view(ctx *debugui.Context, l *Layers, tl *timeline.Timeline, act Actions) {
	ctx.Header("View", true, func() {
		ctx.SetGridLayout([]int{-1, -1}, nil)
		ctx.Checkbox(&l.Field, "arrows (V)")
		ctx.Checkbox(&l.Particles, "particles (P)")
		ctx.Checkbox(&l.Trails, "trails (T)")
		ctx.Checkbox(&l.Trajectories, "paths (J)")
		ctx.Checkbox(&l.Clouds, "clouds (C)")
		ctx.Checkbox(&l.Grid, "grid (G)")
		ctx.Checkbox(&l.Legend, "legend (L)")
		ctx.Button("Fit view (F)").On(act.Fit)
		ctx.SetGridLayout(nil, nil)
		ctx.Button("playback: " + tl.Mode.String() + " (B)").On(tl.CycleMode)
		ctx.Button("density: " + l.Density.Title() + " (Y)").On(func() { l.Density = l.Density.Next() })
		ctx.Text("Press ? for the keys.")
	})
}

func intLabels(v []int) []string {
	out := make([]string, len(v))
	for i, n := range v {
		out[i] = thousands(n)
	}
	return out
}
