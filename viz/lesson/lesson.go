// Package lesson is the guided lessons: their data, checked on load, and the
// numbers each one shows.
package lesson

import (
	"encoding/json"

	"github.com/flowviz/flowviz/flow"
	"github.com/flowviz/flowviz/viz/scene"
)

// Kind names what a lesson shows and so which of its fields it uses.
type Kind string

// The kinds, in the order of the built-in lessons, which follow the blog post.
const (
	Pair     Kind = "pair"     // one pair x0 → x1 in NUM_STEPS equal steps
	Interp   Kind = "interp"   // xt and its velocity as x0 and x1 are dragged
	Crossing Kind = "crossing" // many random pairs whose paths cross
	Batch    Kind = "batch"    // the rows of one training batch and its loss
	Average  Kind = "average"  // the learned field over the exact marginal field
	Sampling Kind = "sampling" // sample quality by steps and solver
	Straight Kind = "straight" // straightness by coupling
	Shape    Kind = "shape"    // a target the user draws
)

// kinds lists the built-in kinds, for validation and messages; a kind of
// lesson added later registers itself instead (RegisterKind).
var kinds = []Kind{Pair, Interp, Crossing, Batch, Average, Sampling, Straight, Shape}

// layers are the names Lesson.Show may turn on.
var layers = []string{"field", "particles", "trails", "trajectories", "clouds", "grid", "legend"}

// Settings override the app's settings while the lesson is shown; zero fields
// keep the app's value.
type Settings struct {
	Source    string `json:"source,omitempty"`
	Target    string `json:"target,omitempty"`
	Solver    string `json:"solver,omitempty"`
	Coupling  string `json:"coupling,omitempty"`
	Steps     int    `json:"steps,omitempty"`
	Particles int    `json:"particles,omitempty"`
	Grid      int    `json:"grid,omitempty"`
	Width     int    `json:"width,omitempty"`
	Reset     bool   `json:"reset,omitempty"` // fresh weights on entry, so training is seen from the start

	// Gaussian paths, targets and classes (scene.Settings' fields of the
	// same names); a schedule replaces the path (linear, σ = 0), a
	// conditional model needs the independent coupling.
	Schedule string `json:"schedule,omitempty"`
	Predict  string `json:"predict,omitempty"`
	Cond     bool   `json:"cond,omitempty"`
}

// Apply returns base with the non-zero fields of s in place of its own.
// Reset is not a scene setting: the caller resets the weights itself.
func (s Settings) Apply(base scene.Settings) scene.Settings {
	if s.Source != "" {
		base.Source = s.Source
	}
	if s.Target != "" {
		base.Target = s.Target
	}
	if s.Solver != "" {
		base.Solver = s.Solver
	}
	if s.Coupling != "" {
		base.Coupling = s.Coupling
	}
	if s.Steps != 0 {
		base.Steps = s.Steps
	}
	if s.Particles != 0 {
		base.Particles = s.Particles
	}
	if s.Grid != 0 {
		base.Grid = s.Grid
	}
	if s.Width != 0 {
		base.Width = s.Width
	}
	if s.Schedule != "" {
		base.Schedule = s.Schedule
		if base.Schedule == "linear" {
			base.Schedule = ""
		} else {
			base.Path, base.Sigma = "linear", 0
		}
	}
	if s.Predict != "" {
		base.Predict = s.Predict
		if base.Predict == "velocity" {
			base.Predict = ""
		} else if base.Path == "linear" {
			base.Sigma = 0
		}
	}
	if s.Cond {
		base.Cond, base.Coupling = true, "independent"
	}
	return base
}

// Lesson is one guided lesson as read from its JSON file.
type Lesson struct {
	Number      int        `json:"-"` // 1-based position
	File        string     `json:"-"`
	Title       string     `json:"title"`
	Kind        Kind       `json:"kind"`
	Caption     string     `json:"caption"`
	Formula     string     `json:"formula"`
	Hint        string     `json:"hint"`                   // the live controls, e.g. "← → step t · drag x0 and x1"
	View        [4]float64 `json:"view"`                   // world rectangle minX, minY, maxX, maxY to show
	Show        []string   `json:"show,omitempty"`         // layers on (field, particles, trails, trajectories, clouds, grid, legend); the rest off; empty keeps the app's layers
	X0          flow.Vec   `json:"x0"`                     // pair, interp
	X1          flow.Vec   `json:"x1"`                     // pair, interp
	Steps       int        `json:"steps,omitempty"`        // pair: NUM_STEPS
	Pairs       int        `json:"pairs,omitempty"`        // crossing: pairs drawn; batch: rows shown
	Seed        uint64     `json:"seed,omitempty"`         // crossing, batch: the draws
	StepChoices []int      `json:"step_choices,omitempty"` // sampling
	Solvers     []string   `json:"solvers,omitempty"`      // sampling
	Couplings   []string   `json:"couplings,omitempty"`    // straight
	// Compare, when set, shows the lesson in compare mode: a second pane B
	// that is the lesson's model with these key=value settings changed
	// ("coupling=ot"), trained beside it on the same batches.
	Compare string `json:"compare,omitempty"`
	// Params holds the fields of a registered kind's own, which it reads
	// with DecodeParams and checks in its KindCheck.
	Params   json.RawMessage `json:"params,omitempty"`
	Settings Settings        `json:"settings"`
}
