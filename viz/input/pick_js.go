//go:build js

package input

import (
	"io/fs"
	"syscall/js"
	"testing/fstest"
	"time"
)

// maxPickBytes bounds what is read of a picked file: the largest file the
// app opens, a session, is 256 MiB at most.
const maxPickBytes = 256 << 20

// picks receives files chosen in the page's file picker, for Read to
// hand on as if they had been dropped on the window.
var picks = make(chan fs.FS, 1)

// Pick opens the browser's file picker for the given types (an <input
// type=file> accept list, e.g. ".flowviz,.csv,.png"); the file chosen comes
// as the Dropped files of a later tick. It reports whether there is a
// picker: browsers only.
//
// It is called from the game loop, shortly after the key press or click
// that asked for it, which browsers count as the user's gesture.
func Pick(accept string) bool {
	doc := js.Global().Get("document")
	in := doc.Call("createElement", "input")
	in.Set("type", "file")
	in.Set("accept", accept)
	var onChange js.Func
	onChange = js.FuncOf(func(this js.Value, args []js.Value) any {
		defer onChange.Release()
		files := in.Get("files")
		if files.Get("length").Int() == 0 {
			return nil
		}
		f := files.Index(0)
		name := f.Get("name").String()
		var then js.Func
		then = js.FuncOf(func(this js.Value, args []js.Value) any {
			defer then.Release()
			arr := js.Global().Get("Uint8Array").New(args[0])
			b := make([]byte, arr.Get("length").Int())
			js.CopyBytesToGo(b, arr)
			deliver(fstest.MapFS{name: {Data: b, Mode: 0o644, ModTime: time.Now()}})
			return nil
		})
		// At most one byte past the limit is read: enough for the app to
		// refuse a file too large, and no more.
		f.Call("slice", 0, maxPickBytes+1).Call("arrayBuffer").Call("then", then)
		return nil
	})
	in.Call("addEventListener", "change", onChange)
	in.Call("click")
	return true
}

// deliver queues a picked file, replacing one not yet taken.
func deliver(f fs.FS) {
	select {
	case <-picks:
	default:
	}
	picks <- f
}

// picked returns a file chosen in the picker since the last tick, or nil.
func picked() fs.FS {
	select {
	case f := <-picks:
		return f
	default:
		return nil
	}
}
