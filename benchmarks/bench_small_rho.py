"""Small-rho memorizer (Theorem B.3): time to build, to certify (independent checker), and to evaluate
the same network exactly on the N centres; the ratio certify / evaluate; the slope of certify time
over N = 10^2 .. 10^4 (d = 64, integer coordinates in [-8, 8], 10 labels, rho = 1/(5 N d)).

usage: python benchmarks/bench_small_rho.py [N ...]      (default 100 316 1000 3162 10000)
"""
import argparse
import math
import random
import sys
import time

from flint import fmpq

from exactmem import Dataset, memorize, verify


def main(sizes):
    rows = []
    for N in sizes:
        rng = random.Random(N)
        pts = set()
        while len(pts) < N:
            pts.add(tuple(rng.randint(-8, 8) for _ in range(64)))
        D = Dataset([list(p) for p in pts], [1 + i % 10 for i in range(N)])
        rho = fmpq(1, 5 * N * 64)
        t0 = time.perf_counter()
        net, cert = memorize(D, rho)
        tb = time.perf_counter() - t0
        t0 = time.perf_counter()
        v = verify(net, D, rho, cert)
        tc = time.perf_counter() - t0
        assert v.is_proved, str(v)
        t0 = time.perf_counter()
        out = net.evaluate(D.points).entries()
        te = time.perf_counter() - t0
        assert list(out) == list(D.labels)
        rows.append((N, tb, tc, te))
        print(f"N={N}: {net.param_count()} params, depth {net.depth}; build {tb:.1f}s, certify {tc:.1f}s, "
              f"evaluate on centres {te:.1f}s, certify/evaluate = {tc / te:.2f}", flush=True)
    if len(rows) >= 2:
        lx = [math.log(r[0]) for r in rows]
        ly = [math.log(r[2]) for r in rows]
        mx, my = sum(lx) / len(lx), sum(ly) / len(ly)
        slope = sum((a - mx) * (b - my) for a, b in zip(lx, ly)) / sum((a - mx) ** 2 for a in lx)
        print(f"fitted slope of certify time over N = {rows[0][0]}..{rows[-1][0]}: {slope:.2f}")
    return 0


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("N", type=int, nargs="*", default=[100, 316, 1000, 3162, 10000],
                    help="sizes (default 100 316 1000 3162 10000)")
    sys.exit(main(ap.parse_args().N))
