package storage

import (
	"io"
	"io/fs"
	"os"

	"github.com/flowviz/flowviz/flow/atomicfile"
	"github.com/flowviz/flowviz/flow/limitfile"
)

// Files keeps files in the operating system's file system; names are OS
// paths. It builds for js/wasm too, where Node has a file system and a
// browser answers every call with an error; the browser's own storage is a
// second Store beside it.
type Files struct{}

var _ Store = Files{}

// Open implements Store with limitfile.Open: the file is opened without
// blocking, so a FIFO that slipped in after the check cannot hang the
// caller, and checked again on the open descriptor.
func (Files) Open(name string, limit int64) (io.ReadCloser, error) {
	return limitfile.Open(name, limit)
}

// WriteFile implements Store with atomicfile.Write.
func (Files) WriteFile(name string, write func(io.Writer) error) error {
	return atomicfile.Write(name, write)
}

// Rename implements Store.
func (Files) Rename(from, to string) error { return os.Rename(from, to) }

// Remove implements Store.
func (Files) Remove(name string) error { return os.Remove(name) }

// Stat implements Store.
func (Files) Stat(name string) (fs.FileInfo, error) { return os.Stat(name) }

// ReadDir implements Store.
func (Files) ReadDir(dir string) ([]fs.DirEntry, error) { return os.ReadDir(dir) }

// MkdirAll implements Store.
func (Files) MkdirAll(dir string) error { return os.MkdirAll(dir, 0o755) }
