package data

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/flowviz/flowviz/flow"
)

// MaxLabel bounds the class labels a CSV file may carry: as many classes as
// a conditional network takes (mlp.MaxClasses).
const MaxLabel = 99

// ReadLabeledCSV reads a point set whose rows may carry a class label:
// "x,y,label" rows under an "x,y,label" header (or none), the label an
// integer in 0..MaxLabel, e.g. the colour a point was drawn in. A plain
// "x,y" file reads as ReadCSV does, with nil labels. Within a file every row
// has the same number of fields.
func ReadLabeledCSV(r io.Reader, maxPoints int) ([]flow.Vec, []int, error) {
	return readCSV(r, maxPoints, true)
}

// isLabelHeader reports whether a line is the "x,y,label" header.
func isLabelHeader(text string) bool {
	fields := strings.Split(text, ",")
	if len(fields) != 3 {
		return false
	}
	for i, want := range [3]string{"x", "y", "label"} {
		if strings.ToLower(strings.Trim(strings.TrimSpace(fields[i]), `"`)) != want {
			return false
		}
	}
	return true
}

// parseLabelledRow parses "x,y,label".
func parseLabelledRow(text string) (flow.Vec, int, error) {
	i := strings.LastIndex(text, ",")
	if i < 0 || strings.Count(text, ",") != 2 {
		return flow.Vec{}, 0, fmt.Errorf("want x,y,label, got %d fields in %q", strings.Count(text, ",")+1, clip(text))
	}
	p, err := parseRow(text[:i])
	if err != nil {
		return flow.Vec{}, 0, err
	}
	field := strings.TrimSpace(text[i+1:])
	k, err := strconv.Atoi(field)
	if err != nil || k < 0 || k > MaxLabel {
		return flow.Vec{}, 0, fmt.Errorf("label=%q is not an integer in 0..%d", clip(field), MaxLabel)
	}
	return p, k, nil
}

// WriteLabeledCSV writes pts with their labels as "x,y,label" rows under that
// header; labels must hold one entry per point in 0..MaxLabel.
func WriteLabeledCSV(w io.Writer, pts []flow.Vec, labels []int) error {
	if len(labels) != len(pts) {
		return fmt.Errorf("data: csv: %d labels for %d points", len(labels), len(pts))
	}
	bw := bufio.NewWriter(w)
	bw.WriteString("x,y,label\n")
	var buf []byte
	for i, p := range pts {
		if !finite(p[0]) || !finite(p[1]) || labels[i] < 0 || labels[i] > MaxLabel {
			return fmt.Errorf("data: csv: point %d = %v with label %d cannot be written", i, p, labels[i])
		}
		buf = strconv.AppendFloat(buf[:0], p[0], 'g', -1, 64)
		buf = append(buf, ',')
		buf = strconv.AppendFloat(buf, p[1], 'g', -1, 64)
		buf = append(buf, ',')
		buf = strconv.AppendInt(buf, int64(labels[i]), 10)
		buf = append(buf, '\n')
		bw.Write(buf)
	}
	return bw.Flush()
}
