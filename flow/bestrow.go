package flow

import "math"

// laneTop2 is the state of a vectorised row scan (bestrow_amd64.s). Lane k
// covers the entries j ≡ k modulo the lane count and keeps the smallest
// reduced cost m1[k] among them, the first j attaining it in idx[k], the
// second smallest m2[k], and in jv[k] the j it looks at next.
type laneTop2 struct {
	m1, m2  [16]float64
	idx, jv [16]int64
}

// laneStart is a scan before the first entry.
var laneStart = func() (l laneTop2) {
	for k := range l.m1 {
		l.m1[k], l.m2[k], l.jv[k] = math.Inf(1), math.Inf(1), int64(k)
	}
	return l
}()

// rowKernel is the fastest row kernel this CPU runs, and rowStep the
// multiple of entries it takes.
var rowKernel, rowStep = bestRowKernel()

// Row kernels.
const (
	rowKernelGo = iota // bestTwo only
	rowKernelAVX2
	rowKernelAVX512
)

// scanRow returns j1, w1 and w2 of the first n entries of row − v with
// the CPU's kernel, n a multiple of rowStep.
func scanRow(row, v *float64, n int) (j1 int, w1, w2 float64) {
	l := laneStart
	switch rowKernel {
	case rowKernelAVX512:
		// The kernel merges its lanes itself.
		bestTwoLanes512Asm(row, v, n, &l)
		return int(l.idx[0]), l.m1[0], l.m2[0]
	case rowKernelAVX2:
		bestTwoLanesAVX2Asm(row, v, n, &l)
		return reduceLanes(&l)
	}
	panic("flow: no row kernel")
}

// bestTwoLanesGo is what the row kernels compute, with lanes lanes (the Go
// definition the tests hold them to).
func bestTwoLanesGo(row, v []float64, lanes int, l *laneTop2) {
	for j, c := range row {
		k := j % lanes
		h := c - v[j]
		l.m2[k] = min(l.m2[k], max(h, l.m1[k]))
		if h < l.m1[k] {
			l.idx[k] = int64(j)
		}
		l.m1[k] = min(l.m1[k], h)
		l.jv[k] = int64(j + lanes)
	}
}

// bestTwoFast is bestTwo without j2, on vectors where the CPU has them: the
// columns j1 of the smallest reduced cost w1 = row[j1] − v[j1] (the first
// such column, as bestTwo) and the second smallest w2 (w2 = w1 on a tie).
// len(row) ≥ 2.
func bestTwoFast(row, v []float64) (j1 int, w1, w2 float64) {
	n := len(row)
	v = v[:n]
	if rowKernel == rowKernelGo || n < 2*rowStep {
		return bestTwo(row, v)
	}
	m := n &^ (rowStep - 1)
	j1, w1, w2 = scanRow(&row[0], &v[0], m)
	return bestTwoFrom(row, v, m, j1, w1, w2)
}

// reduceLanes merges the lanes of a scan: the smallest m1 (the lowest index
// among equal ones, so that j1 is the first column attaining it, whatever
// the lane count) and the smallest of the rest.
func reduceLanes(l *laneTop2) (j1 int, w1, w2 float64) {
	kb := 0
	for k := 1; k < len(l.m1); k++ {
		if l.m1[k] < l.m1[kb] || (l.m1[k] == l.m1[kb] && l.idx[k] < l.idx[kb]) {
			kb = k
		}
	}
	w2 = math.Inf(1)
	for k := range l.m1 {
		w2 = min(w2, l.m2[k])
		if k != kb {
			w2 = min(w2, l.m1[k])
		}
	}
	return int(l.idx[kb]), l.m1[kb], w2
}
