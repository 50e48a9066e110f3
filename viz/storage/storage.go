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

	"github.com/flowviz/flowviz/flow/limitfile"
)

// ErrFull marks a write refused because the storage is full: a browser's
// localStorage, which holds a few MB per site, reports it.
var ErrFull = errors.New("storage is full")

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

// ErrNotRegular is returned for a name that is not a regular file.
var ErrNotRegular = limitfile.ErrNotRegular

// TooLargeError is a file refused because it is larger than a format's
// limit; its message names both sizes.
type TooLargeError = limitfile.TooLargeError

// Bytes formats a size for a message: 512 MiB, 64 KiB, 300 bytes.
func Bytes(n int64) string { return limitfile.Bytes(n) }

// ReadFile reads the whole of name from s under limit.
func ReadFile(s Store, name string, limit int64) ([]byte, error) {
	r, err := s.Open(name, limit)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	return limitfile.ReadAll(r, 0)
}

// LimitReader wraps r as Open's readers are wrapped: a read past limit
// bytes fails with a *TooLargeError naming name.
func LimitReader(r io.ReadCloser, name string, limit int64) io.ReadCloser {
	return limitfile.Reader(r, name, limit)
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
