package data

import (
	"math"
	"strings"
	"sync"
	"testing"
)

func TestText(t *testing.T) {
	d, err := Text("HI", MaskOptions{Size: 6})
	if err != nil {
		t.Fatal(err)
	}
	w, h, ink := d.Pixels()
	if w <= h || ink < w*h/10 || ink > w*h/2 {
		t.Fatalf("mask %d×%d with %d ink pixels: want a wide mask, 10–50%% ink", w, h, ink)
	}
	pts := Sample(d, newRNG(1), 20000)
	inBox(t, pts, -3, 3, -3, 3)
	// "H" and "I" are both left–right symmetric and the margins are equal,
	// so the ink is centred horizontally within a pixel or so.
	mean, _ := moments(pts)
	if math.Abs(mean[0]) > 0.5 {
		t.Errorf("mean x = %.3f, want about 0", mean[0])
	}
	left := 0
	for _, p := range pts {
		if p[0] < mean[0]-0.5 {
			left++
		}
	}
	if left < len(pts)/3 {
		t.Errorf("only %d of %d samples in the left part: the H is missing", left, len(pts))
	}

	// Two lines stack: the block is taller than one line of the same text.
	two, err := Text("HI\nHI", MaskOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if w2, h2, _ := two.Pixels(); float64(h2)/float64(w2) < 1.5*float64(h)/float64(w) {
		t.Errorf("two lines %d×%d are not taller than one %d×%d", w2, h2, w, h)
	}
}

func TestTextErrors(t *testing.T) {
	for _, tc := range []struct{ text, want string }{
		{"", "empty"},
		{" \n ", "empty"},
		{strings.Repeat("x", MaxTextRunes+1), "at most 200"},
	} {
		if _, err := Text(tc.text, MaskOptions{}); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Text(%q) error %v, want one containing %q", tc.text, err, tc.want)
		}
	}
}

func TestLoadText(t *testing.T) {
	d, err := Load(`text:Flow\nMatching`)
	if err != nil {
		t.Fatal(err)
	}
	if d.String() != `text:Flow\nMatching` {
		t.Fatalf("String() = %q", d.String())
	}
	if _, h, _ := d.(*ImageDist).Pixels(); h < 100 {
		t.Errorf("two-line text is %d pixels tall", h)
	}
	if _, err := Load("text:"); err == nil {
		t.Error("empty text loaded")
	}
}

// TestTextConcurrent renders from several goroutines: the parsed font is shared.
func TestTextConcurrent(t *testing.T) {
	var wg sync.WaitGroup
	for i := range 4 {
		wg.Go(func() {
			if _, err := Text(strings.Repeat("W", i+1), MaskOptions{MaxSide: 64}); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
}
