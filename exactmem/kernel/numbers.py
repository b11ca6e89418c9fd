"""Rational enclosures the kernel needs, all relative to the size of what they enclose.

>>> lo, hi = sqrt_bounds(fmpq(2))
>>> lo * lo < 2 < hi * hi, float(hi - lo) < 1e-37
(True, True)
>>> lo, hi = sqrt_bounds(fmpq(1, 10 ** 600))          # tiny numbers keep their relative precision
>>> float((hi - lo) / hi) < 1e-37
True
>>> slab_density(3, 2), slab_density(5, "inf")          # V_2/V_3 = 3/4; Brunn: d/2
(3/4, 5/2)
"""
from __future__ import annotations

from math import factorial, isqrt

from flint import fmpq

PI_LO = fmpq(3141592653589793238462643383279, 10 ** 30)   # pi > PI_LO (30 correct digits, rounded down)


def sqrt_bounds(q: fmpq, bits: int = 128) -> tuple:
    """(lo, hi) with lo <= sqrt(q) <= hi and (hi - lo) <= 2^-bits hi, for q >= 0 (lo = hi = 0 for q = 0)."""
    if q <= 0:
        return fmpq(0), fmpq(0)
    a, b = int(q.p), int(q.q)
    e = max(0, bits + 2 - (a * b).bit_length() // 2)
    s = isqrt(a * b * 4 ** e)
    den = b * 2 ** e
    return fmpq(s, den), fmpq(s if s * s == a * b * 4 ** e else s + 1, den)


def slab_density(d: int, p) -> fmpq:
    """c with: the density of w.x under the uniform measure of the l_p ball K = B_p(c, mu) in R^d is at most
    c / h_K(w), h_K(w) = mu ||w||_q the support width.  p = 2: V_(d-1)/V_d (exact for odd d, with pi > PI_LO for
    even d); p = 1, inf: d/2 (Brunn: the density to the power 1/(d-1) is concave and even)."""
    if p != 2:
        return fmpq(d, 2)
    k = d // 2
    if d % 2:
        return fmpq(factorial(2 * k + 2), 4 ** (k + 1) * factorial(k + 1) * factorial(k))
    return fmpq(4 ** k * factorial(k) ** 2) / (PI_LO * factorial(2 * k))
