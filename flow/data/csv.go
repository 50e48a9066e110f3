package data

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/flowviz/flowviz/flow"
	"github.com/flowviz/flowviz/flow/atomicfile"
)

// MaxCSVPoints is the number of rows Load accepts from a CSV file: far more
// than a 2D target needs, few enough to stay a few tens of MB in memory.
const MaxCSVPoints = 1_000_000

// MaxCSVBytes bounds a CSV file Load reads: MaxCSVPoints lines of up to 64
// bytes. A larger file is refused before it is read.
const MaxCSVBytes = MaxCSVPoints * 64

// MaxCoord bounds every coordinate read from a file: a million units is far
// beyond any view, and keeps squared distances and the training loss well
// inside float32 (a CSV of 1e308 made training diverge at step 1).
const MaxCoord = 1e6

// ReadCSV reads points from "x,y" lines under an "x,y" header. The header
// may be missing if the first line is numeric; blank lines are skipped and
// \r\n line ends and a leading UTF-8 byte-order mark are accepted. Rows that
// are not two finite numbers are refused with their line number, and so is
// input with no points or with more than maxPoints of them (maxPoints ≤ 0
// means no limit).
func ReadCSV(r io.Reader, maxPoints int) ([]flow.Vec, error) {
	pts, _, err := readCSV(r, maxPoints, false)
	return pts, err
}

// readCSV is ReadCSV, and with labelled ReadLabeledCSV.
func readCSV(r io.Reader, maxPoints int, labelled bool) ([]flow.Vec, []int, error) {
	sc := bufio.NewScanner(r)
	var pts []flow.Vec
	var labels []int
	line := 0
	first := true
	cols := 0 // 2 or 3 once the first row or a header has said
	for sc.Scan() {
		line++
		text := strings.TrimSpace(sc.Text())
		if line == 1 {
			text = strings.TrimSpace(strings.TrimPrefix(text, "\uFEFF"))
		}
		if text == "" {
			continue
		}
		if first {
			first = false
			if isHeader(text) {
				continue
			}
			if labelled && isLabelHeader(text) {
				cols = 3
				continue
			}
		}
		if labelled && cols == 0 {
			cols = 2
			if strings.Count(text, ",") == 2 {
				cols = 3
			}
		}
		var p flow.Vec
		var err error
		if cols == 3 {
			var k int
			p, k, err = parseLabelledRow(text)
			labels = append(labels, k)
		} else {
			p, err = parseRow(text)
		}
		if err != nil {
			return nil, nil, fmt.Errorf("data: csv line %d: %w", line, err)
		}
		if maxPoints > 0 && len(pts) >= maxPoints {
			return nil, nil, fmt.Errorf("data: csv line %d: more than %d points", line, maxPoints)
		}
		pts = append(pts, p)
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return nil, nil, fmt.Errorf("data: csv line %d: line too long", line+1)
		}
		return nil, nil, fmt.Errorf("data: csv: %w", err)
	}
	if len(pts) == 0 {
		return nil, nil, errors.New("data: csv has no points")
	}
	return pts, labels, nil
}

// isHeader reports whether a line is the "x,y" header, allowing spaces,
// quotes and upper case.
func isHeader(text string) bool {
	x, y, ok := strings.Cut(text, ",")
	unquote := func(s string) string { return strings.ToLower(strings.Trim(strings.TrimSpace(s), `"`)) }
	return ok && unquote(x) == "x" && unquote(y) == "y"
}

// parseRow parses "x,y" into a finite point.
func parseRow(text string) (flow.Vec, error) {
	x, y, ok := strings.Cut(text, ",")
	if !ok || strings.Contains(y, ",") {
		return flow.Vec{}, fmt.Errorf("want two numbers x,y, got %d fields in %q", strings.Count(text, ",")+1, clip(text))
	}
	var p flow.Vec
	for k, field := range [2]string{x, y} {
		field = strings.TrimSpace(field)
		v, err := strconv.ParseFloat(field, 64)
		if err != nil || !finite(v) {
			return flow.Vec{}, fmt.Errorf("%s=%q is not a finite number", "xy"[k:k+1], clip(field))
		}
		if math.Abs(v) > MaxCoord {
			return flow.Vec{}, fmt.Errorf("%s=%s is beyond ±%g, the largest coordinate accepted", "xy"[k:k+1], clip(field), MaxCoord)
		}
		p[k] = v
	}
	return p, nil
}

// clip shortens s for an error message.
func clip(s string) string {
	const n = 40
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// WriteCSV writes pts as "x,y" lines under an "x,y" header. Each number is
// the shortest decimal that reads back to the same float64, so files
// round-trip exactly. Non-finite points are refused: ReadCSV would refuse
// the file.
func WriteCSV(w io.Writer, pts []flow.Vec) error {
	bw := bufio.NewWriter(w)
	bw.WriteString("x,y\n")
	var buf []byte
	for i, p := range pts {
		if !finite(p[0]) || !finite(p[1]) {
			return fmt.Errorf("data: csv: point %d = %v is not finite", i, p)
		}
		buf = strconv.AppendFloat(buf[:0], p[0], 'g', -1, 64)
		buf = append(buf, ',')
		buf = strconv.AppendFloat(buf, p[1], 'g', -1, 64)
		buf = append(buf, '\n')
		bw.Write(buf)
	}
	// bufio.Writer keeps the first write error and returns it here.
	return bw.Flush()
}

// WriteCSVFile writes pts to path atomically: into a temporary file in the
// same directory, synced to disk, then renamed over path, so that a reader
// never sees half a file and a crash never leaves one.
func WriteCSVFile(path string, pts []flow.Vec) error {
	if err := atomicfile.Write(path, func(w io.Writer) error { return WriteCSV(w, pts) }); err != nil {
		return fmt.Errorf("data: %w", err)
	}
	return nil
}
