// Package keymap is the table of keyboard shortcuts: one place that both the
// key dispatch and the on-screen help (the ? key) read.
package keymap

import "strings"

// Action is something a key does.
type Action int

const (
	PlayPause Action = iota
	StepForward
	StepBack
	Start
	End
	Slower
	Faster
	CycleMode
	ToggleField
	ToggleParticles
	ToggleTrails
	ToggleTrajectories
	ToggleClouds
	ToggleGrid
	ToggleLegend
	CycleDensity
	FitView
	ToggleTraining
	Resample
	TogglePanel
	ToggleStats
	Fullscreen
	Help
	ToggleDraw
	SaveSession
	OpenSession
	ExportData
	Screenshot
	RecordGIF
	UIScaleUp
	UIScaleDown
	ToggleContrast
	CycleColourMap
	ToggleProbe
	ToggleReverse
	ToggleScore // the arrows show the velocity or the score
	ToggleCompare
	ToggleImageView
	NextLesson
	PrevLesson
	GoLesson // the lesson (or the deck's scene) numbered by the key's digit
	LeaveLesson
	ToggleInk    // presenter ink: the left button draws over everything
	ClearInk     // remove the presenter's strokes
	Presentation // hide all chrome but the figure, the timeline and the caption
)

// Binding ties a key, named as ebiten's Key.String spells it, to an action.
type Binding struct {
	Key    string // e.g. "Space", "ArrowRight", "V"
	Label  string // how the help shows the key
	Action Action
	Help   string // empty for a second key of an action the help already lists, or a key another line names
}

// Digit returns n for the key "Digitn", 0 for any other key.
func (b Binding) Digit() int {
	if len(b.Key) == 6 && strings.HasPrefix(b.Key, "Digit") && b.Key[5] >= '0' && b.Key[5] <= '9' {
		return int(b.Key[5] - '0')
	}
	return 0
}

// Table is every shortcut, in the order the help lists them.
var Table = []Binding{
	{"Space", "Space", PlayPause, "play / pause the timeline"},
	{"ArrowRight", "→", StepForward, "one solver step forward"},
	{"ArrowLeft", "←", StepBack, "one solver step back"},
	{"Home", "Home", Start, "jump to t = 0"},
	{"End", "End", End, "jump to t = 1"},
	{"BracketLeft", "[ · ]", Slower, "slower · faster playback"},
	{"BracketRight", "]", Faster, ""},
	{"B", "B", CycleMode, "loop / bounce / once"},
	{"V", "V · U", ToggleField, "field arrows · velocity or score"},
	{"P", "P", ToggleParticles, "particles"},
	{"T", "T", ToggleTrails, "fading trails"},
	{"J", "J", ToggleTrajectories, "whole trajectories"},
	{"C", "C", ToggleClouds, "source / target clouds"},
	{"G", "G", ToggleGrid, "grid and axes"},
	{"L", "L · Y", ToggleLegend, "legends · density heatmaps (p_t, div v)"},
	{"Y", "Y", CycleDensity, ""},
	{"F", "F", FitView, "fit the view to the data"},
	{"Enter", "Enter", ToggleTraining, "pause / resume training"},
	{"R", "R", Resample, "new particle draws"},
	{"H", "H · Shift+H", TogglePanel, "panel · presentation mode"},
	{"H", "Shift+H", Presentation, ""},
	{"Tab", "Tab", TogglePanel, ""},
	{"F3", "F3", ToggleStats, "frame timings"},
	{"F11", "F11", Fullscreen, "fullscreen"},
	{"D", "D", ToggleDraw, "draw mode: paint the target (left button)"},
	{"S", "Ctrl+S", SaveSession, "save the session"},
	{"O", "Ctrl+O", OpenSession, "open the session in the panel's path"},
	{"E", "Ctrl+E", ExportData, "export samples, paths (CSV) and the model"},
	{"F12", "F12", Screenshot, "PNG screenshot of the canvas"},
	{"F9", "F9", RecordGIF, "record the flow t = 0→1 as a GIF"},
	{"Q", "Q", ToggleProbe, "probe: v(x, t) beside the exact marginal field"},
	{"Z", "Z", ToggleReverse, "reverse: drag a target point back to its noise"},
	{"U", "U", ToggleScore, ""},
	{"K", "K · X", ToggleCompare, "compare two models · digits: PCA"},
	{"X", "X", ToggleImageView, ""},
	{"PageDown", "PgDn", NextLesson, "next lesson (presentation clicker)"},
	{"PageUp", "PgUp", PrevLesson, "previous lesson"},
	{"Digit1", "1–9", GoLesson, "go to lesson (deck scene) 1–9"},
	{"Digit2", "2", GoLesson, ""},
	{"Digit3", "3", GoLesson, ""},
	{"Digit4", "4", GoLesson, ""},
	{"Digit5", "5", GoLesson, ""},
	{"Digit6", "6", GoLesson, ""},
	{"Digit7", "7", GoLesson, ""},
	{"Digit8", "8", GoLesson, ""},
	{"Digit9", "9", GoLesson, ""},
	{"Escape", "Esc", LeaveLesson, "leave the lesson view"},
	{"Equal", "+ · −", UIScaleUp, "larger · smaller UI (scale 1–4)"},
	{"Minus", "−", UIScaleDown, ""},
	{"I", "I", ToggleContrast, "high-contrast theme"},
	{"M", "M", CycleColourMap, "colour map (colour-blind safe choices)"},
	{"N", "N · Bksp", ToggleInk, "presenter ink · clear it"},
	{"Backspace", "Backspace", ClearInk, ""},
	{"Slash", "?", Help, "this help"},
}

// Extra lists, for the help, the inputs that the key table does not
// dispatch: mouse gestures and draw mode's own keys. Their Key and Action
// are unused; the game handles them where the pointer is.
var Extra = []Binding{
	{Label: "wheel · right/middle drag", Help: "zoom around the pointer · pan the view"},
	{Label: "drag the timeline", Help: "scrub through t"},
	{Label: "Ctrl+Z, Ctrl+Shift+Z", Help: "undo, redo a stroke (draw mode)"},
}

// NeedsCtrl reports whether the binding fires only with Ctrl (or Cmd) held;
// the others fire only without it, so Ctrl+S never also toggles anything.
func (b Binding) NeedsCtrl() bool { return strings.HasPrefix(b.Label, "Ctrl+") }

// NeedsShift reports whether the binding fires only with Shift held.
func (b Binding) NeedsShift() bool { return strings.HasPrefix(b.Label, "Shift+") }

// ShiftMatters reports whether some binding of key needs Shift: the key's
// other bindings then fire only without it, so Shift+H never also toggles
// what H does.
func ShiftMatters(key string) bool {
	for _, b := range Table {
		if b.Key == key && b.NeedsShift() {
			return true
		}
	}
	return false
}

// Repeats reports whether holding the key repeats the action, as stepping
// through time does.
func (a Action) Repeats() bool { return a == StepForward || a == StepBack }

// Lookup returns the binding of the key name, if any.
func Lookup(key string) (Binding, bool) {
	for _, b := range Table {
		if b.Key == key {
			return b, true
		}
	}
	return Binding{}, false
}
