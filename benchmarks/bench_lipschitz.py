"""Exact Lipschitz constants (issue 12) against enumerating every activation pattern, in one run.

Two-layer networks f = a.relu(W x + b), weights k/4 (seeded), on the box [-1, 1]^d, l_2 (Lip^2 exactly).
Baseline: all 2^k patterns, each cell's interior inside the open box decided by an exact LP (the simplex
method over the rationals: max t with s_l (w_l.x + b_l) >= t, t <= 1), the largest gradient norm over the
realised cells.  Printed: both times and their ratio where the baseline runs (k <= 12), the number of
regions the exact method visits against Buck's bound sum_{i <= d} C(k, i), and whether both agree.

usage: python benchmarks/bench_lipschitz.py [--quick] | --largest BUDGET
"""
import argparse
import itertools
import math
import random
import time

from flint import fmpq

from exactmem import ReLUNet, box
from exactmem.analysis.simplex import minimize
from exactmem.lipschitz import lipschitz_constant


def net(seed, d, k):
    rng = random.Random(seed)
    return ReLUNet([([[fmpq(rng.randint(-8, 8), 4) for _ in range(d)] for _ in range(k)],
                     [fmpq(rng.randint(-4, 4), 4) for _ in range(k)]),
                    ([[fmpq(rng.randint(-8, 8), 4) for _ in range(k)]], [fmpq(0)])])


def enumerate_patterns(f, d):
    (W, b), (A, _) = f.layers
    k, best = W.nrows(), fmpq(0)
    for s in itertools.product((0, 1), repeat=k):
        g = [sum((A[0, i] * W[i, j] for i in range(k) if s[i]), fmpq(0)) for j in range(d)]
        v = sum((t * t for t in g), fmpq(0))
        rows = [([fmpq(sg) * W[i, j] for j in range(d)] + [fmpq(-1)], fmpq(sg) * b[i, 0])
                for i in range(k) for sg in [1 if s[i] else -1]]
        rows += [([fmpq(int(j == c)) for j in range(d)] + [fmpq(-1)], fmpq(1)) for c in range(d)]   # x_c + 1 >= t
        rows += [([fmpq(-int(j == c)) for j in range(d)] + [fmpq(-1)], fmpq(1)) for c in range(d)]  # 1 - x_c >= t
        out = minimize([fmpq(0)] * d + [fmpq(-1)], rows, [fmpq(-1)] * d + [fmpq(0)], [fmpq(1)] * (d + 1))
        if out[0] == "optimal" and out[1] < 0:                # max t > 0: the open cell meets the open box
            best = max(best, v)
    return best


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="the first three (d, k) only")
    ap.add_argument("--largest", type=float, metavar="BUDGET", help="grow (d, k) while the exact Lip_2 takes under "
                    "BUDGET seconds")
    a = ap.parse_args()
    if a.largest is not None:
        budget = a.largest
        print(f"largest (d, k) with the exact Lip_2 on [-1, 1]^d within {budget:.0f} s")
        for d, ks in ((4, (40, 60, 80, 100)), (6, (40, 50, 60, 80)), (8, (20, 30, 40, 50))):
            for k in ks:
                f = net(100 * d + k, d, k)
                t0 = time.perf_counter()
                L = lipschitz_constant(f, 2, box([-1] * d, [1] * d), budget=budget)
                t = time.perf_counter() - t0
                gap = "" if L.is_exact else f", certified Lip^2 in [{float(L.lower_sq):.6g}, {float(L.upper_sq):.6g}]"
                print(f"  d = {d}, k = {k}: {'exact' if L.is_exact else 'stopped'} in {t:.1f} s, {L.regions} regions "
                      f"(Buck's bound {sum(math.comb(k, i) for i in range(d + 1))}){gap}", flush=True)
                if not L.is_exact:
                    break
        return
    grid = [(2, 6), (2, 10), (3, 8), (3, 12), (4, 10), (4, 12), (6, 12), (4, 20), (6, 20), (6, 40)]
    if a.quick:
        grid = grid[:3]
    print(f"{'d':>3} {'k':>4} {'regions':>8} {'Buck':>8} {'exact':>9} {'2^k LPs':>9} {'ratio':>7}  agree")
    for d, k in grid:
        f = net(100 * d + k, d, k)
        t0 = time.perf_counter()
        L = lipschitz_constant(f, 2, box([-1] * d, [1] * d))
        t = time.perf_counter() - t0
        buck = sum(math.comb(k, i) for i in range(d + 1))
        if k <= 12:
            t1 = time.perf_counter()
            want = enumerate_patterns(f, d)
            tb = time.perf_counter() - t1
            print(f"{d:>3} {k:>4} {L.regions:>8} {buck:>8} {t:>8.2f}s {tb:>8.2f}s {tb / t:>6.1f}x  "
                  f"{'yes' if L.is_exact and L.upper_sq == want else 'NO'}", flush=True)
        else:
            print(f"{d:>3} {k:>4} {L.regions:>8} {buck:>8} {t:>8.2f}s {'-':>9} {'-':>7}  "
                  f"{'exact' if L.is_exact else 'not exact'}", flush=True)


if __name__ == "__main__":
    main()
