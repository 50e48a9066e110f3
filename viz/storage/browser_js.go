//go:build js

package storage

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"
	"syscall/js"
	"time"
)

// Browser keeps files in the page's localStorage, the one browser storage
// a WebAssembly program can use synchronously from its game loop (the
// IndexedDB calls all answer later, through callbacks). Names are
// slash-separated paths; each file is one item, "v1;<unix ns>;<base64>",
// under Prefix+name. A write is one setItem, so it happens whole or not at
// all, as the Store contract asks.
//
// The files Keep does not accept (exports, saved sessions) are not stored
// but handed to the browser as downloads: localStorage holds a few MB per
// site, enough for the autosave and the drawing, not for GIFs.
//
// Storage that is full (QuotaExceededError) or blocked by the browser's
// settings (SecurityError) fails the call with an error that says so; the
// caller reports it and keeps what it had.
type Browser struct {
	Prefix string                 // of every key, e.g. "flowviz:"
	Keep   func(name string) bool // stored; the others are downloaded
}

var _ Store = Browser{}

// ErrBrowserStorage marks a localStorage that refused: full, or disabled.
var ErrBrowserStorage = errors.New("browser storage")

const browserFormat = "v1;"

// call runs f, turning a JavaScript exception (a js.Error panic) into an
// error that names what the browser refused.
func call(op, name string, f func()) (err error) {
	defer func() {
		r := recover()
		if r == nil {
			return
		}
		jerr, ok := r.(js.Error)
		if !ok {
			panic(r)
		}
		why := jerr.Value.Get("name").String()
		msg := "refused"
		switch why {
		case "QuotaExceededError":
			msg = "is full"
		case "SecurityError":
			msg = "is disabled in this browser's settings"
		}
		err = fmt.Errorf("%w %s (%s): %s", ErrBrowserStorage, msg, why, jerr.Value.Get("message").String())
		if why == "QuotaExceededError" {
			err = fmt.Errorf("%w (%w)", err, ErrFull)
		}
		err = &fs.PathError{Op: op, Path: name, Err: err}
	}()
	f()
	return nil
}

// local returns window.localStorage; reading it throws where storage is
// disabled, which call turns into an error.
func local() js.Value {
	ls := js.Global().Get("localStorage")
	if ls.IsNull() || ls.IsUndefined() {
		panic(js.Error{Value: js.Global().Get("Error").New("no localStorage")})
	}
	return ls
}

// item reads name's stored value ("" and false if there is none).
func (b Browser) item(op, name string) (string, bool, error) {
	var v js.Value
	err := call(op, name, func() { v = local().Call("getItem", b.Prefix+clean(name)) })
	if err != nil {
		return "", false, err
	}
	if v.IsNull() || v.IsUndefined() {
		return "", false, nil
	}
	return v.String(), true, nil
}

// clean makes name a slash path without "./" and doubled slashes.
func clean(name string) string { return path.Clean(strings.ReplaceAll(name, "\\", "/")) }

// parse splits a stored value into its time and its base64 data.
func parse(name, v string) (time.Time, string, error) {
	rest, ok := strings.CutPrefix(v, browserFormat)
	if !ok {
		return time.Time{}, "", fmt.Errorf("%s: not a file this app stored", name)
	}
	ns, data, ok := strings.Cut(rest, ";")
	n, err := strconv.ParseInt(ns, 10, 64)
	if !ok || err != nil {
		return time.Time{}, "", fmt.Errorf("%s: damaged entry in browser storage", name)
	}
	return time.Unix(0, n), data, nil
}

// Open implements Store. The size is known from the stored text before a
// byte is decoded.
func (b Browser) Open(name string, limit int64) (io.ReadCloser, error) {
	v, ok, err := b.item("open", name)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
	}
	_, data, err := parse(name, v)
	if err != nil {
		return nil, err
	}
	if size := int64(base64.StdEncoding.DecodedLen(len(data))); limit > 0 && size > limit+2 {
		return nil, &TooLargeError{Name: name, Size: size, Limit: limit}
	}
	raw, err := base64.StdEncoding.DecodeString(data)
	if err != nil {
		return nil, fmt.Errorf("%s: damaged entry in browser storage: %w", name, err)
	}
	if limit > 0 && int64(len(raw)) > limit {
		return nil, &TooLargeError{Name: name, Size: int64(len(raw)), Limit: limit}
	}
	return io.NopCloser(bytes.NewReader(raw)), nil
}

// WriteFile implements Store: stored whole with one setItem, or, for a
// name Keep refuses, downloaded.
func (b Browser) WriteFile(name string, write func(io.Writer) error) error {
	var buf bytes.Buffer
	if err := write(&buf); err != nil {
		return err
	}
	if b.Keep != nil && !b.Keep(name) {
		return Download(path.Base(clean(name)), buf.Bytes())
	}
	v := browserFormat + strconv.FormatInt(time.Now().UnixNano(), 10) + ";" + base64.StdEncoding.EncodeToString(buf.Bytes())
	return call("write", name, func() { local().Call("setItem", b.Prefix+clean(name), v) })
}

// Rename implements Store.
func (b Browser) Rename(from, to string) error {
	v, ok, err := b.item("rename", from)
	if err != nil {
		return err
	}
	if !ok {
		return &fs.PathError{Op: "rename", Path: from, Err: fs.ErrNotExist}
	}
	if err := call("rename", to, func() { local().Call("setItem", b.Prefix+clean(to), v) }); err != nil {
		return err
	}
	return call("rename", from, func() { local().Call("removeItem", b.Prefix+clean(from)) })
}

// Remove implements Store.
func (b Browser) Remove(name string) error {
	if _, ok, err := b.item("remove", name); err != nil {
		return err
	} else if !ok {
		return &fs.PathError{Op: "remove", Path: name, Err: fs.ErrNotExist}
	}
	return call("remove", name, func() { local().Call("removeItem", b.Prefix+clean(name)) })
}

// Stat implements Store.
func (b Browser) Stat(name string) (fs.FileInfo, error) {
	v, ok, err := b.item("stat", name)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, &fs.PathError{Op: "stat", Path: name, Err: fs.ErrNotExist}
	}
	mod, data, err := parse(name, v)
	if err != nil {
		return nil, err
	}
	return browserFile{name: path.Base(clean(name)), size: int64(base64.StdEncoding.DecodedLen(len(data))), mod: mod}, nil
}

// ReadDir implements Store: the stored files directly under dir.
func (b Browser) ReadDir(dir string) ([]fs.DirEntry, error) {
	prefix := b.Prefix + clean(dir) + "/"
	var keys []string
	err := call("readdir", dir, func() {
		ls := local()
		n := ls.Get("length").Int()
		for i := range n {
			k := ls.Call("key", i)
			if k.IsNull() {
				continue
			}
			if rest, ok := strings.CutPrefix(k.String(), prefix); ok && rest != "" && !strings.Contains(rest, "/") {
				keys = append(keys, rest)
			}
		}
	})
	if err != nil {
		return nil, err
	}
	slices.Sort(keys)
	var out []fs.DirEntry
	for _, k := range keys {
		fi, err := b.Stat(path.Join(dir, k))
		if err != nil {
			continue // removed meanwhile, or not ours
		}
		out = append(out, fs.FileInfoToDirEntry(fi))
	}
	return out, nil
}

// MkdirAll implements Store: folders are only prefixes of keys.
func (Browser) MkdirAll(string) error { return nil }

// browserFile describes a stored file.
type browserFile struct {
	name string
	size int64
	mod  time.Time
}

func (f browserFile) Name() string       { return f.name }
func (f browserFile) Size() int64        { return f.size }
func (f browserFile) Mode() fs.FileMode  { return 0o644 }
func (f browserFile) ModTime() time.Time { return f.mod }
func (f browserFile) IsDir() bool        { return false }
func (f browserFile) Sys() any           { return nil }

// Download hands data to the browser as a file called name: a Blob, an
// object URL and a click on a temporary <a download> link.
func Download(name string, data []byte) error {
	return call("download", name, func() {
		arr := js.Global().Get("Uint8Array").New(len(data))
		js.CopyBytesToJS(arr, data)
		blob := js.Global().Get("Blob").New([]any{arr}, map[string]any{"type": mimeOf(name)})
		url := js.Global().Get("URL").Call("createObjectURL", blob)
		doc := js.Global().Get("document")
		a := doc.Call("createElement", "a")
		a.Set("href", url)
		a.Set("download", name)
		a.Get("style").Set("display", "none")
		doc.Get("body").Call("appendChild", a)
		a.Call("click")
		a.Call("remove")
		// The download has taken its copy once the click is handled.
		js.Global().Call("setTimeout", js.Global().Get("URL").Get("revokeObjectURL").Call("bind", js.Global().Get("URL"), url), 60000)
	})
}

// mimeOf is the type a download is offered as.
func mimeOf(name string) string {
	switch strings.ToLower(path.Ext(name)) {
	case ".png":
		return "image/png"
	case ".gif":
		return "image/gif"
	case ".csv":
		return "text/csv"
	case ".json", ".flowviz":
		return "application/json"
	}
	return "application/octet-stream"
}
