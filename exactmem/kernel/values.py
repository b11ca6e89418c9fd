"""What one register holds on one row of the analysis, when a single affine form does not describe it.

Source k of a ball takes the values u_k = c_k + t with t in [-R_k, R_k] (R_k >= the radius of u_k over the
ball).  A value is
  * an ``fmpq``: a constant;
  * ``PL(k, pieces)``: v + a t on each closed piece (lo, hi, v, a) of source k, pieces sorted;
  * ``Sep(terms, c)``: sum over several sources of PL_k(t_k), plus c;
  * ``Set(values)``: one of finitely many constants (which one depends on where in the ball x lies);
  * ``Box(lo, hi)``: some number in [lo, hi].
Pieces inside an excluded slab are dropped (the claim pays for excluded points by their measure); a PL
with no pieces left is ``DEAD``: its whole row lies in excluded slabs.

>>> f = PL(0, ((fmpq(-1), fmpq(1), fmpq(0), fmpq(1)),))          # t on [-1, 1]
>>> relu(f).pieces                                       # split at the root t = 0
((-1, 0, 0, 0), (0, 1, 0, 1))
>>> bounds(combine([(fmpq(1), relu(f)), (fmpq(-1), f)], fmpq(0)))   # sigma(t) - t = sigma(-t)
(0, 1)
"""
from __future__ import annotations

from bisect import bisect_right
from itertools import product

from flint import fmpq

ZERO = fmpq(0)
MAX_PIECES = 1024      # a PL with more pieces, or a Set with more values, becomes a Box: polynomial cost, less precision


class PL:
    __slots__ = ("k", "pieces")

    def __init__(self, k, pieces):
        self.k, self.pieces = k, tuple(pieces)

    def __eq__(self, other):
        return isinstance(other, PL) and self.k == other.k and self.pieces == other.pieces

    def __hash__(self):
        return hash((self.k, self.pieces))


class Sep:
    __slots__ = ("terms", "c")

    def __init__(self, terms, c):
        self.terms, self.c = terms, c

    def __eq__(self, other):
        return isinstance(other, Sep) and self.terms == other.terms and self.c == other.c

    def __hash__(self):
        return hash((tuple(sorted(self.terms.items())), self.c))


class Set(frozenset):
    pass


class Box(tuple):
    pass


DEAD = PL(None, ())


def _pl_add(P, Q):
    """Sum of two PLs of one source, on the common refinement of their pieces."""
    out, i, j = [], 0, 0
    while i < len(P) and j < len(Q):
        lo, hi = max(P[i][0], Q[j][0]), min(P[i][1], Q[j][1])
        if lo < hi:
            out.append((lo, hi, P[i][2] + Q[j][2], P[i][3] + Q[j][3]))
        step_i, step_j = P[i][1] <= Q[j][1], Q[j][1] <= P[i][1]
        i, j = i + step_i, j + step_j
    return out


def _scale(pieces, w):
    return [(lo, hi, w * v, w * a) for lo, hi, v, a in pieces]


def tidy(k, pieces, gaps):
    """Drop pieces inside excluded slabs ``gaps`` = (starts, ends) of sorted disjoint closed intervals; merge
    neighbours with the same (v, a); return a constant, a PL or DEAD."""
    out = []
    for p in pieces:
        g = bisect_right(gaps[0], p[0]) - 1 if gaps else -1
        if g >= 0 and p[1] <= gaps[1][g]:
            continue
        if out and out[-1][2:] == p[2:]:
            out[-1] = (out[-1][0], p[1]) + p[2:]
        else:
            out.append(p)
    if not out:
        return DEAD
    if len({p[2:] for p in out}) == 1 and out[0][3] == 0:
        return out[0][2]
    return PL(k, out) if len(out) <= MAX_PIECES else _box(*bounds(PL(k, out)))


def bounds(val) -> tuple:
    """(lo, hi) with lo <= val <= hi wherever val is defined (box bounds, no geometry)."""
    if isinstance(val, fmpq):
        return val, val
    if isinstance(val, PL):
        ends = [v + a * t for lo, hi, v, a in val.pieces for t in (lo, hi)]
        return min(ends), max(ends)
    if isinstance(val, Sep):
        bs = [bounds(p) for p in val.terms.values()]
        return sum((b[0] for b in bs), val.c), sum((b[1] for b in bs), val.c)
    if isinstance(val, Set):
        return min(val), max(val)
    return val[0], val[1]


def is_choice(val) -> bool:
    """A Set, or a PL that is constant on each piece with several values (a step function)."""
    return isinstance(val, Set) or (isinstance(val, PL) and all(p[3] == 0 for p in val.pieces))


def choices(val) -> list:
    return sorted(val) if isinstance(val, Set) else sorted({p[2] for p in val.pieces})


def combine(inputs, bias, gaps=None):
    """sum_j w_j val_j + bias for inputs [(w_j, val_j)]: exact where the values allow, else a Box.
    ``gaps(k)``: the excluded slabs of source k (pieces inside them are dropped)."""
    c, terms, boxes, sets = bias, {}, [], []
    for w, val in inputs:
        if isinstance(val, fmpq):
            c += w * val
        elif isinstance(val, (PL, Sep)):
            if val is DEAD:
                return DEAD
            parts = val.terms.items() if isinstance(val, Sep) else [(val.k, val)]
            c += w * val.c if isinstance(val, Sep) else 0
            for k, p in parts:
                scaled = _scale(p.pieces, w)
                terms[k] = _pl_add(terms[k], scaled) if k in terms else scaled
        elif isinstance(val, Set):
            sets.append((w, val))
        else:
            lo, hi = w * val[0], w * val[1]
            boxes.append((min(lo, hi), max(lo, hi)))
    if len(sets) == 1 and not terms and not boxes:
        w, s = sets[0]
        return Set(w * v + c for v in s)
    boxes += [(min(w * min(s), w * max(s)), max(w * min(s), w * max(s))) for w, s in sets]
    for k in list(terms):
        t = tidy(k, terms[k], gaps(k) if gaps else None)
        if t is DEAD:
            return DEAD
        if isinstance(t, fmpq):                        # slopes cancelled: a constant after all
            c += t
            del terms[k]
        elif isinstance(t, PL):
            terms[k] = list(t.pieces)
        else:
            boxes.append(t)
            del terms[k]
    if boxes:
        rest = bounds(Sep({k: PL(k, p) for k, p in terms.items()}, c))
        return _box(rest[0] + sum(b[0] for b in boxes), rest[1] + sum(b[1] for b in boxes))
    if not terms:
        return c
    if len(terms) == 1:
        (k, p), = terms.items()
        return PL(k, [(lo, hi, v + c, a) for lo, hi, v, a in p])      # at most 2 MAX_PIECES: relu tidies it
    return Sep({k: PL(k, p) for k, p in terms.items()}, c)


def relu(val, gaps=None, sep_bounds=None):
    """sigma(val).  ``gaps`` = the excluded slabs of the PL's source (or None); a Sep is bounded with
    ``sep_bounds(val)`` if given (the quadratic sandwich of a hint), else with box bounds."""
    if isinstance(val, fmpq):
        return val if val > 0 else ZERO
    if isinstance(val, PL):
        out = []
        for lo, hi, v, a in val.pieces:
            f0, f1 = v + a * lo, v + a * hi
            if f0 >= 0 and f1 >= 0:
                out.append((lo, hi, v, a))
            elif f0 <= 0 and f1 <= 0:
                out.append((lo, hi, ZERO, ZERO))
            else:
                r = -v / a
                left, right = ((lo, r, ZERO, ZERO), (r, hi, v, a)) if a > 0 else ((lo, r, v, a), (r, hi, ZERO, ZERO))
                out += [left, right]
        return tidy(val.k, out, gaps)
    if isinstance(val, Set):
        return Set(v if v > 0 else ZERO for v in val)
    if isinstance(val, Sep):
        lo, hi = bounds(val)
        if sep_bounds is not None:
            slo, shi = sep_bounds(val)
            lo, hi = max(lo, slo), min(hi, shi)
        if lo >= 0:
            return val
        if hi <= 0:
            return ZERO
        return Box((ZERO, hi))
    return _box(max(val[0], ZERO), max(val[1], ZERO))


def _box(lo, hi):
    return lo if lo == hi else Box((lo, hi))


def quad_deviation(pl, e, alpha, clip) -> tuple:
    """min and max over pl's pieces of pl(t) - alpha q(e + t), q(s) = s^2 (clipped at clip^2 if clip)."""
    lo_all = hi_all = None
    for lo, hi, v, a in pl.pieces:
        cuts = sorted({lo, hi} | ({x for x in (-e - clip, -e + clip) if lo < x < hi} if clip is not None else set()))
        for s0, s1 in zip(cuts, cuts[1:]) if len(cuts) > 1 else [(lo, hi)]:
            flat = clip is not None and abs(e + (s0 + s1) / 2) > clip
            cand = [s0, s1]
            if not flat and s0 < a / (2 * alpha) - e < s1:
                cand.append(a / (2 * alpha) - e)
            vals = [v + a * t - alpha * (clip * clip if flat else (e + t) ** 2) for t in cand]
            lo_all = min(vals) if lo_all is None else min(lo_all, min(vals))
            hi_all = max(vals) if hi_all is None else max(hi_all, max(vals))
    return lo_all, hi_all


def expand_all(cells) -> list:
    """All assignments {j: constant} of the choice cells {j: value}."""
    js = sorted(cells)
    return [dict(zip(js, combo)) for combo in product(*(choices(cells[j]) for j in js))]
