// Package deck is lecture decks: a lecturer's own sequence of scenes in one
// versioned JSON file. A scene is a built-in lesson by name, or a custom
// scene (data, model and flow settings, view and layers, the timeline,
// compare mode, a caption and formula, and optionally frozen weights).
// The package reads, checks and writes decks; it draws nothing.
package deck

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"path/filepath"
	"slices"
	"strings"

	"github.com/flowviz/flowviz/assets"
	"github.com/flowviz/flowviz/flow/data"
	"github.com/flowviz/flowviz/flow/train"
	"github.com/flowviz/flowviz/viz/scene"
	"github.com/flowviz/flowviz/viz/session"
)

// File format identifiers. A reader refuses any other format or version.
const (
	Format  = "flowviz-deck"
	Version = 1
)

// Limits a deck must respect.
const (
	// MaxScenes bounds a deck's length: a lecture's worth and more.
	MaxScenes = 99
	// MaxBytes bounds a deck file, checked before it is read: room for a
	// dozen frozen mid-sized networks and drawings; a larger deck is
	// refused rather than read whole.
	MaxBytes = 64 << 20
	// MaxCaption bounds a caption in runes: it is shown large on a
	// projector, beside the figure.
	MaxCaption = 400
	// maxText bounds titles, formulas and specs in bytes.
	maxText = 256
)

// Deck is a lecture: its scenes in order.
type Deck struct {
	Title  string  `json:"title,omitempty"`
	Scenes []Scene `json:"scenes"`
}

// Scene is one step of a deck: either Lesson names a built-in lesson
// (its file name without ".json", e.g. "06-sampling") and nothing else is
// set, or it is a custom scene described by the other fields, whose zero
// values keep the app's defaults.
type Scene struct {
	Lesson string `json:"lesson,omitempty"`

	Title   string `json:"title,omitempty"`
	Caption string `json:"caption,omitempty"`
	Formula string `json:"formula,omitempty"`

	Source Data `json:"source,omitzero"`
	Target Data `json:"target,omitzero"`

	Settings Settings `json:"settings,omitzero"`
	// View is the world rectangle minX, minY, maxX, maxY fitted into the
	// figure; nil fits the data.
	View *[4]float64 `json:"view,omitempty"`
	// Layers names the layers shown (field, particles, trails,
	// trajectories, clouds, grid, legend); empty shows the default ones.
	Layers []string `json:"layers,omitempty"`
	// T is the timeline's time on arrival; Playing (default true) whether
	// it plays.
	T       float64 `json:"t,omitempty"`
	Playing *bool   `json:"playing,omitempty"`
	// Compare opens compare mode with pane B = this scene changed by these
	// key=value settings (e.g. "coupling=ot").
	Compare string `json:"compare,omitempty"`
	// Model holds frozen weights (a flowviz-model object): the scene
	// starts from them, paused, and looks the same on any laptop. Without
	// them it trains live from fresh weights. CompareModel is pane B's.
	Model        json.RawMessage `json:"model,omitempty"`
	CompareModel json.RawMessage `json:"compare_model,omitempty"`
}

// Data is a scene's source or target: a preset or text spec
// ("8gaussians:radius=5", "text:Hi"), an embedded drawing (points), or an
// image file beside the deck ("logo.png:threshold=0.4"). Exactly one is
// set; a zero Data keeps the app's default.
type Data struct {
	Spec   string         `json:"spec,omitempty"`
	Points session.Points `json:"points,omitempty"`
	Jitter float64        `json:"jitter,omitempty"`
	Image  string         `json:"image,omitempty"`
	Name   string         `json:"name,omitempty"`
}

// IsZero reports whether d keeps the default data.
func (d Data) IsZero() bool {
	return d.Spec == "" && len(d.Points) == 0 && d.Image == "" && d.Jitter == 0 && d.Name == ""
}

// Settings are a custom scene's model, flow and sampler settings; zero
// fields keep the app's defaults.
type Settings struct {
	Width     int     `json:"width,omitempty"`
	Depth     int     `json:"depth,omitempty"`
	Act       string  `json:"act,omitempty"`
	LR        float64 `json:"lr,omitempty"`
	Batch     int     `json:"batch,omitempty"`
	Seed      uint64  `json:"seed,omitempty"`
	Path      string  `json:"path,omitempty"`
	Sigma     float64 `json:"sigma,omitempty"`
	Coupling  string  `json:"coupling,omitempty"`
	Solver    string  `json:"solver,omitempty"`
	Steps     int     `json:"steps,omitempty"` // NUM_STEPS
	Particles int     `json:"particles,omitempty"`
	Grid      int     `json:"grid,omitempty"`
	Trails    int     `json:"trails,omitempty"`
}

// IsLesson reports whether the scene is a built-in lesson.
func (s *Scene) IsLesson() bool { return s.Lesson != "" }

// Apply returns base with the non-zero settings in place of its own.
func (st Settings) Apply(base scene.Settings) scene.Settings {
	pick := func(dst *string, v string) {
		if v != "" {
			*dst = v
		}
	}
	pickI := func(dst *int, v int) {
		if v != 0 {
			*dst = v
		}
	}
	pickI(&base.Width, st.Width)
	pickI(&base.Depth, st.Depth)
	pick(&base.Act, st.Act)
	if st.LR != 0 {
		base.LR = st.LR
	}
	pickI(&base.Batch, st.Batch)
	if st.Seed != 0 {
		base.Seed = st.Seed
	}
	pick(&base.Path, st.Path)
	if st.Sigma != 0 {
		base.Sigma = st.Sigma
	}
	pick(&base.Coupling, st.Coupling)
	pick(&base.Solver, st.Solver)
	pickI(&base.Steps, st.Steps)
	pickI(&base.Particles, st.Particles)
	pickI(&base.Grid, st.Grid)
	pickI(&base.Trails, st.Trails)
	return base
}

// SettingsOf is every field of s as a deck writes it: a scene saved from
// the app keeps the app's settings even if the defaults change.
func SettingsOf(s scene.Settings) Settings {
	return Settings{
		Width: s.Width, Depth: s.Depth, Act: s.Act, LR: s.LR, Batch: s.Batch, Seed: s.Seed,
		Path: s.Path, Sigma: s.Sigma, Coupling: s.Coupling, Solver: s.Solver,
		Steps: s.Steps, Particles: s.Particles, Grid: s.Grid, Trails: s.Trails,
	}
}

// Layers are the layer names a scene may show.
var Layers = []string{"field", "particles", "trails", "trajectories", "clouds", "grid", "legend"}

// Builtin is the built-in deck: every lesson of assets/lessons, in file
// name order, so lessons added later join it by their file alone.
func Builtin() (*Deck, error) {
	names, err := lessonNames()
	if err != nil {
		return nil, err
	}
	d := &Deck{Title: "Flow matching, step by step"}
	for _, n := range names {
		d.Scenes = append(d.Scenes, Scene{Lesson: n})
	}
	return d, nil
}

// lessonNames are the built-in lessons' names in file-name order. Only
// the names: the lessons themselves are parsed by the lesson view, whose
// kinds register themselves where they are drawn.
func lessonNames() ([]string, error) {
	files, err := fs.Glob(assets.Lessons(), "*.json")
	if err != nil {
		return nil, err
	}
	slices.Sort(files)
	names := make([]string, len(files))
	for i, f := range files {
		names[i] = LessonName(f)
	}
	return names, nil
}

// LessonName is the name a deck gives the lesson in file: its file name
// without ".json".
func LessonName(file string) string { return strings.TrimSuffix(file, ".json") }

// Label is how the panel and the status line name scene i (0-based).
func (d *Deck) Label(i int) string {
	if i < 0 || i >= len(d.Scenes) {
		return ""
	}
	s := &d.Scenes[i]
	name := s.Title
	switch {
	case s.IsLesson():
		name = "lesson " + s.Lesson
	case name == "" && s.Caption != "":
		name = firstWords(s.Caption, 6)
	case name == "":
		name = "scene"
	}
	return fmt.Sprintf("%d %s", i+1, name)
}

func firstWords(s string, n int) string {
	w := strings.Fields(s)
	if len(w) > n {
		return strings.Join(w[:n], " ") + " …"
	}
	return strings.Join(w, " ")
}

// Dist loads the data for a deck in dir: a spec, the drawing's points, or
// the image file beside the deck. ok is false for a zero Data, which
// keeps the app's default.
func (d Data) Dist(dir string) (dist data.Dist, ok bool, err error) {
	switch {
	case d.IsZero():
		return nil, false, nil
	case d.Spec != "":
		dist, err = data.Load(d.Spec)
	case d.Image != "":
		path, args, _ := strings.Cut(d.Image, ":")
		spec := filepath.Join(dir, filepath.FromSlash(path))
		if args != "" {
			spec += ":" + args
		}
		dist, err = data.Load(spec)
	default:
		dist, err = data.NewPointSet(d.Name, d.Points, d.Jitter)
	}
	return dist, err == nil, err
}

// DataOf describes the app's data d for a deck: a preset or text by its
// spec, anything else (a drawing, an image, a CSV) by its points.
func DataOf(d data.Dist) Data {
	if spec := d.String(); strings.HasPrefix(spec, "text:") && len(spec) <= maxText {
		return Data{Spec: spec}
	}
	sd := session.FromDist(d)
	return Data{Spec: sd.Spec, Points: sd.Points, Jitter: sd.Jitter, Name: sd.Name}
}

// model decodes frozen weights, nil when there are none.
func model(raw json.RawMessage) (*train.Model, error) {
	if len(raw) == 0 {
		return nil, nil
	}
	return train.ReadModel(strings.NewReader(string(raw)))
}

// Weights returns the scene's frozen weights and pane B's, nil when it has
// none.
func (s *Scene) Weights() (a, b *train.Model, err error) {
	if a, err = model(s.Model); err != nil {
		return nil, nil, fmt.Errorf("model: %w", err)
	}
	if b, err = model(s.CompareModel); err != nil {
		return nil, nil, fmt.Errorf("compare_model: %w", err)
	}
	return a, b, nil
}

// Freeze stores m (and pane B's mb, if any) as the scene's frozen weights.
func (s *Scene) Freeze(m, mb *train.Model) error {
	enc := func(m *train.Model) (json.RawMessage, error) {
		if m == nil {
			return nil, nil
		}
		var b strings.Builder
		if err := train.WriteModel(&b, m); err != nil {
			return nil, err
		}
		return json.RawMessage(strings.TrimSpace(b.String())), nil
	}
	var err error
	if s.Model, err = enc(m); err != nil {
		return err
	}
	s.CompareModel, err = enc(mb)
	return err
}
