"""Exact tools for comparing bound expressions without sympy's multivariate O().

* :func:`exponent` -- the growth exponent lim log f / log N of an expression along a path
  N -> oo, d = N^delta, rho = c N^(-a), computed structurally and exactly (rational
  exponents); Min/Max take the min/max exponent, sums of positive terms the max.
* :func:`at` -- exact substitution and simplification.
* :func:`sign_on` -- the sign of an expression for all rho in (0, 1) and N, d > 0, decided by
  sympy's assumption system after the substitution rho = t/(1+t), t > 0.

>>> from exactmem.bounds.registry import N, d, rho
>>> exponent(N * d ** 2 * rho ** 4, Path(delta=1, a="1/4"))
2
"""
from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from .registry import POLYLOG, BoundError, N, d, rho

_t = sp.Symbol("t", positive=True)


@dataclass(frozen=True)
class Path:
    """N -> oo with d = N^delta and rho = c * N^(-a) (a = 0: rho = c constant)."""

    delta: object = 1
    a: object = 0
    c: object = 1

    def subs(self) -> dict:
        return {d: N ** sp.nsimplify(self.delta), rho: sp.nsimplify(self.c) * N ** (-sp.nsimplify(self.a))}

    def text(self) -> str:
        return f"d = N^{self.delta}, rho = {self.c} N^(-{self.a})"


def _exp(e):
    if e.is_number:
        if e == 0:
            raise BoundError("zero has no growth exponent")
        return sp.S.Zero
    if e == N:
        return sp.S.One
    if isinstance(e, sp.log) or (isinstance(e, sp.Function) and e.func == POLYLOG):
        return sp.S.Zero
    if e.is_Pow and e.exp.is_number:
        return e.exp * _exp(e.base)
    if e.is_Mul:
        return sum((_exp(f) for f in e.args), sp.S.Zero)
    if isinstance(e, sp.Min):
        return sp.Min(*[_exp(f) for f in e.args])
    if isinstance(e, sp.Max):
        return sp.Max(*[_exp(f) for f in e.args])
    if e.is_Add:
        terms = e.args
        if all(_positive_for_large_N(t) for t in terms):
            return sp.Max(*[_exp(t) for t in terms])
        # a difference: fall back to a univariate limit (no Min/Max left here)
        lim = sp.limit(sp.log(e) / sp.log(N), N, sp.oo)
        if not lim.is_number:
            raise BoundError(f"cannot determine the growth of {e}")
        return lim
    raise BoundError(f"cannot determine the growth of {e}")


def _positive_for_large_N(term):
    c, _ = term.as_coeff_Mul()
    return bool(c > 0)


def exponent(expr, path: Path):
    """Exact growth exponent of ``expr`` (positive for large N) along ``path``."""
    e = sp.sympify(expr).subs(path.subs())
    return sp.nsimplify(_exp(sp.powsimp(e, force=True)))


def at(expr, **values):
    """Exact value of ``expr`` with the given symbols substituted (simplified)."""
    subs = {sp.Symbol(k, positive=True): sp.nsimplify(v) for k, v in values.items()}
    return sp.simplify(sp.sympify(expr).subs(subs))


def sign_on(expr) -> int | None:
    """+1 / -1 if ``expr`` is positive / negative for all rho in (0, 1) and N, d, p > 0; None if undecided."""
    e = sp.simplify(sp.sympify(expr).subs(rho, _t / (1 + _t)))
    if e.is_positive:
        return 1
    if e.is_negative:
        return -1
    e2 = sp.factor(sp.together(e))
    if e2.is_positive:
        return 1
    if e2.is_negative:
        return -1
    if e.free_symbols == {_t}:  # univariate: solve the inequality exactly over t > 0
        dom = sp.Interval.open(0, sp.oo)
        try:
            if sp.solveset(e <= 0, _t, dom) == sp.S.EmptySet:
                return 1
            if sp.solveset(e >= 0, _t, dom) == sp.S.EmptySet:
                return -1
        except (NotImplementedError, ValueError, TypeError):
            return None
    return None


def path_in_interval(path: Path, interval) -> bool:
    """Does rho = c N^(-a) lie in the interval for all large N (strict exponent comparison)?"""
    if interval.lo == 0 and interval.hi == 0:
        return False
    a = sp.nsimplify(path.a)
    e_rho = -a
    lo, hi = interval.lo.subs(d, N ** sp.nsimplify(path.delta)), interval.hi.subs(d, N ** sp.nsimplify(path.delta))
    ok_lo = lo == 0 or _exp(sp.powsimp(lo, force=True)) < e_rho or (
        _exp(sp.powsimp(lo, force=True)) == e_rho and bool(sp.limit(sp.nsimplify(path.c) * N ** e_rho / lo, N, sp.oo) > 1))
    ok_hi = _exp(sp.powsimp(hi, force=True)) > e_rho or (
        _exp(sp.powsimp(hi, force=True)) == e_rho and bool(sp.limit(sp.nsimplify(path.c) * N ** e_rho / hi, N, sp.oo) < 1))
    return bool(ok_lo) and bool(ok_hi)
