"""Bubeck & Sellke 2021, §3: the deep-network rates (3.1) and (3.2) as symbolic statements (reference notes §7,
item 15).  They are Omega-tilde statements, so what can be checked is how they relate: (3.2) with
Bbar = (W sqrt(pQ))^D is (3.1) divided by sqrt(ln(W sqrt(pQ))), a log factor when W, p, Q are polynomial in n
(and not when W is exponential); Theorem 3 with §3's J = R (WQp)^D is (3.1) up to logs; and the two-layer
specialisation p = k(d+2) gives sqrt(n/k) sqrt(d/(d+2)).
"""
import sympy as sp

from exactmem import Verdict
from exactmem.bounds.law_catalog import (D, J, Q, R, TWO_LAYER_PARAMS, W, Bbar, c, d, delta, eps, k, law, n, p)
from exactmem.claims import claim

SRC = "Bubeck & Sellke 2021, §3, Eqs. (3.1) and (3.2)"


def growth(expr, path: dict):
    """lim_{n -> oo} ln(expr) / ln(n) with the substitutions of ``path`` (exact, by sympy's limit)."""
    e = sp.expand_log(sp.log(expr.subs(path)), force=True)
    return sp.limit(e / sp.log(n), n, sp.oo)


def _ratio_32_31():
    B = law("BS21.Lem3.1.B").expr
    return sp.simplify(law("BS21.Sec3.rate.Bbar").expr.subs(Bbar, B) / law("BS21.Sec3.rate.depth").expr)


def _parts():
    yield "(3.2) at Bbar = (W sqrt(pQ))^D = (3.1) / sqrt(ln W + ln(p)/2 + ln(Q)/2)", ("rewrite", None, None)
    for a, b, e in ((1, 1, 0), ("1/2", 3, 2)):
        yield f"that factor on W = n^({a}), p = n^({b}), Q = n^({e}): growth exponent 0 (a log factor)", \
            ("factor", {W: n ** sp.S(a), p: n ** sp.S(b), Q: n ** sp.S(e)}, 0)
    yield "that factor on W = 2^n, p = n, Q = 1: exponent -1/2 (not a log factor: weights must be polynomial)", \
        ("factor", {W: 2 ** n, p: n, Q: 1}, sp.Rational(-1, 2))
    base = {eps: sp.Rational(1, 2), delta: sp.Rational(1, 100), c: 1}
    for label, path in (("d = n, p = n^2, W = Q = R = n, D = 3", {d: n, p: n ** 2, W: n, Q: n, R: n, D: 3}),
                        ("d = n^(1/2), p = n, W = n^2, Q = 1, R = 1, D = n^(1/4)",
                         {d: sp.sqrt(n), p: n, W: n ** 2, Q: 1, R: 1, D: n ** sp.Rational(1, 4)})):
        yield f"Theorem 3 with J = R (WQp)^D over (3.1) on {label}: exponent 0", ("thm3", {**base, **path}, 0)
    yield "two-layer: (sqrt(nd/p) at p = k(d+2)) = sqrt(n/k) sqrt(d/(d+2))", ("twolayer", None, None)


@claim("BS21.Sec3.rates", "the deep rates (3.1) and (3.2) agree up to log factors when weights are polynomial "
       "(and not otherwise), Theorem 3 with J = R (WQp)^D gives (3.1) up to logs, and p = k(d+2) gives "
       "sqrt(n/k) sqrt(d/(d+2))", {"symbolic": _parts}, source=SRC)
def check(inst):
    part, path, expected = inst
    if part == "rewrite":
        r = _ratio_32_31()
        want = 1 / sp.sqrt(sp.log(W) + sp.log(p) / 2 + sp.log(Q) / 2)
        diff = sp.simplify(sp.expand_log(r ** -2, force=True) - want ** -2)
        return Verdict.from_exact(diff == 0, f"(3.2)/(3.1) = {r}; 1/ratio^2 - (ln W + ln(p)/2 + ln(Q)/2) = {diff}",
                                  witness=str(r))
    if part == "twolayer":
        two = law("BS21.Sec3.twolayer").expr
        a = sp.simplify(law("BS21.Thm1").expr.subs(p, TWO_LAYER_PARAMS) - two)
        b = sp.simplify(two / sp.sqrt(n / k) - sp.sqrt(d / (d + 2)))
        return Verdict.from_exact(a == 0 and b == 0, f"sqrt(nd/p) at p = {TWO_LAYER_PARAMS} minus the two-layer "
                                  f"record = {a}; record / sqrt(n/k) - sqrt(d/(d+2)) = {b}", witness=[str(a), str(b)])
    if part == "factor":
        g = growth(_ratio_32_31(), path)
    else:
        lbs = law("BS21.Thm3").expr.subs(J, law("BS21.Sec3.J").expr)
        g = growth(lbs / law("BS21.Sec3.rate.depth").expr, path)
    return Verdict.from_exact(bool(g == expected), f"growth exponent {g} (expected {expected})", witness=str(g))
