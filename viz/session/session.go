// Package session reads and writes flowviz session files: the whole state of
// the app — data, settings, weights, optimizer, view, lesson — as one
// versioned JSON file.
package session

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"path/filepath"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/flowviz/flowviz/flow"
	"github.com/flowviz/flowviz/flow/data"
	"github.com/flowviz/flowviz/flow/hd"
	"github.com/flowviz/flowviz/flow/limitfile"
	"github.com/flowviz/flowviz/flow/mlp"
	"github.com/flowviz/flowviz/flow/train"
	"github.com/flowviz/flowviz/viz/drawing"
	"github.com/flowviz/flowviz/viz/scene"
	"github.com/flowviz/flowviz/viz/storage"
)

// File format identifiers. A reader refuses any other format and any
// version but these.
const (
	Format = "flowviz-session"
	// Version 2 added the settings of Gaussian paths, prediction targets,
	// the reverse SDE and guidance, and point labels (a drawing's colours).
	// Version-1 files read as version 2 with those at their zero values.
	// Version 3 added the image view's model (Images); older files have
	// none.
	Version = 3
	// oldestVersion is the oldest version Read still reads.
	oldestVersion = 1
)

// MaxLabel is the largest class a point may carry (data.ReadLabeledCSV's
// limit: the classes a network takes).
const MaxLabel = mlp.MaxClasses - 1

// Limits a file must respect, one set for every way a session comes in
// (-session, the panel's Open, the autosave) and goes out.
const (
	// MaxPoints is the largest point set a side may hold: the drawing's
	// cap, so that what is trained on is what can be drawn and shown.
	MaxPoints = drawing.MaxPoints
	// MaxParams is the largest network the app keeps: 2.5 M parameters
	// (width 512 and depth 10, or width 1024 and depth 3). Weights and
	// Adam's two moments of a network beyond it would not fit MaxBytes,
	// so the app refuses such settings up front (CheckNet).
	MaxParams = 2_500_000
	// MaxBytes bounds a session file: MaxParams numbers three times at
	// their longest, two sides of MaxPoints points, and 1 MiB for the rest
	// (about 113 MiB). A larger file is refused before it is read.
	MaxBytes = MaxParams*3*train.MaxFloatBytes + 2*MaxPoints*maxPointBytes + maxImageBytes + 1<<20
	// MaxImageParams is the largest image network a session keeps: 1 M
	// parameters (the app's 3×512 network on 16 × 16 digits has 0.79 M).
	MaxImageParams = 1_000_000
	// maxImageBytes bounds the image part: its weights, their average and
	// Adam's two moments, each MaxImageParams numbers at their longest.
	maxImageBytes = MaxImageParams * 4 * train.MaxFloatBytes
	// maxPointBytes is the longest a point is in a file:
	// "[-1.2345678901234567e+09,-1.2345678901234567e+09]," (|x| ≤ data.MaxCoord).
	maxPointBytes = 52
	// imagePoints is how many draws stand for an image or text mask, which
	// has no spec the file could hold without the image.
	imagePoints = 20_000
)

// CheckNet refuses a network the app could not keep in a session.
func CheckNet(c mlp.Config) error {
	if n := mlp.NumParams(c); n > MaxParams {
		return fmt.Errorf("a width-%d depth-%d network has %s parameters, more than the %s a session can keep (width 512 and depth 10, or width 1024 and depth 3, are the largest)",
			c.Width, c.Depth, millions(n), millions(MaxParams))
	}
	return nil
}

func millions(n int) string { return strconv.FormatFloat(float64(n)/1e6, 'f', 1, 64) + " M" }

// Session is everything needed to bring the app back to the same picture.
type Session struct {
	Settings       scene.Settings
	Source, Target Data
	// Model holds the trained weights (nil: start from fresh ones) and
	// Optimizer Adam's state for them (nil: a fresh optimizer).
	Model     *train.Model
	Optimizer *train.OptimizerState
	// BatchRNG is the trainer's batch stream (train.SavedState.BatchRNG),
	// so a restored run goes on bit for bit; nil in files from before.
	BatchRNG []byte
	View     View
	Lesson   string // the lesson being shown, "" for none
	// Compare is compare mode's second model, nil with one pane.
	Compare *Compared
	// Images is the image view's model when the session was taken with
	// it shown (version 3), nil otherwise.
	Images *Images
}

// Images is the image view as a session keeps it: the image model (its
// target, network, conditioning, weights and their average), Adam's state
// for it, and what the view showed. The class and guidance it samples are
// the settings' (Cond, OneClass, Class, Guidance).
type Images struct {
	Model     *hd.Model
	Optimizer *train.OptimizerState // nil: a fresh optimiser
	PCA       bool                  // the PCA view, not the grid
	Cell      int                   // the chosen sample
}

// Compared is compare mode's pane B: how it differs from pane A (Spec, as
// flowviz -compare takes it), its settings and its own trained state. The
// data, view and timeline are A's: the panes share them.
type Compared struct {
	Spec      string
	Focus     int  // 1 when the panel was editing B
	Link      bool // the panel edited both
	Settings  scene.Settings
	Model     *train.Model
	Optimizer *train.OptimizerState
	BatchRNG  []byte
}

// Data is a distribution as a file holds it: a built-in or text spec, or
// the points of a drawn, loaded or rasterised set.
type Data struct {
	Spec   string     // for data.Load; empty when Points stand for the data
	Points []flow.Vec // the point set, possibly empty (a drawing not begun)
	Labels []int      // each point's class (a drawing's colour), nil for none
	Jitter float64
	Name   string
}

// View is what the canvas shows.
type View struct {
	CenterX, CenterY, Zoom float64 // camera: world centre, pixels per unit
	Layers                 Layers
	T                      float64 // timeline position in [0, 1]
	Playing                bool
	Speed                  float64 // playback speed multiplier
	Mode                   int     // timeline.Mode
}

// Layers mirrors the canvas's layer switches.
type Layers struct {
	Field, Particles, Trails, Trajectories, Clouds, Grid, Legend bool
}

// FromDist describes d for a file: a built-in by its canonical spec, a point
// set by its points, and anything else (an image or text mask) by a fixed
// set of draws from it, so that the file needs nothing beside it.
func FromDist(d data.Dist) Data {
	switch v := d.(type) {
	case *data.PointSet:
		d := Data{Points: v.Points, Jitter: v.Jitter, Name: v.Name}
		if len(v.Labels) == len(v.Points) {
			d.Labels = v.Labels
		}
		return d
	}
	spec := d.String()
	if _, err := data.Parse(spec); err == nil {
		return Data{Spec: spec}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	return Data{Points: data.Sample(d, rng, imagePoints), Name: spec}
}

// Dist rebuilds the distribution. An empty point list gives an empty point
// set, on which the trainer waits for points as it does for a new drawing.
func (d Data) Dist() (data.Dist, error) {
	if d.Spec != "" {
		return data.Load(d.Spec)
	}
	if len(d.Points) == 0 {
		return &data.PointSet{Jitter: d.Jitter, Name: d.Name}, nil
	}
	ps, err := data.NewPointSet(d.Name, d.Points, d.Jitter)
	if err != nil {
		return nil, err
	}
	if len(d.Labels) == len(d.Points) {
		ps.Labels = d.Labels
	}
	return ps, nil
}

// JSON layout. Field names are spelled out so the format does not depend on
// Go names; the model is a complete flowviz-model object, so the same reader
// validates it.
type fileJSON struct {
	Format    string          `json:"format"`
	Version   int             `json:"version"`
	Settings  settingsJSON    `json:"settings"`
	Source    dataJSON        `json:"source"`
	Target    dataJSON        `json:"target"`
	Model     json.RawMessage `json:"model,omitempty"`
	Optimizer *optimizerJSON  `json:"optimizer,omitempty"`
	BatchRNG  []byte          `json:"batch_rng,omitempty"`
	View      viewJSON        `json:"view"`
	Lesson    string          `json:"lesson"`
	Compare   *compareJSON    `json:"compare,omitempty"`
	Images    *imagesJSON     `json:"images,omitempty"` // version 3
}

type imagesJSON struct {
	Model     json.RawMessage `json:"model"` // a complete flowviz-hd-model object
	Optimizer *optimizerJSON  `json:"optimizer,omitempty"`
	PCA       bool            `json:"pca,omitempty"`
	Cell      int             `json:"cell"`
}

type compareJSON struct {
	Spec      string          `json:"spec"`
	Focus     int             `json:"focus"`
	Link      bool            `json:"link"`
	Settings  settingsJSON    `json:"settings"`
	Model     json.RawMessage `json:"model,omitempty"`
	Optimizer *optimizerJSON  `json:"optimizer,omitempty"`
	BatchRNG  []byte          `json:"batch_rng,omitempty"`
}

type settingsJSON struct {
	Source    string     `json:"source"`
	Target    string     `json:"target"`
	Width     int        `json:"width"`
	Depth     int        `json:"depth"`
	Act       string     `json:"act"`
	LR        float64    `json:"lr"`
	Batch     int        `json:"batch"`
	Seed      uint64     `json:"seed"`
	Path      string     `json:"path"`
	Sigma     float64    `json:"sigma"`
	Coupling  string     `json:"coupling"`
	Solver    string     `json:"solver"`
	Steps     int        `json:"steps"`
	Particles int        `json:"particles"`
	Grid      int        `json:"grid"`
	View      [4]float64 `json:"field_view"`
	Trails    int        `json:"trails"`
	// Version 2: each omitted at its zero value, the blog post's run.
	Schedule string  `json:"schedule,omitempty"`
	Predict  string  `json:"predict,omitempty"`
	Noise    float64 `json:"noise,omitempty"`
	Cond     bool    `json:"cond,omitempty"`
	PUncond  float64 `json:"p_uncond,omitempty"`
	OneClass bool    `json:"one_class,omitempty"`
	Class    int     `json:"class,omitempty"`
	Guidance float64 `json:"guidance,omitempty"` // w − 1
	Score    bool    `json:"score_arrows,omitempty"`
}

type dataJSON struct {
	Spec   string  `json:"spec,omitempty"`
	Points points  `json:"points,omitempty"`
	Labels labels  `json:"labels,omitempty"` // version 2
	Jitter float64 `json:"jitter,omitempty"`
	Name   string  `json:"name,omitempty"`
}

type optimizerJSON struct {
	M     train.Floats `json:"m"`
	V     train.Floats `json:"v"`
	Steps int          `json:"steps"`
}

type viewJSON struct {
	CenterX float64    `json:"center_x"`
	CenterY float64    `json:"center_y"`
	Zoom    float64    `json:"zoom"`
	Layers  layersJSON `json:"layers"`
	T       float64    `json:"t"`
	Playing bool       `json:"playing"`
	Speed   float64    `json:"speed"`
	Mode    int        `json:"mode"`
}

type layersJSON struct {
	Field        bool `json:"field"`
	Particles    bool `json:"particles"`
	Trails       bool `json:"trails"`
	Trajectories bool `json:"trajectories"`
	Clouds       bool `json:"clouds"`
	Grid         bool `json:"grid"`
	Legend       bool `json:"legend"`
}

// Write validates s and writes it as JSON.
func Write(w io.Writer, s *Session) error {
	if err := s.Validate(); err != nil {
		return fmt.Errorf("session: refusing to write: %w", err)
	}
	f := fileJSON{
		Format: Format, Version: Version,
		Settings: settingsJSON(s.Settings),
		Source:   toDataJSON(s.Source), Target: toDataJSON(s.Target),
		View: viewJSON{
			CenterX: s.View.CenterX, CenterY: s.View.CenterY, Zoom: s.View.Zoom,
			Layers: layersJSON(s.View.Layers),
			T:      s.View.T, Playing: s.View.Playing, Speed: s.View.Speed, Mode: s.View.Mode,
		},
		Lesson:   s.Lesson,
		BatchRNG: s.BatchRNG,
	}
	var err error
	if f.Model, f.Optimizer, err = trainedJSON(s.Model, s.Optimizer); err != nil {
		return fmt.Errorf("session: %w", err)
	}
	if c := s.Compare; c != nil {
		f.Compare = &compareJSON{Spec: c.Spec, Focus: c.Focus, Link: c.Link, Settings: settingsJSON(c.Settings), BatchRNG: c.BatchRNG}
		if f.Compare.Model, f.Compare.Optimizer, err = trainedJSON(c.Model, c.Optimizer); err != nil {
			return fmt.Errorf("session: compared model: %w", err)
		}
	}
	if im := s.Images; im != nil {
		var b bytes.Buffer
		if err := hd.WriteModel(&b, im.Model); err != nil {
			return fmt.Errorf("session: image model: %w", err)
		}
		f.Images = &imagesJSON{Model: bytes.TrimSpace(b.Bytes()), PCA: im.PCA, Cell: im.Cell}
		if o := im.Optimizer; o != nil {
			f.Images.Optimizer = &optimizerJSON{M: o.M, V: o.V, Steps: o.Steps}
		}
	}
	b, err := json.Marshal(f)
	if err != nil {
		return fmt.Errorf("session: encoding: %w", err)
	}
	if len(b) >= MaxBytes {
		// Read would refuse it: better to say so now than at the next start.
		return fmt.Errorf("session: %s is more than the %s a session file may hold; use a smaller network", storage.Bytes(int64(len(b))), storage.Bytes(MaxBytes))
	}
	if _, err := w.Write(append(b, '\n')); err != nil {
		return fmt.Errorf("session: writing: %w", err)
	}
	return nil
}

// trainedJSON encodes weights (a complete flowviz-model object) and Adam's
// moments; nil for what is absent.
func trainedJSON(m *train.Model, o *train.OptimizerState) (json.RawMessage, *optimizerJSON, error) {
	var model json.RawMessage
	if m != nil {
		var b bytes.Buffer
		if err := train.WriteModel(&b, m); err != nil {
			return nil, nil, err
		}
		model = bytes.TrimSpace(b.Bytes())
	}
	var opt *optimizerJSON
	if o != nil {
		opt = &optimizerJSON{M: o.M, V: o.V, Steps: o.Steps}
	}
	return model, opt, nil
}

func toDataJSON(d Data) dataJSON {
	return dataJSON{Spec: d.Spec, Jitter: d.Jitter, Name: d.Name, Points: d.Points, Labels: d.Labels}
}

// Read reads and validates a session. Anything that is not exactly a valid
// version-1 session — bad JSON, trailing data, unknown fields, another
// format or version, out-of-range settings, too many points, weights or
// moments of the wrong shape or not finite — is refused with an error that
// says what is wrong; nothing is returned half-read.
func Read(r io.Reader) (*Session, error) { return read(r, 0) }

// read is Read with the file's size, if known, so the buffer is made once.
func read(r io.Reader, size int64) (*Session, error) {
	b, err := limitfile.ReadAll(limitfile.Reader(io.NopCloser(r), "session file", MaxBytes), min(size, MaxBytes))
	if err != nil {
		return nil, fmt.Errorf("session: %w", err)
	}
	if len(bytes.TrimSpace(b)) == 0 {
		return nil, errors.New("session: the file is empty")
	}
	// The header first, so a newer or foreign file says what it is rather
	// than failing on whatever field changed.
	var head struct {
		Format  string `json:"format"`
		Version int    `json:"version"`
	}
	if err := json.Unmarshal(b, &head); err != nil {
		return nil, fmt.Errorf("session: not a valid session file (damaged or truncated?): %w", err)
	}
	if head.Format != Format {
		return nil, fmt.Errorf("session: not a session file: format %q, want %q", head.Format, Format)
	}
	if head.Version < oldestVersion || head.Version > Version {
		return nil, fmt.Errorf("session: version %d is not supported (this build reads versions %d to %d)", head.Version, oldestVersion, Version)
	}
	// Not a decoder over b: that would copy the file once more.
	var f fileJSON
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("session: not a valid session file: %w", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("session: not a valid session file: trailing data after the JSON object")
	}
	if head.Version == 1 && (newerSettings(f.Settings) ||
		f.Compare != nil && newerSettings(f.Compare.Settings) || f.Source.Labels != nil || f.Target.Labels != nil) {
		return nil, errors.New("session: a version-1 file with version-2 fields (schedule, predict, noise, classes, labels): damaged or mislabelled")
	}
	if head.Version < 3 && f.Images != nil {
		return nil, fmt.Errorf("session: a version-%d file with an image model (version 3): damaged or mislabelled", head.Version)
	}
	source, err := fromDataJSON(f.Source)
	if err != nil {
		return nil, fmt.Errorf("session: source: %w", err)
	}
	target, err := fromDataJSON(f.Target)
	if err != nil {
		return nil, fmt.Errorf("session: target: %w", err)
	}
	s := &Session{
		Settings: scene.Settings(f.Settings),
		Source:   source, Target: target,
		View: View{
			CenterX: f.View.CenterX, CenterY: f.View.CenterY, Zoom: f.View.Zoom,
			Layers: Layers(f.View.Layers),
			T:      f.View.T, Playing: f.View.Playing, Speed: f.View.Speed, Mode: f.View.Mode,
		},
		Lesson:   f.Lesson,
		BatchRNG: f.BatchRNG,
	}
	if len(f.Model) > 0 {
		if s.Model, err = train.ReadModel(bytes.NewReader(f.Model)); err != nil {
			return nil, fmt.Errorf("session: weights: %w", err)
		}
	}
	if o := f.Optimizer; o != nil {
		s.Optimizer = &train.OptimizerState{M: o.M, V: o.V, Steps: o.Steps}
	}
	if c := f.Compare; c != nil {
		s.Compare = &Compared{Spec: c.Spec, Focus: c.Focus, Link: c.Link, Settings: scene.Settings(c.Settings), BatchRNG: c.BatchRNG}
		if len(c.Model) > 0 {
			if s.Compare.Model, err = train.ReadModel(bytes.NewReader(c.Model)); err != nil {
				return nil, fmt.Errorf("session: compared weights: %w", err)
			}
		}
		if o := c.Optimizer; o != nil {
			s.Compare.Optimizer = &train.OptimizerState{M: o.M, V: o.V, Steps: o.Steps}
		}
	}
	if im := f.Images; im != nil {
		s.Images = &Images{PCA: im.PCA, Cell: im.Cell}
		if s.Images.Model, err = hd.ReadModel(bytes.NewReader(im.Model)); err != nil {
			return nil, fmt.Errorf("session: image model: %w", err)
		}
		if o := im.Optimizer; o != nil {
			s.Images.Optimizer = &train.OptimizerState{M: o.M, V: o.V, Steps: o.Steps}
		}
	}
	if err := s.Validate(); err != nil {
		return nil, fmt.Errorf("session: %w", err)
	}
	return s, nil
}

// fromDataJSON converts the points.
func fromDataJSON(j dataJSON) (Data, error) {
	return Data{Spec: j.Spec, Jitter: j.Jitter, Name: j.Name, Points: j.Points, Labels: j.Labels}, nil
}

// labels is a JSON array of point classes, counted before it is allocated
// as points are.
type labels []int

// UnmarshalJSON implements json.Unmarshaler.
func (l *labels) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if string(b) == "null" {
		*l = nil
		return nil
	}
	if n := bytes.Count(b, []byte{','}) + 1; n > MaxPoints {
		return fmt.Errorf("%d labels, more than the %d points a drawing holds", n, MaxPoints)
	}
	var raw []int
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	*l = raw
	return nil
}

// points is a JSON array of [x, y] pairs that is counted before it is
// allocated: more than MaxPoints is refused without making room for them.
type points []flow.Vec

// Points is the JSON point list of session files, for other formats that
// embed drawings (lecture decks): counted before it is allocated.
type Points = points

// MarshalJSON implements json.Marshaler.
func (p points) MarshalJSON() ([]byte, error) {
	b := make([]byte, 0, 2+len(p)*24)
	b = append(b, '[')
	for i, v := range p {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, '[')
		b = strconv.AppendFloat(b, v[0], 'g', -1, 64)
		b = append(b, ',')
		b = strconv.AppendFloat(b, v[1], 'g', -1, 64)
		b = append(b, ']')
	}
	return append(b, ']'), nil
}

// UnmarshalJSON implements json.Unmarshaler.
func (p *points) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if string(b) == "null" {
		*p = nil
		return nil
	}
	if len(b) < 2 || b[0] != '[' {
		return errors.New("points: want an array of [x, y] pairs")
	}
	if n := bytes.Count(b, []byte{'['}) - 1; n > MaxPoints {
		return fmt.Errorf("%d points, more than the %d a drawing holds", n, MaxPoints)
	}
	// What passed the count is small: decode it plainly, then check shapes.
	var raw [][]float64
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	out := make(points, len(raw))
	for i, q := range raw {
		if len(q) != 2 {
			return fmt.Errorf("point %d has %d coordinates, want 2", i, len(q))
		}
		out[i] = flow.Vec{q[0], q[1]}
	}
	*p = out
	return nil
}

// Validate checks every value against what the app accepts, pane B's as
// pane A's.
func (s *Session) Validate() error {
	if c := s.Compare; c != nil {
		if c.Focus != 0 && c.Focus != 1 {
			return fmt.Errorf("compare: focus %d, want 0 or 1", c.Focus)
		}
		if n := utf8.RuneCountInString(c.Spec); n == 0 || n > 256 {
			return fmt.Errorf("compare: spec of %d characters, want 1..256", n)
		}
		b := *s
		b.Settings, b.Model, b.Optimizer, b.BatchRNG, b.Compare = c.Settings, c.Model, c.Optimizer, c.BatchRNG, nil
		if err := b.Validate(); err != nil {
			return fmt.Errorf("compare: %w", err)
		}
	}
	st := s.Settings
	if err := CheckNet(mlp.Config{Width: st.Width, Depth: st.Depth}); err != nil {
		return err
	}
	switch {
	case st.Steps < scene.MinSteps || st.Steps > scene.MaxSteps:
		return fmt.Errorf("steps %d outside %d..%d", st.Steps, scene.MinSteps, scene.MaxSteps)
	case st.Particles < scene.MinParticles || st.Particles > scene.MaxParticles:
		return fmt.Errorf("particles %d outside %d..%d", st.Particles, scene.MinParticles, scene.MaxParticles)
	case st.Grid < scene.MinGrid || st.Grid > scene.MaxGrid:
		return fmt.Errorf("grid %d outside %d..%d", st.Grid, scene.MinGrid, scene.MaxGrid)
	case st.Trails < 0 || st.Trails > st.Particles:
		return fmt.Errorf("trails %d outside 0..%d", st.Trails, st.Particles)
	case !finite(st.LR) || st.LR <= 0:
		return fmt.Errorf("learning rate %v must be finite and > 0", st.LR)
	case !finite(st.Sigma) || st.Sigma < 0:
		return fmt.Errorf("σ %v must be finite and ≥ 0", st.Sigma)
	case st.Batch < 1 || st.Batch > train.MaxBatch:
		return fmt.Errorf("batch %d outside 1..%d", st.Batch, train.MaxBatch)
	case !goodBox(st.View):
		return fmt.Errorf("field view %v is not a finite box", st.View)
	}
	if _, err := mlp.ParseActivation(st.Act); err != nil {
		return err
	}
	if err := validDiffusion(st); err != nil {
		return err
	}
	if _, err := flow.ParseSolver(st.Solver); err != nil {
		return err
	}
	for _, side := range []struct {
		name string
		d    Data
	}{{"source", s.Source}, {"target", s.Target}} {
		if err := side.d.validate(); err != nil {
			return fmt.Errorf("%s: %w", side.name, err)
		}
	}
	v := s.View
	switch {
	case !finite(v.CenterX) || !finite(v.CenterY) || math.Abs(v.CenterX) > 1e9 || math.Abs(v.CenterY) > 1e9:
		return fmt.Errorf("view centre (%v, %v) out of range", v.CenterX, v.CenterY)
	case !(v.Zoom >= 1e-2 && v.Zoom <= 1e5):
		return fmt.Errorf("zoom %v outside 0.01..100000", v.Zoom)
	case !(v.T >= 0 && v.T <= 1):
		return fmt.Errorf("t = %v outside 0..1", v.T)
	case !(v.Speed > 0 && v.Speed <= 100):
		return fmt.Errorf("playback speed %v outside (0, 100]", v.Speed)
	case v.Mode < 0 || v.Mode > 2:
		return fmt.Errorf("timeline mode %d unknown", v.Mode)
	case len(s.Lesson) > 256:
		return errors.New("lesson name longer than 256 bytes")
	}
	if s.Model != nil {
		if err := s.Model.Validate(); err != nil {
			return fmt.Errorf("weights: %w", err)
		}
		// Settings that disagree with the weights would have the trainer
		// build another network and drop them: refuse, not half-restore.
		n := s.Model.Config.Net
		if n.Width != st.Width || n.Depth != st.Depth || n.Act.String() != st.Act {
			return fmt.Errorf("the settings ask for a width-%d depth-%d %s network, the weights are of a width-%d depth-%d %s one",
				st.Width, st.Depth, st.Act, n.Width, n.Depth, n.Act)
		}
		if err := CheckNet(n); err != nil {
			return err
		}
	}
	if s.Optimizer != nil {
		if s.Model == nil {
			return errors.New("optimizer state without weights")
		}
		if err := s.Optimizer.Validate(len(s.Model.Params)); err != nil {
			return err
		}
	}
	if s.BatchRNG != nil {
		if s.Model == nil {
			return errors.New("batch random state without weights")
		}
		if err := train.ValidBatchRNG(s.BatchRNG); err != nil {
			return err
		}
	}
	if s.Images != nil {
		if err := s.Images.validate(); err != nil {
			return fmt.Errorf("image model: %w", err)
		}
	}
	return nil
}

// validate checks the image part: a valid model the app could run and
// keep, Adam's state of its size, a sample of the grid.
func (im *Images) validate() error {
	if im.Model == nil {
		return errors.New("no weights")
	}
	if err := im.Model.Validate(); err != nil {
		return err
	}
	if n := len(im.Model.Params); n > MaxImageParams {
		return fmt.Errorf("a network of %s parameters, more than the %s a session keeps", millions(n), millions(MaxImageParams))
	}
	if im.Optimizer != nil {
		if err := im.Optimizer.Validate(len(im.Model.Params)); err != nil {
			return err
		}
	}
	if im.Cell < 0 || im.Cell >= maxImageCells {
		return fmt.Errorf("sample %d outside 0..%d", im.Cell, maxImageCells-1)
	}
	return nil
}

// maxImageCells is the most images the view's grid shows: 8 columns, a row
// for each of the 10 digits.
const maxImageCells = 80

func (d Data) validate() error {
	if d.Spec != "" {
		if len(d.Points) > 0 {
			return errors.New("both a spec and points")
		}
		// Only built-ins and text: a file must not make the app open other
		// files on its behalf.
		if !strings.HasPrefix(strings.TrimSpace(d.Spec), "text:") {
			if _, err := data.Parse(d.Spec); err != nil {
				return err
			}
		}
		return nil
	}
	if len(d.Points) > MaxPoints {
		return fmt.Errorf("%d points, more than the %d a drawing holds", len(d.Points), MaxPoints)
	}
	if d.Labels != nil && len(d.Labels) != len(d.Points) {
		return fmt.Errorf("%d labels for %d points", len(d.Labels), len(d.Points))
	}
	for i, k := range d.Labels {
		if k < 0 || k > MaxLabel {
			return fmt.Errorf("point %d has class %d, want 0..%d", i, k, MaxLabel)
		}
	}
	if !finite(d.Jitter) || d.Jitter < 0 || d.Jitter > 1e6 {
		return fmt.Errorf("jitter %v must be finite and ≥ 0", d.Jitter)
	}
	for i, p := range d.Points {
		if !finite(p[0]) || !finite(p[1]) || math.Abs(p[0]) > data.MaxCoord || math.Abs(p[1]) > data.MaxCoord {
			return fmt.Errorf("point %d = %v is beyond ±%g, the largest coordinate accepted", i, p, data.MaxCoord)
		}
	}
	if len(d.Name) > 256 {
		return errors.New("name longer than 256 bytes")
	}
	return nil
}

func goodBox(b [4]float64) bool {
	for _, v := range b {
		if !finite(v) || math.Abs(v) > 1e9 {
			return false
		}
	}
	return b[0] < b[2] && b[1] < b[3]
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// Save writes s to path atomically (temporary file in the same directory,
// sync, rename, sync of the directory), creating the directory if needed: a
// crash or kill at any moment leaves the old file or the new one.
func Save(path string, s *Session) error { return SaveTo(storage.Files{}, path, s) }

// SaveTo is Save through a store.
func SaveTo(st storage.Store, path string, s *Session) error {
	if err := s.Validate(); err != nil {
		return fmt.Errorf("session: refusing to write: %w", err)
	}
	if dir := filepath.Dir(path); dir != "." {
		if err := st.MkdirAll(dir); err != nil {
			return fmt.Errorf("session: %w", err)
		}
	}
	if err := st.WriteFile(path, func(w io.Writer) error { return Write(w, s) }); err != nil {
		return fmt.Errorf("session: saving %s: %w", path, err)
	}
	return nil
}

// Load reads and validates the session file at path.
func Load(path string) (*Session, error) { return LoadFrom(storage.Files{}, path) }

// LoadFrom is Load through a store. Anything but a regular file of at most
// MaxBytes is refused before it is read.
func LoadFrom(st storage.Store, path string) (*Session, error) {
	f, err := st.Open(path, MaxBytes)
	if err != nil {
		return nil, fmt.Errorf("session: %w", err)
	}
	defer f.Close()
	var size int64
	if fi, err := st.Stat(path); err == nil {
		size = fi.Size()
	}
	s, err := read(f, size)
	if err != nil {
		return nil, fmt.Errorf("%w (in %s)", err, path)
	}
	return s, nil
}

// newerSettings reports whether s sets any field version 2 added.
func newerSettings(s settingsJSON) bool {
	return s.Schedule != "" || s.Predict != "" || s.Noise != 0 || s.Cond || s.PUncond != 0 ||
		s.OneClass || s.Class != 0 || s.Guidance != 0 || s.Score
}

// validDiffusion checks the version-2 settings against what the app offers.
func validDiffusion(st scene.Settings) error {
	if _, err := flow.ParseScheduler(st.Schedule); err != nil {
		return err
	}
	if _, err := flow.ParseTarget(st.Predict); err != nil {
		return err
	}
	switch {
	case !(st.Noise >= 0 && st.Noise <= scene.MaxNoise):
		return fmt.Errorf("noise %v outside 0..%d", st.Noise, scene.MaxNoise)
	case !(st.PUncond >= 0 && st.PUncond <= 1):
		return fmt.Errorf("p_uncond %v outside 0..1", st.PUncond)
	case st.Class < 0 || st.Class > MaxLabel:
		return fmt.Errorf("class %d outside 0..%d", st.Class, MaxLabel)
	case !(st.Guidance >= scene.MinGuidance && st.Guidance <= scene.MaxGuidance):
		return fmt.Errorf("guidance w = %v outside %d..%d", st.Guidance+1, scene.MinGuidance+1, scene.MaxGuidance+1)
	}
	return nil
}
