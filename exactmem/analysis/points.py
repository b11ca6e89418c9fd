"""Exact points on the face where a floating-point LP optimum lies (finder code: every use is re-checked).

A float LP returns a point u near a vertex or face of a region.  ``snap`` lists the constraints tight at u
(rows of the region, faces of the set, and any extra hyperplanes), keeps a linearly independent subset and
returns the exact point on all of them nearest to a base point -- the exact vertex when the face is one.
Nothing here is trusted: the caller evaluates the network exactly at the point, or hands it to the kernel.

>>> from flint import fmpq
>>> from .lp import Region
>>> R = Region([fmpq(0), fmpq(0)], "inf", fmpq(1), [((fmpq(1), fmpq(1)), fmpq(-1, 3))])   # x + y >= 1/3
>>> val, lam, u = R.minimize((fmpq(1), fmpq(2)), fmpq(0))                               # min x + 2y
>>> snap(R, u)
[1, -2/3]
"""
from __future__ import annotations

import numpy as np
from flint import fmpq, fmpq_mat

TIGHT = 1e-7


def unit(d, j, a=1):
    """a times the j-th unit vector of length d, exactly."""
    return [fmpq(a) if i == j else fmpq(0) for i in range(d)]


def faces(R, u):
    """Equations (c, e), c.x + e = 0, of the set's faces that the float point u (scaled) lies on."""
    d, out = R.d, []
    if R.p in ("box", "inf"):
        for j in range(d):
            if R.ub[j] > 0 and abs(u[j]) >= R.ub[j] * (1 - TIGHT):
                half = R.s[j] if R.p == "box" else R.r             # x_j = x0_j +- the half-width
                out.append((unit(d, j), -(R.x0[j] + half if u[j] > 0 else R.x0[j] - half)))
            elif R.ub[j] == 0:
                out.append((unit(d, j), -R.x0[j]))
    elif R.p == 1 and float(np.abs(u).sum()) >= R.radius * (1 - TIGHT):
        zero = [j for j in range(d) if abs(u[j]) <= TIGHT * R.radius]      # x_j = x0_j there, and the facet
        out += [(unit(d, j), -R.x0[j]) for j in zero]
        sg = [fmpq(0) if j in zero else fmpq(1 if u[j] > 0 else -1) for j in range(d)]
        out.append((sg, -(R.r + sum((a * b for a, b in zip(sg, R.x0)), fmpq(0)))))
    return out


def tight(R, u, extra=()):
    """The region's rows and the extra equations (c, e) that vanish at u up to the LP tolerance."""
    out = []
    for (c, e), a, b in zip(R.rows, R.A, R.b):
        if b - float(np.dot(a, u)) <= TIGHT * (1 + abs(b)):
            out.append((c, e))
    for c, e in extra:
        a, k, _ = R.scaled(c, e)
        if abs(float(np.dot(a, u)) + k) <= TIGHT * (1 + abs(k)):
            out.append((c, e))
    return out


def independent(eqs, d):
    """A maximal linearly independent subset of the equations (exact ranks, in order)."""
    keep, rank = [], 0
    for c, e in eqs:
        if len(keep) == d:
            break
        if fmpq_mat([k[0] for k in keep] + [list(c)]).rank() > rank:
            keep.append((c, e))
            rank += 1
    return keep


def project(eqs, base):
    """The exact point nearest to base (in l_2) on every equation c.x + e = 0 (independent), or None."""
    if not eqs:
        return list(base)
    E = fmpq_mat([list(c) for c, _ in eqs])
    r = E * fmpq_mat(len(base), 1, base) + fmpq_mat(len(eqs), 1, [e for _, e in eqs])
    try:
        z = (E * E.transpose()).solve(r)
    except ZeroDivisionError:
        return None
    return [a - b for a, b in zip(base, (E.transpose() * z).entries())]


def snap(R, u, extra=(), base=None, eqs=()):
    """The exact point nearest to base (default: the float point itself) on the faces, rows and extra
    hyperplanes tight at u, plus the given equations."""
    d = R.d
    base = R.point(u) if base is None else base
    return project(independent(list(eqs) + faces(R, u) + tight(R, u, extra), d), base)


def _meets(S, x, rows, loose):
    """x (exact) lies in S and meets every row c.x + e >= 0 and every loose row strictly."""
    val = (lambda c, e: sum((a * t for a, t in zip(c, x)), e))
    return x is not None and S.contains(x) and all(val(c, e) >= 0 for c, e in rows) and \
        all(val(c, e) > 0 for c, e in loose)


def inside(S, rows=(), loose=()):
    """An exact point of the set S (``kernel.regions.Set``, its own constraints included) meeting the rows
    c.x + e >= 0 and the loose rows strictly, or None.  On a box or an l_inf or l_1 ball the exact simplex
    method finds one whenever one exists, also where the set has no interior (a segment, a face).  On an l_2
    ball it finds one exactly in the cube around the ball (on the rows' affine hull, strictly inside the loose
    rows), and mixes it with the point of the rows nearest the centre (exact on the face a float solver names)
    and with float LP points; each candidate is checked exactly."""
    from ..exact import sqrt_enclosure
    from ..kernel.regions import Set
    from .lp import Region
    from .simplex import over_set
    rows, loose = list(S.cons) + list(rows), list(loose)
    out = over_set(S, rows, loose)
    if out[0] != "failed":
        return out[1] if out[0] == "point" and _meets(S, out[1], rows, loose) else None
    R = Region(S.x0, S.p, S.r, rows + loose)
    if not R.rows:
        return list(S.x0) if _meets(S, S.x0, rows, loose) else None
    q = over_set(Set(S.x0, "inf", sqrt_enclosure(S.r).hi, False), rows, loose) if S.p == 2 else ("failed",)
    if q[0] == "infeasible" or (q[0] == "tight" and loose):
        return None                                   # not even the cube around the ball holds such a point
    try:
        sl, near = R.slack(), R.nearest()
    except ArithmeticError:
        return None
    cands, mid = [], []
    if sl is not None and sl[2] is not None:
        cands += [R.point(sl[2], s) for s in (2.0 ** -20, 2.0 ** -40, 0.0)]
        mid.append(snap(R, sl[2]))
    if near is not None and S.p != "all":
        mid.insert(0, snap(R, near, base=S.x0))
    mid = [y for y in mid if y is not None]
    far = [q[1]] if q[0] == "point" else []
    cands += mid + far
    for a in mid:
        for b in far + mid:
            if a is not b:
                cands += [[u + fmpq(1, 2 ** k) * (v - u) for u, v in zip(a, b)] for k in (1, 4, 10, 20, 40)]
    for y in cands:
        if _meets(S, y, rows, loose):
            return y
    return None
