// Package appstate is the small JSON report of the visualizer's state that the
// app writes with -state-file, so end-to-end tests can check what it shows.
package appstate

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"slices"

	"github.com/flowviz/flowviz/flow"
	"github.com/flowviz/flowviz/flow/atomicfile"
)

// Version of the file layout; bumped when a field changes meaning.
const Version = 1

// State is one report. Field names are the JSON keys.
type State struct {
	Version  int      `json:"version"`
	Frame    int      `json:"frame"` // ebiten ticks since start
	Window   Size     `json:"window"`
	Timeline Timeline `json:"timeline"`
	Training Training `json:"training"`
	Layers   Layers   `json:"layers"`
	Camera   Camera   `json:"camera"`
	Panel    bool     `json:"panel"`
	Help     bool     `json:"help"`
	Fullscr  bool     `json:"fullscreen"`

	Scale   float64 `json:"scale"`   // UI scale 1..4
	Theme   string  `json:"theme"`   // "standard" or "contrast"
	Colours string  `json:"colours"` // colour map: viridis, cividis, magma

	Particles int    `json:"particles"`
	Scenes    int    `json:"scenes"`     // scenes received so far
	SceneStep int    `json:"scene_step"` // training step of the scene shown
	Source    string `json:"source"`
	Target    string `json:"target"`
	Solver    string `json:"solver"`
	Status    string `json:"status"`

	Now   Points `json:"now"`   // particle positions at the current t
	Final Points `json:"final"` // particle positions at t = 1

	// Controls are the screen rectangles [x, y, w, h] of the clickable
	// controls drawn by the app itself (the timeline bar's buttons and
	// scrubber, the panel's area), so end-to-end tests can aim real clicks.
	Controls map[string][4]float64 `json:"controls,omitempty"`

	Drawing Drawing `json:"drawing"`
	Lesson  Lesson  `json:"lesson"`
	Deck    Deck    `json:"deck"`
	Tool    Tool    `json:"tool"`
	// Compare is compare mode, absent with one pane.
	Compare *Compare `json:"compare,omitempty"`
	// Images is the image view (digits targets), absent in the plane.
	Images *Images `json:"images,omitempty"`
	// Density is the density layer and the live NLL, absent before either
	// has anything to say.
	Density *Density `json:"density,omitempty"`
	// Diffusion is the Gaussian path, target, SDE and guidance settings
	// and what they measure.
	Diffusion Diffusion `json:"diffusion"`

	// Presentation is Shift+H's mode: only figure, timeline and caption.
	Presentation bool `json:"presentation,omitempty"`
	Ink          Ink  `json:"ink"`
	// ParticlesBox is where the particles are on screen [x, y, w, h]: the
	// 1st to 99th percentile of their positions on each axis. FigureBox
	// adds the source and target clouds. Both are absent before a scene.
	ParticlesBox *[4]float64 `json:"particles_box,omitempty"`
	FigureBox    *[4]float64 `json:"figure_box,omitempty"`
	// Overlays are the boxes drawn over the canvas in the last frame
	// (training readout, legend, hints, the probe's box, the comparison
	// strip) by name, [x, y, w, h]; HiddenOverlays the ones that found no
	// room clear of the figure and were left out.
	Overlays       map[string][4]float64 `json:"overlays,omitempty"`
	HiddenOverlays []string              `json:"hidden_overlays,omitempty"`

	// Input counts the key and button presses and releases the app has
	// seen since it started.
	Input Input `json:"input"`

	FPS      float64 `json:"fps"`
	UpdateMs float64 `json:"update_ms"` // mean CPU time per Update
	DrawMs   float64 `json:"draw_ms"`   // mean CPU time per Draw
}

// Input is what the app has seen of the keyboard and the pointer buttons.
type Input struct {
	Presses  int `json:"presses"`
	Releases int `json:"releases"`
	// X and Y are the pointer where the last tick saw it, in window
	// pixels; a report is written when it moves, so a driver can wait for
	// the app (and the panel's hover) to see the pointer before pressing.
	X float64 `json:"x"`
	Y float64 `json:"y"`
	// KeysCaptured says a panel text field had the keyboard in the last
	// tick, so key presses went to it and not to the shortcuts.
	KeysCaptured bool `json:"keys_captured,omitempty"`
}

// Drawing is draw mode and the drawn point sets: counts and bounding boxes
// minX, minY, maxX, maxY in world units (absent while empty).
type Drawing struct {
	On           bool        `json:"on"`
	ToSource     bool        `json:"to_source"`
	Tool         string      `json:"tool"`
	Points       int         `json:"points"` // the target drawing
	Box          *[4]float64 `json:"box,omitempty"`
	SourcePoints int         `json:"source_points"`
	SourceBox    *[4]float64 `json:"source_box,omitempty"`
}

// Lesson is the lesson view: which lesson is shown (0 when none) and the
// figures it draws, line by line as on screen.
type Lesson struct {
	Number  int      `json:"number"`
	Kind    string   `json:"kind,omitempty"`
	Title   string   `json:"title,omitempty"`
	Numbers []string `json:"numbers,omitempty"`
	Chips   []string `json:"chips,omitempty"` // the clickable choices, "*" marking the chosen ones
	// ChipBoxes are the chips' rectangles on the screen (x, y, w, h).
	ChipBoxes [][4]float64 `json:"chip_boxes,omitempty"`
	X0        *flow.Vec    `json:"x0,omitempty"` // the pair of lessons 1 and 2
	X1        *flow.Vec    `json:"x1,omitempty"`
	// Where the text column and the figure are on the screen (x, y, w, h):
	// the lesson's view must fit in the figure, clear of the text.
	Column [4]float64 `json:"column"`
	Figure [4]float64 `json:"figure"`
	View   [4]float64 `json:"view"` // the lesson's world rectangle (x0, y0, x1, y1)
}

// Tool is the canvas tool in use: "", "probe" or "reverse", with the
// probe's point and velocities, and the reverse paths' ends.
type Tool struct {
	Mode     string        `json:"mode,omitempty"`
	ProbeAt  *flow.Vec     `json:"probe_at,omitempty"`
	Learned  *flow.Vec     `json:"learned,omitempty"`
	Exact    *flow.Vec     `json:"exact,omitempty"`
	Other    *flow.Vec     `json:"other,omitempty"`     // compare mode: the other pane's learned v at the probe
	TopShare float64       `json:"top_share,omitempty"` // posterior weight of the heaviest target
	Reverse  [][2]flow.Vec `json:"reverse,omitempty"`   // [x1 at t = 1, x0 at t = 0] per path
	// OtherReverse is compare mode's: the same paths through the other
	// pane's learned field.
	OtherReverse [][2]flow.Vec `json:"other_reverse,omitempty"`
	// The score ∇log p_t at the probe, learned and exact, beside the
	// velocities (Gaussian paths only).
	LearnedScore *flow.Vec `json:"learned_score,omitempty"`
	ExactScore   *flow.Vec `json:"exact_score,omitempty"`
}

// Diffusion is what the Diffusion section set and the live measurement of
// the samples: W2 to the target beside its two-sample floor, and for a
// class-conditional model the class accuracy beside chance. Measured is
// false until a scene of the current settings has been measured.
type Diffusion struct {
	Schedule string  `json:"schedule"`
	Predict  string  `json:"predict"`
	Noise    float64 `json:"noise"`
	Cond     bool    `json:"cond"`
	Classes  int     `json:"classes"` // of the target on screen
	Class    int     `json:"class"`   // −1 for every class
	W        float64 `json:"w"`       // guidance
	Score    bool    `json:"score_arrows"`

	Measured bool    `json:"measured"`
	W2       float64 `json:"w2"`
	Floor    float64 `json:"w2_floor"`
	Accuracy float64 `json:"accuracy"` // −1 without classes
	Chance   float64 `json:"chance"`
	Step     int     `json:"step"` // training step of the measured scene
}

// Deck is the deck presented: the built-in one (the lessons) or a
// lecturer's own at Path; Current is the scene on screen (1-based, 0 in
// the free app), with its lesson name or its title and caption, and where
// a custom scene's caption column is [x, y, w, h].
type Deck struct {
	Builtin bool        `json:"builtin"`
	Path    string      `json:"path,omitempty"`
	Scenes  int         `json:"scenes"`
	Current int         `json:"current"`
	Lesson  string      `json:"lesson,omitempty"`
	Title   string      `json:"title,omitempty"`
	Caption string      `json:"caption,omitempty"`
	Column  *[4]float64 `json:"column,omitempty"`
}

// Ink is the presenter's pen: on, strokes stay until cleared (keep), and
// how many strokes are on screen.
type Ink struct {
	On      bool `json:"on"`
	Keep    bool `json:"keep"`
	Strokes int  `json:"strokes"`
}

// Size is a width and height in pixels.
type Size struct {
	W int `json:"w"`
	H int `json:"h"`
}

// Timeline is the animation clock: solver step k of N, time t.
type Timeline struct {
	K       int     `json:"k"`
	N       int     `json:"n"`
	T       float64 `json:"t"`
	Exact   bool    `json:"exact"` // t is exactly k/N
	Playing bool    `json:"playing"`
	Mode    string  `json:"mode"`
	Speed   float64 `json:"speed"`
}

// Training is the trainer's state.
type Training struct {
	Step        int     `json:"step"`
	Loss        float64 `json:"loss"`
	StepsPerSec float64 `json:"steps_per_sec"`
	State       string  `json:"state"`
	Err         string  `json:"err"`
	LR          float64 `json:"lr"`
	Batch       int     `json:"batch"`
	// Kernels names flow/mlp's kernel set ("avx512", "avx2", "go", or
	// "go+simd128" in a browser, where WebAssembly SIMD does the products).
	Kernels string `json:"kernels"`
}

// Layers says which canvas layers are on.
type Layers struct {
	Field        bool `json:"field"`
	Particles    bool `json:"particles"`
	Trails       bool `json:"trails"`
	Trajectories bool `json:"trajectories"`
	Clouds       bool `json:"clouds"`
	Grid         bool `json:"grid"`
	Legend       bool `json:"legend"`
	// Density is the density layer's mode: off, learned, exact,
	// difference or divergence.
	Density string `json:"density,omitempty"`
}

// Density is the focused pane's density layer and live NLL.
type Density struct {
	Mode      string  `json:"mode"`
	Shown     bool    `json:"shown"`      // a layer is on screen
	T         float64 `json:"t"`          // the t of the layer on screen
	Grid      [2]int  `json:"grid"`       // its cells, NX×NY
	Model     uint64  `json:"model"`      // its key's model (snapshot) number
	Computing bool    `json:"computing"`  // the worker is computing one
	ElapsedMs float64 `json:"elapsed_ms"` // how long the shown layer took
	Lo        float64 `json:"lo"`         // its colour bar's ends
	Hi        float64 `json:"hi"`
	Note      string  `json:"note,omitempty"`

	NLL       float64 `json:"nll,omitempty"` // live NLL in nats of NLLN held-out samples
	NLLSE     float64 `json:"nll_se,omitempty"`
	NLLN      int     `json:"nll_n,omitempty"`
	NLLStep   int     `json:"nll_step,omitempty"` // the training step it was computed at
	Entropy   float64 `json:"entropy,omitempty"`  // the target's, when it has a density
	NLLReport string  `json:"nll_error,omitempty"`
}

// Camera is the view: the world point at the canvas centre and the zoom in
// pixels per world unit, plus where the canvas sits on screen.
type Camera struct {
	X    float64 `json:"x"`
	Y    float64 `json:"y"`
	Zoom float64 `json:"zoom"`
	// Canvas rectangle on screen in device-independent pixels.
	Canvas [4]float64 `json:"canvas"`
}

// Points summarises a point cloud: the count of finite points, their mean and
// per-axis percentiles.
type Points struct {
	N    int        `json:"n"`
	Mean [2]float64 `json:"mean"`
	P05  [2]float64 `json:"p05"`
	P25  [2]float64 `json:"p25"`
	P50  [2]float64 `json:"p50"`
	P75  [2]float64 `json:"p75"`
	P95  [2]float64 `json:"p95"`
}

// Summarize computes Points over the finite points of pts. scratch is reused
// across calls to avoid garbage; it returns the grown scratch.
func Summarize(pts []flow.Vec, scratch []float64) (Points, []float64) {
	var out Points
	scratch = scratch[:0]
	var sx, sy float64
	for _, p := range pts {
		if isFinite(p[0]) && isFinite(p[1]) {
			scratch = append(scratch, p[0])
			sx += p[0]
			sy += p[1]
		}
	}
	n := len(scratch)
	out.N = n
	if n == 0 {
		return out, scratch
	}
	out.Mean = [2]float64{sx / float64(n), sy / float64(n)}
	for axis := range 2 {
		if axis == 1 {
			scratch = scratch[:0]
			for _, p := range pts {
				if isFinite(p[0]) && isFinite(p[1]) {
					scratch = append(scratch, p[1])
				}
			}
		}
		slices.Sort(scratch)
		out.P05[axis] = Percentile(scratch, 0.05)
		out.P25[axis] = Percentile(scratch, 0.25)
		out.P50[axis] = Percentile(scratch, 0.50)
		out.P75[axis] = Percentile(scratch, 0.75)
		out.P95[axis] = Percentile(scratch, 0.95)
	}
	return out, scratch
}

// Percentile returns the q-quantile of sorted values by linear interpolation
// between closest ranks: position q·(n−1).
func Percentile(sorted []float64, q float64) float64 {
	n := len(sorted)
	if n == 0 {
		return math.NaN()
	}
	pos := math.Min(1, math.Max(0, q)) * float64(n-1)
	i := int(pos)
	if i >= n-1 {
		return sorted[n-1]
	}
	f := pos - float64(i)
	return sorted[i] + f*(sorted[i+1]-sorted[i])
}

func isFinite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// Write encodes s as indented JSON. JSON has no NaN or Inf, so a non-finite
// number (a diverged loss) is written as −MaxFloat64 (NaN) or ±MaxFloat64
// (±Inf): the file stays valid, and Training.Err says what happened.
func Write(w io.Writer, s *State) error {
	c := *s
	c.Version = Version
	c.Training.Loss = finiteOr(c.Training.Loss)
	c.Training.StepsPerSec = finiteOr(c.Training.StepsPerSec)
	c.FPS, c.UpdateMs, c.DrawMs = finiteOr(c.FPS), finiteOr(c.UpdateMs), finiteOr(c.DrawMs)
	if c.Compare != nil {
		cmp := *c.Compare
		cmp.Panes = append([]Pane(nil), cmp.Panes...)
		for i := range cmp.Panes {
			p := &cmp.Panes[i]
			p.Loss, p.StepsPerSec, p.W2, p.W2OneStep = finiteOr(p.Loss), finiteOr(p.StepsPerSec), finiteOr(p.W2), finiteOr(p.W2OneStep)
			p.Straightness, p.NPE = finiteOr(p.Straightness), finiteOr(p.NPE)
		}
		c.Compare = &cmp
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(&c)
}

func finiteOr(v float64) float64 {
	switch {
	case math.IsNaN(v):
		return -math.MaxFloat64
	case math.IsInf(v, 1):
		return math.MaxFloat64
	case math.IsInf(v, -1):
		return -math.MaxFloat64
	}
	return v
}

// WriteFile writes s to path atomically: a temporary file in the same
// directory, then rename, so a reader never sees half a file.
func WriteFile(path string, s *State) error {
	return atomicfile.Write(path, func(w io.Writer) error { return Write(w, s) })
}

// Read decodes a state file, refusing other versions and trailing data.
func Read(r io.Reader) (*State, error) {
	dec := json.NewDecoder(io.LimitReader(r, 1<<20))
	dec.DisallowUnknownFields()
	var s State
	if err := dec.Decode(&s); err != nil {
		return nil, fmt.Errorf("state file: %w", err)
	}
	if dec.More() {
		return nil, errors.New("state file: trailing data")
	}
	if s.Version != Version {
		return nil, fmt.Errorf("state file: version %d, want %d", s.Version, Version)
	}
	return &s, nil
}

// ReadFile reads a state file from disk.
func ReadFile(path string) (*State, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return Read(f)
}

// Compare is compare mode: two panes, A (the app's own model) and B (A with
// Spec's settings changed), their comparison strip and which one the panel
// edits.
type Compare struct {
	Spec  string `json:"spec"`  // how B differs from A, "coupling=ot"
	Focus int    `json:"focus"` // 0 for A, 1 for B
	Link  bool   `json:"link"`  // the panel edits both
	Panes []Pane `json:"panes"` // A, then B
	// Race is the strip's note when K opened compare mode mid-run: A's run
	// set aside at that step, both training from step 0; "" otherwise.
	Race   string `json:"race,omitempty"`
	KeptAt int    `json:"kept_at,omitempty"`
}

// Pane is one model of compare mode: its screen rectangle [x, y, w, h], its
// camera, and the strip's numbers (Measured is the training step the sample
// metrics were measured at, 0 before the first measurement). Better names,
// per metric, the side that wins it: "A", "B" or "tie".
type Pane struct {
	Label        string            `json:"label"`
	Canvas       [4]float64        `json:"canvas"`
	Camera       Camera            `json:"camera"`
	Coupling     string            `json:"coupling"`
	Step         int               `json:"step"`
	Loss         float64           `json:"loss"`
	StepsPerSec  float64           `json:"steps_per_sec"`
	Measured     int               `json:"measured"`
	W2           float64           `json:"w2"`
	W2OneStep    float64           `json:"w2_one_step"`
	Straightness float64           `json:"straightness"`
	NPE          float64           `json:"npe"`
	NFE          int               `json:"nfe"`
	Better       map[string]string `json:"better,omitempty"`
}

// Images is the image view: what it shows and of which weights.
type Images struct {
	Target   string  `json:"target"`            // digits or digits8
	Mode     string  `json:"mode"`              // "grid" or "pca"
	Cell     int     `json:"cell"`              // the chosen sample
	Frames   int     `json:"frames"`            // frames sampled so far
	Step     int     `json:"step"`              // training step of the frame shown
	N        int     `json:"n"`                 // NUM_STEPS of the frame shown
	Variance float64 `json:"variance"`          // share of the variance on the two components
	Nearest  float64 `json:"nearest,omitempty"` // distance of the chosen sample to its nearest fresh image
	// A class-conditional model: the digit the grid shows (−1: every
	// digit, a row each; also for an unconditional model), the guidance w,
	// the grid's rows, and the share of the samples whose nearest fresh
	// image shows the digit asked.
	Cond     bool    `json:"cond,omitempty"`
	Class    int     `json:"class"`
	Guidance float64 `json:"guidance,omitempty"`
	Rows     int     `json:"rows,omitempty"`
	Accuracy float64 `json:"accuracy,omitempty"`
	// Controls are the screen rectangles [x, y, w, h] of the grid (or the
	// PCA plot) and the film strip.
	Main  [4]float64 `json:"main"`
	Strip [4]float64 `json:"strip"`
}
