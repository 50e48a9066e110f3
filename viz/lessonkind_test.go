package viz

import (
	"fmt"
	"testing"

	"github.com/flowviz/flowviz/flow"
	"github.com/flowviz/flowviz/viz/input"
	"github.com/flowviz/flowviz/viz/lesson"
	"github.com/flowviz/flowviz/viz/scene"
)

// countKind is a kind of lesson defined here as a new kind would be in its
// own file: registered with one line, its field under "params".
type countKind struct {
	trainedKind
	params struct {
		Label string `json:"label"`
	}
	ticks int
}

var _ lessonKind = (*countKind)(nil)

func init() {
	registerLessonKind("test-count", func() lessonKind { return &countKind{} }, func(l lesson.Lesson, fail func(field, format string, args ...any)) {
		var k countKind
		if err := l.DecodeParams(&k.params); err != nil {
			fail("params", "%v", err)
		} else if k.params.Label == "" {
			fail("params.label", "empty")
		}
	})
}

func (k *countKind) open(c *lessonContext, l *lesson.Lesson, _ *scene.Settings) {
	if err := l.DecodeParams(&k.params); err != nil {
		panic(err) // validated on load
	}
	c.tl.Pause()
}

func (k *countKind) update(*lessonContext, *input.Snapshot, flow.Vec, bool) { k.ticks++ }

func (k *countKind) lines(*lessonContext) []numLine {
	return []numLine{textLine(fmt.Sprintf("%s: %d ticks", k.params.Label, k.ticks))}
}

// A kind registered from its own file is validated on load, opens in the
// app and runs its tick, with no central list edited.
func TestRegisteredLessonKindRuns(t *testing.T) {
	const doc = `{"title": "Counting", "kind": "test-count", "caption": "Ticks.", "formula": "n = n + 1",
		"view": [-2, -2, 2, 2], "params": {"label": "ticks so far"}}`
	l, err := lesson.Parse("99-count.json", []byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := lesson.Parse("bad.json", []byte(`{"title": "Counting", "kind": "test-count", "caption": "Ticks.", "formula": "n",
		"view": [-2, -2, 2, 2], "params": {"lable": "x"}}`)); err == nil {
		t.Fatal("a misspelt param was accepted")
	}
	g, screen := inspectGame(t)
	l.Number = len(g.lessons.all) + 1
	g.lessons.all = append(g.lessons.all, l)
	g.lessons.show(len(g.lessons.all) - 1)
	for range 3 {
		frame(t, g, screen)
	}
	nums := g.lessons.numbers()
	if len(nums) != 1 || nums[0] == "" || g.lessons.state().Kind != "test-count" {
		t.Fatalf("lesson state %+v", g.lessons.state())
	}
	if k := g.lessons.kind.(*countKind); k.ticks < 3 || k.params.Label != "ticks so far" {
		t.Fatalf("kind %+v after 3 frames", k)
	}
}
