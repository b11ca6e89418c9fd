"""Exact evaluation of Bubeck & Sellke's Theorem 3 at given numbers: the bound L_BS and its condition.

``bs_bound`` returns the exact value of L_BS = (eps / (2^9 sqrt c)) sqrt(n d / (p ln(60 W J / eps) + ln(4/delta)))
as a sympy number together with a rational enclosure (outward-rounded logs and square roots from
:mod:`exactmem.exact`).  ``bs_condition`` decides the hypothesis 8^4 K ln(8K/delta) <= n eps^2 (K mixture
components; the NeurIPS-submission constant 8^4) from rigorous log enclosures, never from a float, and
``bs_min_n`` is the least integer n satisfying it.  Arguments are exact: ints, fractions, or strings
such as ``"0.5"`` (read as 1/2).

>>> v = bs_bound(n=10**6, d=1000, p=10**5, c=1, eps="0.5", delta="0.01", W=10, J=10)
>>> fmpq(3186, 10**5) < v.enclosure.lo <= v.enclosure.hi < fmpq(3187, 10**5)
True
>>> bs_min_n(K=1, eps="1/2", delta="1/100")
109521
>>> bs_condition(n=109520, K=1, eps="1/2", delta="1/100").is_refuted
True
"""
from __future__ import annotations

from dataclasses import dataclass

import sympy as sp
from flint import fmpq

from ..errors import ExactmemError
from ..exact import Enclosure, ceil_log, fmt, log_enclosure, sqrt_enclosure, to_rational
from ..verdict import Verdict
from .registry import BoundError

_MAX_PREC = 1 << 16          # bits; beyond this an enclosure is given up on (never reached for sane inputs)
_EXACT_POWER_BITS = 10 ** 6  # decide (60WJ/eps)^p * 4/delta > 1 by an exact power below this size


@dataclass(frozen=True)
class LawValue:
    """An exact value (sympy) and a rational enclosure ``lo <= value <= hi`` of it."""

    value: sp.Expr
    enclosure: Enclosure


def _positive_int(v, name):
    try:
        q = to_rational(v)
    except ExactmemError:
        raise BoundError(f"{name} must be a positive integer, got {v!r}") from None
    if q.q != 1 or q <= 0:
        raise BoundError(f"{name} must be a positive integer, got {v!r}")
    return int(q.p)


def _positive(v, name, upto=None):
    """A rational > 0; with upto="open" also < 1, with upto="closed" also <= 1."""
    try:
        q = to_rational(v)
    except ExactmemError as e:
        raise BoundError(f"{name} must be an exact positive number: {e}") from None
    if q <= 0 or (upto == "open" and q >= 1) or (upto == "closed" and q > 1):
        rng = {"open": "(0, 1)", "closed": "(0, 1]", None: "(0, oo)"}[upto]
        raise BoundError(f"{name} must lie in {rng}, got {v!r}")
    return q


def _sym(q: fmpq):
    return sp.Rational(int(q.p), int(q.q))


def _denominator_positive(base: fmpq, p: int, four_over_delta: fmpq) -> bool:
    """Exactly: p ln(base) + ln(4/delta) > 0, i.e. base^p * 4/delta > 1."""
    if base >= 1:
        return True
    bits = p * max(int(base.p).bit_length(), int(base.q).bit_length())
    if bits <= _EXACT_POWER_BITS:
        return base ** p * four_over_delta > 1
    prec = 64
    while prec <= _MAX_PREC:
        lb, lm = log_enclosure(base, prec), log_enclosure(four_over_delta, prec)
        if p * lb.lo + lm.lo > 0:
            return True
        if p * lb.hi + lm.hi <= 0:
            return False
        prec *= 4
    raise BoundError(f"could not decide the sign of {p} ln({fmt(base)}) + ln({fmt(four_over_delta)})")


def bs_bound(n, d, p, c, eps, delta, W, J, prec: int = 64) -> LawValue:
    """L_BS of Bubeck & Sellke's Theorem 3 at the given numbers: exact value and an enclosure of relative
    width <= 2^-prec.  Raises BoundError if an argument is out of range or the denominator
    p ln(60WJ/eps) + ln(4/delta) is not positive (then the formula is undefined)."""
    n, d, p = _positive_int(n, "n"), _positive_int(d, "d"), _positive_int(p, "p")
    c, W, J = _positive(c, "c"), _positive(W, "W"), _positive(J, "J")
    eps, delta = _positive(eps, "eps", "open"), _positive(delta, "delta", "open")
    if isinstance(prec, bool) or not isinstance(prec, int) or not 2 <= prec <= 4096:
        raise BoundError(f"prec must be an int in [2, 4096] (bits), got {prec!r}")
    base, fod = 60 * W * J / eps, fmpq(4) / delta
    if not _denominator_positive(base, p, fod):
        raise BoundError(f"p ln(60 W J / eps) + ln(4 / delta) <= 0 at p = {p}, 60WJ/eps = {fmt(base)}, "
                         f"delta = {fmt(delta)}: L_BS is undefined there")
    value = (_sym(eps) / (512 * sp.sqrt(_sym(c)))
             * sp.sqrt(sp.Integer(n * d) / (p * sp.log(_sym(base)) + sp.log(_sym(fod)))))
    scale = eps * eps * n * d / (2 ** 18 * c)        # L_BS^2 = scale / denominator
    work = prec + 8
    while work <= _MAX_PREC:
        lb, lm = log_enclosure(base, work), log_enclosure(fod, work)
        den_lo, den_hi = p * lb.lo + lm.lo, p * lb.hi + lm.hi
        if den_lo > 0:
            lo = sqrt_enclosure(scale / den_hi, work).lo
            hi = sqrt_enclosure(scale / den_lo, work).hi
            if hi - lo <= hi / fmpq(2) ** prec:
                return LawValue(value, Enclosure(lo, hi, "L_BS (Bubeck & Sellke, Theorem 3)"))
        work *= 2
    raise BoundError("could not enclose L_BS to the requested precision")


def bs_condition(n, K, eps, delta) -> Verdict:
    """Decide 8^4 K ln(8K/delta) <= n eps^2 exactly: PROVED if it holds, REFUTED (with the log enclosure that
    shows it fails) otherwise.  ln(8K/delta) is irrational (8K/delta > 1 is rational), so it is never equal to
    the rational n eps^2 / (8^4 K) and raising the precision always decides.  eps = 1 is accepted for the
    arithmetic of the condition (the reference's third minimal-n case), although Theorem 3 needs eps < 1."""
    n, K = _positive_int(n, "n"), _positive_int(K, "K")
    eps, delta = _positive(eps, "eps", "closed"), _positive(delta, "delta", "open")
    t, x = n * eps * eps / (8 ** 4 * K), 8 * K / delta
    prec = 64
    while prec <= _MAX_PREC:
        e = log_enclosure(x, prec)
        what = f"8^4 K ln(8K/delta) <= n eps^2 at n = {n}, K = {K}, eps = {fmt(eps)}, delta = {fmt(delta)}"
        if e.hi <= t:
            return Verdict.proved(f"{what}: ln({fmt(x)}) <= {fmt(e.hi)} <= {fmt(t)}", enclosure=e.to_json())
        if e.lo > t:
            return Verdict.refuted(f"{what} fails: ln({fmt(x)}) >= {fmt(e.lo)} > {fmt(t)}", e.to_json())
        prec *= 4
    return Verdict.undecided(f"ln({fmt(x)}) could not be separated from {fmt(t)} below {_MAX_PREC} bits")


def bs_min_n(K, eps, delta) -> int:
    """The least integer n with 8^4 K ln(8K/delta) <= n eps^2, i.e. ceil(8^4 K ln(8K/delta) / eps^2), decided
    from enclosures (exactmem.exact.ceil_log); eps in (0, 1] as for :func:`bs_condition`."""
    K = _positive_int(K, "K")
    eps, delta = _positive(eps, "eps", "closed"), _positive(delta, "delta", "open")
    return int(ceil_log(8 * K / delta, fmpq(8 ** 4 * K) / (eps * eps)))
