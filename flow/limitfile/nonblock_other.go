//go:build !unix

package limitfile

// openNonblock is 0 where there are no FIFOs to block on (Windows, the
// browser): Check has already refused anything but a regular file.
const openNonblock = 0
