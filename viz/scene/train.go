package scene

import (
	"fmt"
	"strings"

	"github.com/flowviz/flowviz/flow/data"
	"github.com/flowviz/flowviz/flow/mlp"
	"github.com/flowviz/flowviz/flow/train"
)

// TrainConfig maps the settings onto base: data specs, path, coupling,
// network, batch, learning rate and seed. The result is validated, so a
// reflow coupling needs base to name its teacher.
func (s Settings) TrainConfig(base train.Config) (train.Config, error) {
	act, err := mlp.ParseActivation(s.Act)
	if err != nil {
		return base, err
	}
	cfg := base
	cfg.Source, cfg.Target = s.Source, s.Target
	cfg.Path, cfg.Sigma, cfg.Coupling = s.Path, s.Sigma, s.Coupling
	cfg.Net.Width, cfg.Net.Depth, cfg.Net.Act = s.Width, s.Depth, act
	cfg.Batch, cfg.LR, cfg.Seed = s.Batch, s.LR, s.Seed
	// The defaults are stored as "", as flowmatch stores them, so the
	// default run's model file says nothing new.
	cfg.Schedule, cfg.Predict = s.Schedule, s.Predict
	if strings.EqualFold(cfg.Schedule, "linear") {
		cfg.Schedule = ""
	}
	if strings.EqualFold(cfg.Predict, "velocity") {
		cfg.Predict = ""
	}
	cfg.PUncond = s.PUncond
	if cfg.PUncond == 0 {
		cfg.PUncond = DefaultPUncond
	}
	cfg.Net.Classes = 0
	if s.Cond {
		n, err := s.classes(base)
		if err != nil {
			return base, err
		}
		cfg.Net.Classes = n
	}
	if err := cfg.Validate(); err != nil {
		return base, err
	}
	return cfg, nil
}

// DrawingClasses is how many classes a conditional network on a point set
// (a drawing, a labelled CSV) is built for: the drawing's colours, so that a
// colour added while drawing needs no new network.
const DrawingClasses = 8

// classes is the class count of a conditional network on s's target: the
// preset's (8 Gaussians: 8, moons: 2, …), or DrawingClasses for a point set
// (more if its labels need it). base names the target the trainer runs when
// s.Target is the label of data handed over directly (a drawing).
func (s Settings) classes(base train.Config) (int, error) {
	d, err := data.Load(s.Target)
	if err != nil {
		if s.Target == base.Target && base.Net.Classes > 0 {
			// A drawing's label: it keeps the network it has.
			return base.Net.Classes, nil
		}
		return DrawingClasses, nil
	}
	n := data.NumClasses(d)
	if _, ok := d.(*data.PointSet); ok {
		n = max(n, DrawingClasses)
	}
	switch {
	case n == 0:
		return 0, fmt.Errorf("class-conditional training needs a target with classes (8gaussians, moons, checkerboard, rings, pinwheel, 2spirals, circles or a coloured drawing), not %s", s.Target)
	case n > mlp.MaxClasses:
		return 0, fmt.Errorf("target %s has %d classes, more than the %d a network takes", s.Target, n, mlp.MaxClasses)
	}
	return n, nil
}
