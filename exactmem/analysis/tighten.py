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
    for k in range(1, fn.L - 1):
        got = bab.bounds(cur, lo, hi, {})
        if got is None:
            break
        ls, relax = got
        units = np.flatnonzero((ls[k][0] < 0) & (ls[k][1] > 0))
        if not len(units):
            continue
        try:
            lp = LeafLP(_upto(fn, k), lo, hi, np.zeros(len(ls[k][0])), 0.0)
        except (ImportError, ValueError):
            return [], {}
        found, TL, TU = _bound(lp, fn, k, units, lo, hi, ls, relax, {})
        entries += found
        tight[k] = (TL, TU)
        cur = with_bounds(fn, tight)
    return entries, tight


def _bound(lp, fn, k, units, lo, hi, ls, relax, splits):
    """(entries, lower, upper): each of ``units`` of hidden layer k bounded both ways by ``lp`` (the triangle LP
    of the layers below, ``splits``' units below k as sign rows), its dual's slopes rounded down as the kernel
    rounds them and its multipliers; the bound re-computed from them as the kernel computes it, kept (and its
    entry made, naming only the slopes that differ from the defaults) where it beats ``ls`` by ``GAIN``."""
    from . import bab
    one = float(1 << PB)
    l, u = ls[k]
    part, below = _upto(fn, k), {t: v for t, v in splits.items() if t < k}
    signs = bab._signs(splits, [len(b) for b in fn.b[:-1]])
    entries, TL, TU, basis = [], np.full(len(l), -np.inf), np.full(len(l), np.inf), None
    for j in units:
        for s in (1, -1):
            g = np.zeros(len(l))
            g[j] = s
            lp.objective(g, 0.0)
            res = lp.solve(lo, hi, ls[:k], below, basis)
            if res is None:
                continue
            basis = res[4]
            alphas = [np.where(a >= 0, np.floor(a * one) / one, -1.0) for a in res[1]]
            betas = [np.where(b >= 0, b, -1.0) for b in res[2]]
            value = bab._alpha_grad(part, g, 0.0, relax[:k], alphas, lo, hi, betas, signs[:k])[0]
            if not (np.isfinite(value) and value > (l[j] if s > 0 else -u[j]) + GAIN[0] * (u[j] - l[j])):
                continue
            if s > 0:
                TL[j] = max(TL[j], value)
            else:
                TU[j] = min(TU[j], -value)
            named = [[t, int(i), str(to_rational(float(alphas[t][i])))] for t in range(k)
                     for i in np.flatnonzero((alphas[t] >= 0) & (alphas[t] != relax[t][0]))]
            beta = [[t, int(i), str(to_rational(float(betas[t][i])))] for t in range(k)
                    for i in np.flatnonzero(betas[t] > 0)]
            entries.append([k, int(j), s, named] + ([beta] if beta else []))
    return entries, TL, TU


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
    from .triangle import LeafLP
    entries, tight = [], {}
    Lam = g[None, :]
    lams = {}
    for t in range(fn.L - 1, 0, -1):                        # the goal's coefficients on each hidden layer
        Lam = Lam @ fn.W[t]
        lams[t - 1] = Lam[0].copy()
        low, s, _ = relax[t - 1]
        Lam = np.where(Lam > 0, Lam * low, Lam * s)
    models = ctx.__dict__.setdefault("_tlp", {})
    for k in range(1, fn.L - 1):
        l, u = ls[k]
        un = np.flatnonzero((l < 0) & (u > 0))
        if not len(un):
            continue
        score = np.abs(lams[k][un]) * relax[k][2][un]
        if k not in models:
            try:
                models[k] = LeafLP(_upto(fn, k), leaf.lo, leaf.hi, np.zeros(len(l)), 0.0)
            except (ImportError, ValueError):
                models[k] = None
        if models[k] is None:
            return [], {}
        models[k]._fresh()
        entries, TL, TU = _bound(models[k], fn, k, un[np.argsort(-score, kind="stable")[:most]], leaf.lo, leaf.hi,
                                 ls, relax, leaf.splits)
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
