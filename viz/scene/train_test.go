package scene

import (
	"strings"
	"testing"

	"github.com/flowviz/flowviz/flow/train"
)

// TestTrainConfigDiffusion checks how the Diffusion settings reach the
// trainer: defaults stored as "", the class count read from the target, the
// label dropout's default, and the refusals a user can act on.
func TestTrainConfigDiffusion(t *testing.T) {
	base := train.DefaultConfig()
	tests := []struct {
		name    string
		edit    func(*Settings)
		classes int
		sched   string
		predict string
		puncond float64
		err     string
	}{
		{"default", func(*Settings) {}, 0, "", "", 0.1, ""},
		{"linear spelled out", func(s *Settings) { s.Schedule, s.Predict = "linear", "velocity" }, 0, "", "", 0.1, ""},
		{"vp score", func(s *Settings) { s.Schedule, s.Predict = "vp", "score" }, 0, "vp", "score", 0.1, ""},
		{"moons conditional", func(s *Settings) { s.Cond = true }, 2, "", "", 0.1, ""},
		{"8 Gaussians conditional", func(s *Settings) { s.Cond, s.Target, s.PUncond = true, "8gaussians", 0.2 }, 8, "", "", 0.2, ""},
		{"no classes", func(s *Settings) { s.Cond, s.Target = true, "gaussian:std=2" }, 0, "", "", 0, "needs a target with classes"},
		{"OT coupling", func(s *Settings) { s.Cond, s.Coupling = true, "ot" }, 0, "", "", 0, "independent coupling"},
		{"schedule with σ", func(s *Settings) { s.Schedule, s.Sigma = "cosine", 0.1 }, 0, "", "", 0, "replaces the path"},
		{"score on the noisy linear path", func(s *Settings) { s.Predict, s.Sigma = "score", 0.1 }, 0, "", "", 0, "Gaussian path"},
		{"unknown schedule", func(s *Settings) { s.Schedule = "sigmoid" }, 0, "", "", 0, "unknown schedule"},
	}
	for _, tc := range tests {
		s := DefaultSettings()
		tc.edit(&s)
		cfg, err := s.TrainConfig(base)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%s: error %v, want one saying %q", tc.name, err, tc.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if cfg.Net.Classes != tc.classes || cfg.Schedule != tc.sched || cfg.Predict != tc.predict || cfg.PUncond != tc.puncond {
			t.Errorf("%s: classes %d schedule %q predict %q p_uncond %v; want %d %q %q %v",
				tc.name, cfg.Net.Classes, cfg.Schedule, cfg.Predict, cfg.PUncond, tc.classes, tc.sched, tc.predict, tc.puncond)
		}
	}
}

// TestClampDiffusion keeps the sliders' values in range, NaN included.
func TestClampDiffusion(t *testing.T) {
	nan := func() float64 { var z float64; return z / z }()
	tests := []struct {
		noise, guidance, puncond      float64
		class                         int
		wantNoise, wantGuid, wantPUnc float64
		wantClass                     int
	}{
		{1.5, 2, 0.2, 3, 1.5, 2, 0.2, 3},
		{-1, -5, -0.5, -2, 0, MinGuidance, 0, 0},
		{99, 99, 2, 0, MaxNoise, MaxGuidance, 0, 0},
		{nan, nan, nan, 0, 0, 0, 0, 0},
	}
	for _, tc := range tests {
		s := DefaultSettings()
		s.Noise, s.Guidance, s.PUncond, s.Class = tc.noise, tc.guidance, tc.puncond, tc.class
		c := s.Clamp()
		if c.Noise != tc.wantNoise || c.Guidance != tc.wantGuid || c.PUncond != tc.wantPUnc || c.Class != tc.wantClass {
			t.Errorf("Clamp(noise %v, guidance %v, p %v, class %d) = %v, %v, %v, %d", tc.noise, tc.guidance, tc.puncond, tc.class, c.Noise, c.Guidance, c.PUncond, c.Class)
		}
	}
}
