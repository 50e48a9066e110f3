package hd

import (
	"bytes"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/flowviz/flowviz/flow/mlp"
)

func smallModel(t testing.TB) *Model {
	t.Helper()
	cfg := DefaultConfig()
	cfg.Target = "digits8"
	cfg.Net = mlp.Config{Width: 8, Depth: 1}
	tr, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tr.Step(); err != nil {
		t.Fatal(err)
	}
	tr.Publish()
	return tr.Latest().Model()
}

func TestModelRoundTrip(t *testing.T) {
	m := smallModel(t)
	var buf bytes.Buffer
	if err := WriteModel(&buf, m); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(buf.String(), `{"format":"flowviz-hd-model","version":2,"target":"digits8","dim":64,`) {
		t.Errorf("file starts %.80q", buf.String())
	}
	got, err := ReadModel(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if got.Config != m.Config || got.Step != 1 || !slices.Equal(got.Params, m.Params) || !slices.Equal(got.EMAParams, m.EMAParams) {
		t.Errorf("read back %+v, wrote %+v", got.Config, m.Config)
	}
	if m.EMAParams == nil || slices.Equal(m.Params, m.EMAParams) {
		t.Error("the default config keeps no moving average apart from the weights")
	}
	// A trainer resumes from it at its step, weights and average both.
	tr, err := NewFromModel(got)
	if err != nil || tr.Latest().Step != 1 {
		t.Fatalf("NewFromModel: %v", err)
	}
	if back := tr.Latest().Model(); !slices.Equal(back.Params, m.Params) || !slices.Equal(back.EMAParams, m.EMAParams) {
		t.Error("the resumed trainer lost the weights or their average")
	}
	// Sampling uses the average.
	if net, _ := got.Net(); &net.Params[0] != &got.EMAParams[0] {
		t.Error("Model.Net does not wrap the averaged weights")
	}
}

// TestReadModelVersion1: files written before the moving average read as
// models without one.
func TestReadModelVersion1(t *testing.T) {
	m := smallModel(t)
	m.Version, m.Config.EMA, m.EMAParams = 1, 0, nil
	var buf bytes.Buffer
	if err := WriteModel(&buf, m); err != nil {
		t.Fatal(err)
	}
	got, err := ReadModel(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if net, _ := got.Net(); got.EMAParams != nil || !slices.Equal(net.Params, m.Params) {
		t.Error("a version-1 model does not sample its weights")
	}
}

// TestEMAFollowsTheWeights: the average starts at the weights and stays a
// convex combination of the weights seen: between their extremes.
func TestEMAFollowsTheWeights(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Target, cfg.Net, cfg.Batch = "digits8", mlp.Config{Width: 8, Depth: 1}, 16
	cfg.Fresh, cfg.PoolSize = 4, 64
	tr, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	first := tr.Latest()
	if !slices.Equal(first.Net.Params, first.Params) {
		t.Fatal("at step 0 the average is not the weights")
	}
	lo, hi := slices.Clone(first.Params), slices.Clone(first.Params)
	for range 30 {
		if _, err := tr.Step(); err != nil {
			t.Fatal(err)
		}
		for i, p := range tr.net.Params {
			lo[i], hi[i] = min(lo[i], p), max(hi[i], p)
		}
	}
	tr.Publish()
	s := tr.Latest()
	moved := 0
	for i, a := range s.Net.Params {
		if a < lo[i]-1e-6 || a > hi[i]+1e-6 {
			t.Fatalf("average %d = %v outside the weights' range [%v, %v]", i, a, lo[i], hi[i])
		}
		if a != s.Params[i] {
			moved++
		}
	}
	if moved == 0 {
		t.Error("after 30 steps the average equals the weights")
	}
}

func TestReadModelRefuses(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteModel(&buf, smallModel(t)); err != nil {
		t.Fatal(err)
	}
	good := buf.String()
	cases := map[string]string{
		"2D model":        `{"format":"flowviz-model","version":1}`,
		"newer":           `{"format":"flowviz-hd-model","version":3,"whatever":1}`,
		"v1 with average": strings.Replace(good, `"version":2`, `"version":1`, 1),
		"short average":   strings.Replace(good, `"ema_params":[`, `"ema_params":[1,`, 1),
		"unknown field":   strings.Replace(good, `"dim":64`, `"dim":64,"extra":1`, 1),
		"trailing":        good + "{}",
		"wrong dim":       strings.Replace(good, `"dim":64`, `"dim":65`, 1),
		"zero dim":        strings.Replace(good, `"dim":64`, `"dim":0`, 1),
		"unknown target":  strings.Replace(good, `"target":"digits8"`, `"target":"mnist"`, 1),
		"bad activation":  strings.Replace(good, `"silu"`, `"gelu"`, 1),
		"not JSON":        "PK\x03\x04",
	}
	for name, body := range cases {
		_, err := ReadModel(strings.NewReader(body))
		if err == nil {
			t.Errorf("%s: accepted", name)
		}
		if name == "2D model" && !errors.Is(err, ErrOtherFormat) {
			t.Errorf("2D model: %v, want ErrOtherFormat", err)
		}
	}
}

// FuzzReadModel: no input makes ReadModel panic, and whatever it accepts
// validates and writes back.
func FuzzReadModel(f *testing.F) {
	var buf bytes.Buffer
	if err := WriteModel(&buf, smallModel(f)); err != nil {
		f.Fatal(err)
	}
	f.Add(buf.Bytes())
	f.Add([]byte(`{"format":"flowviz-hd-model","version":1,"target":"digits","dim":4096,"net":{"width":1024,"depth":16,"activation":"silu","fourier":0},"params":[]}`))
	f.Add([]byte(`{"format":"flowviz-hd-model","version":1,"params":[` + strings.Repeat("1e38,", 1000) + `1]}`))
	f.Add([]byte(`{"format":"flowviz-hd-model","version":1,"dim":-1}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := ReadModel(bytes.NewReader(b))
		if err != nil {
			return
		}
		if err := m.Validate(); err != nil {
			t.Fatalf("accepted an invalid model: %v", err)
		}
		if err := WriteModel(&bytes.Buffer{}, m); err != nil {
			t.Fatal(err)
		}
	})
}
