"""Relations the paper states between its bounds (Secs. 1, 3, 4, 6; Thm B.14; App. E), each proved over the
whole stated region by exact monomial domination (exactmem.bounds.relations): lower <= upper, tightness
and gaps, improvement over prior work, continuity at the regime boundaries, monotonicity in rho, and the
case sums of Theorem B.14 behind Theorem 4.2 (iii) and Theorem E.2 (iii).

Each instance reads the registry when it runs, so a wrong record is caught here.  Constants and polylog
factors are those of the O / O-tilde statements: "A <= B" below means A <= C B on the whole region for an
explicit constant C (printed in the verdict), and a gap means a path inside the region along which the
ratio grows like a positive power (no constant and no polylog closes it).  The case conditions of
Theorem B.14 that involve log N (d >= 600 log N, ...) are polylog-size restrictions and are dropped, which
only enlarges the regions on which the relations are proved.
"""
import sympy as sp

from exactmem import Verdict
from exactmem.bounds import get, select
from exactmem.bounds.catalog import LARGE, MODERATE, SMALL, VC_BEYOND, VC_RANGE
from exactmem.bounds.evaluate import compare, evaluate
from exactmem.bounds.registry import GAMMA, BoundError, Interval, N, d, gamma_p, rho
from exactmem.bounds.relations import Region, dominated, equivalent, gap, identical, rho_direction
from exactmem.claims import claim
from exactmem.verdict import all_of

R = sp.Rational
SRC = "Kim, Moon & Yun 2025"


def _lb():
    return get("KMY25.Thm3.1").expr


def _ub(bid):
    return get(bid).with_additive()


def _iv(bid):
    return get(bid).interval


def _fam(items):
    return lambda: [(name, fn) for name, fn in items]


def _run(fn):
    return fn()


# ---- lower <= upper ---------------------------------------------------------------------------------------

_LB_UB = [
    (f"regime ({r})", (lambda r=r: dominated(_lb(), _ub(f"KMY25.Thm4.2.{r}"), Region(_iv(f"KMY25.Thm4.2.{r}"), N_min=2),
                                             f"Thm 3.1 <= Thm 4.2 ({r})")))
    for r in ("i", "ii", "iii")] + [
    ("Case V (d > N)", lambda: dominated(_lb(), get("KMY25.ThmB.14.V").expr + d,
                                         Region(_iv("KMY25.ThmB.14.V"), (d > N,), N_min=2),
                                         "Thm 3.1 <= Thm B.14 Case V + d"))]


# ---- calibration of the engine: relations whose answer is known by hand ---------------------------------------
# Every relation above rests on the engine's relaxations (N - 1 in [N/2, N], floor(X) in [X/2, X], gamma_p in
# [1, sqrt d], the outer and inner replacements of those atoms) and on the growth paths of the checks (a)-(f).  A
# constant the engine proves may be loose, but never below the true supremum of T / U, derived here by hand: an
# engine that drops a lower end of an atom or swaps its relaxations proves a constant that is too small.

def _at_least(T, U, region, sup, what):
    """PROVED iff the engine proves T <= C U with a constant C >= sup, the supremum of T / U (derived by hand)."""
    v = dominated(T, U, region, what)
    if not v.is_proved:
        return Verdict.refuted(f"{what}: the engine did not prove it ({v.status.value}: {v.reason})", {"sup": str(sup)})
    C = sp.sympify(v.details["constant"])
    return Verdict.from_exact(compare(C, sup) >= 0, f"{what}: the engine's constant {C} >= the supremum {sup} (by hand)",
                              {"constant": str(C), "sup": str(sup)})


def _paths():
    from exactmem.bounds.analysis import Path, path_in_interval
    # LARGE = (1/(5 sqrt d), 1), open at both ends: with d = N, rho = 1 and rho = 1/(5 sqrt d) are on its ends,
    # rho = 1/(4 sqrt d) is strictly inside
    got = [path_in_interval(Path(1, 0, 1), LARGE), path_in_interval(Path(1, R(1, 2), R(1, 5)), LARGE),
           path_in_interval(Path(1, R(1, 2), R(1, 4)), LARGE)]
    return Verdict.from_exact(got == [False, False, True], f"paths rho = 1, 1/(5 sqrt d), 1/(4 sqrt d) inside "
                              f"(1/(5 sqrt d), 1): {got} (by hand: False, False, True)", {"got": got})


_CALIBRATION = [
    # N / (N - 1) <= 2 for N >= 2, with equality at N = 2
    ("N <= C (N - 1), sup 2", lambda: _at_least(N, N - 1, Region(N_min=2), 2, "N <= C (N - 1) on N >= 2")),
    # N / floor(N/2) for N >= 2: 2 at even N, 2N/(N - 1) <= 3 at odd N, so the supremum is 3, at N = 3
    ("N <= C floor(N/2), sup 3", lambda: _at_least(N, sp.floor(N / 2), Region(N_min=2), 3, "N <= C floor(N/2) on N >= 2")),
    # gamma_p = d^|1/p - 1/2| <= sqrt d, with equality at p = 1 and p = oo
    ("gamma_p <= C sqrt(d), sup 1", lambda: _at_least(GAMMA, sp.sqrt(d), Region(), 1, "gamma_p <= C sqrt(d)")),
    ("sqrt(d) <= C gamma_p is false (p = 2)", lambda: gap(sp.sqrt(d), GAMMA, Region(), "sqrt(d) <= C gamma_p")),
    ("growth paths on the open ends of a range", _paths),
]


@claim("KMY25.Thm3.1-vs-Thm4.2.region", "Theorem 3.1's lower bound is at most C times Theorem 4.2's upper bound (with "
       "its + d) on the whole of each regime, and at most C times the Case V bound of Theorem B.14 where d > N",
       {"regions": _fam(_LB_UB), "engine calibration": _fam(_CALIBRATION)}, source=f"{SRC}, Theorems 3.1, 4.2, B.14")
def check_lb_ub(fn):
    return _run(fn)


_E_LB_UB = [
    (f"regime ({r})", (lambda r=r: dominated(get("KMY25.ThmE.1").expr, _ub(f"KMY25.ThmE.2.{r}"),
                                             Region(_iv(f"KMY25.ThmE.2.{r}"), N_min=2), f"Thm E.1 <= Thm E.2 ({r})")))
    for r in ("i", "ii", "iii")]


@claim("KMY25.ThmE.1-vs-ThmE.2.region", "nonzero-parameter counts: Theorem E.1's lower bound is at most C times "
       "Theorem E.2's upper bound on the whole of each regime", {"regions": _fam(_E_LB_UB)},
       source=f"{SRC}, Theorems E.1, E.2")
def check_e_lb_ub(fn):
    return _run(fn)


def _c5_vs_c11(lb_id, ub_id, p=None, extra=()):
    return lambda: dominated(get(lb_id).expr, _ub(ub_id), Region(_iv(ub_id), extra, N_min=2, p=p),
                             f"{lb_id} <= {ub_id}" + (f" at p = {p}" if p is not None else " (every p)"))


_LP = [(f"{lb} vs {ub}", _c5_vs_c11(lb, ub)) for lb in ("KMY25.ThmC.5.p<2", "KMY25.ThmC.5.2<=p<oo")
       for ub in ("KMY25.ThmC.12", "KMY25.ThmC.13", "KMY25.ThmC.14")] + [
    (f"C.5 (p = oo, rho <= 1/2) vs {ub}", _c5_vs_c11("KMY25.ThmC.5.inf.low", ub, sp.oo, (rho <= R(1, 2),)))
    for ub in ("KMY25.ThmC.12", "KMY25.ThmC.13", "KMY25.ThmC.14")] + [
    ("C.5 (p = oo, rho > 1/2) vs C.14", _c5_vs_c11("KMY25.ThmC.5.inf.high", "KMY25.ThmC.14", sp.oo, (rho > R(1, 2),)))]


@claim("KMY25.ThmC.5-vs-ThmC.11.region", "l_p: Theorem C.5's lower bounds are at most C times Theorem C.11's upper "
       "bounds (C.12-C.14) on each regime, for every p at once (gamma_p ranging over [1, sqrt d]) and at p = oo",
       {"regions": _fam(_LP)}, source=f"{SRC}, Theorems C.5, C.11-C.14")
def check_lp(fn):
    return _run(fn)


# ---- tightness and gaps -----------------------------------------------------------------------------------

_TIGHT = [
    ("regime (i) tight", lambda: equivalent(_ub("KMY25.Thm4.2.i"), _lb(), Region(SMALL, N_min=2),
                                            "Thm 4.2 (i) ~ Thm 3.1")),
    ("regime (ii) gap", lambda: gap(_ub("KMY25.Thm4.2.ii"), _lb(), Region(MODERATE, N_min=2),
                                    "Thm 4.2 (ii) / Thm 3.1 unbounded")),
    ("regime (iii) gap", lambda: gap(_ub("KMY25.Thm4.2.iii"), _lb(), Region(LARGE, N_min=2),
                                     "Thm 4.2 (iii) / Thm 3.1 unbounded")),
]


@claim("KMY25.Sec6.tightness.region", "the bounds are tight up to constants and polylogs on the whole of regime (i) "
       "(Theta~(sqrt N + d)), and in regimes (ii) and (iii) a polynomial gap remains", {"regions": _fam(_TIGHT)},
       source=f"{SRC}, Section 6 and Theorem 4.2")
def check_tight(fn):
    return _run(fn)


_DGEN = [
    ("(i), d >= N", lambda: equivalent(_ub("KMY25.Thm4.2.i"), _lb(), Region(SMALL, (d >= N,), N_min=2),
                                       "Thm 4.2 (i) ~ Thm 3.1 where d >= N")),
    ("(ii), d >= N", lambda: equivalent(_ub("KMY25.Thm4.2.ii"), _lb(), Region(MODERATE, (d >= N,), N_min=2),
                                        "Thm 4.2 (ii) ~ Thm 3.1 where d >= N")),
    ("(iii), d >= N: gap", lambda: gap(_ub("KMY25.Thm4.2.iii"), _lb(), Region(LARGE, (d >= N,), N_min=2),
                                       "Thm 4.2 (iii) / Thm 3.1 unbounded where d >= N")),
    ("Case V, d > N: gap", lambda: gap(get("KMY25.ThmB.14.V").expr + d, _lb(),
                                       Region(_iv("KMY25.ThmB.14.V"), (d > N,), N_min=2),
                                       "Case V bound / Thm 3.1 unbounded where d > N")),
]


@claim("KMY25.OpenReview.d>=N.region", "finding on the OpenReview sentence 'tight for d >= N on all of (0,1)': with "
       "the paper's bounds it holds on the whole of regimes (i) and (ii) where d >= N, and fails in regime (iii), "
       "even with the sharper Case V bound of Theorem B.14", {"regions": _fam(_DGEN)},
       source=f"{SRC}, OpenReview abstract; Theorems 3.1, 4.2, B.14")
def check_dgen(fn):
    return _run(fn)


# ---- improvement over prior work ------------------------------------------------------------------------

def _within(bid, *extra):
    return Region(_iv(bid), tuple(extra), N_min=2)


def _prior_ub(bid):
    return get(bid).expr + d   # the prior upper bounds are quoted without the input layer's + d


_IMPROVE = [
    ("(i) <= Egosi", lambda: dominated(_ub("KMY25.Thm4.2.i"), _prior_ub("Prior.Eq2.a"), _within("KMY25.Thm4.2.i"))),
    ("(i) strictly", lambda: gap(_prior_ub("Prior.Eq2.a"), _ub("KMY25.Thm4.2.i"), _within("KMY25.Thm4.2.i"))),
    ("(ii) <= Egosi", lambda: dominated(_ub("KMY25.Thm4.2.ii"), _prior_ub("Prior.Eq2.a"), _within("KMY25.Thm4.2.ii"))),
    ("(ii) strictly", lambda: gap(_prior_ub("Prior.Eq2.a"), _ub("KMY25.Thm4.2.ii"), _within("KMY25.Thm4.2.ii"))),
    ("(iii) ~ Egosi below 1/sqrt d", lambda: equivalent(_ub("KMY25.Thm4.2.iii"), _prior_ub("Prior.Eq2.a"),
                                                        _within("KMY25.Thm4.2.iii", rho <= 1 / sp.sqrt(d)))),
    ("(iii) <= Egosi implicit", lambda: dominated(_ub("KMY25.Thm4.2.iii"), _prior_ub("Prior.Eq2.b"),
                                                  _within("Prior.Eq2.b"))),
    ("(iii) strictly below Egosi implicit", lambda: gap(_prior_ub("Prior.Eq2.b"), _ub("KMY25.Thm4.2.iii"),
                                                        _within("Prior.Eq2.b"))),
    ("(iii) <= Yu", lambda: dominated(_ub("KMY25.Thm4.2.iii"), _prior_ub("Prior.Eq2.c"), _within("Prior.Eq2.c"))),
    ("(iii) strictly below Yu", lambda: gap(_prior_ub("Prior.Eq2.c"), _ub("KMY25.Thm4.2.iii"), _within("Prior.Eq2.c"))),
    ("LB >= Eq. 1 (a)", lambda: dominated(_ub("Prior.Eq1.a"), _lb(), Region(VC_RANGE, N_min=2))),
    ("LB strictly above Eq. 1 (a)", lambda: gap(_lb(), _ub("Prior.Eq1.a"), Region(VC_RANGE, N_min=2))),
    ("LB >= Eq. 1 (b)", lambda: dominated(_ub("Prior.Eq1.b"), _lb(), Region(VC_BEYOND, N_min=2))),
    ("LB strictly above Eq. 1 (b)", lambda: gap(_lb(), _ub("Prior.Eq1.b"), Region(VC_BEYOND, N_min=2))),
    ("LB >= Li et al.", lambda: dominated(get("Prior.Li2022.LB").expr, _lb(), Region(VC_BEYOND, N_min=2))),
    ("E.2 (iii) <= Li et al. (nonzero)", lambda: dominated(_ub("KMY25.ThmE.2.iii"), _prior_ub("Prior.Li2022.UB"),
                                                           _within("KMY25.ThmE.2.iii", rho < R(1, 2)))),
]


@claim("KMY25.Sec1.improvement.region", "improvement over prior work on the whole of each overlap: the new upper bounds "
       "are at most C times the prior ones (Eq. 2 and Li et al.'s nonzero count, each + d), strictly (polynomially) "
       "smaller except on (1/(5 sqrt d), 1/sqrt d] where they match Egosi et al.'s; the new lower bound is at least "
       "c times Eq. 1 and Li et al.'s, strictly larger", {"regions": _fam(_IMPROVE)},
       source=f"{SRC}, Section 1.1 (Eqs. 1, 2), Theorems 3.1, 4.2, E.2")
def check_improve(fn):
    return _run(fn)


# ---- continuity at the regime boundaries ------------------------------------------------------------------

def _at(bid, value, additive=True):
    b = get(bid)
    return (b.with_additive() if additive else b.expr).subs(rho, value)


def _cont(left, right, b):
    return lambda: equivalent(_at(left, b(left)), _at(right, b(left)), Region(),
                              f"{left} ~ {right} at rho = {sp.sstr(b(left))}")


def _hi(bid):
    return get(bid).interval.hi


_CONT = [
    ("Thm 4.2 (i)|(ii)", _cont("KMY25.Thm4.2.i", "KMY25.Thm4.2.ii", _hi)),
    ("Thm 4.2 (ii)|(iii)", _cont("KMY25.Thm4.2.ii", "KMY25.Thm4.2.iii", _hi)),
    ("Thm E.2 (i)|(ii)", _cont("KMY25.ThmE.2.i", "KMY25.ThmE.2.ii", _hi)),
    ("Thm E.2 (ii)|(iii)", _cont("KMY25.ThmE.2.ii", "KMY25.ThmE.2.iii", _hi)),
    ("Thm C.12|C.13", _cont("KMY25.ThmC.12", "KMY25.ThmC.13", _hi)),
    ("Thm C.13|C.14", _cont("KMY25.ThmC.13", "KMY25.ThmC.14", _hi)),
    ("Thm 4.2 (ii) at its ends", lambda: all_of([
        equivalent(_at("KMY25.Thm4.2.ii", _iv("KMY25.Thm4.2.ii").lo, False), sp.sqrt(N), Region()),
        equivalent(_at("KMY25.Thm4.2.ii", _iv("KMY25.Thm4.2.ii").hi, False), N, Region())],
        "Thm 4.2 (ii) is ~ sqrt N at 1/(5 N sqrt d) and ~ N at 1/(5 sqrt d)")),
    ("Eq. 2 continuous", lambda: all_of([
        identical(_at("Prior.Eq2.a", _hi("Prior.Eq2.a"), False), _at("Prior.Eq2.b", _hi("Prior.Eq2.a"), False),
                  "Eq. 2 (a) = (b) at 1/sqrt d"),
        identical(_at("Prior.Eq2.b", _hi("Prior.Eq2.b"), False), _at("Prior.Eq2.c", _hi("Prior.Eq2.b"), False),
                  "Eq. 2 (b) = (c) at d^(-1/6)")], "Eq. 2 is continuous (equal values) at both boundaries")),
    ("Prop 3.3 continuous", lambda: identical(_at("KMY25.Prop3.3", _hi("KMY25.Prop3.3"), False),
                                              get("KMY25.Prop3.3.ext").expr, "Prop 3.3 = its extension at sqrt(1-1/d)")),
    ("Eq. 1 jumps", lambda: gap(_ub("Prior.Eq1.b"), _ub("Prior.Eq1.a"), Region(),
                                "Eq. 1 jumps from sqrt N + d to sqrt(N d) + d at sqrt(1 - 1/d)")),
    ("C.5 at p = oo, rho = 1/2", lambda: equivalent(_at("KMY25.ThmC.5.inf.low", R(1, 2)),
                                                    _at("KMY25.ThmC.5.inf.high", R(1, 2)), Region(N_min=2),
                                                    "Thm C.5 (p = oo) jumps by a constant factor at rho = 1/2")),
]


@claim("KMY25.Thm4.2.boundaries.region", "at every regime boundary the two pieces agree up to constant factors for "
       "all N, d (Theorems 4.2, E.2, C.11; Eq. 2 exactly; Prop 3.3 exactly), while Eq. 1 jumps by a polynomial "
       "factor (sqrt N + d to sqrt(N d) + d)", {"boundaries": _fam(_CONT)}, source=f"{SRC}, Sections 1.1 and 4")
def check_cont(fn):
    return _run(fn)


# ---- monotonicity in rho ------------------------------------------------------------------------------------

def _grid(b, Nv, dv, pv):
    """rho = k/40 (k = 1..39), and 40 points spread over the bound's own range at (N, d, p) (rationals of
    denominator 10^6 near lo + (hi - lo) k/41), so that a narrow range (the moderate regime at N = 300, d = 784 is
    (1/140, 1/62.6]) is searched too; points outside the range are skipped by ``evaluate``."""
    subs = {N: Nv, d: dv, GAMMA: gamma_p(2 if pv is None else sp.oo if pv == "inf" else int(pv)).subs(d, dv)}
    try:
        lo, hi = (float(sp.sympify(b.interval.lo).subs(subs)), float(sp.sympify(b.interval.hi).subs(subs)))
    except (TypeError, ValueError):       # an end point that is not a number here: the k/40 grid only
        lo, hi = 0.0, 0.0
    inside = [R(round((lo + (hi - lo) * k / 41) * 10 ** 6), 10 ** 6) for k in range(1, 41)] if hi > lo else []
    return sorted(set([R(k, 40) for k in range(1, 40)] + [r for r in inside if 0 < r < 1]))


def _wrong_way_pair(b, want):
    """An exact witness that the bound moves against ``want`` (+1: a decrease; -1: an increase) between two
    neighbouring rho of a grid, for a REFUTED verdict; None if the grid shows none."""
    for Nv, dv in ((2, 1), (7, 5), (300, 784)):
        ps = [None] if b.norm != "lp" else ["1", "3", "inf"]
        for pv in ps:
            vals = []
            for r in _grid(b, Nv, dv, pv):
                try:
                    vals.append((r, evaluate(b.id, Nv, dv, str(r), pv)))
                except BoundError:
                    continue
            for (r1, v1), (r2, v2) in zip(vals, vals[1:]):
                if compare(v2, v1) * want < 0:
                    return {"N": Nv, "d": dv, "p": pv, "rho": [str(r1), str(r2)], "values": [str(v1), str(v2)]}
    return None


def _monotone(b):
    want = -1 if b.quantity == "bits" else 1
    pos, dr = rho_direction(b.expr)
    if pos and dr in (0, want):
        return Verdict.proved(f"{b.id}: {b.expr} is {'non-increasing' if want < 0 else 'non-decreasing'} in rho "
                              f"(structurally: products, sums, powers and Min of monotone positive parts)")
    w = _wrong_way_pair(b, want)
    if w is not None:
        return Verdict.refuted(f"{b.id} {'de' if want > 0 else 'in'}creases in rho: {w}", w)
    return Verdict.undecided(f"{b.id}: monotonicity in rho not decided structurally")


def _mono_cases():
    out = []
    for b in sorted(select(), key=lambda b: b.id):
        if rho in b.expr.free_symbols and b.interval.hi != 0:
            out.append((b.id, (lambda b=b: _monotone(get(b.id)))))
    return out


@claim("KMY25.Thm4.2.monotone.region", "every registered bound is monotone in rho on the whole of its range: "
       "parameter, width and depth bounds non-decreasing, the bit bounds of regime (ii) non-increasing",
       {"registry": _mono_cases}, source=f"{SRC}, Theorems 3.1, 4.2, B.1, C.5, C.11, E.1, E.2; Remark B.2")
def check_monotone(fn):
    return _run(fn)


# ---- Theorem B.1 / Remark B.2 tightness -------------------------------------------------------------------

def _width_lb():
    return get("KMY25.Prop3.2").expr + 1   # width >= max(rho^2 min(N-1, d), 1), and max ~ sum


_B1 = [
    ("bits (i)", lambda: equivalent(get("KMY25.ThmB.1.i.bits").expr, get("KMY25.RemB.2.i").expr, Region(SMALL),
                                    "B.1 (i) bits ~ Remark B.2 (i)")),
    ("bits (ii)", lambda: equivalent(get("KMY25.ThmB.1.ii.bits").expr, get("KMY25.RemB.2.ii").expr, Region(MODERATE),
                                     "B.1 (ii) bits ~ Remark B.2 (ii)")),
    ("width (i)", lambda: equivalent(get("KMY25.ThmB.1.i.width").expr, _width_lb(), Region(SMALL, N_min=2),
                                     "B.1 (i) width ~ Prop 3.2 width")),
    ("width (ii)", lambda: equivalent(get("KMY25.ThmB.1.ii.width").expr, _width_lb(), Region(MODERATE, N_min=2),
                                      "B.1 (ii) width ~ Prop 3.2 width")),
    ("width (iii), N > d", lambda: equivalent(get("KMY25.ThmB.1.iii.width").expr, _width_lb(),
                                              Region(LARGE, (N - 1 >= d,), N_min=2),
                                              "B.1 (iii) width ~ Prop 3.2 width where N > d")),
    ("width (iii), N <= d: gap", lambda: gap(get("KMY25.ThmB.1.iii.width").expr, _width_lb(),
                                             Region(LARGE, (N <= d,), N_min=2),
                                             "B.1 (iii) width / Prop 3.2 width unbounded where N <= d")),
]


@claim("KMY25.ThmB.1.tightness.region", "Remark B.2 and the width remark: the bit complexity of Theorem B.1 matches "
       "Remark B.2's lower bound in regimes (i), (ii), and its width matches Prop 3.2's lower bound in every regime "
       "when N > d (not when N <= d in regime (iii))", {"regions": _fam(_B1)},
       source=f"{SRC}, Theorem B.1, Remark B.2, Proposition 3.2")
def check_b1(fn):
    return _run(fn)


# ---- Theorem B.14's case sums ------------------------------------------------------------------------------

CASE_I = Interval(R(1, 3), sp.S.One, False, True)
CASE_MID = Interval(1 / (5 * sp.sqrt(d)), R(1, 3), True, True)
M_IV = 9 * d * rho ** 2 + 1     # m = max(ceil(9 d rho^2), ceil(600 log N), ceil(10 log d)): polylogs dropped, max ~ sum
M_V = 9 * N * rho ** 2 + 1      # m = max(ceil(9 N rho^2), ceil(600 log N))


def _total(m):
    return (d + 1) * m + N * m ** 2          # first layer (d + 1) m, then Yu et al. in R^m: O(N m^2) (Lemma D.2)


def _nonzero(m):
    return (d + 1) * m + N * m               # Lemma E.3 in R^m: O(N m) nonzero parameters


_CASES_P = [
    ("Case I", lambda: equivalent(N * d ** 2 + d, _ub("KMY25.Thm4.2.iii"), Region(CASE_I),
                                  "Case I (Yu et al. directly, N d^2) ~ Thm 4.2 (iii)")),
    ("Case II", lambda: dominated(N, _ub("KMY25.Thm4.2.iii"), Region(CASE_MID),
                                  "Case II (N d^2 = O~(N) as d < 600 log N) <= Thm 4.2 (iii)")),
    ("Case III", lambda: dominated(d, _ub("KMY25.Thm4.2.iii"), Region(CASE_MID),
                                   "Case III (N^3 + d N = O~(d) as N < 600 log N) <= Thm 4.2 (iii)")),
    ("Case IV", lambda: equivalent(_total(M_IV), _ub("KMY25.Thm4.2.iii"), Region(CASE_MID, (N >= d,)),
                                   "Case IV ((d+1) m + N m^2, m = 9 d rho^2) ~ Thm 4.2 (iii) where N >= d")),
    ("Case V", lambda: dominated(_total(M_V), _ub("KMY25.Thm4.2.iii"), Region(CASE_MID, (d > N,)),
                                 "Case V ((d+1) m + N m^2, m = 9 N rho^2) <= Thm 4.2 (iii) where d > N")),
    ("Case V record", lambda: equivalent(_total(M_V), get("KMY25.ThmB.14.V").expr + d, Region(CASE_MID, (d > N,)),
                                         "Case V sum ~ the registered Case V bound (+ d)")),
]


@claim("KMY25.Thm4.2.iii.cases", "Theorem 4.2 (iii) from Theorem B.14's cases: each case's parameter count (first "
       "layer plus Yu et al. in R^m, m = 9 d rho^2 or 9 N rho^2) is at most C N d^2 rho^4 + d on its region, and "
       "equal to it up to constants in Cases I and IV", {"cases": _fam(_CASES_P)},
       source=f"{SRC}, Theorem B.14 (Cases I-V), Lemma D.2")
def check_cases_p(fn):
    return _run(fn)


_CASES_E = [
    ("Case I", lambda: equivalent(N * d + d, _ub("KMY25.ThmE.2.iii"), Region(CASE_I),
                                  "Case I (Lemma E.3, N d nonzero) ~ Thm E.2 (iii)")),
    ("Case II", lambda: dominated(N, _ub("KMY25.ThmE.2.iii"), Region(CASE_MID),
                                  "Case II (N d = O~(N) as d < 600 log N) <= Thm E.2 (iii), using N <= 25 N d rho^2")),
    ("Case IV", lambda: equivalent(_nonzero(M_IV), _ub("KMY25.ThmE.2.iii"), Region(CASE_MID, (N >= d,)),
                                   "Case IV ((d+1) m + N m, m = 9 d rho^2) ~ Thm E.2 (iii) where N >= d")),
    ("Case V", lambda: equivalent(_nonzero(M_V), _ub("KMY25.ThmE.2.iii"), Region(CASE_MID, (d > N,)),
                                  "Case V ((d+1) m + N m, m = 9 N rho^2) ~ Thm E.2 (iii) where d > N")),
    ("nonzero <= total", lambda: dominated(_ub("KMY25.ThmE.2.iii"), _ub("KMY25.Thm4.2.iii"), Region(LARGE),
                                           "Thm E.2 (iii) <= Thm 4.2 (iii)")),
]


@claim("KMY25.ThmE.2.iii.cases", "Theorem E.2 (iii) from the nonzero counts of Theorem B.14's cases (Lemma E.3 in "
       "R^m): equal to N d rho^2 + d up to constants in Cases I, IV and V, at least Case II's count, and at most "
       "Theorem 4.2 (iii)", {"cases": _fam(_CASES_E)}, source=f"{SRC}, Theorem E.2, Theorem B.14, Lemma E.3")
def check_cases_e(fn):
    return _run(fn)


# ---- Theorem 3.1 = Prop 3.2 + Prop 3.3 --------------------------------------------------------------------

_COMP = [
    ("rho <= sqrt(1-1/d)", lambda: equivalent(_lb(), get("KMY25.Prop3.2.params").expr + get("KMY25.Prop3.3").expr,
                                              Region(VC_RANGE, N_min=2), "Thm 3.1 ~ Prop 3.2 + Prop 3.3")),
    ("rho > sqrt(1-1/d)", lambda: equivalent(_lb(), get("KMY25.Prop3.2.params").expr + get("KMY25.Prop3.3.ext").expr,
                                             Region(VC_BEYOND, N_min=2), "Thm 3.1 ~ Prop 3.2 + Prop 3.3 (extension)")),
    ("Prop 3.2: (d+1) width", lambda: equivalent(get("KMY25.Prop3.2.params").expr, (d + 1) * _width_lb(),
                                                 Region(N_min=2), "Prop 3.2 params ~ (d + 1) max(width bound, 1)")),
    ("Prop 3.3: sqrt(VC)", lambda: equivalent(get("KMY25.Prop3.3").expr,
                                              sp.sqrt(sp.floor(1 / (1 - rho ** 2)) * sp.floor(N / 2)),
                                              Region(VC_RANGE, N_min=2),
                                              "Prop 3.3 ~ sqrt(k floor(N/2)), k = floor(1/(1 - rho^2))")),
    ("Prop 3.3 ext: sqrt(VC)", lambda: equivalent(get("KMY25.Prop3.3.ext").expr, sp.sqrt(d * sp.floor(N / 2)),
                                                  Region(VC_BEYOND, N_min=2), "Prop 3.3 ext ~ sqrt(d floor(N/2))")),
]


@claim("KMY25.Thm3.1.composition", "Theorem 3.1 is Proposition 3.2's (d+1) x width term plus Proposition 3.3's "
       "VC term sqrt(VC) with VC >= floor(1/(1-rho^2)) floor(N/2) (and its extension sqrt(N d)), up to constants on "
       "the whole of each side of rho = sqrt(1 - 1/d)", {"regions": _fam(_COMP)},
       source=f"{SRC}, Theorem 3.1, Propositions 3.2 and 3.3")
def check_comp(fn):
    return _run(fn)
