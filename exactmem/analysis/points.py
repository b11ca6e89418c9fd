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
