"""Step tables on a carried scalar (Lemma B.7's blocks), derived once per block and read per row by sorting.

A *bump* is a unit F of layer l with F = relu(b + f1 v1 + f2 v2), where v1, v2 are units of layer l - 1 that
each read one and the same column x of layer l - 1's input (v_i = relu(p_i x + q_i)), that no other unit of
layer l reads, and where a unit of layer l - 1 carries x on (row [(x, 1)], bias 0; x >= 0 as a ReLU's output,
so the carry is x itself).  The kernel derives from these weights, once, a bounded interval [s_lo, s_hi] of x
outside which b + f1 v1 + f2 v2 <= 0 (F = 0), or leaves the unit alone when there is none.  On the rows, sorted
once by their exact constant x, F is then computed only on the rows with x in [s_lo, s_hi] (a binary search),
and on rows whose x is not a constant, through the values of the ordinary path; every other row's F is 0.

A *fold* is a unit of layer l + 1 with row [(F, c)] or [(F, c), (y, 1)] and bias 0, F a bump: where F is 0
its value is relu(y) = y (y >= 0 as a ReLU's output) or 0, so only F's non-zero rows are computed.  v1 and
v2 are then read by nobody on the rows (``sandwich.unread``): Lemma B.7's table of G ranges costs O(N log N + G)
row operations per table instead of O(N G).

>>> from exactmem import Dataset, memorize
>>> from exactmem.kernel import robust
>>> net, cert = memorize(Dataset([[0, 0], [3, 1], [1, 4], [5, 5]], [1, 2, 1, 2]), "1/100")
>>> robust.check(cert.to_json()).is_proved
True
"""
from __future__ import annotations

from bisect import bisect_left, bisect_right
from itertools import pairwise

import numpy as np
from flint import fmpq

from . import values as V
from .engine import Col, Undecided, _lcm

ZERO = fmpq(0)
NONE: dict = {}             # the cells of a column that has none (one object: the sorted order is kept by identity)
USE = [True]                # False: every bump on the ordinary path (for measurements and tests)


def support(b, f1, p1, q1, f2, p2, q2):
    """(s_lo, s_hi) with b + f1 relu(p1 x + q1) + f2 relu(p2 x + q2) <= 0 for every x >= 0 outside [s_lo, s_hi];
    None when the set where it is positive is unbounded."""
    def g(x):
        return b + f1 * max(p1 * x + q1, ZERO) + f2 * max(p2 * x + q2, ZERO)
    pts = sorted({ZERO} | {t for t in (-q1 / p1, -q2 / p2) if t > 0})
    last = pts[-1]
    slope = sum((f * p for f, p, q in ((f1, p1, q1), (f2, p2, q2)) if p * (last + 1) + q > 0), ZERO)
    lo = hi = None
    for a, c in pairwise(pts):                      # g is affine on [a, c]: positive on an interval with an end
        ga, gc = g(a), g(c)                         # where g > 0 or the root between them
        if ga > 0 or gc > 0:
            lo = (a if ga > 0 else a - ga * (c - a) / (gc - ga)) if lo is None else lo
            hi = c if gc > 0 else a - ga * (c - a) / (gc - ga)
    ga = g(last)                                    # on [last, oo) g(x) = ga + slope (x - last)
    if slope > 0 or slope == 0 and ga > 0:
        return None
    if ga > 0:
        lo, hi = last if lo is None else lo, last - ga / slope
    return (lo, hi) if lo is not None else (ZERO, ZERO)


def find(compiled) -> dict:
    """{(l, u): (kx, (b, f1, p1, q1, f2, p2, q2), (s_lo, s_hi))} for the bumps of layers 2 <= l < L - 1 (x is then
    a ReLU's output and F has a ReLU); kx: the unit of layer l - 1 that carries x."""
    layers, out, quiet = compiled.layers, {}, getattr(compiled, "quiet", ())
    for l in range(2, len(layers) - 1):
        if l in quiet:
            continue
        (rows, bias, _), (prev, pb, _) = layers[l], layers[l - 1]
        if not any(len(nz) == 2 for nz in rows):
            continue
        carry, reads = {}, {}
        for nz in rows:
            for j, _ in nz:
                reads[j] = reads.get(j, 0) + 1
        for k, nz in enumerate(prev):
            if len(nz) == 1 and nz[0][1] == 1 and pb[k] == 0:
                carry.setdefault(nz[0][0], k)
        for u, nz in enumerate(rows):
            if len(nz) != 2 or any(reads[j] != 1 or len(prev[j]) != 1 for j, _ in nz):
                continue
            (j1, f1), (j2, f2) = nz
            (x1, p1), (x2, p2) = prev[j1][0], prev[j2][0]
            if x1 == x2 and x1 in carry and j1 != j2 and p1 != 0 and p2 != 0:
                form = (bias[u], f1, p1, pb[j1], f2, p2, pb[j2])
                s = support(*form)
                if s is not None:
                    out[l, u] = (carry[x1], form, s)
    return out


def folds(compiled, bumps) -> dict:
    """{(l + 1, u): (F, c, y or None)} for the units of layer l + 1 that fold a bump (l, F) into y."""
    out, layers = {}, compiled.layers
    by_layer = {}
    for l, u in bumps:
        by_layer.setdefault(l, set()).add(u)
    for l, Fs in by_layer.items():
        if l + 1 >= len(layers) - 1:
            continue
        rows, bias, _ = layers[l + 1]
        for u, nz in enumerate(rows):
            if bias[u] != 0 or not 1 <= len(nz) <= 2:
                continue
            F = [(j, w) for j, w in nz if j in Fs]
            rest = [(j, w) for j, w in nz if j not in Fs]
            if len(F) == 1 and (not rest or rest[0][1] == 1):
                out[l + 1, u] = (F[0][0], F[0][1], rest[0][0] if rest else None)
    return out


def _column(n, vals):
    """A non-negative column of zeros but for the exact values {row: fmpq}."""
    den = 1
    for v in vals.values():
        den = _lcm(den, int(v.q))
    nums = {r: int(v.p) * (den // int(v.q)) for r, v in vals.items()}
    big = any(abs(v) >= 2 ** 62 for v in nums.values())
    num = np.zeros(n, dtype=object if big else np.int64)
    for r, v in nums.items():
        num[r] = v
    return Col(num, den, nonneg=True)


def _cell(st, j, r, R):
    return st.spec[j][r] if r in st.spec.get(j, ()) else st.cols[j].value(r, R)


def plan(compiled, R, taken=()) -> tuple:
    """({layer: {unit: fn(state) -> (column, cells)}}, {(l, u): the columns fn reads}) for every bump and fold of
    the network but the units ``taken`` (by another lemma)."""
    bumps = {k: v for k, v in find(compiled).items() if k not in taken} if USE[0] else {}
    if not bumps:
        return {}, {}
    order = {}                                      # the last x column sorted: (column, keys, rows, odd rows)

    def sorted_x(col, spec):
        if order.get("col") is not col or order.get("spec") is not spec:
            const = np.ones(len(col.num), dtype=bool) if col.tan is None else col.src < 0
            odd = set(np.flatnonzero(~const).tolist()) | set(spec)
            rows = [r for r in np.flatnonzero(const).tolist() if r not in spec]
            rows.sort(key=lambda r: int(col.num[r]))
            order.update(col=col, spec=spec, keys=[int(col.num[r]) for r in rows], rows=rows, odd=odd)
        return order

    def bump_fn(kx, form):
        b, f1, p1, q1, f2, p2, q2 = form
        (s_lo, s_hi) = support(*form)

        def F(x):
            return max(b + f1 * max(p1 * x + q1, ZERO) + f2 * max(p2 * x + q2, ZERO), ZERO)

        def run(st):
            col, spec = st.cols[kx], st.spec.get(kx, NONE)
            if not col.den:
                raise Undecided(f"a step reads register {kx}, which was skipped as unread")
            o, den = sorted_x(col, spec), int(col.den)
            lo = -((-int(s_lo.p) * den) // int(s_lo.q))           # ceil(s_lo den) <= num <= floor(s_hi den)
            hi = (int(s_hi.p) * den) // int(s_hi.q)
            vals = {}
            for r in o["rows"][bisect_left(o["keys"], lo):bisect_right(o["keys"], hi)]:
                v = F(fmpq(int(col.num[r]), den))
                if v:
                    vals[r] = v
            cells = {}
            for r in o["odd"]:                        # x not a constant: the ordinary path's values
                x = _cell(st, kx, r, R)
                v = [V.relu(V.combine([(p, x)], q)) for p, q in ((p1, q1), (p2, q2))]
                v = V.relu(V.combine([(f1, v[0]), (f2, v[1])], b))
                (vals if isinstance(v, fmpq) else cells)[r] = v
            return _column(len(st.ball), vals), cells
        return run

    def fold_fn(F, c, y):
        def run(st):
            n, fcol, fspec = len(st.ball), st.cols[F], st.spec.get(F, {})
            if not fcol.den or y is not None and not st.cols[y].den:
                raise Undecided(f"a fold reads register {F} or {y}, which was skipped as unread")
            rows = set(np.flatnonzero(fcol.num).tolist()) | set(fspec)
            if fcol.tan is not None:                      # (a bump's column has none; any other: its forms too)
                rows |= set(np.flatnonzero(fcol.src >= 0).tolist())
            if y is None:
                vals, cells = {}, {}
                for r in rows:
                    v = V.relu(V.combine([(c, _cell(st, F, r, R))], ZERO))
                    (vals if isinstance(v, fmpq) else cells)[r] = v
                return _column(n, vals), cells
            ycol, yspec = st.cols[y], st.spec.get(y, {})
            new = {r: V.relu(V.combine([(c, _cell(st, F, r, R)), (fmpq(1), _cell(st, y, r, R))], ZERO)) for r in rows}
            cells = {r: v for r, v in yspec.items() if r not in new}
            forms = {}
            for r, v in new.items():
                if isinstance(v, fmpq):
                    forms[r] = (v, ZERO, -1)
                elif isinstance(v, V.PL) and v is not V.DEAD and len(v.pieces) == 1:
                    forms[r] = (v.pieces[0][2], v.pieces[0][3], v.k)
                else:
                    cells[r] = v
            return _put(ycol, forms, n), cells
        return run

    out, reads = {}, {}
    for (l, u), (kx, form, _) in bumps.items():
        out.setdefault(l, {})[u] = bump_fn(kx, form)
        reads[l, u] = (kx,)
    for (l, u), (F, c, y) in folds(compiled, bumps).items():
        if (l, u) not in taken:
            out.setdefault(l, {})[u] = fold_fn(F, c, y)
            reads[l, u] = (F,) if y is None else (F, y)
    return out, reads


def _put(col, forms, n):
    """The column col (a fresh one, non-negative) with rows r set to the forms {r: (v, a, k)}: a copy with those
    entries replaced when they are constants over col's denominator, else ``Col.put`` (which converts every row)."""
    if col.tan is None and all(a == 0 and (v * col.den).q == 1 for v, a, _ in forms.values()):
        vals = {r: int((v * col.den).p) for r, (v, _, _) in forms.items()}
        big = col.num.dtype != object and any(abs(v) >= 2 ** 62 for v in vals.values())
        num = col.num.astype(object) if big else col.num.copy()
        for r, v in vals.items():
            num[r] = v
        return Col(num, col.den, nonneg=True)
    out = col.put(forms, n)
    out.nonneg = True
    return out
