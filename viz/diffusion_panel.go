package viz

import (
	"fmt"
	"image"
	"math"
	"strings"

	"github.com/ebitengine/debugui"
	"github.com/hajimehoshi/ebiten/v2"

	"github.com/flowviz/flowviz/flow"
	"github.com/flowviz/flowviz/flow/train"
	"github.com/flowviz/flowviz/viz/palette"
	"github.com/flowviz/flowviz/viz/scene"
)

// The choices of the Diffusion section, as flow.ParseScheduler and
// flow.ParseTarget name them.
var (
	scheduleChoices = flow.Schedules()
	predictChoices  = flow.Targets()
)

// Curve colours of the schedule plot: α gold like the learned arrows, σ the
// blue of the source cloud.
var (
	alphaColour = palette.OKLCH(0.80, 0.15, 80*math.Pi/180)
	sigmaColour = palette.OKLCH(0.72, 0.13, 240*math.Pi/180)
)

// diffusionSection is the panel's Diffusion section: the Gaussian path's
// scheduler with a plot of its α_t and σ_t and the timeline's t marked, what
// the network predicts, the reverse SDE's noise, the class-conditional model
// with its class and guidance, and what the arrows show. It edits the
// panel's copy of the settings; a change of scheduler, prediction or
// conditioning retrains, as the other model settings do.
type diffusionSection struct {
	// rects are the section's controls on the screen, in pixels, by name
	// ("schedule.vp", "predict.score", "noise", …), for the state file.
	rects map[string][4]float64
	scale int
	plot  schedulePlot
	// Where the section's header is, in debugui units.
	headerX, headerTop, headerW, headerH int
}

// diffusionInfo is what the section shows beside the settings.
type diffusionInfo struct {
	t       float64 // the timeline's t
	classes int     // classes of the target on screen, 0 when it has none
}

// build lays the section out and edits s; it reports whether s changed.
func (d *diffusionSection) build(ctx *debugui.Context, s *scene.Settings, info diffusionInfo, scale int) bool {
	changed := false
	d.scale = max(1, scale)
	if d.rects == nil {
		d.rects = map[string][4]float64{}
	}
	clear(d.rects)
	// The header's rectangle for the state file: from a one-unit row just
	// above it to the first row of its content (kept while collapsed).
	ctx.SetGridLayout([]int{-1}, []int{1})
	ctx.GridCell(func(b image.Rectangle) { d.headerTop, d.headerX, d.headerW = b.Max.Y, b.Min.X, b.Dx() })
	ctx.Header("Diffusion", true, func() {
		ctx.SetGridLayout(nil, nil)
		ctx.GridCell(func(b image.Rectangle) {
			d.headerH = b.Min.Y - d.headerTop
			ctx.SetGridLayout([]int{-1}, []int{b.Dy()})
			ctx.Text("path  x = α(t)·x1 + σ(t)·x0")
		})
		sched := normalName(s.Schedule, "linear")
		d.choiceRow(ctx, "schedule", scheduleChoices, sched, func(name string) {
			s.Schedule = name
			if name == "linear" {
				s.Schedule = "" // the default, as files store it
			} else {
				// A schedule replaces the path: it needs linear with σ = 0.
				s.Path, s.Sigma = "linear", 0
			}
			changed = true
		})
		d.plot.sched, _ = flow.ParseScheduler(sched)
		d.plot.t = info.t
		ctx.SetGridLayout([]int{-1}, []int{schedulePlotHeight})
		ctx.GridCell(func(bounds image.Rectangle) {
			d.rects["schedule.plot"] = d.screenRect(bounds)
			ctx.SetGridLayout([]int{-1}, []int{bounds.Dy()})
			r, sc := d.screenRect(bounds), float64(d.scale)
			ctx.DrawOnlyWidget(func(screen *ebiten.Image) { d.plot.draw(screen, rect{r[0], r[1], r[2], r[3]}, sc) })
		})
		ctx.SetGridLayout(nil, nil)
		ctx.Text("the network predicts")
		d.choiceRow(ctx, "predict", predictChoices, normalName(s.Predict, "velocity"), func(name string) {
			s.Predict = name
			if name == "velocity" {
				s.Predict = ""
			}
			if name != "velocity" && s.Path == "linear" && s.Sigma > 0 {
				// Only a Gaussian path has noise, data and score targets.
				s.Sigma = 0
			}
			changed = true
		})

		ctx.SetGridLayout([]int{-2, -3}, nil)
		ctx.Text("SDE noise g")
		d.cell(ctx, "noise", func() {
			ctx.SliderF(&s.Noise, 0, scene.MaxNoise, 0.1, 1).On(func() { changed = true })
		})
		ctx.SetGridLayout(nil, nil)
		if s.Noise > 0 {
			ctx.Text("reverse SDE, Euler–Maruyama: same p(t)")
		} else {
			ctx.Text("g = 0: the ODE with the chosen solver")
		}

		d.cell(ctx, "cond", func() {
			ctx.Checkbox(&s.Cond, "class-conditional (labels)").On(func() {
				if s.Cond && s.Coupling != train.CouplingIndependent {
					// The pairing would have to carry the labels.
					s.Coupling = train.CouplingIndependent
				}
				changed = true
			})
		})
		if s.Cond {
			ctx.SetGridLayout([]int{-2, -3}, nil)
			ctx.Text("label dropout")
			p := s.PUncond
			if p == 0 {
				p = scene.DefaultPUncond
			}
			d.cell(ctx, "p_uncond", func() {
				ctx.SliderF(&p, 0.01, 0.5, 0.01, 2).On(func() { s.PUncond = p; changed = true })
			})
			ctx.SetGridLayout([]int{-3, -1, -1}, nil)
			ctx.Text(classLabel(s, info.classes))
			d.cell(ctx, "class.prev", func() {
				ctx.Button("−").On(func() { changed = stepClass(s, info.classes, -1) || changed })
			})
			d.cell(ctx, "class.next", func() {
				ctx.Button("+").On(func() { changed = stepClass(s, info.classes, +1) || changed })
			})
			ctx.SetGridLayout([]int{-2, -3}, nil)
			ctx.Text("guidance w")
			w := s.Guidance + 1
			d.cell(ctx, "guidance", func() {
				ctx.SliderF(&w, 0, scene.MaxGuidance+1, 0.1, 1).On(func() { s.Guidance = w - 1; changed = true })
			})
			ctx.SetGridLayout(nil, nil)
			ctx.Text("(1 − w)·u(x | no class) + w·u(x | y)")
		}
		ctx.SetGridLayout(nil, nil)
		d.cell(ctx, "score", func() {
			ctx.Checkbox(&s.Score, "arrows show the score (U)").On(func() { changed = true })
		})
	})
	if d.headerH > 0 {
		d.rects["header"] = d.screenRect(image.Rect(d.headerX, d.headerTop, d.headerX+d.headerW, d.headerTop+d.headerH))
	}
	return changed
}

// choiceRow is a row of buttons, one per name, the current one marked ▶;
// a click on another calls pick with its name.
func (d *diffusionSection) choiceRow(ctx *debugui.Context, group string, names []string, current string, pick func(string)) {
	widths := make([]int, len(names))
	for i := range widths {
		widths[i] = -1
	}
	ctx.SetGridLayout(widths, nil)
	for _, name := range names {
		label := name
		if name == current {
			label = "▶" + name
		}
		d.cell(ctx, group+"."+name, func() {
			ctx.Button(label).On(func() {
				if name != current {
					pick(name)
				}
			})
		})
	}
	ctx.SetGridLayout(nil, nil)
}

// cell lays out one widget in the next grid cell under its own ID scope
// (debugui keys widgets by the caller's program counter) and records the
// cell's screen rectangle under name.
func (d *diffusionSection) cell(ctx *debugui.Context, name string, widget func()) {
	ctx.IDScope(name, func() {
		ctx.GridCell(func(bounds image.Rectangle) {
			d.rects[name] = d.screenRect(bounds)
			ctx.SetGridLayout([]int{-1}, []int{bounds.Dy()})
			widget()
		})
	})
}

// screenRect turns debugui's unscaled bounds into screen pixels [x, y, w, h].
func (d *diffusionSection) screenRect(b image.Rectangle) [4]float64 {
	s := float64(d.scale)
	return [4]float64{float64(b.Min.X) * s, float64(b.Min.Y) * s, float64(b.Dx()) * s, float64(b.Dy()) * s}
}

// normalName is a scheduler or target spec's plain name, def for "".
func normalName(spec, def string) string {
	name, _, _ := strings.Cut(strings.ToLower(strings.TrimSpace(spec)), ":")
	if name == "" {
		return def
	}
	return name
}

// classLabel says which classes are sampled.
func classLabel(s *scene.Settings, classes int) string {
	if !s.OneClass || classes == 0 {
		if classes > 0 {
			return fmt.Sprintf("class: all %d", classes)
		}
		return "class: all"
	}
	return fmt.Sprintf("class: %d of 0..%d", s.Class, classes-1)
}

// stepClass moves the class picker through all, 0, 1, …, K−1 and round
// again; it reports whether anything changed.
func stepClass(s *scene.Settings, classes, dir int) bool {
	if classes < 1 {
		return false
	}
	// Positions: 0 is all, k+1 is class k.
	pos := 0
	if s.OneClass {
		pos = min(s.Class, classes-1) + 1
	}
	pos = (pos + dir + classes + 1) % (classes + 1)
	s.OneClass, s.Class = pos > 0, max(0, pos-1)
	return true
}

// schedulePlotHeight is the plot's height in debugui units (× the UI scale
// on screen).
const schedulePlotHeight = 84

// schedulePlot draws α_t and σ_t of a scheduler over t ∈ [0, 1] with the
// timeline's t marked, inside the panel.
type schedulePlot struct {
	sched flow.Scheduler
	t     float64
	batch Batch
	fonts Fonts
	size  float64 // the scale fonts were made for
}

// plotSamples is how many points each curve has.
const plotSamples = 64

// draw draws the plot into the screen rectangle r at UI scale s. Where
// σ_0 > 1 (VE) the σ curve is drawn as σ/σ_0 and labelled so.
func (p *schedulePlot) draw(dst *ebiten.Image, r rect, s float64) {
	if p.sched == nil {
		return
	}
	if p.size != s {
		p.fonts, p.size = NewFonts(s), s
	}
	face := p.fonts.Small
	x0, y0, w, h := r.X, r.Y, r.W, r.H
	// Room for the legend line on top and the t axis below.
	lineH := face.Size * 1.25
	top, bottom := y0+lineH+2*s, y0+h-lineH
	left, right := x0+4*s, x0+w-4*s
	if bottom-top < 10*s || right-left < 20*s {
		return
	}
	sig0 := math.Max(1, p.sched.At(0).Sigma)
	toX := func(t float64) float32 { return float32(left + t*(right-left)) }
	toY := func(v float64) float32 { return float32(bottom - math.Max(0, math.Min(1, v))*(bottom-top)) }
	bt := &p.batch
	bt.Begin(dst)
	bt.Rect(float32(x0), float32(y0), float32(w), float32(h), palette.PanelBG)
	bt.Rect(float32(left), float32(top), float32(right-left), float32(bottom-top), palette.RGBA{R: 1, G: 1, B: 1, A: 0.04})
	width := float32(2 * s)
	for i := range plotSamples {
		ta, tb := float64(i)/plotSamples, float64(i+1)/plotSamples
		ca, cb := p.sched.At(ta), p.sched.At(tb)
		bt.Line(toX(ta), toY(ca.Alpha), toX(tb), toY(cb.Alpha), width, alphaColour, alphaColour)
		bt.Line(toX(ta), toY(ca.Sigma/sig0), toX(tb), toY(cb.Sigma/sig0), width, sigmaColour, sigmaColour)
	}
	t := math.Max(0, math.Min(1, p.t))
	c := p.sched.At(t)
	bt.Line(toX(t), float32(top), toX(t), float32(bottom), float32(1.5*s), palette.Label, palette.Label)
	dot := float32(3.5 * s)
	bt.Rect(toX(t)-dot, toY(c.Alpha)-dot, 2*dot, 2*dot, alphaColour)
	bt.Rect(toX(t)-dot, toY(c.Sigma/sig0)-dot, 2*dot, 2*dot, sigmaColour)
	bt.Flush()

	sigName := "σ"
	if sig0 > 1 {
		sigName = "σ/σ₀"
	}
	alpha := fmt.Sprintf("α = %.2f", c.Alpha)
	drawText(dst, alpha, face, left, y0+1*s, TopLeft, alphaColour)
	drawText(dst, fmt.Sprintf("%s = %.2f", sigName, c.Sigma/sig0), face, left+textWidth(alpha, face)+10*s, y0+1*s, TopLeft, sigmaColour)
	drawText(dst, fmt.Sprintf("t = %.2f", t), face, right, y0+1*s, TopRight, palette.Label)
	drawText(dst, "0 noise", face, left, bottom+1*s, TopLeft, palette.Dim)
	drawText(dst, "data 1", face, right, bottom+1*s, TopRight, palette.Dim)
}
