//go:build js

package main

import "errors"

// errNoProfiles: the page has no files to write a profile to, and the
// browser's own profiler sees the WebAssembly; leaving runtime/pprof out
// keeps it out of the download.
var errNoProfiles = errors.New("profiles are not written in the browser: use the browser's performance panel")

func startCPUProfile(string) (func(), error) { return nil, errNoProfiles }

func writeHeapProfile(string) {}
