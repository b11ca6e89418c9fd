"""McShane (1934): data (x_i, y_i) extend to f*(x) = min_i (y_i + L ||x - x_i||) with the least Lipschitz
constant L* of the data; for l_inf and l_1 an exact ReLU network (reference notes on the laws, §7 item 2)."""
from flint import fmpq

from exactmem import Verdict, all_of
from exactmem.claims import claim
from exactmem.exact import fmt, to_vector
from exactmem.lipschitz import data_bound, lipschitz_constant
from exactmem.lipschitz.mcshane import mcshane_net, mcshane_value

from ._lipschitz_instances import bounding_box, lip_equals, valued_data


def _hand():
    # L* by hand: l_inf pairs give |0-1|/2, |0+1|/1, |1+1|/2 -> 1; l_1: 4/2, 6/3, 2/3 -> 2
    yield "3 points, l_inf, L* = 1", ([[0, 0], [2, 0], [0, 1]], [0, 1, -1], "inf", None, fmpq(1))
    yield "3 points, l_1, L* = 2", ([[0, 0], [1, 1], [3, 0]], [0, 4, -2], 1, None, fmpq(2))
    yield "l_inf with L = 5/2 > L* = 1: Lip = 5/2", ([[0, 0], [2, 0], [0, 1]], [0, 1, -1], "inf", fmpq(5, 2), fmpq(1))


def _seeded():
    for seed, (n, d, p) in enumerate([(4, 2, "inf"), (5, 2, 1), (6, 2, "inf"), (5, 1, "inf")]):
        X, y = valued_data(500 + seed, n, d)
        yield f"n={n} d={d} p={p} seed={seed}", (X, y, p, None, None)


def _slow():
    for seed, (n, d, p) in enumerate([(8, 2, "inf"), (10, 2, 1), (5, 3, "inf"), (4, 3, 1), (3, 3, "inf")]):
        X, y = valued_data(600 + seed, n, d)
        yield f"n={n} d={d} p={p} seed={seed}", (X, y, p, None, None)


@claim("McShane34.ext",
       "the McShane extension min_i (y_i + L* ||x - x_i||), l_inf and l_1, is an exact ReLU network with f*(x_j) = y_j "
       "and Lip = L* = max |y_i - y_j| / ||x_i - x_j||, the least constant of any interpolant",
       {"hand-made": _hand, "seeded random": _seeded, "larger": _slow}, slow_families=("larger",),
       source="McShane 1934, Extension of range of functions (Bull. AMS 40); reference notes §7 item 2 (INFERRED)")
def check(inst):
    X, y, p, L, star_by_hand = inst
    X = [to_vector(x) for x in X]
    f = mcshane_net(X, y, p, L)
    star = data_bound(X, y, p).value
    parts = []
    if star_by_hand is not None:
        parts.append(Verdict.from_exact(star == star_by_hand, f"L* = {fmt(star)} (by hand {fmt(star_by_hand)})"))
    out = f.evaluate(X).entries()
    bad = [i for i, (v, t) in enumerate(zip(out, y)) if v != t]
    parts.append(Verdict.from_exact(not bad, f"f*(x_j) = y_j at all {len(X)} points (exact evaluation)",
                                    witness={"points": bad}))
    probes = [[(a + 2 * b) / 3 for a, b in zip(X[i], X[(i + 1) % len(X)])] for i in range(len(X))]
    wrong = [x for x in probes if f(x)[0] != mcshane_value(X, y, x, p, L)]
    parts.append(Verdict.from_exact(not wrong, "the network equals the formula between the points",
                                    witness={"x": [[fmt(t) for t in x] for x in wrong[:1]]}))
    target = star if L is None else L
    parts.append(lip_equals(lipschitz_constant(f, p, bounding_box(X)), target,
                            f"l_{p} Lipschitz constant on the data's box (target {'L*' if L is None else 'L'})"))
    return all_of(parts, f"McShane extension of {len(X)} points, p = {p}, dims {f.dims}")
