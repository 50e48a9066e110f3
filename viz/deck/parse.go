package deck

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path/filepath"

	"github.com/flowviz/flowviz/viz/keepdir"
	"github.com/flowviz/flowviz/viz/storage"
)

// fileJSON is the file's layout: the header, then the deck.
type fileJSON struct {
	Format  string  `json:"format"`
	Version int     `json:"version"`
	Title   string  `json:"title,omitempty"`
	Scenes  []Scene `json:"scenes"`
}

// Parse reads a deck file and validates it. The JSON is strict — unknown
// fields and trailing data are errors, since a misspelt key silently
// dropped would be a scene shown wrong — and the header is read first, so
// a newer file says what it is rather than failing on a field.
func Parse(b []byte) (*Deck, error) {
	if len(b) > MaxBytes {
		return nil, fmt.Errorf("deck: %s, more than the %s a deck may hold", storage.Bytes(int64(len(b))), storage.Bytes(MaxBytes))
	}
	if len(bytes.TrimSpace(b)) == 0 {
		return nil, errors.New("deck: the file is empty")
	}
	var head struct {
		Format  string `json:"format"`
		Version int    `json:"version"`
	}
	if err := json.NewDecoder(bytes.NewReader(b)).Decode(&head); err != nil {
		return nil, fmt.Errorf("deck: not a valid deck file (damaged or truncated?): %w", err)
	}
	if head.Format != Format {
		return nil, fmt.Errorf("deck: not a deck file: format %q, want %q", head.Format, Format)
	}
	if head.Version != Version {
		return nil, fmt.Errorf("deck: version %d is not supported (this build reads version %d)", head.Version, Version)
	}
	// Count the scenes before decoding them: a file of a million empty
	// scenes must not be allocated first.
	var count struct {
		Scenes []json.RawMessage `json:"scenes"`
	}
	if err := json.NewDecoder(bytes.NewReader(b)).Decode(&count); err != nil {
		return nil, fmt.Errorf("deck: not a valid deck file: %w", err)
	}
	if len(count.Scenes) > MaxScenes {
		return nil, fmt.Errorf("deck: %d scenes, at most %d", len(count.Scenes), MaxScenes)
	}
	var f fileJSON
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("deck: not a valid deck file: %w", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("deck: not a valid deck file: trailing data after the JSON object")
	}
	d := &Deck{Title: f.Title, Scenes: f.Scenes}
	if err := d.Validate(); err != nil {
		return nil, err
	}
	return d, nil
}

// Write validates d and writes it as indented JSON (frozen weights on
// their own lines, so a deck stays readable and diffable).
func Write(w io.Writer, d *Deck) error {
	if err := d.Validate(); err != nil {
		return fmt.Errorf("deck: refusing to write: %w", err)
	}
	b, err := json.MarshalIndent(fileJSON{Format: Format, Version: Version, Title: d.Title, Scenes: d.Scenes}, "", "  ")
	if err != nil {
		return fmt.Errorf("deck: encoding: %w", err)
	}
	if len(b) >= MaxBytes {
		return fmt.Errorf("deck: %s is more than the %s a deck may hold: freeze fewer or smaller models", storage.Bytes(int64(len(b))), storage.Bytes(MaxBytes))
	}
	_, err = w.Write(append(b, '\n'))
	return err
}

// Load reads and validates the deck at path through st. Anything but a
// regular file of at most MaxBytes is refused before it is read.
func Load(st storage.Store, path string) (*Deck, error) {
	b, err := storage.ReadFile(st, path, MaxBytes)
	if err != nil {
		return nil, fmt.Errorf("deck: %w", err)
	}
	d, err := Parse(b)
	if err != nil {
		return nil, fmt.Errorf("%w (in %s)", err, path)
	}
	return d, nil
}

// File is a deck on disk that the app opened or started and saves back:
// each save is atomic, and a file there that this run did not read or
// write — a newer build's deck, a damaged one, one edited meanwhile — is
// moved aside first (as keepdir does for the autosave), never written over.
type File struct {
	Path string
	save keepdir.Autosave
	// unread says the file at Path could not be read: it goes aside as
	// "unreadable" before the first save.
	unread bool
}

// Open reads the deck at path. A missing file gives an empty deck to add
// scenes to; a file that cannot be read gives the error and an empty
// deck, and the file is kept aside at the first save.
func Open(st storage.Store, path string) (*File, *Deck, error) {
	f := &File{Path: path, save: keepdir.Autosave{Store: st, Path: path}}
	fi, err := st.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return f, &Deck{}, nil
	}
	d, err := Load(st, path)
	if err != nil {
		f.unread = true
		return f, &Deck{}, err
	}
	f.save.Restored(fi)
	return f, d, nil
}

// Save writes d to the file atomically. It returns where a file it did not
// write was moved to ("" if none).
func (f *File) Save(d *Deck) (movedTo string, err error) {
	var buf bytes.Buffer
	if err := Write(&buf, d); err != nil {
		return "", err
	}
	if f.unread {
		to, err := f.save.SetAside(keepdir.Unreadable)
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return "", err
		}
		f.unread, movedTo = false, to
	}
	to, err := f.save.Write(func(w io.Writer) error { _, err := w.Write(buf.Bytes()); return err })
	if to != "" {
		movedTo = to
	}
	return movedTo, err
}

// Dir is the folder images of the deck are read from.
func (f *File) Dir() string { return filepath.Dir(f.Path) }
