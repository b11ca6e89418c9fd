"""Bound records: every bound is an explicit sympy expression with its rho-range, kind and source.

A bound is ``kind quantity = ASYMPTOTIC(expr [* polylog] [+ additive])`` on an explicit interval
of rho whose end points are sympy expressions in N, d (and p).  The hidden polylogarithmic
factors of the paper's O-tilde are kept as a separate named part (``polylog``), and the additive
term the paper omits (its "+ d" for the input layer) as ``additive``; checks work with the
main expression and say so.

>>> b = get("KMY25.Thm4.2.ii")
>>> b.expr, b.interval.latex()
(N*d**(1/4)*sqrt(rho), '\\\\left(\\\\frac{1}{5 N \\\\sqrt{d}}, \\\\frac{1}{5 \\\\sqrt{d}}\\\\right]')
"""
from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from ..errors import ExactmemError

N, d, rho, p, eta = sp.symbols("N d rho p eta", positive=True)
POLYLOG = sp.Function("polylog")  # the unspecified poly-log factor hidden by O-tilde
GAMMA = sp.Symbol("gamma_p", positive=True)  # stands for gamma_p(d) in l_p expressions (see concrete())


def gamma_p(pp):
    """gamma_p(d) = d^|1/p - 1/2| (Appendix C); pp may be a number, sympy.oo or the symbol p (then
    p = oo gives sqrt(d) after substitution, since 1/oo = 0)."""
    return d ** sp.Abs(1 / sp.sympify(pp) - sp.Rational(1, 2))


class BoundError(ExactmemError, ValueError):
    """An unknown bound id, table name, or a bad argument to a bound computation."""


@dataclass(frozen=True)
class Interval:
    """The rho-range (lo, hi) with open/closed ends; lo == hi == 0 denotes non-robust memorization."""

    lo: sp.Expr
    hi: sp.Expr
    lo_open: bool = True
    hi_open: bool = False

    def contains(self, value, subs: dict) -> bool:
        """Exact membership of a rational rho (a number, an fmpq or a "p/q" string) for numeric N, d (p): the
        end points are decided rigorously (``evaluate._in_interval``)."""
        from ..exact import to_rational
        from .evaluate import _in_interval
        q = to_rational(value if not isinstance(value, sp.Rational) else f"{value.p}/{value.q}")
        return _in_interval(self, sp.Rational(int(q.p), int(q.q)), subs)

    def latex(self) -> str:
        if self.lo == 0 and self.hi == 0:
            return r"\rho = 0"
        return (("\\left(" if self.lo_open else "\\left[") + sp.latex(self.lo) + ", " + sp.latex(self.hi)
                + ("\\right)" if self.hi_open else "\\right]"))

    def text(self) -> str:
        if self.lo == 0 and self.hi == 0:
            return "rho = 0"
        return ("(" if self.lo_open else "[") + f"{sp.sstr(self.lo)}, {sp.sstr(self.hi)}" + (")" if self.hi_open else "]")


@dataclass(frozen=True)
class Bound:
    id: str
    kind: str          # "lower" | "upper"
    quantity: str      # "params" | "nonzero" | "width" | "depth" | "bits"
    norm: str          # "l2" | "lp" | "linf"
    asymptotic: str    # "Omega" | "O" | "Otilde" | "Omegatilde" | "exact" (a hard inequality, constant 1)
    interval: Interval
    expr: sp.Expr
    source: str
    polylog: bool = False          # True: expr is multiplied by an unspecified polylog factor (Otilde)
    additive: sp.Expr = sp.S.Zero  # the omitted additive term (the paper's "+ d")
    exact: str = "exact"           # "exact" | "error eta"
    paper: str = "KMY25"           # "KMY25" (new) or "prior"
    notes: str = ""
    discrepancy: str = ""

    def concrete(self, expr=None) -> sp.Expr:
        """The expression (default: expr + additive) with gamma_p replaced by d^|1/p - 1/2|."""
        e = self.with_additive() if expr is None else expr
        return e.subs(GAMMA, gamma_p(p))

    def full(self) -> sp.Expr:
        """expr * polylog(N, d, rho) + additive: the whole bound with its hidden parts named."""
        core = self.expr * POLYLOG(N, d, rho) if self.polylog else self.expr
        return core + self.additive

    def with_additive(self) -> sp.Expr:
        return self.expr + self.additive

    def latex(self, additive: bool = True) -> str:
        sym = {"Omega": r"\Omega", "O": "O", "Otilde": r"\tilde{O}", "Omegatilde": r"\tilde{\Omega}",
               "exact": r"\geq" if self.kind == "lower" else r"\leq"}[self.asymptotic]
        body = sp.latex(self.with_additive() if additive else self.expr)
        return f"{sym}\\,{body}" if self.asymptotic == "exact" else f"{sym}\\left({body}\\right)"

    def text(self, additive: bool = True) -> str:
        body = sp.sstr(self.with_additive() if additive else self.expr)
        return f"{self.asymptotic}({body})" if self.asymptotic != "exact" else f">= {body}"


REGISTRY: dict = {}


def register(b: Bound) -> Bound:
    if b.id in REGISTRY:
        raise BoundError(f"bound id {b.id!r} registered twice")
    if b.kind not in ("lower", "upper"):
        raise BoundError(f"kind must be lower or upper, got {b.kind!r}")
    REGISTRY[b.id] = b
    return b


def get(bound_id: str) -> Bound:
    from . import catalog  # noqa: F401  (fills the registry)
    try:
        return REGISTRY[bound_id]
    except KeyError:
        raise BoundError(f"unknown bound {bound_id!r}") from None


def select(**filters) -> list:
    from . import catalog  # noqa: F401
    out = list(REGISTRY.values())
    for key, val in filters.items():
        out = [b for b in out if getattr(b, key) == val]
    return out
