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
