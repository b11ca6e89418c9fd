"""Symbolic certificates for the plan inequalities of the constructions (Theorem B.14 Cases IV-V, Lemmas B.18-B.20).

``certify_nonneg(expr, symbols)`` proves expr >= 0 (or > 0 with ``strict``) for all positive values of the
symbols: the canonical fraction p/q of expr (sympy.cancel) must have only non-negative coefficients in p and in q
(then every monomial is positive on the positive orthant).  A region is brought to the positive orthant by
substitution (x = a + s with s > 0 for x > a, and so on), which the caller writes out.  When the coefficient
test fails, a few exact sample points are tried: a negative value there REFUTES with the point, otherwise the
verdict is UNDECIDED (the test is sufficient, not necessary).

>>> import sympy as sp
>>> s, d = sp.symbols("s d", positive=True)
>>> certify_nonneg(sp.Rational(4, 25) * (9 + s / d) - sp.Rational(36, 25), [s, d]).is_proved
True
>>> certify_nonneg(s - 1, [s]).is_refuted
True
"""
from __future__ import annotations

import itertools

import sympy as sp

from exactmem import Verdict

_SAMPLES = (sp.Rational(1, 1000), sp.Rational(1, 3), sp.Integer(1), sp.Integer(7), sp.Integer(1000))


def certify_nonneg(expr, symbols, what: str = "", strict: bool = False) -> Verdict:
    expr = sp.sympify(expr)
    frac = sp.cancel(sp.together(expr))
    num, den = sp.fraction(frac)
    num, den = sp.expand(num), sp.expand(den)
    if num == 0:
        return Verdict.from_exact(not strict, f"{what}: the expression is identically 0")
    pn, pd = sp.Poly(num, *symbols), sp.Poly(den, *symbols)
    cn, cd = pn.coeffs(), pd.coeffs()
    if all(c.is_number for c in cn + cd):
        if all(c >= 0 for c in cn) and all(c >= 0 for c in cd):
            return Verdict.proved(f"{what}: numerator ({len(cn)} terms) and denominator ({len(cd)} terms) have only "
                                  f"non-negative coefficients in positive symbols", terms=len(cn))
        if all(c <= 0 for c in cn) and all(c <= 0 for c in cd):
            return Verdict.proved(f"{what}: numerator and denominator have only non-positive coefficients",
                                  terms=len(cn))
    syms = list(symbols)
    points = itertools.islice(itertools.product(_SAMPLES, repeat=len(syms)), 500)
    for pt in points:
        dv = pd.eval(dict(zip(syms, pt))) if syms else pd.as_expr()
        if dv == 0:
            continue
        val = (pn.eval(dict(zip(syms, pt))) if syms else pn.as_expr()) / dv
        if val.is_number and (val < 0 or (strict and val == 0)):
            return Verdict.refuted(f"{what}: negative at {dict(zip(map(str, syms), map(str, pt)))}",
                                   {str(k): str(v) for k, v in zip(syms, pt)}, value=str(val))
    bad = [m for m, c in zip(pn.monoms(), cn) if not (c.is_number and c >= 0)][:3]
    return Verdict.undecided(f"{what}: no coefficient certificate (monomials {bad}) and no sample point refutes it")
