// Package diffspec reads the key=value lists that say how one model's
// settings differ from another's: flowmatch compare's -a and -b, flowviz's
// -compare and K, a lesson's "compare".
package diffspec

import (
	"fmt"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// MaxLen bounds a spec: it names a few settings, it does not carry data.
const MaxLen = 4096

// A Key is a setting a spec may change in a T: its name as a flag names it,
// a line of help, and how a value is applied.
type Key[T any] struct {
	Name, Doc string
	Set       func(t *T, value string) error
}

// Keys is the table of the settings a spec may change in a T.
type Keys[T any] []Key[T]

// Setting is one key=value of a spec.
type Setting struct{ Key, Value string }

// commaSpace is white space around a comma, which Split drops.
var commaSpace = regexp.MustCompile(`\s*,\s*`)

// Split splits spec into its settings. Settings are separated by commas or
// white space; keys are case-insensitive. Since data specs have commas of
// their own ("8gaussians:radius=5,std=1"), a comma-separated piece that does
// not start with a known key continues the value before it. Anything else
// that is not key=value with a known key is an error naming it and the keys.
func (ks Keys[T]) Split(spec string) ([]Setting, error) {
	if len(spec) > MaxLen {
		return nil, fmt.Errorf("%d bytes, at most %d", len(spec), MaxLen)
	}
	var out []Setting
	for _, field := range strings.Fields(commaSpace.ReplaceAllString(spec, ",")) {
		for i, piece := range strings.Split(field, ",") {
			key, value, ok := strings.Cut(piece, "=")
			if key = strings.ToLower(key); ok && ks.index(key) >= 0 {
				out = append(out, Setting{key, value})
				continue
			}
			if i == 0 || piece == "" {
				return nil, fmt.Errorf("%q is not a key=value setting (keys: %s)", piece, ks.Names())
			}
			out[len(out)-1].Value += "," + piece
		}
	}
	return out, nil
}

// Apply changes t by the settings of spec (see Split). A key given twice,
// an empty value or one its key refuses is an error naming the setting; t
// may then be partly changed, so apply to a copy.
func (ks Keys[T]) Apply(t *T, spec string) error {
	settings, err := ks.Split(spec)
	if err != nil {
		return err
	}
	seen := map[string]bool{}
	for _, s := range settings {
		if seen[s.Key] {
			return fmt.Errorf("%s is given twice", s.Key)
		}
		seen[s.Key] = true
		if s.Value == "" {
			return fmt.Errorf("%s= has no value", s.Key)
		}
		if err := ks[ks.index(s.Key)].Set(t, s.Value); err != nil {
			return fmt.Errorf("%s=%s: %w", s.Key, s.Value, err)
		}
	}
	return nil
}

func (ks Keys[T]) index(name string) int {
	return slices.IndexFunc(ks, func(k Key[T]) bool { return k.Name == name })
}

// Names lists the keys, comma-separated.
func (ks Keys[T]) Names() string {
	names := make([]string, len(ks))
	for i, k := range ks {
		names[i] = k.Name
	}
	return strings.Join(names, ", ")
}

// Help writes a line per key: its name and its help.
func (ks Keys[T]) Help(w io.Writer) {
	for _, k := range ks {
		fmt.Fprintf(w, "  %-9s %s\n", k.Name, k.Doc)
	}
}

// String sets a string field.
func String[T any](field func(*T) *string) func(*T, string) error {
	return func(t *T, v string) error { *field(t) = v; return nil }
}

// Int sets an int field from a whole number.
func Int[T any](field func(*T) *int) func(*T, string) error {
	return func(t *T, v string) error {
		n, err := strconv.Atoi(v)
		if err != nil {
			return fmt.Errorf("not a number (want a whole number)")
		}
		*field(t) = n
		return nil
	}
}

// Uint sets a uint64 field from a whole number ≥ 0.
func Uint[T any](field func(*T) *uint64) func(*T, string) error {
	return func(t *T, v string) error {
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			return fmt.Errorf("not a number (want a whole number ≥ 0)")
		}
		*field(t) = n
		return nil
	}
}

// Float sets a float64 field.
func Float[T any](field func(*T) *float64) func(*T, string) error {
	return func(t *T, v string) error {
		x, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return fmt.Errorf("not a number")
		}
		*field(t) = x
		return nil
	}
}
