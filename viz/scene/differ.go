package scene

import (
	"fmt"
	"strconv"
	"strings"
)

// settingKeys names the settings a comparison may change, as the command
// line's flags name them.
var settingKeys = []string{"coupling", "path", "sigma", "solver", "steps", "width", "depth", "act", "lr", "batch"}

// Differ returns s with the changes of spec, a comma-separated list of
// key=value settings (coupling=ot, solver=rk4,steps=5, width=256, lr=1e-2…):
// the second model of a comparison. The data, seed and counts of particles
// stay shared, so they cannot be changed. It returns an error naming the
// key for a malformed or unknown setting, or a spec that changes nothing.
func (s Settings) Differ(spec string) (Settings, error) {
	out := s
	if strings.TrimSpace(spec) == "" {
		return s, fmt.Errorf("compare: no setting to change (want key=value, e.g. coupling=ot)")
	}
	for _, kv := range strings.Split(spec, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(kv), "=")
		k, v = strings.ToLower(strings.TrimSpace(k)), strings.TrimSpace(v)
		if !ok || v == "" {
			return s, fmt.Errorf("compare: %q is not key=value", kv)
		}
		var err error
		switch k {
		case "coupling":
			out.Coupling = v
		case "path":
			out.Path = v
		case "solver":
			out.Solver = v
		case "act":
			out.Act = v
		case "sigma":
			out.Sigma, err = strconv.ParseFloat(v, 64)
		case "lr":
			out.LR, err = strconv.ParseFloat(v, 64)
		case "steps":
			out.Steps, err = strconv.Atoi(v)
		case "width":
			out.Width, err = strconv.Atoi(v)
		case "depth":
			out.Depth, err = strconv.Atoi(v)
		case "batch":
			out.Batch, err = strconv.Atoi(v)
		default:
			return s, fmt.Errorf("compare: unknown setting %q (want one of %s)", k, strings.Join(settingKeys, ", "))
		}
		if err != nil {
			return s, fmt.Errorf("compare: %s=%s: not a number", k, v)
		}
	}
	if out.Clamp() == s.Clamp() {
		return s, fmt.Errorf("compare: %q changes nothing", spec)
	}
	return out, nil
}

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
