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
	if !strings.HasPrefix(buf.String(), `{"format":"flowviz-hd-model","version":1,"target":"digits8","dim":64,`) {
		t.Errorf("file starts %.80q", buf.String())
	}
	got, err := ReadModel(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if got.Config != m.Config || got.Step != 1 || !slices.Equal(got.Params, m.Params) {
		t.Errorf("read back %+v, wrote %+v", got.Config, m.Config)
	}
	// A trainer resumes from it at its step.
	tr, err := NewFromModel(got)
	if err != nil || tr.Latest().Step != 1 {
		t.Fatalf("NewFromModel: %v", err)
	}
}

func TestReadModelRefuses(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteModel(&buf, smallModel(t)); err != nil {
		t.Fatal(err)
	}
	good := buf.String()
	cases := map[string]string{
		"2D model":       `{"format":"flowviz-model","version":1}`,
		"newer":          `{"format":"flowviz-hd-model","version":2,"whatever":1}`,
		"unknown field":  strings.Replace(good, `"dim":64`, `"dim":64,"extra":1`, 1),
		"trailing":       good + "{}",
		"wrong dim":      strings.Replace(good, `"dim":64`, `"dim":65`, 1),
		"zero dim":       strings.Replace(good, `"dim":64`, `"dim":0`, 1),
		"unknown target": strings.Replace(good, `"target":"digits8"`, `"target":"mnist"`, 1),
		"bad activation": strings.Replace(good, `"silu"`, `"gelu"`, 1),
		"not JSON":       "PK\x03\x04",
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
