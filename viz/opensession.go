package viz

import (
	"bytes"
	"io/fs"
	"path"
	"strings"

	"github.com/flowviz/flowviz/flow/limitfile"
	"github.com/flowviz/flowviz/viz/input"
	"github.com/flowviz/flowviz/viz/session"
)

// sessionExt is the ending of session files.
const sessionExt = ".flowviz"

// pickTypes are the files the browser's picker offers: sessions, and the
// drawings a drop takes.
const pickTypes = sessionExt + ",.csv,.png,.jpg,.jpeg,.gif"

// openAny opens a session: the browser's file picker where there is one
// (its file arrives as a drop, see takeDroppedSession), else the file at
// path in the keep folder.
func (k *Keeper) openAny(path string) {
	if input.Pick(pickTypes) {
		k.ui.say("choose a session (.flowviz) or a drawing (CSV, image) to open", false)
		return
	}
	k.openSession(path)
}

// takeDroppedSession opens the file dropped on the window this tick if it
// is a session, and returns the drop for the drawing's loader otherwise
// (nil when it took it).
func (k *Keeper) takeDroppedSession(fsys fs.FS) fs.FS {
	if fsys == nil {
		return nil
	}
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return fsys
	}
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		if !isSession(e.Name()) {
			return fsys
		}
		k.openDropped(fsys, e.Name())
		return nil
	}
	return fsys
}

// isSession reports whether a dropped file is a session, by its name.
func isSession(name string) bool { return strings.EqualFold(path.Ext(name), sessionExt) }

// openDropped opens a session dropped on the window (or picked in
// the browser): checked against session.MaxBytes before it is read, read
// and decoded off the render loop, applied like one opened from the keep
// folder.
func (k *Keeper) openDropped(fsys fs.FS, name string) {
	fi, err := fs.Stat(fsys, name)
	if err == nil {
		err = limitfile.Check(name, fi, session.MaxBytes)
	}
	if err != nil {
		k.ui.say("session not opened: "+err.Error(), true)
		return
	}
	go func() {
		b, err := fs.ReadFile(fsys, name)
		var s *session.Session
		if err == nil && int64(len(b)) > session.MaxBytes {
			err = &limitfile.TooLargeError{Name: name, Size: int64(len(b)), Limit: session.MaxBytes}
		}
		if err == nil {
			s, err = session.Read(bytes.NewReader(b))
		}
		if err != nil {
			k.report(keepResult{msg: "session " + name + " not opened: " + err.Error(), isErr: true})
			return
		}
		k.report(keepResult{opened: s, openedF: name})
	}()
}
