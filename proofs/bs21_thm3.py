"""Bubeck & Sellke 2021, Theorem 3: the bound L_BS, its monotonicity, reference values, the least n of its
condition, and the internal consistency of its constants (reference notes §7, items 11 and 12).

Constants are those of the NeurIPS 2021 submission text (2^9, 60, 4 and the condition's 8^4), as encoded in
``exactmem.bounds.law_catalog``.
"""
import sympy as sp
from flint import fmpq

from exactmem import Verdict, all_of
from exactmem.bounds.law_catalog import (K, bs_condition_expr, bs_thm3_tail_terms, c, d, delta, eps, J, L, law, n,
                                         p, W)
from exactmem.bounds.law_evaluate import bs_bound, bs_condition, bs_min_n
from exactmem.claims import claim
from exactmem.exact import fmt, to_rational

SRC = "Bubeck & Sellke 2021, Theorem 3"
_VARS = {"n": n, "d": d, "p": p, "c": c, "eps": eps, "delta": delta, "W": W, "J": J}
_LAM = sp.Symbol("Lambda", real=True)              # ln(60 W J / eps): any sign
_LAM_POS = sp.Symbol("Lambda", positive=True)      # ln(60 W J / eps) where 60 W J > eps
_LAM_NEG = sp.Symbol("Lambda", negative=True)      # where 60 W J < eps
_DEN = sp.Symbol("Den", positive=True)             # p ln(60WJ/eps) + ln(4/delta) > 0: where L_BS is defined


# -- item 11 (a): monotonicity --------------------------------------------------------------------------
def _monotone():
    # expected directions (reference notes §7 item 11): up in n, d, eps, delta; down in p, W, J, c
    for v, sgn in (("n", 1), ("d", 1), ("eps", 1), ("delta", 1), ("c", -1), ("W", -1), ("J", -1)):
        yield f"d/d{v} (wherever L_BS is defined)", (v, sgn, "any")
    yield "d/dp where 60WJ > eps", ("p", -1, "60WJ>eps")
    yield "d/dp where 60WJ < eps (the domain edge: L_BS grows with p there)", ("p", 1, "60WJ<eps")


def log_derivative(var: str, domain: str = "any"):
    """d ln(L_BS) / d var, with ln(60WJ/eps) = Lambda and ln(4/delta) = Den - p Lambda (Den > 0 where L_BS is
    defined); Lambda is real, or positive / negative on the stated sub-domain."""
    lam = {"any": _LAM, "60WJ>eps": _LAM_POS, "60WJ<eps": _LAM_NEG}[domain]
    Lbs = law("BS21.Thm3").expr
    g = sp.diff(Lbs, _VARS[var]) / Lbs
    g = g.xreplace({sp.log(60 * W * J / eps): lam}).xreplace({sp.log(4 / delta): _DEN - p * lam})
    return sp.factor(sp.simplify(g))


@claim("BS21.Thm3.monotone", "L_BS increases in n, d, eps, delta and decreases in c, W, J; in p it decreases "
       "exactly where 60WJ > eps (sign of d ln L_BS over the whole domain)", {"symbolic": _monotone}, source=SRC)
def check_monotone(inst):
    var, expected, domain = inst
    g = log_derivative(var, domain)
    sign = 1 if g.is_positive else -1 if g.is_negative else None
    what = f"d ln L_BS / d{var} = {g} ({'Lambda = ln(60WJ/eps), ' + domain if var == 'p' else 'Den > 0'})"
    if sign is None:
        return Verdict.undecided(f"sympy could not decide the sign of {what}")
    return Verdict.from_exact(sign == expected, f"{what}: {'positive' if sign > 0 else 'negative'}",
                              witness={"derivative": str(g), "expected sign": expected})


def _edge_instance():
    yield "W = J = 1/10, eps = 9/10, delta = 1/100, n = d = c = 1, p = 1 vs 2", None


@claim("BS21.Thm3.monotone.edge", "where 60WJ < eps, L_BS increases in p: an exact instance", {"exact": _edge_instance},
       source=SRC)
def check_edge(_):
    args = dict(n=1, d=1, c=1, eps=fmpq(9, 10), delta=fmpq(1, 100), W=fmpq(1, 10), J=fmpq(1, 10))
    one, two = bs_bound(p=1, **args).enclosure, bs_bound(p=2, **args).enclosure
    return Verdict.from_exact(two.lo > one.hi, f"60WJ/eps = 2/3 < 1: L_BS(p=1) <= {fmt(one.hi)} < {fmt(two.lo)} "
                              f"<= L_BS(p=2)", witness={"p=1": one.to_json(), "p=2": two.to_json()})


# -- item 11 (b): the reference's float values -------------------------------------------------------------
_BASE = dict(c=1, eps="0.5", W=10, J=10, delta="0.01")


def _values():
    # (the reference's displayed value, the instance); the values are the reference's own evaluations
    yield "§7 item 11: n=10^6, d=10^3, p=10^5 -> 0.03186", (dict(n=10 ** 6, d=10 ** 3, p=10 ** 5), "0.03186")
    yield "§7 item 11: n=6*10^4, d=784, p=2*10^5 -> 0.00489", (dict(n=6 * 10 ** 4, d=784, p=2 * 10 ** 5), "0.00489")
    yield "§0 point 3: n=10^6, d=10^3, k=100, p=k(d+2) -> 0.032", (dict(n=10 ** 6, d=10 ** 3, p=100 * 1002), "0.032")


_MAX_BITS = 1 << 18


def same_value(a, b) -> Verdict:
    """Whether the sympy numbers ``a`` and ``b`` are equal: PROVED when sympy writes them alike (directly or after
    ``expand``, which leaves ``log(400) + 10^5 log(12000)`` as it is), REFUTED when rigorous ball arithmetic
    (``arb``) separates them, else UNDECIDED.  Never ``sp.simplify``: it may combine ``10^5 log(12000)`` into
    ``log(12000^(10^5))`` and build (and print) a 400,000-digit integer, which ended this claim in Python's
    "Exceeds the limit (4300 digits)" error as soon as the two sides differed."""
    from exactmem.bounds.evaluate import arb_of, _with_prec
    a, b = sp.sympify(a), sp.sympify(b)
    if a == b or sp.expand(a - b) == 0:
        return Verdict.proved(f"both are {text(a)}")
    bits = 64
    while bits <= _MAX_BITS:                        # a difference of 2^-k relative needs about k bits
        diff = _with_prec(bits, lambda: arb_of(a) - arb_of(b))
        bits *= 4
        if diff > 0 or diff < 0:
            return Verdict.refuted(f"{text(a)} {'>' if diff > 0 else '<'} {text(b)} (ball arithmetic at "
                                   f"{bits // 4} bits: the difference lies in {diff.str(10, radius=True)})",
                                   [text(a), text(b)])
    return Verdict.undecided(f"{text(a)} and {text(b)} are written differently and agree to {_MAX_BITS} bits")


def text(e, limit: int = 400) -> str:
    """A sympy expression as text, whatever the size of its integers: one beyond Python's 4300-digit limit of
    ``str(int)`` is shown by its bit length (``<an integer of 16610 bits>``); long texts are cut."""
    e = sp.sympify(e)
    big = {a: sp.Symbol(f"<an integer of {int(a).bit_length()} bits>") for a in e.atoms(sp.Rational)
           if max(int(a.p).bit_length(), int(a.q).bit_length()) > 4000}
    s = str(e.xreplace(big) if big else e)
    return s if len(s) <= limit else s[:limit] + f"... ({len(s)} characters)"


@claim("BS21.Thm3.values", "the reference's float values of L_BS are the correct roundings of the exact value "
       "(rigorous enclosure inside the rounding interval)", {"reference values": _values}, source=SRC)
def check_values(inst):
    args, shown = inst
    args = {**_BASE, **args}
    ref = to_rational(shown)
    half_ulp = fmpq(1, 2 * 10 ** len(shown.split(".")[1]))
    lo, hi = ref - half_ulp, ref + half_ulp
    # the sympy value is the catalog's expression at these numbers
    subs = {_VARS[k]: _sym(to_rational(a)) for k, a in args.items()}
    for prec in (80, 320, 1280, 4096):              # L_BS is irrational: more bits end any straddle
        v = bs_bound(prec=prec, **args)
        same = same_value(law("BS21.Thm3").expr.subs(subs), v.value)
        if not same.is_proved:
            return Verdict(same.status, f"the evaluator's value against the catalog's expression: {same.reason}",
                           same.witness)
        e = v.enclosure
        # the enclosure must hold the exact value: an independent ball of the catalog's expression (arb, twice the
        # bits) lying wholly outside [e.lo, e.hi] refutes it
        from exactmem.bounds.evaluate import arb_of, _with_prec
        from flint import arb
        outside = _with_prec(2 * prec + 64, lambda: (lambda b, a, z: b < a or b > z)(
            arb_of(law("BS21.Thm3").expr.subs(subs)), arb(int(e.lo.p)) / int(e.lo.q), arb(int(e.hi.p)) / int(e.hi.q)))
        if outside:
            return Verdict.refuted(f"the evaluator's enclosure [{fmt(e.lo)}, {fmt(e.hi)}] of L_BS does not hold the exact "
                                   f"value (ball arithmetic at {2 * prec + 64} bits)", e.to_json())
        if lo <= e.lo and e.hi < hi:
            return Verdict.proved(f"L_BS = {text(v.value)} in [{float(e.lo):.10f}, {float(e.hi):.10f}] (display only; "
                                  f"decided exactly, {prec} bits), which rounds to {shown}", enclosure=e.to_json())
        if e.hi < lo or e.lo >= hi:
            return Verdict.refuted(f"L_BS in [{fmt(e.lo)}, {fmt(e.hi)}] does not round to {shown}", e.to_json())
    return Verdict.undecided(f"the enclosure of L_BS straddles a rounding boundary of {shown} at {prec} bits")


def _sym(q):
    """A rational as sympy's, from its integers (no decimal string in between, whatever its size)."""
    return sp.Rational(int(q.p), int(q.q))


# -- item 11 (c): least n of the condition -----------------------------------------------------------------
def _min_n():
    # (K, eps, delta) and the reference's least n
    yield "eps=1/2, K=1, delta=1/100", (1, "1/2", "1/100", 109521)
    yield "eps=1/10, K=1, delta=1/100", (1, "1/10", "1/100", 2738017)
    yield "eps=1, K=10, delta=1/100 (eps = 1: the arithmetic of the condition; Theorem 3 needs eps < 1)", \
        (10, "1", "1/100", 368116)


@claim("BS21.Thm3.min_n", "the least n with 8^4 K ln(8K/delta) <= n eps^2, decided with rigorous log enclosures, "
       "equals the reference's values", {"reference values": _min_n}, source=SRC)
def check_min_n(inst):
    Kv, e, dl, expected = inst
    n0 = bs_min_n(Kv, e, dl)
    at, below = bs_condition(n0, Kv, e, dl), bs_condition(n0 - 1, Kv, e, dl)
    # the condition itself, from the catalog, is the one the evaluator decides
    cond = bs_condition_expr().subs({K: Kv, eps: sp.Rational(e), delta: sp.Rational(dl)})
    same = sp.simplify(cond.lhs / cond.rhs.subs(n, 1) - 8 ** 4 * Kv * sp.log(8 * Kv / sp.Rational(dl))
                       / sp.Rational(e) ** 2) == 0
    if below.is_refuted:
        least = Verdict.proved(f"the condition fails at n = {n0 - 1}")
    elif below.is_proved:
        least = Verdict.refuted(f"the condition holds at n = {n0 - 1} too: {n0} is not the least", n0 - 1)
    else:
        least = below
    parts = [Verdict.from_exact(n0 == expected, f"least n = {n0} (reference: {expected})", witness=n0),
             at, least, Verdict.from_exact(bool(same), "the evaluator decides the catalog's condition")]
    return all_of(parts, f"K = {Kv}, eps = {e}, delta = {dl}: least n = {n0}")


# -- item 12: internal consistency --------------------------------------------------------------------------
def _consistency():
    yield "(2^9)^2 = 8^6 = 262144", "powers"
    yield "second tail term at L = L_BS equals delta/2", "second"
    yield "first tail term equals delta/2 at the least n and decreases in n", "first"


@claim("BS21.Thm3.consistency", "(2^9)^2 = 8^6, and at L = L_BS the tail of the proof is delta/2 + (<= delta/2 "
       "under the condition): the constants of Theorem 3 fit together exactly", {"symbolic": _consistency}, source=SRC,
       uses=('BS21.Thm2.composition',))
def check_consistency(part):
    first, second = bs_thm3_tail_terms()
    Lbs = law("BS21.Thm3").expr
    if part == "powers":
        # the tail's second exponent carries 1/8^6, the prefactor of L_BS 1/2^9: (2^9)^2 must be 8^6
        expo = sp.expand(sp.log(second / 2), force=True)
        tail_coeff = sp.simplify(-expo.coeff(L, -2) * c / (eps ** 2 * n * d))
        prefactor = sp.simplify(Lbs / eps * sp.sqrt(c) / sp.sqrt(n * d / (p * sp.log(60 * W * J / eps)
                                                                          + sp.log(4 / delta))))
        ok = (2 ** 9) ** 2 == 8 ** 6 == 262144 and tail_coeff == prefactor ** 2 == sp.Rational(1, 262144)
        return Verdict.from_exact(bool(ok), f"(2^9)^2 = {(2 ** 9) ** 2} = 8^6; tail exponent coefficient {tail_coeff}, "
                                  f"L_BS prefactor {prefactor}", witness=[str(tail_coeff), str(prefactor)])
    if part == "second":
        diff = sp.simplify(second.subs(L, Lbs) - delta / 2)
        return Verdict.from_exact(diff == 0, "2 exp(p ln(60WJ/eps) - eps^2 n d / (8^6 c L_BS^2)) - delta/2 "
                                  f"simplifies to {diff}", witness=str(diff))
    n_star = 8 ** 4 * K * sp.log(8 * K / delta) / eps ** 2        # where the condition is tight
    at = sp.simplify(first.subs(n, n_star) - delta / 2)
    slope = sp.diff(first, n)
    return Verdict.from_exact(at == 0 and slope.is_negative is True,
                              f"4K exp(-n eps^2/(8^4 K)) at n = 8^4 K ln(8K/delta)/eps^2 minus delta/2 = {at}; "
                              f"d/dn = {slope} < 0, so the condition is exactly 'first term <= delta/2'",
                              witness=str(at))
