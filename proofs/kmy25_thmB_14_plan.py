"""KMY25 Theorem B.14, Cases IV and V: the plan's inequalities certified over the whole case region.

Both cases need N >= 600 ln N (N > 5000), so their networks (about 5000 centres in R^m with m > 5000) cannot be
built here; the small instances of tests/test_constructions.py force the case on tiny data.  What is certified
instead, symbolically for every (N, d, rho) of the region (L = ln N, rho in (1/(5 sqrt d), 1/3)):

* Case IV (N >= d >= 600 L), m = max(ceil(9 d rho^2), ceil(600 L), ceil(10 ln d)):  m <= d (9 rho^2 < 1; d >= 600 L;
  10 ln d <= d by Lemma B.22 since d >= 600 ln 2 > 415 > e^4);  Prop. B.19's m >= 24 alpha^-2 ln N with
  alpha = 1/5 (24 * 25 = 600);  (1 - alpha) (1/2) sqrt(m/d) >= (6/5) rho from m >= 9 d rho^2 (squared);  then
  mu = rho eps_D <= (5/6) eps'', Yu's square depth has 4^k < 18 m (r <= 5/6), and the network's parameters
  (docs/sizes.md's Yu bound with d_in = d) are at most K N d^2 rho^4 with K = 625 (k + 4)(3050 L + C + 21)^2.
* Case V (d > N >= 600 L), m = max(ceil(9 N rho^2), ceil(600 L)) in R^N after Prop. B.21: m <= N, the same chain
  with N for d, and parameters at most K (N d^2 rho^4 + d) with the same K (using N < d and 25 d rho^2 > 1); here
  the + d cannot be dropped: the first layer alone has (d + 1) m >= 600 d ln N parameters while N d^2 rho^4 stays
  near N/625 at the bottom of the regime.

Each inequality is brought to the positive orthant by substitution (rho^2 = (1 + u)/(25 d), N = d + v,
d = 600 L + w, L = ln2_lo + l, C = 2 + c, k = 1 + q, slacks s for the ceilings) and proved by the
non-negative-coefficient certificate of proofs/_symbolic.py; a wrong constant (e.g. 8 d rho^2 for 9 d rho^2)
leaves a negative coefficient and a sample point where the inequality fails.
"""
import sympy as sp
from flint import fmpq

from exactmem import Verdict
from exactmem.claims import claim
from exactmem.exact import exp_enclosure, log_enclosure

from ._symbolic import certify_nonneg

R = sp.Rational
u, v, w, l, c, q, s, t = sp.symbols("u v w l c q s t", positive=True)
LN2_LO = log_enclosure(2, 64).lo


def _sym(x: fmpq):
    return R(int(x.p), int(x.q))


def region(case):
    """The case's variables as expressions in the positive slacks."""
    L = _sym(LN2_LO) + l                     # L = ln N >= ln 2
    if case == "IV":
        d = 600 * L + w                      # d >= 600 L
        N = d + v                            # N >= d
        dim = d                              # the projection acts on R^d
    else:
        N = 600 * L + w                      # N >= 600 L
        d = N + v                            # d > N
        dim = N                              # Prop. B.21 first: the projection acts on R^N
    rho_sq = (1 + u) / (25 * d)              # 25 d rho^2 > 1
    return {"L": L, "d": d, "N": N, "dim": dim, "rho_sq": rho_sq, "C": 2 + c, "k": 1 + q}


def m_upper(case, g):
    """m <= 9 dim rho^2 + 600 L + 10 ln(dim) + 3 <= 9 dim rho^2 + 610 L + 3 (ln dim <= ln N = L in Case IV:
    d <= N; Case V has no 10 ln term), each ceiling adding less than 1."""
    extra = 610 * g["L"] + 3 if case == "IV" else 600 * g["L"] + 2
    return 9 * g["dim"] * g["rho_sq"] + extra


def yu_params(d_in, m, C, k, N):
    """docs/sizes.md's bound on the Yu-style network (increasing in m)."""
    return (d_in + 1) * (m + C) + N * (k + 3) * (5 * m + C + 1) * (5 * m + C) + (m + C + 2) * C + C + 1


def _inequalities():
    for case in ("IV", "V"):
        g = region(case)
        dim, rho_sq = g["dim"], g["rho_sq"]
        # rho < 1/3: rho^2 = 1/9 - t/9 ... stated on its own (the substitution above only encodes rho > 1/(5 sqrt d))
        yield f"{case}: 9 {('d' if case == 'IV' else 'N')} rho^2 <= {('d' if case == 'IV' else 'N')} for rho <= 1/3", \
            (case, "9rho", dim - 9 * dim * (R(1, 9) - t), [t, w, l, v])
        yield f"{case}: sqrt(m/dim) >= 3 rho and (4/5)(1/2) sqrt(m/dim) >= (6/5) rho, for m = 9 dim rho^2 + s", \
            (case, "chain", R(4, 25) * (9 * dim * rho_sq + s) / dim - R(36, 25) * rho_sq, [s, u, w, l, v])
        yield f"{case}: mu = rho eps <= (5/6) eps'' when eps'' >= (6/5) rho eps", \
            (case, "ratio", R(5, 6) * R(6, 5) - 1, [])
        K = 625 * (g["k"] + 4) * (3050 * g["L"] + g["C"] + 21) ** 2
        P = yu_params(g["d"], m_upper(case, g), g["C"], g["k"], g["N"])
        plus_d = g["d"] if case == "V" else 0    # Case IV (N >= d) needs no additive d
        yield f"{case}: params <= 625 (k+4)(3050 L + C + 21)^2 (N d^2 rho^4{' + d' if plus_d else ''})", \
            (case, "size", K * (g["N"] * g["d"] ** 2 * rho_sq ** 2 + plus_d) - P, [u, v, w, l, c, q])


def _exact_facts():
    yield "24 alpha^-2 = 600 at alpha = 1/5 (Prop. B.19's hypothesis is m >= 600 ln N)", "alpha"
    yield "600 ln 2 > 415 > e^4 (Lemma B.22 applies to d >= 600 ln N)", "e4"
    yield "Yu's depth: 4^k (1 - r) < 3m with r <= 5/6 gives 4^k < 18 m", "yu_k"


@claim("KMY25.ThmB.14.IV-V", "Cases IV and V of Theorem B.14: m <= d (resp. N), Prop. B.19's hypothesis, the "
       "separation chain to (6/5) rho and the ratio 5/6, and params <= 625 (k+4)(3050 ln N + C + 21)^2 N d^2 rho^4 (+ d in Case V) "
       "over the whole case region (symbolic certificates)",
       {"plan inequalities": _inequalities, "exact facts": _exact_facts},
       source="Kim, Moon & Yun 2025, Theorem B.14, Cases IV and V")
def check(inst):
    if isinstance(inst, str):
        if inst == "alpha":
            return Verdict.from_exact(24 * fmpq(5) ** 2 == 600, "24 / (1/5)^2 = 600")
        if inst == "e4":
            e4, ln2 = exp_enclosure(4, 64), log_enclosure(2, 64)
            return Verdict.from_exact(600 * ln2.lo > 415 and e4.hi < 415,
                                      f"600 ln 2 >= {float(600 * ln2.lo):.4f} > 415 > {float(e4.hi):.4f} >= e^4")
        # r <= 5/6: 4^k (1 - r) < 3m  =>  4^k < 3m / (1 - r) <= 18 m
        return Verdict.from_exact(3 / (1 - fmpq(5, 6)) == 18, "3 / (1 - 5/6) = 18")
    case, kind, expr, syms = inst
    return certify_nonneg(expr, syms, f"Case {case} ({kind})")
