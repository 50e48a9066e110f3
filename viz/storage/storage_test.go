package storage

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestOpenRefusesBeforeReading(t *testing.T) {
	dir := t.TempDir()
	small := filepath.Join(dir, "small")
	big := filepath.Join(dir, "big")
	fifo := filepath.Join(dir, "fifo")
	if err := os.WriteFile(small, []byte("hello"), 0o644); err != nil {
		t.Fatal(err)
	}
	// A sparse 2 GiB file: refused by its size, never read.
	f, err := os.Create(big)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(2 << 30); err != nil {
		t.Fatal(err)
	}
	f.Close()
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name  string
		limit int64
		want  string // "" for success
	}{
		{small, 5, ""},
		{small, 4, "more than the 4 bytes limit"},
		{big, 512 << 20, "is 2 GiB, more than the 512 MiB limit"},
		{fifo, 1 << 20, "named pipe"},
		{dir, 1 << 20, "a folder"},
		{filepath.Join(dir, "missing"), 1, "no such file"},
	} {
		done := make(chan struct{})
		var got []byte
		go func() {
			defer close(done)
			got, err = ReadFile(Files{}, c.name, c.limit)
		}()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			t.Fatalf("%s: Open blocked", c.name)
		}
		switch {
		case c.want == "" && (err != nil || string(got) != "hello"):
			t.Errorf("%s: %q, %v", filepath.Base(c.name), got, err)
		case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
			t.Errorf("%s: err %v, want %q", filepath.Base(c.name), err, c.want)
		}
	}
}

// A file that grows after the size check is cut off at the limit.
func TestLimitReaderStopsAGrowingFile(t *testing.T) {
	r := LimitReader(io.NopCloser(strings.NewReader(strings.Repeat("x", 100))), "grows", 10)
	b, err := io.ReadAll(r)
	var tl *TooLargeError
	if !errors.As(err, &tl) || len(b) != 10 || !strings.Contains(err.Error(), "grew past the 10 bytes limit") {
		t.Fatalf("read %d bytes, %v", len(b), err)
	}
	b, err = io.ReadAll(LimitReader(io.NopCloser(strings.NewReader("0123456789")), "exact", 10))
	if err != nil || len(b) != 10 {
		t.Fatalf("exactly the limit: %d bytes, %v", len(b), err)
	}
}

func TestMoveAsideKeepsEveryFile(t *testing.T) {
	dir := t.TempDir()
	name := filepath.Join(dir, "autosave.flowviz")
	now := time.Date(2026, 11, 30, 13, 4, 5, 0, time.UTC)
	var moved []string
	for i := range 3 {
		if err := os.WriteFile(name, []byte{byte('a' + i)}, 0o644); err != nil {
			t.Fatal(err)
		}
		to, err := MoveAside(Files{}, name, "unreadable", now)
		if err != nil {
			t.Fatal(err)
		}
		moved = append(moved, filepath.Base(to))
	}
	want := []string{
		"autosave.flowviz.unreadable-20261130-130405",
		"autosave.flowviz.unreadable-20261130-130405-2",
		"autosave.flowviz.unreadable-20261130-130405-3",
	}
	for i := range want {
		if moved[i] != want[i] {
			t.Fatalf("moved to %v, want %v", moved, want)
		}
		b, _ := os.ReadFile(filepath.Join(dir, want[i]))
		if string(b) != string(rune('a'+i)) {
			t.Errorf("%s holds %q", want[i], b)
		}
	}
	if _, err := os.Stat(name); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the name is not free: %v", err)
	}
}

func TestFailingFullDiskKeepsOldFile(t *testing.T) {
	dir := t.TempDir()
	name := filepath.Join(dir, "f")
	if err := os.WriteFile(name, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	s := &Failing{Store: Files{}}
	s.SetBudget(10)
	err := s.WriteFile(name, func(w io.Writer) error {
		_, err := io.WriteString(w, strings.Repeat("new", 100))
		return err
	})
	if !errors.Is(err, ErrNoSpace) {
		t.Fatalf("err %v, want no space", err)
	}
	if b, _ := os.ReadFile(name); string(b) != "old" {
		t.Errorf("file holds %q after a full disk", b)
	}
	if es, _ := os.ReadDir(dir); len(es) != 1 {
		t.Errorf("%d entries: the temporary file stayed", len(es))
	}
	s.SetBudget(0)
	if err := s.WriteFile(name, func(w io.Writer) error { _, err := io.WriteString(w, "new"); return err }); err != nil {
		t.Fatalf("after space was freed: %v", err)
	}
	s.SetReadOnly(true)
	for op, err := range map[string]error{
		"write":  s.WriteFile(name, func(io.Writer) error { return nil }),
		"rename": s.Rename(name, name+".x"),
		"remove": s.Remove(name),
		"mkdir":  s.MkdirAll(filepath.Join(dir, "d")),
	} {
		if !errors.Is(err, ErrReadOnly) {
			t.Errorf("%s on a read-only store: %v", op, err)
		}
	}
	if b, _ := os.ReadFile(name); string(b) != "new" {
		t.Errorf("file holds %q", b)
	}
}

func TestSame(t *testing.T) {
	dir := t.TempDir()
	name := filepath.Join(dir, "f")
	os.WriteFile(name, []byte("one"), 0o644)
	a, _ := os.Stat(name)
	b, _ := os.Stat(name)
	if !Same(a, b) {
		t.Error("one file, two stats: not the same")
	}
	// Replaced by another file of the same size (a copy put in its place).
	other := filepath.Join(dir, "g")
	os.WriteFile(other, []byte("two"), 0o644)
	os.Chtimes(other, a.ModTime(), a.ModTime())
	os.Rename(other, name)
	c, _ := os.Stat(name)
	if Same(a, c) {
		t.Error("a replaced file counts as the same")
	}
	if Same(a, nil) {
		t.Error("nil is the same")
	}
}

func TestBytes(t *testing.T) {
	for n, want := range map[int64]string{300: "300 bytes", 64 << 10: "64 KiB", 512 << 20: "512 MiB", 2 << 30: "2 GiB", 1536 << 10: "1.5 MiB"} {
		if got := Bytes(n); got != want {
			t.Errorf("Bytes(%d) = %q, want %q", n, got, want)
		}
	}
}
