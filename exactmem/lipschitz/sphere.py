"""Rational points exactly on the unit sphere S^{d-1}, and random signs: the data of the law of robustness.

Inverse stereographic projection from the north pole sends u in Q^{d-1} to
x = (2u, |u|^2 - 1) / (|u|^2 + 1), and |x|^2 = (4|u|^2 + (|u|^2 - 1)^2) / (|u|^2 + 1)^2 = 1 exactly.  The
points are drawn as near-uniform points of the sphere (normalised Gaussians, in floats: a finder), projected
to u, rounded to multiples of 2^-bits and lifted back, so each point is exact and within about
2^(1-bits) sqrt(d) of the float one.  Labels are independent uniform signs.  Everything is seeded from
(seed, n, d), so one dataset serves every width k.

>>> X = sphere_points(3, 2, seed=0)
>>> [sum(t * t for t in x) for x in X]
[1, 1, 1]
>>> lift([1])                                   # u = 1: the point (1, 0)
[1, 0]
>>> random_signs(4, 2, seed=0) == random_signs(4, 2, seed=0)
True
"""
from __future__ import annotations

from flint import fmpq

from ..errors import DatasetError
from ..exact import to_rational

DEFAULT_BITS = 8


def _count(v, what, least):
    if isinstance(v, bool) or not isinstance(v, int) or v < least:
        raise DatasetError(f"{what} must be an integer >= {least}, got {v!r}")
    return v


def _seed(seed):
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise DatasetError(f"the seed must be a non-negative integer, got {seed!r}")
    return seed


def lift(u) -> list:
    """The inverse stereographic projection (2u, |u|^2 - 1) / (|u|^2 + 1) of a rational u in Q^{d-1}."""
    u = [to_rational(t) for t in u]
    s = sum((t * t for t in u), fmpq(0))
    return [2 * t / (s + 1) for t in u] + [(s - 1) / (s + 1)]


def _dyadic(v: float, bits: int) -> fmpq:
    return fmpq(int(round(v * 2 ** bits)), 2 ** bits)


def sphere_points(n: int, d: int, seed: int = 0, bits: int = DEFAULT_BITS) -> list:
    """n distinct rational points exactly on S^{d-1} (d >= 2), spread like uniform ones; see the module."""
    import numpy as np
    n, d, seed, bits = _count(n, "n", 1), _count(d, "d", 2), _seed(seed), _count(bits, "bits", 1)
    rng = np.random.default_rng([seed, n, d, 0])
    out, seen = [], set()
    while len(out) < n:
        g = rng.standard_normal(d)
        x = g / np.linalg.norm(g)
        if x[-1] > 1 - 2.0 ** -20:                  # too near the pole: u would be huge
            continue
        u = [_dyadic(t, bits) for t in x[:-1] / (1 - x[-1])]
        p = lift(u)
        key = tuple(map(str, p))
        if key in seen:                             # rounding made two points coincide: draw again
            continue
        if sum((t * t for t in p), fmpq(0)) != 1:   # cannot happen (the identity above); never trust it
            raise AssertionError("a lifted point is off the sphere")
        seen.add(key)
        out.append(p)
    return out


def random_signs(n: int, d: int, seed: int = 0) -> list:
    """n independent uniform labels in {-1, +1} (as fmpq), seeded from (seed, n, d) apart from the points."""
    import numpy as np
    n, d, seed = _count(n, "n", 1), _count(d, "d", 2), _seed(seed)
    rng = np.random.default_rng([seed, n, d, 1])
    return [fmpq(int(2 * b - 1)) for b in rng.integers(0, 2, size=n)]
