"""Points where a goal is likely to fail: minimisers of the triangle relaxation of a ReLU network, in floats.

On a box with pre-activation bounds l <= z <= u (from ``bab.bounds``), each unstable unit's a = relu(z) is
relaxed to the triangle a >= 0, a >= z, a <= u (z - l) / (u - l); stable units are exact (a = z, or a = 0),
and a split unit keeps its sign as a linear constraint.  Minimising one clause's largest atom over this
polytope (one LP, HiGHS through scipy) gives an input point x that a network which is "almost linear" on the
box maps near the relaxation's optimum: a start for a gradient attack where random starts sit on a plateau
(mnistfc property 0 at 0.05: ten first-layer units can switch on, two do at random points; the LP point of
clause 9 is 0.2 short, 200 gradient steps from it reach +0.04).  A finder only: every point it suggests is
confirmed by exact evaluation elsewhere.

>>> from exactmem import ReLUNet
>>> from exactmem.analysis.bab import FloatNet
>>> fn = FloatNet(ReLUNet([([[1], [-1]], [0, 0]), ([[1, 1]], [0])]).sparse_layers(), 1)     # |x|
>>> [(x, value)] = minimisers(fn, np.array([-1.0]), np.array([2.0]), {}, [(np.array([[1.0]]), np.array([0.0]))])
>>> round(float(x[0]), 6) + 0.0, round(value, 6)    # the relaxation's minimiser of |x| on [-1, 2], and its value
(0.0, 0.0)
"""
from __future__ import annotations

import numpy as np
from scipy.optimize import linprog
from scipy.sparse import coo_matrix

from . import bab


def minimisers(fn, lo, hi, splits, rows):
    """Per clause (``rows``: the atoms' (G, h), as ``bab._clause_rows``), (x, value): a float point x of the box
    [lo, hi] minimising the clause's largest atom over the triangle relaxation with the leaf's ``splits``, and
    that minimum (a lower bound of the clause's largest atom on the leaf, up to float error); None for a clause
    whose LP fails; [] for an empty leaf."""
    out = bab.bounds(fn, lo, hi, splits)
    if out is None:
        return []
    ls, _ = out
    d = len(lo)
    var, bnds = [np.arange(d)], [(float(a), float(b)) for a, b in zip(lo, hi)]     # variable indices per layer
    A, rhs, eq, eq_rhs = [], [], [], []               # rows as (cols, vals)
    n = d
    for k, (l, u) in enumerate(ls):
        prev = var[-1]
        W = fn.W[k]
        here = np.full(len(l), -1)
        for j in range(len(l)):
            sgn = splits.get(k, {}).get(j, 0)
            cols, vals = _affine(W[j], prev)
            if u[j] <= 0:                             # off: a = 0 (no variable); a split keeps z <= 0
                if sgn < 0:
                    A.append((cols, vals)); rhs.append(-fn.b[k][j])
                continue
            here[j] = n
            bnds.append((0.0, float(u[j])))
            if l[j] >= 0:                             # on: a = z (and z >= 0, for a split)
                eq.append((np.append(cols, n), np.append(-vals, 1.0))); eq_rhs.append(fn.b[k][j])
                if sgn > 0:
                    A.append((cols, -vals)); rhs.append(fn.b[k][j])
            else:                                     # the triangle: z - a <= -b, a - s z <= s (b - l)
                s = u[j] / (u[j] - l[j])
                A.append((np.append(cols, n), np.append(vals, -1.0))); rhs.append(-fn.b[k][j])
                A.append((np.append(cols, n), np.append(-s * vals, 1.0))); rhs.append(s * (fn.b[k][j] - l[j]))
            n += 1
        var.append(here)
    last = var[-1]
    points = []
    for G, h in rows:
        atoms = len(G) if len(G) == 1 else len(G) - 1        # the average row of a clause is not an atom
        c = np.zeros(n + 1)
        Ab, rb = list(A), list(rhs)
        for i in range(atoms):                               # t >= g_i . (W a + b) + h_i
            cols, vals = _affine(G[i] @ fn.W[-1], last)
            Ab.append((np.append(cols, n), np.append(vals, -1.0)))
            rb.append(-(G[i] @ fn.b[-1] + h[i]))
        c[n] = 1.0
        try:                                                 # inf/nan (weights beyond floats): no LP, no point
            res = linprog(c, A_ub=_sparse(Ab, n + 1), b_ub=np.array(rb), A_eq=_sparse(eq, n + 1) if eq else None,
                          b_eq=np.array(eq_rhs) if eq else None, bounds=bnds + [(None, None)], method="highs")
        except ValueError:
            points.append(None)
            continue
        points.append((np.clip(res.x[:d], lo, hi), float(res.fun)) if res.status == 0 else None)
    return points


def _affine(w, prev):
    """The non-zero terms of w . a_prev over the previous layer's variables (-1: a unit that is always 0)."""
    keep = (prev >= 0) & (w != 0)
    return prev[keep], w[keep]


def _sparse(rows, n):
    r = np.concatenate([np.full(len(c), i) for i, (c, _) in enumerate(rows)]) if rows else np.zeros(0, int)
    c = np.concatenate([c for c, _ in rows]) if rows else np.zeros(0, int)
    v = np.concatenate([v for _, v in rows]) if rows else np.zeros(0)
    return coo_matrix((v, (r, c)), shape=(len(rows), n)).tocsr()


ELASTIC = [1e4]            # the price of a violated split sign in ``hints``' LP: a bound on its multipliers beta
BIG = 1e12                 # ``LeafLP`` steps aside for weights or bounds beyond this (HiGHS reads 1e20 as infinite)


def hints(fn, lo, hi, splits, ls, g, h):
    """(value, alphas, betas, x) for one atom g . f + h on a leaf: the least value of the atom over the triangle
    relaxation with the leaf's pre-activation bounds ``ls`` (``bab.bounds``: the kernel's own, mirrored) and
    its splits' sign constraints, and the lower slopes and split multipliers that make the kernel's bound equal
    it, read off the LP's dual (the relaxed ReLU a >= alpha z of an unstable unit is the mix of a >= z and
    a >= 0 in the proportion of their multipliers; beta is the multiplier of the split's s z >= 0).  The
    arrays are in ``bab._alpha_grad``'s form (-1: not free, not split); x is the LP's input point.  Optimal
    slopes and multipliers make the back-substituted bound the LP's optimum (the duality behind alpha- and
    beta-CROWN), so this is the best bound the kernel can prove on the leaf; the caller re-computes the bound
    from the hints (``bab._alpha_grad``) and trusts only that.  A split's sign may be violated at a price
    ``ELASTIC`` per unit (so beta <= ELASTIC): where the signs leave no point of the relaxation the value is
    then large and positive, and the hints prove the leaf empty.  None when HiGHS fails.

    >>> from exactmem import ReLUNet
    >>> from exactmem.analysis.bab import FloatNet, bounds
    >>> fn = FloatNet(ReLUNet([([[1]], [0]), ([[1]], [0])]).sparse_layers(), 1)     # relu(x)
    >>> lo, hi = np.array([-1.0]), np.array([2.0])
    >>> ls, _ = bounds(fn, lo, hi, {})
    >>> value, alphas, betas, x = hints(fn, lo, hi, {}, ls, np.array([1.0]), 0.0)
    >>> round(value, 9) + 0.0, [a.tolist() for a in alphas]     # relu(x) >= a x: best a = 0 (CROWN's 1 gives -1)
    (0.0, [[0.0]])
    """
    from scipy.optimize import linprog
    from scipy.sparse import coo_matrix
    d, widths = len(lo), [len(l) for l, _ in ls]
    off = [d]                                                  # columns: x, then per hidden layer z_k and a_k
    for n in widths:
        off.append(off[-1] + 2 * n)
    N = off[-1]
    lb = np.concatenate([lo] + [np.r_[np.full(n, -np.inf), np.zeros(n)] for n in widths])
    ub = np.concatenate([hi] + [np.full(2 * n, np.inf) for n in widths])
    eq, in_, eq_b, in_b, tags = _Triplets(), _Triplets(), [], [], []     # tags: (kind, k, j) per inequality row
    prev, width = 0, d                                         # the previous layer's output columns
    for k, (l, u) in enumerate(ls):
        n, z0, a0 = widths[k], off[k], off[k] + widths[k]
        W = coo_matrix(fn.W[k])                                # z_k - W_k a_(k-1) = b_k
        rows = eq.rows + np.arange(n)
        eq.add(rows, z0 + np.arange(n), np.ones(n))
        eq.add(eq.rows + W.row, prev + W.col, -W.data)
        eq.rows += n
        eq_b.append(fn.b[k])
        sg = _split_signs(splits, k, n)
        un = np.flatnonzero((l < 0) & (u > 0))
        ub[a0 + np.flatnonzero(u <= 0)] = 0.0                  # off: a = 0
        on = np.flatnonzero((l >= 0) & (u > 0))                # on: a = z (a free: a split's sign is its row)
        lb[a0 + on] = -np.inf
        r = eq.rows + np.arange(len(on))
        eq.add(np.r_[r, r], np.r_[a0 + on, z0 + on], np.r_[np.ones(len(on)), -np.ones(len(on))])
        eq.rows += len(on)
        eq_b.append(np.zeros(len(on)))
        sp = np.flatnonzero(sg != 0)                           # split: s z >= 0, i.e. -s z - e <= 0, e >= 0
        in_.add(in_.rows + np.arange(len(sp)), z0 + sp, -sg[sp])
        in_.rows += len(sp)
        in_b.append(np.zeros(len(sp)))
        tags += [("beta", k, int(j)) for j in sp]
        m = len(un)                                            # z - a <= 0 (rows 2i), a - s z <= -s l (2i + 1)
        s = u[un] / (u[un] - l[un])
        r0, r1 = in_.rows + 2 * np.arange(m), in_.rows + 2 * np.arange(m) + 1
        in_.add(np.r_[r0, r0, r1, r1], np.r_[z0 + un, a0 + un, a0 + un, z0 + un],
                np.r_[np.ones(m), -np.ones(m), np.ones(m), -s])
        in_.rows += 2 * m
        b = np.zeros(2 * m)
        b[1::2] = -s * l[un]
        in_b.append(b)
        tags += [t for j in un for t in (("ge", k, int(j)), ("le", k, int(j)))]
        prev, width = a0, n
    split_rows = [r for r, t in enumerate(tags) if t[0] == "beta"]
    E = len(split_rows)                                        # the elastic columns, one per split
    in_.add(np.array(split_rows, dtype=np.int64), N + np.arange(E), -np.ones(E))
    c = np.zeros(N + E)
    c[prev:prev + widths[-1]] = g @ fn.W[-1]
    c[N:] = ELASTIC[0]
    const = float(g @ fn.b[-1] + h)
    A_eq = eq.matrix(N + E)
    A_ub, b_ub = (in_.matrix(N + E), np.concatenate(in_b)) if in_.rows else (None, None)
    bnds = np.c_[np.r_[lb, np.zeros(E)], np.r_[ub, np.full(E, np.inf)]]
    try:
        res = linprog(c, A_ub=A_ub, b_ub=b_ub, A_eq=A_eq, b_eq=np.concatenate(eq_b), bounds=bnds, method="highs")
    except ValueError:
        return None
    if res.status != 0 or not np.all(np.isfinite(res.x)):
        return None
    marg = -res.ineqlin.marginals if in_.rows else np.zeros(0)     # >= 0: the multipliers of the rows
    rc = res.lower.marginals                                   # >= 0: of the bounds a >= 0 (and x >= lo)
    alphas = [np.full(n, -1.0) for n in widths]
    betas = [np.where(_split_signs(splits, k, n) != 0, 0.0, -1.0) for k, n in enumerate(widths)]
    for k, (l, u) in enumerate(ls):                            # default slopes first (as ``bab._relax``)
        un = (l < 0) & (u > 0)
        alphas[k][un] = (u[un] >= -l[un]).astype(float)
    for (kind, k, j), m in zip(tags, marg):
        if kind == "beta":
            betas[k][j] = max(0.0, m)
        elif kind == "ge":
            r = max(0.0, rc[off[k] + widths[k] + j])
            if m + r > 0:
                alphas[k][j] = min(1.0, max(0.0, m / (m + r)))
    return float(res.fun) + const, alphas, betas, res.x[:d]


def _split_signs(splits, k, n):
    out = np.zeros(n)
    for j, s in splits.get(k, {}).items():
        out[j] = s
    return out


class _Triplets:
    """A sparse matrix's (row, column, value) triplets, gathered in blocks; ``rows`` counts its rows."""

    def __init__(self):
        self.r, self.c, self.v, self.rows = [], [], [], 0

    def add(self, r, c, v):
        self.r.append(np.asarray(r, dtype=np.int64))
        self.c.append(np.asarray(c, dtype=np.int64))
        self.v.append(np.asarray(v, dtype=float))

    def matrix(self, cols):
        from scipy.sparse import coo_matrix
        return coo_matrix((np.concatenate(self.v), (np.concatenate(self.r), np.concatenate(self.c))),
                          shape=(self.rows, cols)).tocsr()


def basis_data(basis) -> list:
    """HiGHS's basis as plain data: [column statuses, row statuses] as small integers (kept as it is if it is
    that already), so that a leaf can travel to another process with its parent's basis."""
    if isinstance(basis, list):
        return basis
    return [[int(v) for v in basis.col_status], [int(v) for v in basis.row_status]]


def _basis(data):
    from .lp import highspy
    b = highspy.HighsBasis()
    b.col_status = [highspy.HighsBasisStatus(v) for v in data[0]]
    b.row_status = [highspy.HighsBasisStatus(v) for v in data[1]]
    b.valid = True
    return b


class LeafLP:
    """``hints``' LP for every leaf of one question, as one HiGHS model of a fixed shape changed per leaf, so that a
    leaf's LP can start from its parent's basis (a split changes a few rows: the dual simplex then needs few
    iterations).  Columns: x, then per hidden layer z_k, a_k and the elastic e_k; rows per layer: z_k - W_k
    a_(k-1) = b_k, z - a <= 0, a - s z <= -s l (on: s = 1, l = 0, so a = z; off: both free, a = 0) and the split
    row s z + e >= 0 (free where the unit is not split).

    >>> from exactmem import ReLUNet
    >>> from exactmem.analysis.bab import FloatNet, bounds
    >>> fn = FloatNet(ReLUNet([([[1]], [0]), ([[1]], [0])]).sparse_layers(), 1)     # relu(x)
    >>> lo, hi = np.array([-1.0]), np.array([2.0])
    >>> lp = LeafLP(fn, lo, hi, np.array([-1.0]), 1.0)                             # 1 - relu(x)
    >>> value, alphas, betas, x, basis = lp.solve(lo, hi, bounds(fn, lo, hi, {})[0], {})
    >>> round(value, 9) + 0.0, round(float(x[0]), 9)                # at x = 2, through the chord's upper line
    (-1.0, 2.0)
    >>> split = {0: {0: -1}}                                        # the leaf x <= 0: 1 - relu(x) = 1
    >>> value, alphas, betas, x, _ = lp.solve(lo, hi, bounds(fn, lo, hi, split)[0], split, basis)
    >>> round(value, 9), [b.tolist() for b in betas]                # the clamp alone proves it: beta = 0
    (1.0, [[0.0]])
    """

    def __init__(self, fn, lo, hi, g, h):
        from scipy.sparse import coo_matrix
        from .lp import _highs, highspy
        if highspy is None:
            raise ImportError("highspy is not installed")
        if not all(np.all(np.isfinite(W)) and np.abs(W).max(initial=0) < BIG for W in fn.W + fn.b) or \
                not (np.all(np.isfinite(g)) and np.isfinite(h) and np.all(np.isfinite(lo)) and np.all(np.isfinite(hi))):
            raise ValueError("weights or bounds beyond what the LP takes in floats")
        self.hs = _highs()                                         # without HiGHS's banner on stdout
        self.hs.setOptionValue("output_flag", False)
        self.hs.setOptionValue("presolve", "off")
        self.d, self.widths = len(lo), [len(b) for b in fn.b[:-1]]
        d, inf = self.d, highspy.kHighsInf
        self.col, self.row, col, row = [], [], d, 0                # per layer: (z, a, e) and (eq, ge, le, sp)
        for n in self.widths:
            self.col.append((col, col + n, col + 2 * n))
            self.row.append((row, row + n, row + 2 * n, row + 3 * n))
            col, row = col + 3 * n, row + 4 * n
        self.N, self.M = col, row
        tr = _Triplets()
        prev = None
        for k, n in enumerate(self.widths):
            (z, a, e), (req, rge, rle, rsp) = self.col[k], self.row[k]
            W = coo_matrix(fn.W[k])
            j = np.arange(n)
            tr.add(req + j, z + j, np.ones(n))
            tr.add(req + W.row, (W.col if prev is None else prev + W.col), -W.data)
            tr.add(np.r_[rge + j, rge + j], np.r_[z + j, a + j], np.r_[np.ones(n), -np.ones(n)])
            tr.add(np.r_[rle + j, rle + j], np.r_[a + j, z + j], np.r_[np.ones(n), -np.ones(n)])
            tr.add(np.r_[rsp + j, rsp + j], np.r_[z + j, e + j], np.r_[np.ones(n), np.ones(n)])
            prev = a
        tr.rows = self.M
        A = tr.matrix(self.N).tocsc()
        cost = np.zeros(self.N)
        self.W_out, self.b_out = fn.W[-1], fn.b[-1]
        cost[prev:prev + self.widths[-1]] = g @ fn.W[-1]
        for z, a, e in self.col:
            cost[e:e + (a - z)] = ELASTIC[0]
        self.const = float(g @ fn.b[-1] + h)
        clo, chi = np.full(self.N, -inf), np.full(self.N, inf)
        clo[:d], chi[:d] = lo, hi
        for z, a, e in self.col:
            clo[e:e + (a - z)] = 0.0                               # e >= 0
        rlo, rhi = np.full(self.M, -inf), np.full(self.M, inf)
        for k, (req, rge, rle, rsp) in enumerate(self.row):
            rlo[req:rge] = rhi[req:rge] = fn.b[k]
        lp = highspy.HighsLp()
        lp.num_col_, lp.num_row_ = self.N, self.M
        lp.col_cost_, lp.col_lower_, lp.col_upper_ = cost, clo, chi
        lp.row_lower_, lp.row_upper_ = rlo, rhi
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.start_, lp.a_matrix_.index_, lp.a_matrix_.value_ = A.indptr, A.indices, A.data
        self.lp, self.inf = lp, inf
        self._fresh()

    def objective(self, g, h):
        """The same model for the atom g . f + h (only costs change: a basis of another atom stays a warm
        start)."""
        a, n = self.col[-1][1], self.widths[-1]
        cost = np.array(self.lp.col_cost_)
        cost[a:a + n] = g @ self.W_out
        self.lp.col_cost_ = cost
        self.const = float(g @ self.b_out + h)
        self.hs.changeColsCost(n, np.arange(a, a + n, dtype=np.int32), cost[a:a + n])

    def _fresh(self):
        """The model as built, with nothing of earlier leaves in HiGHS's state."""
        self.hs.passModel(self.lp)
        self.s = [np.ones(n) for n in self.widths]                 # the coefficients now in the le rows
        self.sign = [np.ones(n) for n in self.widths]              # and in the split rows

    def solve(self, lo, hi, ls, splits, basis=None):
        """(value, alphas, betas, x, basis) on a leaf with box [lo, hi], bounds ``ls`` and ``splits`` (as
        ``hints``), starting from ``basis`` (a parent's); None when HiGHS fails."""
        if basis is None:       # a cold start from the model as built: the answer is the same in any process,
            self._fresh()       # whatever leaves this model solved before (work-queues: the same tree bytes)
        hs, inf = self.hs, self.inf
        if not all(np.all(np.isfinite(l)) and np.all(np.isfinite(u)) and np.abs(l).max(initial=0) < BIG and
                   np.abs(u).max(initial=0) < BIG for l, u in ls):
            return None
        clo, chi, cidx, rlo, rhi, ridx = [lo], [hi], [np.arange(self.d)], [], [], []
        for k, (l, u) in enumerate(ls):
            n = self.widths[k]
            (z, a, e), (req, rge, rle, rsp) = self.col[k], self.row[k]
            un, on, off = (l < 0) & (u > 0), (l >= 0) & (u > 0), u <= 0
            j = np.arange(n)
            cidx.append(a + j)
            clo.append(np.where(on, -inf, 0.0))
            chi.append(np.where(off, 0.0, inf))
            with np.errstate(all="ignore"):
                s = np.where(un, u / (u - l), 1.0)
            for i in np.flatnonzero(s != self.s[k]):
                hs.changeCoeff(int(rle + i), int(z + i), float(-s[i]))
            self.s[k] = s
            ridx.append(np.r_[rge + j, rle + j])
            rlo.append(np.full(2 * n, -inf))
            rhi.append(np.r_[np.where(off, inf, 0.0), np.where(off, inf, np.where(un, -s * l, 0.0))])
            sg = _split_signs(splits, k, n)
            want = np.where(sg != 0, sg, self.sign[k])
            for i in np.flatnonzero(want != self.sign[k]):
                hs.changeCoeff(int(rsp + i), int(z + i), float(want[i]))
            self.sign[k] = want
            ridx.append(rsp + j)
            rlo.append(np.where(sg != 0, 0.0, -inf))
            rhi.append(np.full(n, inf))
        cidx, ridx = np.concatenate(cidx).astype(np.int32), np.concatenate(ridx).astype(np.int32)
        hs.changeColsBounds(len(cidx), cidx, np.concatenate(clo), np.concatenate(chi))
        hs.changeRowsBounds(len(ridx), ridx, np.concatenate(rlo), np.concatenate(rhi))
        if basis is not None:
            hs.setBasis(basis if not isinstance(basis, list) else _basis(basis))
        hs.run()
        from .lp import highspy
        if hs.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            return None
        sol = hs.getSolution()
        x, cd, rd = np.array(sol.col_value), np.array(sol.col_dual), np.array(sol.row_dual)
        if not np.all(np.isfinite(x)):
            return None
        alphas, betas = [], []
        for k, (l, u) in enumerate(ls):
            n = self.widths[k]
            (z, a, e), (req, rge, rle, rsp) = self.col[k], self.row[k]
            un = (l < 0) & (u > 0)
            m, r = np.maximum(-rd[rge:rge + n], 0.0), np.maximum(cd[a:a + n], 0.0)
            with np.errstate(all="ignore"):
                mix = np.where(m + r > 0, np.clip(m / (m + r), 0.0, 1.0), (u >= -l).astype(float))
            alphas.append(np.where(un, mix, -1.0))
            sg = _split_signs(splits, k, n)
            betas.append(np.where(sg != 0, np.maximum(rd[rsp:rsp + n], 0.0), -1.0))
        return hs.getInfo().objective_function_value + self.const, alphas, betas, x[:self.d], hs.getBasis()
