package cmdline

import (
	"bytes"
	"context"
	"image/gif"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/flowviz/flowviz/viz/scene"
)

func TestStartExitCodes(t *testing.T) {
	for _, tc := range []struct {
		args     []string
		code     int
		exit     bool
		out, err string // substrings of stdout and stderr
	}{
		{[]string{"-version"}, 0, true, "flowviz ", ""},
		{[]string{"-h"}, 0, true, "", "-record-trails"},
		{[]string{"-bogus"}, 2, true, "", "flag provided but not defined"},
		{[]string{"stray"}, 2, true, "", `unexpected argument "stray"`},
		{[]string{"-theme", "purple"}, 2, true, "", `no theme "purple"`},
		{[]string{"-colours", "rainbow"}, 2, true, "", `no colour map "rainbow"`},
		{[]string{"-window", "10x10"}, 2, true, "", "-window"},
		{[]string{"-steps", "0"}, 2, true, "", "-steps 0"},
		{[]string{"-particles", "60000"}, 2, true, "", "-particles"},
		{[]string{"-scale", "9"}, 2, true, "", "-scale"},
		{[]string{"-lesson", "-1"}, 2, true, "", "-lesson"},
		{[]string{"-record", "x.gif", "-record-size", "8"}, 2, true, "", "-record-size"},
		{[]string{"-record", "x.gif", "-record-frames", "1"}, 2, true, "", "-record-frames"},
		{[]string{"-target", "8gaussians", "-v"}, 0, false, "", ""},
		{[]string{"-link", "#width=0"}, 2, true, "", "-link: link: width=0: outside 1..512"},
		{[]string{"-link", "#colour=red"}, 2, true, "", "unknown key"},
		{[]string{"-link", "#target=moons&compare=coupling=ot"}, 0, false, "", ""},
	} {
		var out, errb bytes.Buffer
		o, code, exit := Start(tc.args, &out, &errb)
		if code != tc.code || exit != tc.exit || (o == nil) != exit ||
			!strings.Contains(out.String(), tc.out) || !strings.Contains(errb.String(), tc.err) {
			t.Errorf("%v: code %d exit %v, stdout %q, stderr %q; want %d %v with %q, %q",
				tc.args, code, exit, out.String(), errb.String(), tc.code, tc.exit, tc.out, tc.err)
		}
	}
}

// TestDeckFlag: a deck that is there must read (a newer or damaged one is
// said at once, exit 2); one that is not there is a new deck to build.
func TestDeckFlag(t *testing.T) {
	dir := t.TempDir()
	newer := filepath.Join(dir, "newer.json")
	os.WriteFile(newer, []byte(`{"format": "flowviz-deck", "version": 7, "scenes": []}`), 0o644)
	example := filepath.Join("..", "..", "..", "..", "assets", "decks", "example.json")
	for _, tc := range []struct {
		args []string
		code int
		exit bool
		err  string
	}{
		{[]string{"-deck", newer}, 2, true, "version 7 is not supported"},
		{[]string{"-deck", example, "-lesson", "2"}, 2, true, "give one"},
		{[]string{"-deck", example}, 0, false, ""},
		{[]string{"-deck", filepath.Join(dir, "new.json")}, 0, false, ""},
	} {
		var out, errb bytes.Buffer
		o, code, exit := Start(tc.args, &out, &errb)
		if code != tc.code || exit != tc.exit || !strings.Contains(errb.String(), tc.err) {
			t.Errorf("%v: code %d exit %v stderr %q; want %d %v with %q", tc.args, code, exit, errb.String(), tc.code, tc.exit, tc.err)
		}
		if !exit && o.Deck != tc.args[1] {
			t.Errorf("%v: deck %q", tc.args, o.Deck)
		}
	}
}

func TestParseRestores(t *testing.T) {
	for _, tc := range []struct {
		args             []string
		drawing, autosav bool
	}{
		{nil, true, true},
		{[]string{"-scale", "2", "-theme", "contrast"}, true, true},
		{[]string{"-target", "moons"}, false, false},
		{[]string{"-lr", "0.01"}, true, false},
		{[]string{"-fresh"}, true, false},
		{[]string{"-demo"}, false, false},
	} {
		o, err := Parse(tc.args, &bytes.Buffer{})
		if err != nil {
			t.Fatal(err)
		}
		if o.RestoreDrawing != tc.drawing || o.RestoreAutosave != tc.autosav {
			t.Errorf("%v: restore drawing %v autosave %v, want %v %v", tc.args, o.RestoreDrawing, o.RestoreAutosave, tc.drawing, tc.autosav)
		}
	}
	o, _ := Parse([]string{"-window", "1920x1080", "-particles", "9", "-target", "8gaussians"}, &bytes.Buffer{})
	if o.Width != 1920 || o.Height != 1080 || o.Settings.Particles != 9 || o.Settings.Target != "8gaussians" || o.Settings.View != scene.DefaultSettings().View {
		t.Errorf("parsed %+v", o)
	}
}

// TestRecordFromFlags records the scene the flags describe, with trails
// and the high-contrast theme, and checks the GIF and the progress lines;
// a cancelled context stops it without writing anything.
func TestRecordFromFlags(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "flags.gif")
	o, err := Parse([]string{"-record", out, "-target", "8gaussians", "-width", "16", "-depth", "2", "-particles", "300",
		"-steps", "10", "-record-steps", "150", "-record-size", "64", "-record-frames", "5", "-record-trails", "-theme", "contrast"}, &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	var log bytes.Buffer
	if err := Record(context.Background(), o, &log); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"training 150 steps", "8gaussians", "sampling 300 particles, 10 euler steps", "recording frame 5/5", "wrote " + out} {
		if !strings.Contains(log.String(), want) {
			t.Errorf("progress lacks %q:\n%s", want, log.String())
		}
	}
	f, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	anim, err := gif.DecodeAll(f)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	if len(anim.Image) != 5 || anim.Image[0].Bounds().Dx() != 64 {
		t.Fatalf("%d frames of %v", len(anim.Image), anim.Image[0].Bounds())
	}
	// The contrast theme's background is pure black.
	if r, g, b, _ := anim.Image[0].Palette[0].RGBA(); r|g|b != 0 {
		t.Errorf("background %v, want black", anim.Image[0].Palette[0])
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	o.Record = filepath.Join(dir, "cancelled.gif")
	if err := Record(ctx, o, &bytes.Buffer{}); err == nil {
		t.Fatal("a cancelled recording succeeded")
	}
	if _, err := os.Stat(o.Record); err == nil {
		t.Fatal("a cancelled recording wrote its GIF")
	}
}

// TestLinkSetsTheScene: -link gives the scene of a web page's fragment, and
// starts from it rather than from the autosave or a kept drawing.
func TestLinkSetsTheScene(t *testing.T) {
	o, err := Parse([]string{"-width", "32", "-link", "#target=circles&coupling=ot&lesson=3&compare=solver%3Drk4&width=128"}, &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	s := o.Settings
	if s.Target != "circles" || s.Coupling != "ot" || s.Width != 128 || o.Lesson != 3 || o.Compare != "solver=rk4" {
		t.Errorf("-link gave %+v, lesson %d, compare %q", s, o.Lesson, o.Compare)
	}
	if o.RestoreAutosave || o.RestoreDrawing {
		t.Errorf("a link's scene restores the autosave (%v) or the drawing (%v)", o.RestoreAutosave, o.RestoreDrawing)
	}
	o, err = Parse([]string{"-link", "#lesson=2"}, &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	if o.Lesson != 2 || !o.RestoreAutosave || o.Settings.Target != scene.DefaultSettings().Target {
		t.Errorf("a lesson link: lesson %d, autosave %v, target %s", o.Lesson, o.RestoreAutosave, o.Settings.Target)
	}
}
