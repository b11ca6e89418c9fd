"""The bounds of Kim, Moon & Yun (2025) and of the prior work they compare with, as records.

Statements are paraphrased; expressions follow the notes in ``docs/bounds.md``.  Items the
notes mark as reconstructed (Theorem C.5) say so in ``notes``.
"""
import sympy as sp

from .registry import GAMMA, Bound, Interval, N, d, p, register, rho

R = sp.Rational
sq = sp.sqrt
ALL = Interval(sp.S.Zero, sp.S.One, True, True)
SMALL = Interval(sp.S.Zero, 1 / (5 * N * sq(d)), True, False)
MODERATE = Interval(1 / (5 * N * sq(d)), 1 / (5 * sq(d)), True, False)
LARGE = Interval(1 / (5 * sq(d)), sp.S.One, True, True)
VC_RANGE = Interval(sp.S.Zero, sq(1 - 1 / d), True, False)
VC_BEYOND = Interval(sq(1 - 1 / d), sp.S.One, True, True)
NONROBUST = Interval(sp.S.Zero, sp.S.Zero, False, False)

K = "Kim, Moon & Yun 2025"

# ---- new lower bounds (l2) -----------------------------------------------------------------
register(Bound("KMY25.Prop3.2", "lower", "width", "l2", "exact", ALL, rho ** 2 * sp.Min(N - 1, d),
               f"{K}, Proposition 3.2", notes="first hidden layer width; constant 1 from the proof"))
register(Bound("KMY25.Prop3.2.params", "lower", "params", "l2", "Omega", ALL, (rho ** 2 * sp.Min(N, d) + 1) * d,
               f"{K}, Proposition 3.2", notes="first layer: (d + 1) * width"))
register(Bound("KMY25.Prop3.3", "lower", "params", "l2", "Omega", VC_RANGE, sq(N / (1 - rho ** 2)),
               f"{K}, Proposition 3.3", notes="VC >= k floor(N/2), k = floor(1/(1 - rho^2)); VC = O(P^2)"))
register(Bound("KMY25.Prop3.3.ext", "lower", "params", "l2", "Omega", VC_BEYOND, sq(N * d),
               f"{K}, Proposition 3.3 (monotone extension)"))
register(Bound("KMY25.Thm3.1", "lower", "params", "l2", "Omega", ALL,
               (rho ** 2 * sp.Min(N, d) + 1) * d + sp.Min(1 / sq(1 - rho ** 2), sq(d)) * sq(N), f"{K}, Theorem 3.1"))

# ---- new upper bounds (l2), Theorem 4.2 / B.1 -------------------------------------------------
register(Bound("KMY25.Thm4.2.i", "upper", "params", "l2", "Otilde", SMALL, sq(N), f"{K}, Theorem 4.2 (i)",
               polylog=True, additive=d))
register(Bound("KMY25.Thm4.2.ii", "upper", "params", "l2", "Otilde", MODERATE, N * d ** R(1, 4) * sq(rho),
               f"{K}, Theorem 4.2 (ii)", polylog=True, additive=d, exact="error eta"))
register(Bound("KMY25.Thm4.2.iii", "upper", "params", "l2", "Otilde", LARGE, N * d ** 2 * rho ** 4,
               f"{K}, Theorem 4.2 (iii)", polylog=True, additive=d))
for reg, iv, dep, wid, bits, thm in [
        ("i", SMALL, sq(N), sp.S.One, sq(N), "B.3"),
        ("ii", MODERATE, N * d ** R(1, 4) * sq(rho), sp.S.One, 1 / (d ** R(1, 4) * sq(rho)), "B.5"),
        ("iii", LARGE, N, rho ** 2 * d, N, "B.14")]:
    notes = "Theorem B.5 is stated for all rho in (0, 1/(5 sqrt d)]" if reg == "ii" else ""
    ex = "error eta" if reg == "ii" else "exact"
    register(Bound(f"KMY25.ThmB.1.{reg}.depth", "upper", "depth", "l2", "Otilde", iv, dep,
                   f"{K}, Theorem B.1 / {thm}", polylog=True, exact=ex, notes=notes))
    register(Bound(f"KMY25.ThmB.1.{reg}.width", "upper", "width", "l2", "Otilde", iv, wid,
                   f"{K}, Theorem B.1 / {thm}", polylog=True, exact=ex))
    register(Bound(f"KMY25.ThmB.1.{reg}.bits", "upper", "bits", "l2", "Otilde", iv, bits,
                   f"{K}, Theorem B.1 / {thm}", polylog=True, exact=ex))
register(Bound("KMY25.RemB.2.i", "lower", "bits", "l2", "Omegatilde", SMALL, sq(N), f"{K}, Remark B.2",
               polylog=True, notes="bits >= VC / P with VC >= N and P = O~(sqrt N)"))
register(Bound("KMY25.RemB.2.ii", "lower", "bits", "l2", "Omegatilde", MODERATE, 1 / (d ** R(1, 4) * sq(rho)),
               f"{K}, Remark B.2", polylog=True, notes="bits >= N / P with P = O~(N d^(1/4) rho^(1/2))"))
register(Bound("KMY25.ThmB.14.V", "upper", "params", "l2", "Otilde",
               Interval(1 / (5 * sq(d)), R(1, 3), True, True), N ** 3 * rho ** 4 + N * d * rho ** 2,
               f"{K}, Theorem B.14, Case V (d > N >= 600 log N)", polylog=True,
               notes="(d+1) m + N m^2 with m = 9 N rho^2: sharper than (iii) when d > N"))

# ---- Appendix E: nonzero parameters -----------------------------------------------------------
register(Bound("KMY25.ThmE.1", "lower", "nonzero", "l2", "Omega", ALL, sp.Min(1 / sq(1 - rho ** 2), sq(d)) * sq(N),
               f"{K}, Theorem E.1"))
for reg, iv, ex, e in [("i", SMALL, sq(N), "exact"), ("ii", MODERATE, N * d ** R(1, 4) * sq(rho), "error eta"),
                       ("iii", LARGE, N * d * rho ** 2, "exact")]:
    register(Bound(f"KMY25.ThmE.2.{reg}", "upper", "nonzero", "l2", "Otilde", iv, ex, f"{K}, Theorem E.2 ({reg})",
                   polylog=True, additive=d, exact=e))

# ---- prior bounds (l2), as the paper presents them ---------------------------------------------------
register(Bound("Prior.Eq1.a", "lower", "params", "l2", "Omega", VC_RANGE, sq(N), "prior lower bound (Eq. 1): "
               "memorization VC + Goldberg-Jerrum", additive=d, paper="prior"))
register(Bound("Prior.Eq1.b", "lower", "params", "l2", "Omega", VC_BEYOND, sq(N * d), "prior lower bound (Eq. 1): "
               "Li et al. 2022 / Gao et al. 2019", additive=d, paper="prior",
               notes="range supplied by Kim, Moon & Yun's Proposition 3.3"))
register(Bound("Prior.Eq2.a", "upper", "params", "l2", "Otilde", Interval(sp.S.Zero, 1 / sq(d), True, False), N,
               "prior upper bound (Eq. 2): Egosi et al. 2025 (log width)", polylog=True, paper="prior"))
register(Bound("Prior.Eq2.b", "upper", "params", "l2", "Otilde", Interval(1 / sq(d), d ** R(-1, 6), True, False),
               N * d ** 3 * rho ** 6, "prior upper bound (Eq. 2): Egosi et al. 2025 (implicit)", polylog=True,
               paper="prior", notes="read 1/6sqrt(d) as d^(-1/6): N d^3 rho^6 = N d^2 there"))
register(Bound("Prior.Eq2.c", "upper", "params", "l2", "Otilde", Interval(d ** R(-1, 6), sp.S.One, True, True),
               N * d ** 2, "prior upper bound (Eq. 2): Yu et al. 2024", polylog=True, paper="prior"))
register(Bound("Prior.Yu2024", "upper", "params", "l2", "Otilde", ALL, N * d ** 2,
               "Yu, Gao & Zhang 2024 (Lemma D.2 of Kim et al.)", polylog=True, paper="prior",
               notes="O(N d^2 (log(d/gamma^2) + log R)), gamma = (1 - rho) eps_D"))
register(Bound("Prior.Li2022.UB", "upper", "nonzero", "l2", "Otilde", Interval(sp.S.Zero, R(1, 2), True, True),
               N * d, "Li et al. 2022, Theorem 2.2", polylog=True, paper="prior",
               notes="O(N d log(d/delta) + N polylog(N/delta)) nonzero connections; radius < eps/2"))
register(Bound("Prior.Li2022.LB", "lower", "params", "l2", "Omega", VC_BEYOND, sq(N * d), "Li et al. 2022, "
               "Theorem 2.3", paper="prior", notes="rho-range unspecified there; valid range from Prop 3.3"))
register(Bound("Prior.Vardi2022", "upper", "params", "l2", "Otilde", NONROBUST, sq(N),
               "Vardi, Yehudai & Shamir 2022 (non-robust memorization)", polylog=True, paper="prior"))

# ---- l_p (Appendix C and Table 1) --------------------------------------------------------------------
g = GAMMA  # gamma_p(d) = d^|1/p - 1/2|, substituted by Bound.concrete()
register(Bound("KMY25.PropC.6.p>=2", "lower", "params", "lp", "Omega", ALL, sp.Min(N, d) * d * rho ** 2,
               f"{K}, Proposition C.6 (p >= 2)", notes="Table 1 row: LB p > 2"))
register(Bound("KMY25.PropC.6.p<2", "lower", "params", "lp", "Omega", ALL, sp.Min(N, d) * d * (rho / g) ** 2,
               f"{K}, Proposition C.6 (1 <= p < 2)", notes="for p = 1 the width bound is below 1 (docs/errata.md)"))
register(Bound("KMY25.PropC.7", "lower", "params", "linf", "Omega", Interval(R(1, 2), sp.S.One, True, True),
               sp.Min(N, d) * d, f"{K}, Proposition C.7"))
register(Bound("Prior.Yu2024.LB", "lower", "params", "linf", "Omega", Interval(R(4, 5), R(4, 5), False, False),
               d ** 2, "Yu et al. 2024 (N > d, rho = 0.8)", paper="prior"))
register(Bound("KMY25.PropC.8", "lower", "params", "lp", "Omega",
               Interval(sp.S.Zero, (1 - 1 / d) ** (1 / p), True, False), sq(N / (1 - rho ** p)),
               f"{K}, Proposition C.8 (p < oo)"))
register(Bound("Prior.Li2022.LB.T1", "lower", "params", "l2", "Omega", VC_BEYOND, sq(N * d),
               "Li et al. 2022 (Table 1, rho -> 1)", paper="prior"))
register(Bound("KMY25.ThmC.12", "upper", "params", "lp", "Otilde", Interval(sp.S.Zero, 1 / (5 * N * sq(d) * g), True, False),
               sq(N), f"{K}, Theorem C.12", polylog=True, additive=d))
register(Bound("KMY25.ThmC.13", "upper", "params", "lp", "Otilde",
               Interval(1 / (5 * N * sq(d) * g), 1 / (5 * sq(d) * g), True, False), N * d ** R(1, 4) * sq(rho * g),
               f"{K}, Theorem C.13", polylog=True, additive=d, exact="error eta"))
register(Bound("KMY25.ThmC.14", "upper", "params", "lp", "Otilde", Interval(1 / (5 * sq(d) * g), 1 / g, True, True),
               N * d ** 2 * rho ** 4 * g ** 4, f"{K}, Theorem C.14", polylog=True, additive=d,
               discrepancy="Table 1 prints N d^2 (rho gamma_p)^2; Theorem C.14 states N d^2 rho^4 gamma_p^4 "
                           "(encoded here)"))
register(Bound("Prior.Egosi2025.lp.a", "upper", "params", "lp", "Otilde", Interval(sp.S.Zero, 1 / (g * sq(d)), True, True),
               N, "Egosi et al. 2025 (Table 1)", polylog=True, paper="prior"))
register(Bound("Prior.Egosi2025.lp.b", "upper", "params", "lp", "Otilde", Interval(1 / (g * sq(d)), 1 / g, True, True),
               N * d ** 3 * (rho * g) ** 6, "Egosi et al. 2025 (Table 1)", polylog=True, paper="prior"))
register(Bound("Prior.Yu2024.lp", "upper", "params", "lp", "Otilde", ALL, N * d ** 2 * p ** 2,
               "Yu et al. 2024 (Table 1)", polylog=True, paper="prior"))
for key, iv, first in [("p<2", ALL, ((rho / g) ** 2 * sp.Min(N, d) + 1) * d),
                       ("2<=p<oo", ALL, (rho ** 2 * sp.Min(N, d) + 1) * d)]:
    register(Bound(f"KMY25.ThmC.5.{key}", "lower", "params", "lp", "Omega", iv,
                   first + sp.Min(1 / sq(1 - rho ** p), sq(d)) * sq(N), f"{K}, Theorem C.5 ({key})",
                   notes="display lines lost in the source text; reconstructed from Props C.6 and C.8"))
register(Bound("KMY25.ThmC.5.inf.low", "lower", "params", "linf", "Omega", Interval(sp.S.Zero, R(1, 2), True, False),
               (rho ** 2 * sp.Min(N, d) + 1) * d + sq(N), f"{K}, Theorem C.5 (p = oo, rho <= 1/2)",
               notes="reconstructed"))
register(Bound("KMY25.ThmC.5.inf.high", "lower", "params", "linf", "Omega", Interval(R(1, 2), sp.S.One, True, True),
               (sp.Min(N, d) + 1) * d + sq(N), f"{K}, Theorem C.5 (p = oo, rho > 1/2)", notes="reconstructed"))

# ---- the piecewise families used by the checks ---------------------------------------------------------
PIECEWISE = {
    "KMY25.Thm4.2": ["KMY25.Thm4.2.i", "KMY25.Thm4.2.ii", "KMY25.Thm4.2.iii"],
    "KMY25.ThmE.2": ["KMY25.ThmE.2.i", "KMY25.ThmE.2.ii", "KMY25.ThmE.2.iii"],
    "Prior.Eq1": ["Prior.Eq1.a", "Prior.Eq1.b"],
    "Prior.Eq2": ["Prior.Eq2.a", "Prior.Eq2.b", "Prior.Eq2.c"],
    "KMY25.ThmC.11": ["KMY25.ThmC.12", "KMY25.ThmC.13", "KMY25.ThmC.14"],
}
