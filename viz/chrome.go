package viz

import (
	"fmt"
	"math"

	"github.com/ebitengine/debugui"

	"github.com/flowviz/flowviz/viz/palette"
)

// Chrome is what surrounds the panes: the window's size, the UI scale and
// its fonts, the timeline bar, the panel, the HUD (help, stats, legend,
// training readout) and the status line. Every part that says something
// or sizes itself by the scale reads it.
type Chrome struct {
	w, h  int // screen size in device-independent pixels
	scale float64
	fonts Fonts

	showPanel, showHelp, showStats bool
	presenting                     bool // Shift+H: the panel hides too

	status    string
	statusErr bool

	bar   TimelineBar
	hud   HUD
	diff  diffusionView // the live W2 and class-accuracy readout
	panel Panel
	dui   debugui.DebugUI
	// toolBatch draws the lessons', the strip's and the frames' shapes.
	toolBatch Batch
}

func newChrome(cfg Config) *Chrome {
	ui := &Chrome{w: cfg.Width, h: cfg.Height, showPanel: true, showStats: cfg.Stats}
	ui.resize(cfg.Scale)
	return ui
}

// say puts a message on the status line.
func (ui *Chrome) say(msg string, isErr bool) { ui.status, ui.statusErr = msg, isErr }

// layout splits the screen into canvas, timeline bar and panel; a lesson
// (inLesson) may take the panel's room.
func (ui *Chrome) layout(inLesson bool) (canvas, bar, panel rect) {
	s := ui.scale
	W, H := float64(ui.w), float64(ui.h)
	barH := math.Min(84*s, H/3)
	panelW := 0.0
	// The panel hides itself in windows too narrow for it and the canvas.
	if ui.showPanel && !ui.presenting && W >= 560*s {
		panelW = math.Min(330*s, W*0.4)
	}
	if inLesson && W-panelW < lessonMinCanvas*s {
		// A lesson needs room for its text beside its figure: at large
		// UI scales it takes the whole window (the keys still work).
		panelW = 0
	}
	canvas = rect{0, 0, W - panelW, H - barH}
	bar = rect{0, H - barH, W - panelW, barH}
	panel = rect{W - panelW, 0, panelW, H}
	return
}

// resize sets the scale of the chrome's own parts and fonts.
func (ui *Chrome) resize(s float64) {
	ui.scale = s
	ui.fonts = NewFonts(s)
	ui.bar.Scale = s
	ui.hud.Scale = s
	ui.panel.Scale = int(math.Round(s)) // debugui scales by whole pixels
}

// setScale sets the UI scale, clamped to 1..4, of every part at once: panel,
// fonts, the panes' canvases, timeline bar and overlays. Update lays the
// screen out anew (the panel's width follows the scale) before the next Draw.
func (ui *Chrome) setScale(s float64, panes *Panes) {
	s = math.Min(4, math.Max(1, s))
	ui.resize(s)
	for _, p := range panes.all {
		p.canvas.Scale = s
	}
	ui.say(fmt.Sprintf("UI scale %g", s), false)
}

// setContrast switches between the high-contrast and the standard theme.
func (ui *Chrome) setContrast(on bool) {
	if on {
		palette.SetTheme(palette.HighContrast)
		ui.say("high-contrast theme (I to leave)", false)
		return
	}
	palette.SetTheme(palette.Standard)
	ui.say("standard theme", false)
}

// setColours makes the colour map called name current.
func (ui *Chrome) setColours(name string) {
	if !palette.SetColours(name) {
		ui.say("no colour map "+name, true)
		return
	}
	msg := "colours: " + name
	if palette.Colours().CVDStart {
		msg += " · dots blue (x₀ left) ↔ orange (x₀ right), lighter above"
	}
	ui.say(msg, false)
}
