"""Inert blocks: a span of layers that, on most balls, passes its registers on and adds nothing.

``hints.blocks`` lists spans [a, b, e0, e1] of hidden layers (and the slab hints ``hints.exclude[e0:e1]`` that
belong to the span).  The kernel reads the span's structure from the weights and uses the span only if every
unit of layers a..b fits it (else the span takes the ordinary path):
  * *passive* units: at layer a, any unit that is not a cone's root; later, carries [(j, 1)], bias 0, of
    passive units (the identity: j is a ReLU's output);
  * *cones*: a cone of input register k is the units that depend on register k alone (a root at layer a reads k,
    with a weight or bias other than a carry's), through layer w - 1;
  * the *scalar stage*: the units of layer w read cone outputs of several registers, each lam_u times one
    linear form S = sum omega_o o; later units read scalar units only, so each is a function of the number S;
  * *results*: units of layer b that read scalar units and passive units.
So S = sum_k psi_k(v_k), v_k register k.  The kernel derives, once per cone up to a translation of its input,
psi(v) as an exact piecewise-linear function, and tabulates its value on each cell [n + gamma, n + 1) where it
is constant (gamma of the span's slab hint for that register: frac(v) < gamma is excluded, and paid for, on
every ball whose register is that source's offset, which is checked per row).  On a row, v_k lies in an
interval narrower than 1 - gamma, so psi_k takes at most two values there; S lies in [S_lo, S_hi].  From the
scalar stage's bumps (``steps.support``) the kernel takes a set Z and derives, once per span, every scalar
unit on the S-interval of all rows with Z excluded: if the units the results read are constants there, every
row whose [S_lo, S_hi] misses Z (after splitting the widest terms a few times) is *inert*: its results are
those constants' results, its passive registers pass on, and the span's other units are never computed on
it.  The other rows run the span's layers on the ordinary path.  Nothing of the hint is trusted: spans,
slabs and Z only choose where the derivations are made; what they derive is exact.

Cost per span: the cones' tables (shared by all spans), O(rows x registers) integer operations, one big-integer
sum per row, and the scalar stage once -- instead of every unit of the span on every row.

>>> from exactmem import Dataset
>>> from exactmem.constructions.moderate_rho import moderate_rho_memorizer
>>> from exactmem.kernel import robust
>>> doc = moderate_rho_memorizer(Dataset([[0], [3], [6], [9], [12], [15]], [1, 2, 1, 2, 1, 2]), "1/20", "1/10")[1].to_json()
>>> doc["hints"]["blocks"], robust.check(doc).is_proved        # two blocks, each skipped on the other block's balls
([[1, 18, 0, 1], [19, 33, 1, 2]], True)
"""
from __future__ import annotations

import numpy as np
from flint import fmpq

from . import values as V
from .engine import Col, Engine, State, _lcm, compile_layer
from .steps import support

ZERO, ONE = fmpq(0), fmpq(1)
Q = 1 << 40                 # the grid of the rows' register intervals (rounded outward: a superset)
SPLITS = 64                 # at most this many pieces when a row's S-interval meets Z
CELLS = 128                 # cells of a cone derived in one piecewise-linear function (wine: 2,932 cells)
USE = [True]                # False: every span on the ordinary path (for measurements and tests)


def _key(x):
    return int(x.p), int(x.q)


def _floor(x):
    return int(x.p) // int(x.q)


def _ceil(x):
    return -((-int(x.p)) // int(x.q))


class Span:
    """The structure of layers a..b (``None`` from ``read`` when they do not fit)."""

    def __init__(self, a, b, slabs):
        self.a, self.b, self.slabs = a, b, slabs
        self.consts = self.zone = None

    @staticmethod
    def read(compiled, a, b, slabs, carries=None):
        """The span's structure, or None; ``carries`` {id(row): j} of rows [(j, 1)] may be shared between calls
        (the layers hold the rows, so ids are not reused)."""
        layers, carries, zero = compiled.layers, {} if carries is None else carries, None
        if not 1 <= a < b < len(layers) - 1:
            return None
        sp = Span(a, b, slabs)
        rows, bias, _ = layers[a]
        tag, origin = {}, {}            # tag: 'p' passive, ('c', k) cone, 's' scalar, 'r' result
        cones = {}                      # k -> {layer: [units]}
        for u, nz in enumerate(rows):
            if len(nz) == 1 and not (nz[0][1] == 1 and bias[u] == 0):
                tag[u] = ("c", nz[0][0])
                cones.setdefault(nz[0][0], {}).setdefault(a, []).append(u)
            else:
                tag[u], origin[u] = "p", u
        w, wide, scalar, results = None, [], {}, []
        sp.roots = {u for u, t in tag.items() if t != "p"}
        for l in range(a + 1, b + 1):
            prev_origin = origin
            rows, bias, _ = layers[l]
            new, norigin = {}, {}
            for u, nz in enumerate(rows):
                j = carries.get(id(nz))                 # a carry [(j, 1)]: the common case, first (rows are shared)
                if j is None and len(nz) == 1 and nz[0][1] == 1:
                    j = carries[id(nz)] = nz[0][0]
                if j is not None and tag[j] == "p" and (bias[u] is zero or bias[u] == 0):
                    zero = bias[u]
                    new[u], norigin[u] = "p", origin[j]
                    continue
                ts = {tag[j] for j, _ in nz}
                if not nz:
                    if w is None or l == w or l == b:           # a constant: only among the scalar units after w
                        return None
                    new[u] = "s"
                elif ts == {"p"}:
                    return None
                elif all(t != "p" and t != "s" for t in ts):                 # cone units only
                    ks = {t[1] for t in ts}
                    if len(ks) == 1 and w is None:
                        new[u] = ts.pop()
                        cones[new[u][1]].setdefault(l, []).append(u)
                    elif len(ks) > 1 and (w is None or w == l):
                        w = l
                        new[u] = "s"
                        wide.append(u)
                    else:
                        return None
                elif ts == {"s"} and l < b:
                    new[u] = "s"
                elif ts <= {"s", "p"} and "s" in ts and l == b:
                    new[u] = "r"
                    results.append(u)
                else:
                    return None
                if new[u] == "s" and l > w:
                    scalar.setdefault(l, []).append(u)
            tag, origin = new, norigin
        if w is None or not results or w >= b or any(l >= w for by in cones.values() for l in by):
            return None                         # (a cone unit in the wide layer: the cones end at w - 1)
        # the wide units: lam_u times one linear form S of the cone outputs at layer w - 1
        rows, bias, _ = layers[w]
        ref = rows[wide[0]]
        cols = [j for j, _ in ref]
        lam = {}
        for u in wide:
            nz = rows[u]
            if [j for j, _ in nz] != cols:
                return None
            r = nz[0][1] / ref[0][1]
            if any(x != r * y for (_, x), (_, y) in zip(nz, ref)):
                return None
            lam[u] = (r, bias[u])
        omega = dict(ref)
        sp.w, sp.lam, sp.scalar, sp.results = w, lam, scalar, results
        sp.origin, sp.prev_origin = origin, prev_origin    # passive units of layers b, b - 1 -> their unit of a
        sp.cones = {}
        for k, by in cones.items():
            outs = [j for j in by.get(w - 1, []) if j in omega]
            if not outs:
                continue
            sp.cones[k] = (by, outs)
        if not sp.cones:
            return None
        sp.omega = omega
        sp.rtags = {u: tag[u] for u in range(len(layers[b][0]))}
        return sp

    # -- the cones ----------------------------------------------------------------------------------------
    def cone_key(self, compiled, k):
        """(key, shift s, omega_0): the cone of register k is psi(v) = omega_0 * phi_key(v + s).  Below the roots the
        key names weights by object: equal objects are equal numbers (the parser shares one per distinct text,
        and the layers hold them, so an id is never reused while the key lives)."""
        by, outs = self.cones[k]
        layers = compiled.layers
        roots = by[self.a]
        rows, bias, _ = layers[self.a]
        p0 = rows[roots[0]][0][1]
        s = bias[roots[0]] / p0
        pos = {}
        key = []
        part = []
        for i, u in enumerate(roots):
            p = rows[u][0][1]
            part.append((_key(p), _key(bias[u] - p * s)))
            pos[u] = i
        key.append(tuple(part))
        for l in sorted(by):
            if l == self.a:
                continue
            rows, bias, _ = layers[l]
            npos, part = {}, []
            for i, u in enumerate(by[l]):
                part.append((tuple((pos[j], id(x)) for j, x in rows[u]), id(bias[u])))   # objects kept: ids stay
                npos[u] = i
            key.append(tuple(part))
            pos = npos
        w0 = self.omega[outs[0]]
        key.append(tuple((pos[j], _key(self.omega[j] / w0)) for j in outs))
        return tuple(key), s, w0

    def cone_fn(self, compiled, k, s, lo, hi, gaps=None):
        """phi(t) = psi(t - s) / omega_0 on [lo, hi], an exact PL of t (or a Box: too many pieces); ``gaps``
        (starts, ends, None): intervals of t where phi is not needed (their pieces are dropped at every layer)."""
        by, outs = self.cones[k]
        layers = compiled.layers
        t, g = V.PL(0, ((lo, hi, ZERO, ONE),)), (lambda _: gaps) if gaps else None
        rows, bias, _ = layers[self.a]
        val = {u: V.relu(V.combine([(rows[u][0][1], t)], bias[u] - rows[u][0][1] * s, g), gaps) for u in by[self.a]}
        for l in sorted(by):
            if l == self.a:
                continue
            rows, bias, _ = layers[l]
            val = {u: V.relu(V.combine([(x, val[j]) for j, x in rows[u]], bias[u], g), gaps) for u in by[l]}
        w0 = self.omega[outs[0]]
        return V.combine([(self.omega[j] / w0, val[j]) for j in outs], ZERO)

    # -- the scalar stage -----------------------------------------------------------------------------------
    def zones(self, compiled):
        """Z: the supports of the scalar stage's bumps b + f1 sigma(p1 S + q1) + f2 sigma(p2 S + q2), reading each
        unit sigma(x v + c) of a unit v = sigma(p S + q) as sigma(x p S + x q + c).  A choice, not a claim: what
        holds outside Z is derived (``derive``)."""
        if self.zone is not None:
            return self.zone
        approx, out = dict(self.lam), []
        for l in range(self.w + 1, self.b):
            rows, bias, _ = compiled.layers[l]
            new = {}
            for u in self.scalar.get(l, []):
                nz = rows[u]
                if len(nz) == 1 and nz[0][0] in approx:
                    x, (p, q) = nz[0][1], approx[nz[0][0]]
                    new[u] = (x * p, x * q + bias[u])
                elif len(nz) == 2 and all(j in approx for j, _ in nz):
                    (j1, f1), (j2, f2) = nz
                    sup = support(bias[u], f1, *approx[j1], f2, *approx[j2])
                    if sup is not None and sup[0] < sup[1]:
                        out.append(sup)
            approx = new
        self.zone = V.union(out)
        return self.zone

    def derive(self, compiled, lo, hi, Z):
        """{unit of layer b - 1: constant} of the scalar units the results read, derived for S in [lo, hi]
        outside Z (S = lo when hi is None); None if one of them is not a constant there."""
        gaps = ([a for a, _ in Z], [b for _, b in Z], None)
        g = lambda k: gaps
        S = V.PL(0, ((lo, hi, ZERO, ONE),)) if hi is not None else lo
        val = {u: V.relu(V.combine([(lam, S)], b0, g), gaps) for u, (lam, b0) in self.lam.items()}
        for l in range(self.w + 1, self.b):
            rows, bias, _ = compiled.layers[l]
            new = {}
            for u in self.scalar.get(l, []):
                ins = [(x, val[j]) for j, x in rows[u]]
                if all(type(v) is fmpq for _, v in ins):           # constants: the arithmetic itself
                    t = bias[u]
                    for x, v in ins:
                        t = t + x * v
                    new[u] = t if t > 0 else ZERO
                else:
                    new[u] = V.relu(V.combine(ins, bias[u], g), gaps)
            val = new
        rows, _, _ = compiled.layers[self.b]
        need = {j for u in self.results for j, _ in rows[u] if j in val}
        out = {j: val[j] for j in need}
        return out if all(isinstance(v, fmpq) for v in out.values()) else None


def _dot(v, mult):
    """v @ mult exactly for an n x K int64 matrix v and Python integers mult: int64 products with 24-bit limbs of
    |mult| when max |v| K < 2^38 (every sum then below 2^62), recombined as Python integers; else Python integers."""
    K, limbs, sign = len(mult), [], np.array([1 if m >= 0 else -1 for m in mult], dtype=np.int64)
    top = max((abs(m).bit_length() for m in mult), default=0)
    if int(np.abs(v).max(initial=0)) * K >= 1 << 38:
        return (v.astype(object) * np.array(mult, dtype=object)).sum(axis=1)
    for shift in range(0, top + 1, 24):
        limbs.append([(abs(m) >> shift) & 0xFFFFFF for m in mult])
    parts = (v * sign) @ np.array(limbs, dtype=np.int64).T                  # n x limbs, exact in int64
    out = np.zeros(len(v), dtype=object)
    for i in range(parts.shape[1] - 1, -1, -1):
        out = out * (1 << 24) + parts[:, i].astype(object)
    return out


def _frac(x):
    return x - _floor(x)


class _Reg:
    """A register's value per ball (numerator over the column's denominator; None: not seen), its floor and
    ceiling on the grid 1/Q, and frac(alpha c_i,kk - v_i) per slab source (kk, alpha)."""

    def __init__(self, n):
        self.num = np.full(n, None, dtype=object)
        self.zf, self.zc = np.zeros(n, dtype=np.int64), np.zeros(n, dtype=np.int64)
        self.phase = {}


class Inert:
    """The spans of a network and what is derived for them, shared by every chunk of balls."""

    def __init__(self, compiled, hints, excl, balls):
        self.compiled, self.balls = compiled, balls
        self.spans, self.tables, self.keys, self.by_source = {}, {}, {}, {}
        self.counts = [0, 0]                            # rows found inert, rows through the layers
        self.regs = {}                                  # (register, den, slope, source) -> _Reg
        carries = {}
        for a, b, e0, e1 in hints if USE[0] else ():
            sp = Span.read(compiled, a, b, excl[e0:e1], carries)
            if sp is not None:
                self.spans[a] = sp
                self.keys[a] = {k: sp.cone_key(compiled, k) for k in sp.cones}
                by = self.by_source[a] = {}
                for e in sp.slabs:
                    by.setdefault(balls.canon[e[0]][0], []).append(e)

    # -- per row: the cells of each cone's register ------------------------------------------------------------
    def _reg(self, k, col, rows, ball):
        """(per-ball cache of register k, its source, its slope), brought up to date on the rows; None when the rows'
        forms differ in source or slope, or a value is beyond 2^20 (the int64 grid)."""
        src, tan = col.src[rows], col.tan[rows]
        c = int(src[0])
        if c < 0 or (src != c).any() or (tan != tan[0]).any():
            return None
        key = (k, col.den, int(tan[0]), c)
        E = self.regs.get(key)
        if E is None:
            E = self.regs[key] = _Reg(len(self.balls.c))
        nums = col.num[rows]
        new = np.flatnonzero(np.asarray(E.num[ball] != nums, dtype=bool))
        if len(new):
            nb, nv = ball[new], nums[new].astype(object)
            if (np.abs(nv) >= col.den << 20).any():
                return None
            E.num[nb] = nv
            E.zf[nb] = ((nv * Q) // col.den).astype(np.int64)                 # floor(v Q), ceil(v Q)
            E.zc[nb] = (-((-nv * Q) // col.den)).astype(np.int64)
            for arr, _ in E.phase.values():
                arr[nb] = None
            if np.asarray(E.num[ball] != nums, dtype=bool).any():     # two rows of a ball with different values
                return None
        return E, c, fmpq(int(tan[0]), col.den)

    def _slab(self, sp, k, E, c, a, ball, den):
        """gamma of a slab hint of the span that is {frac(v + s) < gamma} on the rows, and the rows where it is so:
        alpha u_kk + beta - (v + s) an integer, u_kk = centre_i,kk + lam t, v = num / den + a t, alpha lam = a."""
        s, balls = self.keys[sp.a][k][1], self.balls
        for kk, alpha, beta, gamma in self.by_source[sp.a].get(c, ()):
            if alpha * balls.canon[kk][1] != a:
                continue
            arr, seen = E.phase.setdefault((kk, alpha), (np.full(len(balls.c), None, dtype=object), set()))
            for b in np.flatnonzero(np.equal(arr[ball], None)).tolist():      # frac(alpha centre - v) per ball
                i = int(ball[b])
                arr[i] = f = _frac(alpha * balls.centre(i, kk) - fmpq(int(E.num[i]), den))
                seen.add((int(f.p), int(f.q)))
            t = _frac(beta - s)
            if len(seen) == 1:
                (p_, q_), = seen
                ok = np.full(len(ball), _frac(fmpq(p_, q_) + t) == 0)
            else:
                ok = np.array([_frac(f + t) == 0 for f in arr[ball]], dtype=bool)
            if ok.any():
                return gamma, ok
        return None, np.zeros(len(ball), dtype=bool)

    def _table(self, sp, k, n_lo, n_hi, gamma):
        """(values on cells n_lo..n_hi as integers over den, den, ok per cell) of the cone's key."""
        key, s, _ = self.keys[sp.a][k]
        t = self.tables.get((key, gamma))
        if t is None or t[0] > n_lo or t[1] < n_hi:
            lo, hi = (n_lo, n_hi) if t is None else (min(n_lo, t[0]), max(n_hi, t[1]))
            vals = []
            for n in range(lo, hi + 1):
                if (n - lo) % CELLS == 0:                   # CELLS cells at a time, the slabs [m, m + gamma) left out
                    ms = range(n, min(hi, n + CELLS - 1) + 1)
                    fn = sp.cone_fn(self.compiled, k, s, fmpq(n), fmpq(ms[-1] + 1),
                                    ([fmpq(m) for m in ms], [m + gamma for m in ms], None))
                a, b = n + gamma, fmpq(n + 1)
                if isinstance(fn, fmpq):
                    vals.append(fn)
                    continue
                if not isinstance(fn, V.PL):
                    vals.append(None)
                    continue
                ps = [p for p in fn.pieces if p[0] < b and p[1] > a]
                vals.append(ps[0][2] if ps and all(p[3] == 0 and p[2] == ps[0][2] for p in ps) else None)
            den = 1
            for v in vals:
                if v is not None:
                    den = _lcm(den, int(v.q))
            num = np.array([int(v.p) * (den // int(v.q)) if v is not None else 0 for v in vals], dtype=object)
            ok = np.array([v is not None for v in vals])
            t = (lo, hi, num, den, ok)
            self.tables[key, gamma] = t
        return t

    def cells(self, sp, st, rows):
        """(ok per row, S_lo and S_hi numerators over one denominator, the denominator, the terms (m, lo, hi) per
        register): the interval of S on each of the rows, off the slabs; all registers of the span at once."""
        n, ball, R = len(rows), st.ball[rows], self.balls.R
        ok = np.ones(n, dtype=bool)
        ks, zf, zc, cs = list(sp.cones), [], [], []
        for k in ks:
            col = st.cols[k]
            got = self._reg(k, col, rows, ball) if col.den and col.tan is not None else None
            if got is None:
                return np.zeros(n, dtype=bool), None
            E, src, a = got
            gamma, good = self._slab(sp, k, E, src, a, ball, col.den)
            if gamma is None:
                return good, None
            ok &= good
            _, s, w0 = self.keys[sp.a][k]
            rad = abs(a) * R[src]
            if abs(s) >= 1 << 20 or rad >= 1 << 20:         # with v below 2^20: every sum below 2^62 on the grid
                return np.zeros(n, dtype=bool), None
            zf.append(E.zf[ball])
            zc.append(E.zc[ball])
            cs.append((_floor(s * Q), _ceil(s * Q) + 2 * _ceil(rad * Q), _ceil(rad * Q), _floor(gamma * Q), gamma, w0))
        sf, sc, rq, g = (np.array([c[i] for c in cs], dtype=np.int64) for i in range(4))
        lo = np.stack(zf, axis=1) + (sf - rq)                  # n x K: v + s rounded outward to the grid 1/Q
        hi = np.stack(zc, axis=1) + (sc - rq)
        nlo, nhi = lo // Q, hi // Q
        c_lo, c_hi = hi >= nlo * Q + g, (nhi > nlo) & (hi - nhi * Q >= g)
        ok &= ((nhi - nlo <= 1) & (c_lo | c_hi)).all(axis=1)
        vl, vh = np.zeros((n, len(ks)), dtype=np.int64), np.zeros((n, len(ks)), dtype=np.int64)
        byk, dens = {}, []
        for i, k in enumerate(ks):
            byk.setdefault((self.keys[sp.a][k][0], cs[i][4]), []).append(i)
        for (key, gamma), idx in byk.items():
            t0, _, tnum, tden, tok = self._table(sp, ks[idx[0]], int(nlo[:, idx].min()), int(nhi[:, idx].max()), gamma)
            if (np.abs(tnum) >= 1 << 40).any() if len(tnum) else False:
                return np.zeros(n, dtype=bool), None
            il, ih = nlo[:, idx] - t0, nhi[:, idx] - t0
            ok &= ~((c_lo[:, idx] & ~tok[il]) | (c_hi[:, idx] & ~tok[ih])).any(axis=1)
            vl[:, idx], vh[:, idx] = tnum.astype(np.int64)[il], tnum.astype(np.int64)[ih]
            dens += [(i, tden) for i in idx]
        vl, vh = np.where(c_lo, vl, vh), np.where(c_hi, vh, vl)                 # the values the cells take
        vmin, vmax = np.minimum(vl, vh), np.maximum(vl, vh)
        den = 1
        mult = [None] * len(ks)
        for i, tden in dens:
            f = cs[i][5] / tden
            mult[i] = f
            den = _lcm(den, int(f.q))
        mult = [int(f.p) * (den // int(f.q)) for f in mult]
        neg = np.array([m < 0 for m in mult])
        vmin, vmax = np.where(neg, vmax, vmin), np.where(neg, vmin, vmax)       # the lesser and greater of m v
        return ok, (_dot(vmin, mult), _dot(vmax, mult), den, [(m, vmin[:, i], vmax[:, i]) for i, m in enumerate(mult)])

    def inert(self, sp, st):
        """[(rows, constants of the scalar units the results read)] for the rows of st where the span need not run:
        rows whose S misses Z (one derivation for all of them) and rows where S is one number (evaluated)."""
        n = len(st.ball)
        odd = set().union(*(st.spec.get(k, ()) for k in sp.cones))           # rows with a special cell in a cone's input
        rows = np.array([r for r in range(n) if r not in odd] if odd else range(n), dtype=np.int64)
        if not len(rows):
            return []
        ok, got = self.cells(sp, st, rows)
        if got is None or not ok.any():
            return []
        Slo, Shi, den, terms = got
        Z = sp.zones(self.compiled)
        Zn = [(a * den, b * den) for a, b in Z]
        hit = np.zeros(len(rows), dtype=bool)
        for a, b in Zn:
            hit |= ((Shi >= a) & (Slo <= b)).astype(bool)
        point = {}
        for i in np.flatnonzero(hit & ok).tolist():
            if Slo[i] == Shi[i]:
                point.setdefault(int(Slo[i]), []).append(i)
                ok[i] = False
            else:
                ok[i] = self._misses(int(Slo[i]), [(m, int(lv[i]), int(hv[i])) for m, lv, hv in terms if lv[i] != hv[i]],
                                     Zn)
        out = []
        if ok.any():
            lo, hi = fmpq(int(Slo[ok].min()), den), fmpq(int(Shi[ok].max()), den)
            dom = sp.consts
            if dom is None or not (dom[0] <= lo and hi <= dom[1]):
                lo, hi = (lo, hi) if dom is None else (min(lo, dom[0]), max(hi, dom[1]))
                sp.consts = (lo, hi, sp.derive(self.compiled, lo, hi, Z))
            if sp.consts[2] is not None:
                out.append((rows[ok].tolist(), sp.consts[2]))
        for v, idx in point.items():
            c = sp.derive(self.compiled, fmpq(v, den), None, ())
            if c is not None:
                out.append((rows[idx].tolist(), c))
        return out

    @staticmethod
    def _misses(base, terms, Zn):
        """Whether base + sum of one of (lo, hi) per term (times m) can never fall in Z: split the widest term."""
        todo, seen = [(base, terms)], 0
        while todo:
            b, ts = todo.pop()
            seen += 1
            if seen > SPLITS:
                return False
            lo = b + sum(min(0, m * (h - l)) for m, l, h in ts)
            hi = b + sum(max(0, m * (h - l)) for m, l, h in ts)
            if all(hi < za or lo > zb for za, zb in Zn):
                continue
            if not ts:
                return False
            i = max(range(len(ts)), key=lambda i: abs(ts[i][0] * (ts[i][2] - ts[i][1])))
            m, l, h = ts[i]
            rest = ts[:i] + ts[i + 1:]
            todo += [(b, rest), (b + m * (h - l), rest)]
        return True

    # -- the span on a state -------------------------------------------------------------------------------------
    def run(self, sp, st, engine):
        """The state after layer b: the rows of ``inert`` by the lemma, the others through the layers."""
        compiled = self.compiled
        groups, n = self.inert(sp, st), len(st.ball)
        of = {r: g for g, (rows, _) in enumerate(groups) for r in rows}
        busy = [r for r in range(n) if r not in of]
        self.counts[0] += len(of)
        self.counts[1] += len(busy)
        parts = []
        if busy:
            sub = _part(st, busy)
            for l in range(sp.a, sp.b + 1):
                units, readers, sole = compiled[l]
                engine.layer(sub, units, readers, sole, False, l)
            parts.append(sub)
        if of:
            rows = sorted(of)
            consts = {j: [groups[of[r]][1][j] for r in rows] for j in groups[0][1]}
            parts.append(self._idle(sp, st if len(rows) == n else _part(st, rows), consts, engine))
        return parts[0] if len(parts) == 1 else _join(*parts, len(compiled.layers[sp.b][0]))

    def _idle(self, sp, st, consts, engine):
        """Layer a's passive units on the rows, then layer b's units from them and the scalar units' constants
        {unit of layer b - 1: value per row} (a constant the same on every row goes into the bias, the others
        into columns of their own)."""
        layers = self.compiled.layers
        rows, bias, win = layers[sp.a]
        sub = Engine(engine.R, engine.gaps, engine.sep_bounds, None, engine.meets, engine.clock,
                     {sp.a: sp.roots | set(engine.skip.get(sp.a, ())), sp.b: set(engine.skip.get(sp.b, ()))}, {})
        extra = {}              # varying constants: columns of the input, carried through layer a (rows may split)
        for j, vals in consts.items():
            if any(v != vals[0] for v in vals):
                den = 1
                for v in vals:
                    den = _lcm(den, int(v.q))
                extra[j] = len(rows) + len(extra)
                st.cols = st.cols + [Col(np.array([int(v.p) * (den // int(v.q)) for v in vals], dtype=object), den,
                                         nonneg=True)]
        units, readers, sole = compile_layer(rows + [[(win + t, ONE)] for t in range(len(extra))],
                                             bias + [ZERO] * len(extra), win + len(extra))
        sub.layer(st, units, readers, sole, False, sp.a)
        brows, bbias, _ = layers[sp.b]
        new_rows, new_bias = [], []
        for u, nz in enumerate(brows):
            if sp.rtags[u] == "p":
                new_rows.append([(sp.origin[u], ONE)])
                new_bias.append(ZERO)
                continue
            acc, b0 = {}, bbias[u]
            for j, x in nz:
                if j in extra:
                    acc[extra[j]] = x
                elif j in consts:
                    b0 = b0 + x * consts[j][0]
                else:
                    o = sp.prev_origin[j]
                    acc[o] = acc.get(o, ZERO) + x
            new_rows.append(sorted((o, x) for o, x in acc.items() if x != 0))
            new_bias.append(b0)
        units, readers, sole = compile_layer(new_rows, new_bias, len(rows) + len(extra))
        sub.layer(st, units, readers, sole, False, sp.b)
        return st


def _part(st, rows):
    """A new State of the rows of st (their cells, cuts and the balls' differing registers)."""
    out = State(st.ball, st.cols)
    pos = {r: i for i, r in enumerate(rows)}
    idx = np.asarray(rows, dtype=np.int64)
    out.ball = st.ball[idx]
    out.cols = [c.take(idx) for c in st.cols]
    out.spec = {}
    for j, cells in st.spec.items():
        d = {pos[r]: v for r, v in cells.items() if r in pos}
        if d:
            out.spec[j] = d
    out.cut = {pos[r]: c for r, c in st.cut.items() if r in pos}
    balls = set(out.ball.tolist())
    out.diff = {b: set(v) for b, v in st.diff.items() if b in balls}
    return out


def _join(a, b, width):
    """The rows of a, then those of b (of a layer of ``width`` units)."""
    n = len(a.ball)
    out = State(np.concatenate([a.ball, b.ball]), [Col.cat(x, y) for x, y in zip(a.cols, b.cols)])
    out.spec = {j: dict(c) for j, c in a.spec.items()}
    for j, cells in b.spec.items():
        out.spec.setdefault(j, {}).update({n + r: v for r, v in cells.items()})
    out.cut = {**a.cut, **{n + r: c for r, c in b.cut.items()}}
    out.diff = {}
    for d in (a.diff, b.diff):
        for k, v in d.items():
            if k in out.diff:
                out.diff[k] = out.diff[k] | v
            else:
                out.diff[k] = set(v)
    for ball in set(a.ball.tolist()) & set(b.ball.tolist()):       # a ball on both sides: its rows may differ anywhere
        out.diff[ball] = set(range(width))
    return out
