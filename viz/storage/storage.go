// Package storage is the one door to the files flowviz keeps: the keep
// folder's autosave and sessions, the drawing, and exports. Store is small so
// that a browser build can keep the same things in its own storage; Files is
// the desktop implementation and Failing a faulty one for tests.
package storage

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"time"
)

// Store is what the app needs from a place to keep files. Names are
// slash- or OS-separated paths, as the implementation documents.
type Store interface {
	// Open opens name for reading. It refuses, before reading a byte,
	// anything that is not a regular file (a FIFO, a device, a folder) and
	// a file larger than limit bytes; the reader it returns fails with a
	// *TooLargeError if the file grows past limit while it is read.
	Open(name string, limit int64) (io.ReadCloser, error)
	// WriteFile calls write with a temporary file beside name and renames
	// it over name only if everything succeeded: a failure, a full disk or
	// a kill leaves the old file or the new one, never a torn one.
	WriteFile(name string, write func(io.Writer) error) error
	// Rename moves a file, within one folder, replacing nothing the
	// caller did not check for.
	Rename(from, to string) error
	// Remove deletes a file.
	Remove(name string) error
	// Stat describes a file without opening it.
	Stat(name string) (fs.FileInfo, error)
	// ReadDir lists a folder.
	ReadDir(dir string) ([]fs.DirEntry, error)
	// MkdirAll creates a folder and its parents.
	MkdirAll(dir string) error
}

// ErrNotRegular is returned for a name that is not a regular file: opening
// a FIFO would block until some writer came, a device could be endless.
var ErrNotRegular = errors.New("not a regular file")

// TooLargeError is a file refused because it is larger than a format's
// limit. Its message names both sizes.
type TooLargeError struct {
	Name  string
	Size  int64 // -1 when the file grew past Limit while being read
	Limit int64
}

func (e *TooLargeError) Error() string {
	if e.Size < 0 {
		return fmt.Sprintf("%s grew past the %s limit while being read", e.Name, Bytes(e.Limit))
	}
	return fmt.Sprintf("%s is %s, more than the %s limit", e.Name, Bytes(e.Size), Bytes(e.Limit))
}

// Bytes formats a size for a message: 512 MiB, 64 KiB, 300 bytes.
func Bytes(n int64) string {
	switch {
	case n >= 1<<30 && n%(1<<30) == 0:
		return fmt.Sprintf("%d GiB", n>>30)
	case n >= 1<<20:
		return fmt.Sprintf("%.3g MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.3g KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}

// ReadFile reads the whole of name from s under limit.
func ReadFile(s Store, name string, limit int64) ([]byte, error) {
	r, err := s.Open(name, limit)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	return io.ReadAll(r)
}

// checkInfo refuses what Open must not read.
func checkInfo(name string, fi fs.FileInfo, limit int64) error {
	if !fi.Mode().IsRegular() {
		return &fs.PathError{Op: "open", Path: name, Err: fmt.Errorf("%w (%s)", ErrNotRegular, kind(fi.Mode()))}
	}
	if fi.Size() > limit {
		return &TooLargeError{Name: name, Size: fi.Size(), Limit: limit}
	}
	return nil
}

func kind(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "a folder"
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeDevice != 0:
		return "a device"
	}
	return "mode " + m.String()
}

// limitedReader reads at most limit bytes of r and fails with a
// *TooLargeError on the byte after, so a file that grows between the check
// and the read cannot go past the limit.
type limitedReader struct {
	r     io.ReadCloser
	name  string
	limit int64
	n     int64 // bytes read so far
}

func (l *limitedReader) Read(p []byte) (int, error) {
	if l.n > l.limit {
		return 0, &TooLargeError{Name: l.name, Size: -1, Limit: l.limit}
	}
	if rest := l.limit + 1 - l.n; int64(len(p)) > rest {
		p = p[:rest]
	}
	n, err := l.r.Read(p)
	l.n += int64(n)
	if l.n > l.limit {
		return n - int(l.n-l.limit), &TooLargeError{Name: l.name, Size: -1, Limit: l.limit}
	}
	return n, err
}

func (l *limitedReader) Close() error { return l.r.Close() }

// LimitReader wraps r as Open's readers are wrapped: a read past limit
// bytes fails with a *TooLargeError naming name.
func LimitReader(r io.ReadCloser, name string, limit int64) io.ReadCloser {
	return &limitedReader{r: r, name: name, limit: limit}
}

// MoveAside renames name to "<name>.<why>-<time>" (with -2, -3, … if that
// is taken) so that the file is kept and its place is free, and returns the
// new name.
func MoveAside(s Store, name, why string, now time.Time) (string, error) {
	stem := name + "." + why + "-" + now.Format("20060102-150405")
	to := stem
	for i := 2; ; i++ {
		if _, err := s.Stat(to); errors.Is(err, fs.ErrNotExist) {
			break
		} else if err != nil {
			return "", err
		}
		if i > 100 {
			return "", fmt.Errorf("no free name to move %s aside to", name)
		}
		to = fmt.Sprintf("%s-%d", stem, i)
	}
	if err := s.Rename(name, to); err != nil {
		return "", err
	}
	return to, nil
}

// Same reports whether a and b describe the same version of one file: the
// same size and modification time and, where the system says, the same file.
func Same(a, b fs.FileInfo) bool {
	if a == nil || b == nil || a.Size() != b.Size() || !a.ModTime().Equal(b.ModTime()) {
		return false
	}
	if a.Sys() != nil && b.Sys() != nil {
		return os.SameFile(a, b)
	}
	return true
}

// Base is the last element of name, for messages.
func Base(name string) string { return path.Base(name) }
