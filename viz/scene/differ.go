package scene

import (
	"fmt"
	"strings"

	"github.com/flowviz/flowviz/flow/diffspec"
)

// differKeys are the settings a comparison may change, named as the
// command line's flags name them. The data, the seed and the counts of
// particles stay shared, so they are not among them.
var differKeys = diffspec.Keys[Settings]{
	{Name: "coupling", Doc: "independent, ot or reflow", Set: diffspec.String(func(s *Settings) *string { return &s.Coupling })},
	{Name: "path", Doc: "probability path", Set: diffspec.String(func(s *Settings) *string { return &s.Path })},
	{Name: "sigma", Doc: "σ of the path", Set: diffspec.Float(func(s *Settings) *float64 { return &s.Sigma })},
	{Name: "solver", Doc: "euler, midpoint, heun or rk4", Set: diffspec.String(func(s *Settings) *string { return &s.Solver })},
	{Name: "steps", Doc: "solver steps NUM_STEPS", Set: diffspec.Int(func(s *Settings) *int { return &s.Steps })},
	{Name: "width", Doc: "hidden units per layer", Set: diffspec.Int(func(s *Settings) *int { return &s.Width })},
	{Name: "depth", Doc: "hidden layers", Set: diffspec.Int(func(s *Settings) *int { return &s.Depth })},
	{Name: "act", Doc: "activation", Set: diffspec.String(func(s *Settings) *string { return &s.Act })},
	{Name: "lr", Doc: "Adam learning rate", Set: diffspec.Float(func(s *Settings) *float64 { return &s.LR })},
	{Name: "batch", Doc: "pairs per step", Set: diffspec.Int(func(s *Settings) *int { return &s.Batch })},
}

// Differ returns s with the changes of spec, a list of key=value settings
// (coupling=ot, solver=rk4,steps=5, width=256, lr=1e-2…; see diffspec):
// the second model of a comparison. The data, seed and counts of particles
// stay shared, so they cannot be changed. It returns an error naming the
// setting for a malformed or unknown one, or a spec that changes nothing.
func (s Settings) Differ(spec string) (Settings, error) {
	if strings.TrimSpace(spec) == "" {
		return s, fmt.Errorf("compare: no setting to change (want key=value, e.g. coupling=ot)")
	}
	out := s
	if err := differKeys.Apply(&out, spec); err != nil {
		return s, fmt.Errorf("compare: %w", err)
	}
	if out.Clamp() == s.Clamp() {
		return s, fmt.Errorf("compare: %q changes nothing", spec)
	}
	return out, nil
}

// DifferKeys lists the settings Differ may change, comma-separated.
func DifferKeys() string { return differKeys.Names() }

// Diff describes how b differs from a, as Differ's spec ("coupling=ot"),
// for labels; "" if they are the same.
func Diff(a, b Settings) string {
	var parts []string
	add := func(k string, x, y any) {
		if x != y {
			parts = append(parts, fmt.Sprintf("%s=%v", k, y))
		}
	}
	add("coupling", a.Coupling, b.Coupling)
	add("path", a.Path, b.Path)
	add("sigma", a.Sigma, b.Sigma)
	add("solver", a.Solver, b.Solver)
	add("steps", a.Steps, b.Steps)
	add("width", a.Width, b.Width)
	add("depth", a.Depth, b.Depth)
	add("act", a.Act, b.Act)
	add("lr", a.LR, b.LR)
	add("batch", a.Batch, b.Batch)
	return strings.Join(parts, ",")
}
