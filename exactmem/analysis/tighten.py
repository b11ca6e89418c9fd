"""Bounds of hidden pre-activations over a whole set, from the triangle relaxation's LP: the finder of the
``linear-bounds`` hint ``tighten`` (``exactmem.kernel.bounds.tighten``), in floats.

CROWN bounds a unit of the second hidden layer with one fixed lower slope per unstable unit of the first;
the LP over the triangle relaxation of the layers below is the best such bound, and its dual names the slopes
that reach it (one set per bounded unit, so per row of the kernel's back-substitution).  On mnistfc's
property 1 at 0.03 the 132 unstable units of the second layer come down to 102, and the root bound of the
clause against output 9 from -1.58 to -1.10.  Only bounds that beat CROWN's are kept, and only slopes that
differ from the kernel's defaults are named; the kernel re-derives each bound from the slopes, so nothing here
is trusted.

>>> from exactmem import ReLUNet
>>> from exactmem.analysis.bab import FloatNet
>>> net = ReLUNet([([[1, 1], [1, -1], [1, 0]], [0, 0, 0]), ([[1, 1, -1]], [0]), ([[1]], [0])])
>>> fn = FloatNet(net.sparse_layers(), 2)
>>> entries, tight = of(fn, np.array([-1.0, -1.0]), np.array([1.0, 1.0]))
>>> entries       # z = relu(x+y) + relu(x-y) - relu(x) >= -1/2 on [-1, 1]^2; interval and CROWN give -1
[[1, 0, 1, [[0, 0, '1/4'], [0, 1, '1/4']]]]
>>> float(tight[1][0][0])
-0.5
"""
from __future__ import annotations

import copy

import numpy as np

from ..exact import to_rational
from ..kernel.backsub import PB

GAIN = [1e-7]              # keep a bound when it beats CROWN's by this share of the unit's bound width
_CACHE: list = []          # [(fn, lo bytes, hi bytes, answer)] of the last sets


def _upto(fn, k):
    """The float network cut after hidden layer k: its output is z_k."""
    out = object.__new__(type(fn))
    out.W, out.b, out.L = fn.W[:k + 1], fn.b[:k + 1], k + 1
    out.Wp, out.Wn = fn.Wp[:k + 1], fn.Wn[:k + 1]
    return out


def of(fn, lo, hi):
    """(entries, tight): the hint ``tighten``'s entries [k, j, s, [[l, i, alpha], ...]] for the box [lo, hi] and
    the bounds they prove as floats, {k: (lower, upper)} (-inf / inf where no entry); ([], {}) without HiGHS
    or with a network of one hidden layer."""
    for f, a, b, out in _CACHE:
        if f is fn and a == lo.tobytes() and b == hi.tobytes():
            return out
    out = _of(fn, lo, hi)
    _CACHE[:] = [(fn, lo.tobytes(), hi.tobytes(), out)] + _CACHE[:3]
    return out


def _of(fn, lo, hi):
    from . import bab
    from .triangle import LeafLP
    entries, tight, cur = [], {}, fn
    one = float(1 << PB)
    for k in range(1, fn.L - 1):
        got = bab.bounds(cur, lo, hi, {})
        if got is None:
            break
        ls, relax = got
        l, u = ls[k]
        units = np.flatnonzero((l < 0) & (u > 0))
        if not len(units):
            continue
        part = _upto(fn, k)
        try:
            lp = LeafLP(part, lo, hi, np.zeros(len(l)), 0.0)
        except (ImportError, ValueError):
            return [], {}
        rows, slopes, basis = [], [], None
        for j in units:
            for s in (1, -1):
                g = np.zeros(len(l))
                g[j] = s
                lp.objective(g, 0.0)
                res = lp.solve(lo, hi, ls[:k], {}, basis)
                if res is None:
                    continue
                basis = res[4]
                rows.append((int(j), s))
                slopes.append([np.where(a >= 0, np.floor(a * one) / one, -1.0) for a in res[1]])
        if not rows:
            continue
        sg = np.array([s for _, s in rows], dtype=float)
        Lam = np.zeros((len(rows), len(l)))
        Lam[np.arange(len(rows)), [j for j, _ in rows]] = sg
        per = [(np.where(np.stack([a[t] for a in slopes]) >= 0, np.stack([a[t] for a in slopes]), relax[t][0]),
                relax[t][1], relax[t][2]) for t in range(k)]
        low = bab._back(part, Lam, np.zeros(len(rows)), k, per, lo, hi)[0]
        TL, TU = np.full(len(l), -np.inf), np.full(len(l), np.inf)
        for r, (j, s) in enumerate(rows):
            old = l[j] if s > 0 else -u[j]
            if not low[r] > old + GAIN[0] * (u[j] - l[j]):
                continue
            if s > 0:
                TL[j] = max(TL[j], low[r])
            else:
                TU[j] = min(TU[j], -low[r])
            named = [[t, int(i), str(to_rational(float(slopes[r][t][i])))] for t in range(k)
                     for i in np.flatnonzero((slopes[r][t] >= 0) & (slopes[r][t] != relax[t][0]))]
            entries.append([k, int(j), s, named])
        tight[k] = (TL, TU)
        cur = with_bounds(fn, tight)
    return entries, tight


def with_bounds(fn, tight):
    """A copy of the float network whose ``bab.bounds`` meet ``tight`` (the set's tightened bounds)."""
    out = copy.copy(fn)
    out.tight = {k: v for k, v in tight.items()}
    return out


def at(ctx, fn, leaf, ls, relax, g, most):
    """(entries, tight) of a node (the leaf ``leaf`` about to be split, ``fn`` with the bounds it inherits, its
    bounds ``ls`` and relaxations ``relax``): the ``most`` unstable units of each later hidden layer with the
    largest |lambda| s (-l) on the goal row g (the unit-split score), each bounded both ways by the triangle LP
    of the layers below on the leaf, its splits as rows (their dual: the multipliers beta); as ``of``, only
    bounds that beat the leaf's are kept.  The LP models are the context's, one per layer (``ctx._tlp``)."""
    from . import bab
    from .triangle import LeafLP
    one = float(1 << PB)
    entries, tight = [], {}
    Lam = g[None, :]
    lams = {}
    for t in range(fn.L - 1, 0, -1):                        # the goal's coefficients on each hidden layer
        Lam = Lam @ fn.W[t]
        lams[t - 1] = Lam[0].copy()
        low, s, _ = relax[t - 1]
        Lam = np.where(Lam > 0, Lam * low, Lam * s)
    models = ctx.__dict__.setdefault("_tlp", {})
    signs = bab._signs(leaf.splits, [len(b) for b in fn.b[:-1]])
    for k in range(1, fn.L - 1):
        l, u = ls[k]
        un = np.flatnonzero((l < 0) & (u > 0))
        if not len(un):
            continue
        score = np.abs(lams[k][un]) * relax[k][2][un]
        units = un[np.argsort(-score, kind="stable")[:most]]
        if k not in models:
            try:
                models[k] = LeafLP(_upto(fn, k), leaf.lo, leaf.hi, np.zeros(len(l)), 0.0)
            except (ImportError, ValueError):
                models[k] = None
        lp = models[k]
        if lp is None:
            return [], {}
        part = _upto(fn, k)
        below = {t: v for t, v in leaf.splits.items() if t < k}
        TL, TU = np.full(len(l), -np.inf), np.full(len(l), np.inf)
        lp._fresh()
        basis = None
        for j in units:
            for s in (1, -1):
                gj = np.zeros(len(l))
                gj[j] = s
                lp.objective(gj, 0.0)
                res = lp.solve(leaf.lo, leaf.hi, ls[:k], below, basis)
                if res is None:
                    continue
                basis = res[4]
                alphas = [np.where(a >= 0, np.floor(a * one) / one, -1.0) for a in res[1]]
                betas = [np.where(b >= 0, b, -1.0) for b in res[2]]
                value = bab._alpha_grad(part, gj, 0.0, relax[:k], alphas, leaf.lo, leaf.hi, betas, signs[:k])[0]
                old = l[j] if s > 0 else -u[j]
                if not (np.isfinite(value) and value > old + GAIN[0] * (u[j] - l[j])):
                    continue
                if s > 0:
                    TL[j] = value
                else:
                    TU[j] = -value
                named = [[t, int(i), str(to_rational(float(alphas[t][i])))] for t in range(k)
                         for i in np.flatnonzero((alphas[t] >= 0) & (alphas[t] != relax[t][0]))]
                beta = [[t, int(i), str(to_rational(float(betas[t][i])))] for t in range(k)
                        for i in np.flatnonzero(betas[t] > 0)]
                entries.append([k, int(j), s, named] + ([beta] if beta else []))
        if np.isfinite(TL).any() or np.isfinite(TU).any():
            tight[k] = (TL, TU)
        break                                              # later layers' bounds would need this layer's first
    return entries, tight


def merged(fn, tight):
    """``fn`` with its bounds met with ``tight`` as well ({k: (lower, upper)})."""
    out = dict(getattr(fn, "tight", None) or {})
    for k, (a, b) in tight.items():
        out[k] = (np.maximum(out[k][0], a), np.minimum(out[k][1], b)) if k in out else (a, b)
    return with_bounds(fn, out)
