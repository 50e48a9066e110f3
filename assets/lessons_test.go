package assets

import (
	"encoding/json"
	"io/fs"
	"regexp"
	"testing"
)

// The lesson files sit at the root of Lessons(), are named NN-name.json and
// are well-formed JSON objects; their content is checked by viz/lesson.
func TestLessonFiles(t *testing.T) {
	names, err := fs.Glob(Lessons(), "*.json")
	if err != nil {
		t.Fatal(err)
	}
	// The eight lessons of the blog post, then density (9), diffusion
	// (10–13) and images (14).
	if len(names) != 14 {
		t.Fatalf("%d lesson files %v, want 14", len(names), names)
	}
	pattern := regexp.MustCompile(`^[0-9]{2}-[a-z0-9-]+\.json$`)
	for _, name := range names {
		if !pattern.MatchString(name) {
			t.Errorf("%s: want a name like 01-one-pair.json", name)
		}
		b, err := fs.ReadFile(Lessons(), name)
		if err != nil {
			t.Fatal(err)
		}
		var obj map[string]any
		if err := json.Unmarshal(b, &obj); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}
