"""The finder of ``linear-bounds`` certificates: branch and bound with linear relaxations, in floats.

It mirrors the kernel's proof (``exactmem.kernel.bounds``) in float64 to *find* a tree: interval bounds
intersected with back-substituted (CROWN) bounds per hidden layer, the same default slopes, the path's
splits as clamps; then, for each clause of the goal, a lower bound of each atom (and of their average).
A leaf whose bounds clear a small margin is closed; otherwise it is split — on the input coordinate whose
halving leaves the least shortfall, every coordinate tried in one batch (few inputs; ``SPLIT`` = "smear"
takes the largest |coefficient| x width of the final bound instead), or on the unstable unit with the largest
BaBSR-like score |lambda| s (-lo) (many inputs) — and its centre is tried as a counterexample.  With many
inputs and a one-atom goal a leaf's slopes and multipliers are the optimum of the triangle relaxation's LP,
read off its dual (``triangle.LeafLP``, ``LP_HINTS``).  Nothing
here is trusted: the tree goes to the kernel, which re-derives every bound exactly, and a counterexample is
confirmed by exact evaluation (``kernel.regions.violation``).

>>> from exactmem import ReLUNet
>>> from exactmem.kernel.regions import Set
>>> from flint import fmpq
>>> net = ReLUNet([([[1], [-1]], [0, 0]), ([[1, 1]], [1])])            # |x| + 1
>>> S = Set([fmpq(0)], "box", [fmpq(1)], False)
>>> out = search(net.sparse_layers(), 1, S, [[([fmpq(1)], fmpq(0), True)]])
>>> out[0], out[1]
('proved', [{}])
"""
from __future__ import annotations

import heapq
import json
import time

import numpy as np

from ..errors import CertificateError
from ..exact import to_rational
from ..kernel.backsub import PB
from ..kernel.bounds import box_of
from ..kernel.regions import violation
from ..parallel import with_workers
from ..progress import Progress
from . import tighten

CUT_INPUTS = 16            # at most this many inputs: branch on inputs, else on units
MARGIN = [1e-6]            # a leaf closes when its float bound exceeds this share of the bound's terms
OPTIMISE = [True]          # optimise the goal's lower slopes (alpha-CROWN) on leaves the defaults leave open
BAR_AFTER = [1.0]          # seconds before ``decide`` draws its progress bar (on a terminal only)
SPLIT = ["trial"]          # the input coordinate to halve: "trial" (each tried) or "smear" (|coefficient| x width)
TRIAL_GAIN = [0.25]        # "trial" leaves the "smear" choice only for a shortfall this share smaller
FSB = [8]                  # a unit split tries this many best-scored units' children (1: the score alone)
LP_HINTS = [True]          # many inputs, one atom: a leaf's slopes and multipliers from the triangle LP's dual
FSB_LP = [0]               # of the FSB candidates, this many best get their children's LPs (strong branching)
FSB_OPT = [True]           # FSB scores children with the parent's LP slopes (else CROWN's default slopes)
TIGHTEN = [True]           # many inputs, 2+ hidden layers: the set's bounds of later layers from LPs (``tighten``)
NODE_TIGHTEN = [0]         # and a node's, every this many first-layer splits down a path (0: never; 2 halves
                           # mnistfc trees but costs more search time than it saves, docs/analysis.md)
NODE_UNITS = [16]          # of the units a node's bounds are tightened for, this many best-scored


def _float(q):
    try:
        return float(q)
    except OverflowError:
        return float("inf") if q > 0 else float("-inf")


class FloatNet:
    def __init__(self, layers, d):
        self.W, self.b, width = [], [], d
        for rows, bias in layers:
            W = np.zeros((len(rows), width))
            for i, r in enumerate(rows):
                for j, w in r:
                    W[i, j] = _float(w)
            self.W.append(W)
            self.b.append(np.array([_float(t) for t in bias]))
            width = len(rows)
        self.L = len(self.W)
        self.Wp = [np.maximum(W, 0) for W in self.W]
        self.Wn = [np.minimum(W, 0) for W in self.W]


def _relax(l, u, alpha=None):
    """(lower slope, upper slope, upper intercept) per unit, as the kernel's ``Relax``."""
    low = np.where(u <= 0, 0.0, np.where(l >= 0, 1.0, (u >= -l).astype(float)))
    if alpha is not None:
        un = (l < 0) & (u > 0)
        low = np.where(un, alpha, low)
    with np.errstate(all="ignore"):
        s = np.where(u <= 0, 0.0, np.where(l >= 0, 1.0, np.minimum(1.0, u / (u - l))))
    icp = np.where((l < 0) & (u > 0), -s * l, 0.0)
    return low, s, icp


def _back(fn, Lam, c, top, relax, lo, hi):
    """Lower bounds of Lam z_top + c and the input coefficients (rows x d)."""
    c = c.copy()
    for t in range(top, 0, -1):
        c = c + Lam @ fn.b[t]
        Lam = Lam @ fn.W[t]
        low, s, icp = relax[t - 1]
        pos = Lam > 0
        c = c + np.where(pos, 0.0, Lam) @ icp
        Lam = np.where(pos, Lam * low, Lam * s)
    c = c + Lam @ fn.b[0]
    Lam = Lam @ fn.W[0]
    return c + np.where(Lam > 0, Lam * lo, Lam * hi).sum(axis=1), Lam


def _back_units(fn, idx, sgn, top, relax, lo, hi, other=None):
    """``_back``'s lower bounds for the rows sgn_r e_(idx_r) of layer top's pre-activations: only the units whose
    bound is used (lower where a unit is open, upper where it is not off), and their first product a slice.  With
    ``other`` (the same relaxation but for some lower slopes), the better of the bounds under either, per row:
    where the two differ on the first hidden layer only, other's last product is relax's plus those columns."""
    if other is not None and any(a is not b for a, b in zip(other[1:top], relax[1:top])):
        return np.maximum(_back_units(fn, idx, sgn, top, relax, lo, hi), _back_units(fn, idx, sgn, top, other, lo, hi))
    Lam, c = sgn[:, None] * fn.W[top][idx], sgn * fn.b[top][idx]
    for t in range(top, 0, -1):
        if t < top:
            c = c + Lam @ fn.b[t]
            Lam = Lam @ fn.W[t]
        low, s, icp = relax[t - 1]
        pos, pre = Lam > 0, Lam
        c = c + np.where(pos, 0.0, Lam) @ icp
        Lam = np.where(pos, Lam * low, Lam * s)
    mid, rad = (lo + hi) / 2, (hi - lo) / 2
    c = c + Lam @ fn.b[0]
    P = Lam @ fn.W[0]
    out = _box_min(c, P, mid, rad)
    if other is None or other[0] is relax[0]:
        return out
    return np.maximum(out, _box_min(*_first_layer_change(fn, c, P, pre, pos, relax[0], other[0]), mid, rad))


def _box_min(c, P, mid, rad):
    """min of c + P x over the box of centre mid and radius rad, per row."""
    return c + P @ mid - np.abs(P) @ rad


def _first_layer_change(fn, c, P, Lam, pos, base, rel):
    """(c, P) of a back-substitution that ends through the first hidden layer's relaxation ``base`` (c with that
    layer's bias, P the rows times its weights), made those through ``rel`` instead: only the columns where the
    two differ change.  Lam, pos: the rows before that relaxation and where they are positive."""
    (low0, s0, icp0), (low, s, icp) = base, rel
    J = np.flatnonzero((low != low0) | (s != s0) | (icp != icp0))
    if not len(J):
        return c, P
    Lj, pj = Lam[:, J], pos[:, J]
    dL = np.where(pj, Lj * (low[J] - low0[J]), Lj * (s[J] - s0[J]))
    return c + np.where(pj, 0.0, Lj) @ (icp[J] - icp0[J]) + dL @ fn.b[0][J], P + dL @ fn.W[0][J]


def _interval(fn, k, a, b):
    """Interval bounds of layer k's pre-activations for inputs in the box [a, b]."""
    return fn.Wp[k] @ a + fn.Wn[k] @ b + fn.b[k], fn.Wp[k] @ b + fn.Wn[k] @ a + fn.b[k]


def _alpha_grad(fn, g, h, relax, alphas, lo, hi, betas, signs):
    """The lower bound of g . f + h - sum beta s z over the split units, with lower slopes ``alphas`` on unstable
    units (intermediate bounds fixed), and its gradients in the slopes and in beta: back-substitution, then the
    relaxed network run forward at the minimising corner (the bound's value is linear in each parameter there)."""
    Lam, c, P_s = g.copy(), float(h), []
    for t in range(fn.L - 1, 0, -1):
        c += Lam @ fn.b[t]
        P = Lam @ fn.W[t]
        low, s, icp = relax[t - 1]
        A = np.where(alphas[t - 1] >= 0, alphas[t - 1], low)
        c += np.minimum(P, 0) @ icp
        P_s.append((t - 1, P, A, s, icp))
        Lam = np.where(P > 0, P * A, P * s) - np.where(betas[t - 1] >= 0, betas[t - 1] * signs[t - 1], 0.0)
    c += Lam @ fn.b[0]
    Q = Lam @ fn.W[0]
    x = np.where(Q > 0, lo, hi)
    value = c + Q @ x
    z = fn.W[0] @ x + fn.b[0]                                # the relaxed pre-activations at the corner
    ga, gb = [np.zeros_like(a) for a in alphas], [np.zeros_like(b) for b in betas]
    for k, P, A, s, icp in reversed(P_s):
        ga[k] = np.where((P > 0) & (alphas[k] >= 0), z * P, 0.0)
        gb[k] = np.where(betas[k] >= 0, -signs[k] * z, 0.0)
        a = np.where(P > 0, A * z, s * z + icp)              # the relaxed relu the bound used
        z = fn.W[k + 1] @ a + fn.b[k + 1] if k + 1 < fn.L - 1 else None
    return value, ga, gb, P_s


def _signs(splits, widths):
    """Per hidden layer, each unit's split sign (+1, -1; 0 where it is not split)."""
    out = [np.zeros(n) for n in widths]
    for k, g in splits.items():
        for j, s in g.items():
            out[k][j] = s
    return out


def optimise(fn, g, h, relax, lo, hi, splits, steps=25):
    """(best lower bound, alphas, betas) by projected sign-gradient ascent on the lower slopes of unstable units
    (alpha in [0, 1], -1 where not free) and the multipliers of the split units (beta >= 0, -1 where not split),
    from CROWN's defaults and beta = 0 (as alpha- and beta-CROWN do, for the goal's own bound)."""
    alphas, signs = [], _signs(splits, [len(low) for low, _, _ in relax])
    for low, s, icp in relax:
        unstable = ((s > 0) & (s < 1)) | ((icp > 0) & (s > 0))
        alphas.append(np.where(unstable, low, -1.0))
    betas = [np.where(sg != 0, 0.0, -1.0) for sg in signs]
    best, best_a, best_b = None, alphas, betas
    step, bstep = 0.5, None
    for _ in range(steps):
        value, ga, gb, P_s = _alpha_grad(fn, g, h, relax, alphas, lo, hi, betas, signs)
        if best is None or value > best:
            best, best_a, best_b = value, [a.copy() for a in alphas], [b.copy() for b in betas]
        if bstep is None:                                    # beta's scale: the coefficients it competes with
            bstep = {k: 0.5 * (np.abs(P).max() + 1e-300) for k, P, *_ in P_s}
        moved = False
        for k in range(len(alphas)):
            free = alphas[k] >= 0
            if np.any(free & (ga[k] != 0)):
                alphas[k] = np.where(free, np.clip(alphas[k] + step * np.sign(ga[k]), 0.0, 1.0), -1.0)
                moved = True
            split = betas[k] >= 0
            if np.any(split & (gb[k] != 0)):
                betas[k] = np.where(split, np.maximum(betas[k] + bstep[k] * step * np.sign(gb[k]), 0.0), -1.0)
                moved = True
        if not moved:
            break
        step *= 0.7
    return best, best_a, best_b


def _clamp(l, u, splits, k):
    """The path's splits on layer k clamp (l, u) in place (the last axis is the unit's); returns the lower
    slopes the split units take in later layers' bounds (the kernel's ``Relax.A_in``: those of the intervals
    before the clamp, 1 if u >= -l else 0, where they were unstable; nan elsewhere)."""
    keep = np.full(l.shape, np.nan)
    for j, s in splits.get(k, {}).items():
        lj, uj = l[..., j], u[..., j]
        keep[..., j] = np.where((lj < 0) & (uj > 0), (uj >= -lj).astype(float), np.nan)
        if s > 0:
            l[..., j] = np.maximum(lj, 0.0)
        else:
            u[..., j] = np.minimum(uj, 0.0)
    return keep


def _inner(rel, keep):
    """A relaxation as later layers' bounds use it: the split units' lower slopes ``keep`` (where not nan) on
    those still stable after the clamp."""
    low, s, icp = rel
    stable = (s == 0) | ((s == 1) & (icp == 0))
    use = stable & ~np.isnan(keep) & (keep != low)
    return (np.where(use, keep, low), s, icp) if use.any() else rel


def bounds(fn, lo, hi, splits):
    """[(l, u)] per hidden layer and the relaxations (the goal's), or None if the leaf is empty (mirrors the
    kernel)."""
    return _layers(fn, lo, hi, splits, [], [], [], lo, hi, 0)


def _layers(fn, lo, hi, splits, relax, inner, ls, a, b, k0):
    """``bounds`` from hidden layer k0 on, given the layers before it (their lists, extended in place) and
    layer k0's input box [a, b]."""
    for k in range(k0, fn.L - 1):
        l, u = _interval(fn, k, a, b)
        if k > 0:                                         # as the kernel: lower where open, upper where not off
            opened, on = np.flatnonzero((l < 0) & (u > 0)), np.flatnonzero(u > 0)
            idx, sgn = np.concatenate([opened, on]), np.concatenate([np.ones(len(opened)), -np.ones(len(on))])
            crown = _back_units(fn, idx, sgn, k, relax, lo, hi,        # the better of both slopes, as the kernel
                                inner if any(a is not r for a, r in zip(inner, relax)) else None)
            l[opened], u[on] = np.maximum(l[opened], crown[:len(opened)]), np.minimum(u[on], -crown[len(opened):])
        if not _close(fn, splits, k, l, u, relax, inner, ls):
            return None
        a, b = np.maximum(l, 0), np.maximum(u, 0)
    return ls, relax


def _empty(l, u):
    """Units whose bounds leave no value, by more than float rounding (l = u exactly can come out a few ulps
    apart, and a leaf called empty must be empty for the kernel)."""
    return l > u + 1e-9 * (1.0 + np.abs(u))


def _close(fn, splits, k, l, u, relax, inner, ls):
    """Layer k's bounds (l, u), met with the set's ``tighten`` bounds (as the kernel) and clamped by the splits,
    appended with their relaxations; False if empty."""
    tight = getattr(fn, "tight", None)
    if tight and k in tight:
        np.maximum(l, tight[k][0], out=l)
        np.minimum(u, tight[k][1], out=u)
    keep = _clamp(l, u, splits, k)
    if np.any(_empty(l, u)):
        return False
    relax.append(_relax(l, u))
    inner.append(_inner(relax[-1], keep))
    ls.append((l, u))
    return True


class _Children:
    """A leaf's first two hidden layers, kept to bound its children split on a unit of the first one (as
    ``bounds`` does, up to float rounding): the second layer's CROWN rows of every unit the leaf leaves open
    or on (a child's are among them), through the leaf's relaxations of the first layer, whose products with
    the input weights a child's bounds change only in the columns of the units whose relaxation it changes."""

    def __init__(self, fn, lo, hi, splits):
        self.fn, self.lo, self.hi, self.mid, self.rad = fn, lo, hi, (lo + hi) / 2, (hi - lo) / 2
        self.l0, self.u0 = _interval(fn, 0, lo, hi)
        l0, u0 = self.l0.copy(), self.u0.copy()                # the leaf's own: clamped by its splits
        keep0 = _clamp(l0, u0, splits, 0)
        self.rel = _relax(l0, u0)
        self.inn = _inner(self.rel, keep0)
        l1, u1 = _interval(fn, 1, np.maximum(l0, 0), np.maximum(u0, 0))
        opened, on = np.flatnonzero((l1 < 0) & (u1 > 0)), np.flatnonzero(u1 > 0)
        self.rows = {"lo": {int(j): r for r, j in enumerate(opened)},
                     "up": {int(j): len(opened) + r for r, j in enumerate(on)}}
        idx, sgn = np.concatenate([opened, on]), np.concatenate([np.ones(len(opened)), -np.ones(len(on))])
        self.Lam, self.c0 = sgn[:, None] * fn.W[1][idx], sgn * fn.b[1][idx]
        self.pos = self.Lam > 0
        self.ref = {id(r): self._pass(r) for r in (self.rel, self.inn)}

    def _pass(self, rel):
        low, s, icp = rel
        c = self.c0 + np.where(self.pos, 0.0, self.Lam) @ icp
        L = np.where(self.pos, self.Lam * low, self.Lam * s)
        return rel, c + L @ self.fn.b[0], L @ self.fn.W[0]

    def _crown(self, base, rel):
        """The rows' lower bounds through rel, from base = (relaxation, c, product) that differs from it in a
        few columns."""
        c, P = _first_layer_change(self.fn, base[1], base[2], self.Lam, self.pos, base[0], rel)
        return _box_min(c, P, self.mid, self.rad)

    def child(self, splits):
        """``bounds`` of the leaf with ``splits`` (its own and one more on the first hidden layer)."""
        fn, l0, u0 = self.fn, self.l0.copy(), self.u0.copy()
        relax, inner, ls = [], [], []
        if not _close(fn, splits, 0, l0, u0, relax, inner, ls):
            return None
        l, u = _interval(fn, 1, np.maximum(l0, 0), np.maximum(u0, 0))
        crown = self._crown(self.ref[id(self.rel)], relax[0])
        if inner[0] is not relax[0]:
            crown = np.maximum(crown, self._crown(self.ref[id(self.inn)], inner[0]))
        opened, on = np.flatnonzero((l < 0) & (u > 0)), np.flatnonzero(u > 0)
        lo_rows, up_rows = [self.rows["lo"].get(int(j)) for j in opened], [self.rows["up"].get(int(j)) for j in on]
        if None in lo_rows or None in up_rows:     # a float rounding opened a unit the leaf has closed: afresh
            return bounds(fn, self.lo, self.hi, splits)
        l[opened] = np.maximum(l[opened], crown[lo_rows])
        u[on] = np.minimum(u[on], -crown[up_rows])
        if not _close(fn, splits, 1, l, u, relax, inner, ls):
            return None
        return _layers(fn, self.lo, self.hi, splits, relax, inner, ls, np.maximum(l, 0), np.maximum(u, 0), 2)


def _clause_rows(clause, m):
    G = np.array([[_float(t) for t in g] for g, _, _ in clause]).reshape(len(clause), m)
    h = np.array([_float(t) for _, t, _ in clause])
    if len(clause) > 1:                                   # and their average
        G, h = np.vstack([G, G.mean(axis=0)]), np.append(h, h.mean())
    return G, h


def _mu(clause, k):
    n = len(clause)
    return None if n == 1 else [[1 if t == k else 0 for t in range(n)]] if k < n else [[1] * n]


class _Leaf:
    __slots__ = ("lo", "hi", "splits", "path", "pre", "basis", "prelp", "tight", "tight_at")

    def __init__(self, lo, hi, splits, path, pre=None, basis=None, prelp=None, tight=None, tight_at=0):
        self.lo, self.hi, self.splits, self.path = lo, hi, splits, path
        self.pre = pre                                    # its ``bounds``, when the split's trial computed them
        self.basis = basis                                # its parent's LP basis (``triangle.LeafLP``), if any
        self.prelp = prelp                                # its LP's answer, when the split's trial computed it
        self.tight = tight                                # bounds its ancestors' hint ``tighten`` proves, merged
        self.tight_at = tight_at                          # first-layer splits on the path at the last of those

    def kid(self, splits, path, pre=None, basis=None, prelp=None, lo=None, hi=None):
        return _Leaf(self.lo if lo is None else lo, self.hi if hi is None else hi, splits, path, pre, basis, prelp,
                     self.tight, self.tight_at)


def _evaluate_leaf(fn, leaf, goal, rows, ctx=None):
    """(status, info): ("closed", (mu per clause, hints)) | ("empty", None) | ("open", (worst bound, Lam_x, ls,
    relax, goal row, the LP's point or None, the LP's (alphas, betas) or None)); ``ctx``: the question's
    ``Context``, whose one LP model (``Context.leaf_lp``) the leaf's LP then uses."""
    out = leaf.pre if leaf.pre is not None else bounds(fn, leaf.lo, leaf.hi, leaf.splits)
    leaf.pre = None                                       # used once: open leaves keep no arrays
    if out is None or out == "empty":
        return "empty", None
    ls, relax = out
    mus, worst, hints = [], None, []
    for c, (G, h) in enumerate(rows):
        low, Lam = _back(fn, G, h, fn.L - 1, relax, leaf.lo, leaf.hi)
        size = np.abs(Lam) @ np.maximum(np.abs(leaf.lo), np.abs(leaf.hi)) + np.abs(h) + 1e-300
        ok = np.flatnonzero(low > MARGIN[0] * size)          # room for the kernel's fixed-point rounding
        if len(ok):
            mus.append(_mu(goal[c], int(ok[0])))
            continue
        k = int(np.argmax(low))
        size_k = size[k]
        point, alphas, betas = None, None, None
        if LP_HINTS[0] and len(rows) == 1 and len(G) == 1 and len(leaf.lo) > CUT_INPUTS:
            value, alphas, betas, point = _lp_hints(fn, leaf, ls, relax, G[0], h[0], low[0], ctx)
        else:
            near = OPTIMISE[0] and len(rows) == 1 and (low[k] > -0.05 * size_k or leaf.splits)
            value, alphas, betas = optimise(fn, G[k], h[k], relax, leaf.lo, leaf.hi, leaf.splits, 12) if near else \
                (low[k], None, None)
        if value > MARGIN[0] * size_k * 4:                   # proved with the goal's own slopes
            mus.append(_mu(goal[c], k))
            hints.append((alphas, betas))
            continue
        bound = max(low[k], value)
        if worst is None or bound < worst[0]:
            worst = (bound, Lam[k], ls, relax, G[k], point, (alphas, betas) if alphas is not None else None)
    if worst is None:
        return "closed", (mus, hints)
    return "open", worst


def _lp_hints(fn, leaf, ls, relax, g, h, crown, ctx=None):
    """(value, alphas, betas, point) for a one-atom goal on a leaf: the best bound the kernel can prove there, from
    the triangle relaxation's LP and its dual (``triangle.hints``), with the slopes rounded down to the kernel's
    2^-PB and the bound re-computed from the hints as the kernel computes it (``_alpha_grad``); the CROWN bound
    ``crown`` (no hints) where the LP fails.  ``point``: the LP's input point, a candidate counterexample.  With
    a ``ctx`` the LP is the question's one model (``triangle.LeafLP``), started from the parent's basis (a tenth
    of the time of a fresh LP on mnistfc), and the leaf keeps its own basis for its children.
    mnistfc property 3 at 0.03, clause 0: 91 leaves, where 12 sign-gradient steps left the tree open."""
    lp = ctx.leaf_lp(g, h) if ctx is not None else None
    if lp is not None:
        out = leaf.prelp if leaf.prelp is not None else lp.solve(leaf.lo, leaf.hi, ls, leaf.splits, leaf.basis)
        leaf.prelp, leaf.basis = None, (out[4] if out is not None else None)
    elif ctx is not None:                                  # no highspy, or weights beyond the LP's floats
        return crown, None, None, None
    else:
        from .triangle import hints
        out = hints(fn, leaf.lo, leaf.hi, leaf.splits, ls, g, h)
    if out is None:
        return crown, None, None, None
    alphas, betas, point = out[1:4]
    one = float(1 << PB)
    alphas = [np.where(a >= 0, np.floor(a * one) / one, a) for a in alphas]     # as the kernel rounds them
    signs = _signs(leaf.splits, [len(a) for a in alphas])
    value = _alpha_grad(fn, g, h, relax, alphas, leaf.lo, leaf.hi, betas, signs)[0]
    if not np.isfinite(value) or value < crown:
        return crown, None, None, point
    return value, alphas, betas, point


def _worst_of(fn, leaf, rows):
    """The open-leaf record (bound, input coefficients, bounds, relaxations, row) of the weakest clause."""
    ls, relax = bounds(fn, leaf.lo, leaf.hi, leaf.splits)
    worst = None
    for G, h in rows:
        low, Lam = _back(fn, G, h, fn.L - 1, relax, leaf.lo, leaf.hi)
        k = int(np.argmax(low))
        if worst is None or low[k] < worst[0]:
            worst = (low[k], Lam[k], ls, relax, G[k], None, None)
    return worst


def _fails(fn, leaf, layers, S, goal, rows, Lam_x, point=None):
    """An exact point of the leaf where the goal fails: tried at the leaf's centre, at the corner that
    minimises the open bound's input coefficients and at ``point`` (the LP's, if any) (a float test first, then
    exact evaluation)."""
    X = np.vstack([(leaf.lo + leaf.hi) / 2, np.where(Lam_x > 0, leaf.lo, leaf.hi)]
                  + ([np.clip(point, leaf.lo, leaf.hi)] if point is not None else []))
    H = X.T
    for k in range(fn.L):
        H = fn.W[k] @ H + fn.b[k][:, None]
        if k < fn.L - 1:
            H = np.maximum(H, 0)
    for i, x in enumerate(X):
        if not any(np.all(G[:len(clause)] @ H[:, i] + h[:len(clause)] <= 1e-9) for (G, h), clause in zip(rows, goal)):
            continue
        xq = [to_rational(float(t)) for t in x]
        if violation(layers, S, goal, xq) is not None:
            return xq
    return None


def _back_many(fn, Lam, c, top, relax, lo, hi):
    """``_back`` for a batch of boxes: Lam (B, rows, width) or (rows, width) shared, c (rows,), relax of (B, n)
    arrays, lo and hi (B, d); the lower bounds (B, rows)."""
    c = np.broadcast_to(c, (lo.shape[0], len(c))).copy()
    if Lam.ndim == 2:
        Lam = np.broadcast_to(Lam, (lo.shape[0],) + Lam.shape)
    for t in range(top, 0, -1):
        c = c + Lam @ fn.b[t]
        Lam = Lam @ fn.W[t]
        low, s, icp = relax[t - 1]
        c = c + np.einsum("brj,bj->br", np.minimum(Lam, 0.0), icp)
        Lam = np.where(Lam > 0, Lam * low[:, None, :], Lam * s[:, None, :])
    c = c + Lam @ fn.b[0]
    Lam = Lam @ fn.W[0]
    return c + np.where(Lam > 0, Lam * lo[:, None, :], Lam * hi[:, None, :]).sum(axis=2)


def bounds_many(fn, lo, hi, splits):
    """``bounds`` for a batch of boxes (B, d) with the same splits: the relaxations per hidden layer as (B, n)
    arrays and a mask of the boxes left empty."""
    relax, inner, a, b = [], [], lo, hi
    empty = np.zeros(lo.shape[0], dtype=bool)
    for k in range(fn.L - 1):
        l = a @ fn.Wp[k].T + b @ fn.Wn[k].T + fn.b[k]
        u = b @ fn.Wp[k].T + a @ fn.Wn[k].T + fn.b[k]
        if k > 0:
            n = l.shape[1]
            crown = _back_many(fn, np.vstack([np.eye(n), -np.eye(n)]), np.zeros(2 * n), k, relax, lo, hi)
            if any(a is not r for a, r in zip(inner, relax)):      # the better of both slopes, as the kernel
                crown = np.maximum(crown, _back_many(fn, np.vstack([np.eye(n), -np.eye(n)]), np.zeros(2 * n), k,
                                                     inner, lo, hi))
            opened, on = (l < 0) & (u > 0), u > 0
            l, u = np.where(opened, np.maximum(l, crown[:, :n]), l), np.where(on, np.minimum(u, -crown[:, n:]), u)
        keep = _clamp(l, u, splits, k)
        empty |= np.any(_empty(l, u), axis=1)
        relax.append(_relax(l, u))
        inner.append(_inner(relax[-1], keep))
        a, b = np.maximum(l, 0), np.maximum(u, 0)
    return relax, empty


def _scores(ctx, lo, hi, splits):
    """Each box's float bound (B,): per clause the best of its rows, over clauses the worst (inf: empty)."""
    relax, empty = bounds_many(ctx.fn, lo, hi, splits)
    with np.errstate(invalid="ignore"):
        v = np.min([_back_many(ctx.fn, G, h, ctx.fn.L - 1, relax, lo, hi).max(axis=1) for G, h in ctx.rows], axis=0)
    return np.where(empty, np.inf, v)


def _trial_cut(ctx, leaf, widths, default, base):
    """The input coordinate whose halving leaves the least shortfall, min(0, bound) summed over the two halves,
    each half's bound at least the leaf's own, ``base`` (the halves are subsets; CROWN's bounds are not
    monotone): every coordinate is tried, in one batch, as in the input-space "smart branching" of
    alpha,beta-CROWN; ``default`` (the "smear" choice) unless another coordinate's shortfall is smaller by a
    share ``TRIAL_GAIN`` of the default's (ACAS Xu: a share of 0 needs 3,513+ leaves for 3_3 property 9, where
    "smear" needs 1,962 and 0.25 about 1,200; 0.25 keeps the gains on property 1, e.g. 2_2 from over 20,000
    leaves to 90).  Used for at most ``CUT_INPUTS`` inputs (on mnistfc's 784 a trial of every coordinate took
    minutes, and one of 16 about a second)."""
    dims = np.flatnonzero(widths > 0)
    lo, hi = np.repeat(leaf.lo[None, :], 2 * len(dims), axis=0), np.repeat(leaf.hi[None, :], 2 * len(dims), axis=0)
    for k, i in enumerate(dims):
        t = (leaf.lo[i] + leaf.hi[i]) / 2
        hi[2 * k, i], lo[2 * k + 1, i] = t, t
    v = np.minimum(np.maximum(_scores(ctx, lo, hi, leaf.splits), base), 0.0)
    score = dict(zip(dims.tolist(), (v[0::2] + v[1::2]).tolist()))
    pick = max(score, key=score.get)
    if default in score and score[pick] <= score[default] + TRIAL_GAIN[0] * abs(score[default]):
        return default
    return pick


def _stable_lp(ctx, leaf, ls):
    """On a leaf where every unit is stable the network is one affine map, and the least value of the goal's
    atom over the box cut by the splits' sign constraints is an LP (HiGHS): its dual multipliers of the sign
    constraints are the optimal beta of the kernel's bound (strong duality: the Lagrangian's minimum over the
    box is the LP's).  Returns the closed node with those beta (checked in floats with the kernel's own
    formula first), ("refuted", x) at an exact minimiser where the atom fails, or None (left to input cuts).  Where
    the splits leave no point of the box (CROWN's bounds do not always see it), the multipliers of the LP
    min t s.t. s z_j(x) + t >= 0 (optimum t* > 0) show it (Farkas), and, scaled past the objective's range,
    close the leaf as beta."""
    from scipy.optimize import linprog
    fn, (G, h) = ctx.fn, ctx.rows[0]
    A, c, cons, idx = np.eye(ctx.d), np.zeros(ctx.d), [], []
    for k in range(fn.L - 1):
        Z, z0 = fn.W[k] @ A, fn.W[k] @ c + fn.b[k]
        for j, s in sorted(leaf.splits.get(k, {}).items()):
            cons.append((-s * Z[j], s * z0[j]))                  # s z_j >= 0  <=>  -s Z_j x <= s z0_j
            idx.append((k, j))
        on = (ls[k][0] >= 0).astype(float)
        A, c = on[:, None] * Z, on * z0
    g = G[0] @ fn.W[-1]
    obj, const = g @ A, g @ c + G[0] @ fn.b[-1] + h[0]
    Au, bu, box = np.array([a for a, _ in cons]), np.array([b for _, b in cons]), list(zip(leaf.lo, leaf.hi))
    if not (np.all(np.isfinite(Au)) and np.all(np.isfinite(bu)) and np.all(np.isfinite(obj)) and np.isfinite(const)):
        return None                                              # weights beyond floats: left to input cuts
    size = np.abs(obj) @ np.maximum(np.abs(leaf.lo), np.abs(leaf.hi)) + abs(const)     # the atom's reach on the box
    res = linprog(obj, A_ub=Au, b_ub=bu, bounds=box, method="highs")
    if res.status == 2:                          # no point: Farkas multipliers, scaled past the objective's range
        far = linprog(np.append(np.zeros(ctx.d), 1.0), A_ub=np.hstack([Au, -np.ones((len(bu), 1))]), b_ub=bu,
                      bounds=box + [(-1.0, None)], method="highs")     # min t: s z_j(x) + t >= 0 for every j
        if far.status != 0 or far.fun <= 0:
            return None
        dual = -far.ineqlin.marginals * (2 * (size + 1.0) / far.fun)
        if not np.all(np.isfinite(dual)):
            return None
    elif res.status != 0:
        return None
    elif res.fun + const <= 0:                                   # a point of the leaf where the atom fails
        xq = [to_rational(float(t)) for t in np.clip(res.x, leaf.lo, leaf.hi)]
        return ("refuted", xq) if violation(ctx.layers, ctx.S, ctx.goal, xq) is not None else None
    else:
        dual = -res.ineqlin.marginals
    betas = [np.full(len(b), -1.0) for b in fn.b[:-1]]
    for (k, j), m in zip(idx, dual):
        betas[k][j] = max(0.0, m)
    alphas = [np.full(len(b), -1.0) for b in fn.b[:-1]]
    signs = _signs(leaf.splits, [len(b) for b in fn.b[:-1]])
    relax = [_relax(l, u) for l, u in ls]
    value = _alpha_grad(fn, G[0], h[0], relax, alphas, leaf.lo, leaf.hi, betas, signs)[0]
    if not value > MARGIN[0] * (size + 1e-300) * 4:             # also nan
        return None
    node = {"beta": [[k, int(j), str(to_rational(float(b[j])))] for k, b in enumerate(betas)
                     for j in np.flatnonzero(b > 0)]}
    return "node", (node if node["beta"] else {}), [], None


def _stable(ls):
    return all(not np.any((l < 0) & (u > 0)) for l, u in ls)


def _unit_split(fn, leaf, info, ctx=None, keep=None):
    """The unstable unit with the largest score |lambda_j| s_j (-l_j) on the open objective, or None; with ``ctx``
    and ``FSB`` candidates, the one of the ``FSB`` best-scored whose worse child bounds best (filtered smart
    branching: both children's bounds computed, as alpha,beta-CROWN's FSB does); ``keep``, a dict, receives the
    chosen unit's children's bounds by sign (``_child_bounds``), for the children to start from."""
    ls, relax, g = info[2:5]
    opt = info[6] if len(info) > 6 and FSB_OPT[0] else None     # the leaf's own optimised slopes, if any
    scored = []
    Lam = g[None, :]
    for t in range(fn.L - 1, 0, -1):
        Lam = Lam @ fn.W[t]
        l, u = ls[t - 1]
        low, s, icp = relax[t - 1]
        un = (l < 0) & (u > 0)
        for j in np.flatnonzero(un):
            if j in leaf.splits.get(t - 1, {}):
                continue
            scored.append((abs(Lam[0, j]) * icp[j] + 1e-3 * (u[j] - l[j]), t - 1, int(j)))
        pos = Lam > 0
        if opt is not None:
            low = np.where(opt[0][t - 1] >= 0, opt[0][t - 1], low)
        Lam = np.where(pos, Lam * low, Lam * s)
    scored = [c for c in scored if c[0] > 0]
    if not scored:
        return None
    scored.sort(key=lambda c: -c[0])
    if ctx is None or FSB[0] <= 1 or len(scored) == 1:
        return scored[0][1], scored[0][2]
    best, pick, tried = None, None, []
    kids = _Children(fn, leaf.lo, leaf.hi, leaf.splits) if fn.L > 2 and any(l == 0 for _, l, _ in
                                                                            scored[:FSB[0]]) else None
    for _, l, j in scored[:FSB[0]]:
        worse, pres = np.inf, {}
        for sg in (-1, 1):
            out = pres[sg] = _child_bounds(fn, leaf, ls, l, j, sg, kids)
            if out != "empty":
                worse = min(worse, _child_score(fn, leaf, ctx, out, opt, l, j, sg))
        tried.append((worse, l, j, pres))
        if best is None or worse > best:
            best, pick, kept = worse, (l, j), pres
    lp = ctx.leaf_lp(*ctx.rows[0]) if FSB_LP[0] and len(ctx.rows) == 1 and len(ctx.rows[0][0]) == 1 else None
    if lp is not None and leaf.basis is not None:         # strong branching: the best few by their children's LPs
        tried.sort(key=lambda t: -t[0])
        best = None
        for _, l, j, pres in tried[:FSB_LP[0]]:
            worse, lps = np.inf, {}
            for sg in (-1, 1):
                if pres[sg] == "empty":
                    continue
                sp = {k: dict(v) for k, v in leaf.splits.items()}
                sp.setdefault(l, {})[j] = sg
                out = lps[sg] = lp.solve(leaf.lo, leaf.hi, pres[sg][0], sp, leaf.basis)
                worse = min(worse, out[0] if out is not None else -np.inf)
            if best is None or worse > best:
                best, pick, kept = worse, (l, j), {sg: (pres[sg], lps.get(sg)) for sg in (-1, 1)}
        if keep is not None:
            keep.update(kept)
        return pick
    if keep is not None:
        keep.update({sg: (b, None) for sg, b in kept.items()})
    return pick


def _child_score(fn, leaf, ctx, out, opt, l, j, sg):
    """A child's float bound for FSB: with the parent's optimised slopes and multipliers (``opt``, from its LP)
    where it has them -- slopes kept on the units still unstable in the child, the new split's multiplier 0: a
    valid bound, near the child's own optimum (as alpha,beta-CROWN's FSB uses the parent's slopes) -- else with
    CROWN's default slopes."""
    ls, relax = out
    if opt is None:
        return min(_back(fn, G, h, fn.L - 1, relax, leaf.lo, leaf.hi)[0].max() for G, h in ctx.rows)
    alphas = [np.where((a >= 0) & (lu[0] < 0) & (lu[1] > 0), a, -1.0) for a, lu in zip(opt[0], ls)]
    betas = [b.copy() for b in opt[1]]
    sp = {k: dict(v) for k, v in leaf.splits.items()}
    sp.setdefault(l, {})[j] = sg
    G, h = ctx.rows[0]
    return _alpha_grad(fn, G[0], h[0], relax, alphas, leaf.lo, leaf.hi, betas, _signs(sp, [len(a) for a in alphas]))[0]


def _child_bounds(fn, leaf, ls, l, j, sg, kids=None):
    """``bounds`` of the leaf with unit (l, j) split to sign sg ("empty" for None): on the last hidden layer the
    leaf's own bounds with that unit clamped (nothing below depends on it), on the first from ``kids`` (the
    leaf's ``_Children``) if given, else computed afresh."""
    if l < fn.L - 2:
        sp = {k: dict(v) for k, v in leaf.splits.items()}
        sp.setdefault(l, {})[j] = sg
        out = kids.child(sp) if kids is not None and l == 0 else bounds(fn, leaf.lo, leaf.hi, sp)
        return "empty" if out is None else out
    lo_, up_ = ls[l][0].copy(), ls[l][1].copy()
    if sg > 0:
        lo_[j] = max(lo_[j], 0.0)
    else:
        up_[j] = min(up_[j], 0.0)
    if lo_[j] > up_[j]:
        return "empty"
    new = list(ls)
    new[l] = (lo_, up_)
    return new, [_relax(a, b) for a, b in new]


_NETS: list = []           # [(layers, FloatNet)] of the last networks: one per network, not one per question


def _float_net(layers, d):
    for ls, fn in _NETS:
        if ls is layers:
            return fn
    fn = FloatNet(layers, d)
    _NETS[:] = [(layers, fn)] + _NETS[:1]
    return fn


class Context:
    """What the expansion of a leaf needs: the float network (made once per network: mnistfc's nine clauses
    and its attacks' LPs shared one), the exact layers, the set and goal, the rows."""

    def __init__(self, layers, d, S, goal):
        self.fn, self.layers, self.d, self.S, self.goal = _float_net(layers, d), layers, d, S, goal
        self.rows = [_clause_rows(clause, self.fn.W[-1].shape[0]) for clause in goal]
        self.tighten = []                                # the hint ``tighten``: the set's bounds from LPs

    def set_bounds(self):
        """Before a search: the set's bounds from LPs (``tighten.of``, the hint ``tighten``) when the root leaf is
        open without them (many inputs, 2+ hidden layers); the context's float network meets them from then on.
        Not for attacks, nor where the root closes at once (mnistfc: 1-2 s saved on an easy instance)."""
        if TIGHTEN[0] and self.d > CUT_INPUTS and self.fn.L > 2 and not getattr(self, "_set", False):
            self._set, root = True, self.root()
            if np.all(np.isfinite(root.lo)) and np.all(np.isfinite(root.hi)) and \
                    _evaluate_leaf(self.fn, root, self.goal, self.rows, self)[0] == "open":
                self.tighten, tight = tighten.of(self.fn, root.lo, root.hi)
                if self.tighten:
                    self.fn = tighten.with_bounds(self.fn, tight)
        return self

    def leaf_lp(self, g, h):
        """The question's ``triangle.LeafLP`` for its one atom g . f + h (made once; None without highspy)."""
        if getattr(self, "_lp", None) is None:
            try:
                from .triangle import LeafLP
                leaf = self.root()
                self._lp = LeafLP(self.fn, leaf.lo, leaf.hi, g, h)
            except (ImportError, ValueError):                # no highspy, or weights beyond floats
                self._lp = False
        return self._lp or None

    def box(self):
        """The set's bounding box (lo, hi) in floats, made once: every leaf split only on units shares it."""
        if getattr(self, "_box", None) is None:
            lo_q, hi_q = box_of(self.S, "the set")
            self._box = (np.array([_float(t) for t in lo_q]), np.array([_float(t) for t in hi_q]))
        return self._box

    def root(self):
        return _Leaf(*self.box(), {}, ())


def expand(ctx, leaf):
    """One step of the branch and bound on ``leaf``: ("node", node, kids, priority) -- the tree node at the
    leaf's path, its children (none: the leaf is closed) and their priority (the leaf's float bound) --
    or ("refuted", exact x) or ("undecided", reason).  An open leaf with ``NODE_TIGHTEN`` first-layer splits
    more than its last tightened ancestor first gets the hint ``tighten`` of its own (``tighten.at``), which
    its children inherit."""
    fn = tighten.merged(ctx.fn, leaf.tight) if leaf.tight else ctx.fn
    n0 = len(leaf.splits.get(0, {}))
    if not (NODE_TIGHTEN[0] and TIGHTEN[0] and fn.L > 2 and ctx.d > CUT_INPUTS
            and n0 - leaf.tight_at >= NODE_TIGHTEN[0]):
        return _expand(ctx, leaf, fn)
    ev = _evaluate_leaf(fn, leaf, ctx.goal, ctx.rows, ctx)
    if ev[0] != "open" or len(ctx.rows) != 1:
        return _expand(ctx, leaf, fn, ev)
    leaf.tight_at = n0
    entries, tight = tighten.at(ctx, fn, leaf, ev[1][2], ev[1][3], ev[1][4], NODE_UNITS[0])
    if not entries:
        return _expand(ctx, leaf, fn, ev)
    fn = tighten.merged(fn, tight)                   # the set's, the ancestors' and the leaf's own bounds
    leaf.tight = fn.tight
    out = _expand(ctx, leaf, fn)
    if out[0] == "node":
        out[1]["tighten"] = entries
    return out


def _expand(ctx, leaf, fn, ev=None):
    rows = ctx.rows
    status, info = ev or _evaluate_leaf(fn, leaf, ctx.goal, rows, ctx)
    if status == "empty":
        return "node", {}, [], None
    if status == "closed":
        node, (mus, hints) = {}, info
        if any(mu is not None for mu in mus):
            node["mu"] = [mu[0] if mu is not None else [1] for mu in mus]
        if hints:
            if len(hints) > 1 or len(rows) > 1:          # one set of slopes per leaf: only one clause may use it
                hints = []
            else:
                alphas, betas = hints[0]
                node["alpha"] = [[k, int(j), str(to_rational(float(a[j])))]
                                 for k, a in enumerate(alphas) for j in np.flatnonzero(a >= 0)]
                beta = [[k, int(j), str(to_rational(float(b[j])))]
                        for k, b in enumerate(betas) for j in np.flatnonzero(b > 0)]
                if beta:
                    node["beta"] = beta
            if not hints:                                # fall back: split like an open leaf
                node = None
        if node is not None:
            return "node", node, [], None
        status, info = "open", _worst_of(fn, leaf, rows)
    worst, Lam_x = info[0], info[1]
    x = _fails(fn, leaf, ctx.layers, ctx.S, ctx.goal, rows, Lam_x, info[5])
    if x is not None:
        return "refuted", x
    if leaf.splits and _stable(info[2]) and len(rows) == 1 and len(rows[0][0]) == 1:
        out = _stable_lp(ctx, leaf, info[2])
        if out is not None:
            return out
    if _stable(info[2]) and not leaf.splits:       # the network is affine on the box: the bound is exact
        return "undecided", "a goal is tight on a leaf where every unit is stable (left to exact pivoting)"
    widths = leaf.hi - leaf.lo
    pres = {}
    unit = _unit_split(fn, leaf, info, ctx, pres) if ctx.d > CUT_INPUTS else None
    if unit is None:
        score = np.abs(Lam_x) * widths
        i = int(np.argmax(score if score.max() > 0 else widths))
        if SPLIT[0] == "trial" and ctx.d <= CUT_INPUTS:   # many inputs: one trial is 2 x 16 boxes' CROWN, ~1 s
            i = _trial_cut(ctx, leaf, widths, i, worst)
        if widths[i] <= 0:
            return "undecided", "a leaf cannot be split further"
        tf = float((leaf.lo[i] + leaf.hi[i]) / 2)
        if not leaf.lo[i] < tf < leaf.hi[i]:
            return "undecided", "a leaf is too narrow to split in floats"
        a_hi, b_lo = leaf.hi.copy(), leaf.lo.copy()
        a_hi[i], b_lo[i] = tf, tf
        return "node", {"cut": [i, str(to_rational(tf))]}, [leaf.kid(leaf.splits, leaf.path + (0,), hi=a_hi),
                                                         leaf.kid(leaf.splits, leaf.path + (1,), lo=b_lo)], worst
    l, j = unit
    kids = []
    for side, s in ((0, -1), (1, 1)):
        sp = {k: dict(v) for k, v in leaf.splits.items()}
        sp.setdefault(l, {})[j] = s
        pre, prelp = pres.get(s, (None, None))
        kids.append(leaf.kid(sp, leaf.path + (side,), pre, leaf.basis, prelp))
    return "node", {"split": [l, j]}, kids, worst


def search(layers, d, S, goal, budget=None, max_leaves=20000, progress=None):
    """("proved", preorder tree with leaf hints) | ("refuted", exact x) | ("undecided", reason, leaves);
    ``progress(closed, open, bound)`` before each leaf is evaluated: the leaves closed so far, the open ones,
    and the weakest open bound (the float bound of the open leaf's parent; None before the first)."""
    start = time.monotonic()
    ctx = Context(layers, d, S, goal).set_bounds()
    tree = {}                                      # path -> node
    heap, count = [(0.0, 0, ctx.root())], 0
    leaves = 0
    while heap:
        if progress is not None:
            progress(leaves, len(heap), heap[0][0] if count else None)
        if budget is not None and time.monotonic() - start > budget:
            return "undecided", f"budget of {budget:.3g} s spent with {len(heap)} open leaves", leaves
        if count > 2 * max_leaves:
            return "undecided", f"more than {max_leaves} leaves", leaves
        _, _, leaf = heapq.heappop(heap)
        out = expand(ctx, leaf)
        if out[0] == "refuted":
            return out
        if out[0] == "undecided":
            return out + (leaves,)
        _, tree[leaf.path], kids, worst = out
        leaves += not kids
        for kid in kids:
            count += 1
            heapq.heappush(heap, (worst, count, kid))
    return "proved", _preorder(tree), leaves


def decide(doc, budget=None, executor=None, checkpoint=None, resume=None, parsed=None):
    """(verdict, certificate) from a ``linear-bounds`` certificate for every question of a region-cover
    document, the kernel's verdict; or (None, reason) when a set is unbounded or the search stops.  With an
    ``executor`` (``exactmem.parallel``), or a ``checkpoint``/``resume`` file, the search runs as the
    work-queue of ``bab_queue`` and the kernel checks the certificate in shares over the executor.  The
    certificate states each clause of a goal as a question of its own (``by_clause``).  ``parsed``: the
    document's ``kernel.regions.questions``, when the caller has them (mnistfc: 1 s a parse)."""
    from .. import kernel
    d, layers, qs = parsed or kernel.regions.questions(doc)
    if any(S.p == "all" or S.cons for S, _ in qs):
        return None, "linear bounds need bounded sets without linear cuts"
    start = time.monotonic()
    budget = 30.0 if budget is None else budget                 # the region engine takes over after it
    from .cover import attack, falsify
    high = d > CUT_INPUTS                                        # random points are sparse: a targeted attack
    for seed in (1, 2, 3, 4) if high else (1, 2, 3):             # stronger attacks than the first pass
        for q, (S, goal) in enumerate(qs):
            if high and seed > 2 and time.monotonic() - start > 0.25 * budget:
                break
            init = _lp_starts(layers, d, S, goal) if high and seed == 3 else None
            x = attack(layers, S, goal, seed=seed - 2 + 2 * q, init=init) if high and seed > 2 else \
                falsify(layers, S, goal, samples=4096, steps=60, seed=seed)
            if x is not None:
                return kernel.regions.refute(doc, q, x), None
    split, origin = by_clause(doc, qs, len(layers[-1][0]))
    if split is not doc:                                        # by_clause's order, without a parse
        qs = [(S, [clause]) for S, goal in qs for clause in goal]
    try:
        with Progress("linear bounds", "leaves", after=BAR_AFTER[0]) as bar:
            return _passes(kernel, split, d, layers, qs, budget, start, bar, (executor, checkpoint, resume),
                           lambda q, x: kernel.regions.refute(doc, origin[q], x))
    finally:
        MARGIN[0] = 1e-6                                         # the default again, however the passes ended


def _lp_starts(layers, d, S, goal):
    """[(x, clause)]: per clause, the minimiser of its largest atom over the triangle relaxation on the set's
    box (``triangle.minimisers``), a start for ``cover.attack`` (mnistfc property 0 at 0.05: sat from these, not
    from 256 random starts); [] where HiGHS is not at hand for the set (unbounded)."""
    from .triangle import minimisers
    ctx = Context(layers, d, S, goal)
    leaf = ctx.root()
    if not (np.all(np.isfinite(leaf.lo)) and np.all(np.isfinite(leaf.hi))):
        return []
    return [(p[0], c) for c, p in enumerate(minimisers(ctx.fn, leaf.lo, leaf.hi, {}, ctx.rows)) if p is not None]


def by_clause(doc, qs=None, outputs=None):
    """(document, origin): the document with one question per clause of each of its questions -- the same
    statement, since a goal holds on a set exactly when each of its clauses does -- and the index of the question
    each new one comes from; the document itself when no goal has two clauses, the questions come from a
    dataset, or they are balls around data points (``qs`` parsed, ``outputs`` the network's: the certificate
    must then keep one ball per question, as ``proves.balls_of`` reads it).  Each clause then gets a tree and
    slopes of its own (mnistfc 13 at 0.03, nine clauses: 91 leaves in all, where one tree for the nine was still
    open after 1,100)."""
    from ..balls import of_questions
    data = doc.get("data")
    if qs and outputs is not None and of_questions(qs, outputs) is not None:
        return doc, list(range(len(qs)))
    raw = data.get("questions") if isinstance(data, dict) and doc.get("dataset") is None else None
    if not isinstance(raw, list) or all(len(q["goal"]) <= 1 for q in raw):
        return doc, list(range(len(raw or ())))
    new, origin = [], []
    for i, q in enumerate(raw):
        for clause in q["goal"]:
            new.append({**q, "goal": [clause]})
            origin.append(i)
    return {**doc, "data": {**data, "questions": new}}, origin


def _passes(kernel, doc, d, layers, qs, budget, start, bar, queue=(None, None, None), refute=None):
    """``decide``'s searches, a margin at a time, shown on ``bar``: leaves closed / closed + open (cumulative
    over questions and margins), and the question, open leaves and weakest open bound as its text; ``refute(q,
    x)``: the verdict of a counterexample x to question q (default: ``kernel.regions.refute`` on ``doc``)."""
    refute = refute or (lambda q, x: kernel.regions.refute(doc, q, x))
    base = 0
    text = json.dumps(doc, sort_keys=True, separators=(",", ":")) if any(x is not None for x in queue) else None
    for margin in (1e-6, 1e-4):
        MARGIN[0] = margin
        trees = []
        for q, (S, goal) in enumerate(qs):
            left = None if budget is None else budget - (time.monotonic() - start)
            if left is not None and left <= 0:
                return None, "budget spent"

            def report(closed, open_, bound, q=q, margin=margin, base=base):
                if bar.enabled:                              # the text first: update() may redraw
                    bar.step(f"question {q + 1}/{len(qs)}, margin {margin:g}: {open_} open"
                             + ("" if bound is None else f", weakest bound {bound:.3g}"))
                bar.update(base + closed, base + closed + open_)
            out = _search(doc, q, layers, d, S, goal, left, report, margin, queue, (d, layers, qs), text)
            if out[0] == "refuted":
                return refute(q, out[1]), None
            if out[0] == "undecided":
                return None, f"question {q}: {out[1]}"
            trees.append(out[1])
            base += out[2]
            bar.update(base, base)
        bar.step(f"the kernel checks {base} leaves (margin {margin:g})")
        cert = kernel.sign({**doc, "kind": "linear-bounds", "hints": hints_of(trees, layers, d, qs)})
        left = None if budget is None else max(1.0, budget - (time.monotonic() - start))
        try:
            if with_workers(queue[0]) is not None:
                from ..certify import parallel as cpar
                v = cpar.check(cert, queue[0], budget=left)
            else:
                v = kernel.check(cert, budget=left)
        except CertificateError as e:                        # e.g. a layer beyond the fixed point's limits
            return None, f"linear bounds: {e}"
        if v.is_proved:
            return v, cert
        if "budget" in v.reason:
            return None, v.reason                            # the kernel's own check ran out of time
    return None, v.reason


def _search(doc, q, layers, d, S, goal, left, report, margin, queue, parsed=None, text=None):
    """One question's search: serial (``search``), or the work-queue when an executor or a checkpoint file is
    given; a ``resume`` file is used for the question and margin it was written for.  ``parsed``, ``text``: the
    document's questions as parsed and its canonical JSON text, when the caller has them."""
    ex, checkpoint, resume = queue
    if ex is None and checkpoint is None and resume is None:
        return search(layers, d, S, goal, left, progress=report)
    from . import bab_queue
    from ..parallel import Serial
    use = resume if resume is not None and bab_queue.matches(resume, doc, q, margin) else None
    if resume is not None and use is None and bab_queue.ahead(resume, q, margin):
        checkpoint = None                   # an earlier pass: the resumed pass's saved state stays in the file
    return bab_queue.search(doc, q, ex or Serial(), left, margin=margin, checkpoint=checkpoint, resume=use,
                            progress=report, parsed=parsed, text=text)


def hints_of(trees, layers, d, qs) -> dict:
    """A ``linear-bounds`` certificate's hints: the trees, and the hint ``tighten`` of each question's set where
    the search used one (``Context.set_bounds``: the same for every question on one set, computed once)."""
    tight = [Context(layers, d, S, goal).set_bounds().tighten for S, goal in qs]
    return {"trees": trees, "precision": 32, **({"tighten": tight} if any(tight) else {})}


def _preorder(tree):
    out, stack = [], [()]
    while stack:
        p = stack.pop()
        node = tree[p]
        out.append(node)
        if "cut" in node or "split" in node:
            stack += [p + (1,), p + (0,)]
    return out


__all__ = ["search", "decide", "FloatNet", "bounds"]
