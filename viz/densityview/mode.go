// Package densityview decides what the app's density layer shows: the mode
// the Y key cycles through, the grid that follows the camera, the requests
// to a density.Worker keyed by training snapshot and timeline step, the
// colours of a computed layer, and the live NLL of held-out target samples.
// It draws nothing itself (viz does), so it is tested without a display.
package densityview

import (
	"fmt"

	"github.com/flowviz/flowviz/flow/density"
)

// Mode is what the density layer shows; the zero value is off.
type Mode int

// The modes in the order the Y key cycles through them.
const (
	Off Mode = iota
	Learned
	Exact
	Difference
	Divergence
	numModes
)

// Next returns the mode after m, wrapping to Off.
func (m Mode) Next() Mode { return (m + 1) % numModes }

// String is the mode's name in the state file and the lesson files.
func (m Mode) String() string {
	switch m {
	case Off:
		return "off"
	case Learned:
		return "learned"
	case Exact:
		return "exact"
	case Difference:
		return "difference"
	case Divergence:
		return "divergence"
	}
	return fmt.Sprintf("Mode(%d)", int(m))
}

// Title is how the panel and the legend name what the mode shows.
func (m Mode) Title() string {
	switch m {
	case Learned:
		return "learned log p_t"
	case Exact:
		return "exact log p_t"
	case Difference:
		return "learned − exact log p_t"
	case Divergence:
		return "divergence div v at t"
	}
	return "off"
}

// ParseMode reads a mode's String.
func ParseMode(s string) (Mode, bool) {
	for m := Off; m < numModes; m++ {
		if m.String() == s {
			return m, true
		}
	}
	return Off, false
}

// kind is the worker's layer kind of an on mode.
func (m Mode) kind() density.Kind {
	switch m {
	case Exact:
		return density.KindExact
	case Difference:
		return density.KindDifference
	case Divergence:
		return density.KindDivergence
	}
	return density.KindLearned
}

// signed reports whether the mode's values are signed about 0 (the
// blue–white–red map) rather than a log-density (inferno).
func (m Mode) signed() bool { return m == Difference || m == Divergence }

// needsNet reports whether the mode's layers depend on the weights.
func (m Mode) needsNet() bool { return m != Exact }
