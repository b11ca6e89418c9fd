"""Exact analysis of a ReLU network on a batch of rows: points, or balls seen through their sources.

A row belongs to one ball.  Register j of a row is stored in column j as an affine form in one source,
(num + tan t_src) / den with t_src the offset of source src from the ball's centre (src = -1: a constant),
so a layer costs a few numpy operations on Python integers per nonzero weight -- int64 where a bound
proves every intermediate below 2^62 -- and never a dense product.  A cell takes the generic path of
``values`` where its ReLU is unstable (the form changes sign within the source's range), where a unit
mixes sources, or where an input is not an affine form.  A unit reading a finite set or a step function,
other than as the set's sole reader, first splits the row: one row per value, or per interval where the
step is constant (the row is then *cut* to that interval of its source).  Rows of one ball that come to
agree merge again, one register that still differs becoming a Set.  The analysis is exact and relational
where the networks need it (the running max), and the rows stay few.

>>> from flint import fmpq
>>> layers = [([[(0, fmpq(1))], [(0, fmpq(-1))]], [fmpq(0), fmpq(0)]), ([[(0, fmpq(1)), (1, fmpq(1))]], [fmpq(0)])]
>>> evaluate(layers, [[fmpq(-3)], [fmpq(1, 2)]])           # |x| on two points
[[3], [1/2]]
"""
from __future__ import annotations

from bisect import bisect_right
from itertools import product
from math import gcd

import numpy as np
from flint import fmpq

from . import values as V

MAX_ROWS_PER_BALL, CUT_ROWS, BIG, WIDE = 4096, 1, 2 ** 62, 8     # WIDE: see _compute's shared sums
ZERO, ONE = fmpq(0), fmpq(1)


class Undecided(Exception):
    """The analysis stopped (budget, branching limit); the message says where."""


class Skipped(Undecided):
    """A unit read a register that a lemma's plan skipped (the plan was wrong: the check runs again without it)."""


def _lcm(a, b):
    return a * b // gcd(a, b)


def _mag(a):
    return int(np.abs(a).max()) if len(a) else 0


def _small(a):
    """a as int64 when every entry is below 2^62 in magnitude (then sums of a few stay exact)."""
    if a.dtype != object or not len(a) or any(abs(a[i]) >= BIG for i in (0, len(a) // 2, -1)):
        return a
    return a.astype(np.int64) if -BIG < a.min() and a.max() < BIG else a


class Col:
    """One register over all rows: (num + tan t_src) / den; tan and src are None in an all-constant column."""
    __slots__ = ("num", "den", "tan", "src", "nonneg")

    def __init__(self, num, den, tan=None, src=None, nonneg=False):
        self.num, self.den, self.tan, self.src, self.nonneg = num, den, tan, src, nonneg

    def value(self, r, R):
        v = fmpq(int(self.num[r]), self.den)
        if self.tan is None or self.src[r] < 0:
            return v
        k = int(self.src[r])
        return V.PL(k, ((-R[k], R[k], v, fmpq(int(self.tan[r]), self.den)),))

    def take(self, idx):
        return Col(self.num[idx], self.den, None if self.tan is None else self.tan[idx],
                   None if self.src is None else self.src[idx], self.nonneg)

    @staticmethod
    def cat(a, b):
        """The rows of a, then the rows of b, over a common denominator."""
        if not a.den or not b.den:                      # a register nobody reads (``Engine.skip``) stays a hole
            return hole(len(a.num) + len(b.num))
        den = _lcm(a.den, b.den)
        fa, fb = den // a.den, den // b.den
        num = np.concatenate([a.num.astype(object) * fa, b.num.astype(object) * fb])
        if a.tan is None and b.tan is None:
            return Col(_small(num), den, nonneg=a.nonneg and b.nonneg)
        tan = np.concatenate([(x.tan.astype(object) * f if x.tan is not None else np.zeros(len(x.num), dtype=object))
                              for x, f in ((a, fa), (b, fb))])
        src = np.concatenate([x.src if x.src is not None else np.full(len(x.num), -1) for x in (a, b)])
        return Col(_small(num), den, _small(tan), src, a.nonneg and b.nonneg)

    def put(self, forms, n):
        """This column with rows r set to the affine forms {r: (v, a, k)} (k = -1: the constant v)."""
        den = self.den
        for v, a, _ in forms.values():
            den = _lcm(_lcm(den, int(v.q)), int(a.q))
        f = den // self.den
        num = self.num.astype(object) * f
        tan = self.tan.astype(object) * f if self.tan is not None else np.zeros(n, dtype=object)
        src = self.src.copy() if self.src is not None else np.full(n, -1)
        for r, (v, a, k) in forms.items():
            num[r], tan[r], src[r] = int(v.p) * (den // int(v.q)), int(a.p) * (den // int(a.q)), k
        return Col(num, den, tan, src, self.nonneg)


def hole(n):
    """The column of a register that no later unit reads on any row (``Engine.skip``): denominator 0, never read."""
    return Col(np.zeros(n, dtype=np.int64), 0, nonneg=True)


def compile_layer(rows, bias, width_in):
    """(units [(nonzeros, bias)], readers[j]: the units reading input j, sole[j]: whether j's only reader
    reads nothing else -- then a Set in j passes through without a split)."""
    readers = [[] for _ in range(width_in)]
    for u, nz in enumerate(rows):
        for j, _ in nz:
            readers[j].append(u)
    return list(zip(rows, bias)), readers, [len(rs) == 1 and len(rows[rs[0]]) == 1 for rs in readers]


class Compiled:
    """``compile_layer`` of each of (rows, bias, width_in) on demand, the last few kept: a deep network's readers
    lists are never all in memory at once (the analysis walks the layers in order)."""

    def __init__(self, layers):
        self.layers, self.kept = layers, {}
        self.quiet = set()              # layers of inert spans (``inert``): the other lemmas are not looked for there

    def __len__(self):
        return len(self.layers)

    def __getitem__(self, l):
        if l not in self.kept:
            if len(self.kept) > 8:
                self.kept.pop(next(iter(self.kept)))
            self.kept[l] = compile_layer(*self.layers[l])
        return self.kept[l]

    def __iter__(self):
        return (self[l] for l in range(len(self)))


def _reindex(spec, pos):
    """Special cells {unit: {row: value}} on the rows of pos {old row: new row} (fresh dicts)."""
    out = {}
    for j, cells in spec.items():
        d = {pos[r]: v for r, v in cells.items() if r in pos}
        if d:
            out[j] = d
    return out


def _by_row(spec):
    """{row: {unit: value}} from {unit: {row: value}}."""
    out = {}
    for j, cells in spec.items():
        for r, v in cells.items():
            out.setdefault(r, {})[j] = v
    return out


class State:
    """Rows: their balls, the current columns, special cells by column {unit: {row: value}} (a carried register
    hands its cells on as one dict: never change a cell dict in place, replace it), cuts {row: {source:
    (lo, hi)}} (the row covers only those offsets), and per ball with several rows the registers where
    they may differ (None: any)."""

    def __init__(self, ball, cols):
        self.ball, self.cols, self.spec, self.cut, self.diff = np.asarray(ball, dtype=np.int64), cols, {}, {}, {}

    def take(self, idx, spec=None, cut=None):
        """Rows idx[0], idx[1], ... of the current rows, with these special cells and cuts."""
        self.ball = self.ball[np.asarray(idx, dtype=np.int64)]
        self.cols = [c.take(np.asarray(idx, dtype=np.int64)) for c in self.cols]
        self.spec, self.cut = spec or {}, cut or {}

    def keep(self, rows):
        pos = {r: i for i, r in enumerate(rows)}
        self.take(rows, _reindex(self.spec, pos), {pos[r]: c for r, c in self.cut.items() if r in pos})


class Engine:
    """Runs compiled layers.  R[k] bounds source k's offset; gaps(ball, k) gives its excluded slabs
    (starts, ends); sep_bounds(ball, layer, unit) a bounding function for a Sep (or None); meets(cut) is
    False when no point of a ball has its sources in the cut (the row is dropped); clock() is called per unit
    and per branched row, and may raise Undecided (a budget).  skip[l] lists units of layer l that no unit
    computed later reads (they become holes); lemma[l][u](st) gives unit u's column and cells on every row
    instead of its weights (a value derived elsewhere, for the whole ball)."""

    def __init__(self, R=(), gaps=None, sep_bounds=None, tick=None, meets=None, clock=None, skip=None, lemma=None):
        self.R, self.gaps, self.sep_bounds, self.tick, self.products = list(R), gaps, sep_bounds, tick, {}
        self.skip, self.lemma, self.spans = skip or {}, lemma or {}, {}
        self.clock = clock or (lambda: None)
        self.meets = meets or (lambda cut: True)
        coarse = []                 # R' >= R with ~20 significant bits: cheap comparisons first
        for r in self.R or [fmpq(0)]:
            up, down = 2 ** max(0, 20 - int(r.p).bit_length() + int(r.q).bit_length()), 2 ** max(0, int(r.p).bit_length() - int(r.q).bit_length() - 20)
            coarse.append(fmpq(-(-int(r.p) * up // (int(r.q) * down)) * down, up))
        self.exact = [np.array([int(getattr(r, a)) for r in self.R or [fmpq(0)]], dtype=object) for a in "pq"]
        self.coarse = [_small(np.array([int(getattr(r, a)) for r in coarse], dtype=object)) for a in "pq"]
        self.cmax = max(max(abs(int(r.p)), int(r.q)) for r in coarse)

    # -- one vectorized unit ---------------------------------------------------------------------------
    def _times(self, a, m):
        if m != 1 and (id(a), m) not in self.products:
            if len(self.products) > 256:
                self.products.clear()
            self.products[id(a), m] = (a, a * m)              # the array is kept: its id stays unique
        return a if m == 1 else self.products[id(a), m][1]

    def _lin(self, terms, const, n, cache):
        """const + sum m a over terms [(array, m)]; equal |m| are grouped so big multipliers act once."""
        key = tuple((id(a), m) for a, m in terms)
        if cache is None or key not in cache:
            if any(a.dtype == object or abs(m) >= BIG for a, m in terms) or \
                    sum(abs(m) * _mag(a) for a, m in terms) + abs(const) >= BIG:
                terms = [(a.astype(object), m) for a, m in terms]
            groups, out = {}, np.zeros(n, dtype=np.int64)
            for a, m in terms:
                groups.setdefault(abs(m), []).append((a, m))
            for g, ms in groups.items():
                s = sum(a if m > 0 else -a for a, m in ms[1:]) + (ms[0][0] if ms[0][1] > 0 else -ms[0][0]) \
                    if len(ms) > 1 else None
                out = out + (self._times(*ms[0]) if s is None else self._times(s, g))
            cache = {} if cache is None else cache
            cache[key] = (terms, out)
        out = cache[key][1]
        if const:
            out = (out if out.dtype == object or abs(const) + _mag(out) < BIG else out.astype(object)) + const
        return _small(out)

    def _affine(self, cols, nz, bias, n, cache):
        den = int(bias.q)
        for j, w in nz:
            if not cols[j].den:
                raise Skipped(f"register {j} was skipped as unread, yet a unit reads it")
            den = _lcm(den, cols[j].den * int(w.q))
        mults = [(j, int(w.p) * (den // (cols[j].den * int(w.q)))) for j, w in nz]
        num = self._lin([(cols[j].num, m) for j, m in mults], int(bias.p) * (den // int(bias.q)), n, cache)
        groups = {}                 # tangents summed per source: slopes of one source may cancel, of two never
        for j, m in mults:
            c = cols[j]
            if c.tan is not None:
                ks = np.unique(c.src[c.src >= 0])
                groups.setdefault(int(ks[0]) if len(ks) == 1 else -id(c), []).append((c.tan, m, c.src))
        tan = src = None
        for key, terms in groups.items():
            t = self._lin([(a, m) for a, m, _ in terms], 0, n, None)
            s = np.full(n, key) if key >= 0 else terms[0][2]
            for _, _, s2 in terms[1:] if key < 0 else ():
                s = np.where(s == -1, s2, np.where((s2 == -1) | (s2 == s), s, -2))
            s = np.where((t == 0) & (s != -2), -1, s)
            tan, src = (t, s) if tan is None else (tan + t, np.where(src == -1, s, np.where(s == -1, src, -2)))
        return Col(num, den) if src is None or not (src != -1).any() else Col(num, den, tan, src)

    def _sign(self, num, tan, idx, R):
        """(num + |tan| R <= 0, num - |tan| R >= 0) per row with R = R[idx]: inactive, active on the range."""
        Rn, Rd = R
        if num.dtype == object or tan.dtype == object or Rn.dtype == object or max(_mag(num), _mag(tan)) * self.cmax >= BIG:
            num, tan = num.astype(object), tan.astype(object)
        lhs, rhs = num * Rd[idx], np.abs(tan) * Rn[idx]
        return lhs <= -rhs, lhs >= rhs

    def _relu(self, col, cut):
        """sigma where the form is stable on the row's range (its cut, if the row is cut in the form's source);
        returns (column, {row: (v, a, source, lo, hi)} of the forms that are not stable, the rows decided one
        by one -- their result may depend on the cut)."""
        if col.tan is None:
            return Col(np.maximum(col.num, 0), col.den, nonneg=True), {}, set()
        idx = np.where(col.src >= 0, col.src, 0)
        inact, act = self._sign(col.num, col.tan, idx, self.coarse)
        rest = np.flatnonzero(~act & ~inact)
        if len(rest):
            inact[rest], act[rest] = self._sign(col.num[rest], col.tan[rest], idx[rest], self.exact)
        open_, fixed = {}, set()
        for r in np.flatnonzero((~act & ~inact) | (col.src == -2)).tolist():
            k = int(col.src[r])
            fixed.add(r)
            v, a = fmpq(int(col.num[r]), col.den), fmpq(int(col.tan[r]), col.den)
            lo, hi = cut.get(r, {}).get(k, (-self.R[k], self.R[k])) if k >= 0 else (None, None)
            if k >= 0 and min(v + a * lo, v + a * hi) >= 0:
                act[r] = True
            elif k >= 0 and max(v + a * lo, v + a * hi) <= 0:
                inact[r] = True
            else:
                open_[r] = (v, a, k, lo, hi)
        src = np.where(act & (col.src >= 0), col.src, -1)
        out = Col(np.where(act, col.num, 0), col.den, np.where(act, col.tan, 0), src, True)
        return (out if open_ or (src != -1).any() else Col(out.num, col.den, nonneg=True)), open_, fixed

    # -- one layer -------------------------------------------------------------------------------------
    def layer(self, st, units, readers, sole, last, l):
        plans = {}                      # rows whose Set or step cells are read by more than a sole reader
        for j, cells in st.spec.items():
            if readers[j] and not sole[j]:
                for r, v in cells.items():
                    if isinstance(v, V.Set):            # a step is a function of its source:
                        plans.setdefault(r, ({}, {}))[0][j] = sorted(v)     # its readers stay exact without a split
        if plans:
            self._branch(st, plans)
        st.ball, st.cols, st.spec, st.cut, dead, touched = self._rows(st, units, readers, last, l)
        if dead:
            keep = [r for r in range(len(st.ball)) if r not in dead]
            pos = {r: i for i, r in enumerate(keep)}
            st.keep(keep)
            touched = {u: {pos[r] for r in rows if r in pos} for u, rows in touched.items()}
        self._merge(st, readers, touched, self.lemma.get(l, ()))

    def _rows(self, st, units, readers, last, l):
        """The layer on st's rows: (balls, columns, special cells, cuts, dead rows, touched).  Rows that must be
        cut are cut and computed again on their own (recursively), and appended after the others."""
        cols, spec, dead, touched, cuts = self._compute(st, units, readers, last, l)
        if not cuts:
            return st.ball, cols, spec, st.cut, dead, touched
        keep, redo = [r for r in range(len(st.ball)) if r not in cuts], sorted(cuts)
        sub = State(st.ball[redo], [c.take(redo) for c in st.cols])
        sub.spec = _reindex(st.spec, {r: i for i, r in enumerate(redo)})
        sub.cut, sub.diff = {i: st.cut[r] for i, r in enumerate(redo) if r in st.cut}, st.diff
        self._branch(sub, {i: ({}, {k: [(None, p)] for k, p in cuts[r].items()}) for i, r in enumerate(redo)})
        sball, scols, sspec, scut, sdead, stouched = self._rows(sub, units, readers, last, l)
        pos, n = {r: i for i, r in enumerate(keep)}, len(keep)
        re = lambda d: {pos[r]: v for r, v in d.items() if r in pos}
        spec = _reindex(spec, pos)
        for u, cells in sspec.items():
            spec.setdefault(u, {}).update({n + i: v for i, v in cells.items()})
        return (np.concatenate([st.ball[keep], sball]), [Col.cat(a.take(keep), b) for a, b in zip(cols, scols)],
                spec, {**re(st.cut), **{n + i: v for i, v in scut.items()}},
                {pos[r] for r in dead if r in pos} | {n + i for i in sdead},
                {u: {pos[r] for r in touched.get(u, ()) if r in pos} | {n + i for i in stouched.get(u, ())} for u in touched})

    def _gaps(self, st, r, k):
        g = self.gaps(int(st.ball[r]), k) if self.gaps else None
        return (g or ((), ()))[:2] + (st.cut.get(r, {}).get(k),)

    def _compute(self, st, units, readers, last, l):
        """The layer's (columns, special cells, dead rows, {unit: rows computed row by row}, cuts): cuts =
        {row: {source: step}} for rows that must be cut and computed again -- where a unit sums step functions
        of several sources, or where a ReLU is unstable on a row of a ball that has few rows (cut at the root)."""
        n, cols, spec = len(st.ball), st.cols, st.spec
        carried = [not last and len(nz) == 1 and nz[0][1] == 1 and bias == 0 and cols[nz[0][0]].nonneg
                   for nz, bias in units]       # a non-negative register passed on: its cells go with it
        generic = {}
        for j, cells in spec.items():
            for u in readers[j]:
                if not carried[u]:
                    generic.setdefault(u, set()).update(cells)
        count = np.bincount(st.ball)
        new_cols, new_spec, dead, cache, cuts, touched = [], {}, set(), {}, {}, {}
        skip, lemma, gap, pre = self.skip.get(l, ()), self.lemma.get(l, {}), hole(n), {}
        for u, (nz, bias) in enumerate(units):
            self.clock()
            if u in skip:
                new_cols.append(gap)
                continue
            if u in lemma:
                col, cells = lemma[u](st)
                new_cols.append(col)
                if cells:
                    new_spec[u] = touched[u] = cells
                continue
            if carried[u]:
                new_cols.append(cols[nz[0][0]])               # a carried non-negative register
                cells = spec.get(nz[0][0])
                if cells:               # a carried special cell may be clipped to its row's cut: merging must see it
                    new_spec[u] = touched[u] = cells
                continue
            rows = generic.get(u, set())
            fixed = set()
            if len(rows) == n:                  # every row on the generic path: no column to form first
                if any(not cols[j].den for j, _ in nz):
                    raise Undecided(f"a skipped register is read by unit {u} of layer {l}")
                col = Col(np.zeros(n, dtype=np.int64), 1, nonneg=not last)
            else:
                col = self._affine(cols, nz, bias, n, cache)
                rows |= {int(r) for r in np.flatnonzero(col.src == -2)} if col.src is not None else set()
            if not last and len(rows) < n:
                col, open_, fixed = self._relu(col, st.cut)
                for r, (v, a, k, lo, hi) in open_.items():
                    if r in rows or r in cuts or k < 0 or count[st.ball[r]] >= CUT_ROWS:
                        rows.add(r)                             # the generic path: a piecewise-linear value
                    else:                                       # cut the row in two at the root -v/a
                        cuts[r] = {k: V.PL(k, ((lo, -v / a, ZERO, ZERO), (-v / a, hi, ONE, ZERO)))}
                        count[st.ball[r]] += 1
            forms, shared, mine, w0 = {}, {}, {}, nz[0][1] if nz else ZERO
            if len(nz) > WIDE and rows and w0:      # weights lam times an earlier unit's (u0, w0, b0): its sums reused
                first = pre.setdefault((tuple((j, int((w / w0).p), int((w / w0).q)) for j, w in nz)), (u, w0, bias, {}))
                shared, mine, lam = ({}, first[3], ONE) if first[0] == u else (first[3], {}, w0 / first[1])
            for r in rows - set(cuts):                      # rows being cut: this layer is computed again
                gaps = lambda k, r=r: self._gaps(st, r, k)
                val = V.combine([(lam, shared[r])], bias - lam * first[2], gaps) if r in shared else \
                    V.combine([(w, spec[j][r] if r in spec.get(j, ()) else cols[j].value(r, self.R)) for j, w in nz],
                              bias, gaps)
                mine[r] = val
                if isinstance(val, V.Sep) and any(V.is_choice(p) for p in val.terms.values()):
                    steps = {k: p for k, p in val.terms.items() if V.is_choice(p)}
                    if last:
                        cuts.setdefault(r, {}).update(steps)
                        continue
                    lo, hi = V.bounds(val)
                    if lo < 0 < hi:             # unstable: cut the widest step only (digits from the top)
                        k = max(steps, key=lambda k: (V.bounds(steps[k])[1] - V.bounds(steps[k])[0], -k))
                        cuts.setdefault(r, {})[k] = steps[k]
                        continue
                    # stable or dead: relu keeps the Sep exactly, or gives 0 (below), with no cut
                if not last:
                    sb = self.sep_bounds(int(st.ball[r]), l, u) if self.sep_bounds and isinstance(val, V.Sep) else None
                    val = V.relu(val, gaps(val.k) if isinstance(val, V.PL) else None, sb)
                if isinstance(val, fmpq) or isinstance(val, V.PL) and len(val.pieces) == 1:
                    forms[r] = (val, ZERO, -1) if isinstance(val, fmpq) else (val.pieces[0][2], val.pieces[0][3], val.k)
                elif val is V.DEAD:
                    dead.add(r)
                else:
                    new_spec.setdefault(u, {})[r] = V.Box(V.bounds(val)) if isinstance(val, V.Set) and len(val) > V.MAX_PIECES else val
            touched[u] = rows | fixed
            new_cols.append(col.put(forms, n) if forms else col)
        return new_cols, new_spec, dead, touched, cuts

    # -- rows: branch on choices, merge when they agree ------------------------------------------------
    def _branch(self, st, plans):
        """One row per combination: a Set cell takes each of its values; the step functions of a source cut the
        row at their breakpoints.  plans[r] = ({register: values}, {source: [(register or None, step)]})."""
        idx, cuts, assigns = [], [], []
        for r in range(len(st.ball)):
            if r not in plans:
                idx.append(r)
                assigns.append({})
                cuts.append(st.cut.get(r, {}))
                continue
            sets, steps = plans[r]
            options = [[({j: v}, {}) for v in vals] for j, vals in sets.items()]
            for k, cells in steps.items():
                lo, hi = st.cut.get(r, {}).get(k, (-self.R[k], self.R[k]))
                ts = sorted({t for _, pl in cells for p in pl.pieces for t in p[:2] if lo < t < hi} | {lo, hi})
                opts, (starts, ends, _) = [], self._gaps(st, r, k)
                for a, b in zip(ts, ts[1:]):
                    vals = {j: next((p[2] for p in pl.pieces if p[0] <= (a + b) / 2 <= p[1]), None) for j, pl in cells}
                    g = bisect_right(starts, a) - 1
                    if all(v is not None for v in vals.values()) and not (g >= 0 and b <= ends[g]):   # else excluded
                        opts.append(({j: v for j, v in vals.items() if j is not None}, {k: (a, b)}))
                options.append(opts)
            for combo in product(*options):
                self.clock()
                cut = {**st.cut.get(r, {}), **{k: c for _, cc in combo for k, c in cc.items()}}
                if steps and not self.meets(cut):
                    continue                                      # no point of the ball has these sources
                idx.append(r)
                assigns.append({j: v for vals, _ in combo for j, v in vals.items()})
                cuts.append(cut)
        if idx and np.bincount(st.ball[idx]).max() > MAX_ROWS_PER_BALL:
            raise Undecided(f"a ball would split into more than {MAX_ROWS_PER_BALL} rows")
        spec, writes, ball, old = {}, {}, st.ball.tolist(), _by_row(st.spec)
        for i, (r, a) in enumerate(zip(idx, assigns)):
            cells = {}
            for j, v in old.get(r, {}).items():
                if j in a:
                    continue
                if isinstance(v, V.PL) and v.k in cuts[i]:             # re-clip to the new cut: often a form
                    gaps = self.gaps(ball[r], v.k) if self.gaps else None
                    v = V.tidy(v.k, v.pieces, (gaps or ((), ()))[:2] + (cuts[i][v.k],))
                    if isinstance(v, fmpq) or v is not V.DEAD and isinstance(v, V.PL) and len(v.pieces) == 1:
                        a[j] = v
                        continue
                cells[j] = v
            for j, v in cells.items():
                spec.setdefault(j, {})[i] = v
            for j, v in a.items():
                writes.setdefault(j, {})[i] = (v, ZERO, -1) if isinstance(v, fmpq) else (v.pieces[0][2], v.pieces[0][3], v.k)
            if a or r in plans:
                st.diff.setdefault(ball[r], set()).update(a)
        st.take(idx, spec, {i: c for i, c in enumerate(cuts) if c})
        for j, forms in writes.items():
            st.cols[j] = st.cols[j].put(forms, len(idx))

    def _cell(self, st, r, u):
        if r in st.spec.get(u, ()):
            return st.spec[u][r]
        c = st.cols[u]
        v = fmpq(int(c.num[r]), c.den)
        return v if c.tan is None or c.src[r] < 0 else (int(c.src[r]), v, fmpq(int(c.tan[r]), c.den))

    def _merge(self, st, readers, touched, lemma=()):
        """Rows of a ball may differ only in registers reached from where they split (st.diff), in units
        computed row by row (touched: the generic path and cut-dependent ReLUs) and in units valued by a lemma
        (which read other registers than their weights say): one row if they agree, one row with a Set if they
        differ in one constant register, else drop duplicates.  A merged row's cut is the union of the rows'
        cuts."""
        if not st.diff:                                         # no ball has two rows: nothing to merge
            return
        rows_of, ball = {}, st.ball.tolist()
        for r, b in enumerate(ball):
            if b in st.diff:
                rows_of.setdefault(b, []).append(r)
        cand = {b: {u for j in old for u in readers[j]} for b, old in st.diff.items()}
        multi = [r for rows in rows_of.values() for r in rows]
        for u, t in touched.items() if cand else ():
            for r in (t if len(t) <= len(multi) else [r for r in multi if r in t]):
                cand[ball[r]].add(u) if ball[r] in cand else None
        for b in cand if lemma else ():
            cand[b].update(lemma)
        pairs = [(r, rows[0]) for b in cand for rows in [rows_of.get(b, [])] for r in rows[1:]]
        R, F, differs = np.array([p[0] for p in pairs], dtype=np.int64), np.array([p[1] for p in pairs], dtype=np.int64), {}
        for u in set().union(*cand.values()) if pairs else ():      # compared column-wise, specials one by one
            c = st.cols[u]
            neq = (c.num[R] != c.num[F]) | ((c.tan[R] != c.tan[F]) | (c.src[R] != c.src[F]) if c.tan is not None else False)
            su = st.spec.get(u, ())
            differs[u] = {ball[r] for r in R[neq]} | {ball[r] for r, f in pairs if (r in su or f in su)
                                                    and self._cell(st, r, u) != self._cell(st, f, u)}
        drop, writes = set(), {}
        for b in list(st.diff):
            rows = rows_of.get(b, [])
            if not rows:                                            # every row of the ball is dead
                del st.diff[b]
                continue
            diff = {u for u in cand[b] if b in differs.get(u, ())}
            cells = [self._cell(st, r, next(iter(diff))) for r in rows] if len(diff) == 1 else []
            if len(rows) < 2 or not diff or cells and all(isinstance(c, (fmpq, V.Set)) for c in cells):
                if cells:
                    u, vals = next(iter(diff)), V.Set(v for c in cells for v in (c if isinstance(c, V.Set) else [c]))
                    cells = st.spec[u] = dict(st.spec.get(u, {}))       # a fresh dict: cell dicts are shared
                    cells.pop(rows[0], None)
                    if len(vals) > 1:
                        cells[rows[0]] = vals
                    else:
                        writes.setdefault(u, {})[rows[0]] = (next(iter(vals)), ZERO, -1)
                self._unite(st, rows)
                drop.update(rows[1:])
                del st.diff[b]
                continue
            st.diff[b], kept = diff, []
            for r in rows:
                key = [self._cell(st, r, u) for u in sorted(diff)]
                same = next((r0 for k0, r0 in kept if k0 == key), None)
                kept.append((key, r)) if same is None else (self._unite(st, [same, r]), drop.add(r))
        for u, forms in writes.items():
            st.cols[u] = st.cols[u].put(forms, len(st.ball))
        if drop:
            st.keep([r for r in range(len(st.ball)) if r not in drop])

    def _unite(self, st, rows):
        """rows[0] covers all the rows: a source stays cut only if every row cuts it."""
        cs = [st.cut.get(r, {}) for r in rows]
        c = {k: (min(x[k][0] for x in cs), max(x[k][1] for x in cs)) for k in cs[0] if all(k in x for x in cs)}
        st.cut[rows[0]] = {k: v for k, v in c.items() if v != (-self.R[k], self.R[k])}


def run(layers, state, engine):
    """Run compiled layers (``compile_layer``) over ``state``; the last layer has no ReLU.  A span of
    ``engine.spans`` {a: (b, fn)} runs as fn(state, engine), the state after layer b."""
    l, L = 0, len(layers)
    while l < L:
        if l in engine.spans:
            b, fn = engine.spans[l]
            for k in range(l, b + 1) if engine.tick else ():
                engine.tick(k, L)
            state, l = fn(state, engine), b + 1
            continue
        units, readers, sole = layers[l]
        if engine.tick:
            engine.tick(l, L)
        engine.layer(state, units, readers, sole, l == L - 1, l)
        l += 1
    return state


def evaluate(layers, X) -> list:
    """Exact outputs of a network (layers [(rows of nonzeros, bias)]) at the rows of X (lists of fmpq)."""
    cols, compiled = [], []
    for k in range(len(X[0])):
        den = 1
        for x in X:
            den = _lcm(den, int(x[k].q))
        cols.append(Col(np.array([int(x[k].p) * (den // int(x[k].q)) for x in X], dtype=object), den))
    for rows, bias in layers:
        compiled.append(compile_layer(rows, bias, len(cols) if not compiled else len(compiled[-1][0])))
    st = run(compiled, State(range(len(X)), cols), Engine())
    return [[fmpq(int(c.num[r]), c.den) for c in st.cols] for r in range(len(X))]
