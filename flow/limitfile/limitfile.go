// Package limitfile opens files for reading under a size limit: anything but
// a regular file, and any file larger than the limit, is refused before a
// byte is read, and a file that grows while it is read is cut off at the
// limit with an error. Every format flowviz reads goes through it.
package limitfile

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
)

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

// Check refuses what Open must not read, from a description of it.
func Check(name string, fi fs.FileInfo, limit int64) error {
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

// Open opens name for reading under limit. The file is opened without
// blocking, so a FIFO that slipped in after the check cannot hang the
// caller, and checked again on the open descriptor.
func Open(name string, limit int64) (io.ReadCloser, error) {
	fi, err := os.Stat(name)
	if err != nil {
		return nil, err
	}
	if err := Check(name, fi, limit); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(name, os.O_RDONLY|openNonblock, 0)
	if err != nil {
		return nil, err
	}
	if fi, err = f.Stat(); err == nil {
		err = Check(name, fi, limit)
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	return Reader(f, name, limit), nil
}

// ReadFile reads the whole of name under limit into a buffer of the file's
// size: no more memory than the file needs.
func ReadFile(name string, limit int64) ([]byte, error) {
	r, err := Open(name, limit)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	return ReadAll(r, 0)
}

// ReadAll reads r to the end, starting from a buffer of sizeHint bytes (the
// size a Stat gave; 0 if unknown).
func ReadAll(r io.Reader, sizeHint int64) ([]byte, error) {
	if l, ok := r.(*limited); ok && sizeHint == 0 {
		if f, ok := l.r.(*os.File); ok {
			if fi, err := f.Stat(); err == nil {
				sizeHint = fi.Size()
			}
		}
	}
	buf := make([]byte, 0, sizeHint+1) // +1: EOF is seen without growing
	for {
		n, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return buf, err
		}
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
	}
}

// limited reads at most limit bytes and fails with a *TooLargeError on the
// byte after.
type limited struct {
	r     io.ReadCloser
	name  string
	limit int64
	n     int64 // bytes read so far
}

func (l *limited) Read(p []byte) (int, error) {
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

func (l *limited) Close() error { return l.r.Close() }

// Reader wraps r so that a read past limit bytes fails with a
// *TooLargeError naming name.
func Reader(r io.ReadCloser, name string, limit int64) io.ReadCloser {
	return &limited{r: r, name: name, limit: limit}
}
