package compare

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"
	"text/tabwriter"
)

// Side says which of two models, A or B, a metric favours.
type Side int8

const (
	Tie Side = iota // equal within the metric's tie band, or not judged
	A               // the first model is better
	B               // the second model is better
)

// String returns "tie", "A" or "B".
func (s Side) String() string {
	switch s {
	case A:
		return "A"
	case B:
		return "B"
	}
	return "tie"
}

// MarshalText writes the side as String does, so JSON shows "A", "B" or "tie".
func (s Side) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// Verdict says, metric by metric, which model is better. Step is not
// judged: more steps is not a better model.
type Verdict struct {
	Loss         Side `json:"loss"`
	W2           Side `json:"w2"`
	W2OneStep    Side `json:"w2_one_step"`
	Straightness Side `json:"straightness"`
	NPE          Side `json:"npe"`
	NFE          Side `json:"nfe"`
	StepsPerSec  Side `json:"steps_per_sec"`
}

// Tie bands: two values tie when they differ by at most this fraction of the
// larger magnitude. Two trainers of the same network sharing the CPU are
// meant to stay within 10 % of each other's steps/s, so a smaller gap in
// speed says nothing about the models.
const (
	TieBand      = 0.01
	SpeedTieBand = 0.10
)

// metric is one row of the comparison: how to read it, how to judge it.
type metric struct {
	name, json string
	value      func(Metrics) float64
	format     func(float64) string
	lower      bool    // lower is better
	band       float64 // relative tie band; 0 means exact
	side       func(*Verdict) *Side
}

func fixed(prec int) func(float64) string {
	return func(x float64) string {
		if math.IsNaN(x) {
			return "–"
		}
		return strconv.FormatFloat(x, 'f', prec, 64)
	}
}

// metrics lists the rows in the order of the strip; nil side: not judged.
var metrics = []metric{
	{"step", "step", func(m Metrics) float64 { return float64(m.Step) }, fixed(0), false, 0, nil},
	{"loss", "loss", func(m Metrics) float64 { return m.Loss }, fixed(4), true, TieBand,
		func(v *Verdict) *Side { return &v.Loss }},
	{"W2", "w2", func(m Metrics) float64 { return m.W2 }, fixed(4), true, TieBand,
		func(v *Verdict) *Side { return &v.W2 }},
	{"W2 after 1 step", "w2_one_step", func(m Metrics) float64 { return m.W2OneStep }, fixed(4), true, TieBand,
		func(v *Verdict) *Side { return &v.W2OneStep }},
	{"straightness", "straightness", func(m Metrics) float64 { return m.Straightness }, fixed(4), true, TieBand,
		func(v *Verdict) *Side { return &v.Straightness }},
	{"NPE", "npe", func(m Metrics) float64 { return m.NPE }, fixed(4), true, TieBand,
		func(v *Verdict) *Side { return &v.NPE }},
	{"NFE", "nfe", func(m Metrics) float64 { return float64(m.NFE) }, fixed(0), true, 0,
		func(v *Verdict) *Side { return &v.NFE }},
	{"steps/s", "steps_per_sec", func(m Metrics) float64 { return m.StepsPerSec }, fixed(0), false, SpeedTieBand,
		func(v *Verdict) *Side { return &v.StepsPerSec }},
}

// Better judges a against b metric by metric: lower loss, W2, W2 after one
// step, straightness, NPE and NFE are better, higher steps/s is. Values
// within the metric's tie band (TieBand, SpeedTieBand; NFE exactly) tie; a
// NaN loses to a number, and two NaNs tie.
func Better(a, b Metrics) Verdict {
	var v Verdict
	for _, m := range metrics {
		if m.side != nil {
			*m.side(&v) = judge(m.value(a), m.value(b), m.lower, m.band)
		}
	}
	return v
}

func judge(a, b float64, lower bool, band float64) Side {
	switch {
	case math.IsNaN(a) && math.IsNaN(b):
		return Tie
	case math.IsNaN(a):
		return B
	case math.IsNaN(b):
		return A
	case a == b || math.Abs(a-b) <= band*max(math.Abs(a), math.Abs(b)):
		return Tie
	case (a < b) == lower:
		return A
	}
	return B
}

// Report is a finished comparison: the two models' labels and metrics and
// the verdict.
type Report struct {
	LabelA, LabelB string
	A, B           Metrics
	Better         Verdict
}

// NewReport judges a against b.
func NewReport(labelA, labelB string, a, b Metrics) Report {
	return Report{LabelA: labelA, LabelB: labelB, A: a, B: b, Better: Better(a, b)}
}

// WriteTable writes the comparison as a plain-text table, one metric a row,
// the better value marked with * and a tie with =:
//
//	metric           A: independent  B: coupling=ot
//	W2               0.1432          0.1021 *
func (r Report) WriteTable(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "metric\tA: %s\tB: %s\n", r.LabelA, r.LabelB)
	for _, m := range metrics {
		ma, mb := " ", " "
		if m.side != nil {
			switch *m.side(&r.Better) {
			case A:
				ma = "*"
			case B:
				mb = "*"
			default:
				ma, mb = "=", "="
			}
		}
		fmt.Fprintf(tw, "%s\t%s %s\t%s %s\n", m.name, m.format(m.value(r.A)), ma, m.format(m.value(r.B)), mb)
	}
	fmt.Fprintf(tw, "(* better, = tie within %.0f%% (steps/s %.0f%%); lower is better except steps/s)\n", 100*TieBand, 100*SpeedTieBand)
	return tw.Flush()
}

// MarshalJSON writes the metrics with snake_case keys; a NaN or infinite
// value (the loss before the first step) is null.
func (m Metrics) MarshalJSON() ([]byte, error) {
	out := make(map[string]any, len(metrics))
	for _, row := range metrics {
		x := row.value(m)
		switch {
		case !finite(x):
			out[row.json] = nil
		case row.json == "step" || row.json == "nfe":
			out[row.json] = int(x)
		default:
			out[row.json] = x
		}
	}
	return json.Marshal(out)
}

// reportJSON is the JSON layout of a Report.
type reportJSON struct {
	A      side    `json:"a"`
	B      side    `json:"b"`
	Better Verdict `json:"better"`
}

type side struct {
	Label   string  `json:"label"`
	Metrics Metrics `json:"metrics"`
}

// WriteJSON writes the report as indented JSON: {"a": {"label", "metrics"},
// "b": {…}, "better": {metric: "A" | "B" | "tie"}}.
func (r Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(reportJSON{
		A:      side{r.LabelA, r.A},
		B:      side{r.LabelB, r.B},
		Better: r.Better,
	})
}
