// Package data provides the 2D distributions flow matching moves between: the
// classic toy datasets, drawn point sets, image masks, rendered text and CSV
// point files.
package data

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"

	"github.com/flowviz/flowviz/flow"
)

// Dist is a distribution in the plane that can be sampled.
type Dist interface {
	// Sample fills dst with independent samples.
	Sample(rng *rand.Rand, dst []flow.Vec)
	// String is the canonical spec of the distribution; for the built-ins
	// Parse accepts it back, e.g. "moons:noise=0.05,scale=2,shift=1,shift_y=0".
	String() string
}

// Sample draws n points from d into a new slice.
func Sample(d Dist, rng *rand.Rand, n int) []flow.Vec {
	pts := make([]flow.Vec, n)
	d.Sample(rng, pts)
	return pts
}

// param is one key=value parameter of a built-in distribution. Values outside
// [min, max] are refused: they are either meaningless (a negative std) or so
// large that sampling would be useless or slow (a million pinwheel arms).
type param struct {
	key      string
	def      float64
	min, max float64
	integer  bool
	doc      string
}

// builtin is a registered distribution: its name, its parameters in
// canonical order and a constructor taking the values in that order.
type builtin struct {
	name   string
	doc    string
	params []param
	build  func(v []float64) Dist
}

// lookup returns the registered built-in called name, or nil.
func lookup(name string) *builtin {
	for i := range builtins {
		if builtins[i].name == name {
			return &builtins[i]
		}
	}
	return nil
}

// Names returns the names of the built-in distributions in display order.
func Names() []string {
	names := make([]string, len(builtins))
	for i, b := range builtins {
		names[i] = b.name
	}
	return names
}

// Describe returns a one-line description of the built-in name followed by
// its parameters and their defaults, or "" if there is no such built-in.
func Describe(name string) string {
	b := lookup(name)
	if b == nil {
		return ""
	}
	var s strings.Builder
	s.WriteString(b.name + ": " + b.doc)
	if len(b.params) > 0 {
		s.WriteString(" [")
		for i, p := range b.params {
			if i > 0 {
				s.WriteString(", ")
			}
			fmt.Fprintf(&s, "%s=%s %s", p.key, formatValue(p.def), p.doc)
		}
		s.WriteString("]")
	}
	return s.String()
}

// Parse reads a built-in distribution spec, "name" or
// "name:key=value,key=value". Missing keys take their defaults.
func Parse(spec string) (Dist, error) {
	name, args, _ := strings.Cut(strings.TrimSpace(spec), ":")
	name = strings.ToLower(strings.TrimSpace(name))
	b := lookup(name)
	if b == nil {
		return nil, fmt.Errorf("data: unknown distribution %q (known: %s)", name, strings.Join(Names(), ", "))
	}
	values, err := parseArgs(b.name, b.params, args)
	if err != nil {
		return nil, err
	}
	return b.build(values), nil
}

// parseArgs parses "key=value,key=value" against params and returns the
// values in the order of params, defaults filled in.
func parseArgs(name string, params []param, args string) ([]float64, error) {
	values := make([]float64, len(params))
	for i, p := range params {
		values[i] = p.def
	}
	seen := make([]bool, len(params))
	if strings.TrimSpace(args) == "" {
		return values, nil
	}
	for field := range strings.SplitSeq(args, ",") {
		key, text, ok := strings.Cut(field, "=")
		key = strings.ToLower(strings.TrimSpace(key))
		text = strings.TrimSpace(text)
		if !ok || key == "" {
			return nil, fmt.Errorf("data: %s: %q is not key=value (keys: %s)", name, strings.TrimSpace(field), keyList(params))
		}
		i := slices.IndexFunc(params, func(p param) bool { return p.key == key })
		if i < 0 {
			return nil, fmt.Errorf("data: %s: unknown key %q (keys: %s)", name, key, keyList(params))
		}
		if seen[i] {
			return nil, fmt.Errorf("data: %s: key %q given twice", name, key)
		}
		seen[i] = true
		v, err := parseValue(params[i], text)
		if err != nil {
			return nil, fmt.Errorf("data: %s: %w (keys: %s)", name, err, keyList(params))
		}
		values[i] = v
	}
	return values, nil
}

// parseValue parses and range-checks the value of one parameter.
func parseValue(p param, text string) (float64, error) {
	v, err := strconv.ParseFloat(text, 64)
	if err != nil {
		var numErr *strconv.NumError
		if errors.As(err, &numErr) && numErr.Err == strconv.ErrRange {
			return 0, fmt.Errorf("%s=%s is out of range [%s, %s]", p.key, text, formatValue(p.min), formatValue(p.max))
		}
		return 0, fmt.Errorf("%s=%q is not a number", p.key, text)
	}
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, fmt.Errorf("%s=%s is not a finite number", p.key, text)
	}
	if v < p.min || v > p.max {
		return 0, fmt.Errorf("%s=%s is out of range [%s, %s]", p.key, text, formatValue(p.min), formatValue(p.max))
	}
	if p.integer && v != math.Trunc(v) {
		return 0, fmt.Errorf("%s=%s must be a whole number", p.key, text)
	}
	return v, nil
}

func keyList(params []param) string {
	if len(params) == 0 {
		return "none"
	}
	keys := make([]string, len(params))
	for i, p := range params {
		keys[i] = p.key
	}
	return strings.Join(keys, ", ")
}

// formatValue prints the shortest decimal that parses back to exactly v, so
// that String → Parse reproduces a distribution bit for bit.
func formatValue(v float64) string {
	return strconv.FormatFloat(v, 'g', -1, 64)
}

// spec renders the canonical "name:key=value,..." of a built-in; values are
// given in the order of its registered params.
func spec(name string, values ...float64) string {
	b := lookup(name)
	if b == nil || len(b.params) != len(values) {
		panic("data: spec of unregistered built-in " + name)
	}
	if len(values) == 0 {
		return name
	}
	var s strings.Builder
	s.WriteString(name + ":")
	for i, p := range b.params {
		if i > 0 {
			s.WriteString(",")
		}
		s.WriteString(p.key + "=" + formatValue(values[i]))
	}
	return s.String()
}

// Compile-time checks that every distribution of the package is a Dist.
var (
	_ Dist = Gaussian{}
	_ Dist = Uniform{}
	_ Dist = Moons{}
	_ Dist = EightGaussians{}
	_ Dist = Checkerboard{}
	_ Dist = TwoSpirals{}
	_ Dist = Circles{}
	_ Dist = Rings{}
	_ Dist = Pinwheel{}
	_ Dist = SwissRoll{}
	_ Dist = SCurve{}
	_ Dist = (*ImageDist)(nil)
	_ Dist = (*PointSet)(nil)
)
