"""Build the scenarios with the (possibly mutated) exactmem on sys.path, check them with its kernel, probe
every PROVED network at exact points, and print one JSON line per scenario."""
import json
import os
import random
import sys

from flint import fmpq


def scenarios():
    from exactmem import Dataset

    def data(seed, N, d, C):
        rng = random.Random(seed)
        pts = set()
        while len(pts) < N:
            pts.add(tuple(fmpq(rng.randint(-30, 30), rng.randint(1, 3)) for _ in range(d)))
        return Dataset([list(p) for p in pts], [1 + i % C for i in range(N)])
    D = data(951, 12, 2, 3)
    E = data(40, 6, 2, 2)
    yield "small", D, fmpq(1, 5 * 12 * 4), 2, None
    yield "moderate", D, fmpq(1, 5 * 4 * 2), 2, fmpq(1, 10)
    yield "large 1/2", E, fmpq(1, 2), 2, None
    yield "large 9/10", E, fmpq(9, 10), 2, None
    yield "l_inf small", D, fmpq(1, 5 * 12 * 4 * 2), "inf", None
    yield "l_1 large", E, fmpq(1, 3), 1, None


def probes(D, i, rho, p, per_ball=12, seed=0):
    """Exact points strictly inside B_p(x_i, mu): the centre, +- r e_j with r just below mu, random points."""
    from exactmem.constructions.moderate_rho import ball_samples
    from exactmem.robust import ball_probe_points
    pts = ball_probe_points(D, i, rho, p)
    if p == 2:
        pts += [x for x, o in zip(*ball_samples(D, rho, per_ball, seed)) if o == i]
    return [x for x in pts if D.in_ball(i, x, rho, p)]


def in_slabs(cert, X):
    """For each point: whether an excluded slab of the hints holds it (Fractions, from the first layer)."""
    import math
    from fractions import Fraction
    layer = cert.network_json()["layers"][0]
    W1 = [{j: Fraction(w) for j, w in row} for row in layer["W_rows"]]
    b1 = [Fraction(v) for v in layer["b"]]
    ex = [(k, Fraction(a), Fraction(b), Fraction(g)) for k, a, b, g in cert.hints.get("exclude", [])]
    out = []
    for x in X:
        x = [Fraction(str(v)) for v in x]
        u = [sum(w * x[j] for j, w in row.items()) + c for row, c in zip(W1, b1)]
        out.append(any((a * u[k] + b) - math.floor(a * u[k] + b) < g for k, a, b, g in ex))
    return out


def lipschitz_scenarios():
    """Two-layer networks on a box (and one deep one on R^2): lipschitz_constant's certificate, with the
    constant by brute force over every activation pattern, each cell decided by the exact simplex method."""
    import itertools

    from exactmem import ReLUNet, box
    from exactmem.analysis.simplex import minimize
    from exactmem.lipschitz import lipschitz_constant

    def net(seed, dims):
        rng = random.Random(seed)
        return ReLUNet([([[fmpq(rng.randint(-6, 6), rng.choice((1, 2))) for _ in range(a)] for _ in range(b)],
                         [fmpq(rng.randint(-4, 4), 2) for _ in range(b)]) for a, b in zip(dims, dims[1:])])

    def truth(f, lo, hi, p):
        (W, b), (A, _) = f.layers
        W, b, a, d, best = W.tolist(), b.entries(), A.tolist()[0], len(lo), fmpq(0)
        for s in itertools.product((1, -1), repeat=len(W)):
            g = [sum((a[i] * W[i][j] for i in range(len(W)) if s[i] > 0), fmpq(0)) for j in range(d)]
            v = sum((t * t for t in g), fmpq(0)) if p == 2 else sum(map(abs, g), fmpq(0))
            rows = [([fmpq(sg) * w for w in r] + [fmpq(-1)], fmpq(sg) * c) for r, c, sg in zip(W, b, s)]
            rows += [([fmpq(int(j == i)) for j in range(d)] + [fmpq(-1)], -lo[i]) for i in range(d)]
            rows += [([fmpq(-int(j == i)) for j in range(d)] + [fmpq(-1)], hi[i]) for i in range(d)]
            if v > best:
                out = minimize([fmpq(0)] * d + [fmpq(-1)], rows, list(lo) + [fmpq(-1)], list(hi) + [fmpq(1)])
                if out[0] == "optimal" and out[1] < 0:
                    best = v
        return best
    for seed, dims, p in ((1, [2, 6, 1], 2), (2, [2, 7, 1], "inf"), (3, [3, 6, 1], 2)):
        f, lo, hi = net(seed, dims), [fmpq(-2)] * dims[0], [fmpq(3, 2)] * dims[0]
        yield f"lipschitz {dims} p={p}", lambda f=f, lo=lo, hi=hi, p=p: lipschitz_constant(f, p, box(lo, hi)), \
            lambda f=f, lo=lo, hi=hi, p=p: truth(f, lo, hi, p)


def bounds_scenarios():
    """18-12-8-1 networks on [-1/10, 1/10]^18 (more inputs than the finder cuts, two hidden layers: the set's
    bounds of the hint ``tighten`` are used), goals f > t: t the sampled range (or half of it) below the least of
    4,000 sampled values (proved, in trees of 57, 58 and 29 leaves), and t at the least sampled value (false
    there).  The truth is the network's exact value at the samples: a PROVED goal one of them breaks is UNSOUND."""
    import numpy as np

    from exactmem import ReLUNet
    from exactmem.analysis.ask import _atom, _doc, box
    for seed, share in ((0, 1), (9, fmpq(1, 2)), (4, fmpq(1, 2)), (3, None)):
        rng = random.Random(seed)
        dims = [18, 12, 8, 1]
        f = ReLUNet([([[rng.randint(-4, 4) for _ in range(a)] for _ in range(b)], [rng.randint(-3, 3) for _ in range(b)])
                     for a, b in zip(dims, dims[1:])])
        X = [[fmpq(int(v), 1000) for v in row] for row in np.random.default_rng(seed).integers(-100, 101, (4000, 18))]
        vals = f.evaluate(X).entries()
        t = min(vals) - (max(vals) - min(vals)) * share if share is not None else min(vals)
        lo, hi = [fmpq(-1, 10)] * 18, [fmpq(1, 10)] * 18
        doc = _doc(f, "f > t", [{"set": box(lo, hi).spec, "goal": [[_atom([1], -t, True)]]}])
        yield f"bounds {dims} seed {seed} t {'at the sampled minimum' if share is None else 'below'}", doc, vals, t


def main():
    from exactmem import kernel, memorize
    from exactmem.analysis import bab
    from exactmem.certify import check
    kinds = os.environ.get("PROBE", "bounds networks")      # run.py: the scenarios a mutant's code can reach
    for name, doc, vals, t in (bounds_scenarios() if "bounds" in kinds else ()):
        out = {"scenario": name, "expect": "PROVED" if min(vals) > t else "REFUTED"}
        try:
            v, _ = bab.decide(doc, budget=120)
        except Exception as e:                                     # noqa: BLE001 - a mutant may raise anything
            out.update(status="raised", detail=f"{type(e).__name__}: {str(e)[:120]}")
            print(json.dumps(out), flush=True)
            continue
        if v is None:
            out.update(status="undecided", detail=str(_)[:160])
        else:
            out.update(status=v.status.value, detail=v.reason[:160])
            if v.is_proved:
                out.update(probes=len(vals), wrong=sum(1 for y in vals if not y > t))
        print(json.dumps(out), flush=True)
    for name, run, truth in (lipschitz_scenarios() if "networks" in kinds else ()):
        out = {"scenario": name}
        try:
            L = run()
            v = kernel.check(L.certificate)
        except Exception as e:                                     # noqa: BLE001 - a mutant may raise anything
            out.update(status="raised", detail=f"{type(e).__name__}: {str(e)[:120]}")
            print(json.dumps(out), flush=True)
            continue
        out.update(status=v.status.value, detail=v.reason[:160])
        if v.is_proved:
            lo, hi = (L.lower_sq, L.upper_sq) if L.p == 2 else (L.lower, L.upper)
            t = truth()
            out.update(probes=1, wrong=int(not lo <= t <= hi or (L.is_exact and lo != t)))
        print(json.dumps(out), flush=True)
    for name, D, rho, p, eta in (scenarios() if "networks" in kinds else ()):
        out = {"scenario": name}
        try:
            net, cert = memorize(D, rho, p=p, eta=eta)
        except Exception as e:                                     # noqa: BLE001 - a mutant may raise anything
            out.update(status="raised", detail=f"{type(e).__name__}: {str(e)[:120]}")
            print(json.dumps(out), flush=True)
            continue
        v = check(cert.to_json())
        out.update(status=v.status.value, detail=v.reason[:160])
        if v.is_proved:
            pts, want = [], []
            for i in range(D.N):
                for x in probes(D, i, rho, p):
                    pts.append(x)
                    want.append(D.labels[i])
            got = net.evaluate(pts).entries()
            hits = in_slabs(cert, pts) if eta is not None else [False] * len(pts)
            wrong = [x for x, w, g, h in zip(pts, want, got, hits) if g != w and not h]
            out.update(probes=len(pts), wrong=len(wrong), in_slabs=sum(hits))
        print(json.dumps(out), flush=True)


if __name__ == "__main__":
    sys.exit(main())
