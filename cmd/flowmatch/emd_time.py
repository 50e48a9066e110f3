"""Times POT's exact solver ot.emd (what torchcfm's OT-CFM calls) on the cost
matrices `flowmatch bench -coupling ot -peer` wrote, one thread, and prints:

    pot 0.8.2
    emd_ms_per_problem 4.1    (wall clock)
    emd_cpu_ms_per_problem 4.0   (process CPU time: steadier on a busy machine)
    totals t1 t2 ...          (n · Σ plan ⊙ M: the optimal assignment's cost)

usage: python3 -c "$(cat emd_time.py)" MATRICES N    (float64 little-endian, K matrices of N×N, row-major)
"""
import sys, time
import numpy as np
import ot

path, n = sys.argv[1], int(sys.argv[2])
M = np.fromfile(path, dtype="<f8").reshape(-1, n, n)
w = np.ones(n) / n
ot.emd(w, w, M[0])  # warm up
plans = []
t0, c0 = time.perf_counter(), time.process_time()
for m in M:
    plans.append(ot.emd(w, w, m))
seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
print(f"pot {ot.__version__}")
print(f"emd_ms_per_problem {1e3 * seconds / len(M):.4f}")
print(f"emd_cpu_ms_per_problem {1e3 * cpu / len(M):.4f}")
print("totals " + " ".join(f"{n * float(np.sum(p * m)):.17g}" for p, m in zip(plans, M)))
