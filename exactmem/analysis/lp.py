"""Floating-point linear programs over a region of an input set, for the finder (never for a verdict).

A region is the input set S (a box or an l_p ball, centre x0) cut by constraints c.x + e >= 0 given
exactly.  The LP works in scaled coordinates x = x0 + s * u (s a power of two near the radius, or the
box's half-widths), each row divided by its largest coefficient, so data at scale 10^-300 or 10^300 give
the solver numbers near 1.  The l_2 ball is approached by tangent cuts.  What comes back is a float value
and multipliers lam >= 0 in the original coordinates -- a hint the kernel then checks exactly.

>>> from flint import fmpq
>>> R = Region([fmpq(0)], "inf", fmpq(1), [((fmpq(1),), fmpq(0))])   # [-1, 1] cut by x >= 0
>>> val, lam, x = R.minimize((fmpq(1),), fmpq(0))                      # min x over the region
>>> round(val, 9), lam
(0.0, [1])
"""
from __future__ import annotations

import math
import os
import sys

import numpy as np
from flint import fmpq
from scipy.optimize import linprog, nnls

try:
    import highspy
except ImportError:                     # scipy's linprog runs the same solver, with more overhead per call
    highspy = None

BIG = 1e6       # a scaled constant beyond this is clamped (the row is redundant or infeasible on the set)
UNBOUNDED = "unbounded"     # an LP over the whole space R^d whose objective has no lower bound
SPREAD = 4.0    # on R^d, sample points are drawn from the box |u_j| <= SPREAD of the scaled coordinates


def _log2(q: fmpq) -> int:
    return int(q.p).bit_length() - int(q.q).bit_length() if q else 0


def _pow2(e: int) -> fmpq:
    return fmpq(2) ** e if e >= 0 else fmpq(1, 2 ** -e)


def ffloat(q) -> float:
    """The nearest float to an exact number, +-inf beyond the float range (float(fmpq) raises there)."""
    try:
        return float(q)
    except OverflowError:
        return math.inf if q > 0 else -math.inf


def rat(t: float) -> fmpq:
    """The exact value of a finite float."""
    return fmpq(*float(t).as_integer_ratio())


_FIRST = [True]


def _highs():
    """A HiGHS model; the first of a process is made with the C-level standard output closed, since HiGHS
    prints its banner there when it starts (it would land in the middle of a command's output)."""
    if not _FIRST:
        return highspy.Highs()
    _FIRST.clear()
    try:
        sys.stdout.flush()
        keep, null = os.dup(1), os.open(os.devnull, os.O_WRONLY)
    except (OSError, ValueError):
        return highspy.Highs()
    try:
        os.dup2(null, 1)
        return highspy.Highs()
    finally:
        os.dup2(keep, 1)
        os.close(keep)
        os.close(null)


class _Highs:
    """min c.x subject to rows x <= rhs and bounds, in HiGHS; rows added later re-solve from the last basis."""

    def __init__(self, c, rows, rhs, bounds):
        h = self.h = _highs()
        h.setOptionValue("output_flag", False)
        inf = highspy.kHighsInf
        lo = np.array([-inf if a is None else a for a, _ in bounds], dtype=float)
        hi = np.array([inf if b is None else b for _, b in bounds], dtype=float)
        h.addVars(len(c), lo, hi)
        h.changeColsCost(len(c), np.arange(len(c), dtype=np.int32), np.asarray(c, dtype=float))
        for r, v in zip(rows, rhs):
            self.add(r, v)

    def add(self, row, rhs):
        """Add the row (row.x <= rhs); returns its index in the model."""
        nz = np.flatnonzero(row).astype(np.int32)
        self.h.addRow(-highspy.kHighsInf, float(rhs), len(nz), nz, np.asarray(row, dtype=float)[nz])
        return self.h.getNumRow() - 1

    def cost(self, c):
        self.h.changeColsCost(len(c), np.arange(len(c), dtype=np.int32), np.asarray(c, dtype=float))

    def run(self):
        """(value, x, row duals) or None when infeasible."""
        h, S = self.h, highspy.HighsModelStatus
        h.run()
        st = h.getModelStatus()
        if st not in (S.kOptimal, S.kInfeasible, S.kUnbounded):    # e.g. presolve could not tell, or a warm start
            h.clearSolver()                                          # on a free problem went wrong: from scratch
            h.setOptionValue("presolve", "off")
            h.run()
            st = h.getModelStatus()
            h.setOptionValue("presolve", "choose")
        if st == highspy.HighsModelStatus.kInfeasible:
            return None
        if st == highspy.HighsModelStatus.kUnbounded:
            return UNBOUNDED
        if st != highspy.HighsModelStatus.kOptimal:
            raise ArithmeticError(f"the LP solver failed: {h.modelStatusToString(st)}")
        sol = h.getSolution()
        return h.getInfo().objective_function_value, np.array(sol.col_value), np.array(sol.row_dual)


class _Linprog:
    """The same through scipy's linprog (used when highspy is not installed)."""

    def __init__(self, c, rows, rhs, bounds):
        self.c, self.rows, self.rhs, self.bounds = c, list(rows), list(rhs), bounds

    def add(self, row, rhs):
        self.rows.append(row)
        self.rhs.append(rhs)

    def run(self):
        res = linprog(self.c, A_ub=np.array(self.rows) if self.rows else None,
                      b_ub=np.array(self.rhs) if self.rows else None, bounds=self.bounds, method="highs")
        if res.status == 2:
            return None
        if res.status == 3:
            return UNBOUNDED
        if res.status != 0:
            raise ArithmeticError(f"the LP solver failed: {res.message}")
        return float(res.fun), res.x, res.ineqlin.marginals if self.rows else np.zeros(0)


class Region:
    """The set S = {x : ||x - x0||_p <= r} (p = 1, 2 with r = radius^2, inf), a box (p = "box", r = half-widths)
    or the whole space (p = "all", r = the scale of the coordinates, a positive rational or None for 1) with
    constraints rows [(c, e)] meaning c.x + e >= 0."""

    def __init__(self, x0, p, r, rows=()):
        self.x0, self.p, self.d, self.r = list(x0), p, len(x0), r
        if p == "all":
            self.s = [_pow2(_log2(r) if r else 0)] * self.d
            self.ub = [math.inf] * self.d
            self.radius = SPREAD
        elif p == "box":
            self.s = [t if t else fmpq(1) for t in r]
            self.ub = [1.0 if t else 0.0 for t in r]
            self.radius = 1.0
        else:
            e = _log2(r) // 2 if p == 2 else _log2(r)
            self.s = [_pow2(e)] * self.d
            self.radius = math.sqrt(float(r / _pow2(2 * e))) if p == 2 else float(r / _pow2(e))
            self.ub = [self.radius] * self.d
        self.rows, self.scale, self.A, self.b, self._lp = [], [], [], [], None
        for c, e in rows:
            self.add(c, e)

    def scaled(self, c, e):
        """(float coefficients, float constant, exact norm n) of (c.x + e) / n in the u coordinates."""
        cs = [a * s for a, s in zip(c, self.s)]
        n = max(map(abs, cs))
        k = e + sum((a * x for a, x in zip(c, self.x0)), fmpq(0))
        if n == 0:                    # 0 >= -k holds everywhere (never tight, even for k = 0) or nowhere
            return [0.0] * self.d, (1.0 if k >= 0 else -1.0), fmpq(1)
        return [float(a / n) for a in cs], max(-BIG, min(BIG, ffloat(k / n))), n

    def add(self, c, e):
        a, k, n = self.scaled(c, e)
        self.rows.append((c, e))
        self.scale.append(n)
        self.A.append([-t for t in a])
        self.b.append(k)
        if self._lp is not None:
            lp, idx, cols = self._lp
            idx.append(lp.add(np.concatenate([self.A[-1], np.zeros(cols - self.d)]), k))

    def copy(self):
        R = Region.__new__(Region)
        R.__dict__.update(self.__dict__)
        R.rows, R.scale, R.A, R.b, R._lp = list(self.rows), list(self.scale), list(self.A), list(self.b), None
        return R

    def _model(self, A, b, bounds, cols, n):
        """The HiGHS model of this region, kept between objectives (re-solved from its last basis) and given
        each row the region gains (l_2 cuts are removed after each objective)."""
        if self._lp is None:
            lp = _Highs(np.zeros(cols), A, b, bounds)
            self._lp = (lp, list(range(n)), cols)
        return self._lp

    def _solve(self, obj, phase1=False, tol=1e-7):
        """Minimize obj.u (phase1: minimize t with every row + t >= 0) over the scaled set; None if infeasible."""
        d, n = self.d, len(self.A)
        extra = d if self.p == 1 else 0                   # l_1: w >= |u|, sum w <= radius
        cols = d + extra + int(phase1)
        A = np.zeros((n + 2 * extra + int(extra > 0), cols))
        b = np.zeros(A.shape[0])
        if n:
            A[:n, :d], b[:n] = self.A, self.b
        if phase1:                                        # a row with no coefficients takes no slack: 0 >= -b
            A[:n, -1] = [-1.0 if any(r) else 0.0 for r in self.A]
        for j in range(extra):
            A[n + 2 * j, [j, d + j]] = 1.0, -1.0
            A[n + 2 * j + 1, [j, d + j]] = -1.0, -1.0
        if extra:
            A[-1, d:2 * d], b[-1] = 1.0, self.radius
        free = (-1.0 if self.p == "all" else None, None)      # on R^d the slack t is capped at 1
        bounds = [(None, None) if u == math.inf else (-u, u) for u in self.ub] + [(0, None)] * extra + \
            [free] * int(phase1)
        c = np.zeros(cols)
        c[:len(obj)] = obj
        if phase1:
            c[-1] = 1.0
        g = np.asarray(c[:d])
        ng = float(np.linalg.norm(g))
        cuts = [-g / ng] if self.p == 2 and ng > 0 else []  # where g.u is least on the ball alone
        keep = None
        if highspy is not None and not phase1:                # one model per region, warm-started
            lp, idx, _ = self._model(A, b, bounds, cols, n)
            lp.cost(c)
            keep = lp.h.getNumRow()                           # this objective's l_2 cuts go after
            for cu in cuts:
                lp.add(np.concatenate([cu, np.zeros(cols - d)]), self.radius)
        else:
            rows = np.vstack([A] + [np.concatenate([cu, np.zeros(cols - d)])[None, :] for cu in cuts]) if cuts else A
            rhs = np.concatenate([b, np.full(len(cuts), self.radius)]) if cuts else b
            lp, idx = (_Highs if highspy is not None else _Linprog)(c, rows, rhs, bounds), list(range(n))
        while True:
            out = lp.run()
            if out is None or out is UNBOUNDED or self.p != 2:
                break
            u = out[1][:d]
            nu = float(np.linalg.norm(u))
            if nu <= self.radius * (1 + tol) or len(cuts) >= 60:
                break
            cuts.append(u / nu)                               # the tangent cut at the radial projection of u
            lp.add(np.concatenate([cuts[-1], np.zeros(cols - d)]), self.radius)
        if keep is not None and lp.h.getNumRow() > keep:        # cuts for one objective only
            extra = lp.h.getNumRow() - keep
            lp.h.deleteRows(extra, np.arange(keep, keep + extra, dtype=np.int32))
        if out is None or out is UNBOUNDED:
            return out
        fun, x, duals = out
        return fun, [max(0.0, -float(duals[i])) for i in idx], x[:d]

    def minimize(self, g, h, tol=1e-7):
        """(float min of (g.x + h) / n over the region, n = ``scaled(g, h)[2]``; exact multipliers in x
        coordinates from the float ones; float u at the optimum); None when the solver finds the region empty.  For l_2 the ball is cut until the LP point is within
        a relative ``tol`` of it: the value is then a lower bound, within about tol of the minimum."""
        a, k, n = self.scaled(g, h)
        out = self._solve(a, tol=tol)
        if out is None:
            return None
        if out is UNBOUNDED:                                  # only on R^d: no multipliers, no point
            return -math.inf, [fmpq(0)] * len(self.scale), None
        val, lam, u = out
        return val + k, [rat(t) * n / s if t else fmpq(0) for t, s in zip(lam, self.scale)], u

    def slack(self, tol=1e-7):
        """(t*, exact multipliers from the float ones, u) for min t with every row + t >= 0: t* > 0 hints that no
        point of the set meets every row (multipliers for 0 > 0); t* < 0 gives a point u inside every row with
        slack -t*.  A row 0.x + e >= 0 takes no slack: it holds everywhere (e >= 0) or nowhere (e < 0, t* = 1,
        its multiplier proves 0 > 0, u the centre); with no other row, t* = -1 (capped, as on R^d) and u = 0."""
        if not self.A:
            return None
        void = [fmpq(1, s) if not any(a) and b < 0 else fmpq(0) for a, b, s in zip(self.A, self.b, self.scale)]
        if any(void):
            return 1.0, void, np.zeros(self.d)
        if not any(map(any, self.A)):
            return -1.0, [fmpq(0)] * len(self.A), np.zeros(self.d)
        out = self._solve([], phase1=True, tol=tol)
        if out is None or out is UNBOUNDED:               # not expected (t is free); no hint, callers check points
            return (1.0 if out is None else -1.0), [fmpq(0)] * len(self.A), np.zeros(self.d)
        val, lam, u = out
        return val, [rat(t) / s if t else fmpq(0) for t, s in zip(lam, self.scale)], u

    def nearest(self):
        """The float point u (scaled) of the rows' polyhedron nearest to x0 in the set's norm, ignoring the set's
        own bound; None if the rows are infeasible.  l_inf and l_1 by an LP with an epigraph variable, l_2 as a
        least-distance program by non-negative least squares (Lawson and Hanson, ch. 23)."""
        d, n = self.d, len(self.A)
        A, b = np.array(self.A).reshape(n, d), np.array(self.b)
        if not n:
            return np.zeros(d)
        if self.p == 2:
            E = np.vstack([-A.T, -b[None, :]])                 # rows -A u >= -b
            f = np.zeros(d + 1)
            f[d] = 1.0
            y, _ = nnls(E, f, maxiter=50 * (n + d))
            r = E @ y - f
            return None if abs(r[d]) < 1e-12 else -r[:d] / r[d]
        k = 1 if self.p == "inf" else d                    # l_inf: |u_j| <= t; l_1: |u_j| <= w_j, min sum w
        I, T = np.eye(d), np.zeros((d, k))
        T[:, :] = -1.0 if k == 1 else -np.eye(d)
        AA = np.vstack([np.hstack([A, np.zeros((n, k))]), np.hstack([I, T]), np.hstack([-I, T])])
        bb = np.concatenate([b, np.zeros(2 * d)])
        res = linprog(np.concatenate([np.zeros(d), np.ones(k)]), A_ub=AA, b_ub=bb,
                      bounds=[(None, None)] * d + [(0, None)] * k, method="highs")
        if res.status == 2:
            return None
        if res.status != 0:
            raise ArithmeticError(f"the LP solver failed: {res.message}")
        return res.x[:d]

    def point(self, u, shrink=0.0, bits=None):
        """The exact point x0 + s * (1 - shrink) * u for a float u, each u_j rounded to a multiple of 2^-bits
        (to the float itself when bits is None)."""
        nu = float(np.linalg.norm(u)) if self.p == 2 else 0.0
        pull = self.radius / nu if nu > self.radius else 1.0            # a cut LP's point may lie outside the ball
        ts = [(1 - shrink) * pull * float(t) for t in u]
        us = [fmpq(round(t * 2 ** bits), 2 ** bits) if bits else fmpq(*t.as_integer_ratio()) for t in ts]
        return [x + s * t for x, s, t in zip(self.x0, self.s, us)]
