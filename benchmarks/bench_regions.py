"""Exact region analysis (issue 11) against z3 on the same random networks and balls, in one run.

For each (d, hidden widths, norm): a seeded random network with weights k/4, three points labelled by the
network's own sign, rho = 1/10 and 1/100, sign semantics.  Printed: exactmem's time (the
finder and the kernel's check of the certificate), the share of it spent in HiGHS LP solves and in exact
confirmation (the kernel's inequality test, by the finder and by the check), regions per second, z3's time on the same question (timeout --z3-timeout seconds), and the ratio.

usage: python benchmarks/bench_regions.py [--quick] [--z3-timeout S] | --largest BUDGET | --degenerate
"""
import argparse
import random
import time

from flint import fmpq

from exactmem import Dataset, ReLUNet
from exactmem.analysis import lp
from exactmem.kernel import regions
from exactmem.robust import robustly_memorizes

def _timed(owner, name, total):
    """Replace owner.name by a wrapper that adds its run time to total[0]."""
    inner = getattr(owner, name)

    def run(*a, **k):
        t = time.perf_counter()
        try:
            return inner(*a, **k)
        finally:
            total[0] += time.perf_counter() - t
    setattr(owner, name, run)


LP_TIME, EXACT_TIME = [0.0], [0.0]
_timed(lp.Region, "_solve", LP_TIME)
_timed(regions.Leaf, "proves", EXACT_TIME)


def rand_net(rng, dims):
    return ReLUNet([([[fmpq(rng.randint(-8, 8), 4) for _ in range(a)] for _ in range(b)],
                     [fmpq(rng.randint(-8, 8), 4) for _ in range(b)]) for a, b in zip(dims, dims[1:])])


def case(seed, d, widths):
    rng = random.Random(seed)
    net = rand_net(rng, [d] + widths + [1])
    pts, labels = [], []
    while len(pts) < 3:
        x = [fmpq(rng.randint(-4, 4)) for _ in range(d)]
        y = net(x)[0]
        if y != 0 and x not in pts:
            pts.append(x)
            labels.append(1 if y < 0 else 2)
    if len(set(labels)) < 2:
        labels[0] = 3 - labels[0]
    return net, Dataset(pts, labels)


def z3_time(net, D, rho, p, timeout):
    import z3
    t0 = time.perf_counter()
    mu2, mu = (rho * rho * D.eps_sq, None) if p == 2 else (None, rho * D.eps(p))
    q = lambda v: z3.Q(int(v.p), int(v.q))                     # noqa: E731
    verdict = "unsat"
    for i in range(D.N):
        s = z3.Solver()
        s.set("timeout", int(1000 * timeout))
        x = [z3.Real(f"x{j}") for j in range(D.d)]
        c = [q(v) for v in D.point(i)]
        if p == 2:
            s.add(z3.Sum([(a - b) * (a - b) for a, b in zip(x, c)]) < q(mu2))
        else:
            s.add(*[z3.And(a - b < q(mu), b - a < q(mu)) for a, b in zip(x, c)])
        h = x
        for l, (W, b) in enumerate(net.layers):
            h = [z3.Sum([q(w) * v for w, v in zip(row, h)]) + q(bb) for row, bb in zip(W.tolist(), b.entries())]
            if l < net.depth - 1:
                h = [z3.If(v > 0, v, 0) for v in h]
        s.add(h[0] >= 0 if D.labels[i] == 1 else h[0] <= 0)
        r = s.check()
        if r == z3.unknown:
            return None, "timeout"
        if r == z3.sat:
            verdict = "sat"
            break
    return time.perf_counter() - t0, verdict


def largest(budget):
    """Growing networks at rho = 1/1000 (no z3): the largest decided within the budget, per norm."""
    print(f"largest networks decided within {budget:.0f} s (rho = 1/1000, sign semantics, three balls)")
    for p in ("inf", 2):
        for d, widths in [(16, [64]), (32, [64]), (32, [64, 64]), (64, [128]), (64, [128, 128])]:
            net, D = case(1000 * d + sum(widths), d, widths)
            t0 = time.perf_counter()
            v = robustly_memorizes(net, D, fmpq(1, 1000), p=p, semantics="sign", budget=budget)
            t = time.perf_counter() - t0
            regions = v.details.get("leaves") or v.details.get("regions") or 0
            print(f"  p = {p}: d = {d}, hidden {widths}: {v.status.value} in {t:.1f} s, {regions} regions", flush=True)
            if v.is_undecided:
                break


def degenerate(n=80):
    """Certified radii on networks with small integer weights (the family of tests/test_ask.py::_degenerate,
    whose hyperplanes meet at common points): how many are exact, enclosures, without a failing point, or
    undecided, and the time for all of them."""
    from exactmem.analysis.ask import certified_radius
    count, t0 = {}, time.perf_counter()
    for seed in range(n):
        rng = random.Random(seed)
        d, h = rng.choice([2, 3]), rng.choice([4, 6, 8])
        W1 = [[rng.randint(-2, 2) for _ in range(d)] for _ in range(h)]
        b1 = [rng.randint(-1, 1) for _ in range(h)]
        net = ReLUNet([(W1, b1), ([[rng.randint(-2, 2) for _ in range(h)]], [rng.randint(-2, 2)])])
        x = [rng.randint(-1, 1) for _ in range(d)]
        y = net(x)[0]
        if y == 0:
            continue
        for p in ("inf", 1, 2):
            r = certified_radius(net, x, 2 if y > 0 else 1, p=p, semantics="sign")
            kind = "undecided" if not r.verdict.is_proved else "exact" if r.is_exact else \
                "no failing point" if r.upper is None else "enclosure"
            count[kind] = count.get(kind, 0) + 1
    print(f"degenerate networks: {sum(count.values())} radii in {time.perf_counter() - t0:.1f} s: {count}")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="the first four networks only")
    ap.add_argument("--z3-timeout", type=float, default=120.0, metavar="S", help="z3's time limit (default 120 s)")
    ap.add_argument("--largest", type=float, metavar="BUDGET", help="grow the network while the analysis takes "
                    "under BUDGET seconds")
    ap.add_argument("--degenerate", action="store_true", help="degenerate networks (ties, zero rows) instead")
    a = ap.parse_args()
    if a.largest is not None:
        return largest(a.largest)
    if a.degenerate:
        return degenerate()
    quick, timeout = a.quick, a.z3_timeout
    grid = [(2, [8]), (4, [8]), (4, [16]), (8, [16]), (8, [16, 16]), (16, [32]), (16, [32, 32]), (8, [64])]
    if quick:
        grid = grid[:4]
    print(f"{'d':>3} {'hidden':>10} {'p':>4} {'rho':>6} {'verdict':>9} {'regions':>8} {'exactmem':>9} {'LP share':>9} {'exact':>6} "
          f"{'regions/s':>10} {'z3':>9} {'z3/exactmem':>12}")
    for d, widths in grid:
        for p, rho in (("inf", fmpq(1, 10)), (2, fmpq(1, 10)), ("inf", fmpq(1, 100)), (2, fmpq(1, 100))):
            net, D = case(1000 * d + sum(widths), d, widths)
            LP_TIME[0] = EXACT_TIME[0] = 0.0
            t0 = time.perf_counter()
            v = robustly_memorizes(net, D, rho, p=p, semantics="sign", budget=600)
            t = time.perf_counter() - t0
            regions = v.details.get("leaves") or v.details.get("regions") or 0
            tz, zv = z3_time(net, D, rho, p, timeout)
            agree = "" if tz is None or (zv == "unsat") == v.is_proved else "  DISAGREE"
            print(f"{d:>3} {str(widths):>10} {str(p):>4} {str(rho):>6} {v.status.value:>9} {regions:>8} {t:>8.2f}s "
                  f"{LP_TIME[0] / t:>8.0%} {EXACT_TIME[0] / t:>6.0%} {regions / t:>10.1f} "
                  f"{(f'{tz:.2f}s' if tz is not None else f'>{timeout:.0f}s'):>9} "
                  f"{(f'{tz / t:.1f}x' if tz is not None else '-'):>12}{agree}", flush=True)


if __name__ == "__main__":
    main()
