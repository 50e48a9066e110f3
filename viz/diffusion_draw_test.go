package viz

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestColouredDrawingKeepsItsClasses draws in two colours, keeps the
// drawing as a labelled CSV (the drawings file's version 2), restores it
// and checks the trainer gets the classes; a plain drawing stays x,y
// (version 1, which older builds read), and a file of a newer layout is
// refused and kept aside.
func TestColouredDrawingKeepsItsClasses(t *testing.T) {
	dir := t.TempDir()
	g, _, _ := drawGame(t)
	g.draw.On = true
	stroke(g, 300, 300, 360, 310, 6)
	plain := filepath.Join(dir, "plain.csv")
	if err := g.draw.keepTo(plain); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(plain); strings.HasPrefix(string(b), "x,y,label") {
		t.Fatalf("a one-colour drawing was written with labels: %.40q", b)
	}
	g.draw.setColour(5)
	stroke(g, 500, 300, 560, 310, 6)
	want := slices.Clone(g.draw.target.Labels())
	if !slices.Contains(want, 5) || !slices.Contains(want, 0) {
		t.Fatalf("labels after two colours: %v", want)
	}
	kept := filepath.Join(dir, "drawing.csv")
	if err := g.draw.keepTo(kept); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(kept); !strings.HasPrefix(string(b), "x,y,label\n") {
		t.Fatalf("a coloured drawing was written as %.40q", b)
	}
	g2, b2, _ := drawGame(t)
	g2.draw.restore(kept, true)
	send(g2)
	if !slices.Equal(g2.draw.target.Labels(), want) {
		t.Fatalf("restored labels %v, want %v", g2.draw.target.Labels(), want)
	}
	if len(b2.sets) != 1 || !slices.Equal(b2.sets[0].pts.Labels, want) {
		t.Fatalf("the trainer got %d sets without the labels", len(b2.sets))
	}

	newer := filepath.Join(dir, "newer.csv")
	if err := os.WriteFile(newer, []byte("x,y,label,weight\n1,2,0,1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	g3, _, _ := drawGame(t)
	g3.draw.restore(newer, true)
	if !g3.ui.statusErr || g3.draw.target.Len() != 0 {
		t.Fatalf("a newer layout: status %q, %d points", g3.ui.status, g3.draw.target.Len())
	}
	if aside, _ := filepath.Glob(newer + ".unreadable-*"); len(aside) != 1 {
		t.Fatalf("the newer file was not kept aside: %v", aside)
	}
}
