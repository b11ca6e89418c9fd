"""The kernel's cost, as ratios measured in one run (issue 10's targets, docs/benchmarks.md):

1. small rho, d = 64, N = 10^2, 10^3, 10^4: kernel check (certificate JSON in, verdict out) over exact
   evaluation of the same network on the N centres (ReLUNet.evaluate, first call); target <= 1.5;
2. the README dataset and a seeded N = 10, d = 4 set at rho = 10^-2, 10^-10, 10^-100, 10^-300: check time
   (target: flat in log(1/rho) up to the growth of the numbers' bit sizes -- the network itself grows with
   Floor's n, which is printed, so the measure is check / evaluate);
3. the moderate case N = 1000, d = 10, rho = 1/100, eta = 1/100 (target: a few minutes);
4. the large regime with the data scaled by 10^-30 (rho = 4/5; target: a few minutes, k independent of scale);
5. exact evaluation at N = 10^4, d = 64 against the dense fmpz_mat engine exactmem used before (the
   baseline, measured here unless --no-baseline; target >= 10x).

usage: python benchmarks/bench_check.py [--quick] [--no-baseline]
   --quick: N = 10^2, 10^3 only, moderate N = 200, no baseline.
"""
import argparse
import random
import sys
import time

from flint import fmpq, fmpq_mat, fmpz, fmpz_mat

from exactmem import Dataset, ReLUNet, memorize
from exactmem.certify import check


def dense_evaluate(net, X):
    """The previous exact engine: one dense fmpz_mat product per layer over a common denominator, and the
    ReLU on the entries -- the baseline of target 5."""
    H = fmpq_mat(X)
    n = H.nrows()
    ents = H.entries()
    s = 1
    for e in ents:
        s = s * int(e.q) // __import__("math").gcd(s, int(e.q))
    Hz = fmpz_mat(n, H.ncols(), [int(e.p) * (s // int(e.q)) for e in ents])
    ones = fmpz_mat(n, 1, [1] * n)
    for l, (W, b) in enumerate(net.layers):
        we, be = W.entries(), b.entries()
        q = 1
        for e in we + be:
            q = q * int(e.q) // __import__("math").gcd(q, int(e.q))
        Wz = fmpz_mat(W.nrows(), W.ncols(), [int(e.p) * (q // int(e.q)) for e in we]).transpose()
        Hz = Hz * Wz + ones * fmpz_mat(1, len(be), [int(e.p) * (q // int(e.q)) * s for e in be])
        s *= q
        if l < net.depth - 1:
            Hz = fmpz_mat(n, Hz.ncols(), [v if v > 0 else fmpz(0) for v in Hz.entries()])
    return fmpq_mat(Hz) * fmpq(1, s)


def data(seed, N, d, span=8, C=10):
    rng = random.Random(seed)
    pts = set()
    while len(pts) < N:
        pts.add(tuple(rng.randint(-span, span) for _ in range(d)))
    return Dataset([list(p) for p in pts], [1 + i % C for i in range(N)])


def timed(f):
    t0 = time.perf_counter()
    out = f()
    return out, time.perf_counter() - t0


def small_rho(sizes, baseline):
    print("1. small rho, d = 64: kernel check / exact evaluation on the centres")
    for N in sizes:
        D = data(N, N, 64)
        rho = fmpq(1, 5 * N * 64)
        net, cert = memorize(D, rho)
        doc = cert.to_json()
        v, tc = timed(lambda: check(doc))
        assert v.is_proved, v
        fresh = ReLUNet.from_json(net.to_json(sparse=True))
        out, te = timed(lambda: fresh.evaluate(D.points))
        assert list(out.entries()) == list(D.labels)
        line = (f"   N = {N:>5}: {net.param_count():,} params, depth {net.depth}: check {tc:.1f} s, evaluate "
                f"{te:.1f} s, check / evaluate = {tc / te:.2f}")
        if baseline and N >= 10 ** 4:
            old, tb = timed(lambda: dense_evaluate(net, D.points.tolist()))
            assert old == out
            line += f"; dense fmpz_mat evaluation {tb:.0f} s: {tb / te:.1f}x slower"
        print(line, flush=True)


def tiny_rho():
    print("2. check time over rho (small regime throughout)")
    for name, D in (("[[0],[3],[5]]", Dataset([[0], [3], [5]], [1, 2, 1])), ("N = 10, d = 4", data(3, 10, 4, 5, 2))):
        for e in (2, 10, 100, 300):
            rho = fmpq(1, 10 ** e)
            net, cert = memorize(D, rho)
            v, tc = timed(lambda: check(cert.to_json()))
            assert v.is_proved, v
            fresh = ReLUNet.from_json(net.to_json(sparse=True))
            _, te = timed(lambda: fresh.evaluate(D.points))
            print(f"   {name}, rho = 1e-{e}: Floor n = {cert.info['n']} bits, {net.param_count():,} params, "
                  f"check {tc:.2f} s, evaluate {te:.2f} s, check / evaluate = {tc / te:.2f}", flush=True)


def moderate(N):
    print(f"3. moderate: N = {N}, d = 10, rho = 1/100, eta = 1/100")
    D = data(7, N, 10, 50)
    (net, cert), tb = timed(lambda: memorize(D, fmpq(1, 100), eta=fmpq(1, 100)))
    v, tc = timed(lambda: check(cert.to_json()))
    assert v.is_proved, v
    _, te = timed(lambda: net.evaluate(D.points))
    print(f"   {net.param_count():,} params, depth {net.depth}, {cert.info['blocks']} blocks: build {tb:.0f} s, check "
          f"{tc:.0f} s (proved error bound {float(v.details['max_error_bound']):.2e}), evaluate {te:.1f} s, "
          f"check / evaluate = {tc / te:.1f}", flush=True)


def large_scaled():
    print("4. large regime, rho = 4/5, data scaled by 10^-30")
    base = data(11, 12, 3, 6, 3)
    for scale in (fmpq(1), fmpq(1, 10 ** 30)):
        D = Dataset(base.points * scale, base.labels)
        (net, cert), tb = timed(lambda: memorize(D, fmpq(4, 5)))
        v, tc = timed(lambda: check(cert.to_json()))
        assert v.is_proved, v
        print(f"   scale {float(scale):.0e}: k = {cert.info['k']}, {net.param_count():,} params: build {tb:.1f} s, "
              f"check {tc:.1f} s", flush=True)


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="N = 10^2, 10^3 only, moderate N = 200, no baseline")
    ap.add_argument("--no-baseline", action="store_true", help="leave out the dense fmpz_mat engine (part 5)")
    a = ap.parse_args(argv)
    quick = a.quick
    small_rho([100, 1000] if quick else [100, 1000, 10000], baseline=not a.no_baseline and not quick)
    tiny_rho()
    moderate(200 if quick else 1000)
    large_scaled()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
