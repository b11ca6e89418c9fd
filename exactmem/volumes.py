"""Ball volumes V_d = pi^(d/2) / Gamma(d/2 + 1) and the slab density V_{d-1}/V_d (Lemmas B.11, B.12).

For y uniform in the unit d-ball and a unit vector u, u^T y has density
(V_{d-1}/V_d) (1 - t^2)^((d-1)/2) <= V_{d-1}/V_d, so a slab of width w meets the ball with probability
at most w V_{d-1}/V_d (Lemma B.11).  The ratio is exact up to one power of pi:

* d = 2k + 1:  V_{d-1}/V_d = (2k + 2)! / (4^(k+1) (k+1)! k!)        (a rational);
* d = 2k:      V_{d-1}/V_d = 4^k (k!)^2 / ((2k)! pi).

>>> slab_density_ratio(1), slab_density_ratio(2)
((1/2, 0), (2, 1))
>>> from flint import fmpq
>>> fmpq(2 * 10**4, 31416) < slab_density_hi(2) < fmpq(2 * 10**5, 314159)    # 2/pi from both sides
True
"""
from __future__ import annotations

from math import factorial

from flint import fmpq

from .errors import ExactmemError
from .exact import pi_enclosure


def slab_density_ratio(d: int) -> tuple:
    """(q, e) with V_{d-1}/V_d = q / pi^e exactly (e in {0, 1})."""
    if isinstance(d, bool) or not isinstance(d, int) or d < 1:
        raise ExactmemError(f"the dimension must be a positive int, got {d!r}")
    k = d // 2
    if d % 2:
        return fmpq(factorial(2 * k + 2), 4 ** (k + 1) * factorial(k + 1) * factorial(k)), 0
    return fmpq(4 ** k * factorial(k) ** 2, factorial(2 * k)), 1


def slab_density_hi(d: int, prec: int = 64) -> fmpq:
    """A rational upper bound on V_{d-1}/V_d (exact for odd d; outward-rounded pi for even d)."""
    q, e = slab_density_ratio(d)
    return q if e == 0 else q / pi_enclosure(prec).lo
