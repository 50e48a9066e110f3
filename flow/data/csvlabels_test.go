package data

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/flowviz/flowviz/flow"
)

func TestReadLabeledCSV(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		pts      []flow.Vec
		labels   []int
		err      string
	}{
		{"header", "x,y,label\n1,2,0\n3,4,2\n", []flow.Vec{{1, 2}, {3, 4}}, []int{0, 2}, ""},
		{"no header", "1,2,1\r\n3,4,0", []flow.Vec{{1, 2}, {3, 4}}, []int{1, 0}, ""},
		{"quoted header", "\"X\", \"Y\", \"Label\"\n1,2,3\n", []flow.Vec{{1, 2}}, []int{3}, ""},
		{"plain x,y", "x,y\n1,2\n", []flow.Vec{{1, 2}}, nil, ""},
		{"missing label", "x,y,label\n1,2,0\n3,4\n", nil, nil, "line 3"},
		{"extra label", "1,2\n3,4,1\n", nil, nil, "line 2"},
		{"negative label", "1,2,-1\n", nil, nil, "label"},
		{"label too large", "1,2,100\n", nil, nil, "0..99"},
		{"fractional label", "1,2,0.5\n", nil, nil, "label"},
		{"bad x", "x,y,label\nq,2,0\n", nil, nil, "x="},
		{"four fields", "1,2,3,4\n", nil, nil, "fields"},
		{"no rows", "x,y,label\n", nil, nil, "no points"},
	} {
		pts, labels, err := ReadLabeledCSV(strings.NewReader(tc.in), 0)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%s: error %v, want one containing %q", tc.name, err, tc.err)
			}
			continue
		}
		if err != nil || !slices.Equal(pts, tc.pts) || !slices.Equal(labels, tc.labels) {
			t.Errorf("%s: %v %v %v; want %v %v", tc.name, pts, labels, err, tc.pts, tc.labels)
		}
	}
	// ReadCSV keeps refusing a third column.
	if _, err := ReadCSV(strings.NewReader("1,2,0\n"), 0); err == nil {
		t.Error("ReadCSV accepted x,y,label")
	}
}

// TestLoadLabeledCSV loads a labelled file as a labelled point set.
func TestLoadLabeledCSV(t *testing.T) {
	path := filepath.Join(t.TempDir(), "drawn.csv")
	var buf bytes.Buffer
	if err := WriteLabeledCSV(&buf, []flow.Vec{{0, 0}, {1, 1}, {2, 2}}, []int{0, 1, 1}); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	d, err := Load(path + ":jitter=0.1")
	if err != nil {
		t.Fatal(err)
	}
	if NumClasses(d) != 2 || !slices.Equal(d.(*PointSet).Labels, []int{0, 1, 1}) {
		t.Fatalf("loaded %v with %d classes", d, NumClasses(d))
	}
	if err := WriteLabeledCSV(&buf, []flow.Vec{{0, 0}}, []int{100}); err == nil {
		t.Error("wrote label 100")
	}
}

func FuzzReadLabeledCSV(f *testing.F) {
	for _, s := range []string{"x,y,label\n1,2,0\n", "1,2,99\r\n3,4,0", "", "x,y,label\n", "1,2,1e9", "1,2,3,4",
		"x,y\n1,2\n", "1,2,99999999999999999999999"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		pts, labels, err := ReadLabeledCSV(bytes.NewReader(in), 1000)
		if err != nil {
			return
		}
		if len(pts) == 0 || len(pts) > 1000 || (labels != nil && len(labels) != len(pts)) {
			t.Fatalf("read %d points and %d labels without an error", len(pts), len(labels))
		}
		if labels == nil {
			return
		}
		var buf bytes.Buffer
		if err := WriteLabeledCSV(&buf, pts, labels); err != nil {
			t.Fatalf("labelled points read from CSV do not write: %v", err)
		}
		again, againLabels, err := ReadLabeledCSV(&buf, 1000)
		if err != nil || !slices.Equal(again, pts) || !slices.Equal(againLabels, labels) {
			t.Fatalf("rewritten CSV does not read back: %v", err)
		}
	})
}
