"""Exact analysis of a ReLU network on a batch of rows: points, or balls seen through their sources.

A row belongs to one ball.  Register j of a row is stored in column j as an affine form in one source,
(num + tan * t_src) / den with t_src the offset of source src from the ball's centre (src = -1: a constant),
so that a layer is a few numpy operations on Python integers per nonzero weight (never a dense product).
Where a ReLU is unstable on a row (its form changes sign within the source's range), where a unit mixes
sources, or where an input cell is not a single form, that cell takes the generic path of ``values`` and
the result is kept as a special cell.  A unit that reads a step function or a finite set (a choice) in
any way but as its sole reader splits the row into one row per value; rows of one ball that come to
agree everywhere but in one constant register merge back, the register becoming a Set.  So the state of
a ball is exact and relational where it must be (the running max), and the rows stay few.

>>> from flint import fmpq
>>> layers = [([[(0, fmpq(1))], [(0, fmpq(-1))]], [fmpq(0), fmpq(0)]), ([[(0, fmpq(1)), (1, fmpq(1))]], [fmpq(0)])]
>>> evaluate(layers, [[fmpq(-3)], [fmpq(1, 2)]])           # |x| on two points
[[3], [1/2]]
"""
from __future__ import annotations

from itertools import product
from math import gcd

import numpy as np
from flint import fmpq

from . import values as V

MAX_ROWS_PER_BALL = 4096


class Undecided(Exception):
    """The analysis stopped (budget, branching limit); the message says where."""


class Col:
    """One register over all rows: (num + tan * t_src) / den; tan and src are None for all-constant columns."""
    __slots__ = ("num", "den", "tan", "src", "nonneg")

    def __init__(self, num, den, tan=None, src=None, nonneg=False):
        self.num, self.den, self.tan, self.src, self.nonneg = num, den, tan, src, nonneg

    def value(self, r, R):
        if self.tan is None or self.src[r] < 0:
            return fmpq(int(self.num[r]), self.den)
        k = int(self.src[r])
        return V.PL(k, ((-R[k], R[k], fmpq(int(self.num[r]), self.den), fmpq(int(self.tan[r]), self.den)),))

    def take(self, idx):
        return Col(self.num[idx], self.den, None if self.tan is None else self.tan[idx],
                   None if self.src is None else self.src[idx], self.nonneg)


def _lcm(a, b):
    return a * b // gcd(a, b)


def _differ(cells) -> bool:
    """Whether the cells are not all equal (compared with ==: hashing fmpq is slow)."""
    return any(c != cells[0] for c in cells[1:])


def _coarse(r: fmpq) -> fmpq:
    """A rational >= r >= 0 with about 20 significant bits (cheap comparisons first; exact r decides ties)."""
    if r == 0:
        return r
    e = 20 - (int(r.p).bit_length() - int(r.q).bit_length())
    return fmpq(-((-int(r.p) * 2 ** e) // int(r.q)), 2 ** e) if e >= 0 else fmpq(-(-int(r.p) // (int(r.q) * 2 ** -e)) * 2 ** -e)


def compile_layer(rows, bias, width_in):
    """(units, readers, sole): units [(nonzeros, bias)], readers[j] = units reading input j, sole[j] = the unit
    that reads j and nothing else when it is j's only reader (a choice there needs no split)."""
    readers = [[] for _ in range(width_in)]
    for u, nz in enumerate(rows):
        for j, _ in nz:
            readers[j].append(u)
    sole = [rs[0] if len(rs) == 1 and len(rows[rs[0]]) == 1 else None for rs in readers]
    return list(zip(rows, bias)), readers, sole


def _small(a):
    """a as an int64 array if every entry is below 2^62 in magnitude (then sums of a few stay exact), else a."""
    if a.dtype != object or not len(a):
        return a
    if any(abs(a[i]) >= 2 ** 62 for i in (0, len(a) // 2, -1)):
        return a
    lo, hi = a.min(), a.max()
    return a.astype(np.int64) if -2 ** 62 < lo and hi < 2 ** 62 else a


def _mag(a):
    return int(np.abs(a).max()) if len(a) else 0


class Engine:
    """Runs compiled layers over a batch.  ``R[k]`` bounds source k's offset; ``gaps(ball, k)`` gives the
    excluded slabs of a source, ``sep_bounds(ball, layer, unit)`` a bounding function for a Sep or None.

    Arrays hold Python integers, or int64 where a bound proves every intermediate stays below 2^62."""

    def __init__(self, R=(), gaps=None, sep_bounds=None, tick=None):
        self.R = list(R)
        coarse = [_coarse(r) for r in self.R] or [fmpq(0)]
        self.Rn, self.Rd = (np.array([int(r.p) for r in self.R] or [0], dtype=object),
                            np.array([int(r.q) for r in self.R] or [1], dtype=object))
        self.Cn, self.Cd = np.array([int(r.p) for r in coarse], dtype=object), np.array([int(r.q) for r in coarse], dtype=object)
        self.Cmax = max(max(abs(int(r.p)), int(r.q)) for r in coarse)
        self.Cn, self.Cd = (_small(self.Cn), _small(self.Cd)) if self.Cmax < 2 ** 62 else (self.Cn, self.Cd)
        self.gaps, self.sep_bounds, self.tick = gaps, sep_bounds, tick
        self.products = {}

    # -- vectorized arithmetic ------------------------------------------------------------------
    def _times(self, a, m):
        if m == 1:
            return a
        key = (id(a), m)
        hit = self.products.get(key)
        if hit is None:
            if len(self.products) > 256:
                self.products.clear()
            hit = self.products[key] = (a, a * m)
        return hit[1]

    def _lin(self, terms, const, n, cache):
        """const + sum m a over terms [(array, m)], grouping equal |m| so big multipliers are applied once."""
        key = tuple((id(a), m) for a, m in terms)
        if cache is not None and key in cache:
            out = cache[key][1]
        else:
            if any(a.dtype == object or abs(m) >= 2 ** 62 for a, m in terms) or \
                    sum(abs(m) * _mag(a) for a, m in terms) + abs(const) >= 2 ** 62:
                terms = [(a if a.dtype == object else a.astype(object), m) for a, m in terms]
            groups = {}
            for a, m in terms:
                groups.setdefault(abs(m), []).append((a, m))
            out = None
            for mag, members in groups.items():
                if len(members) == 1:
                    s = self._times(members[0][0], members[0][1])
                else:
                    s = None
                    for a, m in members:
                        s = (a if m > 0 else -a) if s is None else (s + a if m > 0 else s - a)
                    s = self._times(s, mag)
                out = s if out is None else out + s
            if out is None:
                out = np.zeros(n, dtype=np.int64 if abs(const) < 2 ** 62 else object)
            if cache is not None:
                cache[key] = ([a for a, _ in terms], out)
        if const:
            out = out + const if out.dtype == object or abs(const) + _mag(out) < 2 ** 62 else out.astype(object) + const
        return _small(out)

    def _affine(self, cols, nz, bias, n, cache):
        den = int(bias.q)
        for j, w in nz:
            den = _lcm(den, cols[j].den * int(w.q))
        mults = [(j, int(w.p) * (den // (cols[j].den * int(w.q)))) for j, w in nz]
        num = self._lin([(cols[j].num, m) for j, m in mults], int(bias.p) * (den // int(bias.q)), n, cache)
        tt = [(cols[j].tan, m, cols[j].src) for j, m in mults if cols[j].tan is not None]
        if not tt:
            return Col(num, den)
        tan = self._lin([(t, m) for t, m, _ in tt], 0, n, None)
        src = tt[0][2]
        for _, _, s in tt[1:]:
            src = np.where(src == -1, s, np.where((s == -1) | (s == src), src, -2))
        src = np.where((tan == 0) & (src != -2), -1, src)          # mixed sources never cancel
        return Col(num, den, tan, src) if (src != -1).any() else Col(num, den)

    def _stable(self, num, tan, idx, Rn, Rd):
        """(active, inactive): num / |tan| >= R or <= -R per row, R = Rn[idx] / Rd[idx]."""
        if num.dtype == object or tan.dtype == object or max(_mag(num), _mag(tan)) * self.Cmax >= 2 ** 62 \
                or Rn.dtype == object:
            num, tan = num.astype(object), tan.astype(object)
        lhs, rhs = num * Rd[idx], np.abs(tan) * Rn[idx]
        return lhs >= rhs, lhs <= -rhs

    def _relu(self, col, rows_generic):
        """Vectorized ReLU where the form is stable on the row; returns (column, rows that are not)."""
        if col.tan is None:
            return Col(np.maximum(col.num, 0), col.den, nonneg=True), []
        idx = np.where(col.src >= 0, col.src, 0)
        act, inact = self._stable(col.num, col.tan, idx, self.Cn, self.Cd)       # coarse R' >= R first
        open_ = np.flatnonzero(~act & ~inact)
        if len(open_):
            a2, i2 = self._stable(col.num[open_], col.tan[open_], idx[open_], self.Rn, self.Rd)
            act[open_], inact[open_] = a2, i2
        unstable = (~act & ~inact) | (col.src == -2)
        num = np.where(act, col.num, 0)
        tan = np.where(act, col.tan, 0)
        src = np.where(act & (col.src >= 0), col.src, -1)
        bad = [int(r) for r in np.flatnonzero(unstable) if r not in rows_generic]
        return (Col(num, col.den, tan, src, True) if bad or (src != -1).any() else Col(num, col.den, nonneg=True)), bad

    # -- one layer ------------------------------------------------------------------------------
    def layer(self, st, units, readers, sole, last, l):
        self._split(st, readers, sole)
        while True:
            out = self._compute(st, units, readers, last, l)
            if isinstance(out, dict):          # some row sums step functions of several sources: cut it first
                self._branch(st, {r: ({}, {k: [(None, pl)] for k, pl in c.items()}) for r, c in out.items()})
                continue
            st.cols, st.spec, dead = out
            break
        if dead:
            st.keep([r for r in range(len(st.ball)) if r not in dead])
        self._merge(st, readers)

    def gaps_of(self, st, r, k):
        """Excluded slabs of source k on row r: the ball's, plus what lies outside the row's cut of k."""
        base = self.gaps(int(st.ball[r]), k) if self.gaps else None
        cut = st.hull.get(r, {}).get(k)
        if cut is None:
            return base
        iv = list(zip(*base)) if base else []
        iv += [(-self.R[k], cut[0])] if cut[0] > -self.R[k] else []
        iv += [(cut[1], self.R[k])] if cut[1] < self.R[k] else []
        iv.sort()
        out = []
        for a, b in iv:
            if out and a <= out[-1][1]:
                out[-1] = (out[-1][0], max(out[-1][1], b))
            else:
                out.append((a, b))
        return [a for a, _ in out], [b for _, b in out]

    def _compute(self, st, units, readers, last, l):
        n, cols, spec = len(st.ball), st.cols, st.spec
        generic = {}
        for r, cells in spec.items():
            for j in cells:
                for u in readers[j]:
                    generic.setdefault(u, set()).add(r)
        new_cols, new_spec, dead, cache, cuts = [], {}, set(), {}, {}
        for u, (nz, bias) in enumerate(units):
            rows = generic.get(u, set())
            if not last and len(nz) == 1 and nz[0][1] == 1 and bias == 0 and cols[nz[0][0]].nonneg:
                j = nz[0][0]                                   # a carried non-negative register
                new_cols.append(cols[j])
                for r in rows:
                    if j in spec.get(r, ()):
                        new_spec.setdefault(r, {})[u] = spec[r][j]
                continue
            col = self._affine(cols, nz, bias, n, cache)
            if col.src is not None:
                rows = rows | {int(r) for r in np.flatnonzero(col.src == -2)}
            if not last:
                col, unstable = self._relu(col, rows)
                rows = rows | set(unstable)
            results = {}
            for r in rows:
                gaps = lambda k, r=r: self.gaps_of(st, r, k)
                val = V.combine([(w, spec[r][j] if j in spec.get(r, ()) else cols[j].value(r, self.R)) for j, w in nz],
                                bias, gaps)
                if isinstance(val, V.Sep) and any(V.is_choice(p) for p in val.terms.values()):
                    cuts.setdefault(r, {}).update({k: p for k, p in val.terms.items() if V.is_choice(p)})
                    continue
                if not last:
                    sb = self.sep_bounds(int(st.ball[r]), l, u) if self.sep_bounds and isinstance(val, V.Sep) else None
                    val = V.relu(val, gaps(val.k) if isinstance(val, V.PL) else None, sb)
                results[r] = val
            new_cols.append(self._store(col, results, new_spec, dead, u, n))
        return cuts or (new_cols, new_spec, dead)

    def _store(self, col, results, new_spec, dead, u, n):
        """Write generic results into the column: affine forms in place, the rest as special cells."""
        forms = {}
        for r, val in results.items():
            if isinstance(val, fmpq):
                forms[r] = (val, fmpq(0), -1)
            elif isinstance(val, V.PL) and len(val.pieces) == 1:
                forms[r] = (val.pieces[0][2], val.pieces[0][3], val.k)
            elif val is V.DEAD:
                dead.add(r)
            else:
                if isinstance(val, V.Set) and len(val) > V.MAX_PIECES:
                    val = V.Box((min(val), max(val)))
                new_spec.setdefault(r, {})[u] = val
        return self._write(col, forms, n) if forms else col

    def _write(self, col, forms, n):
        """The column with rows r set to the forms (v + a t_k), k = -1 for constants."""
        den = col.den
        for v, a, _ in forms.values():
            den = _lcm(_lcm(den, int(v.q)), int(a.q))
        f = den // col.den
        num = col.num.astype(object) * f
        tan = col.tan.astype(object) * f if col.tan is not None else np.zeros(n, dtype=object)
        src = col.src.copy() if col.src is not None else np.full(n, -1, dtype=np.int64)
        for r, (v, a, k) in forms.items():
            num[r], tan[r], src[r] = int(v.p) * (den // int(v.q)), int(a.p) * (den // int(a.q)), k
        return Col(num, den, tan, src, col.nonneg)

    # -- rows: split on choices, merge when they agree ------------------------------------------------
    def _split(self, st, readers, sole):
        """Rows with a choice cell read by more than its sole reader branch on it first (``_branch``)."""
        plans = {}
        for r, cells in st.spec.items():
            for j, v in cells.items():
                if V.is_choice(v) and readers[j] and sole[j] is None:
                    sets, steps = plans.setdefault(r, ({}, {}))
                    if isinstance(v, V.Set):
                        sets[j] = sorted(v)
                    else:
                        steps.setdefault(v.k, []).append((j, v))
        if plans:
            self._branch(st, plans)

    def _branch(self, st, plans):
        """One row per combination: a Set cell takes each of its values; the step functions of a source cut it
        at their breakpoints (the row covers one interval of the source, where each step is constant).
        plans[r] = ({register: values}, {source: [(register or None, step PL)]})."""
        idx, hulls, assigns, cut = [], [], [], set()
        for r in range(len(st.ball)):
            if r not in plans:
                idx.append(r)
                hulls.append(st.hull.get(r))
                assigns.append(None)
                continue
            sets, steps = plans[r]
            options = [[({j: v}, {}) for v in vals] for j, vals in sets.items()]
            for k, cells in steps.items():
                lo, hi = st.hull.get(r, {}).get(k, (-self.R[k], self.R[k]))
                ts = sorted({t for _, pl in cells for p in pl.pieces for t in p[:2] if lo < t < hi} | {lo, hi})
                opts = []
                for a, b in zip(ts, ts[1:]):
                    mid, vals = (a + b) / 2, {}
                    for j, pl in cells:
                        v = next((p[2] for p in pl.pieces if p[0] <= mid <= p[1]), None)
                        if v is None:
                            break                           # the interval lies in an excluded slab
                        if j is not None:
                            vals[j] = v
                    else:
                        opts.append((vals, {k: (a, b)}))
                options.append(opts)
            for combo in product(*options):
                a, h = {}, dict(st.hull.get(r, {}))
                for vals, c in combo:
                    a.update(vals)
                    h.update(c)
                idx.append(r)
                hulls.append(h or None)
                assigns.append(a)
            if steps:
                cut.add(int(st.ball[r]))
        self._check_rows(st, idx)
        old_spec, writes = st.spec, {}
        st.take(idx)
        st.hull = {i: h for i, h in enumerate(hulls) if h}
        for r, a in enumerate(assigns):
            cells = dict(old_spec.get(idx[r], {}))
            for j, c in (a or {}).items():
                del cells[j]
                writes.setdefault(j, {})[r] = (c, fmpq(0), -1)
                b = int(st.ball[r])
                if b not in cut and st.diff.get(b, set()) is not None:
                    st.diff.setdefault(b, set()).add(j)
            if cells:
                st.spec[r] = cells
        for b in cut:
            st.diff[b] = None                                  # a cut source: any register may now differ
        for j, forms in writes.items():
            st.cols[j] = self._write(st.cols[j], forms, len(idx))

    def _check_rows(self, st, idx):
        counts = np.bincount(st.ball[idx])
        if counts.max() > MAX_ROWS_PER_BALL:
            raise Undecided(f"ball {int(np.argmax(counts))} would split into more than {MAX_ROWS_PER_BALL} rows")

    def _merge(self, st, readers):
        """Rows of a ball differ only in registers reached from where they were split (st.diff; None: any):
        find where they still differ; merge into one row if nowhere, or if in one constant register (which
        becomes a Set); drop duplicates.  A merged row's cuts are the union of its rows' cuts."""
        if not st.diff:
            return
        rows_of = {}
        for r, b in enumerate(st.ball.tolist()):
            if b in st.diff:
                rows_of.setdefault(b, []).append(r)
        drop, sets = set(), {}
        for b, old in list(st.diff.items()):
            rows = rows_of.get(b, [])
            same_cuts = all(st.hull.get(r) == st.hull.get(rows[0]) for r in rows)   # cuts shape generic values
            cand = range(len(st.cols)) if old is None or not same_cuts else {u for j in old for u in readers[j]}
            diff = {u for u in cand if _differ([self._cell(st, r, u) for r in rows])}
            cells = [self._cell(st, r, next(iter(diff))) for r in rows] if len(diff) == 1 else []
            if len(rows) < 2 or not diff or cells and all(isinstance(c, (fmpq, V.Set)) for c in cells):
                if cells:
                    sets[rows[0]] = (next(iter(diff)), [v for c in cells for v in (c if isinstance(c, V.Set) else [c])])
                self._unite(st, rows)
                drop.update(rows[1:])
                del st.diff[b]
                continue
            st.diff[b], kept = diff, []
            for r in rows:
                key = [self._cell(st, r, u) for u in sorted(diff)]
                same = next((r0 for k0, r0 in kept if k0 == key), None)
                if same is not None:
                    self._unite(st, [same, r])
                    drop.add(r)
                else:
                    kept.append((key, r))
        writes = {}
        for r, (u, vals) in sets.items():
            s = V.Set(vals)
            if len(s) == 1:
                st.spec.get(r, {}).pop(u, None)
                writes.setdefault(u, {})[r] = (vals[0], fmpq(0), -1)
            else:
                st.spec.setdefault(r, {})[u] = s
        for u, forms in writes.items():
            st.cols[u] = self._write(st.cols[u], forms, len(st.ball))
        if drop:
            st.keep([r for r in range(len(st.ball)) if r not in drop])

    def _unite(self, st, rows):
        """Give rows[0] the union of the rows' cuts (a source stays cut only if every row cuts it)."""
        hs = [st.hull.get(r, {}) for r in rows]
        h = {k: (min(x[k][0] for x in hs), max(x[k][1] for x in hs)) for k in hs[0] if all(k in x for x in hs)}
        h = {k: c for k, c in h.items() if c != (-self.R[k], self.R[k])}
        if h:
            st.hull[rows[0]] = h
        else:
            st.hull.pop(rows[0], None)

    def _cell(self, st, r, u):
        cells = st.spec.get(r)
        if cells and u in cells:
            return cells[u]
        col = st.cols[u]
        if col.tan is None or col.src[r] < 0:
            return fmpq(int(col.num[r]), col.den)
        return (int(col.src[r]), fmpq(int(col.num[r]), col.den), fmpq(int(col.tan[r]), col.den))


class State:
    """Rows: their balls, the columns of the current layer, special cells {row: {unit: value}} and, per ball
    with several rows, the registers in which its rows may differ."""

    def __init__(self, ball, cols):
        self.ball, self.cols, self.spec, self.diff = np.asarray(ball, dtype=np.int64), cols, {}, {}
        self.hull = {}            # row -> {source: (lo, hi)}: the row covers only these offsets of the source

    def take(self, idx):
        """Rows idx[0], idx[1], ... of the current rows (repeats allowed); specials and cuts are the caller's."""
        idx = np.asarray(idx, dtype=np.int64)
        self.ball = self.ball[idx]
        self.cols = [c.take(idx) for c in self.cols]
        self.spec, self.hull = {}, {}

    def keep(self, rows):
        spec, hull = self.spec, self.hull
        pos = {r: i for i, r in enumerate(rows)}
        self.take(rows)
        self.spec = {pos[r]: cells for r, cells in spec.items() if r in pos}
        self.hull = {pos[r]: h for r, h in hull.items() if r in pos}


def run(layers, state, engine):
    """Run compiled layers (``compile_layer`` results) over ``state``; the last layer has no ReLU."""
    for l, (units, readers, sole) in enumerate(layers):
        if engine.tick:
            engine.tick(l, len(layers))
        engine.layer(state, units, readers, sole, l == len(layers) - 1, l)
    return state


def evaluate(layers, X) -> list:
    """Exact outputs of a network (layers as [(rows of nonzeros, bias)]) at the rows of X (lists of fmpq)."""
    d = len(X[0])
    cols = []
    for k in range(d):
        den = 1
        for x in X:
            den = _lcm(den, int(x[k].q))
        cols.append(Col(np.array([int(x[k].p) * (den // int(x[k].q)) for x in X], dtype=object), den))
    compiled, width = [], d
    for rows, bias in layers:
        compiled.append(compile_layer(rows, bias, width))
        width = len(rows)
    st = run(compiled, State(range(len(X)), cols), Engine())
    return [[fmpq(int(c.num[r]), c.den) for c in st.cols] for r in range(len(X))]
