package hd

import (
	"bytes"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/flowviz/flowviz/flow/mlp"
)

func smallModel(t testing.TB) *Model { return smallModelOf(t, 0) }

// smallCondModel is smallModel conditional on the digit.
func smallCondModel(t testing.TB) *Model { return smallModelOf(t, Classes) }

func smallModelOf(t testing.TB, classes int) *Model {
	t.Helper()
	cfg := DefaultConfig()
	cfg.Target = "digits8"
	cfg.Net = mlp.Config{Width: 8, Depth: 1, Classes: classes}
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
	if !strings.HasPrefix(buf.String(), `{"format":"flowviz-hd-model","version":3,"target":"digits8","dim":64,`) {
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
	buf.Reset()
	if err := WriteModel(&buf, smallCondModel(t)); err != nil {
		t.Fatal(err)
	}
	condGood := buf.String()
	cases := map[string]string{
		"2D model":        `{"format":"flowviz-model","version":1}`,
		"newer":           `{"format":"flowviz-hd-model","version":4,"whatever":1}`,
		"v1 with average": strings.Replace(good, `"version":3`, `"version":1`, 1),
		"v2 conditional":  strings.Replace(condGood, `"version":3`, `"version":2`, 1),
		"11 classes":      strings.Replace(condGood, `"classes":10`, `"classes":11`, 1),
		"p_uncond > 1":    strings.Replace(condGood, `"p_uncond":0.1`, `"p_uncond":1.5`, 1),
		"short average":   strings.Replace(good, `"ema_params":[`, `"ema_params":[1,`, 1),
		"unknown field":   strings.Replace(good, `"dim":64`, `"dim":64,"extra":1`, 1),
		"trailing":        good + "{}",
		"wrong dim":       strings.Replace(good, `"dim":64`, `"dim":65`, 1),
		"zero dim":        strings.Replace(good, `"dim":64`, `"dim":0`, 1),
		"unknown target":  strings.Replace(good, `"target":"digits8"`, `"target":"mnist"`, 1),
		"bad activation":  strings.Replace(good, `"silu"`, `"gelu"`, 1),
		"not JSON":        "PK\x03\x04",
	}
	if _, err := ReadModel(strings.NewReader(condGood)); err != nil {
		t.Fatalf("the conditional model itself: %v", err)
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
	buf.Reset()
	if err := WriteModel(&buf, smallCondModel(f)); err != nil {
		f.Fatal(err)
	}
	f.Add(buf.Bytes())
	// Size bombs of version 3: the largest class-conditional network with
	// no weights, and a long run of averaged weights.
	f.Add([]byte(`{"format":"flowviz-hd-model","version":3,"target":"digits","dim":4096,"net":{"width":1024,"depth":16,"activation":"silu","fourier":0,"classes":10},"p_uncond":0.1,"params":[]}`))
	f.Add([]byte(`{"format":"flowviz-hd-model","version":3,"net":{"classes":100},"ema_params":[` + strings.Repeat("1e38,", 1000) + `1]}`))
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

// TestConditionalModelRoundTrip: the classes and the label dropout come
// back, and a version-2 file (written before classes) still reads as an
// unconditional model.
func TestConditionalModelRoundTrip(t *testing.T) {
	m := smallCondModel(t)
	var buf bytes.Buffer
	if err := WriteModel(&buf, m); err != nil {
		t.Fatal(err)
	}
	got, err := ReadModel(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if got.Config != m.Config || !got.Config.Conditional() || got.Config.PUncond != DefaultPUncond {
		t.Errorf("read back %+v, wrote %+v", got.Config, m.Config)
	}
	old := smallModel(t)
	old.Version = 2
	buf.Reset()
	if err := WriteModel(&buf, old); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(buf.String(), "classes") || strings.Contains(buf.String(), "p_uncond") {
		t.Errorf("an unconditional file mentions classes: %.300s", buf.String())
	}
	v2, err := ReadModel(&buf)
	if err != nil || v2.Config.Conditional() {
		t.Fatalf("version 2: %v (conditional %v)", err, v2 != nil && v2.Config.Conditional())
	}
}

// TestNewFromStateContinues: a trainer restored from its model and Adam's
// state goes on from the same weights, average, moments and step count; a
// state of the wrong size is refused.
func TestNewFromStateContinues(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Target, cfg.Net, cfg.Batch = "digits8", mlp.Config{Width: 16, Depth: 1, Classes: Classes}, 16
	cfg.Fresh, cfg.PoolSize = 4, 64
	tr, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	for range 5 {
		if _, err := tr.Step(); err != nil {
			t.Fatal(err)
		}
	}
	tr.Publish()
	m, opt := tr.Latest().Model(), tr.Optimizer()
	back, err := NewFromState(m, &opt)
	if err != nil {
		t.Fatal(err)
	}
	if got := back.Optimizer(); got.Steps != 5 || !slices.Equal(got.M, opt.M) || !slices.Equal(got.V, opt.V) {
		t.Error("the restored optimiser differs")
	}
	if s := back.Latest(); s.Step != 5 || !slices.Equal(s.Params, m.Params) || !slices.Equal(s.Net.Params, m.EMAParams) {
		t.Error("the restored weights or their average differ")
	}
	if _, err := back.Step(); err != nil {
		t.Fatal(err)
	}
	short := opt
	short.M = short.M[:3]
	if _, err := NewFromState(m, &short); err == nil {
		t.Error("moments of the wrong size were accepted")
	}
}
