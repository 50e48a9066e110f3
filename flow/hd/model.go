package hd

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"

	"github.com/flowviz/flowviz/flow/atomicfile"
	"github.com/flowviz/flowviz/flow/limitfile"
	"github.com/flowviz/flowviz/flow/mlp"
	"github.com/flowviz/flowviz/flow/train"
)

// Model file identifiers. The 2D tool's files say "flowviz-model"; an
// image model says ModelFormat and records its dimension, so neither reader
// misreads the other's files.
const (
	ModelFormat = "flowviz-hd-model"
	// ModelVersion 3 adds class-conditional networks (net.classes,
	// p_uncond), 2 the averaged weights (ema, ema_params); 1 and 2 are
	// read too.
	ModelVersion = 3
)

// MaxModelBytes bounds what ReadModel and LoadModel read: the largest valid network
// (MaxDim 4096 in and out, width 1024, depth 16) is ~25 M parameters, well
// under 512 MiB of JSON.
const MaxModelBytes = 512 << 20

// ErrOtherFormat reports a JSON file of another format, such as a 2D model.
var ErrOtherFormat = errors.New("hd: not an image model file")

// Model is what an image model file holds.
type Model struct {
	Version int
	Config  Config // Net.Dim is the target's dimension
	Params  []float32
	// EMAParams are the moving average of the weights (Config.EMA > 0),
	// what sampling uses; nil in models trained without it.
	EMAParams []float32
	Step      int
}

// Net wraps the parameters sampling uses (not copied) as a network: the
// averaged weights where the model has them.
func (m *Model) Net() (*mlp.Net, error) {
	if m.EMAParams != nil {
		return mlp.FromParams(m.Config.Net, m.EMAParams)
	}
	return mlp.FromParams(m.Config.Net, m.Params)
}

// Validate checks the version, the config, that the dimension is the
// target's, the parameter count and that every weight is finite.
func (m *Model) Validate() error {
	if m.Version < 1 || m.Version > ModelVersion {
		return fmt.Errorf("hd: model version %d is not supported (this build reads versions 1 to %d)", m.Version, ModelVersion)
	}
	if m.Version < 2 && (m.Config.EMA != 0 || m.EMAParams != nil) {
		return fmt.Errorf("hd: a version-%d model cannot hold averaged weights", m.Version)
	}
	if m.Version < 3 && m.Config.Conditional() {
		return fmt.Errorf("hd: a version-%d model cannot be class-conditional", m.Version)
	}
	if err := m.Config.Validate(); err != nil {
		return fmt.Errorf("hd: model config: %w", err)
	}
	side := Targets[m.Config.Target]
	if m.Config.Net.PointDim() != side*side {
		return fmt.Errorf("hd: model dimension %d, but target %s has %d", m.Config.Net.PointDim(), m.Config.Target, side*side)
	}
	if m.Step < 0 {
		return fmt.Errorf("hd: model step %d is negative", m.Step)
	}
	if want := mlp.NumParams(m.Config.Net); len(m.Params) != want {
		return fmt.Errorf("hd: model has %d parameters, its network needs %d", len(m.Params), want)
	}
	if m.EMAParams != nil && len(m.EMAParams) != len(m.Params) {
		return fmt.Errorf("hd: model has %d averaged parameters, its network needs %d", len(m.EMAParams), len(m.Params))
	}
	for _, ps := range [][]float32{m.Params, m.EMAParams} {
		for i, p := range ps {
			if math.IsNaN(float64(p)) || math.IsInf(float64(p), 0) {
				return fmt.Errorf("hd: model parameter %d is %v", i, p)
			}
		}
	}
	return nil
}

type modelFile struct {
	Format  string  `json:"format"`
	Version int     `json:"version"`
	Target  string  `json:"target"`
	Dim     int     `json:"dim"`
	Net     netFile `json:"net"`
	Batch   int     `json:"batch"`
	LR      float64 `json:"lr"`
	Steps   int     `json:"steps"`
	Seed    uint64  `json:"seed"`
	Fresh   int     `json:"fresh"`
	Pool    int     `json:"pool"`
	Step    int     `json:"step"`
	EMA     float64 `json:"ema,omitempty"`
	// PUncond is the label dropout of a conditional network (version 3).
	PUncond float64 `json:"p_uncond,omitempty"`
	Params  floats  `json:"params"`
	// EMAParams is written after Params; both are counted before they
	// are allocated.
	EMAParams floats `json:"ema_params,omitempty"`
}

// MaxParams is the parameter count of the largest image network a model
// file may hold (MaxDim in and out, width 1024, depth 16: ~25 M).
var MaxParams = mlp.NumParams(mlp.Config{Width: mlp.MaxWidth, Depth: mlp.MaxDepth, Fourier: mlp.MaxFourier, Dim: mlp.MaxDim})

// floats is a JSON array of weights counted before it is allocated, as
// the 2D model files' (train.ParseFloats), up to MaxParams.
type floats []float32

// UnmarshalJSON implements json.Unmarshaler.
func (f *floats) UnmarshalJSON(b []byte) error {
	v, err := train.ParseFloats(b, MaxParams)
	*f = v
	return err
}

type netFile struct {
	Width      int    `json:"width"`
	Depth      int    `json:"depth"`
	Activation string `json:"activation"`
	Fourier    int    `json:"fourier"`
	Classes    int    `json:"classes,omitempty"` // version 3
}

// WriteModel writes m as JSON after validating it.
func WriteModel(w io.Writer, m *Model) error {
	if err := m.Validate(); err != nil {
		return fmt.Errorf("hd: refusing to write an invalid model: %w", err)
	}
	c := m.Config
	b, err := json.Marshal(modelFile{
		Format: ModelFormat, Version: m.Version, Target: c.Target, Dim: c.Net.PointDim(),
		Net:   netFile{Width: c.Net.Width, Depth: c.Net.Depth, Activation: c.Net.Act.String(), Fourier: c.Net.Fourier, Classes: c.Net.Classes},
		Batch: c.Batch, LR: c.LR, Steps: c.Steps, Seed: c.Seed, Fresh: c.Fresh, Pool: c.PoolSize,
		Step: m.Step, EMA: c.EMA, PUncond: pUncond(c), Params: m.Params, EMAParams: m.EMAParams,
	})
	if err != nil {
		return fmt.Errorf("hd: encoding model: %w", err)
	}
	if _, err := w.Write(append(b, '\n')); err != nil {
		return fmt.Errorf("hd: writing model: %w", err)
	}
	return nil
}

// pUncond is the label dropout a file records: only a conditional
// network's, so an unconditional model's file says nothing of classes.
func pUncond(c Config) float64 {
	if c.Conditional() {
		return c.PUncond
	}
	return 0
}

// ReadModel reads and validates an image model file. A JSON file of another
// format (a 2D model) gives an error wrapping ErrOtherFormat; a newer
// version, unknown fields, trailing data or a bad config are refused.
func ReadModel(r io.Reader) (*Model, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxModelBytes+1))
	if err != nil {
		return nil, fmt.Errorf("hd: reading model: %w", err)
	}
	if len(data) > MaxModelBytes {
		return nil, fmt.Errorf("hd: model file larger than %d MiB", MaxModelBytes>>20)
	}
	// The format and version first, leniently, so another format or a newer
	// version says so rather than failing on a field it does not know.
	var head struct {
		Format  string `json:"format"`
		Version int    `json:"version"`
	}
	if err := json.Unmarshal(data, &head); err != nil {
		return nil, fmt.Errorf("hd: not a valid model file: %w", err)
	}
	if head.Format != ModelFormat {
		return nil, fmt.Errorf("%w: format %q, want %q", ErrOtherFormat, head.Format, ModelFormat)
	}
	if head.Version < 1 || head.Version > ModelVersion {
		return nil, fmt.Errorf("hd: model version %d is not supported (this build reads versions 1 to %d)", head.Version, ModelVersion)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var f modelFile
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("hd: not a valid model file: %w", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("hd: not a valid model file: trailing data after the JSON object")
	}
	act, err := mlp.ParseActivation(f.Net.Activation)
	if err != nil {
		return nil, fmt.Errorf("hd: model config: %w", err)
	}
	m := &Model{
		Version: f.Version,
		Config: Config{
			Target: f.Target,
			Net:    mlp.Config{Width: f.Net.Width, Depth: f.Net.Depth, Act: act, Fourier: f.Net.Fourier, Dim: f.Dim, Classes: f.Net.Classes},
			Batch:  f.Batch, LR: f.LR, Steps: f.Steps, Seed: f.Seed,
			Fresh: f.Fresh, PoolSize: f.Pool, EMA: f.EMA, PUncond: f.PUncond,
		},
		Params:    f.Params,
		EMAParams: f.EMAParams,
		Step:      f.Step,
	}
	if f.Dim < 1 {
		return nil, fmt.Errorf("hd: model dimension %d", f.Dim)
	}
	if err := m.Validate(); err != nil {
		return nil, err
	}
	return m, nil
}

// SaveModel writes m to path atomically (a crash leaves the old file or the
// new one).
func SaveModel(path string, m *Model) error {
	if err := atomicfile.Write(path, func(w io.Writer) error { return WriteModel(w, m) }); err != nil {
		return fmt.Errorf("hd: saving model: %w", err)
	}
	return nil
}

// LoadModel reads and validates the image model file at path.
func LoadModel(path string) (*Model, error) {
	// As train.LoadModel: anything but a regular file within the limit is
	// refused before it is read, so a FIFO cannot hang the caller.
	f, err := limitfile.Open(path, MaxModelBytes)
	if err != nil {
		return nil, fmt.Errorf("hd: %w", err)
	}
	defer f.Close()
	m, err := ReadModel(f)
	if err != nil {
		return nil, fmt.Errorf("%w (in %s)", err, path)
	}
	return m, nil
}
