"""Exact evaluation of registered bounds at concrete (N, d, rho[, p]), and rigorous rational enclosures.

The value is the sympy number the bound's expression takes, as sympy's automatic (exact) arithmetic
writes it: radicals and logarithms are kept, nothing is re-guessed from a float (no ``nsimplify``).
``Min``, ``Max`` and ``Abs`` are decided here, by comparing python-flint ``arb`` balls (raising the
precision) and, for a tie, by an exact test (the difference is 0 as sympy writes it, or its minimal
polynomial is x).  ``enclose`` gives exact rational bounds of relative width at most 10^-digits,
computed with ``arb`` (outward rounded) and rounded outward once more to decimals.

>>> from exactmem.bounds.evaluate import evaluate, enclose
>>> evaluate("KMY25.Thm4.2.ii", N=100, d=16, rho="1/400")   # 100 * 2 * (1/20) + 16
26
>>> evaluate("KMY25.ThmC.14", N=10, d=4, rho="1/4", p="inf")   # gamma = 2: 10*16*(1/256)*16 + 4
14
>>> evaluate("KMY25.Thm3.1", N=7, d=5, rho="1/1000")   # (5/10^6 + 1) 5 + sqrt(7) / sqrt(1 - 10^-6)
1000*sqrt(15873)/47619 + 200001/40000
>>> e = enclose("KMY25.Thm3.1", N=7, d=5, rho="1/1000", digits=12)
>>> e.text()
'[7.6457776339412, 7.6457776339413]'
>>> e.hi - e.lo <= e.hi / 10 ** 12
True
"""
from __future__ import annotations

from dataclasses import dataclass

import flint
import sympy as sp
from flint import arb, fmpq

from ..errors import ConversionError, RhoError, UnsupportedTypeError
from ..exact import _arb_bounds, fmt, to_rational
from ..norms import check_rho
from . import registry as reg
from .registry import GAMMA, BoundError, gamma_p, get

# ---- validation ---------------------------------------------------------------------------------------------

#: p-ranges of the l_p records whose statement is for part of [1, oo]: (lo, lo_closed, hi, hi_closed)
P_RANGES = {
    "KMY25.PropC.6.p>=2": (2, True, sp.oo, True),
    "KMY25.PropC.6.p<2": (1, True, 2, False),
    "KMY25.PropC.8": (1, True, sp.oo, False),
    "KMY25.ThmC.5.p<2": (1, True, 2, False),
    "KMY25.ThmC.5.2<=p<oo": (2, True, sp.oo, False),
    "Prior.Yu2024.lp": (1, True, sp.oo, False),
}


def _p_value(pv):
    if isinstance(pv, str) and pv.strip().lower() in ("inf", "oo", "infinity"):
        return sp.oo
    try:
        q = to_rational(pv)
    except (ConversionError, UnsupportedTypeError) as e:
        raise BoundError(f"p must be a number >= 1 or 'inf': {e}") from None
    if q < 1:
        raise BoundError(f"p must be >= 1, got {pv!r}")
    return sp.Rational(int(q.p), int(q.q))


def validate(Nv, dv, rho_v=None, pv=None) -> dict:
    """Check N, d positive integers, rho in (0, 1), p >= 1 (or 'inf'); return a sympy substitution."""
    for name, v in (("N", Nv), ("d", dv)):
        if isinstance(v, bool) or not isinstance(v, int) or v < 1:
            raise BoundError(f"{name} must be a positive integer, got {v!r}")
    subs = {reg.N: sp.Integer(Nv), reg.d: sp.Integer(dv)}
    if rho_v is not None:
        r = check_rho(rho_v)
        subs[reg.rho] = sp.Rational(int(r.p), int(r.q))
    if pv is not None:
        subs[reg.p] = _p_value(pv)
    return subs


def _p_range_text(r):
    lo, lo_c, hi, hi_c = r
    return ("[" if lo_c else "(") + f"{lo}, {hi}" + ("]" if hi_c else ")")


def _check_p(b, subs: dict, check_range: bool) -> None:
    """p is required exactly when the record needs it; l2 / l_oo records accept only p = 2 / p = oo."""
    pv = subs.get(reg.p)
    if b.norm == "l2":
        if pv is not None and pv != 2:
            raise BoundError(f"{b.id} is an l2 bound; give no p (or p = 2), got p = {pv}")
        subs.pop(reg.p, None)
        return
    if b.norm == "linf":
        if pv is not None and pv != sp.oo:
            raise BoundError(f"{b.id} is an l_oo bound; give no p (or p = inf), got p = {pv}")
        subs.pop(reg.p, None)
        return
    if pv is None:
        raise BoundError(f"{b.id} is an l_p bound; give p >= 1 or 'inf' (--p)")
    r = P_RANGES.get(b.id)
    if check_range and r is not None:
        lo, lo_c, hi, hi_c = r
        ok = (pv >= lo if lo_c else pv > lo) and (pv <= hi if hi_c else pv < hi)
        if not ok:
            raise BoundError(f"p = {pv} is outside the p-range {_p_range_text(r)} of {b.id}")


# ---- rigorous arithmetic on sympy numbers ----------------------------------------------------------------------

def arb_of(e) -> arb:
    """An ``arb`` ball containing the value of the sympy number ``e`` at the current flint precision.

    Supports integers, rationals, pi, E, +, *, powers (integer and rational exponents, others via
    exp/log of a positive base), log, exp, Abs, Min, Max.

    >>> b = arb_of(sp.sqrt(2) + sp.Rational(1, 3))
    >>> b.contains(arb(2).sqrt() + arb(1) / 3)
    True
    """
    e = sp.sympify(e)
    if e.is_Integer:
        return arb(int(e))
    if e.is_Rational:
        return arb(int(e.p)) / arb(int(e.q))
    if e is sp.pi:
        return arb.pi()
    if e is sp.E:
        return arb.const_e()
    if e.is_Add:
        out = arb(0)
        for a in e.args:
            out += arb_of(a)
        return out
    if e.is_Mul:
        out = arb(1)
        for a in e.args:
            out *= arb_of(a)
        return out
    if e.is_Pow:
        base, ex = e.args
        if ex.is_Integer:
            b = arb_of(base)
            k = int(ex)
            return b ** k if k >= 0 else 1 / b ** (-k)
        b = arb_of(base)
        if not b > 0:
            raise BoundError(f"cannot enclose {e}: the base is not certainly positive")
        if ex.is_Rational:
            num, den = int(ex.p), int(ex.q)
            r = b.sqrt() if den == 2 else b.root(den)
            return r ** num if num >= 0 else 1 / r ** (-num)
        return (arb_of(ex) * b.log()).exp()
    if isinstance(e, sp.log) and len(e.args) == 1:
        a = arb_of(e.args[0])
        if not a > 0:
            raise BoundError(f"cannot enclose {e}: the argument is not certainly positive")
        return a.log()
    if isinstance(e, sp.exp):
        return arb_of(e.args[0]).exp()
    if isinstance(e, sp.Abs):
        return abs(arb_of(e.args[0]))
    if isinstance(e, (sp.Min, sp.Max)):
        balls = [arb_of(a) for a in e.args]
        out = balls[0]
        for x in balls[1:]:
            out = out.min(x) if isinstance(e, sp.Min) else out.max(x)
        return out
    raise BoundError(f"cannot enclose {e!r}: unsupported number {type(e).__name__}")


def _with_prec(bits, fn):
    old = flint.ctx.prec
    try:
        flint.ctx.prec = bits
        return fn()
    finally:
        flint.ctx.prec = old


def _exactly_zero(e) -> bool:
    """True only when e = 0 is proved: sympy writes it as 0, or it is algebraic with minimal polynomial x."""
    e = sp.sympify(e)
    if e == 0:
        return True
    if e.has(sp.log, sp.exp, sp.pi, sp.E):
        return False
    x = sp.Dummy("x")
    try:
        return sp.minimal_polynomial(e, x) == x
    except (NotImplementedError, ValueError, TypeError):  # pragma: no cover - not algebraic as sympy sees it
        return False


def compare(a, b) -> int:
    """-1, 0, +1 as a < b, a = b, a > b for sympy real numbers, decided rigorously (arb, then exact tie test).

    >>> compare(sp.sqrt(2), sp.Rational(141421356, 10 ** 8)), compare(sp.sqrt(8), 2 * sp.sqrt(2))
    (1, 0)
    """
    a, b = sp.sympify(a), sp.sympify(b)
    if a == b:
        return 0
    if a is sp.oo or b is sp.oo or a is sp.S.NegativeInfinity or b is sp.S.NegativeInfinity:
        if a == b:
            return 0
        return 1 if (a is sp.oo or b is sp.S.NegativeInfinity) else -1
    for bits in (64, 256, 1024, 4096):
        diff = _with_prec(bits, lambda: arb_of(a) - arb_of(b))
        if diff > 0:
            return 1
        if diff < 0:
            return -1
    if _exactly_zero(a - b):
        return 0
    raise BoundError(f"cannot decide the order of {a} and {b}")


# ---- exact evaluation ---------------------------------------------------------------------------------------

_AUTO = (sp.Add, sp.Mul, sp.Pow, sp.log, sp.exp)


def exact_value(expr, subs: dict):
    """The exact sympy value of ``expr`` with the symbols of ``subs`` replaced, Min/Max/Abs decided rigorously.

    >>> exact_value(sp.Min(reg.N, sp.sqrt(reg.d)) + 1 / sp.sqrt(reg.d), {reg.N: 3, reg.d: 8})   # 2 sqrt 2 + sqrt(2)/4
    9*sqrt(2)/4
    """
    e = sp.sympify(expr)
    if e.is_Symbol:
        if e not in subs:
            raise BoundError(f"no value given for {e}")
        return sp.sympify(subs[e])
    if e.is_Number or e in (sp.pi, sp.E):
        return e
    args = [exact_value(a, subs) for a in e.args]
    if isinstance(e, (sp.Min, sp.Max)):
        best = args[0]
        for a in args[1:]:
            c = compare(a, best)
            if (c < 0 and isinstance(e, sp.Min)) or (c > 0 and isinstance(e, sp.Max)):
                best = a
        return best
    if isinstance(e, sp.Abs):
        a = args[0]
        return a if compare(a, 0) >= 0 else -a
    if isinstance(e, _AUTO):
        return e.func(*args)
    raise BoundError(f"cannot evaluate {e!r}: unsupported function {type(e).__name__}")


def _in_interval(interval, value, subs: dict) -> bool:
    """Exact membership of a rational rho in an Interval at numeric N, d (p), end points decided rigorously."""
    if interval.lo == 0 and interval.hi == 0:
        return False
    s = dict(subs)
    s.setdefault(reg.p, sp.Integer(2))
    lo = exact_value(interval.lo.subs(GAMMA, gamma_p(reg.p)), s)
    hi = exact_value(interval.hi.subs(GAMMA, gamma_p(reg.p)), s)
    c_lo, c_hi = compare(value, lo), compare(value, hi)
    left = c_lo > 0 if interval.lo_open else c_lo >= 0
    right = c_hi < 0 if interval.hi_open else c_hi <= 0
    return left and right


def _prepare(bound_id, N, d, rho, p, with_additive, check_range):
    b = get(bound_id)
    subs = validate(N, d, rho, p)
    _check_p(b, subs, check_range)
    e = b.concrete(b.with_additive() if with_additive else b.expr)
    free_iv = (b.interval.lo.free_symbols | b.interval.hi.free_symbols)
    if reg.rho in e.free_symbols and rho is None:
        raise RhoError(f"{bound_id} depends on rho; give rho in (0, 1)")
    if check_range and rho is not None:
        s = dict(subs)
        if GAMMA in free_iv and reg.p not in s:
            raise BoundError(f"the rho-range of {bound_id} depends on p; give p >= 1 or 'inf'")
        if not _in_interval(b.interval, subs[reg.rho], s):
            raise BoundError(f"rho = {rho} is outside the range {b.interval.text()} of {bound_id} at N={N}, d={d}"
                             + (f", p={subs[reg.p]}" if reg.p in subs else ""))
    if reg.p in e.free_symbols and reg.p not in subs:
        raise BoundError(f"{bound_id} depends on p; give p >= 1 or 'inf'")
    return e, subs


def evaluate(bound_id: str, N: int, d: int, rho=None, p=None, with_additive: bool = True, check_range: bool = True):
    """The exact value of a bound's expression (polylogs dropped) at the given point, as a sympy number.

    ``check_range`` (default) requires rho in the bound's rho-range and p in its p-range."""
    e, subs = _prepare(bound_id, N, d, rho, p, with_additive, check_range)
    return exact_value(e, subs)


# ---- enclosures ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class BoundEnclosure:
    """Exact rational bounds ``lo <= value <= hi`` (end points are decimals, printed exactly)."""

    lo: fmpq
    hi: fmpq
    digits: int

    def text(self) -> str:
        return f"[{_decimal(self.lo)}, {_decimal(self.hi)}]"

    __str__ = text


def _decimal(q: fmpq) -> str:
    """The exact decimal expansion of a rational whose denominator divides a power of 10."""
    q = fmpq(q)
    num, den = int(q.p), int(q.q)
    k = 0
    while (10 ** k) % den:
        k += 1
        if k > 100000:
            return fmt(q)
    m = num * (10 ** k // den)
    sign, m = ("-" if m < 0 else ""), abs(m)
    s = str(m).rjust(k + 1, "0")
    return sign + (s[:-k] + "." + s[-k:] if k else s)


def _floor_div(a: int, b: int) -> int:
    return a // b


def _outward_decimal(lo: fmpq, hi: fmpq, digits: int):
    """Round lo down and hi up to decimals with digits + 1 significant digits of the larger end."""
    mag = max(abs(lo), abs(hi))
    if mag == 0:
        return fmpq(0), fmpq(0)
    e = len(str(int(mag.p) // int(mag.q))) - 1 if mag >= 1 else -len(str(int(mag.q) // int(mag.p)))
    k = digits + 1 - e  # quantum 10^-k <= mag * 10^-(digits+1)
    if k >= 0:
        s = 10 ** k
        return fmpq(_floor_div(int(lo.p) * s, int(lo.q)), s), fmpq(-_floor_div(-int(hi.p) * s, int(hi.q)), s)
    s = 10 ** (-k)
    return fmpq(_floor_div(int(lo.p), int(lo.q) * s) * s), fmpq(-_floor_div(-int(hi.p), int(hi.q) * s) * s)


def enclose_number(value, digits: int) -> BoundEnclosure:
    """Rational bounds of the sympy number ``value`` of relative width at most 10^-digits (exact if rational).

    >>> enclose_number(sp.sqrt(2), 5).text()
    '[1.414213, 1.414214]'
    """
    if isinstance(digits, bool) or not isinstance(digits, int) or not 1 <= digits <= 10000:
        raise BoundError(f"digits must be an integer in [1, 10000], got {digits!r}")
    value = sp.sympify(value)
    if value.is_Rational:
        q = fmpq(int(value.p), int(value.q))
        return BoundEnclosure(q, q, digits)
    if value in (sp.oo, sp.S.NegativeInfinity, sp.zoo, sp.nan):
        raise BoundError(f"the value {value} is not a finite number")
    bits = (10 ** (digits + 1)).bit_length() + 4
    work = bits + 20
    for _ in range(10):
        ball = _with_prec(work, lambda: arb_of(value))
        try:
            lo, hi = _arb_bounds(ball)
        except ConversionError as e:
            raise BoundError(str(e)) from None
        scale = max(abs(lo), abs(hi))
        if scale > 0 and (hi - lo) * 10 ** (digits + 1) <= scale:
            dlo, dhi = _outward_decimal(lo, hi, digits)
            if (dhi - dlo) * 10 ** digits <= max(abs(dlo), abs(dhi)):
                return BoundEnclosure(dlo, dhi, digits)
        work *= 2
    raise BoundError(f"could not enclose {value} to {digits} digits")


def enclose(bound_id: str, N: int, d: int, rho=None, p=None, digits: int = 30, with_additive: bool = True,
            check_range: bool = True) -> BoundEnclosure:
    """Exact rational bounds of the bound's value, relative width at most 10^-digits (outward rounded)."""
    return enclose_number(evaluate(bound_id, N, d, rho, p, with_additive, check_range), digits)
