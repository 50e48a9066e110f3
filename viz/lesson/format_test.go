package lesson

import (
	"math"
	"testing"

	"github.com/flowviz/flowviz/flow"
)

func TestFormatNum(t *testing.T) {
	tests := []struct {
		x    float64
		want string
	}{
		{0, "0"},
		{math.Copysign(0, -1), "0"},
		{4, "4"},
		{-4, "−4"},
		{1.5, "1.5"},
		{-0.25, "−0.25"},
		{0.1 + 0.2, "0.3"},
		{1e-9, "0"},
		{-1e-9, "0"},
		{-0.004, "0"},
		{-0.006, "−0.01"},
		{2.005, "2"}, // 2.005 is 2.00499… in binary
		{2.675, "2.67"},
		{1.999, "2"},
		{3.10, "3.1"},
		{123456.789, "123456.79"},
		{999999.99, "999999.99"},
		{1e6, "1e+06"},
		{-1234567, "−1.23e+06"},
		{1e300, "1e+300"},
		{math.Inf(1), "∞"},
		{math.Inf(-1), "−∞"},
		{math.NaN(), "NaN"},
	}
	for _, tc := range tests {
		if got := FormatNum(tc.x); got != tc.want {
			t.Errorf("FormatNum(%v) = %q, want %q", tc.x, got, tc.want)
		}
	}
}

func TestFormatVec(t *testing.T) {
	tests := []struct {
		v    flow.Vec
		want string
	}{
		{flow.Vec{4, 4}, "(4, 4)"},
		{flow.Vec{1.5, -0.25}, "(1.5, −0.25)"},
		{flow.Vec{math.Copysign(0, -1), -1e-9}, "(0, 0)"},
		{flow.Vec{6, -6}, "(6, −6)"},
		{flow.Vec{2.005, 1e7}, "(2, 1e+07)"},
	}
	for _, tc := range tests {
		if got := FormatVec(tc.v); got != tc.want {
			t.Errorf("FormatVec(%v) = %q, want %q", tc.v, got, tc.want)
		}
	}
}

func TestFormatPrec(t *testing.T) {
	tests := []struct {
		x    float64
		prec int
		want string
	}{
		{-0.82, 1, "−0.8"},
		{1.25, 1, "1.2"}, // round half to even in binary: 1.25 is exact
		{10, 0, "10"},    // no decimals: zeros of the integer part stay
		{-0.04, 1, "0"},
		{2.5, 0, "2"},
	}
	for _, tc := range tests {
		if got := FormatNumPrec(tc.x, tc.prec); got != tc.want {
			t.Errorf("FormatNumPrec(%v, %d) = %q, want %q", tc.x, tc.prec, got, tc.want)
		}
	}
	if got := FormatVecPrec(flow.Vec{-0.82, 1.26}, 1); got != "(−0.8, 1.3)" {
		t.Errorf("FormatVecPrec = %q, want (−0.8, 1.3)", got)
	}
}
