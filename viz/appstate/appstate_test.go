package appstate

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/flowviz/flowviz/flow"
)

func TestPercentile(t *testing.T) {
	s := []float64{1, 2, 3, 4, 5}
	tests := []struct{ q, want float64 }{
		{0, 1}, {1, 5}, {0.5, 3}, {0.25, 2}, {0.1, 1.4}, {-1, 1}, {2, 5},
	}
	for _, tc := range tests {
		if got := Percentile(s, tc.q); math.Abs(got-tc.want) > 1e-12 {
			t.Errorf("Percentile(%v) = %v, want %v", tc.q, got, tc.want)
		}
	}
	if !math.IsNaN(Percentile(nil, 0.5)) {
		t.Errorf("empty percentile not NaN")
	}
}

func TestSummarizeSkipsNonFinite(t *testing.T) {
	pts := []flow.Vec{{0, 10}, {1, 20}, {2, 30}, {math.NaN(), 0}, {0, math.Inf(1)}}
	p, _ := Summarize(pts, nil)
	if p.N != 3 {
		t.Fatalf("N = %d, want 3", p.N)
	}
	if p.Mean != [2]float64{1, 20} || p.P50 != [2]float64{1, 20} {
		t.Errorf("mean %v median %v", p.Mean, p.P50)
	}
	if math.Abs(p.P95[1]-29) > 1e-12 || math.Abs(p.P05[0]-0.1) > 1e-12 {
		t.Errorf("p95 %v p05 %v", p.P95, p.P05)
	}
	empty, _ := Summarize(nil, nil)
	if empty.N != 0 || empty.Mean != [2]float64{} {
		t.Errorf("empty summary %+v", empty)
	}
}

func TestRoundTrip(t *testing.T) {
	s := &State{
		Window:   Size{1280, 800},
		Timeline: Timeline{K: 3, N: 50, T: 0.06, Exact: true, Playing: true, Mode: "loop", Speed: 1},
		Training: Training{Step: 1234, Loss: math.NaN(), State: "failed", Err: "diverged"},
		Layers:   Layers{Field: true, Particles: true},
		Target:   "moons",
		Final:    Points{N: 2, Mean: [2]float64{0.5, 0.25}},
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "state.json")
	if err := WriteFile(path, s); err != nil {
		t.Fatal(err)
	}
	got, err := ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if got.Timeline != s.Timeline || got.Layers != s.Layers || got.Target != "moons" || got.Final != s.Final {
		t.Errorf("round trip changed the state: %+v", got)
	}
	if got.Training.Loss != -math.MaxFloat64 || got.Training.Err != "diverged" {
		t.Errorf("NaN loss written as %v", got.Training.Loss)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("temporary files left behind: %v", entries)
	}
}

func TestReadRefusesBadFiles(t *testing.T) {
	var ok bytes.Buffer
	if err := Write(&ok, &State{}); err != nil {
		t.Fatal(err)
	}
	tests := []struct{ name, text string }{
		{"empty", ""},
		{"not json", "hello"},
		{"old version", `{"version": 0}`},
		{"unknown field", `{"version": 1, "bogus": 3}`},
		{"trailing", ok.String() + "{}"},
	}
	for _, tc := range tests {
		if _, err := Read(strings.NewReader(tc.text)); err == nil {
			t.Errorf("%s: accepted", tc.name)
		}
	}
	if _, err := Read(bytes.NewReader(ok.Bytes())); err != nil {
		t.Errorf("good file refused: %v", err)
	}
}

func FuzzRead(f *testing.F) {
	var ok bytes.Buffer
	Write(&ok, &State{Window: Size{3, 4}, Status: "x"})
	f.Add(ok.Bytes())
	f.Add([]byte(`{"version":1,"timeline":{"k":-1}}`))
	f.Add([]byte(`[]`))
	// Size bomb: more than the 1 MiB Read takes.
	f.Add([]byte(`{"version":1,"status":"` + strings.Repeat("x", 1<<20) + `"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := Read(bytes.NewReader(data))
		if err != nil {
			return
		}
		// What was accepted must survive a write and a second read.
		var buf bytes.Buffer
		if err := Write(&buf, s); err != nil {
			t.Fatalf("write of accepted state: %v", err)
		}
		if _, err := Read(&buf); err != nil {
			t.Fatalf("re-read failed: %v", err)
		}
	})
}

func BenchmarkSummarize50k(b *testing.B) {
	pts := make([]flow.Vec, 50000)
	for i := range pts {
		pts[i] = flow.Vec{math.Sin(float64(i)), math.Cos(float64(i) * 1.3)}
	}
	var scratch []float64
	for b.Loop() {
		_, scratch = Summarize(pts, scratch)
	}
}
