package data

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/flowviz/flowviz/flow/limitfile"
)

// imageParams are the options of an image spec, "file.png:threshold=0.4,...".
var imageParams = []param{
	{"threshold", 0.5, 1e-3, 1, false, "luminance below which a pixel is ink"},
	{"invert", 0, 0, 1, true, "1: light pixels are ink"},
	{"size", 8, 1e-3, maxLength, false, "world size of the longer side"},
	{"maxside", 512, 1, maxMaskSide, true, "downscale to at most this many pixels a side"},
	{"weight", 0, 0, 1, true, "1: weight ink by darkness"},
}

// csvParams are the options of a CSV spec, "file.csv:jitter=0.05".
var csvParams = []param{
	{"jitter", 0, 0, maxLength, false, "std of Gaussian noise added to each draw"},
}

// textPrefix starts a Load spec for rendered text.
const textPrefix = "text:"

// imageExts are the file name endings Load reads as images.
var imageExts = []string{".png", ".jpg", ".jpeg", ".gif"}

// Load is Parse plus files. A spec ending in .csv loads a point set (its
// rows may carry class labels, see ReadLabeledCSV), one
// ending in .png, .jpg, .jpeg or .gif an image mask; options follow a colon:
//
//	shape.csv:jitter=0.05
//	logo.png:threshold=0.5,invert=1,size=8,maxside=512,weight=0
//
// "text:Flow\nMatching" renders the text after the colon with Text
// (default options), the two characters \n starting a new line. Anything
// else is a built-in spec for Parse.
func Load(spec string) (Dist, error) {
	if text, ok := strings.CutPrefix(strings.TrimLeft(spec, " "), textPrefix); ok {
		d, err := Text(strings.ReplaceAll(text, `\n`, "\n"), MaskOptions{})
		if err != nil {
			return nil, err
		}
		return d, nil
	}
	path, args, ext := splitFileSpec(strings.TrimSpace(spec))
	switch {
	case ext == ".csv":
		v, err := parseArgs(filepath.Base(path), csvParams, args)
		if err != nil {
			return nil, err
		}
		f, err := limitfile.Open(path, MaxCSVBytes)
		if err != nil {
			return nil, fmt.Errorf("data: %w", err)
		}
		defer f.Close()
		pts, labels, err := ReadLabeledCSV(f, MaxCSVPoints)
		if err != nil {
			return nil, fmt.Errorf("%w (%s)", err, path)
		}
		set, err := NewPointSet(filepath.Base(path), pts, v[0])
		if err != nil {
			return nil, err // not set: a nil *PointSet would make a non-nil Dist
		}
		set.Labels = labels
		return set, nil
	case ext != "":
		v, err := parseArgs(filepath.Base(path), imageParams, args)
		if err != nil {
			return nil, err
		}
		img, err := LoadImage(path, MaskOptions{
			Threshold: v[0], Invert: v[1] == 1, Size: v[2], MaxSide: int(v[3]), Weighted: v[4] == 1,
		})
		if err != nil {
			return nil, err
		}
		return img, nil
	}
	return Parse(spec)
}

// splitFileSpec splits "path.ext" or "path.ext:options" for the file
// extensions Load knows, case-insensitively; ext is "" for anything else.
// The last match wins, so a directory named "x.png:" cannot confuse it.
func splitFileSpec(spec string) (path, args, ext string) {
	lower := strings.ToLower(spec)
	best := -1
	for _, e := range append([]string{".csv"}, imageExts...) {
		if strings.HasSuffix(lower, e) && len(spec)-len(e) > best {
			best, path, args, ext = len(spec)-len(e), spec, "", e
		}
		if i := strings.LastIndex(lower, e+":"); i >= 0 && i > best {
			best, path, args, ext = i, spec[:i+len(e)], spec[i+len(e)+1:], e
		}
	}
	return path, args, ext
}

// imageArgs renders options in the order of imageParams.
func imageArgs(o MaskOptions) string {
	var s strings.Builder
	values := []float64{o.Threshold, b2f(o.Invert), o.Size, float64(o.MaxSide), b2f(o.Weighted)}
	for i, p := range imageParams {
		if i > 0 {
			s.WriteString(",")
		}
		s.WriteString(p.key + "=" + formatValue(values[i]))
	}
	return s.String()
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
