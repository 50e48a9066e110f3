package flow

import (
	"fmt"
	"math"
)

// Assign solves the linear assignment problem: it finds the permutation σ
// minimising Σ_i cost[i·n + σ(i)] over an n×n row-major cost matrix, writes
// σ(i) into rowToCol[i] and returns the minimal total.
//
// The method is Jonker and Volgenant's (A shortest augmenting path algorithm
// for dense and sparse linear assignment problems, Computing 38, 1987):
// column reduction, reduction transfer and two rounds of augmenting row
// reduction give a cheap partial assignment with feasible column prices v;
// then each remaining free row is assigned along a shortest augmenting path
// (Dijkstra on the reduced costs c[i][j] − v[j] − u[i] ≥ 0) and the prices of
// the scanned columns are updated so that reduced costs stay non-negative.
// Each augmentation costs O(n²) at worst, so the whole is O(n³).
//
// When the augmenting paths grow long (typically squared distances between
// point clouds, where the row reduction stalls) it computes near-optimal
// prices by ε-scaling auction (Bertsekas 1988) and augments from those
// instead. On this 2-core machine n = 2000 takes about 0.1 s for uniform
// random costs and 0.3–0.5 s for squared distances between 2D clouds.
//
// Costs may be negative and may tie; they must be finite (a NaN or Inf
// panics), as must n ≥ 0, len(cost) == n·n and len(rowToCol) == n. The total
// is minimal up to rounding of the order of n·1e-16·(max cost − min cost).
func Assign(cost []float64, n int, rowToCol []int) (total float64) {
	var a Assigner
	return a.Assign(cost, n, rowToCol)
}

// Assigner is Assign with its work arrays kept between calls, for callers
// that solve many problems, like a minibatch-OT coupling every training
// step: after the first call of the largest size it does not allocate.
// The zero value is ready to use; an Assigner must not be used from two
// goroutines at once.
type Assigner struct {
	v, d []float64

	y, argmin, matches, free, pred, collist, owner, stack []int
}

// Assign is the package function Assign.
func (a *Assigner) Assign(cost []float64, n int, rowToCol []int) (total float64) {
	if n < 0 || len(cost) != n*n || len(rowToCol) != n {
		panic(fmt.Sprintf("flow: Assign of %d costs as %d×%d into %d rows", len(cost), n, n, len(rowToCol)))
	}
	for _, c := range cost {
		if math.IsNaN(c) || math.IsInf(c, 0) {
			panic("flow: Assign cost is not finite")
		}
	}
	a.lapjv(cost, n, rowToCol, 10*n, false)
	for i, j := range rowToCol {
		total += cost[i*n+j]
	}
	return total
}

// lapjv fills x (row → column) with an optimal assignment and returns the
// final column prices v; the row prices are u[i] = c[i][x[i]] − v[x[i]], and
// (u, v) is a dual certificate: c[i][j] − u[i] − v[j] ≥ 0, with equality on
// the assignment. If the augmentation scans scanBudget columns (unless
// scanBudget < 0) it restarts from auction prices; with forceAuction it
// starts from them.
func (a *Assigner) lapjv(c []float64, n int, x []int, scanBudget int, forceAuction bool) (v []float64) {
	a.grow(n)
	v = a.v
	switch n {
	case 0:
		return v
	case 1:
		x[0] = 0
		v[0] = c[0]
		return v
	}
	y := a.y // column → row, −1 when free
	for i := range x {
		x[i] = -1
	}
	free := columnReduction(c, n, x, y, v, a.argmin, a.matches, a.free)
	if !forceAuction {
		for range 2 {
			free = augmentingRowReduction(c, n, x, y, v, free)
		}
		// On random costs the paths are short and this finishes quickly.
		// On geometric costs (squared distances between point clouds) many
		// rows compete for the same columns, the row reduction stalls in
		// tiny price steps and the paths grow long; past a budget of
		// scanned columns, a fraction of the cost of an auction, we get
		// better prices from one and start again.
		if a.augmentShortestPaths(c, n, x, y, v, free, scanBudget) {
			return v
		}
	}
	lo, hi := c[0], c[0]
	for _, cij := range c {
		lo, hi = min(lo, cij), max(hi, cij)
	}
	// ε must move prices of size max|c| by many ulps, or bids that tie
	// (w1 = w2) would not change any price and the auction would not end.
	epsMin := max((hi-lo)*1e-5, max(-lo, hi)*1e-12)
	if epsMin > 0 {
		auctionPrices(c, n, v, max((hi-lo)/32, epsMin), epsMin, 4, a.owner, a.stack)
	}
	free = free[:0]
	for i := range n {
		x[i], y[i] = -1, -1
		free = append(free, i)
	}
	a.augmentShortestPaths(c, n, x, y, v, free, -1)
	return v
}

// grow sizes the work arrays for n×n problems.
func (a *Assigner) grow(n int) {
	if cap(a.v) < n {
		a.v, a.d = make([]float64, n), make([]float64, n)
		ints := make([]int, 8*n)
		for _, s := range []*[]int{&a.y, &a.argmin, &a.matches, &a.free, &a.pred, &a.collist, &a.owner, &a.stack} {
			*s, ints = ints[:n:n], ints[n:]
		}
	}
	a.v, a.d = a.v[:n], a.d[:n]
	clear(a.v)
	for _, s := range []*[]int{&a.y, &a.argmin, &a.matches, &a.free, &a.pred, &a.collist, &a.owner, &a.stack} {
		*s = (*s)[:n]
	}
}

// columnReduction sets v[j] = min_i c[i][j] and assigns each column to its
// cheapest row when that row is not taken already (each row keeps the column
// with the smallest price). It then performs the reduction transfer: a row
// that won exactly one column lowers that column's price to its second-best
// reduced cost, which makes the other rows' augmenting moves cheaper.
// It returns the rows left unassigned.
// argmin, matches and free are work arrays of length n.
func columnReduction(c []float64, n int, x, y []int, v []float64, argmin, matches, free []int) []int {
	// Column minima, scanning the matrix by rows for cache locality; strict
	// < keeps the first row among ties.
	clear(argmin)
	copy(v, c[:n])
	for i := 1; i < n; i++ {
		row := c[i*n : i*n+n]
		for j, cij := range row {
			if cij < v[j] {
				v[j], argmin[j] = cij, i
			}
		}
	}
	clear(matches)
	free = free[:0]
	for j := n - 1; j >= 0; j-- {
		i := argmin[j]
		matches[i]++
		switch {
		case matches[i] == 1:
			x[i], y[j] = j, i
		case v[j] < v[x[i]]:
			y[x[i]] = -1
			x[i], y[j] = j, i
		default:
			y[j] = -1
		}
	}
	for i := range n {
		switch matches[i] {
		case 0:
			free = append(free, i)
		case 1:
			// u_i = min_{j≠x_i} (c[i][j] − v[j]); v[x_i] = c[i][x_i] − u_i.
			j1 := x[i]
			row := c[i*n : i*n+n]
			u := math.Inf(1)
			for j, cij := range row {
				if j != j1 {
					u = min(u, cij-v[j])
				}
			}
			v[j1] = row[j1] - u
		}
	}
	return free
}

// augmentingRowReduction tries to assign each free row i to the column j1 of
// its smallest reduced cost u1 = c[i][j1] − v[j1]. It lowers v[j1] by the gap
// u2 − u1 to the second smallest, so row i holds j1 tightly at price u2;
// a row it displaces is processed next (it is likely to find a cheap
// alternative). On a tie (u1 = u2) the price cannot drop, so row i takes the
// second column and any displaced row waits for the next round. It returns
// the rows still free.
func augmentingRowReduction(c []float64, n int, x, y []int, v []float64, free []int) []int {
	prev := len(free)
	k, numFree := 0, 0
	// The price drops are positive but, in floating point, may be tiny; the
	// budget stops a long cycle, leaving the rest to augmentShortestPaths.
	budget := 8 * n
	for k < prev && budget > 0 {
		budget--
		i := free[k]
		k++
		j1, j2, u1, u2 := bestTwo(c[i*n:i*n+n], v)
		i0 := y[j1]
		strict := u1 < u2
		if strict {
			v[j1] -= u2 - u1
		} else if i0 >= 0 {
			j1 = j2
			i0 = y[j2]
		}
		x[i], y[j1] = j1, i
		if i0 >= 0 {
			x[i0] = -1
			if strict {
				k--
				free[k] = i0
			} else {
				free[numFree] = i0
				numFree++
			}
		}
	}
	// Rows not reached within the budget stay free; numFree ≤ k, so the
	// copy moves them down without overwriting unread entries.
	numFree += copy(free[numFree:], free[k:prev])
	return free[:numFree]
}

// augmentShortestPaths assigns every free row along a shortest augmenting
// path in the reduced costs (Dijkstra with dense scans), then updates the
// prices of the columns scanned on the way: v[j] += d[j] − d_min keeps every
// reduced cost ≥ 0 and makes the new path tight. If budget ≥ 0 and at least
// budget columns have been scanned before a row starts, it stops and reports
// false, leaving a consistent partial assignment.
func (a *Assigner) augmentShortestPaths(c []float64, n int, x, y []int, v []float64, free []int, budget int) (done bool) {
	d := a.d             // shortest distance from the free row to each column
	pred := a.pred       // the row before each column on its shortest path
	collist := a.collist // columns, partitioned: [0,low) scanned, [low,up) at dmin, [up,n) the rest
	totalScanned := 0
	for _, f := range free {
		if budget >= 0 && totalScanned >= budget {
			return false
		}
		row := c[f*n : f*n+n]
		for j := range n {
			d[j] = row[j] - v[j]
			pred[j] = f
			collist[j] = j
		}
		low, up, scanned := 0, 0, 0
		end := -1
		var dmin float64
		for end < 0 {
			if up == low {
				// Collect the columns at the new minimum distance.
				scanned = low
				dmin = d[collist[up]]
				up++
				for k := up; k < n; k++ {
					j := collist[k]
					if h := d[j]; h <= dmin {
						if h < dmin {
							up, dmin = low, h
						}
						collist[k], collist[up] = collist[up], j
						up++
					}
				}
				for k := low; k < up; k++ {
					if y[collist[k]] < 0 {
						end = collist[k]
						break
					}
				}
				if end >= 0 {
					break
				}
			}
			// Scan a column at dmin: relax the others through its row.
			j1 := collist[low]
			low++
			i := y[j1]
			rowi := c[i*n : i*n+n]
			h := rowi[j1] - v[j1] - dmin // −u_i shifted by dmin
			for k := up; k < n; k++ {
				j := collist[k]
				dj := rowi[j] - v[j] - h
				if dj < d[j] {
					pred[j] = i
					// dj < dmin happens only by rounding; treat it as a tie.
					if dj <= dmin {
						if y[j] < 0 {
							end = j
							break
						}
						collist[k], collist[up] = collist[up], j
						up++
					}
					d[j] = dj
				}
			}
		}
		totalScanned += low
		for _, j := range collist[:scanned] {
			v[j] += d[j] - dmin
		}
		// Flip the path: each column on it takes the row before it.
		for {
			i := pred[end]
			y[end] = i
			x[i], end = end, x[i]
			if i == f {
				break
			}
		}
	}
	return true
}

// auctionPrices improves the column prices v by ε-scaling forward auction
// (Bertsekas, The auction algorithm, Ann. Oper. Res. 14, 1988). Each free
// row i bids for its best column j1, lowering v[j1] until
// c[i][j1] − v[j1] = w2 + ε, where w2 is its second-best reduced cost, and
// evicts the column's previous owner. A phase ends when every row holds a
// column; ε then shrinks by factor and all rows are freed again. Only the
// prices are kept: they warm-start the exact shortest-path augmentation,
// whose paths are short once prices are within ε·n of optimal.
// owner (column → row, −1 when free) and stack are work arrays of length n.
func auctionPrices(c []float64, n int, v []float64, eps0, epsMin, factor float64, owner, stack []int) {
	for eps := eps0; ; eps = max(eps/factor, epsMin) {
		for j := range owner {
			owner[j] = -1
		}
		stack = stack[:0]
		for i := n - 1; i >= 0; i-- {
			stack = append(stack, i)
		}
		for len(stack) > 0 {
			i := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			j1, w1, w2 := bestTwoFast(c[i*n:i*n+n], v)
			v[j1] -= w2 - w1 + eps
			if k := owner[j1]; k >= 0 {
				stack = append(stack, k)
			}
			owner[j1] = i
		}
		if eps <= epsMin {
			return
		}
	}
}

// bestTwo returns the columns j1, j2 of the smallest and second smallest
// reduced costs w1 = row[j1] − v[j1] ≤ w2 = row[j2] − v[j2] (w2 = w1 on a
// tie); len(row) ≥ 2.
func bestTwo(row, v []float64) (j1, j2 int, w1, w2 float64) {
	v = v[:len(row)]
	w1, w2 = math.Inf(1), math.Inf(1)
	j := 0
	// Four at a time: most blocks hold nothing below w2, and one branch-free
	// minimum per block lets them be skipped with a single comparison.
	for ; j+4 <= len(row); j += 4 {
		h0, h1 := row[j]-v[j], row[j+1]-v[j+1]
		h2, h3 := row[j+2]-v[j+2], row[j+3]-v[j+3]
		if min(min(h0, h1), min(h2, h3)) >= w2 {
			continue
		}
		for k, h := range [4]float64{h0, h1, h2, h3} {
			if h < w2 {
				if h < w1 {
					w2, j2, w1, j1 = w1, j1, h, j+k
				} else {
					w2, j2 = h, j+k
				}
			}
		}
	}
	for ; j < len(row); j++ {
		if h := row[j] - v[j]; h < w2 {
			if h < w1 {
				w2, j2, w1, j1 = w1, j1, h, j
			} else {
				w2, j2 = h, j
			}
		}
	}
	return j1, j2, w1, w2
}
