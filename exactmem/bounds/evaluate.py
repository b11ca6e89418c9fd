"""Exact evaluation of registered bounds at concrete (N, d, rho[, p]), with validation.

>>> from exactmem.bounds.evaluate import evaluate
>>> evaluate("KMY25.Thm4.2.ii", N=100, d=16, rho="1/400")   # 100 * 2 * (1/20) + 16
26
>>> evaluate("KMY25.ThmC.14", N=10, d=4, rho="1/4", p="inf")   # gamma = 2: 10*16*(1/256)*16 + 4
14
"""
from __future__ import annotations

import sympy as sp

from ..errors import RhoError
from ..exact import to_rational
from ..norms import check_rho
from . import registry as reg
from .registry import BoundError, get


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
        if isinstance(pv, str) and pv.strip().lower() in ("inf", "oo", "infinity"):
            subs[reg.p] = sp.oo
        else:
            q = to_rational(pv)
            if q < 1:
                raise BoundError(f"p must be >= 1, got {pv!r}")
            subs[reg.p] = sp.Rational(int(q.p), int(q.q))
    return subs


def evaluate(bound_id: str, N: int, d: int, rho=None, p=None, with_additive: bool = True, check_range: bool = True):
    """The exact value of a bound's expression (polylogs dropped) at the given point."""
    b = get(bound_id)
    subs = validate(N, d, rho, p)
    if b.expr.has(reg.rho) and rho is None:
        raise RhoError(f"{bound_id} depends on rho; give rho in (0, 1)")
    if check_range and rho is not None and not b.interval.contains(subs[reg.rho], subs):
        raise BoundError(f"rho = {rho} is outside the range {b.interval.text()} of {bound_id} at N={N}, d={d}")
    e = b.concrete(b.with_additive() if with_additive else b.expr)
    if e.has(reg.p) and reg.p not in subs:
        raise BoundError(f"{bound_id} depends on p; give p >= 1 or 'inf'")
    return sp.nsimplify(sp.simplify(e.subs(subs)))
