"""Integer memorizer (Lemma B.10): sizes for N = 10 .. 10^5 against the naive memorizer, fitted exponents,
and the cost of exact verification over N = 10^2 .. 10^4 (fitted slope; target: about 1.5 or less).

Naturals are drawn from [0, 20N), labels from 1..7 (seeded).  Verification evaluates the network
exactly at every m_i, at m_i +- 1 and at 1000 other naturals.  Sizes print as a Markdown table.

usage: python benchmarks/bench_intmem.py [--quick]
"""
import argparse
import math
import random
import sys
import time

from exactmem.blocks import integer_memorizer, naive_memorizer, verify_integer_memorizer


def fit(xs, ys):
    lx, ly = [math.log(x) for x in xs], [math.log(y) for y in ys]
    mx, my = sum(lx) / len(lx), sum(ly) / len(ly)
    return sum((a - mx) * (b - my) for a, b in zip(lx, ly)) / sum((a - mx) ** 2 for a in lx)


def instance(N):
    rng = random.Random(N)
    return rng.sample(range(20 * N), N), [rng.randint(1, 7) for _ in range(N)]


def main(quick=False):
    sizes = [10, 100, 1000, 10_000] + ([] if quick else [100_000])
    rows = []
    print("| N | params | depth | width | bits | naive params | groups x size | build (s) |")
    print("|---|---|---|---|---|---|---|---|")
    for N in sizes:
        pts, labs = instance(N)
        t0 = time.perf_counter()
        mem = integer_memorizer(pts, labs)
        tb = time.perf_counter() - t0
        f, nv = mem.net, naive_memorizer(pts, labs)
        rows.append((N, f.param_count(), nv.param_count()))
        print(f"| {N} | {f.param_count()} | {f.depth} | {f.width} | {f.bit_complexity()} | {nv.param_count()} | "
              f"{mem.groups} x {mem.group_size} | {tb:.2f} |")
    big = [r for r in rows if r[0] >= 100]
    print(f"\nfitted exponent of params in N (N >= 100): {fit([r[0] for r in big], [r[1] for r in big]):.3f} "
          f"(naive: {fit([r[0] for r in big], [r[2] for r in big]):.3f})")
    vs = [100, 316, 1000, 3162] + ([] if quick else [10_000])
    times = []
    for N in vs:
        pts, labs = instance(N)
        mem = integer_memorizer(pts, labs)
        rng = random.Random(-N)
        extra = [rng.randrange(20 * N) for _ in range(1000)]
        t0 = time.perf_counter()
        v = verify_integer_memorizer(mem, extra)
        dt = time.perf_counter() - t0
        assert v.is_proved, str(v)
        times.append(dt)
        print(f"verify N={N}: {dt:.2f}s ({v.reason[:60]}...)")
    slope = fit(vs, times)
    print(f"fitted slope of verification time over N = {vs[0]}..{vs[-1]}: {slope:.2f}  (target <= ~1.5): "
          f"{'OK' if slope <= 1.6 else 'MISSED'}")
    return 0 if slope <= 1.6 else 1


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="the smaller sizes only")
    sys.exit(main(ap.parse_args().quick))
