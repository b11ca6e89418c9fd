"""The finder of region covers: branch and bound over activation patterns, floating-point LPs, exact hints.

For one question (an input set S and a goal, ``kernel.regions``) it walks the network layer by layer on
a region: a unit is stable if the kernel's exact test proves it with no multipliers or with the
multipliers of a float LP (min and max of its pre-activation over the region); otherwise the region is
split on the unstable unit with the widest two-sided range.  On a region where every unit is fixed it
proves one atom per clause the same way, or looks for a point where a clause fails (the LP of largest
slack) and hands it to the kernel as a witness.  Every inequality it reports is confirmed by the
kernel's exact test before it is used, so a hint it emits is one the kernel accepts; the verdict is
still the kernel's.

>>> from exactmem import ReLUNet
>>> from exactmem.kernel.regions import Set
>>> from flint import fmpq, fmpq_mat
>>> f = ReLUNet([([[1, 1], [1, -1]], [0, 0]), ([[1, 1]], [0])])      # relu(x+y) + relu(x-y)
>>> S = Set([fmpq(2), fmpq(0)], "inf", fmpq(1), True)                  # open box around (2, 0)
>>> goal = [[([fmpq(1)], fmpq(0), True)]]                              # f > 0
>>> out = search(f.sparse_layers(), S, goal)
>>> out[0], out[1]
('proved', [{'goals': [[0, []]]}])
"""
from __future__ import annotations

import itertools
import math
import time
from fractions import Fraction

import numpy as np

from flint import fmpq, fmpq_mat

from ..kernel.regions import Leaf, compose, form, off, passes, violation
from . import simplex
from .lp import Region, ffloat
from .points import inside, unit

TOL = 1e-9
SUBSETS = 32        # supports tried at a degenerate optimum
SAMPLES = 48        # float points per region to see unstable units without an LP
FLOAT_IN = 1e-9     # a float point counts as inside a row (or a value as signed) beyond this scaled margin
COARSE = 1e-2       # first pass for l_2: cut the ball only to 1 %; refine when that does not decide


def _short(t: fmpq) -> tuple:
    f = Fraction(int(t.p), int(t.q)).limit_denominator(1 << 20)
    return f.numerator, f.denominator


def _hint(keys, lam):
    cut = max(lam, default=fmpq(0)) * fmpq(1, 10 ** 13)
    return [(k[0], k[1], t) for k, t in zip(keys, lam) if t > cut and t > 0]


def _text(h):
    return [[a, b, str(t)] for a, b, t in h]


class Node:
    """One region: the path's splits, the exact leaf constraints and the float LP rows."""

    def __init__(self, S, d, path, points=None):
        self.lf, self.path = Leaf(S), path
        self.R = Region(S.x0, S.p, S.r, S.cons)
        self.keys = [(-1, i) for i in range(len(S.cons))]
        self.hints, self.proofs = [], {}
        self.P = _samples(S, self.R, SAMPLES, np.random.default_rng(len(path)))
        if points is not None and len(points):
            self.P = np.vstack([self.P, points])
        self.P = self.P[np.all(np.array(self.R.b) - self.P @ np.array(self.R.A).T > FLOAT_IN, axis=1)] if self.R.A else self.P

    def seen(self, u):
        """Keep the LP point u (a vertex of the region), pulled 1/64 of the way to the sample points' mean so that
        it lies inside: later instability tests, here and in the children, see it without an LP."""
        if u is not None and len(self.P):
            self.P = np.vstack([self.P, u + (self.P.mean(axis=0) - u) / 64])

    def add(self, key, c, e):
        self.lf.cons[key] = (c, e)
        self.R.add(c, e)
        self.keys.append(key)
        self.P = self.P[self.R.b[-1] - self.P @ np.array(self.R.A[-1]) > FLOAT_IN]

    def mixed(self, c, e):
        """The float width min(max, -min) of (c.x + e) / n over sample points of the region when it takes both
        signs there (the unit is unstable, no LP needed), else None."""
        if len(self.P) < 2:
            return None
        a, k, _ = self.R.scaled(c, e)
        v = self.P @ np.array(a) + k
        top, low = float(v.max()), float(v.min())
        return min(top, -low) if top > FLOAT_IN and low < -FLOAT_IN else None

    def prove(self, g, h, strict):
        """Multipliers (possibly []) with which the kernel proves g.x + h > 0 / >= 0 here, the float LP minimum,
        and the LP point; ("empty", lam) when the LP finds the region empty and the kernel agrees."""
        if self.lf.proves(g, h, strict, []):
            return [], None, None
        for tol in (COARSE, 1e-7) if self.R.p == 2 else (1e-7,):
            try:
                out = self.R.minimize(g, h, tol)
            except ArithmeticError:                     # the float solver gave up: nothing proved, no point
                return None, -math.inf, None
            if out is None:
                return self.empty(), None, None
            val, lam, u = out
            self.seen(u)
            slack = TOL if tol == COARSE or self.R.p != 2 else TOL + 10 * tol * math.sqrt(len(g)) * self.R.radius
            if val > -slack:                             # (the fine l_2 cuts leave a gap of about tol)
                for hint in self.polished(g, h, _hint(self.keys, lam), u):
                    if self.lf.proves(g, h, strict, hint):
                        return hint, val, u
            if val < -4 * COARSE * math.sqrt(len(g)) * self.R.radius:   # below the coarse ball's error
                break
        if val > -TOL:                                     # the float says yes but nothing it gave passed
            hint = self.exact(g, h, strict, u)
            if hint is not None:
                return hint, val, u
        return None, val, u

    def exact(self, g, h, strict, u=None):
        """Multipliers from the exact simplex method (``simplex``) where the float ones were not confirmed, on a
        box or an l_inf ball (started from the rows tight at the float point u) or an l_1 ball (lifted:
        x = x0 + a - b, a, b >= 0, sum(a + b) <= r); ("empty", lam) when it finds the region empty.  A strict
        atom on an open set whose minimum is 0 needs multipliers that leave a multiple of the set's faces: the
        optimal basis on the set shrunk by 2^-30 of its size gives them."""
        S, d = self.lf.S, len(g)
        if S.p in (2, "all"):
            return None
        rows = [self.lf.cons[k] for k in self.keys]
        start = []
        if S.p != 1 and u is not None:
            tight = set(self.tight(u))
            start = [i for i, k in enumerate(self.keys) if k in tight]
            start += [len(rows) + j + (0 if u[j] < 0 else d) for j in range(d)
                      if self.R.ub[j] == 0 or abs(u[j]) >= self.R.ub[j] * (1 - 1e-6)]
        for e in (None, 30) if strict and S.open else (None,):
            cut = fmpq(1) if e is None else 1 - fmpq(1, 2 ** e)
            if S.p == 1:
                lifted = [(list(c) + [-t for t in c], k + sum((a * x for a, x in zip(c, S.x0)), fmpq(0))) for c, k in rows]
                out = simplex.minimize(list(g) + [-t for t in g], lifted + [([fmpq(-1)] * (2 * d), S.r * cut)],
                                       [fmpq(0)] * (2 * d), [S.r] * (2 * d))
            else:
                half = [t * cut for t in (S.r if S.p == "box" else [S.r] * d)]
                out = simplex.minimize(g, rows, [x - t for x, t in zip(S.x0, half)],
                                       [x + t for x, t in zip(S.x0, half)], start)
            if out[0] == "failed":
                continue
            hint = [(k[0], k[1], t) for k, t in zip(self.keys, out[-1]) if t]
            if out[0] == "infeasible":
                if self.lf.proves([fmpq(0)] * d, fmpq(0), True, hint):
                    return "empty", hint
            elif self.lf.proves(g, h, strict, hint):
                return hint
        return None

    def polished(self, g, h, hint, u):
        """The float multipliers; the same rounded to short fractions; and the exact solution of
        g = sum_k lam_k c_k + sum_t kappa_t w_t on their support, w_t the directions in which the set is
        tight at the LP point u (``free``): in the tight case (minimum exactly 0 or exactly attained) only
        this exact solution passes, since a rounded one misses the equality.  At a degenerate optimum (more
        tight rows than the dimension allows) the supports of the KKT system are its subsets, largest first."""
        yield hint
        yield [(a, b, fmpq(*_short(t))) for a, b, t in hint]
        d, have = len(g), {(a, b) for a, b, _ in hint}
        pool = sorted(hint, key=lambda t: -t[2]) + [(k[0], k[1], fmpq(0)) for k in self.tight(u) if k not in have]
        subsets = [hint]
        if len(pool) >= d or len(pool) > len(hint):
            subsets += [list(c) for k in range(min(len(pool), d), 0, -1) for c in itertools.combinations(pool, k)
                        if list(c) != hint][:SUBSETS]
        for sub in subsets:
            C = [self.lf.cons[a, b][0] for a, b, _ in sub]
            rows = C + self.free(g, h, sub, u)
            if rows and len(rows) <= d:
                M = fmpq_mat(rows)
                try:
                    z = (M * M.transpose()).solve(M * fmpq_mat(d, 1, g)).entries()
                except ZeroDivisionError:
                    continue
                if all(t >= 0 for t in z[:len(C)]):
                    yield [(a, b, t) for (a, b, _), t in zip(sub, z) if t]

    def tight(self, u):
        """Keys of the rows tight at the float point u (relative to the row's scale)."""
        if u is None:
            return []
        return [k for k, a, b in zip(self.keys, self.R.A, self.R.b) if b - float(np.dot(a, u)) <= 1e-7 * (1 + abs(b))]

    def free(self, g, h, hint, u):
        """Exact directions w with which v = g - sum lam c may be left over at the optimum: the unit vectors
        of coordinates at a face of a box or l_inf ball; the sign vector of an l_1 face; for l_2 the
        direction from x0 to its exact projection on the hyperplanes of the support and of g.x + h = 0."""
        d, S = len(g), self.lf.S
        if u is None or S.p == "all":
            return []
        if S.p in ("box", "inf"):
            return [unit(d, j) for j in range(d)
                    if self.R.ub[j] > 0 and abs(u[j]) >= self.R.ub[j] * (1 - 1e-6)]
        if S.p == 1:
            if float(np.abs(u).sum()) < self.R.radius * (1 - 1e-6):
                return []
            return [[fmpq(int(np.sign(t))) if abs(t) > 1e-9 * self.R.radius else fmpq(0) for t in u]]
        rows = [self.lf.cons[a, b] for a, b, _ in hint] + [(list(g), h)]
        A = fmpq_mat([c for c, _ in rows])
        r = A * fmpq_mat(d, 1, S.x0) + fmpq_mat(len(rows), 1, [e for _, e in rows])
        try:
            w = (A.transpose() * (A * A.transpose()).solve(r)).entries()
        except ZeroDivisionError:
            return []
        return [list(w)] if any(w) else []

    def empty_leaf(self, lam):
        """The leaf node for an empty region: its multipliers and the stable hints its walk needs first."""
        return self.leaf(empty=_text(lam))

    def leaf(self, **kw):
        return {**kw, "stable": self.hints} if self.hints else kw

    def empty(self):
        try:
            sl = self.R.slack()
        except ArithmeticError:
            return None
        if sl is not None and sl[0] > 0:
            hint = _hint(self.keys, sl[1])
            if self.lf.proves([fmpq(0)] * len(self.R.x0), fmpq(0), True, hint):
                return ("empty", hint)
            out = self.exact([fmpq(0)] * len(self.R.x0), fmpq(0), True)
            if isinstance(out, tuple):
                return out
        return None


def walk(layers, S, path, d, memo=None, partial=None):
    """("split", (l, j)) | ("leaf", empty-leaf node) | ("region", node, outputs as forms) for the region of
    path: every hidden unit split on the path or proved stable, or the widest unstable unit to split on.
    ``memo`` (a dict kept across one tree) hands a region's stability proofs to its children, where the
    kernel's exact test re-confirms them without an LP; sample points of the region that give a unit both
    signs show it unstable without an LP.  Before a split, ``partial(node, l, M, states)`` hears the layer's
    exact pre-activation map M and its units' states (True on, False off, None unstable)."""
    known, points = memo.get(tuple(path[:-1]), ({}, None)) if memo is not None and path else ({}, None)
    nd = Node(S, d, path, points)
    for l, M, m in passes(layers, d):
        if l == len(layers) - 1:
            break
        rows = layers[l][0]
        split = {j: s for (a, j, s) in path if a == l}
        for j, s in split.items():
            c, e = form(M, m, j)
            nd.add((l, j), [s * t for t in c], s * e)
        signs, widest = dict(split), None
        for j in range(len(rows)):
            if j in split:
                continue
            c, e = form(M, m, j)
            if (l, j) in known:
                s, hint = known[l, j]
                if nd.lf.proves([s * t for t in c], s * e, False, hint):
                    signs[j], nd.proofs[l, j] = s, (s, hint)
                    if hint:
                        nd.hints.append([l, j, s, _text(hint)])
                    continue
            width = nd.mixed(c, e)
            if width is not None:
                if widest is None or width > widest[0]:
                    widest = (width, j)
                continue
            for s in (1, -1):
                hint, val, _ = nd.prove([s * t for t in c], s * e, False)
                if isinstance(hint, tuple):
                    return "leaf", nd.empty_leaf(hint[1])
                if hint is not None:
                    signs[j], nd.proofs[l, j] = s, (s, hint)
                    if hint:
                        nd.hints.append([l, j, s, _text(hint)])
                    break
                if s == 1:
                    lo = val
            else:
                width = min(-(lo if lo is not None else 0.0), -(val if val is not None else 0.0))
                if widest is None or width > widest[0]:
                    widest = (width, j)
        if widest is not None:
            if memo is not None:
                memo[tuple(path)] = (nd.proofs, nd.P)
            if partial is not None:
                partial(nd, l, M, [signs[j] > 0 if j in signs else None for j in range(len(rows))])
            return "split", (l, widest[1])
        for j, s in signs.items():
            if j not in split:
                c, e = form(M, m, j)
                nd.add((l, j), [s * t for t in c], s * e)
            if s < 0:
                off(M, m, j)
    return "region", (nd, [form(M, m, k) for k in range(M.nrows())])


def explore(layers, S, goal, path, d, memo=None):
    """("leaf", node) | ("split", (l, j)) | ("refuted", x) | ("undecided", reason) for the region of path."""
    kind, out = walk(layers, S, path, d, memo)
    if kind != "region":
        return kind, out
    nd, outs = out
    picks = []
    for c, clause in enumerate(goal):
        for r, (g, h, strict) in enumerate(clause):
            hint, _, _ = nd.prove(*compose(g, h, outs, d), strict)
            if isinstance(hint, tuple):
                return "leaf", nd.empty_leaf(hint[1])
            if hint is not None:
                picks.append([r, _text(hint)])
                break
        else:
            kind, out = settle(layers, S, goal, nd, outs, clause, c, d)
            if kind != "pick":
                return kind, out
            picks.append(out)
    return "leaf", nd.leaf(goals=picks)


def _failing(clause, outs, d):
    """The rows c.x + e >= 0 where every atom of the clause fails, as (closed rows, open rows): a strict atom
    fails where its form is <= 0, a non-strict one where it is < 0."""
    closed, open_ = [], []
    for g, h, strict in clause:
        gx, gh = compose(g, h, outs, d)
        (closed if strict else open_).append(([-t for t in gx], -gh))
    return closed, open_


def settle(layers, S, goal, nd, outs, clause, c, d):
    """A clause no single atom of which holds on the whole region: ("pick", [[[i, w], ...], multipliers]), a
    positive combination of its atoms proved there (``kernel.regions.mix``), when no point of the region fails
    every atom; else ("refuted", x), an exact point where the clause fails; ("leaf", node) if the region is
    empty; ("undecided", reason).  Floats first (the LP of largest slack); then, on a box or an l_inf or l_1
    ball, the exact simplex method (``simplex.over_set``), which also finds points on a region with no
    interior -- an equality goal's hyperplane, a set cut to a segment."""
    closed, open_ = _failing(clause, outs, d)
    R = nd.R.copy()
    for g, h in closed + open_:
        R.add(g, h)
    sl = R.slack(COARSE)
    n, tried = len(nd.keys), []
    if sl is not None and sl[0] < TOL:                 # every row >= -t*: try short points first
        for bits in (4, 8, 16, 32, None):
            for shrink in (0.0, 2.0 ** -(bits or 40)):
                x = R.point(sl[2], shrink, bits)
                if violation(layers, S, goal, x) is not None:
                    return "refuted", x
    if sl is not None and sl[0] > TOL:                  # the float LP says no point fails the clause
        w = sl[1][n:]
        tried += [w, [fmpq(*_short(t / max(w))) if t > 0 else fmpq(0) for t in w] if max(w) > 0 else w]
    kinds = [t[2] for t in clause]
    order = [i for i, k in enumerate(kinds) if k] + [i for i, k in enumerate(kinds) if not k]
    for w in tried:
        pick = _combine(nd, clause, outs, d, {order[i]: t for i, t in enumerate(w)})
        if pick is not None:
            return pick
    rows = [nd.lf.cons[k] for k in nd.keys]
    out = simplex.over_set(S, rows + closed, open_)
    if out[0] == "failed":                               # l_2: points proposed by floats, checked exactly
        x = inside(S, rows + closed, open_)
        if x is not None and violation(layers, S, goal, x) is not None:
            return "refuted", x
    if out[0] == "point":
        if violation(layers, S, goal, out[1]) is not None:
            return "refuted", out[1]
    elif out[0] != "failed":
        w = out[1][n:] + out[2]
        pick = _combine(nd, clause, outs, d, {order[i]: t for i, t in enumerate(w)})
        if pick is None and not any(out[1][n:]) and not any(out[2]):
            hint = [(k[0], k[1], t) for k, t in zip(nd.keys, out[1]) if t]
            if out[0] == "infeasible" and nd.lf.proves([fmpq(0)] * d, fmpq(0), True, hint):
                return "leaf", nd.empty_leaf(hint)
        if pick is not None:
            return pick
    return "undecided", f"clause {c} is not proved on the region {[(a, b, s) for a, b, s in nd.path]} and no " \
                        f"exact counterexample was found there"


def _combine(nd, clause, outs, d, weights):
    """("pick", ...) proving sum w_i a_i (``kernel.regions.mix``) on the region, ("leaf", node) if the region
    is empty, or None."""
    pairs = [(i, w) for i, w in sorted(weights.items()) if w > 0]
    if not pairs:
        return None
    g = [sum((w * clause[i][0][k] for i, w in pairs), fmpq(0)) for k in range(len(clause[0][0]))]
    h = sum((w * clause[i][1] for i, w in pairs), fmpq(0))
    hint, _, _ = nd.prove(*compose(g, h, outs, d), all(clause[i][2] for i, _ in pairs))
    if isinstance(hint, tuple):
        return "leaf", nd.empty_leaf(hint[1])
    if hint is None:
        return None
    return "pick", [[[i, str(w)] for i, w in pairs], _text(hint)]


def grow(layers, S, visit, budget=None, bar=None):
    """("proved", tree) | ("refuted", x) | ("undecided", reason, regions): the split tree of S in preorder,
    each region handed to ``visit(path)``, which returns what ``explore`` returns."""
    start, tree, stack, regions = time.monotonic(), [], [[]], 0
    while stack:
        path = stack.pop()
        if budget is not None and time.monotonic() - start > budget:
            return "undecided", f"budget of {budget} s spent after {regions} region(s)", regions
        kind, out = visit(path)
        regions += 1
        if bar is not None:
            bar.update(regions, regions + len(stack))
        if kind == "split":
            tree.append({"split": list(out)})
            stack += [path + [(*out, 1)], path + [(*out, -1)]]
        elif kind == "leaf":
            tree.append(out)
        elif kind == "refuted":
            return "refuted", out
        else:
            return "undecided", out, regions
    return "proved", tree


def search(layers, S, goal, budget=None, bar=None):
    """("proved", tree) | ("refuted", x) | ("undecided", reason, regions) for one question."""
    d, memo = len(S.x0), {}
    return grow(layers, S, lambda path: explore(layers, S, goal, path, d, memo), budget, bar)


def preorder(tree: dict) -> list:
    """A region tree {path: node} (paths of (l, j, s) splits) in the kernel's preorder: a split, then its z <= 0
    branch, then its z >= 0 one (the order ``grow`` writes; the work-queues and ``lipschitz`` keep dicts)."""
    out, stack = [], [()]
    while stack:
        p = stack.pop()
        node = tree[p]
        out.append(node)
        if "split" in node:
            l, j = node["split"]
            stack += [p + ((l, j, 1),), p + ((l, j, -1),)]
    return out


_FLOATS: dict = {}      # (id(layers), x0, s) -> (layers, mats, C): the last few conversions, read-only arrays


def _floats(layers, S, R):
    """The network on u (x = x0 + s u) in floats, each layer divided by its largest exact entry so that weights
    at any scale give floats near 1: the true pre-activations of layer l are C_l times the float ones, where
    C_l (exact, > 0) is the product of the divisors so far.  Returns the float layers and C of the output.
    The last few conversions are kept (mnistfc: 0.8 s each, asked for by every attack on the same set)."""
    key = (id(layers), tuple(S.x0), tuple(R.s))
    hit = _FLOATS.get(key)
    if hit is not None and hit[0] is layers:
        return hit[1], hit[2]
    mats, C = _convert(layers, S, R)
    for W, b in mats:
        W.flags.writeable = b.flags.writeable = False
    if len(_FLOATS) >= 4:
        _FLOATS.pop(next(iter(_FLOATS), None), None)
    _FLOATS[key] = (layers, mats, C)
    return mats, C


def _convert(layers, S, R):
    mats, C = [], fmpq(1)
    for l, (rows, bias) in enumerate(layers):
        if l == 0:
            rows = [[(j, w * R.s[j]) for j, w in r] for r in rows]
            bias = [sum((w * S.x0[j] for j, w in r), b) for r, b in zip(layers[0][0], bias)]
            cols = len(S.x0)
        else:
            cols = len(layers[l - 1][0])
        a = max([abs(w) for r in rows for _, w in r] + ([abs(t) for t in bias] if l == 0 else []) + [fmpq(0)])
        a = a or fmpq(1)
        C *= a
        W = np.zeros((len(rows), cols))
        for i, r in enumerate(rows):
            for j, w in r:
                W[i, j] = ffloat(w / a)
        mats.append((W, np.array([ffloat(t / C) for t in bias])))
    return mats, C


def _forward(mats, U):
    H, masks = U, []
    for l, (W, b) in enumerate(mats):
        H = H @ W.T + b
        if l < len(mats) - 1:
            masks.append(H > 0)
            H = np.where(masks[-1], H, 0.0)
    return H, masks


def _float_goal(goal, C):
    """Per clause, the atoms' coefficients and constants in floats, the constants in units of the output's divisor C."""
    return [(np.array([[ffloat(a) for a in g] for g, _, _ in clause]), np.array([ffloat(h / C) for _, h, _ in clause]))
            for clause in goal]


def _backprop(mats, masks, grads):
    """The gradients (rows x outputs) carried back to the inputs through the float layers and ReLU masks."""
    for l in range(len(mats) - 1, -1, -1):
        grads = grads @ mats[l][0]
        if l:
            grads = grads * masks[l - 1]
    return grads


def _margin(H, fgoal):
    """Per row, the largest over clauses of -(best atom): >= 0 where some clause fails (in floats, in units of
    the output's divisor C)."""
    out = np.full(H.shape[0], -np.inf)
    for G, h in fgoal:
        out = np.maximum(out, -np.max(H @ G.T + h, axis=1))
    return out


def falsify(layers, S, goal, samples=256, steps=30, seed=0):
    """A point of S where the goal fails, or None: float evaluations at random points of S (the centre
    first), then projected sign-gradient steps from the most promising ones; each candidate is rounded to a
    short dyadic point strictly inside S and confirmed exactly (``kernel.regions.violation``)."""
    R = Region(S.x0, S.p, S.r)
    ub = np.array(R.ub)
    U = _samples(S, R, samples, np.random.default_rng(seed))
    mats, C = _floats(layers, S, R)
    fgoal = _float_goal(goal, C)
    with np.errstate(all="ignore"):
        m = _margin(_forward(mats, U)[0], fgoal)
        best = np.argsort(-np.nan_to_num(m, nan=-np.inf))[:8]
        cands = [U[k] for k in best if m[k] >= 0]
        V = U[best].copy()
        rows = np.arange(len(V))
        for t in range(steps):                       # descend the best atom of the clause nearest to failing
            H, masks = _forward(mats, V)
            vals = [H @ G.T + h for G, h in fgoal]               # per clause: rows x atoms
            top = np.array([np.max(v, axis=1) for v in vals])    # clauses x rows
            if np.any(top.min(axis=0) <= 0):
                cands += [V[k].copy() for k in np.flatnonzero(top.min(axis=0) <= 0)[:2]]
            if len(cands) >= 8:
                break
            pick = np.nan_to_num(top, nan=np.inf).argmin(axis=0)
            grads = np.zeros((len(V), mats[-1][0].shape[0]))
            for c, (G, _) in enumerate(fgoal):
                sel = rows[pick == c]
                if len(sel):
                    grads[sel] = G[np.nan_to_num(vals[c][sel], nan=-np.inf).argmax(axis=1)]
            grads = _backprop(mats, masks, grads)
            step = R.radius * 0.2 * 0.9 ** t
            V = V - step * (np.sign(grads) if S.p in ("inf", "box") else grads / np.maximum(_norm(grads, 2), 1e-300))
            V = np.clip(V, -ub, ub) if S.p in ("inf", "box") else \
                V * np.minimum(1.0, R.radius / np.maximum(_norm(V, S.p), 1e-300))
    for u in cands[:8]:
        for bits in (4, 12, 24, None):
            x = R.point(u, 2.0 ** -(bits or 40), bits)
            if violation(layers, S, goal, x) is not None:
                return x
    return None


def attack(layers, S, goal, starts=256, steps=100, seed=0, init=None):
    """A point of S where the goal fails, or None: projected gradient descent from ``starts`` random points of S
    (the centre first), start k aimed at clause k mod #clauses (the largest of its atoms pushed down), steps of
    a quarter of the set's half-width decaying as a cosine; the first iterates that fail in floats are rounded
    to short dyadic points strictly inside S and confirmed exactly.  A stronger, targeted complement of
    ``falsify`` for goals of many clauses (mnistfc 9 at 0.05: found at step 7 of 256 starts, not by
    ``falsify``'s 8 starts from 4,096 samples).  ``init``: [(float point x of S, clause)] to start from
    first, each aimed at its clause (``triangle.minimisers``' points)."""
    R = Region(S.x0, S.p, S.r)
    ub = np.array(R.ub)
    mats, C = _floats(layers, S, R)
    fgoal = _float_goal(goal, C)
    V = _samples(S, R, starts, np.random.default_rng(seed))
    target, rows = np.arange(starts) % len(fgoal), np.arange(starts)
    for k, (x, c) in enumerate((init or [])[:starts]):       # u = (x - x0) / s, clipped into the set's box
        V[k] = np.clip((x - np.array([ffloat(t) for t in S.x0])) / np.array([ffloat(t) for t in R.s]), -ub, ub)
        target[k] = c
    with np.errstate(all="ignore"):
        for t in range(steps):
            H, masks = _forward(mats, V)
            vals = [H @ G.T + h for G, h in fgoal]
            top = np.array([np.max(v, axis=1) for v in vals]).min(axis=0)
            for k in np.flatnonzero(top <= 0)[:4]:
                for bits in (4, 12, 24, None):
                    x = R.point(V[k], 2.0 ** -(bits or 40), bits)
                    if violation(layers, S, goal, x) is not None:
                        return x
            grads = np.zeros((starts, mats[-1][0].shape[0]))
            for c, (G, _) in enumerate(fgoal):
                sel = rows[target == c]
                grads[sel] = G[np.nan_to_num(vals[c][sel], nan=-np.inf).argmax(axis=1)]
            grads = _backprop(mats, masks, grads)
            step = 0.125 * (1 + np.cos(np.pi * t / steps)) * R.radius
            if S.p in ("inf", "box"):
                V = np.clip(V - step * np.where(np.isfinite(ub), ub / R.radius, 1.0) * np.sign(grads), -ub, ub)
            else:
                V = V - step * grads / np.maximum(_norm(grads, 2), 1e-300)
                V = V * np.minimum(1.0, R.radius / np.maximum(_norm(V, S.p), 1e-300))
    return None


def _samples(S, R, n, rng):
    """n float points of S in R's scaled coordinates u (x = x0 + s u), uniform in a box or ball, the centre
    first."""
    d = len(S.x0)
    if S.p in ("box", "all"):
        U = rng.uniform(-1, 1, (n, d)) * (np.array(R.ub) if S.p == "box" else R.radius)
    else:
        G = rng.standard_normal((n, d)) if S.p == 2 else \
            rng.laplace(size=(n, d)) if S.p == 1 else rng.uniform(-1, 1, (n, d))
        U = G / np.maximum(_norm(G, S.p), 1e-300) * R.radius * rng.uniform(0, 1, (n, 1)) ** (1 / d)
    U[0] = 0.0
    return U


def _norm(G, p):
    return np.linalg.norm(G, ord={2: 2, 1: 1, "inf": np.inf}[p], axis=1, keepdims=True)
