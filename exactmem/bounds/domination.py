"""Monomial domination over log-polyhedral regions, with exact certificates both ways.

Positive variables x; a region R = {x : k_i x^(a_i) <= 1 for all i} (monomial constraints, k_i > 0);
monomials T = c x^e and U_j = c_j x^(e_j).  Two facts, both exact:

* **Domination.**  If a probability vector theta (over j) and lambda >= 0 satisfy
  e - sum_j theta_j e_j = sum_i lambda_i a_i, then on R
  T <= K prod_j U_j^theta_j <= K sum_j U_j  with  K = c prod_j c_j^(-theta_j) prod_i k_i^(-lambda_i)
  (the product of the constraints to the powers lambda_i, then weighted AM-GM).
* **Growth.**  If no such (theta, lambda) exists, Farkas' lemma gives a direction y with a_i . y <= 0
  for all i and (e - e_j) . y > 0 for all j: from a point x0 of R, the path x0 * t^y (t >= 1) stays in R
  and T / U_j grows like t^((e - e_j) . y) for every j, so no constant (and no polylog factor) makes
  T <= C sum_j U_j on R.

The linear systems are solved by an exact simplex method over python-flint ``fmpq`` (Bland's rule);
HiGHS (through scipy) is used only to *find* small constants, interior points and emptiness
multipliers, each re-checked exactly before it is used.

>>> N, d = sp.symbols("N d", positive=True)
>>> T, U = Mono.of(N * d), [Mono.of(N ** 2), Mono.of(d ** 2)]      # N d <= (N^2 + d^2) / 2
>>> cert = dominate(T, U, [Mono.of(1 / N), Mono.of(1 / d)])
>>> cert.theta, cert.K
((1/2, 1/2), 1)
"""
from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import sympy as sp
from flint import fmpq

from .evaluate import compare
from .registry import BoundError


def _q(r) -> fmpq:
    r = sp.Rational(r)
    return fmpq(int(r.p), int(r.q))


def _sq(q: fmpq) -> sp.Rational:
    return sp.Rational(int(q.p), int(q.q))


@dataclass(frozen=True)
class Mono:
    """c * prod x^e for a positive exact number c and rational exponents (a tuple of (symbol, exponent))."""

    coef: sp.Expr
    exps: tuple = ()

    @classmethod
    def of(cls, expr) -> "Mono":
        """The monomial ``expr`` (a product of a positive number and powers of symbols); else BoundError."""
        e = sp.sympify(expr)
        coef, exps = sp.S.One, {}
        for base, ex in _factors(e):
            if base.is_number:
                coef *= base ** ex
            elif base.is_Symbol and ex.is_Rational:
                exps[base] = exps.get(base, sp.S.Zero) + ex
            else:
                raise BoundError(f"{e} is not a monomial (factor {base}**{ex})")
        if not coef.is_number or coef.has(sp.oo, sp.zoo, sp.nan, -sp.oo) or compare(coef, 0) <= 0:
            raise BoundError(f"{e} is not a monomial with a positive coefficient")
        return cls(coef, tuple(sorted(((s, x) for s, x in exps.items() if x != 0), key=lambda t: t[0].name)))

    @property
    def exp(self) -> dict:
        return dict(self.exps)

    def expr(self):
        return self.coef * sp.Mul(*[s ** x for s, x in self.exps])

    def __mul__(self, other: "Mono") -> "Mono":
        e = self.exp
        for s, x in other.exps:
            e[s] = e.get(s, sp.S.Zero) + x
        return Mono(self.coef * other.coef, tuple(sorted(((s, x) for s, x in e.items() if x != 0),
                                                          key=lambda t: t[0].name)))

    def __pow__(self, r) -> "Mono":
        r = sp.Rational(r)
        return Mono(self.coef ** r, tuple((s, x * r) for s, x in self.exps if x * r != 0))

    def __truediv__(self, other: "Mono") -> "Mono":
        return self * other ** -1

    def __str__(self):
        return sp.sstr(self.expr())


def _factors(e):
    """(base, exponent) pairs of a product."""
    out = []
    for f in sp.Mul.make_args(e):
        if f.is_Pow:
            out.append((f.base, f.exp))
        else:
            out.append((f, sp.S.One))
    return out


def monomials(expr) -> list:
    """The expanded expression as a list of Monos (every term must have a positive coefficient)."""
    e = sp.expand(sp.sympify(expr))
    return [Mono.of(t) for t in sp.Add.make_args(e)]


# ---- exact simplex (phase I) -------------------------------------------------------------------------------

def feasible(M: list, b: list):
    """Exact phase-I simplex for {x >= 0 : M x = b} (rows of fmpq, b >= 0).

    Returns ("feasible", x) or ("infeasible", z) with z.M_j >= 0 for every column j and z.b < 0 (Farkas).

    >>> feasible([[fmpq(1), fmpq(1)]], [fmpq(1)])[0]
    'feasible'
    >>> feasible([[fmpq(1), fmpq(1)]], [fmpq(-1)])
    ('infeasible', [1])
    """
    m = len(M)
    n = len(M[0]) if m else 0
    sign = [fmpq(-1) if bi < 0 else fmpq(1) for bi in b]
    T = [[sign[i] * M[i][j] for j in range(n)] + [fmpq(1) if r == i else fmpq(0) for r in range(m)] + [sign[i] * b[i]]
         for i in range(m)]
    basis = [n + i for i in range(m)]
    cost = [fmpq(0)] * n + [fmpq(1)] * m
    for _ in range(10000):
        red = [cost[j] - sum((cost[basis[i]] * T[i][j] for i in range(m)), fmpq(0)) for j in range(n + m)]
        enter = next((j for j in range(n + m) if red[j] < 0), None)
        if enter is None:
            break
        rows = [i for i in range(m) if T[i][enter] > 0]
        if not rows:  # pragma: no cover - phase I is bounded below by 0
            raise BoundError("unbounded phase I")
        best = min(rows, key=lambda i: (T[i][-1] / T[i][enter], basis[i]))
        piv = T[best][enter]
        T[best] = [v / piv for v in T[best]]
        for i in range(m):
            if i != best and T[i][enter] != 0:
                f = T[i][enter]
                T[i] = [a - f * c for a, c in zip(T[i], T[best])]
        basis[best] = enter
    else:  # pragma: no cover
        raise BoundError("the simplex method did not terminate")
    w = sum((cost[basis[i]] * T[i][-1] for i in range(m)), fmpq(0))
    if w == 0:
        x = [fmpq(0)] * n
        for i, j in enumerate(basis):
            if j < n:
                x[j] = T[i][-1]
        if any(sum((M[i][j] * x[j] for j in range(n)), fmpq(0)) != b[i] for i in range(m)):  # pragma: no cover
            raise BoundError("internal error: simplex solution does not solve the system")
        return "feasible", x
    pi = [sum((cost[basis[i]] * T[i][n + k] for i in range(m)), fmpq(0)) * sign[k] for k in range(m)]
    z = [-v for v in pi]
    if any(sum((z[i] * M[i][j] for i in range(m)), fmpq(0)) < 0 for j in range(n)) or \
            sum((z[i] * b[i] for i in range(m)), fmpq(0)) >= 0:  # pragma: no cover
        raise BoundError("internal error: the Farkas vector does not verify")
    return "infeasible", z


# ---- float helpers (finders only) ---------------------------------------------------------------------------

def _flog2(c) -> float:
    return float(sp.N(sp.log(sp.sympify(c), 2), 30))


def _linprog(**kw):
    from scipy.optimize import linprog
    try:
        return linprog(method="highs", **kw)
    except Exception:  # noqa: BLE001 - a finder failing only means we fall back to the exact method
        return None


# ---- domination ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Domination:
    """Certificate of T <= K * sum_j U_j on {k_i x^(a_i) <= 1}: theta over the U_j, lambda over the constraints."""

    T: Mono
    U: tuple
    cons: tuple
    theta: tuple
    lam: tuple
    K: sp.Expr

    def check(self) -> bool:
        """Re-check the exponent identity and the signs exactly, and recompute K."""
        if any(t < 0 for t in self.theta) or any(v < 0 for v in self.lam) or sum(self.theta, fmpq(0)) != 1:
            return False
        vars_ = _vars([self.T, *self.U, *self.cons])
        lhs = {v: _q(self.T.exp.get(v, 0)) - sum((t * _q(u.exp.get(v, 0)) for t, u in zip(self.theta, self.U)), fmpq(0))
               for v in vars_}
        rhs = {v: sum((lm * _q(c.exp.get(v, 0)) for lm, c in zip(self.lam, self.cons)), fmpq(0)) for v in vars_}
        return lhs == rhs and sp.simplify(self.K - _constant(self.T, self.U, self.cons, self.theta, self.lam)) == 0


@dataclass(frozen=True)
class Growth:
    """Certificate that T / U_j -> oo for every j along x0 * t^y inside {k_i x^(a_i) <= 1 (< 1 if strict)}."""

    T: Mono
    U: tuple
    cons: tuple
    y: dict
    x0_log2: dict
    strict: tuple = ()

    def check(self) -> bool:
        """a_i . y <= 0, x0 = 2^x0_log2 in the region (strictly where strict; decided rigorously), and
        (e_T - e_j) . y > 0 for every j."""
        y = {v: _q(val) for v, val in self.y.items()}
        strict = self.strict or (True,) * len(self.cons)
        for c, st in zip(self.cons, strict):
            if sum((_q(x) * y.get(v, fmpq(0)) for v, x in c.exps), fmpq(0)) > 0:
                return False
            if not _inside(c, self.x0_log2, st):
                return False
        for u in self.U:
            g = sum(((_q(self.T.exp.get(v, 0)) - _q(u.exp.get(v, 0))) * y.get(v, fmpq(0))
                     for v in _vars([self.T, u])), fmpq(0))
            if g <= 0:
                return False
        return True


def _inside(c: Mono, x0: dict, strict: bool = True) -> bool:
    expo = sum((sp.Rational(x) * sp.Rational(x0.get(v, 0)) for v, x in c.exps), sp.S.Zero)
    cmp = compare(c.coef * sp.Integer(2) ** expo, 1)
    return cmp < 0 if strict else cmp <= 0


def _vars(monos) -> list:
    s = set()
    for m in monos:
        s.update(v for v, _ in m.exps)
    return sorted(s, key=lambda v: v.name)


def _constant(T, U, cons, theta, lam):
    K = T.coef
    for t, u in zip(theta, U):
        K *= u.coef ** (-_sq(t))
    for lm, c in zip(lam, cons):
        K *= c.coef ** (-_sq(lm))
    return K


def _system(T, U, cons, vars_):
    """Columns: theta_j (e_T - e_j; 1), lambda_i (-a_i; 0).  Rows: one per variable, then sum(theta) = 1."""
    cols = []
    for u in U:
        cols.append([_q(T.exp.get(v, 0)) - _q(u.exp.get(v, 0)) for v in vars_] + [fmpq(1)])
    for c in cons:
        cols.append([-_q(c.exp.get(v, 0)) for v in vars_] + [fmpq(0)])
    M = [[col[r] for col in cols] for r in range(len(vars_) + 1)]
    b = [fmpq(0)] * len(vars_) + [fmpq(1)]
    return M, b


def dominate(T: Mono, U: list, cons: list):
    """A Domination certificate of T <= K sum U on the region, or a Farkas direction (dict var -> fmpq)."""
    U, cons = list(U), list(cons)
    if not U:
        raise BoundError("nothing to dominate with")
    vars_ = _vars([T, *U, *cons])
    M, b = _system(T, U, cons, vars_)
    ncol = len(U) + len(cons)
    cols = list(range(ncol))
    # finder: HiGHS minimises log2 K; its support is re-solved exactly
    cost = [_flog2(T.coef) - _flog2(u.coef) for u in U] + [-_flog2(c.coef) for c in cons]
    res = _linprog(c=cost, A_eq=[[float(v) for v in row] for row in M], b_eq=[float(v) for v in b],
                   bounds=[(0, None)] * ncol)
    tries = []
    if res is not None and res.status == 0:
        tries.append([j for j in cols if res.x[j] > 1e-9])
    tries.append(cols)
    for support in tries:
        status, x = feasible([[row[j] for j in support] for row in M], b)
        if status == "feasible":
            full = [fmpq(0)] * ncol
            for j, v in zip(support, x):
                full[j] = v
            theta, lam = tuple(full[:len(U)]), tuple(full[len(U):])
            cert = Domination(T, tuple(U), tuple(cons), theta, lam, _constant(T, U, cons, theta, lam))
            if not cert.check():  # pragma: no cover
                raise BoundError("internal error: a domination certificate does not verify")
            return cert
        if support is cols:
            z = x
            return {v: z[i] for i, v in enumerate(vars_)}
    raise BoundError("unreachable")  # pragma: no cover


# ---- points and emptiness ----------------------------------------------------------------------------------

def interior_point(cons: list, vars_: list, strict: list | None = None):
    """A point (log2 coordinates, small rationals) of the region, strictly inside the constraints marked strict
    (all of them by default), checked rigorously; or None."""
    strict = list(strict) if strict is not None else [True] * len(cons)
    if not vars_:
        return {} if all(_inside(c, {}, st) for c, st in zip(cons, strict)) else None
    n = len(vars_)
    A = [[float(dict(c.exps).get(v, 0)) for v in vars_] + [1.0 if st else 0.0] for c, st in zip(cons, strict)]
    bb = [-_flog2(c.coef) for c in cons]
    res = _linprog(c=[0.0] * n + [-1.0], A_ub=A or None, b_ub=bb or None,
                   bounds=[(-60, 60)] * n + [(None, 1.0)])
    if res is None or res.status != 0 or (any(strict) and res.x[-1] <= 1e-9):
        return None
    # second pass: a point of slack >= half the best, with the smallest sum |x_v| (readable witnesses)
    s = max(res.x[-1], 0.0) / 2
    A2 = [row[:n] + [0.0] * n for row in A] + \
        [[(1.0 if j == k else 0.0) for j in range(n)] + [(-1.0 if j == k else 0.0) for j in range(n)] for k in range(n)] + \
        [[(-1.0 if j == k else 0.0) for j in range(n)] + [(-1.0 if j == k else 0.0) for j in range(n)] for k in range(n)]
    b2 = [bi - (s if st else 0.0) for bi, st in zip(bb, strict)] + [0.0] * (2 * n)
    res2 = _linprog(c=[0.0] * n + [1.0] * n, A_ub=A2, b_ub=b2, bounds=[(-60, 60)] * n + [(0, None)] * n)
    cands = ([res2.x[:n]] if res2 is not None and res2.status == 0 else []) + [res.x[:n]]
    for xs in cands:
        for den in (1, 2, 4, 8, 64, 1024):
            x0 = {v: sp.Rational(Fraction(float(xs[k])).limit_denominator(den)) for k, v in enumerate(vars_)}
            if all(_inside(c, x0, st) for c, st in zip(cons, strict)):
                return x0
    return None


@dataclass(frozen=True)
class Empty:
    """Certificate that {k_i x^(a_i) <= 1} is empty: lambda >= 0 with sum lambda_i a_i = 0, prod k_i^lambda_i > 1."""

    cons: tuple
    lam: tuple

    def check(self) -> bool:
        vars_ = _vars(self.cons)
        if any(v < 0 for v in self.lam):
            return False
        if any(sum((lm * _q(c.exp.get(v, 0)) for lm, c in zip(self.lam, self.cons)), fmpq(0)) != 0 for v in vars_):
            return False
        prod = sp.Mul(*[c.coef ** _sq(lm) for lm, c in zip(self.lam, self.cons)])
        return compare(prod, 1) > 0


def emptiness(cons: list):
    """An Empty certificate when the closed region is empty (found with HiGHS, checked exactly), else None."""
    cons = list(cons)
    vars_ = _vars(cons)
    if not cons:
        return None
    n = len(cons)
    A = [[float(dict(c.exps).get(v, 0)) for c in cons] for v in vars_] + [[1.0] * n]
    res = _linprog(c=[-_flog2(c.coef) for c in cons], A_eq=A, b_eq=[0.0] * len(vars_) + [1.0], bounds=[(0, None)] * n)
    if res is None or res.status != 0 or res.fun >= -1e-12:
        return None
    support = [i for i in range(n) if res.x[i] > 1e-9]
    M = [[_q(dict(cons[i].exps).get(v, 0)) for i in support] for v in vars_] + [[fmpq(1)] * len(support)]
    status, x = feasible(M, [fmpq(0)] * len(vars_) + [fmpq(1)])
    if status != "feasible":
        return None
    lam = [fmpq(0)] * n
    for i, v in zip(support, x):
        lam[i] = v
    cert = Empty(tuple(cons), tuple(lam))
    return cert if cert.check() else None
