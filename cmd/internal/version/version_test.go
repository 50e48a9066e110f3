package version

import (
	"runtime/debug"
	"strings"
	"testing"
)

func TestGet(t *testing.T) {
	info := func(mainVersion string, settings ...string) func() (*debug.BuildInfo, bool) {
		return func() (*debug.BuildInfo, bool) {
			bi := &debug.BuildInfo{Main: debug.Module{Version: mainVersion}}
			for i := 0; i+1 < len(settings); i += 2 {
				bi.Settings = append(bi.Settings, debug.BuildSetting{Key: settings[i], Value: settings[i+1]})
			}
			return bi, true
		}
	}
	none := func() (*debug.BuildInfo, bool) { return nil, false }
	for _, tc := range []struct {
		name            string
		version, commit string
		read            func() (*debug.BuildInfo, bool)
		want            Info
	}{
		{"stamped wins", "v1.2.0-3-gabc", "abc123", info("v9", "vcs.revision", "fff", "vcs.modified", "true"),
			Info{Version: "v1.2.0-3-gabc", Commit: "abc123"}},
		{"vcs fallback", "", "", info("(devel)", "vcs.revision", "fff", "vcs.modified", "true"),
			Info{Commit: "fff", Modified: true}},
		{"go install m@v", "", "", info("v0.3.1"), Info{Version: "v0.3.1"}},
		{"no build info", "", "", none, Info{}},
		{"stamped, no build info", "v1", "c", none, Info{Version: "v1", Commit: "c"}},
	} {
		if got := get(tc.version, tc.commit, tc.read); got != tc.want {
			t.Errorf("%s: got %+v, want %+v", tc.name, got, tc.want)
		}
	}
}

func TestString(t *testing.T) {
	s := Info{Version: "v1.0.0", Commit: "abc", Modified: true}.String("flowviz")
	for _, want := range []string{"flowviz v1.0.0", "commit abc, modified", "go1."} {
		if !strings.Contains(s, want) {
			t.Errorf("%q lacks %q", s, want)
		}
	}
	if s := (Info{}).String("flowmatch"); !strings.Contains(s, "flowmatch devel (commit unknown") {
		t.Errorf("empty info: %q", s)
	}
}
