package train

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"

	"github.com/flowviz/flowviz/flow"
	"github.com/flowviz/flowviz/flow/atomicfile"
	"github.com/flowviz/flowviz/flow/limitfile"
	"github.com/flowviz/flowviz/flow/mlp"
)

// Model file format identifiers. A reader refuses any other format string or
// a version newer than it knows, so an old binary never misreads a newer
// file. Version 2 added the schedule, the prediction target, label dropout
// and the network's class count; a version-1 file is read as a version-2
// one with those at their defaults (linear, velocity, unconditional).
const (
	ModelFormat  = "flowviz-model"
	ModelVersion = 2
)

// MaxParams is the parameter count of the largest network a model file may
// hold (width 1024, depth 16, 32 Fourier features: ~17 M).
var MaxParams = mlp.NumParams(mlp.Config{Width: mlp.MaxWidth, Depth: mlp.MaxDepth, Fourier: mlp.MaxFourier})

// MaxModelBytes bounds a model file: MaxParams numbers of at most
// MaxFloatBytes characters each, plus 1 MiB for the rest. A larger file is
// refused before it is read; reading one costs about twice its size.
var MaxModelBytes = int64(MaxParams)*MaxFloatBytes + 1<<20

// MaxFloatBytes is the longest a float32 is in a file with its comma:
// "-1.1754944e-38," (encoding/json writes the shortest form).
const MaxFloatBytes = 15

// Model is what a model file holds: the training config and the trained
// weights, enough to rebuild the velocity field and to know what it learned.
type Model struct {
	Version int
	Config  Config
	Params  []float32 // mlp.Net.Params layout for Config.Net
	Step    int       // training steps taken
}

// Net wraps the model's parameters (not copied) as a network.
func (m *Model) Net() (*mlp.Net, error) {
	return mlp.FromParams(m.Config.Net, m.Params)
}

// Field returns the model's velocity field v(x, t): the network's output,
// converted to velocity if it predicts another target, for the null class of
// a conditional model (see VelocityField for a class and guidance). Each call
// returns a field with its own workspace: use one per goroutine. It panics if
// m is invalid; models from ReadModel and Snapshot.Model are always valid.
func (m *Model) Field() flow.Field {
	return m.VelocityField(mlp.NullClass, 1)
}

// Validate checks everything a model file must satisfy: format version, a
// valid config, the parameter count the network needs, finite weights.
func (m *Model) Validate() error {
	if m.Version != ModelVersion {
		return fmt.Errorf("model version %d is not supported (this build reads version %d)", m.Version, ModelVersion)
	}
	if err := m.Config.Validate(); err != nil {
		return fmt.Errorf("model config: %w", err)
	}
	if m.Step < 0 {
		return fmt.Errorf("model step %d is negative", m.Step)
	}
	if want := mlp.NumParams(m.Config.Net); len(m.Params) != want {
		return fmt.Errorf("model has %d parameters, but a width-%d depth-%d network with %d Fourier features needs %d",
			len(m.Params), m.Config.Net.Width, m.Config.Net.Depth, m.Config.Net.Fourier, want)
	}
	for i, p := range m.Params {
		if math.IsNaN(float64(p)) || math.IsInf(float64(p), 0) {
			return fmt.Errorf("model parameter %d is %v", i, p)
		}
	}
	return nil
}

// modelFile is the JSON layout of a model file. The config is spelled out
// field by field (the activation by name) so that the file format does not
// depend on Go field names or enum numbering.
type modelFile struct {
	Format  string     `json:"format"`
	Version int        `json:"version"`
	Config  configFile `json:"config"`
	Step    int        `json:"step"`
	Params  Floats     `json:"params"`
}

type configFile struct {
	Source      string  `json:"source"`
	Target      string  `json:"target"`
	Path        string  `json:"path"`
	Sigma       float64 `json:"sigma"`
	Schedule    string  `json:"schedule,omitempty"`
	Predict     string  `json:"predict,omitempty"`
	PUncond     float64 `json:"p_uncond,omitempty"`
	Coupling    string  `json:"coupling"`
	Teacher     string  `json:"teacher,omitempty"`
	Net         netFile `json:"net"`
	Batch       int     `json:"batch"`
	LR          float64 `json:"lr"`
	WeightDecay float64 `json:"weight_decay"`
	Steps       int     `json:"steps"`
	Seed        uint64  `json:"seed"`
}

type netFile struct {
	Width      int    `json:"width"`
	Depth      int    `json:"depth"`
	Activation string `json:"activation"`
	Fourier    int    `json:"fourier"`
	Classes    int    `json:"classes,omitempty"`
}

// WriteModel writes m as compact JSON after validating it.
func WriteModel(w io.Writer, m *Model) error {
	if err := m.Validate(); err != nil {
		return fmt.Errorf("train: refusing to write an invalid model: %w", err)
	}
	c := m.Config
	f := modelFile{
		Format:  ModelFormat,
		Version: m.Version,
		Config: configFile{
			Source: c.Source, Target: c.Target, Path: c.Path, Sigma: c.Sigma,
			Schedule: c.Schedule, Predict: c.Predict, PUncond: c.PUncond,
			Coupling: c.Coupling, Teacher: c.Teacher,
			Net: netFile{
				Width: c.Net.Width, Depth: c.Net.Depth,
				Activation: c.Net.Act.String(), Fourier: c.Net.Fourier, Classes: c.Net.Classes,
			},
			Batch: c.Batch, LR: c.LR, WeightDecay: c.WeightDecay, Steps: c.Steps, Seed: c.Seed,
		},
		Step:   m.Step,
		Params: m.Params,
	}
	b, err := json.Marshal(f)
	if err != nil {
		return fmt.Errorf("train: encoding model: %w", err)
	}
	b = append(b, '\n')
	if _, err := w.Write(b); err != nil {
		return fmt.Errorf("train: writing model: %w", err)
	}
	return nil
}

// ReadModel reads and validates a model file. Unknown fields, trailing data,
// another format or version, a bad config, a parameter count that does not
// match the network, or non-finite weights are all refused.
func ReadModel(r io.Reader) (*Model, error) {
	// The decoder reads r itself: one buffer of the file's size, and the
	// weights are counted before they are allocated (Floats).
	dec := json.NewDecoder(limitfile.Reader(io.NopCloser(r), "model file", MaxModelBytes))
	dec.DisallowUnknownFields()
	var f modelFile
	if err := dec.Decode(&f); err != nil {
		var tl *limitfile.TooLargeError
		if errors.As(err, &tl) {
			return nil, fmt.Errorf("train: %w", err)
		}
		return nil, fmt.Errorf("train: not a valid model file: %w", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("train: not a valid model file: trailing data after the JSON object")
	}
	if f.Format != ModelFormat {
		return nil, fmt.Errorf("train: not a model file: format %q, want %q", f.Format, ModelFormat)
	}
	// The version comes before anything else in the file is interpreted: a file from a newer
	// build should say so, not fail on whatever field changed meaning.
	if f.Version < 1 || f.Version > ModelVersion {
		return nil, fmt.Errorf("train: model version %d is not supported (this build reads versions 1 to %d)", f.Version, ModelVersion)
	}
	if f.Version == 1 && (f.Config.Schedule != "" || f.Config.Predict != "" || f.Config.PUncond != 0 || f.Config.Net.Classes != 0) {
		return nil, errors.New("train: not a valid model file: version 1 has no schedule, predict, p_uncond or classes")
	}
	act, err := mlp.ParseActivation(f.Config.Net.Activation)
	if err != nil {
		return nil, fmt.Errorf("train: model config: %w", err)
	}
	c := f.Config
	m := &Model{
		Version: ModelVersion, // a version-1 file is a version-2 model with the defaults
		Config: Config{
			Source: c.Source, Target: c.Target, Path: c.Path, Sigma: c.Sigma,
			Schedule: c.Schedule, Predict: c.Predict, PUncond: c.PUncond,
			Coupling: c.Coupling, Teacher: c.Teacher,
			Net:   mlp.Config{Width: c.Net.Width, Depth: c.Net.Depth, Act: act, Fourier: c.Net.Fourier, Classes: c.Net.Classes},
			Batch: c.Batch, LR: c.LR, WeightDecay: c.WeightDecay, Steps: c.Steps, Seed: c.Seed,
		},
		Step:   f.Step,
		Params: f.Params,
	}
	if err := m.Validate(); err != nil {
		return nil, fmt.Errorf("train: %w", err)
	}
	return m, nil
}

// SaveModel writes m to path atomically: a temporary file in the same
// directory is written, synced and renamed over path, so a crash leaves either
// the old file or the new one, never a torn one.
func SaveModel(path string, m *Model) error {
	if err := atomicfile.Write(path, func(w io.Writer) error { return WriteModel(w, m) }); err != nil {
		return fmt.Errorf("train: saving model: %w", err)
	}
	return nil
}

// LoadModel reads and validates the model file at path.
func LoadModel(path string) (*Model, error) {
	f, err := limitfile.Open(path, MaxModelBytes)
	if err != nil {
		return nil, fmt.Errorf("train: %w", err)
	}
	defer f.Close()
	m, err := ReadModel(f)
	if err != nil {
		return nil, fmt.Errorf("%w (in %s)", err, path)
	}
	return m, nil
}

// Floats is a JSON array of float32 that is counted before it is allocated:
// more than MaxParams numbers is refused without making room for them.
type Floats []float32

// UnmarshalJSON implements json.Unmarshaler.
func (f *Floats) UnmarshalJSON(b []byte) error {
	v, err := ParseFloats(b, MaxParams)
	*f = v
	return err
}

// ParseFloats parses the JSON array of numbers b (null: nil), refusing
// more than max numbers before it allocates room for them: the model file
// readers' weights (Floats here, flow/hd's image models).
func ParseFloats(b []byte, max int) ([]float32, error) {
	b = bytes.TrimSpace(b)
	if string(b) == "null" {
		return nil, nil
	}
	if len(b) < 2 || b[0] != '[' || b[len(b)-1] != ']' {
		return nil, errors.New("want an array of numbers")
	}
	body := bytes.TrimSpace(b[1 : len(b)-1])
	if len(body) == 0 {
		return []float32{}, nil
	}
	n := bytes.Count(body, []byte{','}) + 1
	if n > max {
		return nil, fmt.Errorf("%d numbers, more than the %d of the largest network", n, max)
	}
	out := make([]float32, 0, n)
	for len(body) > 0 {
		num := body
		if i := bytes.IndexByte(body, ','); i >= 0 {
			num, body = body[:i], body[i+1:]
		} else {
			body = nil
		}
		num = bytes.TrimSpace(num)
		// JSON numbers only: ParseFloat would also take "Inf", "0x1p3", "1_0".
		if !isJSONNumber(num) {
			return nil, fmt.Errorf("element %d is %.20q, not a number", len(out), num)
		}
		v, err := strconv.ParseFloat(string(num), 32)
		if err != nil {
			return nil, fmt.Errorf("element %d: %w", len(out), err)
		}
		out = append(out, float32(v))
	}
	return out, nil
}

// isJSONNumber reports whether b is a number as JSON spells it:
// -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func isJSONNumber(b []byte) bool {
	i := 0
	digits := func() int {
		j := i
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
		return i - j
	}
	if i < len(b) && b[i] == '-' {
		i++
	}
	if i < len(b) && b[i] == '0' {
		i++
	} else if i >= len(b) || b[i] < '1' || b[i] > '9' || digits() == 0 {
		return false
	}
	if i < len(b) && b[i] == '.' {
		i++
		if digits() == 0 {
			return false
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if digits() == 0 {
			return false
		}
	}
	return i == len(b)
}
