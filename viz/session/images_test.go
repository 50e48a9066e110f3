package session

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/flowviz/flowviz/flow/hd"
	"github.com/flowviz/flowviz/flow/mlp"
)

// imageSession is testSession taken while the image view showed a small
// conditional digits8 model, a few steps into training, in the PCA view.
func imageSession(t testing.TB) *Session {
	t.Helper()
	cfg := hd.DefaultConfig()
	cfg.Target, cfg.Net, cfg.Batch = "digits8", mlp.Config{Width: 8, Depth: 1, Classes: hd.Classes}, 8
	cfg.Fresh, cfg.PoolSize = 4, 32
	tr, err := hd.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if _, err := tr.Step(); err != nil {
			t.Fatal(err)
		}
	}
	tr.Publish()
	opt := tr.Optimizer()
	s := testSession(t)
	s.Settings.Cond, s.Settings.OneClass, s.Settings.Class, s.Settings.Guidance = true, true, 3, 1
	s.Images = &Images{Model: tr.Latest().Model(), Optimizer: &opt, PCA: true, Cell: 71}
	return s
}

// TestImagesRoundTrip: the image model, its average, Adam's state and the
// view come back exactly, beside the 2D model.
func TestImagesRoundTrip(t *testing.T) {
	s := imageSession(t)
	path := filepath.Join(t.TempDir(), "s.flowviz")
	if err := Save(path, s); err != nil {
		t.Fatal(err)
	}
	got, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got.Images, s.Images) {
		t.Errorf("image part read back as %+v", got.Images)
	}
	if !reflect.DeepEqual(got.Model, s.Model) || got.Settings != s.Settings {
		t.Error("the 2D part changed beside the image part")
	}
	if got.Images.Model.EMAParams == nil || got.Images.Optimizer.Steps != 3 || !got.Images.Model.Config.Conditional() {
		t.Errorf("image model step %d, optimiser %d steps", got.Images.Model.Step, got.Images.Optimizer.Steps)
	}
}

// TestImagesRefused: a damaged, oversized or misplaced image part is
// refused with an error that says so, and Load leaves the file as it was.
func TestImagesRefused(t *testing.T) {
	var b bytes.Buffer
	if err := Write(&b, imageSession(t)); err != nil {
		t.Fatal(err)
	}
	good := b.String()
	// An image network beyond what a session keeps, counted before the
	// check: width 1024, depth 1 on 16 × 16 digits.
	big := strings.Replace(strings.Replace(good, `"target":"digits8","dim":64`, `"target":"digits","dim":256`, 1), `"width":8,"depth":1`, `"width":1024,"depth":2`, 1)
	b.Reset()
	if err := Write(&b, testSession(t)); err != nil {
		t.Fatal(err)
	}
	plain := strings.TrimSpace(b.String())
	noWeights := plain[:len(plain)-1] + `,"images":{"model":null,"cell":0}}`
	for _, tc := range []struct{ name, body, want string }{
		{"version 2 with images", strings.Replace(good, `"version":3`, `"version":2`, 1), "version-2 file with an image model"},
		{"newer image model", strings.Replace(good, `"format":"flowviz-hd-model","version":3`, `"format":"flowviz-hd-model","version":4`, 1), "image model: hd: model version 4 is not supported"},
		{"2D model as image model", strings.Replace(good, `"format":"flowviz-hd-model"`, `"format":"flowviz-model"`, 1), "not an image model file"},
		{"short moments", strings.Replace(good, `"optimizer":{"m":[`, `"optimizer":{"m":[0,`, 2), "moments"},
		{"cell beyond the grid", strings.Replace(good, `"cell":71`, `"cell":80`, 1), "sample 80 outside 0..79"},
		{"truncated image model", good[:strings.Index(good, `"images":`)+200], "not a valid session file"},
		{"no image weights", noWeights, "image model: hd: not an image model file"},
		{"oversized image network", big, "parameters"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "s.flowviz")
			if err := os.WriteFile(path, []byte(tc.body), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := Load(path)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one saying %q", err, tc.want)
			}
			if after, _ := os.ReadFile(path); string(after) != tc.body {
				t.Error("the refused file changed")
			}
		})
	}
	// Write refuses what Read would.
	s := imageSession(t)
	s.Images.Cell = -1
	if err := Write(&bytes.Buffer{}, s); err == nil {
		t.Error("Write accepted a sample of −1")
	}
}
