"""A hinted separable sum bounded once on the hull of all balls, then per ball by its quadratic alone.

Take a unit with a ``hints.quadratic`` entry (alpha, centre z, clip) whose pre-activation is, on one row that
covers the box H of every ball's sources, an exact separable sum s(u) = c + sum_{k in S} f_k(u_k).  The kernel
derives that row itself (the engine on H) and computes once, per term, the range of f_k(u_k) - alpha q(u_k - z_k)
on H, q(t) = min(t^2, clip^2) (``values.quad_deviation``): s - alpha sum_k q lies in [g_lo, g_hi] on H.  Every ball
lies in H, so on ball i s lies in [g_lo, g_hi] + alpha [min, max] of sum_k q on the ball, an exact question of
geometry (``Balls.quad_range``) that costs O(|S|) per ball, or one integer matrix product for all balls and units.
The ReLU of that interval is the unit's value on the ball: 0 where the interval is <= 0, else a Box.

Units that only such sums read are then not computed on the balls (``Engine.skip``): Theorem B.14's distance
blocks cost their pieces once per block instead of once per block and ball.  Nothing is assumed of the
network: a sum that is not exact on H, or an H that the engine splits, keeps the unit on the ordinary path.

>>> from exactmem import Dataset
>>> from exactmem.constructions.large_rho import large_rho_memorizer
>>> from exactmem.kernel import robust
>>> _, cert = large_rho_memorizer(Dataset([[0, 0], [3, 1], [1, 4]], [1, 2, 1]), "1/2")
>>> robust.check(cert.to_json()).is_proved
True
"""
from __future__ import annotations

from math import gcd

import numpy as np
from flint import fmpq, fmpz_mat

from . import cones as C
from . import values as V
from .engine import Col, Engine, State
from .numbers import sqrt_bounds

ONE = fmpq(1)


def hull(balls):
    """(R_H, one row's source columns) of the box H: source c within [min_i c_ic - R_c, max_i c_ic + R_c]."""
    R, cols, mid = list(balls.R), [], {}
    for k, (c, lam) in enumerate(balls.canon):
        col = [row[c] for row in balls.c]
        if c not in mid:
            lo, hi = min(col), max(col)
            mid[c] = fmpq(lo + hi, 2 * balls.den)
            R[c] = balls.R[c] + fmpq(hi - lo, 2 * balls.den)
        m = balls.centre(0, k) + lam * (mid[c] - balls.centre(0, c))     # u_k - lam u_c is the same on every ball
        if balls.R[c] == 0:
            cols.append(Col(np.array([int(m.p)], dtype=object), int(m.q)))
        else:
            q = int(m.q) * int(lam.q)
            cols.append(Col(np.array([int(m.p) * int(lam.q)], dtype=object), q,
                            np.array([int(lam.p) * int(m.q)], dtype=object), np.array([c])))
    return R, cols, mid


class Hull:
    """The engine on one row covering H, advanced layer by layer as the balls' analysis reaches the layers.
    Units with a ``cones.Cone`` are not run by it: their roots' values are kept as the engine passes them, and
    the cone is derived from those (``cones.hull_sum``)."""

    def __init__(self, balls, compiled, clock, lemma=(), cones=None):
        self.R, cols, self.mid = hull(balls)
        self.cones, self.trans, self.want, self.got = cones or {}, C.Translates(compiled.layers) if cones else None, {}, {}
        roots = {r for c in self.cones.values() for r in c.roots()}
        for L, j in roots:
            self.want.setdefault(L, set()).add(j)
        self.eng, self.st, self.compiled, self.l = Engine(self.R, clock=clock, skip=unread(
            compiled, lemma, True, keep=roots)), State([0], cols), compiled, 0

    def _value(self, j, r):
        st = self.st
        return st.spec[j][r] if r in st.spec.get(j, ()) else st.cols[j].value(r, self.R)

    def _to(self, l):
        st = self.st
        while self.l < l:
            units, readers, sole = self.compiled[self.l]
            self.eng.layer(st, units, readers, sole, False, self.l)
            for j in self.want.pop(self.l, ()):
                self.got[self.l, j] = ([self._value(j, r) for r in range(len(st.ball))], len(st.ball) == 1 and not st.cut)
            self.l += 1

    def pre(self, l, u):
        """Unit u of layer l before its ReLU on H: exact on H's one uncut row (a ``cones.Sum`` for a unit with a
        cone), else a Box of every row's bounds (the rows of a ball cover it)."""
        self._to(l)
        cone = self.cones.get((l, u))
        if cone is not None:
            got = {r: self.got[cone.a - 1, r] for r, _, _ in cone.comps if r is not None}
            if all(one for _, one in got.values()):
                return C.hull_sum(cone, self.compiled.layers, self.trans, {r: v[0] for r, (v, _) in got.items()})
            n = max((len(v) for v, _ in got.values()), default=1)
            vals = [V.combine([(ONE, C.evaluate(self.compiled.layers, units, outs, got[r][0][i] if r is not None
                                                else None)) for r, units, outs in cone.comps], cone.bias)
                    for i in range(n)]
        else:
            st = self.st
            nz, bias = self.compiled[l][0][u]
            vals = [V.combine([(w, self._value(j, r)) for j, w in nz], bias) for r in range(len(st.ball))]
            if len(vals) == 1 and not st.cut:
                return vals[0]
        bs = [V.bounds(v) for v in vals]
        return V.Box((min(b[0] for b in bs), max(b[1] for b in bs)))


def unread(compiled, lemma, hull=False, reads=None, keep=()) -> dict:
    """{layer: units} that no unit computed on the balls reads: walking back from the output, a unit is read if
    a read unit of the next layer has it as an input, unless that unit's value comes from a lemma, which reads
    only reads[(l, u)] (default: nothing); the units ``keep`` {(l, u)} are computed whoever reads them.  On the
    hull (``hull``) only the lemma units' inputs are needed, and what they read."""
    need, skip, reads, kept = set() if hull else set(range(len(compiled[-1][0]))), {}, reads or {}, {}
    for k, u in keep:
        kept.setdefault(k, set()).add(u)
    for l in range(len(compiled) - 1, 0, -1):
        units = compiled[l][0]
        need |= kept.get(l, set())
        prev = {j for u in need if (l, u) not in lemma for j, _ in units[u][0]}
        prev |= {j for u in need if (l, u) in lemma for j in reads.get((l, u), ())}
        prev |= {j for u in range(len(units)) if hull and (l, u) in lemma for j, _ in units[u][0]}
        skip[l] = set(range(len(units))) - need
        need = prev
    skip[0] = set(range(len(compiled[0][0]))) - need - kept.get(0, set())
    return {l: s for l, s in skip.items() if s}


def _on_ball(sep, balls, mid, b):
    """The hull's exact sum seen from ball b: each term shifted to b's offsets and clipped to its range."""
    terms = {}
    for k, pl in sep.terms.items():
        dlt, R = balls.centre(b, k) - mid[k], balls.R[k]
        pieces = [(max(lo - dlt, -R), min(hi - dlt, R), v + a * dlt, a) for lo, hi, v, a in pl.pieces
                  if max(lo - dlt, -R) < min(hi - dlt, R)]
        terms[k] = V.PL(k, pieces)
    return V.Sep(terms, sep.c)


USE = [True]                # False: every hinted sum on the ordinary path (for measurements)
CHUNK = 64                  # lemma units whose squared distances to every ball come from one matrix product


def values(balls, compiled, quad, hints, clock, cache, readers=None):
    """{layer: {unit: fn(state) -> (column, cells)}}: each hinted unit's ReLU on every row's ball, from the hull;
    for a unit in ``readers`` {(l, u): (w, a, b)}, its sole reader w = sigma(a V + b) of layer l + 1 instead."""
    readers = readers or {}
    cones = {key: c for key in hints if C.USE[0] and (c := C.read(compiled.layers, *key)) is not None}
    H, order, dist, r2s = Hull(balls, compiled, clock, hints - cones.keys(), cones), sorted(hints), {}, {}
    at = {key: t for t, key in enumerate(order)}

    def distances(key, S):
        if key not in dist:                         # this unit and the next CHUNK - 1 of the same S, at once
            t = at[key]
            group = [k for k in order[t:t + CHUNK] if k not in dist]
            cs = [[row[k] for k in S] for row in balls.c]
            for k, col in zip(group, zip(*squared_distances(cs, balls.den, [[quad[g][1][j] for j in S] for g in group]))):
                dist[k] = (S, col)
        if dist[key][0] != S:
            del dist[key]
            return distances(key, S)
        return dist.pop(key)[1]

    def per_ball(l, u, need, vstar=None):
        """{ball: None (the ReLU is 0), FAR (at least vstar) or a Box} for the balls in need."""
        alpha, z, clip = quad[l, u]
        val = H.pre(l, u)
        if isinstance(val, C.Sum) and val.fast() and val.terms:        # per translated term, from its key's table
            s, val = val, None
            S, g_lo, g_hi = tuple(sorted(s.terms)), s.c, s.c
            for k in S:
                a, b = s.window(k, None, None, H.mid[k] - z[k], alpha, clip)[2:]
                g_lo, g_hi = g_lo + a, g_hi + b
        else:
            val = val.value() if isinstance(val, C.Sum) else val
            if isinstance(val, V.PL) and val is not V.DEAD:
                val = V.Sep({val.k: val}, fmpq(0))
            if not isinstance(val, V.Sep):             # not exact on H: its bounds there hold on every ball
                lo, hi = V.bounds(val)
                return dict.fromkeys(need, None if hi <= 0 else V.Box((max(lo, fmpq(0)), hi)))
            S, g_lo, g_hi = tuple(sorted(val.terms)), val.c, val.c
            for k, pl in val.terms.items():
                a, b = V.quad_deviation(pl, H.mid[k] - z[k], alpha, clip)
                g_lo, g_hi = g_lo + a, g_hi + b
        if S not in r2s:
            r2s[S] = balls.radius_sq(S, cache)
        r2, per, D2 = r2s[S], {}, distances((l, u), S)
        far = threshold(vstar, g_lo, alpha, clip, r2) if vstar is not None else None
        for i in need:
            d2 = D2[i]
            if far is not None and d2 >= far:
                per[i] = FAR
                continue
            lo, hi = interval(*(balls.quad_box(i, S, z) if balls.p != 2 else (d2, None, None)), r2, g_lo, g_hi, quad[l, u])
            if lo < 0 < hi and val is None:         # undecided by the hull's deviation: the ball's own ranges
                lo, hi = own(s, i, S, z, quad[l, u], r2)
            elif lo < 0 < hi:                       # the same from the ball's own pieces
                if isinstance(val, V.Sep):
                    mine = _on_ball(val, balls, H.mid, i)
                    (a, b), (c, e) = V.bounds(mine), balls.sandwich(i, quad[l, u], cache)(mine)
                    lo, hi = max(a, c), min(b, e)
            per[i] = None if hi <= 0 else V.Box((max(lo, fmpq(0)), hi))
        return per

    def own(s, i, S, z, hint, r2):
        """Bounds of a translated Sum on ball i: each term's ranges on the ball's own window (``balls.sandwich``)."""
        v_lo = v_hi = g_lo = g_hi = s.c
        for k in S:
            dlt, R = balls.centre(i, k) - H.mid[k], balls.R[k]
            a, b, c, e = s.window(k, dlt - R, dlt + R, H.mid[k] - z[k], hint[0], hint[2])
            v_lo, v_hi, g_lo, g_hi = v_lo + a, v_hi + b, g_lo + c, g_hi + e
        c, e = interval(*balls.quad_box(i, S, z), r2, g_lo, g_hi, hint)
        return max(v_lo, c), min(v_hi, e)

    def fn(l, u):
        def run(st):
            ball = st.ball.tolist()
            per = per_ball(l, u, sorted(set(ball)))
            cells = {r: per[b] for r, b in enumerate(ball) if per[b] is not None}
            return Col(np.zeros(len(st.ball), dtype=np.int64), 1, nonneg=True), cells
        return run

    def after(l, u, a, b):
        """The unit sigma(a V + b) reading only V = unit u of layer l: a constant where V's cell decides it."""
        vstar = -b / a if a < 0 and quad[l, u][0] > 0 else None       # V >= vstar makes it 0
        zero = b if b > 0 else fmpq(0)                                  # where V = 0

        def run(st):
            ball = st.ball.tolist()
            per = per_ball(l, u, sorted(set(ball)), vstar)
            num, cells = np.zeros(len(ball), dtype=object), {}
            for r, i in enumerate(ball):
                v = per[i]
                if v is None:
                    num[r] = int(zero.p)
                elif v is not FAR:
                    lo, hi = sorted((a * v[0] + b, a * v[1] + b))
                    if hi > 0:
                        cells[r] = V.Box((max(lo, fmpq(0)), hi))
            return Col(num, int(zero.q), nonneg=True), cells
        return run
    out = {}
    for l, u in order:
        if (l, u) in readers:
            w, a, b = readers[l, u]
            out.setdefault(l + 1, {})[w] = after(l, u, a, b)
        else:
            out.setdefault(l, {})[u] = fn(l, u)
    return out


FAR = object()              # a ball on which the hinted unit is at least the reader's vstar


def threshold(vstar, g_lo, alpha, clip, r2):
    """T with: every ball whose centre's squared distance d2 >= T has the unit's sum at least vstar, or None.
    On such a ball sum_k (u_k - z_k)^2 >= (D - r)^2 >= tau = (vstar - g_lo) / alpha (D = sqrt(d2), r^2 = r2), and
    sum_k min(s_k^2, clip^2) >= min(sum, clip^2) >= tau if clip^2 >= tau (alpha > 0)."""
    tau = (vstar - g_lo) / alpha
    if tau <= 0:
        return fmpq(0)
    if clip is not None and clip * clip < tau:
        return None
    return (sqrt_bounds(r2)[1] + sqrt_bounds(tau)[1]) ** 2


def interval(d2, q_lo, q_hi, r2, g_lo, g_hi, hint) -> tuple:
    """Bounds of g + alpha sum_k q(u_k - z_k) over a ball, g in [g_lo, g_hi]: sum_k (u_k - z_k)^2 is within
    (D -+ r)^2 with D^2 = d2 its value at the centre, r^2 = r2 the squared radius of an l_2 ball containing the
    ball in source space, and within [q_lo, q_hi] (its range on a box containing the ball; None: not known)."""
    alpha, _, clip = hint
    cross = sqrt_bounds(d2 * r2)[1]
    q_hi = d2 + r2 + 2 * cross if q_hi is None else min(q_hi, d2 + r2 + 2 * cross)
    q_lo = q_lo or fmpq(0)
    q_lo = max(q_lo, d2 + r2 - 2 * cross) if d2 > r2 else q_lo
    s_lo = min(q_lo, clip * clip) if clip is not None else q_lo       # sum_k min(s_k^2, clip^2) >= min(sum, clip^2)
    return (g_lo + alpha * s_lo, g_hi + alpha * q_hi) if alpha > 0 else (g_lo + alpha * q_hi, g_hi + alpha * s_lo)


def plan(balls, compiled, quad, clock, cache):
    """(skip, lemma functions) for ``Engine``: a hinted unit below the output that reads no hinted unit takes its
    value from the hull (one that reads one, like Theorem B.14's sigma(1 - V), is not a sum on H)."""
    hints = {(l, u) for l, u in sorted(quad) if 0 < l < len(compiled) - 1 and
             not any((l - 1, j) in quad for j, _ in compiled[l][0][u][0])} if USE[0] else set()
    if not hints:
        return {}, {}
    readers = {}
    for l, u in hints:                          # a sole reader sigma(a V + b) that reads nothing else
        if l + 1 < len(compiled) - 1 and l + 1 not in getattr(compiled, "quiet", ()):     # (not in an inert span)
            units, rd, _ = compiled[l + 1]
            if len(rd[u]) == 1 and len(units[rd[u][0]][0]) == 1:
                (_, a), = units[rd[u][0]][0]
                readers[l, u] = (rd[u][0], a, units[rd[u][0]][1])
    lemma = values(balls, compiled, quad, hints, clock, cache, readers)
    return unread(compiled, {(l, u) for l, fns in lemma.items() for u in fns}), lemma


def squared_distances(C, den, Z) -> list:
    """D[i][u] = ||C_i / den - Z_u||^2 exactly (C rows of ints, Z rows of fmpq), by one integer matrix product."""
    Dz = 1
    for zr in Z:
        for t in zr:
            Dz = Dz * int(t.q) // gcd(Dz, int(t.q))
    Zi = [[int(t.p) * (Dz // int(t.q)) for t in zr] for zr in Z]
    P = (fmpz_mat(C) * fmpz_mat(Zi).transpose()).tolist()
    cc, zz = [sum(v * v for v in row) for row in C], [sum(v * v for v in zr) for zr in Zi]
    scale, a, b = (den * Dz) ** 2, Dz * Dz, 2 * Dz * den
    return [[fmpq(a * cc[i] - b * int(P[i][u]) + den * den * zz[u], scale) for u in range(len(Z))] for i in range(len(C))]
