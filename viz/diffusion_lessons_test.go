package viz

import (
	"encoding/json"
	"math"
	"strings"
	"testing"

	"github.com/flowviz/flowviz/flow"
	"github.com/flowviz/flowviz/viz/lesson"
	"github.com/flowviz/flowviz/viz/scene"
)

// TestDiffusionLessonChecks breaks the diffusion lessons' own fields one at
// a time: each error names the field.
func TestDiffusionLessonChecks(t *testing.T) {
	base := func(kind lesson.Kind, params string) lesson.Lesson {
		return lesson.Lesson{
			File: "t.json", Title: "T", Kind: kind, Caption: "C.", Formula: "F",
			View: [4]float64{-4, -4, 4, 4}, Pairs: 5, Steps: 50,
			Params: json.RawMessage(params), Settings: lesson.Settings{Schedule: "vp", Cond: true, Target: "8gaussians"},
		}
	}
	good := []lesson.Lesson{
		base("schedules", `{"schedules":["linear","vp"]}`),
		base("score", ``),
		base("sde", `{"noises":[0,1]}`),
		base("guidance", `{"guidances":[0,1,4]}`),
	}
	for _, l := range good {
		if err := l.Validate(); err != nil {
			t.Errorf("%s: %v", l.Kind, err)
		}
	}
	tests := []struct {
		name  string
		l     lesson.Lesson
		field string
	}{
		{"no schedules", base("schedules", `{"schedules":[]}`), "params.schedules"},
		{"unknown schedule", base("schedules", `{"schedules":["sigmoid"]}`), "params.schedules"},
		{"misspelt param", base("schedules", `{"schedule":["vp"]}`), "params"},
		{"score without a schedule", func() lesson.Lesson { l := base("score", ``); l.Settings.Schedule = ""; return l }(), "settings.schedule"},
		{"noise beyond the slider", base("sde", `{"noises":[0,50]}`), "params.noises"},
		{"no noises", base("sde", `{}`), "params.noises"},
		{"w beyond the slider", base("guidance", `{"guidances":[0,11]}`), "params.guidances"},
		{"guidance without classes", func() lesson.Lesson { l := base("guidance", `{"guidances":[1]}`); l.Settings.Cond = false; return l }(), "settings.cond"},
		{"no steps", func() lesson.Lesson { l := base("sde", `{"noises":[1]}`); l.Steps = 0; return l }(), "steps"},
	}
	for _, tc := range tests {
		err := tc.l.Validate()
		if err == nil || !strings.Contains(err.Error(), tc.field) {
			t.Errorf("%s: error %v, want one naming %s", tc.name, err, tc.field)
		}
	}
}

// TestStepClass walks the class picker: all, 0, 1, …, K−1, all again.
func TestStepClass(t *testing.T) {
	s := scene.DefaultSettings()
	var seen []string
	for range 4 {
		stepClass(&s, 3, +1)
		seen = append(seen, classLabel(&s, 3))
	}
	want := []string{"class: 0 of 0..2", "class: 1 of 0..2", "class: 2 of 0..2", "class: all 3"}
	for i := range want {
		if seen[i] != want[i] {
			t.Fatalf("stepping up: %v, want %v", seen, want)
		}
	}
	stepClass(&s, 3, -1)
	if !s.OneClass || s.Class != 2 {
		t.Errorf("stepping down from all gave one %v class %d, want class 2", s.OneClass, s.Class)
	}
	if stepClass(&s, 0, +1) {
		t.Error("a target without classes changed the picker")
	}
}

// TestClassAccuracy checks the readout's accuracy on a known layout: two
// classes left and right, particles labelled right for 3 of 4.
func TestClassAccuracy(t *testing.T) {
	ref := []flow.Vec{{-1, 0}, {1, 0}}
	refLabels := []int{0, 1}
	pts := []flow.Vec{{-2, 0}, {2, 0}, {0.5, 0}, {-0.5, 0}}
	labels := []int{0, 1, 1, 1} // the last one sits in class 0's region
	acc, classes := classAccuracy(pts, labels, ref, refLabels)
	if classes != 2 || math.Abs(acc-0.75) > 1e-12 {
		t.Errorf("accuracy %v over %d classes, want 0.75 over 2", acc, classes)
	}
}
