package flow

import "testing"

func TestClassAccuracy(t *testing.T) {
	ref := []Vec{{0, 0}, {0, 1}, {5, 0}, {5, 1}}
	labels := []int{0, 0, 1, 1}
	for _, tc := range []struct {
		samples []Vec
		k       int
		want    float64
	}{
		{[]Vec{{0.2, 0.5}, {1, 0}, {4, 0}}, 0, 2.0 / 3},
		{[]Vec{{0.2, 0.5}, {1, 0}, {4, 0}}, 1, 1.0 / 3},
		{[]Vec{{9, 9}}, 1, 1},
		{nil, 0, 0},
	} {
		if got := ClassAccuracy(tc.samples, tc.k, ref, labels); got != tc.want {
			t.Errorf("ClassAccuracy(%v, %d) = %v, want %v", tc.samples, tc.k, got, tc.want)
		}
	}
	if k := NearestClass(Vec{1, 1}, nil, nil); k != -1 {
		t.Errorf("NearestClass without references = %d", k)
	}
}
