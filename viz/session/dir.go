package session

import (
	"os"
	"path/filepath"
)

// DefaultKeepDir is where sessions and exports go: os.UserConfigDir()/flowviz
// (beside the kept drawing), else ./flowviz.
func DefaultKeepDir() string {
	if d, err := os.UserConfigDir(); err == nil {
		return filepath.Join(d, "flowviz")
	}
	return "flowviz"
}

// DefaultDrawingFile is where the drawing is kept between runs:
// os.UserConfigDir()/flowviz/drawing.csv, or "" if there is no such dir.
func DefaultDrawingFile() string {
	dir, err := os.UserConfigDir()
	if err != nil {
		return ""
	}
	return filepath.Join(dir, "flowviz", "drawing.csv")
}
