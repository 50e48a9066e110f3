package data

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/flowviz/flowviz/flow"
)

func TestReadCSV(t *testing.T) {
	tests := []struct {
		name, in string
		want     []flow.Vec
	}{
		{"header", "x,y\n1,2\n-3.5,4e-3\n", []flow.Vec{{1, 2}, {-3.5, 4e-3}}},
		{"no header", "1,2\n3,4", []flow.Vec{{1, 2}, {3, 4}}},
		{"crlf and blanks", "x,y\r\n\r\n1,2\r\n\r\n3,4\r\n\r\n", []flow.Vec{{1, 2}, {3, 4}}},
		{"spaces and quoted header", "\uFEFF \"X\" , \"Y\"\n 1 , 2 \n", []flow.Vec{{1, 2}}},
		{"leading blank lines", "\n\nx,y\n5,6\n", []flow.Vec{{5, 6}}},
		{"numpy savetxt", "1.000000,-2.000000\n", []flow.Vec{{1, -2}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ReadCSV(strings.NewReader(tc.in), 0)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tc.want) {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Fatalf("got %v, want %v", got, tc.want)
				}
			}
		})
	}
}

func TestReadCSVErrors(t *testing.T) {
	tests := []struct {
		name, in string
		max      int
		want     string
	}{
		{"empty", "", 0, "no points"},
		{"header only", "x,y\n", 0, "no points"},
		{"nan", "x,y\n1,2\nNaN,3\n", 0, `line 3: x="NaN" is not a finite number`},
		{"inf", "x,y\n1,+Inf\n", 0, `line 2: y="+Inf"`},
		{"overflow", "1e999,0\n", 0, "line 1: x="},
		{"three fields", "x,y\n1,2,3\n", 0, "line 2: want two numbers x,y, got 3 fields"},
		{"one field", "x,y\n\n7\n", 0, "line 3: want two numbers"},
		{"bad header", "a,b\n1,2\n", 0, `line 1: x="a"`},
		{"too many", "1,2\n3,4\n5,6\n", 2, "line 3: more than 2 points"},
		// Issue 15, bug 8: finite but huge values made training diverge at step 1.
		{"huge", "x,y\n1,2\n1e308,-1e308\n", 0, "line 3: x=1e308 is beyond ±1e+06"},
		{"just beyond", "1000000.5,0\n", 0, "beyond"},
		{"too long", "1," + strings.Repeat("1", 70000) + "\n", 0, "line 1: line too long"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ReadCSV(strings.NewReader(tc.in), tc.max)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
}

func TestCSVRoundTrip(t *testing.T) {
	pts := Sample(mustParse(t, "moons"), newRNG(4), 500)
	pts = append(pts, flow.Vec{0, -0}, flow.Vec{1e-300, -MaxCoord}, flow.Vec{math.Pi, math.SmallestNonzeroFloat64})
	var buf bytes.Buffer
	if err := WriteCSV(&buf, pts); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(buf.String(), "x,y\n") {
		t.Fatalf("no header: %.20q", buf.String())
	}
	got, err := ReadCSV(&buf, len(pts))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(pts) {
		t.Fatalf("read %d points, wrote %d", len(got), len(pts))
	}
	for i := range pts {
		if got[i] != pts[i] {
			t.Fatalf("point %d: read %v, wrote %v", i, got[i], pts[i])
		}
	}
}

func TestWriteCSVRefusesNonFinite(t *testing.T) {
	err := WriteCSV(&bytes.Buffer{}, []flow.Vec{{1, 2}, {math.NaN(), 0}})
	if err == nil || !strings.Contains(err.Error(), "point 1") {
		t.Fatalf("error %v, want one naming point 1", err)
	}
}

func TestWriteCSVFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "out.csv")
	if err := os.WriteFile(path, []byte("old contents"), 0o600); err != nil {
		t.Fatal(err)
	}
	pts := []flow.Vec{{1, 2}, {3, 4.5}}
	if err := WriteCSVFile(path, pts); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(data) != "x,y\n1,2\n3,4.5\n" {
		t.Fatalf("file holds %q", data)
	}
	// A failed write leaves the old file and no temporary behind.
	if err := WriteCSVFile(path, []flow.Vec{{math.Inf(1), 0}}); err == nil {
		t.Fatal("writing an infinite point succeeded")
	}
	if again, _ := os.ReadFile(path); !bytes.Equal(again, data) {
		t.Fatalf("failed write changed the file to %q", again)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Fatalf("directory holds %d entries, want only out.csv", len(entries))
	}
	if err := WriteCSVFile(filepath.Join(dir, "missing", "x.csv"), pts); err == nil {
		t.Fatal("writing into a missing directory succeeded")
	}
}

func TestPointSet(t *testing.T) {
	pts := []flow.Vec{{1, 1}, {-2, 3}, {4, -5}}
	exact, err := NewPointSet("", pts, 0)
	if err != nil {
		t.Fatal(err)
	}
	if exact.String() != "points(n=3)" {
		t.Errorf("String() = %q", exact.String())
	}
	count := map[flow.Vec]int{}
	for _, p := range Sample(exact, newRNG(5), 30000) {
		count[p]++
	}
	if len(count) != 3 {
		t.Fatalf("jitter 0 drew %d distinct points, want the 3 given", len(count))
	}
	for _, p := range pts {
		if math.Abs(float64(count[p])-10000) > 500 {
			t.Errorf("point %v drawn %d times of 30000, want about 10000", p, count[p])
		}
	}

	jittered, err := NewPointSet("heart.csv", []flow.Vec{{2, -1}}, 0.5)
	if err != nil {
		t.Fatal(err)
	}
	if jittered.String() != "heart.csv(n=1,jitter=0.5)" {
		t.Errorf("String() = %q", jittered.String())
	}
	mean, variance := moments(Sample(jittered, newRNG(6), 40000))
	if math.Abs(mean[0]-2) > 0.02 || math.Abs(mean[1]+1) > 0.02 ||
		math.Abs(variance[0]-0.25) > 0.01 || math.Abs(variance[1]-0.25) > 0.01 {
		t.Errorf("jittered mean %v variance %v, want (2, -1) and 0.25", mean, variance)
	}

	var empty PointSet
	dst := []flow.Vec{{7, 7}}
	empty.Sample(newRNG(1), dst)
	if dst[0] != (flow.Vec{}) {
		t.Errorf("empty set sampled %v, want the origin", dst[0])
	}
	for _, bad := range []struct {
		pts    []flow.Vec
		jitter float64
		want   string
	}{
		{nil, 0, "no points"},
		{[]flow.Vec{{math.NaN(), 0}}, 0, "point 0"},
		{pts, -1, "jitter=-1"},
		{pts, math.Inf(1), "jitter=+Inf"},
	} {
		if _, err := NewPointSet("s", bad.pts, bad.jitter); err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("NewPointSet(%v, %v) error %v, want one containing %q", bad.pts, bad.jitter, err, bad.want)
		}
	}
}

func FuzzReadCSV(f *testing.F) {
	for _, s := range []string{"x,y\n1,2\n", "1,2\r\n3,4", "", "x,y\n", "NaN,1", "1,2,3", "\uFEFFx,y\n-0,0x1p-2\n",
		"x,y\n\n\n1e308,-1e308\n"} {
		f.Add([]byte(s))
	}
	// Size bombs: one endless line, a million blank lines, more rows than
	// the limit.
	f.Add([]byte("x,y\n1" + strings.Repeat("0", 1<<20) + ",2\n"))
	f.Add([]byte("x,y\n" + strings.Repeat("\n", 1<<20) + "1,2\n"))
	f.Add([]byte(strings.Repeat("1,2\n", 2000)))
	f.Fuzz(func(t *testing.T, in []byte) {
		pts, err := ReadCSV(bytes.NewReader(in), 1000)
		if err != nil {
			return
		}
		if len(pts) == 0 || len(pts) > 1000 {
			t.Fatalf("read %d points without an error", len(pts))
		}
		var buf bytes.Buffer
		if err := WriteCSV(&buf, pts); err != nil {
			t.Fatalf("points read back from CSV do not write: %v", err)
		}
		again, err := ReadCSV(&buf, 1000)
		if err != nil || len(again) != len(pts) {
			t.Fatalf("rewritten CSV does not read back: %v", err)
		}
		for i := range pts {
			if again[i] != pts[i] {
				t.Fatalf("point %d: %v became %v", i, pts[i], again[i])
			}
		}
	})
}

// A CSV file larger than MaxCSVBytes, or not a regular file, is refused by
// Load before it is read.
func TestLoadCSVRefusesBeforeReading(t *testing.T) {
	dir := t.TempDir()
	big := filepath.Join(dir, "big.csv")
	f, err := os.Create(big)
	if err != nil {
		t.Fatal(err)
	}
	f.Truncate(MaxCSVBytes + 1)
	f.Close()
	fifo := filepath.Join(dir, "fifo.csv")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{big: "more than the 61 MiB limit", fifo: "named pipe"} {
		if _, err := Load(name); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want %q", filepath.Base(name), err, want)
		}
	}
}
