// Package keepdir looks after the keep folder: the autosave never goes over
// a file this run did not read or write itself, and temporary files that
// the app's own interrupted saves left behind are cleared.
package keepdir

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/flowviz/flowviz/viz/storage"
)

// Why a file was moved aside, as it shows in the new name
// "<name>.<why>-<time>".
const (
	// Unreadable: the app could not read or restore it (damaged, newer).
	Unreadable = "unreadable"
	// Replaced: something else wrote it while the app ran.
	Replaced = "replaced"
	// Previous: the app started without restoring it (-fresh, -session,
	// settings given on the command line, or a session file refused).
	Previous = "previous"
)

// KeepPrevious is how many "previous" autosaves are kept: every fresh start
// makes one, and the oldest beyond this many are removed. Unreadable and
// replaced files are never removed.
const KeepPrevious = 5

// Autosave writes one file, Path, through Store, and refuses to replace a
// version of it that it did not read or write: such a file is first moved
// aside under a name that says why, and if it cannot be moved the save
// fails and the file stays. It is safe for concurrent use.
type Autosave struct {
	Store storage.Store
	Path  string
	Now   func() time.Time // time.Now if nil

	mu    sync.Mutex
	known fs.FileInfo // the version at Path this run read or wrote; nil for none
	why   string      // why the file at Path was not restored, "" if it was or none was there
}

func (a *Autosave) now() time.Time {
	if a.Now != nil {
		return a.Now()
	}
	return time.Now()
}

// Restored records that the version described by fi (a Stat taken before
// reading it) was read and restored: later saves may replace it. A file
// changed since fi is not that version and will be moved aside instead.
func (a *Autosave) Restored(fi fs.FileInfo) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.known, a.why = fi, ""
}

// SetAside moves the file at Path aside as why (Unreadable, usually) at
// once, and returns its new name. If it cannot be moved it stays where it
// is, marked so that every later Write first tries to move it again.
func (a *Autosave) SetAside(why string) (string, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.known, a.why = nil, why
	to, err := a.moveAside()
	if err == nil {
		a.why = ""
	}
	return to, err
}

// moveAside moves the file at Path out of the way; it is called with mu held
// and only when the file there is not one this run knows.
func (a *Autosave) moveAside() (string, error) {
	why := a.why
	if why == "" {
		why = Replaced
		if a.known == nil {
			why = Previous
		}
	}
	to, err := storage.MoveAside(a.Store, a.Path, why, a.now())
	if err != nil {
		return "", fmt.Errorf("could not move %s aside, so it was not written over: %w", filepath.Base(a.Path), err)
	}
	if why == Previous {
		a.prunePrevious()
	}
	return to, nil
}

// prunePrevious removes the oldest "previous" autosaves beyond KeepPrevious.
func (a *Autosave) prunePrevious() {
	dir, base := filepath.Split(a.Path)
	if dir == "" {
		dir = "."
	}
	entries, err := a.Store.ReadDir(dir)
	if err != nil {
		return
	}
	var prev []fs.FileInfo
	for _, e := range entries {
		if !strings.HasPrefix(e.Name(), base+"."+Previous+"-") || !e.Type().IsRegular() {
			continue
		}
		if fi, err := e.Info(); err == nil {
			prev = append(prev, fi)
		}
	}
	// A moved file keeps its modification time: the time it was saved.
	slices.SortFunc(prev, func(x, y fs.FileInfo) int { return x.ModTime().Compare(y.ModTime()) })
	for _, fi := range prev[:max(0, len(prev)-KeepPrevious)] {
		a.Store.Remove(filepath.Join(dir, fi.Name()))
	}
}

// Write replaces the file at Path with what write writes, atomically. A
// file there that this run did not read or write is moved aside first, and
// movedTo says where; if that fails, nothing is written.
func (a *Autosave) Write(write func(io.Writer) error) (movedTo string, err error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	fi, err := a.Store.Stat(a.Path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return "", err
	case a.why != "" || !storage.Same(fi, a.known):
		if movedTo, err = a.moveAside(); err != nil {
			return "", err
		}
		a.why = ""
	}
	if dir := filepath.Dir(a.Path); dir != "." {
		if err := a.Store.MkdirAll(dir); err != nil {
			return movedTo, err
		}
	}
	if err := a.Store.WriteFile(a.Path, write); err != nil {
		return movedTo, err
	}
	// What is there now is this run's: the next save may replace it.
	a.known, _ = a.Store.Stat(a.Path)
	return movedTo, nil
}

// Aside returns the names of the files in dir that name was moved aside to
// as why ("<name>.<why>-<time>"), in the order of their names.
func Aside(s storage.Store, dir, name, why string) ([]string, error) {
	entries, err := s.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), name+"."+why+"-") {
			out = append(out, filepath.Join(dir, e.Name()))
		}
	}
	return out, nil
}

// tempName matches the temporary files atomic writes of the app's own
// files make ("." + name + ".tmp" + digits, see flow/atomicfile).
var tempName = regexp.MustCompile(`^\.(.+)\.tmp[0-9]+$`)

// StaleAfter is how old a temporary file must be before Clean removes it: no
// save takes this long, so an older one was left by a kill or a crash, not
// by a save that another instance of the app is doing right now.
const StaleAfter = time.Minute

// Clean removes from dir the temporary files of the named files (as
// "autosave.flowviz") older than StaleAfter, and returns how many it
// removed. names == nil means every temporary file of the pattern, for a
// folder only the app writes into (exports).
func Clean(s storage.Store, dir string, names []string, now time.Time) int {
	entries, err := s.ReadDir(dir)
	if err != nil {
		return 0
	}
	removed := 0
	for _, e := range entries {
		m := tempName.FindStringSubmatch(e.Name())
		if m == nil || !e.Type().IsRegular() || (names != nil && !slices.Contains(names, m[1])) {
			continue
		}
		fi, err := e.Info()
		if err != nil || now.Sub(fi.ModTime()) < StaleAfter {
			continue
		}
		if s.Remove(filepath.Join(dir, e.Name())) == nil {
			removed++
		}
	}
	return removed
}
