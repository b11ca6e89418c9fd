"""Every row of Table 1 and the records of Theorems C.5, E.1, E.2 against the theorem each comes from, with
gamma_p substituted: expressions and range end points by exact rewriting (a REFUTED verdict names a rational
point where the exact values differ), and the bound's values at the end points of its range.

Theorem C.11 sets rho' = gamma_p(d) rho in the l2 Theorem 4.2 (so its rows are Theorem 4.2's with rho ->
gamma_p rho and the range divided by gamma_p); Proposition C.6 is Proposition 3.2 with rho -> rho / gamma_p
for p < 2; Proposition C.8 is Proposition 3.3 with rho^2 -> rho^p; Theorem C.5 is C.6 + C.8 (+ C.7 at
p = oo); Theorem E.1 is Theorem 3.1's VC term; Theorem E.2 (i), (ii) are Theorem 4.2 (i), (ii).
"""
import sympy as sp

from exactmem.bounds import get
from exactmem.bounds.registry import GAMMA, N, d, p, rho
from exactmem.bounds.relations import Region, dominated, equivalent, gap, identical
from exactmem.claims import claim
from exactmem.verdict import Verdict, all_of

R = sp.Rational
SRC = "Kim, Moon & Yun 2025"


def _same_record(row_id, thm_id, expr_map, lo_map, hi_map, additive=True):
    """row = theorem after the substitution: expression, additive term, range end points (values and openness),
    and the bound's value at both end points."""
    row, thm = get(row_id), get(thm_id)
    parts = [identical(row.expr, expr_map(thm.expr), f"{row_id}: expression = {thm_id}'s after the substitution")]
    if additive:
        parts.append(identical(row.additive, thm.additive, f"{row_id}: additive term = {thm_id}'s"))
    parts.append(identical(row.interval.lo, lo_map(thm.interval.lo), f"{row_id}: lower end of the range"))
    parts.append(identical(row.interval.hi, hi_map(thm.interval.hi), f"{row_id}: upper end of the range"))
    parts.append(Verdict.from_exact((row.interval.lo_open, row.interval.hi_open) ==
                                    (thm.interval.lo_open, thm.interval.hi_open), f"{row_id}: open/closed ends"))
    for end in ("lo", "hi"):
        rv = getattr(row.interval, end)
        if rv != 0:
            parts.append(identical(row.expr.subs(rho, rv), expr_map(thm.expr).subs(rho, rv),
                                   f"{row_id}: value at its {end} end"))
    return all_of(parts, f"{row_id} is {thm_id} with the substitution")


def _gamma(e):
    return e.subs(rho, GAMMA * rho)


def _div_gamma(e):
    return e / GAMMA


_ROWS = [
    ("C.12 = 4.2 (i)", lambda: _same_record("KMY25.ThmC.12", "KMY25.Thm4.2.i", _gamma, _div_gamma, _div_gamma)),
    ("C.13 = 4.2 (ii)", lambda: _same_record("KMY25.ThmC.13", "KMY25.Thm4.2.ii", _gamma, _div_gamma, _div_gamma)),
    ("C.14 = 4.2 (iii)", lambda: _same_record("KMY25.ThmC.14", "KMY25.Thm4.2.iii", _gamma, _div_gamma, _div_gamma)),
    ("C.14 as printed in Table 1", lambda: all_of([
        _differs(N * d ** 2 * (rho * GAMMA) ** 2, get("KMY25.ThmC.14").expr),
        gap(N * d ** 2 * (rho * GAMMA) ** 2 + d, get("KMY25.ThmC.14").with_additive(), Region(get("KMY25.ThmC.14").interval),
            "Table 1's printed N d^2 (rho gamma_p)^2 exceeds Theorem C.14 by an unbounded factor"),
        Verdict.from_exact("(rho gamma_p)^2" in get("KMY25.ThmC.14").discrepancy, "the discrepancy is recorded")],
        "Table 1 prints N d^2 (rho gamma_p)^2 for C.14: a different, larger bound; the record follows the theorem")),
    ("C.6 (p >= 2) = 3.2", lambda: identical(get("KMY25.PropC.6.p>=2").expr, get("KMY25.Prop3.2.params").expr - d,
                                             "C.6 (p >= 2): Prop 3.2's rho^2 min(N, d) d")),
    ("C.6 (p < 2) = 3.2 with rho / gamma", lambda: identical(
        get("KMY25.PropC.6.p<2").expr, (get("KMY25.Prop3.2.params").expr - d).subs(rho, rho / GAMMA),
        "C.6 (p < 2): Prop 3.2 with rho -> rho / gamma_p")),
    ("C.7 from its width", lambda: equivalent(get("KMY25.PropC.7").expr, (d + 1) * sp.Min(d, N - 1),
                                              Region(get("KMY25.PropC.7").interval, N_min=2),
                                              "C.7: (d + 1) min(d, N - 1) ~ the record")),
    ("C.7 at rho = 4/5 strengthens Yu et al.", lambda: equivalent(
        get("KMY25.PropC.7").expr, get("Prior.Yu2024.LB").expr, Region(get("KMY25.PropC.7").interval, (N > d,)),
        "C.7 is d^2 where N > d, Yu et al.'s bound at rho = 0.8, now on all of (1/2, 1)")),
    ("C.8 = 3.3 with rho^p", lambda: all_of([
        identical(get("KMY25.PropC.8").expr, get("KMY25.Prop3.3").expr.subs(rho ** 2, rho ** p), "C.8 expression"),
        identical(get("KMY25.PropC.8").interval.hi.subs(p, 2), get("KMY25.Prop3.3").interval.hi,
                  "C.8 range at p = 2 = Prop 3.3's"),
        identical(get("KMY25.PropC.8").expr.subs(p, 2), get("KMY25.Prop3.3").expr, "C.8 at p = 2 = Prop 3.3")],
        "C.8 is Prop 3.3 with rho^2 -> rho^p")),
    ("Egosi (a) = Eq. 2 (a)", lambda: all_of([
        identical(get("Prior.Egosi2025.lp.a").expr, _gamma(get("Prior.Eq2.a").expr), "expression"),
        identical(get("Prior.Egosi2025.lp.a").interval.hi, _div_gamma(get("Prior.Eq2.a").interval.hi), "upper end")],
        "Table 1's Egosi et al. (a) row is Eq. 2 (a) with rho -> gamma_p rho")),
    ("Egosi (b) = Eq. 2 (b)", lambda: all_of([
        identical(get("Prior.Egosi2025.lp.b").expr, _gamma(get("Prior.Eq2.b").expr), "expression"),
        identical(get("Prior.Egosi2025.lp.b").interval.lo, _div_gamma(get("Prior.Eq2.b").interval.lo), "lower end"),
        identical(get("Prior.Egosi2025.lp.b").interval.hi, 1 / GAMMA, "Table 1 prints the upper end 1/gamma_p"),
        _differs(get("Prior.Egosi2025.lp.b").interval.hi, _div_gamma(get("Prior.Eq2.b").interval.hi)),
        dominated(get("Prior.Eq2.c").expr, get("Prior.Eq2.b").expr, Region(get("Prior.Eq2.c").interval),
                  "above d^(-1/6), N d^3 rho^6 >= N d^2 (Yu et al.), so the longer range adds nothing")],
        "Table 1's Egosi et al. (b) row is Eq. 2 (b) with rho -> gamma_p rho; its range runs to 1/gamma_p "
        "instead of d^(-1/6)/gamma_p, where it is never better than Yu et al.'s")),
    ("Yu et al. at p = 2", lambda: equivalent(get("Prior.Yu2024.lp").expr.subs(p, 2), get("Prior.Yu2024").expr,
                                              Region(), "Table 1's N d^2 p^2 at p = 2 ~ Yu et al.'s N d^2")),
    ("Li et al. row", lambda: all_of([identical(get("Prior.Li2022.LB.T1").expr, get("Prior.Li2022.LB").expr, "expr"),
                                      identical(get("Prior.Li2022.LB.T1").interval.lo, get("Prior.Li2022.LB").interval.lo,
                                                "range")], "Table 1's Li et al. row = Li et al. 2022, Theorem 2.3")),
]


def _differs(a, b):
    v = identical(a, b)
    if v.is_refuted:
        return Verdict.proved(f"{sp.sstr(a)} != {sp.sstr(b)}: {v.reason}", v.witness)
    if v.is_proved:
        return Verdict.refuted(f"{sp.sstr(a)} = {sp.sstr(b)} identically", {"a": sp.sstr(a)})
    return v


@claim("KMY25.Table1.rows", "every row of Table 1 is the theorem it cites with gamma_p substituted (expression, "
       "range end points and values there); the C.14 row as printed is a different bound (recorded erratum)",
       {"rows": lambda: _ROWS}, source=f"{SRC}, Table 1 (Appendix D.1), Theorems C.11-C.14, Propositions C.6-C.8")
def check_rows(fn):
    return fn()


def _c5(key, c6):
    c5 = get(f"KMY25.ThmC.5.{key}")
    vc = sp.Min(1 / sp.sqrt(1 - rho ** p), sp.sqrt(d)) * sp.sqrt(N)
    return all_of([
        identical(c5.expr, get(c6).expr + d + vc, f"C.5 ({key}) = {c6} + d + min(1/sqrt(1 - rho^p), sqrt d) sqrt N"),
        equivalent(c5.expr, get(c6).expr + d + get("KMY25.PropC.8").expr,
                   Region(get("KMY25.PropC.8").interval, N_min=2), f"C.5 ({key}) ~ {c6} + d + C.8 on C.8's range"),
        identical(c5.expr.subs(GAMMA, 1).subs(p, 2), get("KMY25.Thm3.1").expr, f"C.5 ({key}) at p = 2 = Thm 3.1")],
        f"Theorem C.5 ({key}) from Propositions C.6 and C.8")


_C5 = [
    ("p < 2", lambda: _c5("p<2", "KMY25.PropC.6.p<2")),
    ("2 <= p < oo", lambda: _c5("2<=p<oo", "KMY25.PropC.6.p>=2")),
    ("p = oo, rho <= 1/2", lambda: identical(get("KMY25.ThmC.5.inf.low").expr,
                                             get("KMY25.PropC.6.p>=2").expr + d + sp.sqrt(N),
                                             "C.5 (p = oo, rho <= 1/2) = C.6 + d + sqrt N")),
    ("p = oo, rho > 1/2", lambda: identical(get("KMY25.ThmC.5.inf.high").expr,
                                            get("KMY25.PropC.7").expr + d + sp.sqrt(N),
                                            "C.5 (p = oo, rho > 1/2) = C.7 + d + sqrt N")),
    ("p = oo ranges meet", lambda: all_of([
        identical(get("KMY25.ThmC.5.inf.low").interval.hi, get("KMY25.ThmC.5.inf.high").interval.lo, "at 1/2"),
        Verdict.from_exact(not get("KMY25.ThmC.5.inf.low").interval.hi_open and
                           get("KMY25.ThmC.5.inf.high").interval.lo_open, "(0, 1/2] and (1/2, 1)")],
        "the two p = oo pieces of C.5 partition (0, 1)")),
]


@claim("KMY25.ThmC.5.rows", "Theorem C.5's three display lines (reconstructed) are Proposition C.6 (or C.7) plus d plus "
       "Proposition C.8's VC term, and equal Theorem 3.1 at p = 2", {"rows": lambda: _C5},
       source=f"{SRC}, Theorem C.5, Propositions C.6-C.8")
def check_c5(fn):
    return fn()


def _same_piece(e_id, t_id):
    e, t = get(e_id), get(t_id)
    return all_of([identical(e.expr, t.expr, f"{e_id} expression = {t_id}'s"),
                   identical(e.additive, t.additive, "additive"),
                   identical(e.interval.lo, t.interval.lo, "lower end"), identical(e.interval.hi, t.interval.hi, "upper end"),
                   Verdict.from_exact((e.interval.lo_open, e.interval.hi_open, e.exact) ==
                                      (t.interval.lo_open, t.interval.hi_open, t.exact), "ends and exactness")],
                  f"{e_id} = {t_id}")


_E = [
    ("E.1 = Thm 3.1's VC term", lambda: identical(get("KMY25.ThmE.1").expr,
                                                  get("KMY25.Thm3.1").expr - get("KMY25.Prop3.2.params").expr,
                                                  "E.1 = Thm 3.1 - Prop 3.2's term")),
    ("E.2 (i) = 4.2 (i)", lambda: _same_piece("KMY25.ThmE.2.i", "KMY25.Thm4.2.i")),
    ("E.2 (ii) = 4.2 (ii)", lambda: _same_piece("KMY25.ThmE.2.ii", "KMY25.Thm4.2.ii")),
    ("E.2 (iii) range", lambda: all_of([identical(get("KMY25.ThmE.2.iii").interval.lo, get("KMY25.Thm4.2.iii").interval.lo,
                                                  "lower end"),
                                        identical(get("KMY25.ThmE.2.iii").interval.hi, get("KMY25.Thm4.2.iii").interval.hi,
                                                  "upper end")], "E.2 (iii) has Thm 4.2 (iii)'s range")),
    ("E.2 values at 1/(5 sqrt d)", lambda: all_of([
        identical(get("KMY25.ThmE.2.ii").expr.subs(rho, 1 / (5 * sp.sqrt(d))), N / sp.sqrt(5), "(ii): N / sqrt 5"),
        identical(get("KMY25.ThmE.2.iii").expr.subs(rho, 1 / (5 * sp.sqrt(d))), N / 25, "(iii): N / 25")],
        "E.2 at the (ii)|(iii) boundary (hand values: N d^(1/4) (5 sqrt d)^(-1/2) = N / sqrt 5, N d / (25 d) = N / 25)")),
]


@claim("KMY25.ThmE.rows", "Appendix E: Theorem E.1 is Theorem 3.1's VC term; Theorem E.2 (i), (ii) are Theorem 4.2 "
       "(i), (ii); E.2 (iii) has Theorem 4.2 (iii)'s range and the hand values at its boundary",
       {"rows": lambda: _E}, source=f"{SRC}, Theorems E.1 and E.2")
def check_e(fn):
    return fn()
