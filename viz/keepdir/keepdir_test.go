package keepdir

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/flowviz/flowviz/viz/storage"
)

func write(s string) func(io.Writer) error {
	return func(w io.Writer) error { _, err := io.WriteString(w, s); return err }
}

func names(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range es {
		out = append(out, e.Name())
	}
	return out
}

func read(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// clock returns a Now that advances a second a call.
func clock() func() time.Time {
	now := time.Date(2026, 11, 30, 13, 0, 0, 0, time.UTC)
	return func() time.Time { now = now.Add(time.Second); return now }
}

// The autosave writes over its own file, and over one it restored; a file
// it did not read, or one it refused, is moved aside first, never lost.
func TestAutosaveNeverWritesOverWhatItDidNotRead(t *testing.T) {
	for _, c := range []struct {
		name     string
		prepare  func(a *Autosave, path string) // before the first Write
		wantMove string                         // "" for none
	}{
		{"no file", func(*Autosave, string) {}, ""},
		{"restored", func(a *Autosave, path string) {
			os.WriteFile(path, []byte("work"), 0o644)
			fi, _ := os.Stat(path)
			a.Restored(fi)
		}, ""},
		{"not read (fresh start, -session)", func(_ *Autosave, path string) {
			os.WriteFile(path, []byte("work"), 0o644)
		}, Previous},
		{"refused but not moved yet", func(a *Autosave, path string) {
			os.WriteFile(path, []byte("work"), 0o644)
			a.why = Unreadable
		}, Unreadable},
		{"restored, then replaced by another program", func(a *Autosave, path string) {
			os.WriteFile(path, []byte("work"), 0o644)
			fi, _ := os.Stat(path)
			a.Restored(fi)
			os.Remove(path)
			os.WriteFile(path, []byte("other"), 0o644)
		}, Replaced},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "autosave.flowviz")
			a := &Autosave{Store: storage.Files{}, Path: path, Now: clock()}
			c.prepare(a, path)
			before, _ := os.ReadFile(path)
			moved, err := a.Write(write("new"))
			if err != nil {
				t.Fatal(err)
			}
			if got := read(t, path); got != "new" {
				t.Fatalf("autosave holds %q", got)
			}
			if c.wantMove == "" {
				if moved != "" || len(names(t, dir)) != 1 {
					t.Fatalf("moved to %q; folder %v", moved, names(t, dir))
				}
				return
			}
			if !strings.HasPrefix(filepath.Base(moved), "autosave.flowviz."+c.wantMove+"-20261130-13") {
				t.Fatalf("moved to %q, want a %s name", moved, c.wantMove)
			}
			if got := read(t, moved); got != string(before) {
				t.Fatalf("the moved file holds %q, want %q", got, before)
			}
			// The next save replaces its own file in place.
			if moved, err := a.Write(write("newer")); err != nil || moved != "" {
				t.Fatalf("second save: moved %q, %v", moved, err)
			}
			if got := read(t, path); got != "newer" || len(names(t, dir)) != 2 {
				t.Fatalf("autosave %q, folder %v", got, names(t, dir))
			}
		})
	}
}

// In a read-only folder the refused file cannot be moved: it stays, every
// save fails and says why, and once the folder is writable the next save
// moves it aside as unreadable and writes.
func TestAutosaveReadOnlyFolder(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "autosave.flowviz")
	os.WriteFile(path, []byte(`{"version":2}`), 0o644)
	st := &storage.Failing{Store: storage.Files{}}
	st.SetReadOnly(true)
	a := &Autosave{Store: st, Path: path, Now: clock()}
	if _, err := a.SetAside(Unreadable); !errors.Is(err, storage.ErrReadOnly) {
		t.Fatalf("SetAside in a read-only folder: %v", err)
	}
	for range 2 {
		_, err := a.Write(write("clean start"))
		if !errors.Is(err, storage.ErrReadOnly) || !strings.Contains(err.Error(), "not written over") {
			t.Fatalf("save in a read-only folder: %v", err)
		}
		if got := read(t, path); got != `{"version":2}` {
			t.Fatalf("the refused file now holds %q", got)
		}
	}
	st.SetReadOnly(false)
	moved, err := a.Write(write("clean start"))
	if err != nil || !strings.Contains(moved, "."+Unreadable+"-") {
		t.Fatalf("moved %q, %v", moved, err)
	}
	if read(t, moved) != `{"version":2}` || read(t, path) != "clean start" {
		t.Fatal("contents mixed up")
	}
}

// A full disk fails the save and leaves the last autosave whole; the next
// save, with room again, replaces it without moving it aside.
func TestAutosaveFullDisk(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "autosave.flowviz")
	st := &storage.Failing{Store: storage.Files{}}
	a := &Autosave{Store: st, Path: path, Now: clock()}
	if _, err := a.Write(write("first")); err != nil {
		t.Fatal(err)
	}
	st.SetBudget(3)
	if _, err := a.Write(write(strings.Repeat("second ", 1000))); !errors.Is(err, storage.ErrNoSpace) {
		t.Fatalf("full disk: %v", err)
	}
	if got := read(t, path); got != "first" || len(names(t, dir)) != 1 {
		t.Fatalf("after a full disk: %q, folder %v", got, names(t, dir))
	}
	st.SetBudget(0)
	if moved, err := a.Write(write("third")); err != nil || moved != "" {
		t.Fatalf("moved %q, %v", moved, err)
	}
	if got := read(t, path); got != "third" {
		t.Fatalf("autosave %q", got)
	}
}

func TestPreviousAutosavesArePruned(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "autosave.flowviz")
	now := clock()
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range KeepPrevious + 3 {
		os.WriteFile(path, []byte{byte('a' + i)}, 0o644)
		os.Chtimes(path, base, base.Add(time.Duration(i)*time.Hour))
		a := &Autosave{Store: storage.Files{}, Path: path, Now: now} // a fresh start each time
		if _, err := a.Write(write("run")); err != nil {
			t.Fatal(err)
		}
	}
	var kept []string
	for _, n := range names(t, dir) {
		if strings.Contains(n, Previous) {
			kept = append(kept, read(t, filepath.Join(dir, n)))
		}
	}
	slices.Sort(kept)
	if strings.Join(kept, "") != "defgh" {
		t.Fatalf("kept %v, want the newest %d (d..h)", kept, KeepPrevious)
	}
}

func TestCleanRemovesOnlyStaleTempsOfOwnFiles(t *testing.T) {
	dir := t.TempDir()
	now := time.Now()
	old := now.Add(-2 * StaleAfter)
	files := map[string]time.Time{
		".autosave.flowviz.tmp123": old, // left by a kill: removed
		".autosave.flowviz.tmp456": now, // a save in progress: kept
		".session.flowviz.tmp7":    old, // removed
		".other.txt.tmp9":          old, // not ours: kept
		"autosave.flowviz":         old,
		".autosave.flowviz.tmpx":   old, // not the pattern: kept
	}
	for n, mt := range files {
		p := filepath.Join(dir, n)
		os.WriteFile(p, []byte("x"), 0o644)
		os.Chtimes(p, mt, mt)
	}
	got := Clean(storage.Files{}, dir, []string{"autosave.flowviz", "session.flowviz"}, now)
	want := []string{".autosave.flowviz.tmp456", ".autosave.flowviz.tmpx", ".other.txt.tmp9", "autosave.flowviz"}
	if got != 2 || !slices.Equal(names(t, dir), want) {
		t.Fatalf("removed %d; left %v, want %v", got, names(t, dir), want)
	}
	if Clean(storage.Files{}, dir, nil, now) != 1 {
		t.Fatal("names == nil should take any stale temporary file")
	}
}
