"""The laws of robustness as records: what each bounds, under which explicit condition, and how sure we are.

The KMY25 records (:mod:`exactmem.bounds.registry`) bound parameter counts over rho-intervals; the
laws bound a Lipschitz constant (or a proxy for it, or a probability) in terms of the sample size n,
the dimension d, the width k or the parameter count p, and the constants of the data and of the
parametrisation.  A :class:`Law` keeps them apart: ``quantity`` says what is bounded, ``condition``
is the validity condition as a sympy Boolean (``sympy.true`` when the theorem has no numeric
condition beyond its setting), ``status`` is proved / conjecture / withdrawn, and ``confirmed`` /
``inferred`` say what the project's reference notes could read in a source and what they derived.
Hidden log factors (Omega-tilde) are named, as in the KMY25 registry, by ``polylog``.

Symbols: ``k`` is a width (BLN's neurons); ``K`` is Bubeck & Sellke's number of isoperimetric
mixture components (their ``k``), renamed so that both can sit in one table.

>>> b = law("BS21.Thm3")
>>> b.status, b.quantity, b.asymptotic
('proved', 'Lip', 'exact')
>>> b.condition
(delta < 1) & (eps < 1) & (4096*K*log(8*K/delta) <= eps**2*n)
>>> law("HB21.claim").status, law("BLN21.proxy").quantity
('withdrawn', 'proxy')
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import sympy as sp

from .registry import POLYLOG, BoundError

# -- symbols (all positive; conditions beyond positivity are explicit in each record) ------------------
n, d, k, p = sp.symbols("n d k p", positive=True)             # points, dimension, width, parameters
eps, delta, c = sp.symbols("eps delta c", positive=True)      # fit margin, failure probability, isoperimetry
W, J, D, Q, R = sp.symbols("W J D Q R", positive=True)        # weights, param. Lipschitz, depth, sharing, radius
Bbar, K, L = sp.symbols("Bbar K L", positive=True)            # bound on B(w), mixture components, a Lipschitz level
Fsize, r, sep = sp.symbols("Fsize r sep", positive=True)      # |F|, a radius, the separation of the data
Lpsi, norm_a, norm_W = sp.symbols("Lpsi norm_a norm_W", positive=True)

SYMBOLS = {s.name: s for s in (n, d, k, p, eps, delta, c, W, J, D, Q, R, Bbar, K, L, Fsize, r, sep,
                               Lpsi, norm_a, norm_W)}
LATEX_NAMES = {eps: r"\varepsilon", delta: r"\delta", Bbar: r"\bar{B}", Fsize: r"\lvert\mathcal{F}\rvert",
               sep: r"\operatorname{sep}", Lpsi: r"\mathrm{Lip}(\psi)", norm_a: r"\lVert a\rVert_2",
               norm_W: r"\lVert \mathbf{W}\rVert_{\mathrm{op}}"}

QUANTITIES = {
    "Lip": "the Lipschitz constant of the function itself",
    "proxy": "a weight-norm proxy (an upper bound on Lip: a lower bound on it says nothing about Lip)",
    "probability": "a probability over the sample",
    "parametrisation": "a constant of the parametrisation w -> f_w (J or B(w)), not of f",
}
STATUSES = ("proved", "conjecture", "withdrawn")
ASYMPTOTICS = ("exact", "Omega", "Omegatilde", "O")
RELATIONS = {">=": r"\geq", "<=": r"\leq"}


@dataclass(frozen=True)
class Law:
    """One law (or one step of a law's proof) as an explicit record; see the module docstring."""

    id: str
    statement: str      # in our words
    quantity: str       # a key of QUANTITIES
    lhs: str            # LaTeX of the bounded quantity
    relation: str       # ">=" or "<="
    asymptotic: str     # "exact" (the source's constants) | "Omega" | "Omegatilde" | "O"
    expr: sp.Expr
    condition: sp.Basic  # the validity condition, a sympy Boolean
    setting: str        # function class and data, in words (short: it goes into the table)
    probability: str    # "always", "w.p. >= 1 - delta over the sample", "w.h.p.", ...
    status: str         # "proved" | "conjecture" | "withdrawn"
    source: str         # paper and numbered statement
    confirmed: str      # what the reference notes read in a source (and which source)
    inferred: str = ""  # what they derived or recalled (to be checked before it is relied on)
    polylog: bool = False   # Omega-tilde / O-tilde: an unspecified polylog factor is hidden
    notes: str = ""
    withdrawn_because: str = ""
    display: sp.Expr | None = None  # expr with UnevaluatedExpr parts, for typesetting only (checked equal)
    powers: tuple = ()  # (integer, LaTeX) pairs: print 512 as 2^{9} etc., as the source writes them

    def full(self) -> sp.Expr:
        """expr with its hidden factor named: divided (lower bound) or multiplied (upper) by polylog(...)."""
        if not self.polylog:
            return self.expr
        args = sorted(self.expr.free_symbols, key=lambda s: s.name)
        return self.expr / POLYLOG(*args) if self.relation == ">=" else self.expr * POLYLOG(*args)

    def _tex(self, e) -> str:
        out = sp.latex(e, symbol_names=LATEX_NAMES, ln_notation=True)
        for value, tex in self.powers:
            out = re.sub(rf"(?<![0-9]){value}(?![0-9])", lambda _m, t=tex: t, out)
        return out

    def expr_latex(self) -> str:
        return self._tex(self.expr if self.display is None else self.display)

    def latex(self) -> str:
        """The bound as LaTeX math, e.g. ``\\mathrm{Lip}(f) \\geq \\Omega\\left(...\\right)``."""
        body = self.expr_latex()
        wrap = {"exact": body, "Omega": rf"\Omega\left({body}\right)", "O": rf"O\left({body}\right)",
                "Omegatilde": rf"\tilde{{\Omega}}\left({body}\right)"}[self.asymptotic]
        return f"{self.lhs} {RELATIONS[self.relation]} {wrap}"

    def condition_latex(self) -> str:
        return "" if self.condition is sp.true else self._tex(self.condition)

    def text(self) -> str:
        body = sp.sstr(self.expr)
        return f"{self.relation} {body}" if self.asymptotic == "exact" else f"{self.relation} {self.asymptotic}({body})"


LAWS: dict = {}


def register(b: Law) -> Law:
    """Add a record after checking its fields (an unknown value, a proxy called Lip, a withdrawn law
    without its reason, or a symbol outside SYMBOLS raise BoundError)."""
    if b.id in LAWS:
        raise BoundError(f"law id {b.id!r} registered twice")
    for field, val, allowed in (("quantity", b.quantity, QUANTITIES), ("status", b.status, STATUSES),
                                ("asymptotic", b.asymptotic, ASYMPTOTICS), ("relation", b.relation, RELATIONS)):
        if val not in allowed:
            raise BoundError(f"{b.id}: {field} must be one of {', '.join(allowed)}, got {val!r}")
    if b.quantity == "proxy" and b.lhs.startswith(r"\mathrm{Lip}(f)"):
        raise BoundError(f"{b.id}: a proxy record must not present its quantity as Lip(f)")
    if b.status == "withdrawn" and not b.withdrawn_because:
        raise BoundError(f"{b.id}: a withdrawn law must say why (withdrawn_because)")
    if not isinstance(b.condition, (sp.logic.boolalg.BooleanFunction, sp.logic.boolalg.BooleanAtom, sp.Rel)) \
            or isinstance(b.condition, sp.Symbol):
        raise BoundError(f"{b.id}: condition must be a sympy Boolean, got {b.condition!r}")
    if b.display is not None and sp.simplify(b.display.doit() - b.expr) != 0:
        raise BoundError(f"{b.id}: the display form {b.display} is not the expression {b.expr}")
    unknown = (b.expr.free_symbols | b.condition.free_symbols) - set(SYMBOLS.values())
    if unknown:
        raise BoundError(f"{b.id}: unknown symbols {sorted(s.name for s in unknown)}")
    LAWS[b.id] = b
    return b


def law(law_id: str) -> Law:
    """The record with this id (BoundError if there is none)."""
    try:
        return LAWS[law_id]
    except KeyError:
        raise BoundError(f"unknown law {law_id!r}; known: {', '.join(LAWS)}") from None


def select_laws(**filters) -> list:
    """Records whose fields equal the given values, in registration order."""
    out = list(LAWS.values())
    for key, val in filters.items():
        out = [b for b in out if getattr(b, key) == val]
    return out


# -- the expressions the claims reuse --------------------------------------------------------------------
def bs_bound_expr():
    """Bubeck & Sellke, Theorem 3: (eps / (2^9 sqrt c)) sqrt(n d / (p ln(60 W J / eps) + ln(4 / delta)))."""
    return eps / (2 ** 9 * sp.sqrt(c)) * sp.sqrt(n * d / (p * sp.log(60 * W * J / eps) + sp.log(4 / delta)))


def bs_condition_expr():
    """Bubeck & Sellke, Theorem 3, hypothesis 2 (NeurIPS-submission constant 8^4): 8^4 K ln(8K/delta) <= n eps^2."""
    return sp.Le(8 ** 4 * K * sp.log(8 * K / delta), n * eps ** 2)


def bs_thm2_tail(eps_=eps, L_=L, log_size=sp.log(Fsize)):
    """Theorem 2's tail 4K exp(-n eps^2 / (8^3 K)) + 2 exp(ln|F| - eps^2 n d / (8^4 c L^2)) (NeurIPS text)."""
    return (4 * K * sp.exp(-n * eps_ ** 2 / (8 ** 3 * K))
            + 2 * sp.exp(log_size - eps_ ** 2 * n * d / (8 ** 4 * c * L_ ** 2)))


def bs_thm3_tail_terms():
    """The two terms of the tail in the proof of Theorem 3: 4K exp(-n eps^2/(8^4 K)) and
    2 exp(p ln(60WJ/eps) - eps^2 n d/(8^6 c L^2))."""
    return (4 * K * sp.exp(-n * eps ** 2 / (8 ** 4 * K)),
            2 * sp.exp(p * sp.log(60 * W * J / eps) - eps ** 2 * n * d / (8 ** 6 * c * L ** 2)))


def bs_thm3_tail():
    return sum(bs_thm3_tail_terms(), sp.S.Zero)


TWO_LAYER_PARAMS = k * (d + 2)   # x -> sum_l a_l psi(w_l.x + b_l): d + 2 numbers per neuron, no output bias


_u = sp.UnevaluatedExpr
_SQRT_NK = sp.sqrt(_u(n / k))
_POW = ((512, "2^{9}"), (4096, "8^{4}"), (262144, "8^{6}"))
_LIP = r"\mathrm{Lip}(f)"
_EVENT = r"\Pr[E_L]"   # E_L: some f in F fits with empirical square loss <= sigma^2 - eps and Lip(f) <= L
_BLN = "Bubeck, Li & Nagaraj 2021 (COLT; arXiv:2009.14444)"
_BS = "Bubeck & Sellke 2021 (NeurIPS; arXiv:2105.12806)"
_NEURIPS = ("constants as in the NeurIPS 2021 submission text, which the reference read in full; the final "
            "version (arXiv v4 / JACM) was not checked")

# -- Bubeck, Li & Nagaraj 2021 ---------------------------------------------------------------------------
register(Law(
    "BLN21.conjecture",
    "Any two-layer network with k neurons that fits n random +-1 labels of points drawn uniformly on the "
    "sphere must, for most such samples, have a Lipschitz constant of order at least sqrt(n/k).",
    "Lip", _LIP, ">=", "Omega", sp.sqrt(n / k), sp.true,
    "two-layer F_k(psi), any weights, psi Lipschitz; x_i uniform on S^{d-1}, y_i uniform +-1; f fits all n",
    "w.h.p. over the sample", "conjecture",
    f"{_BLN}, the conjecture (abstract; its number in the paper was not available)",
    "the conjecture's wording (PMLR abstract); its formal shape Lip >= c sqrt(n/k) and the sphere / random-label "
    "data model only through a secondary source",
    "the tightness half (sqrt(n/k) attained for ReLU when n/d <~ k <~ n) is recalled, not read",
    notes="BLN prove it for ReLU when n ~ d and for degree-p polynomial activations when n ~ d^p (abstract); those "
          "statements were not available with constants and are not encoded. Bubeck & Sellke's Theorem 3 gives the "
          "rate only for polynomially bounded weights (BS21.Sec3.twolayer); their Theorem 4 shows some weight "
          "restriction is necessary at depth three.", display=_SQRT_NK))
register(Law(
    "BLN21.proxy",
    "The weaker statement BLN prove: for such fits it is the spectral proxy Lip(psi) ||a||_2 ||W||_op, not the "
    "Lipschitz constant, that must be of order at least sqrt(n/k). This bounds a PROXY: since the proxy is an "
    "upper bound on Lip (BLN21.proxy.upper), a lower bound on it implies no lower bound on Lip.",
    "proxy", r"\mathrm{Lip}(\psi)\,\lVert a\rVert_2\,\lVert \mathbf{W}\rVert_{\mathrm{op}}", ">=", "Omega",
    sp.sqrt(n / k), sp.true,
    "two-layer sum_l a_l psi(w_l.x + b_l), W with rows w_l; x_i uniform on S^{d-1}, y_i uniform +-1; f fits",
    "w.h.p. over the sample", "proved", f"{_BLN}, the spectral-norm weaker version (abstract; theorem number "
    "not available to the reference notes)",
    "that a spectral-norm version is proved (PMLR abstract); the inequality proxy >= sqrt(n/k) only through a "
    "secondary source, which may be imprecise",
    "the Rademacher-complexity route to sqrt(n/k) and how the bias is bounded (constants depend on it)",
    notes="not a bound on Lip(f): quantity = proxy", display=_SQRT_NK))
register(Law(
    "BLN21.proxy.upper",
    "Why the proxy is only a proxy: the gradient of a two-layer network is W^T diag(psi'(Wx+b)) a, so its "
    "Lipschitz constant is at most Lip(psi) ||a||_2 ||W||_op, for every choice of weights.",
    "Lip", _LIP, "<=", "exact", Lpsi * norm_a * norm_W, sp.true,
    "any two-layer sum_l a_l psi(w_l.x + b_l), l2 norms", "always", "proved",
    f"elementary (chain rule and operator norms): the upper bound behind the proxy of {_BLN}",
    "", "the derivation (elementary; standard)",
    notes="the direction that makes BLN21.proxy and HB21.claim bounds on a proxy only"))

# -- Bubeck & Sellke 2021 ----------------------------------------------------------------------------------
register(Law(
    "BS21.Thm1",
    "Informal law: with p parameters of polynomial size, isoperimetric covariates and label noise, every "
    "function of the class that fits the data below the noise level has a Lipschitz constant of order at "
    "least sqrt(nd/p), up to log factors.",
    "Lip", _LIP, ">=", "Omegatilde", sp.sqrt(n * d / p), sp.true,
    "p-parameter class, Lipschitz parametrisation, weights <= poly(n,d); c-isoperimetric mixture; sigma^2 > 0; "
    "fit <= sigma^2 - eps",
    "w.h.p. over the sample", "proved", f"{_BS}, Theorem 1 (informal form of Theorem 3)",
    "the statement and its assumptions (NeurIPS-submission text)",
    "how the constant depends on the noise: Theorem 3's prefactor is eps/(2^9 sqrt c) with eps <= sigma^2; "
    "paraphrases with sigma or eps/sigma differ by version or paraphrase",
    polylog=True, notes="the hidden factor is the log(60 W J / eps) of Theorem 3 and the constants",
    display=sp.sqrt(_u(n * d / p))))
register(Law(
    "BS21.Thm2",
    "For a finite class on a mixture of K c-isoperimetric measures: the probability that some member both fits "
    "below sigma^2 - eps and is L-Lipschitz is at most a mixture term plus |F| times a Gaussian-type tail in L.",
    "probability", _EVENT, "<=", "exact", bs_thm2_tail(),
    sp.true, "finite F; mu mixture of K c-isoperimetric measures; (x_i, y_i) i.i.d. in R^d x [-1,1]; sigma^2 > 0",
    "always (a probability bound)", "proved", f"{_BS}, Theorem 2",
    f"the statement ({_NEURIPS})",
    "the second exponent's 8^4: a secondary source quotes 9^4, and the proof in the NeurIPS text has a (t/9)^2 step",
    notes="encoded with 8^4 (the NeurIPS-submission text). Theorem 3 survives the 9^4 reading: at (eps/2, 2L) it "
          "gives 2^4 9^4 = 104976 <= 2^18 = 8^6 (claim BS21.Thm2.composition)",
    powers=((512, "8^{3}"), (4096, "8^{4}"))))
register(Law(
    "BS21.Thm3",
    "The main theorem with its constants: for a class parametrised by p numbers in a set of diameter W, "
    "J-Lipschitz in sup norm, on a mixture of K c-isoperimetric measures with enough points, with probability "
    "1 - delta every member fitting below sigma^2 - eps has Lipschitz constant at least L_BS.",
    "Lip", _LIP, ">=", "exact", bs_bound_expr(),
    sp.And(eps < 1, delta < 1, bs_condition_expr()),
    "F = {f_w : w in Wset subset R^p}, diam(Wset) <= W, ||f_w1 - f_w2||_inf <= J ||w1 - w2||; mu mixture of "
    "K c-isoperimetric measures; sigma^2 > 0; fit <= sigma^2 - eps",
    "w.p. >= 1 - delta over the sample", "proved", f"{_BS}, Theorem 3",
    f"the statement, the constants 2^9, 60, 4 and the condition 8^4 K log(8K/delta) <= n eps^2 ({_NEURIPS})",
    "the numerical values of the reference's §7 item 11 (checked by claim BS21.Thm3.values) and the internal "
    "consistency of the constants (claim BS21.Thm3.consistency)",
    notes="the condition is encoded with 8^4, the NeurIPS-submission text's constant. L_BS decreases in p only "
          "where 60 W J > eps (claim BS21.Thm3.monotone)",
    display=_u(eps / (512 * sp.sqrt(c))) * sp.sqrt(_u(n * d / (p * sp.log(60 * W * J / eps) + sp.log(4 / delta)))),
    powers=((512, "2^{9}"), (4096, "8^{4}"))))
register(Law(
    "BS21.Thm3.tail",
    "The step of the proof of Theorem 3: Theorem 2 applied at (eps/2, 2L) to an eps/(6J)-net of at most "
    "(60WJ/eps)^p points, with both exponents weakened to round constants.",
    "probability", _EVENT, "<=", "exact", bs_thm3_tail(), sp.true,
    "as Theorem 3", "always (a probability bound)", "proved", f"{_BS}, proof of Theorem 3",
    f"the displayed bound ({_NEURIPS})",
    "that the weakenings 2^11 -> 2^12 and 2^16 -> 2^18 and the net size are valid (claim BS21.Thm2.composition)",
    notes="at L = L_BS the second term is exactly delta/2, and the condition makes the first <= delta/2",
    powers=((4096, "8^{4}"), (262144, "8^{6}"))))
register(Law(
    "BS21.Lem3.1.B",
    "For a depth-D network whose weights lie in [-W, W]^p with W >= 1 (each parameter tied to at most Q "
    "entries), the product bound B(w) on its Lipschitz constant is at most (W sqrt(pQ))^D.",
    "parametrisation", r"B(w)", "<=", "exact", (W * sp.sqrt(p * Q)) ** D, sp.Ge(W, 1),
    "depth D, 1-Lipschitz activations, w in [-W,W]^p, Q = max entries tied to one parameter", "always", "proved",
    f"{_BS}, Lemma 3.1", "the statement (NeurIPS-submission text)", ""))
register(Law(
    "BS21.Lem3.1.J",
    "On inputs of norm at most R and weights with B(w) <= Bbar, the network is Bbar Q R sqrt(p)-Lipschitz as a "
    "function of its parameters (in sup norm over the inputs).",
    "parametrisation", "J", "<=", "exact", Bbar * Q * R * sp.sqrt(p), sp.true,
    "depth D, ||x|| <= R, B(w1), B(w2) <= Bbar", "always", "proved", f"{_BS}, Lemma 3.1",
    "the statement (NeurIPS-submission text)", ""))
register(Law(
    "BS21.Sec3.J",
    "The parametrisation constant §3 feeds into Theorem 3, J = R (WQp)^D; it bounds the J of Lemma 3.1 "
    "(R W^D Q^(D/2+1) p^((D+1)/2)) only when D >= 2 or Q = 1.",
    "parametrisation", "J", "<=", "exact", R * (W * Q * p) ** D,
    sp.And(sp.Ge(W, 1), sp.Or(sp.Ge(D, 2), sp.Eq(Q, 1))),
    "as Lemma 3.1 with Bbar = (W sqrt(pQ))^D", "always", "proved", f"{_BS}, §3 (after Lemma 3.1)",
    "that the paper concludes J = R (WQp)^D (NeurIPS-submission text)",
    "the nit: for D = 1 and Q > 1 the simplified form is below Lemma 3.1's J by sqrt(Q) (claim BS21.Lem3.1)",
    notes="the paper states J = R (WQp)^D without the condition; the condition is where it is an upper bound"))
register(Law(
    "BS21.Sec3.rate.depth",
    "Deep networks of depth D with p parameters of polynomial size: Lipschitz constant of order at least "
    "sqrt(nd/(Dp)) up to logs, for fits below the noise level.",
    "Lip", _LIP, ">=", "Omegatilde", sp.sqrt(n * d / (D * p)), sp.true,
    "depth D, 1-Lipschitz activations, weights in [-W,W]^p, W, Q, R <= poly(n,d); isoperimetric data, noise",
    "w.h.p. over the sample", "proved", f"{_BS}, §3, Eq. (3.1)", "the rate (NeurIPS-submission text)",
    "", polylog=True, notes="an asymptotic statement: use only symbolically (claim BS21.Sec3.rates)",
    display=sp.sqrt(_u(n * d / (D * p)))))
register(Law(
    "BS21.Sec3.rate.Bbar",
    "Deep networks restricted to B(w) <= Bbar: Lipschitz constant of order at least sqrt(nd/(p log Bbar)) up to "
    "logs; the depth enters only through log Bbar.",
    "Lip", _LIP, ">=", "Omegatilde", sp.sqrt(n * d / (p * sp.log(Bbar))), sp.Gt(Bbar, 1),
    "as (3.1), class restricted to B(w) <= Bbar", "w.h.p. over the sample", "proved",
    f"{_BS}, §3, Eq. (3.2)", "the rate (NeurIPS-submission text)",
    "the condition Bbar > 1 (needed for log Bbar > 0; implicit in the source)", polylog=True,
    notes="with Bbar = (W sqrt(pQ))^D it is (3.1) up to logs (claim BS21.Sec3.rates)",
    display=sp.sqrt(_u(n * d / (p * sp.log(Bbar))))))
register(Law(
    "BS21.Sec3.twolayer",
    "The two-layer case: k neurons have p = k(d+2) parameters, so the law gives sqrt(nd/(k(d+2))) = "
    "sqrt(n/k) sqrt(d/(d+2)), BLN's rate -- but only for polynomially bounded weights.",
    "Lip", _LIP, ">=", "Omegatilde", sp.sqrt(n * d / TWO_LAYER_PARAMS), sp.true,
    "two-layer, k neurons, weights <= poly(n,d); isoperimetric data, noise", "w.h.p. over the sample", "proved",
    f"{_BS}, §3 and §1.2 (specialisation of Theorem 3)",
    "that the law recovers BLN's rate only for polynomially bounded weights (§1.2)",
    "the parameter count p = k(d+2) and the resulting ratio sqrt(d/(d+2)) (claims BS21.Sec3.params, BLN21.rate)",
    polylog=True, display=sp.sqrt(_u(n * d / TWO_LAYER_PARAMS))))
register(Law(
    "BS21.Thm4",
    "Without a weight bound there is no law: a three-layer family with one exponentially large parameter is "
    "O(d^(3/2))-Lipschitz and, for n <= 2^d/100 random points on the sphere, some member fits 3n/4 of any labels.",
    "Lip", _LIP, "<=", "O", d ** sp.Rational(3, 2), sp.Le(n, 2 ** d / 100),
    "Phi_a, |a| <= 2^(2^d), a non-explicit continuous sigma (Kolmogorov-Arnold); x_i uniform on S^{d-1}",
    "w.p. 1 - exp(-Omega(d))", "proved", f"{_BS}, Theorem 4", "the statement (NeurIPS-submission text)", "",
    notes="an upper bound: it shows that some restriction on the weights is necessary; a ReLU version is open"))

# -- Yang et al. 2020; Wu, Huang & Zhang 2023 -------------------------------------------------------------
register(Law(
    "Yang20.Thm3.2",
    "If points with different labels are at least 2r apart, the classifier taking the label of the nearest class "
    "is correct on the open r-ball around every point, and its scores dist(x, X^(i))/r are 1/r-Lipschitz.",
    "Lip", r"\mathrm{Lip}(f_i)", "<=", "exact", 1 / r, sp.Ge(sep, 2 * r),
    "r-separated data; f_i(x) = dist(x, X^(i)) / r, g(x) = argmin_i f_i(x)", "always (deterministic)", "proved",
    "Yang, Rashtchian, Zhang, Salakhutdinov & Chaudhuri 2020 (NeurIPS; arXiv:2003.02460), Theorem 3.2",
    "the statement with 1/r-locally Lipschitz scores (abstract and NeurIPS text)",
    "that the scores are even globally 1/r-Lipschitz (a distance to a set is 1-Lipschitz) and that robustness "
    "holds on open balls (on the closed ball a tie is possible)",
    notes="an existence statement, about decision regions: it does not contradict the laws, which bound "
          "parametrised classes"))
register(Law(
    "WHZ23.poly",
    "For arbitrary data distributions on a bounded set, networks with p parameters (polynomial weights) that "
    "interpolate n points have Lipschitz constant of order at least sqrt(n/p).",
    "Lip", _LIP, ">=", "Omega", sp.sqrt(n / p), sp.true,
    "p parameters, polynomially bounded weights; any distribution on a bounded space; f interpolates",
    "w.h.p. over the sample", "proved",
    "Wu, Huang & Zhang 2023 (ICML; arXiv:2202.11592), Theorem 3.4 (number per a secondary source)",
    "the rate and its setting (abstract)", "the theorem number and a factor eps in front (secondary source only)",
    notes="no isoperimetry, so no factor sqrt(d): weaker than sqrt(nd/p) by sqrt(d)", display=sp.sqrt(_u(n / p))))
register(Law(
    "WHZ23.any",
    "Every function, parametrised or not, that interpolates n sample points in dimension d has Lipschitz constant "
    "of order at least n^(1/d) (under the paper's assumptions on the data, which the reference notes do not "
    "give); so there is no O(1)-Lipschitz robust interpolant once n = exp(omega(d)).",
    "Lip", _LIP, ">=", "Omega", n ** (1 / d), sp.true,
    "any interpolating function; data in bounded dimension d", "w.h.p. over the sample", "proved",
    "Wu, Huang & Zhang 2023 (ICML; arXiv:2202.11592), Theorem 3.9 (number per a secondary source)",
    "the rate (abstract)", "the theorem number and the exact data assumptions (secondary source only)",
    notes="a data-geometry effect (close opposite pairs at distance ~ n^(-1/d)), not a capacity effect"))

# -- Husain & Balle 2021 (withdrawn) -----------------------------------------------------------------------
register(Law(
    "HB21.claim",
    "Claimed: for any class of bounded Rademacher complexity, fitting random labels forces a large Lipschitz "
    "constant, matching sqrt(n/k) for two-layer networks of bounded weights (and needing log n constant-size "
    "layers in depth). Withdrawn: what the argument bounds is the weight-norm proxy that defines the class.",
    "proxy", r"\text{weight-norm proxy (claimed: } \mathrm{Lip}(f)\text{)}", ">=", "Omega", sp.sqrt(n / k),
    sp.true, "weight-norm-bounded classes (bounded Rademacher complexity); random +-1 labels; f fits",
    "w.h.p. over the sample", "withdrawn",
    "Husain & Balle 2021 (arXiv:2102.08093 v1, withdrawn), main result (abstract)",
    "the abstract's claims (two secondary copies of the abstract)",
    "the body's statements (not available); the withdrawal note's wording (second-hand)",
    notes="kept as a cautionary record: exactmem's ProxyMisuseError refuses the same step",
    withdrawn_because="a lower bound on a weight-norm proxy was taken for one on the Lipschitz constant; the proxy "
                      "upper-bounds Lip (Lip <= prod ||W_j||_op), so a lower bound on it bounds nothing about Lip",
    display=_SQRT_NK))
