package storage

import (
	"errors"
	"io"
	"io/fs"
	"sync"
)

// ErrNoSpace is what Failing's writes fail with once their budget is spent,
// as a full disk would.
var ErrNoSpace = errors.New("no space left on device")

// ErrReadOnly is what Failing fails every change with when ReadOnly is set.
var ErrReadOnly = errors.New("read-only file system")

// Failing is a Store for tests of what the app does when the disk lets it
// down: it passes everything to Store, except that writes fail with
// ErrNoSpace once Budget bytes have been written in all (a full disk; 0
// means no limit), and every change fails with ErrReadOnly while ReadOnly is
// set. It is safe for concurrent use.
type Failing struct {
	Store

	mu       sync.Mutex
	Budget   int64 // bytes all writes together may put on the disk; 0: no limit
	ReadOnly bool
	written  int64
}

var _ Store = (*Failing)(nil)

// SetReadOnly switches the read-only fault on or off.
func (f *Failing) SetReadOnly(on bool) {
	f.mu.Lock()
	f.ReadOnly = on
	f.mu.Unlock()
}

// SetBudget gives writes n more bytes before the disk is full (0: no limit).
func (f *Failing) SetBudget(n int64) {
	f.mu.Lock()
	f.Budget, f.written = n, 0
	f.mu.Unlock()
}

func (f *Failing) readOnly(op, name string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.ReadOnly {
		return &fs.PathError{Op: op, Path: name, Err: ErrReadOnly}
	}
	return nil
}

// WriteFile implements Store; the write fails part-way when the budget runs out.
func (f *Failing) WriteFile(name string, write func(io.Writer) error) error {
	if err := f.readOnly("write", name); err != nil {
		return err
	}
	return f.Store.WriteFile(name, func(w io.Writer) error {
		return write(&budgetWriter{f: f, w: w, name: name})
	})
}

// Rename implements Store.
func (f *Failing) Rename(from, to string) error {
	if err := f.readOnly("rename", from); err != nil {
		return err
	}
	return f.Store.Rename(from, to)
}

// Remove implements Store.
func (f *Failing) Remove(name string) error {
	if err := f.readOnly("remove", name); err != nil {
		return err
	}
	return f.Store.Remove(name)
}

// MkdirAll implements Store.
func (f *Failing) MkdirAll(dir string) error {
	if err := f.readOnly("mkdir", dir); err != nil {
		return err
	}
	return f.Store.MkdirAll(dir)
}

// budgetWriter writes until its Failing's budget is spent.
type budgetWriter struct {
	f    *Failing
	w    io.Writer
	name string
}

func (b *budgetWriter) Write(p []byte) (int, error) {
	b.f.mu.Lock()
	room := int64(len(p))
	if b.f.Budget > 0 {
		room = min(room, b.f.Budget-b.f.written)
	}
	b.f.written += max(0, room)
	b.f.mu.Unlock()
	if room < int64(len(p)) {
		n, _ := b.w.Write(p[:max(0, room)])
		return n, &fs.PathError{Op: "write", Path: b.name, Err: ErrNoSpace}
	}
	return b.w.Write(p)
}
