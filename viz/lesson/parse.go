package lesson

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"slices"

	"github.com/flowviz/flowviz/assets"
)

// MaxFileSize bounds a lesson file: a lesson is a few hundred bytes, and a
// cap keeps a stray large file from being read whole.
const MaxFileSize = 64 << 10

// Parse reads one lesson file called name and validates it. The JSON is
// strict, since a misspelt key silently ignored would be a lesson shown wrong:
// unknown fields and trailing data are errors.
func Parse(name string, b []byte) (Lesson, error) {
	if len(b) > MaxFileSize {
		return Lesson{}, fmt.Errorf("lesson %s: %d bytes, at most %d", name, len(b), MaxFileSize)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var l Lesson
	if err := dec.Decode(&l); err != nil {
		return Lesson{}, fmt.Errorf("lesson %s: %w", name, describeJSON(err))
	}
	if _, err := dec.Token(); err != io.EOF {
		return Lesson{}, fmt.Errorf("lesson %s: trailing data after the JSON object", name)
	}
	if err := checkLengths(b); err != nil {
		return Lesson{}, fmt.Errorf("lesson %s: %w", name, err)
	}
	l.File = name
	if err := l.Validate(); err != nil {
		return Lesson{}, err
	}
	return l, nil
}

// describeJSON names the field of a type error, which encoding/json
// reports only as a Go type.
func describeJSON(err error) error {
	var typeErr *json.UnmarshalTypeError
	if errors.As(err, &typeErr) && typeErr.Field != "" {
		return fmt.Errorf("%s: want %s, got JSON %s", typeErr.Field, typeErr.Type, typeErr.Value)
	}
	return err
}

// checkLengths refuses fixed-size arrays of the wrong length, which
// encoding/json would silently truncate or pad with zeros: "x0": [1] is a
// typo, not the point (1, 0).
func checkLengths(b []byte) error {
	var arrays struct {
		View []float64 `json:"view"`
		X0   []float64 `json:"x0"`
		X1   []float64 `json:"x1"`
	}
	if err := json.Unmarshal(b, &arrays); err != nil {
		return err
	}
	for _, a := range []struct {
		field string
		got   []float64
		want  int
	}{{"view", arrays.View, 4}, {"x0", arrays.X0, 2}, {"x1", arrays.X1, 2}} {
		if a.got != nil && len(a.got) != a.want {
			return fmt.Errorf("%s: %d numbers, want %d", a.field, len(a.got), a.want)
		}
	}
	return nil
}

// Load parses every *.json file at the root of fsys, in name order, and
// numbers the lessons from 1.
func Load(fsys fs.FS) ([]Lesson, error) {
	names, err := fs.Glob(fsys, "*.json")
	if err != nil {
		return nil, fmt.Errorf("lesson: %w", err)
	}
	if len(names) == 0 {
		return nil, errors.New("lesson: no *.json lesson files")
	}
	slices.Sort(names)
	lessons := make([]Lesson, 0, len(names))
	for i, name := range names {
		b, err := readFile(fsys, name)
		if err != nil {
			return nil, err
		}
		l, err := Parse(name, b)
		if err != nil {
			return nil, err
		}
		l.Number = i + 1
		lessons = append(lessons, l)
	}
	return lessons, nil
}

// readFile reads at most one byte more than MaxFileSize, enough for Parse
// to refuse a larger file without reading all of it.
func readFile(fsys fs.FS, name string) ([]byte, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return nil, fmt.Errorf("lesson %s: %w", name, err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("lesson %s: %w", name, err)
	}
	return b, nil
}

// Builtin returns the lessons embedded in package assets.
func Builtin() ([]Lesson, error) { return Load(assets.Lessons()) }
