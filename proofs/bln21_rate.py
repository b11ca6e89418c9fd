"""Bubeck, Li & Nagaraj 2021 (the conjectured rate sqrt(n/k)) against Bubeck & Sellke 2021's sqrt(nd/p) at the
two-layer parameter count (reference notes §7, item 17, its formula part): the ratio is sqrt(d/(d+2)) exactly,
in [1/sqrt(3), 1) for d >= 1 and tending to 1; with an output bias it is sqrt(kd/(k(d+2)+1)).

The probabilistic half of item 17 (the trend of the proxy on random data) is not a formula and is not checked here.
"""
import sympy as sp

from exactmem import Verdict
from exactmem.bounds.law_catalog import TWO_LAYER_PARAMS, d, k, law, p
from exactmem.claims import claim

_t = sp.Symbol("t", nonnegative=True)


def _parts():
    yield "sqrt(nd/p) at p = k(d+2) over sqrt(n/k) is sqrt(d/(d+2))", "exact"
    yield "the ratio is < 1 and >= 1/sqrt(3) for d >= 1, and tends to 1", "range"
    yield "with an output bias, p = k(d+2) + 1: the ratio is sqrt(kd/(k(d+2)+1))", "bias"
    yield "d = 1..12: ratio^2 = d/(d+2), rational", "table"


@claim("BLN21.rate", "the Bubeck-Sellke rate at p = k(d+2) is BLN's sqrt(n/k) times exactly sqrt(d/(d+2))",
       {"symbolic": _parts}, source="Bubeck, Li & Nagaraj 2021, the conjecture; Bubeck & Sellke 2021, Theorem 1 / §3")
def check(part):
    bs, bln = law("BS21.Thm1").expr, law("BLN21.conjecture").expr
    ratio = sp.simplify(bs.subs(p, TWO_LAYER_PARAMS) / bln)
    if part == "exact":
        diff = sp.simplify(ratio - sp.sqrt(d / (d + 2)))
        return Verdict.from_exact(diff == 0, f"ratio = {ratio}; minus sqrt(d/(d+2)) = {diff}", witness=str(ratio))
    if part == "range":
        sq = sp.simplify(ratio ** 2)
        below_one = sp.simplify(1 - sq)                          # 2/(d+2) > 0
        above = sp.factor(sp.simplify(sq - sp.Rational(1, 3)).subs(d, 1 + _t))   # d = 1 + t, t >= 0
        lim = sp.limit(ratio, d, sp.oo)
        ok = below_one.is_positive is True and above.is_nonnegative is True and lim == 1
        return Verdict.from_exact(bool(ok), f"1 - ratio^2 = {below_one} > 0; ratio^2 - 1/3 = {above} >= 0 at "
                                  f"d = 1 + t; "
                                  f"limit {lim}", witness=[str(below_one), str(above), str(lim)])
    if part == "bias":
        r = sp.simplify(bs.subs(p, TWO_LAYER_PARAMS + 1) / bln)
        diff = sp.simplify(r ** 2 - k * d / (k * (d + 2) + 1))
        smaller = sp.simplify(ratio ** 2 - r ** 2)
        return Verdict.from_exact(diff == 0 and smaller.is_positive is True,
                                  f"ratio = {r}; ratio^2 - kd/(k(d+2)+1) = {diff}; below the bias-free ratio by "
                                  f"{sp.factor(smaller)} (in the square)", witness=str(r))
    vals = [sp.simplify((ratio ** 2).subs(d, dv)) for dv in range(1, 13)]
    ok = all(v == sp.Rational(dv, dv + 2) for dv, v in zip(range(1, 13), vals))
    return Verdict.from_exact(ok, f"ratio^2 for d = 1..12: {', '.join(map(str, vals))}", witness=[str(v) for v in vals])
