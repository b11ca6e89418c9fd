"""Exact linear programs by the simplex method over the rationals: the finder's fall-back when the float
LP's answer cannot be confirmed (a degenerate vertex, rows that nearly coincide at the float's precision).

``minimize(g, rows, lo, hi, start)`` finds the exact minimum of g.x over {x : c.x + e >= 0 for every row,
lo <= x <= hi}, with the exact multipliers of the rows at the optimum (LP duality), or exact Farkas
multipliers when the rows meet no point of the box.  It pivots by Bland's rule (no cycling) from the
vertex whose tight rows ``start`` names -- the float solver's basis -- and falls back to a phase 1 from a
corner of the box when that vertex is not feasible.  Nothing here is trusted: the multipliers are hints
for the kernel's exact test (``kernel.regions.Leaf.proves``).

>>> from flint import fmpq
>>> q = fmpq
>>> out = minimize([q(1), q(1)], [([q(1), q(2)], q(-2))], [q(0), q(0)], [q(4), q(4)])   # x + 2y >= 2
>>> out[0], out[1], out[3]                                     # min x + y = 1 at (0, 1), multiplier 1/2
('optimal', 1, [1/2])
>>> minimize([q(1)], [([q(1)], q(-5))], [q(0)], [q(4)])[:2]   # x >= 5 in [0, 4]: Farkas multiplier 1
('infeasible', [1])
"""
from __future__ import annotations

from flint import fmpq, fmpq_mat

MAX_PIVOTS = 5000
MAX_DIM = 64        # beyond this many variables each pivot's exact inverse costs too much: ("failed",)


def _col(v):
    return fmpq_mat(len(v), 1, list(v))


def _pivot(A, b, g, B):
    """Primal simplex (Bland's rule) on min g.x over {x : A x >= b} from the feasible vertex of basis B (n
    independent row indices tight there).  Returns (x, B, y) with y >= 0 the multipliers of the basis rows
    (g = sum y_i A_i over B), or None if the objective is unbounded below or the pivot limit is reached."""
    n, M = len(g), fmpq_mat(A)
    for _ in range(MAX_PIVOTS):
        AB = fmpq_mat([A[i] for i in B])
        try:
            inv = AB.inv()
        except ZeroDivisionError:
            return None
        x = inv * _col([b[i] for i in B])
        y = (inv.transpose() * _col(g)).entries()
        neg = [k for k in range(n) if y[k] < 0]
        if not neg:
            return x.entries(), B, y
        k = min(neg, key=lambda t: B[t])                     # Bland: the leaving row of least index
        delta = fmpq_mat(n, 1, [inv[r, k] for r in range(n)])   # A_B delta = e_k: leave row k, keep the rest
        slack, step = (M * x).entries(), (M * delta).entries()
        best = None
        for i in range(len(A)):
            if i in B or step[i] >= 0:
                continue
            t = (slack[i] - b[i]) / -step[i]
            if best is None or t < best[0]:                   # ties: the least index, by the scan order
                best = (t, i)
        if best is None:
            return None
        B = B[:k] + [best[1]] + B[k + 1:]
    return None


def _independent(A, idx, n):
    keep, rank = [], 0
    for i in idx:
        if len(keep) == n:
            break
        if fmpq_mat([A[j] for j in keep] + [A[i]]).rank() > rank:
            keep.append(i)
            rank += 1
    return keep


def _tight(A, b, x):
    M = (fmpq_mat(A) * _col(x)).entries()
    return [i for i in range(len(A)) if M[i] == b[i]]


def minimize(g, rows, lo, hi, start=()):
    """("optimal", min g.x, x, multipliers of rows) | ("infeasible", Farkas multipliers of rows) | ("failed",) (also
    beyond MAX_DIM variables): exact, over the rows c.x + e >= 0 within the box lo <= x <= hi (finite bounds,
    lo <= hi).  ``start``: row indices (of rows, then the bounds x_j >= lo_j as len(rows) + j and
    -x_j >= -hi_j as len(rows) + d + j) tight at a vertex the float solver found."""
    d, m = len(g), len(rows)
    if d > MAX_DIM:
        return ("failed",)
    A = [list(c) for c, _ in rows] + [[fmpq(int(i == j)) for i in range(d)] for j in range(d)] + \
        [[fmpq(-int(i == j)) for i in range(d)] for j in range(d)]
    b = [-e for _, e in rows] + list(lo) + [-t for t in hi]
    B = _independent(A, list(start), d)
    if len(B) == d:
        x = (fmpq_mat([A[i] for i in B]).solve(_col([b[i] for i in B]))).entries()
        if not all(v >= 0 for v in ((fmpq_mat(A) * _col(x)).entries()[i] - b[i] for i in range(len(A)))):
            B = []
    else:
        B = []
    if not B:                                                 # phase 1 from the corner lo: min t, rows + t >= 0
        x = list(lo)
        viol = [b[i] - sum((a * v for a, v in zip(A[i], x)), fmpq(0)) for i in range(m)]
        top = max(range(m), key=lambda i: viol[i]) if m else None
        if top is None or viol[top] <= 0:
            B = [m + j for j in range(d)]
        else:
            A1 = [A[i] + [fmpq(1) if i < m else fmpq(0)] for i in range(len(A))] + [[fmpq(0)] * d + [fmpq(1)]]
            b1 = b + [fmpq(0)]
            out = _pivot(A1, b1, [fmpq(0)] * d + [fmpq(1)], [m + j for j in range(d)] + [top])
            if out is None:
                return ("failed",)
            x1, B1, y1 = out
            if x1[d] > 0:
                lam = [fmpq(0)] * m
                for i, t in zip(B1, y1):
                    if i < m:
                        lam[i] = t
                return ("infeasible", lam)
            x = x1[:d]
            B = _independent(A, _tight(A, b, x), d)
            if len(B) < d:
                return ("failed",)
    out = _pivot(A, b, list(g), B)
    if out is None:
        return ("failed",)
    x, B, y = out
    lam = [fmpq(0)] * m
    for i, t in zip(B, y):
        if i < m:
            lam[i] = t
    return ("optimal", sum((a * v for a, v in zip(g, x)), fmpq(0)), x, lam)


def over_set(S, rows, loose=()):
    """The exact largest t <= 1 with every row c.x + e >= 0 and every ``loose`` row >= t at a point x of the set S
    (``kernel.regions.Set``: a box, an l_inf or l_1 ball; the faces of an open ball count as loose rows):
    ("point", x) when t > 0 (x meets the loose rows strictly; with nothing loose, any point of S meeting the
    rows); ("tight", lam, mu) when t <= 0, lam and mu >= 0 the optimal multipliers of rows and loose rows
    (sum lam_k (c_k.x + e_k) + sum mu_k (c'_k.x + e'_k) <= 0 on S); ("infeasible", lam, mu) when the
    rows meet no point of S; ("failed",) on an l_2 ball, R^d or at the pivot limit.  Sets with empty interior (a
    segment, a face) are polytopes like any other: the vertex found lies on them exactly."""
    d, rows, loose = len(S.x0), list(rows), list(loose)
    if S.p in ("box", "inf"):
        half = S.r if S.p == "box" else [S.r] * d
        lo, hi = [x - t for x, t in zip(S.x0, half)], [x + t for x, t in zip(S.x0, half)]
        lift = (lambda c, e: (list(c), e))
        faces = [(unit, -a) for unit, a in ((_unit(d, j, 1), lo[j]) for j in range(d))] + \
            [(unit, a) for unit, a in ((_unit(d, j, -1), hi[j]) for j in range(d))] if S.open else []
        n = d
    elif S.p == 1:                                             # x = x0 + a - b, a, b >= 0, sum(a + b) <= r
        lo, hi, n = [fmpq(0)] * (2 * d), [S.r] * (2 * d), 2 * d
        lift = (lambda c, e: (list(c) + [-t for t in c], e + sum((a * x for a, x in zip(c, S.x0)), fmpq(0))))
        faces = []
    else:
        return ("failed",)
    fixed = [lift(c, e) for c, e in rows]
    slack = [lift(c, e) for c, e in loose] + faces
    if S.p == 1:
        (fixed if not S.open else slack).append(([fmpq(-1)] * n, S.r))
    big = 1 + max([abs(e) + sum((abs(a) * max(abs(l), abs(h)) for a, l, h in zip(c, lo, hi)), fmpq(0))
                   for c, e in slack] + [fmpq(0)])
    A = [(c + [fmpq(0)], e) for c, e in fixed] + [(c + [fmpq(-1)], e) for c, e in slack]
    out = minimize([fmpq(0)] * n + [fmpq(-1)], A, lo + [-big], hi + [fmpq(1)])
    if out[0] == "failed":
        return out
    lam = out[-1]
    mults = (lam[:len(rows)], lam[len(fixed):len(fixed) + len(loose)])
    if out[0] == "infeasible":
        return ("infeasible", *mults)
    y, t = out[2][:n], out[2][n]
    if t > 0:
        return ("point", y if S.p != 1 else [x + a - b for x, a, b in zip(S.x0, y[:d], y[d:])])
    return ("tight", *mults)


def _unit(d, j, a):
    return [fmpq(a) if i == j else fmpq(0) for i in range(d)]
