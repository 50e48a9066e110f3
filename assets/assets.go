// Package assets holds the built-in target silhouettes (heart, star, …),
// embedded PNG masks drawn by scripts/genshapes, the guided lessons' JSON
// files, read by package viz/lesson, and the example lecture decks (viz/deck).
package assets

import (
	"embed"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"

	"github.com/flowviz/flowviz/flow/data"
)

//go:generate go run ../scripts/genshapes -out shapes

//go:embed shapes/*.png
var shapes embed.FS

//go:embed lessons/*.json
var lessons embed.FS

//go:embed decks/*.json
var decks embed.FS

// Decks returns the shipped example decks at the root of the FS.
func Decks() fs.FS {
	sub, err := fs.Sub(decks, "decks")
	if err != nil {
		panic(err) // the embed pattern guarantees the directory
	}
	return sub
}

// Lessons returns the lesson files, NN-name.json, at the root of the FS.
func Lessons() fs.FS {
	sub, err := fs.Sub(lessons, "lessons")
	if err != nil {
		panic(err) // the embed pattern guarantees the directory
	}
	return sub
}

// Names lists the built-in shapes, sorted.
func Names() []string {
	entries, err := fs.ReadDir(shapes, "shapes")
	if err != nil {
		panic(err) // the embed pattern guarantees the directory
	}
	var names []string
	for _, e := range entries {
		names = append(names, strings.TrimSuffix(e.Name(), ".png"))
	}
	slices.Sort(names)
	return names
}

// Shape returns the named shape as a distribution; opt places and sizes it
// as for any image mask.
func Shape(name string, opt data.MaskOptions) (*data.ImageDist, error) {
	f, err := shapes.Open(path.Join("shapes", name+".png"))
	if err != nil {
		return nil, fmt.Errorf("assets: no built-in shape %q (have %s)", name, strings.Join(Names(), ", "))
	}
	defer f.Close()
	return data.ReadImage(f, opt)
}
