"""The cones of a hinted sum, derived once per class of equal weights (for ``sandwich.py``'s hull).

Walk back from a hinted unit (l, u) through the units it reads until the first layer a - 1 whose read units
are all carries [(j, 1)], bias 0: those are the *roots*; the units read in layers a..l-1 are the cone, split
into components (units joined through a shared input).  A component with one root r is a function of r's value
x.  With x0 the zero of the component's first unit at layer a, it is phi(x - x0), where phi depends only on the
component's *key*: its layer-a weights and their biases relative to x0 (by value), its deeper weights and biases
(by object: the parser shares one per distinct text, and the layers keep them alive), and its output weights
relative to the first.  On the hull x = m + lam t is affine in one source's offset t, so the component's term
is omega_0 phi(y_c + lam t), y_c = m - x0: phi is derived once per key, on a window of y covering every
component met so far (widened by half on a miss, so a key is derived O(log) times).  Theorem B.14's N x d
distance cones share one key.  Nothing is assumed: a new key derives its phi, and a component whose root is
not affine on one uncut row is derived on its own root's values.

>>> from flint import fmpq
>>> one = fmpq(1)
>>> layers = [([[(0, one)]], [fmpq(0)], 1),                       # the source's carry
...           ([[(0, one)], [(0, -one)]], [fmpq(-3), fmpq(3)], 1),   # sigma(x - 3), sigma(3 - x)
...           ([[(0, one), (1, one)]], [fmpq(0)], 2)]               # |x - 3|
>>> c = read(layers, 2, 0)
>>> c.a, [(root, units) for root, units, _ in c.comps]
(1, [(0, {1: [0, 1]})])
"""
from __future__ import annotations

from bisect import bisect_right

from flint import fmpq

from . import values as V

ZERO, ONE = fmpq(0), fmpq(1)
MAX_DEPTH = 256             # a cone deeper than this is not read (the unit stays on the engine's path)
USE = [True]                # False: every hinted sum derived by the engine on the hull (for measurements and tests)


def _key(x):
    return int(x.p), int(x.q)


class Cone:
    """Unit u of layer l: its bias, the root layer a - 1, and components [(root unit or None, {layer: units},
    outs [(unit of layer l - 1, weight)])]."""
    __slots__ = ("l", "u", "a", "bias", "comps")

    def __init__(self, l, u, a, bias, comps):
        self.l, self.u, self.a, self.bias, self.comps = l, u, a, bias, comps

    def roots(self):
        return {(self.a - 1, r) for r, _, _ in self.comps if r is not None}


def read(layers, l, u):
    """The ``Cone`` of unit u of layer l (layers: [(rows, bias, width_in)]), or None: a component with several
    roots, or no layer of carries within MAX_DEPTH layers."""
    rows, bias, _ = layers[l]
    outs = rows[u]
    front, by, L = sorted({j for j, _ in outs}), {}, l - 1
    while True:
        rs, bs, _ = layers[L]
        if all(len(rs[v]) == 1 and rs[v][0][1] == 1 and bs[v] == 0 for v in front):
            break
        if l - L >= MAX_DEPTH or L == 0:
            return None
        by[L] = front
        front = sorted({j for v in front for j, _ in rs[v]})
        L -= 1
    parent = {}

    def find(x):
        while x in parent:
            p = parent[x]
            if p in parent:
                parent[x] = parent[p]
            x = p
        return x
    for Lc, units in by.items():
        rs = layers[Lc][0]
        for v in units:
            a = find((Lc, v))
            for j, _ in rs[v]:
                b = find((Lc - 1, j))
                if a != b:
                    parent[b] = a
    comps = {}
    for Lc, units in sorted(by.items()):
        for v in units:
            comps.setdefault(find((Lc, v)), ([], {}, []))[1].setdefault(Lc, []).append(v)
    for r in front:
        comps.setdefault(find((L, r)), ([], {}, []))[0].append(r)
    for j, w in outs:
        comps.setdefault(find((l - 1, j)), ([], {}, []))[2].append((j, w))
    out = []
    for roots, units, ws in comps.values():
        if len(roots) > 1:
            return None
        out.append((roots[0] if roots else None, units, ws))
    return Cone(l, u, L + 1, bias[u], out)


def evaluate(layers, units, outs, x):
    """sum_o w_o v_o of a component whose root holds the value x (None: no root)."""
    val = {}
    for L in sorted(units):
        rs, bs, _ = layers[L]
        val = {v: V.relu(V.combine([(w, val[j] if j in val else x) for j, w in rs[v]], bs[v])) for v in units[L]}
    return V.combine([(w, val[j] if j in val else x) for j, w in outs], ZERO)


class Translates:
    """phi per key on a window of y, and what was derived from it (deviations from a hint's quadratic)."""

    def __init__(self, layers):
        self.layers, self.phi = layers, {}

    def key(self, cone, units, outs):
        """(key, x0, first output weight) of a one-root component."""
        layers, a = self.layers, cone.a
        rs, bs, _ = layers[a]
        first = units.get(a)
        if not first or any(len(rs[v]) != 1 for v in first) or any(L not in units for L in range(a, cone.l)):
            return None
        v0 = first[0]
        x0 = -bs[v0] / rs[v0][0][1]
        key, pos = [tuple((_key(rs[v][0][1]), _key(bs[v] + rs[v][0][1] * x0)) for v in first)], \
            {v: i for i, v in enumerate(first)}
        for L in range(a + 1, cone.l):
            rs, bs, _ = layers[L]
            key.append(tuple((tuple((pos[j], id(w)) for j, w in rs[v]), id(bs[v])) for v in units[L]))
            pos = {v: i for i, v in enumerate(units[L])}
        w0 = outs[0][1]
        key.append(tuple((pos[j], _key(w / w0)) for j, w in outs))
        return tuple(key), x0, w0

    def get(self, key, units, outs, x0, lo, hi):
        """The ``Phi`` of key, its window covering [lo, hi]."""
        e = self.phi.get(key)
        if e is None or lo < e.lo or hi > e.hi:
            if e is not None:
                lo, hi = min(lo, e.lo), max(hi, e.hi)
                lo, hi = lo - (hi - lo) / 2, hi + (hi - lo) / 2
            phi = V.combine([(1 / outs[0][1], evaluate(self.layers, units, outs, V.PL(0, ((lo, hi, x0, ONE),))))], ZERO)
            e = self.phi[key] = Phi(lo, hi, V.PL(0, ((lo, hi, phi, ZERO),)) if isinstance(phi, fmpq) else phi)
        return e


class Phi:
    """A key's function on [lo, hi] (a PL of y, or a Box: too many pieces), and its ranges on windows."""
    __slots__ = ("lo", "hi", "pl", "starts", "memo")

    def __init__(self, lo, hi, pl):
        self.lo, self.hi, self.pl, self.memo = lo, hi, pl, {}
        self.starts = [p[0] for p in pl.pieces] if isinstance(pl, V.PL) else None

    def ranges(self, y0, y1, e, alpha, clip):
        """(min, max) of phi and of phi(y) - alpha q(e + y) for y in [y0, y1] (within the window), exactly."""
        key = (_key(y0), _key(y1), _key(e), _key(alpha), _key(clip) if clip is not None else None)
        got = self.memo.get(key)
        if got is None:
            ps = self.pl.pieces
            i = max(bisect_right(self.starts, y0) - 1, 0)
            part = []
            while i < len(ps) and ps[i][0] <= y1:
                lo, hi = max(ps[i][0], y0), min(ps[i][1], y1)
                if lo <= hi:
                    part.append((lo, hi) + ps[i][2:])
                i += 1
            pl = V.PL(0, part)
            got = self.memo[key] = V.bounds(pl) + V.quad_deviation(pl, e, alpha, clip)
        return got


class Sum:
    """A hinted unit's pre-activation on the hull's one row: c + sum_k omega_k phi_k(y_k + lam_k t_k) over the
    translated components ``terms`` {source: (Phi, y_c, lam, omega_0, t_lo, t_hi)}, plus ``other`` values
    (components derived on their own roots)."""

    def __init__(self, c, terms, other):
        self.c, self.terms, self.other = c, terms, other

    def fast(self):
        """Whether the deviation can be read per translated term (every term alone on its source)."""
        return not self.other

    def window(self, k, t0, t1, e, alpha, clip):
        """(min, max) of term k and of term_k(t) - alpha q(e + t) for t in [t0, t1] within its root's range (t0 =
        None: over phi's whole window, a superset of the root's range shared by every sum of the key)."""
        phi, yc, lam, w0, tlo, thi = self.terms[k]
        y0, y1 = sorted((yc + lam * max(t0, tlo), yc + lam * min(t1, thi))) if t0 is not None else (phi.lo, phi.hi)
        a2 = alpha / (lam * lam * w0)
        v0, v1, d0, d1 = phi.ranges(y0, y1, lam * e - yc, a2, abs(lam) * clip if clip is not None else None)
        return (w0 * v0, w0 * v1, w0 * d0, w0 * d1) if w0 > 0 else (w0 * v1, w0 * v0, w0 * d1, w0 * d0)

    def value(self):
        """The exact value (a Sep, PL or constant): each term substituted and restricted to its root's t-range."""
        parts = list(self.other)
        for k, (phi, yc, lam, w0, tlo, thi) in self.terms.items():
            pieces = []
            for lo, hi, v, a in phi.pl.pieces:
                t0, t1 = sorted(((lo - yc) / lam, (hi - yc) / lam))
                t0, t1 = max(t0, tlo), min(t1, thi)
                if t0 < t1:
                    pieces.append((t0, t1, w0 * (v + a * yc), w0 * a * lam))
            parts.append(V.tidy(k, pieces[::-1] if lam < 0 else pieces))
        return V.combine([(ONE, p) for p in parts], self.c)


def hull_sum(cone, layers, trans, roots):
    """The ``Sum`` of cone on the hull, whose roots hold the values {root: value} (one row, uncut)."""
    terms, other, c = {}, [], cone.bias
    for root, units, outs in cone.comps:
        x = roots.get(root)
        if root is not None and USE[0] and isinstance(x, V.PL) and len(x.pieces) == 1 and x.pieces[0][3] != 0 \
                and x.pieces[0][0] < x.pieces[0][1] and x.k not in terms:
            lo, hi, m, lam = x.pieces[0]
            got = trans.key(cone, units, outs)
            if got is not None:
                key, x0, w0 = got
                yc = m - x0
                ends = sorted((yc + lam * lo, yc + lam * hi))
                phi = trans.get(key, units, outs, x0, *ends)
                if phi.starts is not None:
                    terms[x.k] = (phi, yc, lam, w0, lo, hi)
                    continue
        val = evaluate(layers, units, outs, x)
        if isinstance(val, fmpq):
            c += val
        else:
            other.append(val)
    if other:                                   # not separable per term: the exact value, terms substituted
        s = Sum(c, terms, other)
        return Sum(ZERO, {}, [s.value()])
    return Sum(c, terms, [])
