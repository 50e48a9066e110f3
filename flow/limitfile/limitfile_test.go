package limitfile

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

func TestReadFile(t *testing.T) {
	dir := t.TempDir()
	ok := filepath.Join(dir, "ok")
	os.WriteFile(ok, []byte("0123456789"), 0o644)
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name  string
		limit int64
		want  string
	}{
		{ok, 10, ""},
		{ok, 9, "is 10 bytes, more than the 9 bytes limit"},
		{fifo, 10, "named pipe"},
		{dir, 10, "a folder"},
	} {
		b, err := ReadFile(c.name, c.limit)
		switch {
		case c.want == "" && (err != nil || string(b) != "0123456789" || cap(b) != 11):
			t.Errorf("%s: %q (cap %d), %v", c.name, b, cap(b), err)
		case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
			t.Errorf("%s: %v, want %q", c.name, err, c.want)
		}
	}
	if _, err := ReadFile(fifo, 10); !errors.Is(err, ErrNotRegular) {
		t.Errorf("a FIFO: %v, want ErrNotRegular", err)
	}
}

func TestReaderCutsAtTheLimit(t *testing.T) {
	b, err := ReadAll(Reader(io.NopCloser(strings.NewReader(strings.Repeat("x", 100))), "grows", 10), 0)
	var tl *TooLargeError
	if !errors.As(err, &tl) || len(b) != 10 || !strings.Contains(err.Error(), "grows grew past the 10 bytes limit") {
		t.Fatalf("read %d bytes, %v", len(b), err)
	}
}
