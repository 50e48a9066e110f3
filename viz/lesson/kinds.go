package lesson

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"sync"
)

// A KindCheck reports, through fail, the problems of the fields a kind of
// lesson reads: its params (see DecodeParams) or the shared fields it uses.
type KindCheck func(l Lesson, fail func(field, format string, args ...any))

// registered holds the kinds added with RegisterKind beside the built-in
// ones of kinds.
var registered = struct {
	sync.RWMutex
	checks map[Kind]KindCheck
}{checks: map[Kind]KindCheck{}}

// RegisterKind makes kind a valid Lesson.Kind and check (nil for none) a
// part of Validate. The file that implements a kind calls it from an init
// function, so a new kind needs no edit here. Registering a name twice, or
// a built-in name, panics: two files would claim the same lessons.
func RegisterKind(kind Kind, check KindCheck) {
	registered.Lock()
	defer registered.Unlock()
	if _, dup := registered.checks[kind]; dup || slices.Contains(kinds, kind) || kind == "" {
		panic(fmt.Sprintf("lesson: kind %q registered twice", kind))
	}
	registered.checks[kind] = check
}

// Known reports whether kind is built in or registered.
func Known(kind Kind) bool {
	if slices.Contains(kinds, kind) {
		return true
	}
	registered.RLock()
	defer registered.RUnlock()
	_, ok := registered.checks[kind]
	return ok
}

// Kinds lists the built-in kinds, then the registered ones by name.
func Kinds() []Kind {
	out := slices.Clone(kinds)
	registered.RLock()
	defer registered.RUnlock()
	var more []Kind
	for k := range registered.checks {
		more = append(more, k)
	}
	slices.Sort(more)
	return append(out, more...)
}

// registeredCheck is kind's registered check, nil for none.
func registeredCheck(kind Kind) KindCheck {
	registered.RLock()
	defer registered.RUnlock()
	return registered.checks[kind]
}

// DecodeParams decodes the lesson's "params" object, the fields of its own
// that a registered kind reads, into v: strictly, as Parse reads the rest,
// since a misspelt key silently ignored would be a lesson shown wrong. No
// params leave v as it is.
func (l Lesson) DecodeParams(v any) error {
	if len(l.Params) == 0 {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(l.Params))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("params: %w", describeJSON(err))
	}
	return nil
}
