package sample

import (
	"math"
	"slices"
	"testing"

	"github.com/flowviz/flowviz/flow"
	"github.com/flowviz/flowviz/flow/mlp"
	"github.com/flowviz/flowviz/flow/train"
)

// TestFrameConvertsPrediction checks a frame of a VE noise-prediction model:
// the particles start from the wide source σmax·x0, and arrows and paths are
// the velocity the noise prediction converts to.
func TestFrameConvertsPrediction(t *testing.T) {
	cfg := train.DefaultConfig()
	cfg.Net = mlp.Config{Width: 16, Depth: 2, Act: mlp.SiLU}
	cfg.Batch = 64
	cfg.Schedule, cfg.Predict = "ve:min=0.01,max=6", "noise"
	tr, err := train.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	for range 20 {
		if _, err := tr.Step(); err != nil {
			t.Fatal(err)
		}
	}
	tr.Publish()
	s := New(tr, DefaultSettings())
	st := smallSettings()
	f := frame(t, s, st)

	m := f.Snap.Model()
	if m.StartScale() != 6 {
		t.Fatalf("start scale %v, want σmax = 6", m.StartScale())
	}
	// The source cloud is 6× the standard draws: its RMS radius is about 6·√2.
	var r2 float64
	for _, p := range f.SourcePts {
		r2 += (p[0]*p[0] + p[1]*p[1]) / float64(len(f.SourcePts))
	}
	if r := math.Sqrt(r2 / 2); r < 5 || r > 7 {
		t.Fatalf("source cloud std %v, want about 6", r)
	}
	field := m.Field()
	x := slices.Clone(f.Traj[0])
	flow.Integrate(field, st.Solver, x, 0, 1, st.Steps, nil)
	for i := range x {
		if d := math.Hypot(x[i][0]-f.Traj[st.Steps][i][0], x[i][1]-f.Traj[st.Steps][i][1]); d > 1e-9 {
			t.Fatalf("particle %d ends at %v, the converted field gives %v", i, f.Traj[st.Steps][i], x[i])
		}
	}
	v := make([]flow.Vec, len(f.GridPts))
	field.Velocity(v, f.GridPts, f.Times[3])
	raw := make([]flow.Vec, len(f.GridPts))
	m.Prediction(mlp.NullClass).Velocity(raw, f.GridPts, f.Times[3])
	for j := range v {
		if d := math.Hypot(v[j][0]-f.Field[3][j][0], v[j][1]-f.Field[3][j][1]); d > 1e-9 {
			t.Fatalf("arrow %d = %v, converted velocity %v", j, f.Field[3][j], v[j])
		}
	}
	if slices.Equal(raw, v) {
		t.Fatal("the frame shows the raw noise prediction")
	}
}
