package flow

import (
	"math"
	"testing"
)

func TestMaxSpeedSkipsNonFinite(t *testing.T) {
	for _, tc := range []struct {
		name  string
		field [][]Vec
		want  float64
	}{
		{"empty", nil, 0},
		{"one slice", [][]Vec{{{3, 4}, {1, 0}}}, 5},
		{"across slices", [][]Vec{{{1, 0}}, {{0, -6}}}, 6},
		{"inf and NaN skipped", [][]Vec{{{3, 4}, {math.Inf(1), 0}}, {{0, 1}, {math.NaN(), 0}}}, 5},
	} {
		if got := MaxSpeed(tc.field); got != tc.want {
			t.Errorf("%s: MaxSpeed = %v, want %v", tc.name, got, tc.want)
		}
	}
}
