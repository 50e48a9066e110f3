// Package version tells which build of flowviz this is: the release
// builds stamp it with -ldflags from git describe, and any other build
// falls back on the VCS facts the go command records (debug.ReadBuildInfo).
package version

import (
	"fmt"
	"runtime"
	"runtime/debug"
)

// Set by `make build` and `make dist`:
//
//	-ldflags "-X github.com/flowviz/flowviz/cmd/internal/version.version=$(git describe --tags --always --dirty)
//	          -X github.com/flowviz/flowviz/cmd/internal/version.commit=$(git rev-parse HEAD)"
var (
	version string
	commit  string
)

// Info is a build's version and commit, "" where unknown.
type Info struct {
	Version  string // a tag, a git describe string or a module version
	Commit   string // full hash
	Modified bool   // built from a tree with uncommitted changes (build info only)
}

// Get returns the stamped version and commit, else what the build info
// holds: the main module's version (set by go install m@v) and the VCS
// revision (set by go build inside a git checkout).
func Get() Info {
	return get(version, commit, debug.ReadBuildInfo)
}

func get(version, commit string, read func() (*debug.BuildInfo, bool)) Info {
	in := Info{Version: version, Commit: commit}
	bi, ok := read()
	if !ok {
		return in
	}
	if in.Version == "" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		in.Version = bi.Main.Version
	}
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			if in.Commit == "" {
				in.Commit = s.Value
			}
		case "vcs.modified":
			in.Modified = in.Modified || (s.Value == "true" && commit == "")
		}
	}
	return in
}

// String is the line -version prints, e.g.
// "flowviz v0.4.0-3-g1a2b3c4 (commit 1a2b3c4d5e6f…, go1.26.0 linux/amd64)".
func (in Info) String(program string) string {
	v := in.Version
	if v == "" {
		v = "devel"
	}
	c := in.Commit
	if c == "" {
		c = "unknown"
	}
	if in.Modified {
		c += ", modified"
	}
	return fmt.Sprintf("%s %s (commit %s, %s %s/%s)", program, v, c, runtime.Version(), runtime.GOOS, runtime.GOARCH)
}
