// Package link reads and writes the scene a link carries in its fragment,
// as TensorFlow Playground's do: "#target=moons&coupling=ot&lesson=3". The
// web page reads its own address's fragment, the desktop app the -link
// flag, with this one parser, so a lecturer and a class start from the
// same scene. It imports no ebiten.
package link

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/flowviz/flowviz/flow"
	"github.com/flowviz/flowviz/flow/data"
	"github.com/flowviz/flowviz/flow/hd"
	"github.com/flowviz/flowviz/viz/scene"
)

// MaxLen is the longest fragment Parse reads: a link is typed or pasted,
// and the longest real one (every key, a long target spec) is a few
// hundred bytes.
const MaxLen = 2048

// Keys are the settings a link carries, in the order Format writes them.
var Keys = []string{"source", "target", "width", "depth", "path", "coupling", "solver", "steps", "lesson", "compare"}

// Limits of the numbers a link may ask for (the panel's own ranges).
const (
	MaxWidth  = 512
	MaxDepth  = 8
	MaxLesson = 99
)

// Link is a parsed fragment: the settings it changes applied to a base,
// the lesson to open (0: none) and compare mode's change ("" for none).
type Link struct {
	Settings scene.Settings
	Lesson   int
	Compare  string
	Set      map[string]bool // the keys the fragment gave
}

// Parse reads fragment ("#k=v&k=v", the '#' optional; values may be
// percent-encoded) over base. An unknown or repeated key, a value out of
// range or a fragment over MaxLen is an error naming it; nothing is
// applied then.
func Parse(fragment string, base scene.Settings) (Link, error) {
	l := Link{Settings: base, Set: map[string]bool{}}
	if len(fragment) > MaxLen {
		return l, fmt.Errorf("link: %d bytes, longer than the %d a link may have", len(fragment), MaxLen)
	}
	fragment = strings.TrimPrefix(fragment, "#")
	if fragment == "" {
		return l, nil
	}
	s := &l.Settings
	for _, kv := range strings.Split(fragment, "&") {
		if kv == "" {
			continue
		}
		k, raw, ok := strings.Cut(kv, "=")
		if !ok {
			return l, fmt.Errorf("link: %q is not key=value", kv)
		}
		v, err := unescape(raw)
		if err != nil {
			return l, fmt.Errorf("link: %s: %v", k, err)
		}
		if l.Set[k] {
			return l, fmt.Errorf("link: %s given twice", k)
		}
		l.Set[k] = true
		if err := set(&l, s, k, v); err != nil {
			return l, fmt.Errorf("link: %s=%s: %w", k, v, err)
		}
	}
	return l, nil
}

// set applies one key.
func set(l *Link, s *scene.Settings, k, v string) error {
	switch k {
	case "source", "target":
		if k == "target" && hd.IsTarget(v) {
			// An image target (digits): the image view trains on it, as
			// with the desktop's -target digits.
			s.Target = hd.Canonical(v)
			return nil
		}
		if _, err := data.Parse(v); err != nil {
			return err
		}
		if k == "source" {
			s.Source = v
		} else {
			s.Target = v
		}
	case "width":
		return number(v, 1, MaxWidth, &s.Width)
	case "depth":
		return number(v, 1, MaxDepth, &s.Depth)
	case "steps":
		return number(v, scene.MinSteps, scene.MaxSteps, &s.Steps)
	case "lesson":
		return number(v, 0, MaxLesson, &l.Lesson)
	case "path":
		if _, err := flow.ParsePath(v, s.Sigma); err != nil {
			return err
		}
		s.Path = v
	case "coupling":
		if _, err := flow.ParseCoupling(v); err != nil {
			return err
		}
		s.Coupling = v
	case "solver":
		if _, err := flow.ParseSolver(v); err != nil {
			return err
		}
		s.Solver = v
	case "compare":
		if v != "" {
			if _, err := s.Differ(v); err != nil {
				return err
			}
		}
		l.Compare = v
	default:
		return fmt.Errorf("unknown key (a link knows %s)", strings.Join(Keys, ", "))
	}
	return nil
}

// number parses a decimal integer in [lo, hi] into *dst.
func number(v string, lo, hi int, dst *int) error {
	n, err := strconv.Atoi(v)
	if err != nil {
		return errors.New("not a whole number")
	}
	if n < lo || n > hi {
		return fmt.Errorf("outside %d..%d", lo, hi)
	}
	*dst = n
	return nil
}

// Format writes the fragment of s, lesson (0: none) and compare ("" for
// none), with every key of Keys that has a value, starting with '#'.
func Format(s scene.Settings, lesson int, compare string) string {
	var b strings.Builder
	add := func(k, v string) {
		if b.Len() == 0 {
			b.WriteByte('#')
		} else {
			b.WriteByte('&')
		}
		b.WriteString(k)
		b.WriteByte('=')
		b.WriteString(escape(v))
	}
	add("source", s.Source)
	add("target", s.Target)
	add("width", strconv.Itoa(s.Width))
	add("depth", strconv.Itoa(s.Depth))
	add("path", s.Path)
	add("coupling", s.Coupling)
	add("solver", s.Solver)
	add("steps", strconv.Itoa(s.Steps))
	if lesson > 0 {
		add("lesson", strconv.Itoa(lesson))
	}
	if compare != "" {
		add("compare", compare)
	}
	return b.String()
}

// plain reports the bytes a value keeps as they are: those that need no
// escaping in a fragment and mean nothing to Parse, plus ':', ',' and '='
// so that specs like 8gaussians:radius=5,std=1 stay readable.
func plain(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
		strings.IndexByte("-._~:,=", c) >= 0
}

// escape percent-encodes the bytes of v that are not plain.
func escape(v string) string {
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		if c := v[i]; plain(c) {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

// unescape decodes %XX sequences (and nothing else: '+' stays '+').
func unescape(v string) (string, error) {
	if !strings.Contains(v, "%") {
		return v, nil
	}
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		if v[i] != '%' {
			b.WriteByte(v[i])
			continue
		}
		if i+2 >= len(v) {
			return "", errors.New("a % not followed by two hex digits")
		}
		n, err := strconv.ParseUint(v[i+1:i+3], 16, 8)
		if err != nil {
			return "", errors.New("a % not followed by two hex digits")
		}
		b.WriteByte(byte(n))
		i += 2
	}
	return b.String(), nil
}
