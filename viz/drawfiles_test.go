package viz

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/flowviz/flowviz/flow"
	"github.com/flowviz/flowviz/viz/drawing"
	"github.com/flowviz/flowviz/viz/scene"
)

// pngBytes is a 40×20 white image with a black square in its left half.
func pngBytes(t testing.TB) []byte {
	img := image.NewGray(image.Rect(0, 0, 40, 20))
	for y := range 20 {
		for x := range 40 {
			c := uint8(255)
			if x >= 5 && x < 15 && y >= 5 && y < 15 {
				c = 0
			}
			img.SetGray(x, y, color.Gray{Y: c})
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestLoadingIntoTheDrawing(t *testing.T) {
	tests := []struct {
		name    string
		load    func(g *Game)
		want    int // points in the drawing afterwards; 0: unchanged
		errWord string
		check   func(t *testing.T, pts []flow.Vec)
	}{
		{"shape", func(g *Game) { g.draw.Shape = 0; g.draw.useShape() }, loadedPoints, "", nil},
		{"text", func(g *Game) { g.draw.Text = "FLOW"; g.draw.useText() }, loadedPoints, "", nil},
		{"empty text", func(g *Game) { g.draw.Text = "  "; g.draw.useText() }, 0, "empty", nil},
		{"image", func(g *Game) { g.draw.loadFile("sq.png", pngBytes(t)) }, loadedPoints, "", func(t *testing.T, pts []flow.Vec) {
			// The square is the left quarter of an 8-wide image: x < −1.
			for _, p := range pts {
				if p[0] > -1+1e-9 {
					t.Fatalf("point %v right of the square", p)
				}
			}
		}},
		{"inverted image", func(g *Game) { g.draw.Invert = true; g.draw.loadFile("sq.png", pngBytes(t)) }, loadedPoints, "", func(t *testing.T, pts []flow.Vec) {
			right := 0
			for _, p := range pts {
				if p[0] > 0 {
					right++
				}
			}
			if right < loadedPoints/3 {
				t.Fatalf("only %d points in the white right half", right)
			}
		}},
		{"corrupt image", func(g *Game) { g.draw.loadFile("x.png", []byte("\x89PNG not really")) }, 0, "Nothing changed", nil},
		{"csv", func(g *Game) { g.draw.loadFile("p.csv", []byte("x,y\n1,2\n3,4\n")) }, 2, "", nil},
		{"bad csv", func(g *Game) { g.draw.loadFile("p.csv", []byte("1,2\nx;y;z\n")) }, 0, "Nothing changed", nil},
		{"empty csv", func(g *Game) { g.draw.loadFile("p.csv", nil) }, 0, "Nothing changed", nil},
		{"other file", func(g *Game) { g.draw.loadFile("notes.txt", []byte("hi")) }, 0, "Nothing changed", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			g, b, _ := drawGame(t)
			tc.load(g)
			if g.draw.target.Len() != tc.want {
				t.Fatalf("drawing has %d points, want %d (status %q)", g.draw.target.Len(), tc.want, g.ui.status)
			}
			if tc.errWord != "" {
				if !g.ui.statusErr || !strings.Contains(g.ui.status, tc.errWord) {
					t.Fatalf("status %q (error %v), want an error with %q", g.ui.status, g.ui.statusErr, tc.errWord)
				}
				send(g)
				if len(b.sets) != 0 {
					t.Fatal("a failed load reached the backend")
				}
				return
			}
			send(g)
			if len(b.sets) != 1 || len(b.sets[0].pts.Points) != tc.want || !g.panes.cur.fitData {
				t.Fatalf("backend sets %d, fit %v", len(b.sets), g.panes.cur.fitData)
			}
			if tc.check != nil {
				tc.check(t, b.sets[0].pts.Points)
			}
		})
	}
}

func TestSaveLoadAndKeepAcrossRuns(t *testing.T) {
	dir := t.TempDir()
	g, _, _ := drawGame(t)
	g.draw.On = true
	stroke(g, 300, 300, 500, 350, 10)
	want := append([]flow.Vec(nil), g.draw.target.Points()...)

	file := filepath.Join(dir, "sub", "mine.csv")
	g.draw.saveTo(file)
	if g.ui.statusErr {
		t.Fatalf("save: %s", g.ui.status)
	}
	g.draw.clear()
	g.draw.loadFrom(file)
	waitLoads(t, g)
	got := g.draw.target.Points()
	if len(got) != len(want) {
		t.Fatalf("loaded %d points, saved %d", len(got), len(want))
	}
	for i := range got {
		if math.Abs(got[i][0]-want[i][0]) > 1e-9 || math.Abs(got[i][1]-want[i][1]) > 1e-9 {
			t.Fatalf("point %d: loaded %v, saved %v", i, got[i], want[i])
		}
	}

	// Kept at exit, restored as the target at the next start.
	kept := filepath.Join(dir, "kept", "drawing.csv")
	if err := g.draw.keepTo(kept); err != nil {
		t.Fatal(err)
	}
	g2, b2, _ := drawGame(t)
	g2.draw.restore(kept, true)
	send(g2)
	if g2.draw.target.Len() != len(want) || len(b2.sets) != 1 || len(b2.sets[0].pts.Points) != len(want) {
		t.Fatalf("restored %d points, sent %d sets", g2.draw.target.Len(), len(b2.sets))
	}
	// Not as the target when -target was given: kept, not sent.
	g3, b3, _ := drawGame(t)
	g3.draw.restore(kept, false)
	send(g3)
	if g3.draw.target.Len() != len(want) || len(b3.sets) != 0 {
		t.Fatalf("restored %d points, sent %d sets", g3.draw.target.Len(), len(b3.sets))
	}
	// An unedited drawing is not rewritten; a cleared one is forgotten.
	if err := g3.draw.keepTo(kept); err != nil {
		t.Fatal(err)
	}
	g3.draw.clear()
	if err := g3.draw.keepTo(kept); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(kept); !os.IsNotExist(err) {
		t.Fatalf("a cleared drawing left its file: %v", err)
	}

	// A corrupt file: a message, and the app starts with an empty drawing.
	bad := filepath.Join(dir, "bad.csv")
	if err := os.WriteFile(bad, []byte("1,2\nNaN,oops\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	g4, b4, _ := drawGame(t)
	g4.draw.restore(bad, true)
	send(g4)
	if !g4.ui.statusErr || !strings.Contains(g4.ui.status, "could not be read") || g4.draw.target.Len() != 0 || len(b4.sets) != 0 {
		t.Fatalf("corrupt file: status %q, %d points, %d sets", g4.ui.status, g4.draw.target.Len(), len(b4.sets))
	}
	// It is kept aside, not written over by what is drawn next (issue 15).
	g4.draw.target.Replace([]flow.Vec{{1, 1}})
	if err := g4.draw.keepTo(bad); err != nil {
		t.Fatal(err)
	}
	if kept, _ := filepath.Glob(bad + ".unreadable-*"); len(kept) != 1 || !strings.Contains(g4.ui.status, "kept as bad.csv.unreadable-") {
		t.Fatalf("status %q; kept %v", g4.ui.status, kept)
	} else if b, _ := os.ReadFile(kept[0]); string(b) != "1,2\nNaN,oops\n" {
		t.Fatalf("kept %q", b)
	}
	// No file yet (the first run): silence.
	g5, _, _ := drawGame(t)
	g5.draw.restore(filepath.Join(dir, "none.csv"), true)
	if g5.ui.statusErr {
		t.Fatalf("first run: %q", g5.ui.status)
	}
}

// FuzzDroppedFile feeds any bytes to the drop path under each name the app
// reads: it must never panic, and a failure must change nothing.
func FuzzDroppedFile(f *testing.F) {
	f.Add("a.png", pngBytes(f))
	f.Add("a.csv", []byte("x,y\n1,2\n"))
	f.Add("a.gif", []byte("GIF89a"))
	f.Add("a.jpg", []byte{0xff, 0xd8, 0xff})
	// Size bombs: a GIF claiming 65535×65535 pixels, a CSV of one endless
	// line, more rows than a drawing holds.
	f.Add("a.gif", []byte("GIF89a\xff\xff\xff\xff\x00\x00\x00"))
	f.Add("a.csv", []byte("x,y\n1"+strings.Repeat("0", 1<<20)+",2\n"))
	f.Add("a.csv", []byte(strings.Repeat("1,2\n", drawing.MaxPoints+10)))
	sb := newSynthetic(50, 4, 4)
	b := &drawBackend{staticBackend: sb}
	g := newGame(Config{Settings: scene.DefaultSettings(), Backend: b, Width: 800, Height: 600, Scale: 1})
	f.Fuzz(func(t *testing.T, name string, content []byte) {
		g.draw.target = drawing.New(nil)
		g.ui.say("", false)
		g.draw.loadFile(name, content)
		// A failure says "Nothing changed" and means it; a CSV beyond the
		// drawing's cap keeps its first drawing.MaxPoints and says so.
		if g.ui.statusErr && strings.Contains(g.ui.status, "Nothing changed") && g.draw.target.Len() != 0 {
			t.Fatalf("a failed load of %q changed the drawing", name)
		}
		if g.draw.target.Len() > loadedPoints && !strings.HasSuffix(strings.ToLower(name), ".csv") {
			t.Fatalf("%d points from %q", g.draw.target.Len(), name)
		}
	})
}

// The kept drawing trains at start only when no session will be restored.
func TestSessionAtStart(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, AutosaveName), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		cfg  Config
		want bool
	}{
		{"no keep dir", Config{}, false},
		{"empty keep dir", Config{KeepDir: t.TempDir()}, false},
		{"autosave", Config{KeepDir: dir}, true},
		{"autosave but fresh", Config{KeepDir: dir, Fresh: true}, false},
		{"named session", Config{SessionFile: "s.flowviz", Fresh: true}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.cfg.Settings, tc.cfg.Backend, tc.cfg.Width, tc.cfg.Height, tc.cfg.Scale = scene.DefaultSettings(), newSynthetic(10, 2, 4), 800, 600, 1
			if got := newGame(tc.cfg).keep.sessionAtStart(); got != tc.want {
				t.Fatalf("sessionAtStart = %v, want %v", got, tc.want)
			}
		})
	}
}

// waitLoads applies the file loads in flight, as the next ticks would.
func waitLoads(t *testing.T, g *Game) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for g.draw.loads.pending > 0 {
		if time.Now().After(deadline) {
			t.Fatal("a file load did not finish")
		}
		g.draw.takeLoaded()
		time.Sleep(time.Millisecond)
	}
}

// Issue 15, bugs 3 and 5: the panel's Load and the kept drawing refuse a
// FIFO and a file beyond their limits without reading them, and the render
// loop never waits for a load.
func TestLoadsRefuseBeforeReading(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo.csv")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	big := filepath.Join(dir, "big.csv")
	f, err := os.Create(big)
	if err != nil {
		t.Fatal(err)
	}
	f.Truncate(1 << 30)
	f.Close()
	g, _, _ := drawGame(t)
	for name, want := range map[string]string{fifo: "named pipe", big: "is 1 GiB, more than the 64 MiB limit"} {
		start := time.Now()
		g.draw.loadFrom(name)
		if d := time.Since(start); d > time.Second {
			t.Errorf("Load of %s held the render loop for %v", filepath.Base(name), d)
		}
		waitLoads(t, g)
		if !g.ui.statusErr || !strings.Contains(g.ui.status, want) || !strings.Contains(g.ui.status, "Nothing changed") {
			t.Errorf("%s: status %q, want %q", filepath.Base(name), g.ui.status, want)
		}
	}
	for name, want := range map[string]string{fifo: "named pipe", big: "is 1 GiB, more than the 3.05 MiB limit"} {
		g.draw.restore(name, true)
		if !g.ui.statusErr || !strings.Contains(g.ui.status, want) {
			t.Errorf("kept drawing %s: status %q, want %q", filepath.Base(name), g.ui.status, want)
		}
	}
}
