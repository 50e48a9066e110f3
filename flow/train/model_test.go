package train

import (
	"bytes"
	"encoding/json"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/flowviz/flowviz/flow"
	"github.com/flowviz/flowviz/flow/mlp"
)

// tinyModel is a valid model small enough to write out in test tables.
func tinyModel(t testing.TB) *Model {
	t.Helper()
	cfg := DefaultConfig()
	cfg.Net = mlp.Config{Width: 3, Depth: 1, Act: mlp.Tanh}
	net, err := mlp.New(cfg.Net, rand.New(rand.NewPCG(1, 2)))
	if err != nil {
		t.Fatal(err)
	}
	return &Model{Version: ModelVersion, Config: cfg, Params: net.Params, Step: 12}
}

func encode(t testing.TB, m *Model) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := WriteModel(&buf, m); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestModelRoundTrip(t *testing.T) {
	m := tinyModel(t)
	m.Config.Coupling, m.Config.Teacher = CouplingReflow, "teacher.json"
	m.Config.Sigma, m.Config.WeightDecay, m.Config.Seed = 0.25, 1e-4, math.MaxUint64
	m.Params[0] = math.SmallestNonzeroFloat32
	m.Params[1] = math.MaxFloat32
	b := encode(t, m)
	if !bytes.HasPrefix(b, []byte(`{"format":"flowviz-model","version":2,"config":{`)) {
		t.Fatalf("unexpected layout: %.80s", b)
	}
	got, err := ReadModel(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if got.Config != m.Config || got.Step != m.Step || got.Version != m.Version || !slices.Equal(got.Params, m.Params) {
		t.Fatalf("round trip changed the model:\n got %+v\nwant %+v", got, m)
	}
}

func TestReadModelRefusesBadFiles(t *testing.T) {
	good := string(encode(t, tinyModel(t)))
	edit := func(f func(map[string]any)) string {
		var v map[string]any
		if err := json.Unmarshal([]byte(good), &v); err != nil {
			t.Fatal(err)
		}
		f(v)
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	cfgEdit := func(key string, val any) string {
		return edit(func(v map[string]any) { v["config"].(map[string]any)[key] = val })
	}
	tests := []struct {
		name, file, want string
	}{
		{"empty", "", "not a valid model file"},
		{"not json", "hello", "not a valid model file"},
		{"truncated", good[:len(good)/2], "not a valid model file"},
		{"trailing data", good + "{}", "trailing data"},
		{"wrong format", edit(func(v map[string]any) { v["format"] = "pytorch" }), "format"},
		{"no format", edit(func(v map[string]any) { delete(v, "format") }), "format"},
		{"wrong version", edit(func(v map[string]any) { v["version"] = 3 }), "version 3"},
		{"version 0", edit(func(v map[string]any) { v["version"] = 0 }), "version 0"},
		{"version 1 with version-2 fields", edit(func(v map[string]any) { v["version"] = 1 }), "version 1 has no"},
		{"bad schedule", cfgEdit("schedule", "sigmoid"), "schedule"},
		{"bad predict", cfgEdit("predict", "flux"), "prediction target"},
		{"p_uncond above 1", cfgEdit("p_uncond", 2), "p_uncond"},
		{"classes without params", edit(func(v map[string]any) { v["config"].(map[string]any)["net"].(map[string]any)["classes"] = 4 }), "parameters"},
		{"negative classes", edit(func(v map[string]any) { v["config"].(map[string]any)["net"].(map[string]any)["classes"] = -1 }), "classes"},
		{"newer version with other fields", `{"format":"flowviz-model","version":9}`, "version 9 is not supported"},
		{"unknown field", edit(func(v map[string]any) { v["extra"] = 1 }), "unknown field"},
		{"too few params", edit(func(v map[string]any) { v["params"] = v["params"].([]any)[1:] }), "parameters"},
		{"too many params", edit(func(v map[string]any) { v["params"] = append(v["params"].([]any), 0.5) }), "parameters"},
		{"NaN param", strings.Replace(good, `"params":[`, `"params":[NaN,`, 1), "not a valid model file"},
		{"param overflows float32", strings.Replace(good, `"params":[`, `"params":[1e39,`, 1), "not a valid model file"},
		{"string param", strings.Replace(good, `"params":[`, `"params":["x",`, 1), "not a valid model file"},
		{"negative step", edit(func(v map[string]any) { v["step"] = -3 }), "step"},
		{"bad activation", edit(func(v map[string]any) {
			v["config"].(map[string]any)["net"].(map[string]any)["activation"] = "sigmoid"
		}), "activation"},
		{"width 0", edit(func(v map[string]any) { v["config"].(map[string]any)["net"].(map[string]any)["width"] = 0 }), "width"},
		{"huge width", edit(func(v map[string]any) { v["config"].(map[string]any)["net"].(map[string]any)["width"] = 1e9 }), "width"},
		{"bad coupling", cfgEdit("coupling", "magic"), "coupling"},
		{"bad path", cfgEdit("path", "zigzag"), "path"},
		{"zero batch", cfgEdit("batch", 0), "batch"},
		{"negative lr", cfgEdit("lr", -1), "learning rate"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := ReadModel(strings.NewReader(tt.file))
			if err == nil {
				t.Fatalf("accepted: %+v", m)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %q does not mention %q", err, tt.want)
			}
		})
	}
}

func TestWriteModelRefusesInvalid(t *testing.T) {
	m := tinyModel(t)
	m.Params[2] = float32(math.Inf(1))
	if err := WriteModel(&bytes.Buffer{}, m); err == nil {
		t.Fatal("wrote a model with an infinite weight")
	}
}

func TestSaveAndLoadModel(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "model.json")
	m := tinyModel(t)
	if err := SaveModel(path, m); err != nil {
		t.Fatal(err)
	}
	m.Step = 99
	if err := SaveModel(path, m); err != nil { // overwrite in place
		t.Fatal(err)
	}
	got, err := LoadModel(path)
	if err != nil {
		t.Fatal(err)
	}
	if got.Step != 99 {
		t.Fatalf("loaded step %d, want the overwritten 99", got.Step)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 {
		t.Fatalf("temporary files left behind: %v", entries)
	}

	// A model that fails validation leaves the old file untouched.
	m.Params = m.Params[1:]
	if err := SaveModel(path, m); err == nil {
		t.Fatal("saved an invalid model")
	}
	if got, err := LoadModel(path); err != nil || got.Step != 99 {
		t.Fatalf("old file damaged: %v", err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Fatalf("failed save left files: %v", entries)
	}

	if _, err := LoadModel(filepath.Join(dir, "missing.json")); err == nil {
		t.Fatal("loaded a missing file")
	}
	if err := SaveModel(filepath.Join(dir, "no", "such", "dir.json"), tinyModel(t)); err == nil {
		t.Fatal("saved into a missing directory")
	}
}

func TestModelFieldMatchesNetwork(t *testing.T) {
	m := tinyModel(t)
	net, err := m.Net()
	if err != nil {
		t.Fatal(err)
	}
	// More points than one chunk, so the chunk boundary is crossed.
	n := fieldChunk + 37
	rng := rand.New(rand.NewPCG(3, 4))
	x := make([]flow.Vec, n)
	xs := make([]float32, 2*n)
	ts := make([]float32, n)
	for i := range x {
		x[i] = flow.Vec{3 * rng.NormFloat64(), 3 * rng.NormFloat64()}
		xs[2*i], xs[2*i+1] = float32(x[i][0]), float32(x[i][1])
		ts[i] = 0.3
	}
	got := make([]flow.Vec, n)
	m.Field().Velocity(got, x, 0.3)
	want := net.Forward(mlp.NewWorkspace(net.Config, n), xs, ts)
	for i := range got {
		for d := range 2 {
			if diff := math.Abs(got[i][d] - float64(want[2*i+d])); diff > 1e-5*(1+math.Abs(got[i][d])) {
				t.Fatalf("point %d: field %v, Forward %v", i, got[i], want[2*i:2*i+2])
			}
		}
	}
}

func TestSnapshotModel(t *testing.T) {
	tr := newTrainer(t, smallConfig())
	steps(t, tr, 3)
	tr.Publish()
	s := tr.Latest()
	m := s.Model()
	if err := m.Validate(); err != nil {
		t.Fatal(err)
	}
	m.Params[0]++
	if s.Net.Params[0] == m.Params[0] {
		t.Fatal("Snapshot.Model shares its parameters with the snapshot")
	}
	if m.Step != 3 || m.Config != s.Config {
		t.Fatalf("model step %d config %+v", m.Step, m.Config)
	}
}

func FuzzReadModel(f *testing.F) {
	good := encode(f, tinyModel(f))
	f.Add(good)
	f.Add(good[:len(good)-20])
	f.Add(bytes.Replace(good, []byte(`"version":1`), []byte(`"version":7`), 1))
	f.Add(bytes.Replace(good, []byte(`"params":[`), []byte(`"params":[1e40,`), 1))
	f.Add(bytes.Replace(good, []byte(`"width":3`), []byte(`"width":4`), 1))
	f.Add([]byte(`{"format":"flowviz-model","version":1}`))
	f.Add([]byte(`null`))
	// Version 2: a conditional VP score model, the version-1 file, and
	// a class count far beyond any network (a size bomb if trusted).
	cond := tinyModel(f)
	cond.Config.Schedule, cond.Config.Predict, cond.Config.Net.Classes = "vp", "score", 3
	cond.Params = make([]float32, mlp.NumParams(cond.Config.Net))
	f.Add(encode(f, cond))
	if v1, err := os.ReadFile("testdata/model-v1.json"); err == nil {
		f.Add(v1)
	}
	f.Add(bytes.Replace(encode(f, cond), []byte(`"classes":3`), []byte(`"classes":1000000000`), 1))
	f.Add(bytes.Replace(encode(f, cond), []byte(`"schedule":"vp"`), []byte(`"schedule":"ve:min=1e-300,max=1e300"`), 1))
	// Size bombs: a million weights where the config wants a handful, a
	// width beyond any network, numbers JSON does not allow.
	f.Add(bytes.Replace(good, []byte(`"params":[`), []byte(`"params":[`+strings.Repeat("0,", 1_000_000)), 1))
	f.Add(bytes.Replace(good, []byte(`"width":3`), []byte(`"width":1000000000`), 1))
	f.Add(bytes.Replace(good, []byte(`"params":[`), []byte(`"params":[Inf,0x1p3,1_0,`), 1))
	f.Add(bytes.Replace(good, []byte(`"params":[`), []byte(`"params":[[1],"2,3",`), 1))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := ReadModel(bytes.NewReader(b))
		if err != nil {
			return
		}
		// Whatever is accepted is valid, usable and writes back the same.
		if err := m.Validate(); err != nil {
			t.Fatalf("accepted an invalid model: %v", err)
		}
		m.Field().Velocity(make([]flow.Vec, 1), []flow.Vec{{0.5, -0.5}}, 0.5)
		again, err := ReadModel(bytes.NewReader(encode(t, m)))
		if err != nil {
			t.Fatalf("rewritten model refused: %v", err)
		}
		if again.Config != m.Config || !slices.Equal(again.Params, m.Params) || again.Step != m.Step {
			t.Fatal("rewritten model differs")
		}
	})
}

// Issue 15, bug 3: a file larger than the largest model is refused before
// it is read, and a FIFO is refused instead of blocking.
func TestLoadModelRefusesBeforeReading(t *testing.T) {
	dir := t.TempDir()
	sparse := filepath.Join(dir, "sparse.json")
	f, err := os.Create(sparse)
	if err != nil {
		t.Fatal(err)
	}
	f.Truncate(2 << 30)
	f.Close()
	fifo := filepath.Join(dir, "fifo.json")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{sparse: "is 2 GiB, more than the", fifo: "named pipe"} {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		_, err := LoadModel(name)
		runtime.ReadMemStats(&after)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want %q", filepath.Base(name), err, want)
		}
		if a := after.TotalAlloc - before.TotalAlloc; a > 1<<20 {
			t.Errorf("%s: %d bytes allocated before refusing", filepath.Base(name), a)
		}
	}
}

// A model of zeros within the byte limit but with more weights than any
// network is refused by its count, before the weights are allocated: what
// is allocated stays near the file's size (it was 11× before).
func TestReadModelCountsWeightsBeforeAllocating(t *testing.T) {
	n := MaxParams + 1
	var b bytes.Buffer
	b.WriteString(`{"format":"flowviz-model","version":1,"config":{},"step":0,"params":[`)
	b.Write(bytes.Repeat([]byte("0,"), n-1))
	b.WriteString("0]}")
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err := ReadModel(&b)
	runtime.ReadMemStats(&after)
	if err == nil || !strings.Contains(err.Error(), "more than the") {
		t.Fatalf("err %v", err)
	}
	size := uint64(2 * n)
	if a := after.TotalAlloc - before.TotalAlloc; a > 3*size {
		t.Errorf("%d MB allocated for a %d MB file", a>>20, size>>20)
	}
}

// The limits agree: the largest network the format allows, with every
// weight at its longest, fits in MaxModelBytes.
func TestLargestModelFitsTheLimit(t *testing.T) {
	if got := len(strconv.AppendFloat(nil, -1.1754944e-38, 'g', -1, 32)) + 1; got > MaxFloatBytes {
		t.Fatalf("a float32 takes %d bytes, MaxFloatBytes is %d", got, MaxFloatBytes)
	}
	if MaxParams < 15_000_000 || int64(MaxParams)*MaxFloatBytes >= MaxModelBytes {
		t.Fatalf("MaxParams %d, MaxModelBytes %d", MaxParams, MaxModelBytes)
	}
}

func TestParseFloatsCountsFirst(t *testing.T) {
	for _, tc := range []struct {
		in   string
		max  int
		want int // numbers read; -1 for an error
	}{
		{"[1, 2, 3]", 3, 3},
		{"[1, 2, 3, 4]", 3, -1},
		{"[]", 0, 0},
		{"null", 0, 0},
		{"[1, NaN]", 5, -1},
		{"{}", 5, -1},
	} {
		got, err := ParseFloats([]byte(tc.in), tc.max)
		if (err != nil) != (tc.want < 0) || (err == nil && len(got) != tc.want) {
			t.Errorf("ParseFloats(%q, %d) = %v, %v", tc.in, tc.max, got, err)
		}
	}
}
