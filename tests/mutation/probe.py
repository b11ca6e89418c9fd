"""Build the scenarios with the (possibly mutated) exactmem on sys.path, check them with its kernel, probe
every PROVED network at exact points, and print one JSON line per scenario."""
import json
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
    layer = cert.network["layers"][0]
    W1 = [{j: Fraction(w) for j, w in row} for row in layer["W_rows"]]
    b1 = [Fraction(v) for v in layer["b"]]
    ex = [(k, Fraction(a), Fraction(b), Fraction(g)) for k, a, b, g in cert.hints.get("exclude", [])]
    out = []
    for x in X:
        x = [Fraction(str(v)) for v in x]
        u = [sum(w * x[j] for j, w in row.items()) + c for row, c in zip(W1, b1)]
        out.append(any((a * u[k] + b) - math.floor(a * u[k] + b) < g for k, a, b, g in ex))
    return out


def main():
    from exactmem import memorize
    from exactmem.certify import check
    for name, D, rho, p, eta in scenarios():
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
