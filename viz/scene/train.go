package scene

import (
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
	if err := cfg.Validate(); err != nil {
		return base, err
	}
	return cfg, nil
}
