"""What one register holds on one row of the analysis when a single affine form does not describe it.

Source k of a ball takes the values u_k = c_k + t, t in [-R_k, R_k].  A value is
  * an ``fmpq``: a constant;
  * ``PL(k, pieces)``: v + a t on each closed piece (lo, hi, v, a) of source k, pieces sorted;
  * ``Sep(terms, c)``: sum over several sources of PL_k(t_k), plus c;
  * ``Set(values)``: one of finitely many constants (which one depends on where in the ball x lies);
  * ``Box((lo, hi))``: some number in [lo, hi].
Pieces inside an excluded slab, or outside the interval a row is cut to, are dropped (the claim pays for
excluded points; other rows cover the rest); a PL with no pieces left is ``DEAD``: no point of its row
counts.  More than MAX_PIECES pieces (or Set values) become a Box: the cost stays polynomial.

>>> f = PL(0, ((fmpq(-1), fmpq(1), fmpq(0), fmpq(1)),))          # t on [-1, 1]
>>> relu(f).pieces                                               # split at the root t = 0
((-1, 0, 0, 0), (0, 1, 0, 1))
>>> bounds(combine([(fmpq(1), relu(f)), (fmpq(-1), f)], fmpq(0)))     # sigma(t) - t = sigma(-t)
(0, 1)
"""
from __future__ import annotations

from bisect import bisect_right

from flint import fmpq

ZERO = fmpq(0)
MAX_PIECES = 1024


class PL:
    __slots__ = ("k", "pieces")

    def __init__(self, k, pieces):
        self.k, self.pieces = k, tuple(pieces)

    def __eq__(self, other):
        return self is other or isinstance(other, PL) and self.k == other.k and self.pieces == other.pieces


class Sep:
    __slots__ = ("terms", "c")

    def __init__(self, terms, c):
        self.terms, self.c = terms, c

    def __eq__(self, other):
        return self is other or isinstance(other, Sep) and self.terms == other.terms and self.c == other.c


class Set(frozenset):
    pass


class Box(tuple):
    pass


DEAD = PL(None, ())


def union(intervals) -> list:
    """Sorted disjoint closed intervals covering the given ones."""
    out = []
    for a, b in sorted(intervals):
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out


def _box(lo, hi):
    return lo if lo == hi else Box((lo, hi))


def tidy(k, pieces, gaps=None):
    """Clip the pieces to the row's cut and drop those inside an excluded slab, gaps = (starts, ends, cut);
    merge neighbours with the same (v, a); a constant, a PL, a Box (too many pieces) or DEAD."""
    starts, ends, cut = gaps or ((), (), None)
    out = []
    for p in pieces:
        if cut is not None:                                # clip to the row's cut
            p = (max(p[0], cut[0]), min(p[1], cut[1])) + p[2:]
            if p[0] >= p[1] and cut[0] < cut[1]:
                continue
        g = bisect_right(starts, p[0]) - 1
        if g >= 0 and p[1] <= ends[g]:
            continue
        if out and out[-1][2:] == p[2:]:
            out[-1] = (out[-1][0], p[1]) + p[2:]
        else:
            out.append(p)
    if not out:
        return DEAD
    if out[0][3] == 0 and all(p[2:] == out[0][2:] for p in out):      # (no hashing: fmpq hashes slowly)
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
    return (min(val), max(val)) if isinstance(val, Set) else (val[0], val[1])


def is_choice(val) -> bool:
    """A Set, or a PL constant on each piece (a step function)."""
    return isinstance(val, Set) or (isinstance(val, PL) and all(p[3] == 0 for p in val.pieces))


def _add(P, Q):
    """The sum of two PLs of one source, on the common refinement of their pieces."""
    out, i, j = [], 0, 0
    while i < len(P) and j < len(Q):
        lo, hi = max(P[i][0], Q[j][0]), min(P[i][1], Q[j][1])
        if lo < hi:
            out.append((lo, hi, P[i][2] + Q[j][2], P[i][3] + Q[j][3]))
        i, j = i + (P[i][1] <= Q[j][1]), j + (Q[j][1] <= P[i][1])
    return out


def combine(inputs, bias, gaps=None):
    """sum_j w_j val_j + bias for inputs [(w_j, val_j)]: exact where the values allow, else a Box.
    ``gaps(k)`` gives the excluded slabs and cut of source k (see ``tidy``)."""
    c, terms, boxes, sets = bias, {}, [], []
    for w, val in inputs:
        if isinstance(val, fmpq):
            c += w * val
        elif isinstance(val, (PL, Sep)):
            if val is DEAD:
                return DEAD
            c += w * val.c if isinstance(val, Sep) else 0
            for k, p in (val.terms.items() if isinstance(val, Sep) else [(val.k, val)]):
                scaled = [(lo, hi, w * v, w * a) for lo, hi, v, a in p.pieces]
                terms[k] = _add(terms[k], scaled) if k in terms else scaled
        elif isinstance(val, Set):
            sets.append(Set(w * v for v in val))
        else:
            boxes.append(sorted((w * val[0], w * val[1])))
    if len(sets) == 1 and not terms and not boxes:
        return Set(v + c for v in sets[0])
    boxes += [bounds(s) for s in sets]
    for k in list(terms):
        t = tidy(k, terms.pop(k), gaps(k) if gaps else None)
        if t is DEAD:
            return DEAD
        if isinstance(t, PL):
            terms[k] = t
        elif isinstance(t, fmpq):                          # slopes cancelled: a constant after all
            c += t
        else:
            boxes.append(bounds(t))
    if boxes:
        lo, hi = bounds(Sep(terms, c))
        return _box(lo + sum(b[0] for b in boxes), hi + sum(b[1] for b in boxes))
    if not terms:
        return c
    if len(terms) == 1:
        (k, p), = terms.items()
        return PL(k, [(lo, hi, v + c, a) for lo, hi, v, a in p.pieces])
    return Sep(terms, c)


def relu(val, gaps=None, sep_bounds=None):
    """sigma(val).  ``gaps``: the excluded slabs and cut of a PL's source; a Sep is bounded with
    ``sep_bounds(val)`` if given (the checked quadratic sandwich of a hint), and with box bounds."""
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
                out += [(lo, r, ZERO, ZERO), (r, hi, v, a)] if a > 0 else [(lo, r, v, a), (r, hi, ZERO, ZERO)]
        return tidy(val.k, out, gaps)
    if isinstance(val, Set):
        return Set(v if v > 0 else ZERO for v in val)
    lo, hi = bounds(val)
    if isinstance(val, Sep) and sep_bounds is not None and lo < 0 < hi:     # else the box decides already
        slo, shi = sep_bounds(val)
        lo, hi = max(lo, slo), min(hi, shi)
    if lo >= 0:
        return val
    return ZERO if hi <= 0 else _box(max(lo, ZERO), hi)


def quad_deviation(pl, e, alpha, clip) -> tuple:
    """min and max over pl's pieces of pl(t) - alpha q(e + t), q(s) = min(s^2, clip^2) (s^2 if clip is None):
    on each stretch q is a concave or convex quadratic or a constant, so endpoints and vertex suffice."""
    vals = []
    for lo, hi, v, a in pl.pieces:
        inner = [x for x in (-e - clip, -e + clip) if lo < x < hi] if clip is not None else []   # distinct: clip > 0
        cuts = [lo] + inner + [hi]                      # a list, not a set: fmpq hashes through Fraction, slowly
        for s0, s1 in zip(cuts, cuts[1:]):
            flat = clip is not None and abs(e + (s0 + s1) / 2) > clip
            ts = [s0, s1] + ([a / (2 * alpha) - e] if not flat and s0 < a / (2 * alpha) - e < s1 else [])
            vals += [v + a * t - alpha * (clip * clip if flat else (e + t) ** 2) for t in ts]
    return min(vals), max(vals)
