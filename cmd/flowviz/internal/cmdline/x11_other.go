//go:build !(linux || freebsd || netbsd || openbsd)

package cmdline

import "io"

// quietX11 has nothing to quiet where ebiten does not use X11.
func quietX11(io.Writer) {}
