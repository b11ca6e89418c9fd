"""Seeded instances and verdict helpers shared by the proof modules of the law-of-robustness claims (McShane,
feasibility, separation, clipping, scale, homogeneity, Husain-Balle)."""
from __future__ import annotations

import random

from flint import fmpq

from exactmem import Dataset, ReLUNet, Verdict, box
from exactmem.analysis.simplex import minimize
from exactmem.exact import fmt


def signed_dataset(seed: int, n: int, d: int, span: int = 6, den: int = 1):
    """(D, y): n distinct seeded points of the grid (1/den) Z^d in [-span, span]^d with labels 1/2 (both
    present) and the signs y = -1 for label 1, +1 for label 2."""
    rng = random.Random(seed)
    pts, seen = [], set()
    while len(pts) < n:
        x = tuple(fmpq(rng.randint(-span * den, span * den), den) for _ in range(d))
        if x not in seen:
            seen.add(x)
            pts.append(list(x))
    labels = [1 + i % 2 for i in range(n)]
    rng.shuffle(labels)
    return Dataset(pts, labels), [-1 if c == 1 else 1 for c in labels]


def valued_data(seed: int, n: int, d: int, span: int = 6):
    """(X, y): n distinct seeded points with denominators <= 2 and rational values in [-4, 4]."""
    rng = random.Random(seed)
    pts, seen = [], set()
    while len(pts) < n:
        x = tuple(fmpq(rng.randint(-2 * span, 2 * span), 2) for _ in range(d))
        if x not in seen:
            seen.add(x)
            pts.append(list(x))
    return pts, [fmpq(rng.randint(-8, 8), rng.choice((1, 2))) for _ in range(n)]


def random_net(seed: int, dims, bias: bool = True) -> ReLUNet:
    """A seeded network with small rational weights (and biases unless bias=False); no row of weights is all
    zero (a unit with zero weights and zero bias has a zero pre-activation everywhere, which leaves the lower
    end of ``lipschitz_constant`` without an admissible point)."""
    rng = random.Random(seed)

    def row(a):
        while True:
            r = [fmpq(rng.randint(-5, 5), rng.choice((1, 2))) for _ in range(a)]
            if any(r):
                return r
    return ReLUNet([([row(a) for _ in range(b)],
                     [fmpq(rng.randint(-3, 3), rng.choice((1, 2))) if bias else 0 for _ in range(b)])
                    for a, b in zip(dims, dims[1:])])


def bounding_box(points, margin=1):
    """The box of the points, widened by ``margin`` on every side."""
    d = len(points[0])
    lo = [min(x[k] for x in points) - margin for k in range(d)]
    hi = [max(x[k] for x in points) + margin for k in range(d)]
    return box(lo, hi)


def lip_equals(L, target, what: str) -> Verdict:
    """The verdict that the exact Lipschitz constant ``L`` (a ``Lipschitz``) is ``target`` (Lip^2 for p = 2):
    PROVED when both proved ends are the target, REFUTED when a proved end excludes it."""
    if not L.verdict.is_proved:
        return Verdict.undecided(f"{what}: the Lipschitz constant was not proved ({L.verdict.reason})")
    lo, hi = (L.lower_sq, L.upper_sq) if L.p == 2 else (L.lower, L.upper)
    sq = "^2" if L.p == 2 else ""
    if lo == hi == target:
        return Verdict.proved(f"{what}: Lip{sq} = {fmt(target)} exactly (kernel-checked, {L.regions} regions)")
    if hi < target or lo > target:
        return Verdict.refuted(f"{what}: Lip{sq} lies in [{fmt(lo)}, {fmt(hi)}], not {fmt(target)}",
                               {"lower": fmt(lo), "upper": fmt(hi), "point": [fmt(t) for t in L.point or []]})
    return Verdict.undecided(f"{what}: Lip{sq} is in [{fmt(lo)}, {fmt(hi)}], which holds {fmt(target)}")


def meets(W, b, s, lo, hi):
    """The open cell {s_l (w_l.x + b_l) > 0} meets the open box: max t with s_l (w_l.x + b_l) >= t and
    x_j - lo_j >= t, hi_j - x_j >= t is positive (exact simplex over x and t in a box)."""
    d = len(lo)
    rows = [([fmpq(sg) * w for w in r] + [fmpq(-1)], fmpq(sg) * c) for r, c, sg in zip(W, b, s)]
    rows += [([fmpq(int(j == i)) for j in range(d)] + [fmpq(-1)], -lo[i]) for i in range(d)]
    rows += [([fmpq(-int(j == i)) for j in range(d)] + [fmpq(-1)], hi[i]) for i in range(d)]
    out = minimize([fmpq(0)] * d + [fmpq(-1)], rows, list(lo) + [fmpq(-1)], list(hi) + [fmpq(1)])
    return out[0] == "optimal" and out[1] < 0
