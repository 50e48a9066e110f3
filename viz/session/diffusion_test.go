package session

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/flowviz/flowviz/flow"
	"github.com/flowviz/flowviz/flow/data"
	"github.com/flowviz/flowviz/viz/scene"
)

// labelledSession is a version-2 session: a vp score model, SDE noise,
// class 3 guided at w = 4, and a drawing in two colours.
func labelledSession() *Session {
	st := scene.DefaultSettings()
	st.Schedule, st.Predict, st.Noise = "vp", "score", 1.5
	st.Cond, st.PUncond, st.OneClass, st.Class, st.Guidance, st.Score = true, 0.2, true, 1, 3, true
	return &Session{
		Settings: st,
		Source:   Data{Spec: "gaussian"},
		Target:   Data{Points: []flow.Vec{{1, 2}, {3, 4}, {5, 6}}, Labels: []int{0, 1, 1}, Name: "drawing"},
		View:     View{Zoom: 50, Speed: 1},
	}
}

func TestDiffusionSettingsAndLabelsRoundTrip(t *testing.T) {
	s := labelledSession()
	var b bytes.Buffer
	if err := Write(&b, s); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), fmt.Sprintf(`"version":%d`, Version)) {
		t.Fatalf("written as %s", b.String()[:60])
	}
	got, err := Read(&b)
	if err != nil {
		t.Fatal(err)
	}
	if got.Settings != s.Settings {
		t.Errorf("settings came back as\n %+v\nwant\n %+v", got.Settings, s.Settings)
	}
	if !slices.Equal(got.Target.Labels, s.Target.Labels) {
		t.Errorf("labels %v, want %v", got.Target.Labels, s.Target.Labels)
	}
	d, err := got.Target.Dist()
	if err != nil {
		t.Fatal(err)
	}
	if n := data.NumClasses(d); n != 2 {
		t.Errorf("the drawing has %d classes, want 2", n)
	}
	if back := FromDist(d); !slices.Equal(back.Labels, s.Target.Labels) {
		t.Errorf("FromDist lost the labels: %v", back.Labels)
	}
}

// TestVersion1StillReads reads a version-1 file (what the last release
// wrote: no diffusion fields, no labels) as the blog post's run.
func TestVersion1StillReads(t *testing.T) {
	s := labelledSession()
	s.Settings = scene.DefaultSettings()
	s.Target.Labels = nil
	var b bytes.Buffer
	if err := Write(&b, s); err != nil {
		t.Fatal(err)
	}
	v1 := strings.Replace(b.String(), fmt.Sprintf(`"version":%d`, Version), `"version":1`, 1)
	got, err := Read(strings.NewReader(v1))
	if err != nil {
		t.Fatalf("version 1: %v", err)
	}
	if got.Settings != scene.DefaultSettings() || got.Target.Labels != nil {
		t.Errorf("version 1 read as %+v, labels %v", got.Settings, got.Target.Labels)
	}
}

func TestReadRefusesBadLabels(t *testing.T) {
	var b bytes.Buffer
	if err := Write(&b, labelledSession()); err != nil {
		t.Fatal(err)
	}
	good := b.String()
	tests := []struct{ name, file, want string }{
		{"fewer labels than points", strings.Replace(good, `"labels":[0,1,1]`, `"labels":[0,1]`, 1), "2 labels for 3 points"},
		{"negative class", strings.Replace(good, `"labels":[0,1,1]`, `"labels":[0,-1,1]`, 1), "class -1"},
		{"class beyond a network's", strings.Replace(good, `"labels":[0,1,1]`, `"labels":[0,100,1]`, 1), "class 100"},
		{"labels in a version-1 file", strings.Replace(good, `"version":3`, `"version":1`, 1), "version-2 fields"},
		{"newer version", strings.Replace(good, `"version":3`, `"version":4`, 1), "version 4 is not supported"},
		{"noise beyond the slider", strings.Replace(good, `"noise":1.5`, `"noise":50`, 1), "noise 50"},
		{"unknown schedule", strings.Replace(good, `"schedule":"vp"`, `"schedule":"sigmoid"`, 1), "unknown schedule"},
		{"too many labels", strings.Replace(good, `"labels":[0,1,1]`, `"labels":[`+strings.Repeat("0,", MaxPoints)+`0]`, 1), "more than"},
	}
	for _, tc := range tests {
		if tc.file == good {
			t.Fatalf("%s: the test's edit changed nothing", tc.name)
		}
		_, err := Read(strings.NewReader(tc.file))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one saying %q", tc.name, err, tc.want)
		}
	}
}
