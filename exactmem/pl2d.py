"""Complete exact analysis of ReLU networks with two inputs on a convex polygon: their linear pieces and areas.

A network R^2 -> R^k is piecewise linear; :func:`pieces` returns its exact pieces on a convex polygon (an l_1 or
l_inf ball, a box, ...) by pushing affine maps layer by layer and cutting each convex cell along the exact zero
line of every pre-activation that changes sign inside it.  Every cell is a convex polygon with rational vertices,
so areas -- and with them the probability of a set of pieces under the uniform measure of the polygon -- are exact
rationals (:func:`area`, the shoelace formula).  The two-input analogue of :mod:`exactmem.pl1d`.

On an l_2 disc the pieces are taken on a square around it, and :func:`disc_area` encloses the area of a piece
inside the open disc by rigorous interval arithmetic (arb): the polygon's boundary is cut where it crosses the
circle (decided exactly on the rationals), chords contribute triangles and arcs circular sectors (Green's
theorem); :func:`meets_disc` decides exactly whether a piece reaches into the disc at all.

>>> from exactmem import ReLUNet
>>> f = ReLUNet([([[1, 0], [0, 1]], [0, 0]), ([[1, 1]], [0])])         # relu(x) + relu(y)
>>> ps = pieces(f, ball_polygon([0, 0], 1, "inf"))                    # the square (-1, 1)^2: four quadrants
>>> len(ps), sum(area(p.vertices) for p in ps), sorted(str(p.slope[0]) for p in ps)
(4, 4, ['(0, 0)', '(0, 1)', '(1, 0)', '(1, 1)'])
>>> quarter = disc_area([(0, 0), (2, 0), (2, 2), (0, 2)], (0, 0), 1)     # a quarter of the unit disc: pi / 4
>>> fmpq(785398, 10 ** 6) < quarter.lo <= quarter.hi < fmpq(785399, 10 ** 6)
True
"""
from __future__ import annotations

from dataclasses import dataclass

from flint import fmpq

from flint import arb

from .errors import DimensionMismatchError, InputSetError
from .exact import Enclosure, _arb_of, _enclose, fmt, to_rational, to_vector

_ZERO = fmpq(0)


@dataclass(frozen=True)
class Piece2:
    """On the interior of the convex polygon ``vertices`` (counter-clockwise) output k of the network equals
    slope[k] . x + intercept[k]; by continuity it does so on the closed polygon as well."""

    vertices: tuple
    slope: tuple
    intercept: tuple

    def interior_point(self) -> tuple:
        """The vertex average, strictly inside the (non-degenerate) polygon."""
        n = len(self.vertices)
        return (sum((v[0] for v in self.vertices), _ZERO) / n, sum((v[1] for v in self.vertices), _ZERO) / n)

    def value(self, x) -> list:
        x = to_vector(x, "x")
        return [s[0] * x[0] + s[1] * x[1] + c for s, c in zip(self.slope, self.intercept)]


def area(vertices) -> fmpq:
    """The exact area of a simple polygon given by its vertices in order (the shoelace formula)."""
    n = len(vertices)
    twice = sum((vertices[k][0] * vertices[(k + 1) % n][1] - vertices[(k + 1) % n][0] * vertices[k][1]
                 for k in range(n)), _ZERO)
    return abs(twice) / 2


def ball_polygon(centre, radius, p) -> tuple:
    """The vertices (counter-clockwise) of the l_p ball of the given radius in R^2, p = 1 (a diamond) or inf (a
    square); the open and the closed ball have the same pieces and areas."""
    c = to_vector(centre, "centre")
    r = to_rational(radius)
    if len(c) != 2:
        raise DimensionMismatchError(f"the centre must have 2 coordinates, got {len(c)}")
    if not r > 0:
        raise InputSetError(f"the radius must be positive, got {fmt(r)}")
    if p == 1:
        offs = ((r, _ZERO), (_ZERO, r), (-r, _ZERO), (_ZERO, -r))
    elif p in ("inf", float("inf")):
        offs = ((r, -r), (r, r), (-r, r), (-r, -r))
    else:
        raise InputSetError(f"ball_polygon needs p = 1 or 'inf' (an l_2 ball is not a polygon), got {p!r}")
    return tuple((c[0] + a, c[1] + b) for a, b in offs)


def _cut(poly, s, c):
    """The parts of the convex polygon where s . x + c <= 0 and >= 0 (each None when of zero area)."""
    vals = [s[0] * v[0] + s[1] * v[1] + c for v in poly]
    if all(t >= 0 for t in vals):
        return None, poly
    if all(t <= 0 for t in vals):
        return poly, None
    neg, pos = [], []
    n = len(poly)
    for k in range(n):
        v, w = poly[k], poly[(k + 1) % n]
        a, b = vals[k], vals[(k + 1) % n]
        if a <= 0:
            neg.append(v)
        if a >= 0:
            pos.append(v)
        if (a < 0 < b) or (b < 0 < a):
            t = a / (a - b)
            x = (v[0] + t * (w[0] - v[0]), v[1] + t * (w[1] - v[1]))
            neg.append(x)
            pos.append(x)
    return neg, pos


def pieces(net, polygon) -> list:
    """The exact linear pieces of a two-input network on a convex polygon (vertices in counter-clockwise order)."""
    if net.input_dim != 2:
        raise DimensionMismatchError(f"pieces() needs a network with two inputs, got {net.input_dim}")
    poly = tuple(tuple(to_vector(v, "vertex")) for v in polygon)
    if len(poly) < 3 or any(len(v) != 2 for v in poly) or area(poly) == 0:
        raise InputSetError("the polygon needs at least three vertices in R^2 and a positive area")
    layers = [(W.tolist(), b.entries()) for W, b in net.layers]
    # each cell: (polygon, slopes (one (s0, s1) per current unit), intercepts)
    current = [(poly, [(fmpq(1), _ZERO), (_ZERO, fmpq(1))], [_ZERO, _ZERO])]
    last = len(layers) - 1
    for l, (W, b) in enumerate(layers):
        nxt = []
        for P, S, C in current:
            zs = [(sum((w * s[0] for w, s in zip(row, S)), _ZERO), sum((w * s[1] for w, s in zip(row, S)), _ZERO))
                  for row in W]
            zc = [sum((w * c for w, c in zip(row, C)), _ZERO) + bb for row, bb in zip(W, b)]
            if l == last:
                nxt.append((P, zs, zc))
                continue
            cells = [P]
            for s, c in zip(zs, zc):
                if s == (_ZERO, _ZERO):
                    continue
                split = []
                for Q in cells:
                    neg, pos = _cut(Q, s, c)
                    split += [R for R in (neg, pos) if R is not None and area(R) > 0]
                cells = split
            for Q in cells:
                t = Piece2(tuple(Q), (), ()).interior_point()
                on = [s[0] * t[0] + s[1] * t[1] + c > 0 for s, c in zip(zs, zc)]
                nxt.append((Q, [s if a else (_ZERO, _ZERO) for s, a in zip(zs, on)],
                            [c if a else _ZERO for c, a in zip(zc, on)]))
        current = nxt
    return [Piece2(tuple(P), tuple(S), tuple(C)) for P, S, C in current]


def _dist_sq_to_segment(a, b) -> fmpq:
    """Squared distance from the origin to the segment [a, b] (exact)."""
    d = (b[0] - a[0], b[1] - a[1])
    dd = d[0] * d[0] + d[1] * d[1]
    t = -(a[0] * d[0] + a[1] * d[1])
    if dd == 0 or t <= 0:
        return a[0] * a[0] + a[1] * a[1]
    if t >= dd:
        return b[0] * b[0] + b[1] * b[1]
    cross = a[0] * b[1] - a[1] * b[0]
    return cross * cross / dd


def _relative(vertices, centre):
    c = to_vector(centre, "centre")
    if len(c) != 2:
        raise DimensionMismatchError(f"the centre must have 2 coordinates, got {len(c)}")
    poly = [tuple(to_vector(v, "vertex")) for v in vertices]
    if len(poly) < 3 or any(len(v) != 2 for v in poly):
        raise InputSetError("the polygon needs at least three vertices in R^2")
    return [(v[0] - c[0], v[1] - c[1]) for v in poly]


def meets_disc(vertices, centre, radius_sq) -> bool:
    """True iff the convex polygon meets the open disc |x - centre|^2 < radius_sq (exact)."""
    P = _relative(vertices, centre)
    r2 = to_rational(radius_sq)
    n = len(P)
    signs = {(P[k][0] * P[(k + 1) % n][1] - P[k][1] * P[(k + 1) % n][0]) > 0 for k in range(n)}
    if len(signs) == 1 and all(P[k][0] * P[(k + 1) % n][1] - P[k][1] * P[(k + 1) % n][0] != 0 for k in range(n)):
        return True                                          # the centre is inside the polygon
    return min(_dist_sq_to_segment(P[k], P[(k + 1) % n]) for k in range(n)) < r2


def disc_area(vertices, centre, radius_sq, prec: int = 64) -> Enclosure:
    """Rational bounds of the area of (convex polygon, vertices in order) n (disc |x - centre|^2 < radius_sq).

    Each edge [A, B] (relative to the centre) is cut at its crossings with the circle, found from the exact
    quadratic |A + t (B - A)|^2 = r^2 (which crossings exist is decided on the rationals); a part inside the disc
    adds the triangle cross(P, Q)/2, a part outside the sector r^2 atan2(cross(P, Q), P . Q)/2.
    """
    P = _relative(vertices, centre)
    r2 = to_rational(radius_sq)
    if not r2 > 0:
        raise InputSetError(f"the squared radius must be positive, got {fmt(r2)}")
    n = len(P)
    plan = []                                                # per edge: (A, B, qa, qb, qc, case)
    for k in range(n):
        A, B = P[k], P[(k + 1) % n]
        d = (B[0] - A[0], B[1] - A[1])
        qa = d[0] * d[0] + d[1] * d[1]
        qb = 2 * (A[0] * d[0] + A[1] * d[1])
        qc = A[0] * A[0] + A[1] * A[1] - r2
        if qa == 0:
            continue
        fB = qa + qb + qc
        disc = qb * qb - 4 * qa * qc
        if qc <= 0 and fB <= 0:
            case = "in"                                      # the disc is convex: the whole chord is inside
        elif qc < 0:
            case = "out-at-2"                                # leaves the disc at the larger root
        elif fB < 0:
            case = "in-at-1"                                 # enters at the smaller root
        elif disc > 0 and 0 < -qb and -qb < 2 * qa:
            case = "through"                                 # both roots in (0, 1)
        else:
            case = "out"
        plan.append((A, B, qa, qb, qc, case))

    def fn():
        R2 = _arb_of(r2)
        total = arb(0)

        def pt(A, B, t):
            return (_arb_of(A[0]) + t * _arb_of(B[0] - A[0]), _arb_of(A[1]) + t * _arb_of(B[1] - A[1]))

        def tri(p, q):
            return (p[0] * q[1] - p[1] * q[0]) / 2

        def sector(p, q):
            return R2 * arb.atan2(p[0] * q[1] - p[1] * q[0], p[0] * q[0] + p[1] * q[1]) / 2
        for A, B, qa, qb, qc, case in plan:
            a, b = (_arb_of(A[0]), _arb_of(A[1])), (_arb_of(B[0]), _arb_of(B[1]))
            if case == "in":
                total += tri(a, b)
                continue
            if case == "out":
                total += sector(a, b)
                continue
            root = _arb_of(qb * qb - 4 * qa * qc).sqrt()
            t1 = (_arb_of(-qb) - root) / _arb_of(2 * qa)
            t2 = (_arb_of(-qb) + root) / _arb_of(2 * qa)
            if case == "out-at-2":
                m = pt(A, B, t2)
                total += tri(a, m) + sector(m, b)
            elif case == "in-at-1":
                m = pt(A, B, t1)
                total += sector(a, m) + tri(m, b)
            else:
                m1, m2 = pt(A, B, t1), pt(A, B, t2)
                total += sector(a, m1) + tri(m1, m2) + sector(m2, b)
        return abs(total)
    return _enclose(fn, "area of a polygon inside a disc", prec)


__all__ = ["Piece2", "area", "ball_polygon", "disc_area", "meets_disc", "pieces"]
