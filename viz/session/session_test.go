package session

import (
	"bytes"
	"errors"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/flowviz/flowviz/flow"
	"github.com/flowviz/flowviz/flow/atomicfile"
	"github.com/flowviz/flowviz/flow/data"
	"github.com/flowviz/flowviz/flow/mlp"
	"github.com/flowviz/flowviz/flow/train"
	"github.com/flowviz/flowviz/viz/scene"
	"github.com/flowviz/flowviz/viz/storage"
)

// testSession is a trained-looking session with a drawn target.
func testSession(t testing.TB) *Session {
	t.Helper()
	cfg := train.DefaultConfig()
	cfg.Net = mlp.Config{Width: 8, Depth: 2, Act: mlp.SiLU}
	tr, err := train.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	for range 5 {
		if _, err := tr.Step(); err != nil {
			t.Fatal(err)
		}
	}
	st := tr.CurrentState()
	set := scene.DefaultSettings()
	set.Target = "drawing(n=3)"
	set.Width, set.Depth = 8, 2
	return &Session{
		Settings: set,
		Source:   FromDist(st.Source),
		Target:   Data{Points: []flow.Vec{{0, 1}, {-0.25, 2e-7}, {3, -4}}, Jitter: 0.05, Name: "drawing"},
		Model:    st.Model, Optimizer: &st.Optimizer, BatchRNG: st.BatchRNG,
		View: View{
			CenterX: 0.5, CenterY: -1.25, Zoom: 87.5,
			Layers: Layers{Field: true, Particles: true, Trajectories: true},
			T:      0.375, Playing: false, Speed: 2, Mode: 1,
		},
		Lesson: "",
	}
}

func TestRoundTrip(t *testing.T) {
	s := testSession(t)
	path := filepath.Join(t.TempDir(), "dir", "s.flowviz")
	if err := Save(path, s); err != nil {
		t.Fatal(err)
	}
	got, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, s) {
		t.Fatalf("round trip changed the session:\n got %+v\nwant %+v", got, s)
	}
	// Saving what was loaded gives the same bytes: nothing drifts over
	// repeated save/load cycles.
	var a, b bytes.Buffer
	if err := Write(&a, s); err != nil {
		t.Fatal(err)
	}
	if err := Write(&b, got); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Fatal("a loaded session writes different bytes")
	}
}

func TestRoundTripWithoutWeights(t *testing.T) {
	s := testSession(t)
	s.Model, s.Optimizer, s.BatchRNG = nil, nil, nil
	s.Target = Data{Name: "drawing"} // a drawing not begun
	var b bytes.Buffer
	if err := Write(&b, s); err != nil {
		t.Fatal(err)
	}
	got, err := Read(&b)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, s) {
		t.Fatalf("got %+v\nwant %+v", got, s)
	}
	d, err := got.Target.Dist()
	if err != nil || !train.IsEmpty(d) {
		t.Fatalf("empty drawing came back as %v, %v", d, err)
	}
}

func TestFromDist(t *testing.T) {
	moons, _ := data.Parse("moons:noise=0.1")
	text, err := data.Text("Hi", data.MaskOptions{})
	if err != nil {
		t.Fatal(err)
	}
	set, _ := data.NewPointSet("a.csv", []flow.Vec{{1, 2}}, 0.5)
	tests := []struct {
		d          data.Dist
		spec       string
		wantPoints int
	}{
		{moons, moons.String(), 0},
		{set, "", 1},
		{text, "", imagePoints},
	}
	for _, tc := range tests {
		got := FromDist(tc.d)
		if got.Spec != tc.spec || len(got.Points) != tc.wantPoints {
			t.Errorf("FromDist(%v) = spec %q with %d points, want %q with %d", tc.d, got.Spec, len(got.Points), tc.spec, tc.wantPoints)
		}
		back, err := got.Dist()
		if err != nil {
			t.Errorf("Dist of %v: %v", tc.d, err)
			continue
		}
		if tc.spec != "" && back.String() != tc.d.String() {
			t.Errorf("%v came back as %v", tc.d, back)
		}
	}
}

// encoded returns s as a generic JSON tree for tests to spoil.
func encoded(t *testing.T, s *Session) string {
	var b bytes.Buffer
	if err := Write(&b, s); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func TestReadRefusesBadFiles(t *testing.T) {
	good := encoded(t, testSession(t))
	huge := strings.Replace(good, `"points":[`, `"points":[`+strings.Repeat("[1,2],", MaxPoints), 1)
	tests := []struct {
		name, file, want string
	}{
		{"empty", "", "empty"},
		{"truncated", good[:len(good)/2], "damaged or truncated"},
		{"not json", "PNG\x89", "damaged or truncated"},
		{"other format", strings.Replace(good, Format, "flowviz-model", 1), "not a session file"},
		{"newer version", strings.Replace(good, `"version":3`, `"version":4`, 1), "version 4 is not supported"},
		{"version 1 with version-2 fields", strings.Replace(strings.Replace(good, `"version":3`, `"version":1`, 1), `"trails":`, `"schedule":"vp","trails":`, 1), "version-2 fields"},
		{"trailing", good + "{}", "invalid character"},
		{"unknown field", strings.Replace(good, `"lesson":`, `"bogus":1,"lesson":`, 1), "unknown field"},
		{"nan", strings.Replace(good, `"zoom":87.5`, `"zoom":NaN`, 1), "invalid character"},
		{"overflow", strings.Replace(good, `"zoom":87.5`, `"zoom":1e999`, 1), "cannot unmarshal"},
		{"zero zoom", strings.Replace(good, `"zoom":87.5`, `"zoom":0`, 1), "zoom"},
		{"t beyond 1", strings.Replace(good, `"t":0.375`, `"t":1.5`, 1), "t = 1.5"},
		{"huge particles", strings.Replace(good, `"particles":4000`, `"particles":4000000000`, 1), "particles"},
		{"huge point count", huge, "points, more than"},
		{"wrong shape moments", strings.Replace(good, `"m":[`, `"m":[0,`, 1), "moments"},
		{"moments without weights", cutModel(good), "optimizer state without weights"},
		{"batch stream without weights", good[:strings.Index(good, `"model":`)] + good[strings.Index(good, `"batch_rng":`):], "batch random state without weights"},
		{"short batch stream", batchRNG.ReplaceAllString(good, `"batch_rng":"AAAA"`), "batch random state of 3 bytes, want 40"},
		{"empty batch stream", batchRNG.ReplaceAllString(good, `"batch_rng":""`), "batch random state of 0 bytes"},
		{"foreign batch stream", batchRNG.ReplaceAllString(good, `"batch_rng":"eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eA=="`), "not a PCG state"},
		{"point of 3 coords", strings.Replace(good, `[0,1]`, `[0,1,2]`, 1), "3 coordinates"},
		{"file spec", strings.Replace(good, `"spec":"gaussian`, `"spec":"/etc/passwd.csv`, 1), "unknown distribution"},
		{"negative lr", strings.Replace(good, `"lr":0.001`, `"lr":-1`, 1), "learning rate"},
		// Issue 15, bugs 6 and 8: one set of limits, named in the message.
		{"settings disagree with weights", strings.Replace(good, `"width":8,"depth":2,"act"`, `"width":64,"depth":3,"act"`, 1),
			"the settings ask for a width-64 depth-3 silu network, the weights are of a width-8 depth-2"},
		{"network too large to keep", strings.Replace(good, `"width":8,"depth":2,"act"`, `"width":1024,"depth":16,"act"`, 1),
			"more than the 2.5 M a session can keep"},
		{"point beyond the coordinate limit", strings.Replace(good, `[3,-4]`, `[3e6,-4]`, 1), "beyond ±1e+06"},
		{"more points than a drawing", huge, "points, more than the 50000 a drawing holds"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Read(strings.NewReader(tc.file))
			if err == nil {
				t.Fatal("accepted")
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %q does not say %q", err, tc.want)
			}
		})
	}
}

var batchRNG = regexp.MustCompile(`"batch_rng":"[^"]*"`)

func cutModel(file string) string {
	i := strings.Index(file, `"model":`)
	j := strings.Index(file, `"optimizer":`)
	return file[:i] + file[j:]
}

// An interrupted save — the writer fails halfway — leaves the old file.
func TestFailedSaveKeepsOldFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.flowviz")
	old := testSession(t)
	if err := Save(path, old); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(path)
	newer := testSession(t)
	newer.Lesson = "changed"
	full := encoded(t, newer)
	boom := errors.New("disk full")
	err := atomicfile.Write(path, func(w io.Writer) error {
		io.WriteString(w, full[:len(full)/2])
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v", err)
	}
	after, _ := os.ReadFile(path)
	if !bytes.Equal(before, after) {
		t.Fatal("the old file changed")
	}
	if _, err := Load(path); err != nil {
		t.Fatal(err)
	}
	if left, _ := filepath.Glob(filepath.Join(filepath.Dir(path), ".*tmp*")); len(left) > 0 {
		t.Fatalf("temporary files left: %v", left)
	}
}

// A process killed at random moments while it saves over and over never
// leaves a file that fails to load.
func TestKilledSaveNeverTearsFile(t *testing.T) {
	if path := os.Getenv("FLOWVIZ_SESSION_SAVE_LOOP"); path != "" {
		s := testSession(t)
		// A large drawing makes each save take long enough to be killed inside.
		s.Target.Points = make([]flow.Vec, MaxPoints)
		for i := range s.Target.Points {
			s.Target.Points[i] = flow.Vec{math.Sin(float64(i)), float64(i) / 1000}
		}
		for i := 0; ; i++ {
			s.Lesson = strings.Repeat("x", i%200)
			if err := Save(path, s); err != nil {
				t.Fatal(err)
			}
		}
	}
	path := filepath.Join(t.TempDir(), "s.flowviz")
	if err := Save(path, testSession(t)); err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		cmd := exec.Command(os.Args[0], "-test.run=^TestKilledSaveNeverTearsFile$")
		cmd.Env = append(os.Environ(), "FLOWVIZ_SESSION_SAVE_LOOP="+path)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Duration(250+97*i) * time.Millisecond)
		cmd.Process.Kill()
		cmd.Wait()
		if _, err := Load(path); err != nil {
			t.Fatalf("after kill %d: %v", i, err)
		}
	}
}

func FuzzRead(f *testing.F) {
	var b bytes.Buffer
	s := &Session{
		Settings: scene.DefaultSettings(),
		Source:   Data{Spec: "gaussian"},
		Target:   Data{Points: []flow.Vec{{1, 2}, {3, 4}}},
		View:     View{Zoom: 50, Speed: 1, Layers: Layers{Particles: true}},
	}
	if err := Write(&b, s); err != nil {
		f.Fatal(err)
	}
	f.Add(b.Bytes())
	var trained bytes.Buffer // with weights, moments and the batch stream
	if err := Write(&trained, testSession(f)); err != nil {
		f.Fatal(err)
	}
	f.Add(trained.Bytes())
	var compared bytes.Buffer // compare mode's second pane too
	if err := Write(&compared, comparedSession(f)); err != nil {
		f.Fatal(err)
	}
	f.Add(compared.Bytes())
	var images bytes.Buffer // the image view's model too
	if err := Write(&images, imageSession(f)); err != nil {
		f.Fatal(err)
	}
	f.Add(images.Bytes())
	// Size bombs of the image part: weights of the largest image network
	// a model file names, moments longer than any network the session keeps.
	f.Add([]byte(`{"format":"flowviz-session","version":3,"images":{"model":{"format":"flowviz-hd-model","version":3,"target":"digits","dim":4096,"net":{"width":1024,"depth":16,"activation":"silu","fourier":0,"classes":10},"params":[` + strings.Repeat("0,", 1<<16) + `0]},"cell":0}}`))
	f.Add([]byte(`{"format":"flowviz-session","version":3,"images":{"model":{},"optimizer":{"m":[` + strings.Repeat("0,", 1<<20) + `0],"v":[],"steps":1},"cell":0}}`))
	f.Add([]byte(`{"format":"flowviz-session","version":1}`))
	f.Add([]byte(`{"format":"flowviz-session","version":2,"target":{"points":[[1,2],[3,4]],"labels":[0,7]}}`))
	f.Add([]byte(`{"format":"flowviz-session","version":2,"target":{"points":[[1,2]],"labels":[` + strings.Repeat("1,", MaxPoints) + `1]}}`))
	f.Add([]byte(`{"format":"flowviz-session","version":1,"target":{"points":[[1e308,-1e308]]}}`))
	// Size bombs: more points than a drawing holds, moments longer than any
	// network, a network the app cannot keep.
	f.Add([]byte(`{"format":"flowviz-session","version":1,"target":{"points":[` + strings.Repeat("[1,2],", MaxPoints) + `[0,0]]}}`))
	f.Add([]byte(`{"format":"flowviz-session","version":1,"optimizer":{"m":[` + strings.Repeat("0,", 1<<20) + `0],"v":[],"steps":1}}`))
	f.Add(bytes.Replace(b.Bytes(), []byte(`"width":64`), []byte(`"width":1024,"depth":16,"x":`), 1))
	f.Fuzz(func(t *testing.T, in []byte) {
		s, err := Read(bytes.NewReader(in))
		if err != nil {
			return
		}
		// Whatever is accepted is valid, writes back and reads back the same.
		var out bytes.Buffer
		if err := Write(&out, s); err != nil {
			t.Fatalf("accepted session does not write: %v", err)
		}
		again, err := Read(&out)
		if err != nil {
			t.Fatalf("written session does not read: %v", err)
		}
		if !reflect.DeepEqual(again, s) {
			t.Fatal("read → write → read changed the session")
		}
		for _, d := range []Data{s.Source, s.Target} {
			if _, err := d.Dist(); err != nil && d.Spec == "" {
				t.Fatalf("accepted points give no distribution: %v", err)
			}
		}
	})
}

// BenchmarkSave writes a session of the app's default network (64×3, with
// Adam's moments) and a 6,000-point drawing, atomically.
func BenchmarkSave(b *testing.B) {
	s := benchSession(b)
	path := filepath.Join(b.TempDir(), "s.flowviz")
	for b.Loop() {
		if err := Save(path, s); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLoad reads and validates that session.
func BenchmarkLoad(b *testing.B) {
	path := filepath.Join(b.TempDir(), "s.flowviz")
	if err := Save(path, benchSession(b)); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := Load(path); err != nil {
			b.Fatal(err)
		}
	}
}

func benchSession(b *testing.B) *Session {
	tr, err := train.New(train.DefaultConfig())
	if err != nil {
		b.Fatal(err)
	}
	st := tr.CurrentState()
	s := testSession(b)
	s.Model, s.Optimizer = st.Model, &st.Optimizer
	s.Target.Points = make([]flow.Vec, 6000)
	for i := range s.Target.Points {
		s.Target.Points[i] = flow.Vec{math.Cos(float64(i)), math.Sin(float64(i))}
	}
	return s
}

// A session saved mid-run and opened again continues bit for bit as the run
// left alone (weights, Adam's moments and the batch stream are all in the
// file); a file without the stream, as older builds wrote, still opens.
func TestSessionContinuesBitExact(t *testing.T) {
	cfg := train.DefaultConfig()
	cfg.Net = mlp.Config{Width: 8, Depth: 2, Act: mlp.SiLU}
	cfg.Batch = 32
	stepN := func(tr *train.Trainer, n int) {
		t.Helper()
		for range n {
			if _, err := tr.Step(); err != nil {
				t.Fatal(err)
			}
		}
	}
	whole, err := train.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	stepN(whole, 20)

	half, err := train.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	stepN(half, 12)
	st := half.CurrentState()
	s := testSession(t)
	s.Source, s.Target = FromDist(st.Source), FromDist(st.Target)
	s.Model, s.Optimizer, s.BatchRNG = st.Model, &st.Optimizer, st.BatchRNG
	path := filepath.Join(t.TempDir(), "s.flowviz")
	if err := Save(path, s); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name     string
		dropRNG  bool
		bitExact bool
	}{{"with the batch stream", false, true}, {"an older file without it", true, false}} {
		t.Run(tc.name, func(t *testing.T) {
			back, err := Load(path)
			if err != nil {
				t.Fatal(err)
			}
			if tc.dropRNG {
				back.BatchRNG = nil
				var b bytes.Buffer
				if err := Write(&b, back); err != nil {
					t.Fatal(err)
				}
				if strings.Contains(b.String(), "batch_rng") {
					t.Fatal("a session without the stream still writes batch_rng")
				}
				if back, err = Read(&b); err != nil {
					t.Fatal(err)
				}
			}
			src, err := back.Source.Dist()
			if err != nil {
				t.Fatal(err)
			}
			tgt, err := back.Target.Dist()
			if err != nil {
				t.Fatal(err)
			}
			tr, err := train.NewFromState(&train.SavedState{
				Model: back.Model, Optimizer: *back.Optimizer, BatchRNG: back.BatchRNG, Source: src, Target: tgt,
			})
			if err != nil {
				t.Fatal(err)
			}
			stepN(tr, 8)
			got, want := tr.CurrentState().Model.Params, whole.CurrentState().Model.Params
			if same := reflect.DeepEqual(got, want); same != tc.bitExact {
				t.Errorf("weights after 12 + 8 steps equal to 20 uninterrupted steps: %v, want %v", same, tc.bitExact)
			}
		})
	}
}

// comparedSession is testSession in compare mode: pane B trained on its own
// with minibatch OT.
func comparedSession(t testing.TB) *Session {
	t.Helper()
	s := testSession(t)
	cfg := train.DefaultConfig()
	cfg.Net = mlp.Config{Width: 16, Depth: 2, Act: mlp.SiLU}
	cfg.Coupling = "ot"
	tr, err := train.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if _, err := tr.Step(); err != nil {
			t.Fatal(err)
		}
	}
	st := tr.CurrentState()
	b := s.Settings
	b.Coupling, b.Width = "ot", 16
	s.Compare = &Compared{Spec: "coupling=ot,width=16", Focus: 1, Settings: b, Model: st.Model, Optimizer: &st.Optimizer, BatchRNG: st.BatchRNG}
	return s
}

func TestRoundTripCompare(t *testing.T) {
	s := comparedSession(t)
	var buf bytes.Buffer
	if err := Write(&buf, s); err != nil {
		t.Fatal(err)
	}
	got, err := Read(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, s) {
		t.Fatalf("round trip changed compare mode:\n got %+v\nwant %+v", got.Compare, s.Compare)
	}
	// B's state is checked as A's is: moments of the wrong size are refused.
	bad := comparedSession(t)
	bad.Compare.Optimizer.M = bad.Compare.Optimizer.M[:3]
	if err := Write(&buf, bad); err == nil || !strings.Contains(err.Error(), "compare") {
		t.Fatalf("B with torn moments: %v", err)
	}
}

// Issue 15, bug 3: a session of 5 million points reached 947 MB before it
// was refused. The points are counted before they are allocated (here 20×
// the limit, so that the test stays quick under -race).
func TestReadCountsPointsBeforeAllocating(t *testing.T) {
	var b bytes.Buffer
	b.WriteString(`{"format":"flowviz-session","version":1,"target":{"points":[`)
	b.WriteString(strings.Repeat("[1,2],", 20*MaxPoints))
	b.WriteString(`[0,0]]}}`)
	size := uint64(b.Len())
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err := Read(&b)
	runtime.ReadMemStats(&after)
	if err == nil || !strings.Contains(err.Error(), "1000001 points, more than the 50000 a drawing holds") {
		t.Fatalf("err %v", err)
	}
	// The file itself is read and scanned (a few copies as buffers grow);
	// the points, 34 bytes each as [][]float64, are never made.
	if a := after.TotalAlloc - before.TotalAlloc; a > 10*size {
		t.Errorf("%d MB allocated for a %d MB file", a>>20, size>>20)
	}
}

// A session file larger than MaxBytes, or not a regular file, is refused
// before it is read.
func TestLoadRefusesBeforeReading(t *testing.T) {
	dir := t.TempDir()
	big := filepath.Join(dir, "big.flowviz")
	f, err := os.Create(big)
	if err != nil {
		t.Fatal(err)
	}
	f.Truncate(2 << 30)
	f.Close()
	fifo := filepath.Join(dir, "fifo.flowviz")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{big: "is 2 GiB, more than the " + storage.Bytes(MaxBytes) + " limit", fifo: "named pipe"} {
		done := make(chan error, 1)
		go func() { _, err := Load(name); done <- err }()
		select {
		case err := <-done:
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("%s: %v, want %q", filepath.Base(name), err, want)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("%s: Load blocked", filepath.Base(name))
		}
	}
}

// The limits agree: the largest network the app keeps, with weights and
// moments at their longest, and two full drawings at the coordinate limit,
// make a file Write accepts and Read reads back.
func TestLargestSessionFits(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("writes a 100 MB session")
	}
	net := mlp.Config{Width: 512, Depth: 10, Act: mlp.SiLU}
	if err := CheckNet(net); err != nil {
		t.Fatal(err)
	}
	if err := CheckNet(mlp.Config{Width: 512, Depth: 11}); err == nil {
		t.Fatal("width 512 depth 11 passes CheckNet")
	}
	cfg := train.DefaultConfig()
	cfg.Net = net
	n := mlp.NumParams(net)
	longest := func(v float32) []float32 {
		p := make([]float32, n)
		for i := range p {
			p[i] = v
		}
		return p
	}
	s := testSession(t)
	s.Settings.Width, s.Settings.Depth = net.Width, net.Depth
	s.Model = &train.Model{Version: train.ModelVersion, Config: cfg, Params: longest(-1.1754944e-38)}
	// Adam's second moment is ≥ 0.
	s.Optimizer = &train.OptimizerState{M: longest(-1.1754944e-38), V: longest(1.1754944e-38), Steps: 1}
	far := make([]flow.Vec, MaxPoints)
	for i := range far {
		far[i] = flow.Vec{-999999.9999999999, -999999.9999999999}
	}
	s.Source = Data{Points: far}
	s.Target = Data{Points: far}
	var b bytes.Buffer
	if err := Write(&b, s); err != nil {
		t.Fatal(err)
	}
	t.Logf("largest session: %d MiB of %d MiB", b.Len()>>20, MaxBytes>>20)
	if _, err := Read(&b); err != nil {
		t.Fatal(err)
	}
}
