"""Exact batched evaluation: a 10-layer, width-64 ReLU net with rational weights on 10,000 rational inputs.

exactmem (one fmpq_mat product per layer) against the same computation with Python's
fractions.Fraction.  The Fraction side is far too slow for all 10,000 inputs, so it runs
on a subset of SUB inputs and its time is scaled linearly by 10,000 / SUB (evaluation
is independent per input, so the cost is linear in the batch size); the scaling is
printed.  Both sides' outputs are compared exactly on the subset.  Target ratio >= 100.

usage: python benchmarks/bench_eval.py [N] [SUB]
"""
import argparse
import random
import sys
import time
from fractions import Fraction

from flint import fmpq

from exactmem import ReLUNet


def make(seed=7, depth=10, width=64, d0=64):
    rng = random.Random(seed)
    dims = [d0] + [width] * (depth - 1) + [1]
    layers = []
    for a, b in zip(dims, dims[1:]):
        W = [[fmpq(rng.randint(-8, 8), rng.choice([8, 16, 32, 64])) for _ in range(a)] for _ in range(b)]
        layers.append((W, [fmpq(rng.randint(-4, 4), 16) for _ in range(b)]))
    return ReLUNet(layers)


def fraction_eval(layers, x):
    h = x
    for l, (W, b) in enumerate(layers):
        h = [sum((w * v for w, v in zip(row, h)), Fraction(0)) + c for row, c in zip(W, b)]
        if l < len(layers) - 1:
            h = [v if v > 0 else Fraction(0) for v in h]
    return h


def main(N=10_000, SUB=100):
    f = make()
    rng = random.Random(11)
    X = [[fmpq(rng.randint(-100, 100), rng.randint(1, 50)) for _ in range(f.input_dim)] for _ in range(N)]
    t0 = time.perf_counter()
    out = f.evaluate(X)
    t_exact = time.perf_counter() - t0
    layers = [([[Fraction(int(v.p), int(v.q)) for v in row] for row in W.tolist()],
               [Fraction(int(v.p), int(v.q)) for v in b.entries()]) for W, b in f.layers]
    Xf = [[Fraction(int(v.p), int(v.q)) for v in x] for x in X[:SUB]]
    t0 = time.perf_counter()
    ref = [fraction_eval(layers, x) for x in Xf]
    t_sub = time.perf_counter() - t0
    for k in range(SUB):
        v = out.table()[k][0] if k < 3 else out[k, 0]
        assert Fraction(int(v.p), int(v.q)) == ref[k][0]
    t_frac = t_sub * N / SUB
    print(f"network dims {f.dims}, {f.param_count()} parameters; {N} inputs")
    print(f"exactmem exact batched evaluation: {t_exact:.2f}s")
    print(f"Fraction reference: {t_sub:.2f}s on {SUB} inputs, scaled x{N // SUB} -> {t_frac:.1f}s for {N}")
    ratio = t_frac / t_exact
    print(f"speed-up exactmem vs Fraction = {ratio:.0f}x  (target >= 100): {'OK' if ratio >= 100 else 'MISSED'}")
    return 0 if ratio >= 100 else 1


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("N", type=int, nargs="?", default=10_000, help="inputs (default 10,000)")
    ap.add_argument("SUB", type=int, nargs="?", default=100, help="inputs of the Fraction baseline (default 100)")
    a = ap.parse_args()
    sys.exit(main(a.N, a.SUB))
