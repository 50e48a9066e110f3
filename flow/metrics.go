package flow

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
)

// MaxW2Points is the largest cloud W2 accepts: its cost matrix takes
// 8·n² bytes (128 MB at 4000) and Assign O(n³) time in the worst case.
const MaxW2Points = 4000

// W2 is the exact 2-Wasserstein distance between the uniform empirical
// distributions on a and b, which must have the same number of points:
//
//	W2(a, b) = ( min_σ (1/n)·Σ_i ‖a_i − b_σ(i)‖² )^½
//
// over permutations σ (for equal-size uniform clouds an optimal plan is a
// permutation: Birkhoff–von Neumann; Villani, Optimal Transport, 2009).
// It errors if the sizes differ, are zero or exceed MaxW2Points.
func W2(a, b []Vec) (float64, error) {
	n := len(a)
	switch {
	case n != len(b):
		return 0, fmt.Errorf("flow: W2 between %d and %d points: sizes must match (use SlicedW2)", len(a), len(b))
	case n == 0:
		return 0, fmt.Errorf("flow: W2 of empty point sets")
	case n > MaxW2Points:
		return 0, fmt.Errorf("flow: W2 of %d points: at most %d (use SlicedW2)", n, MaxW2Points)
	}
	cost := make([]float64, n*n)
	for i, p := range a {
		row := cost[i*n : i*n+n]
		for j, q := range b {
			dx, dy := p[0]-q[0], p[1]-q[1]
			row[j] = dx*dx + dy*dy
		}
	}
	total := Assign(cost, n, make([]int, n))
	return math.Sqrt(max(total, 0) / float64(n)), nil
}

// SlicedW2 is the sliced 2-Wasserstein distance (Rabin et al. 2011; Bonneel
// et al., Sliced and Radon Wasserstein barycenters, 2015) between the uniform
// empirical distributions on a and b, of any sizes:
//
//	SW2(a, b) = ( E_θ W2²(θ·a, θ·b) )^½,  θ uniform on the unit circle
//
// where each one-dimensional W2² = ∫₀¹ |F⁻¹(q) − G⁻¹(q)|² dq matches
// quantiles exactly. The expectation is estimated with `projections`
// equally spaced directions over the half circle (θ and −θ give the same
// value), rotated together by a random angle from rng, so a translation by
// d gives exactly |d|/√2 for projections ≥ 2. A nil rng means no rotation.
// It is NaN if a or b is empty and panics if projections < 1.
// SW2 ≤ W2 because projections do not increase distances.
func SlicedW2(a, b []Vec, projections int, rng *rand.Rand) float64 {
	if projections < 1 {
		panic(fmt.Sprintf("flow: SlicedW2 with %d projections", projections))
	}
	if len(a) == 0 || len(b) == 0 {
		return math.NaN()
	}
	offset := 0.0
	if rng != nil {
		offset = rng.Float64()
	}
	pa, pb := make([]float64, len(a)), make([]float64, len(b))
	sum := 0.0
	for k := range projections {
		s, c := math.Sincos((float64(k) + offset) * math.Pi / float64(projections))
		project(pa, a, c, s)
		project(pb, b, c, s)
		sum += quantileW2Sq(pa, pb)
	}
	return math.Sqrt(sum / float64(projections))
}

// project writes the sorted values ⟨x_i, (c, s)⟩ into dst.
func project(dst []float64, x []Vec, c, s float64) {
	for i, p := range x {
		dst[i] = c*p[0] + s*p[1]
	}
	slices.Sort(dst)
}

// quantileW2Sq is ∫₀¹ |F⁻¹(q) − G⁻¹(q)|² dq for sorted samples a and b: the
// quantile functions are steps at i/n and j/m, so the integral is a sum over
// the merged breakpoints, compared as integers (i·m vs j·n) to avoid
// rounding in the merge.
func quantileW2Sq(a, b []float64) float64 {
	n, m := len(a), len(b)
	nm := float64(n) * float64(m)
	sum := 0.0
	i, j, q := 0, 0, 0 // q is the current quantile times n·m
	for i < n && j < m {
		ni, nj := (i+1)*m, (j+1)*n
		next := min(ni, nj)
		d := a[i] - b[j]
		sum += float64(next-q) / nm * d * d
		q = next
		if ni == next {
			i++
		}
		if nj == next {
			j++
		}
	}
	return sum
}

// EnergyDistance is the energy distance (Székely and Rizzo, Energy
// statistics, J. Stat. Plan. Inference 143, 2013) between the uniform
// empirical distributions on a and b, as the V-statistic
//
//	D²(a, b) = 2·E‖X − Y‖ − E‖X − X'‖ − E‖Y − Y'‖
//
// with X, X' drawn from a and Y, Y' from b (all pairs, O(n·m + n² + m²)).
// It is ≥ 0 (negative rounding is clamped) and 0 only for equal
// distributions; it is NaN if a or b is empty.
func EnergyDistance(a, b []Vec) float64 {
	if len(a) == 0 || len(b) == 0 {
		return math.NaN()
	}
	cross := 0.0
	for _, p := range a {
		for _, q := range b {
			cross += dist(p, q)
		}
	}
	cross /= float64(len(a)) * float64(len(b))
	d := 2*cross - meanPairDist(a) - meanPairDist(b)
	return max(d, 0)
}

// meanPairDist is (1/n²)·Σ_i Σ_j ‖x_i − x_j‖, summing each pair once.
func meanPairDist(x []Vec) float64 {
	sum := 0.0
	for i, p := range x {
		for _, q := range x[i+1:] {
			sum += dist(p, q)
		}
	}
	n := float64(len(x))
	return 2 * sum / (n * n)
}

func dist(p, q Vec) float64 {
	dx, dy := p[0]-q[0], p[1]-q[1]
	return math.Sqrt(dx*dx + dy*dy)
}

// PathEnergy is the kinetic energy of trajectories recorded on a uniform
// grid t_k = k/N over [0, 1] (traj[k] = states at t_k, as Integrate records
// them), averaged over particles:
//
//	PE = E ∫₀¹ ‖v‖² dt ≈ E Σ_k ‖x_{k+1} − x_k‖² / Δt,  Δt = 1/N
//
// Straight constant-speed paths have PE = E‖x_N − x_0‖², the least energy
// for their endpoints, so any trajectories have PE ≥ W2²(traj[0], traj[N])
// (Benamou and Brenier 2000); see NormalizedPathEnergy. It is 0 for fewer
// than two states and NaN for no particles.
func PathEnergy(traj [][]Vec) float64 {
	particles := checkTrajectory(traj)
	if particles == 0 {
		return math.NaN()
	}
	n := len(traj) - 1
	if n < 1 {
		return 0
	}
	sum := 0.0
	for k := range n {
		for i, p := range traj[k+1] {
			q := traj[k][i]
			dx, dy := p[0]-q[0], p[1]-q[1]
			sum += dx*dx + dy*dy
		}
	}
	// Σ ‖Δx‖²/Δt with Δt = 1/N, averaged over particles.
	return sum * float64(n) / float64(particles)
}

// NormalizedPathEnergy is NPE = |PE − W2²| / W2² (Tong et al., Improving and
// generalizing flow-based generative models with minibatch optimal
// transport, TMLR 2024): 0 when the flow transports along the optimal
// (straight, constant-speed) plan. It is Inf or NaN when w2sq = 0.
func NormalizedPathEnergy(pe, w2sq float64) float64 {
	return math.Abs(pe-w2sq) / w2sq
}

// Straightness is the straightness of a flow (Liu et al., Flow straight and
// fast, 2022), for trajectories recorded as for PathEnergy:
//
//	S = E ∫₀¹ ‖(x_1 − x_0) − v(x_t, t)‖² dt
//	  ≈ E Σ_k Δt·‖(x_N − x_0) − (x_{k+1} − x_k)/Δt‖²,  Δt = 1/N
//
// It is 0 exactly for straight paths travelled at constant speed, which
// one Euler step integrates without error. It is 0 for fewer than two
// states and NaN for no particles.
func Straightness(traj [][]Vec) float64 {
	particles := checkTrajectory(traj)
	if particles == 0 {
		return math.NaN()
	}
	n := len(traj) - 1
	if n < 1 {
		return 0
	}
	dt := 1 / float64(n)
	sum := 0.0
	first, last := traj[0], traj[n]
	for k := range n {
		for i, p := range traj[k+1] {
			q := traj[k][i]
			ex := (last[i][0] - first[i][0]) - (p[0]-q[0])/dt
			ey := (last[i][1] - first[i][1]) - (p[1]-q[1])/dt
			sum += dt * (ex*ex + ey*ey)
		}
	}
	return sum / float64(particles)
}

// checkTrajectory returns the number of particles, panicking if the states
// differ in size.
func checkTrajectory(traj [][]Vec) int {
	if len(traj) == 0 {
		return 0
	}
	particles := len(traj[0])
	for k, state := range traj {
		if len(state) != particles {
			panic(fmt.Sprintf("flow: trajectory state %d holds %d points, state 0 holds %d", k, len(state), particles))
		}
	}
	return particles
}
