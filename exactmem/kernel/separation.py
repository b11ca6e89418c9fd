"""The separation of a dataset, exactly: min over differently labelled pairs of ||x_i - x_j||_p.

Points are scaled to integer rows by the lcm L of their denominators.  For p = 2 the squared distance is
|z_i|^2 + |z_j|^2 - 2 z_i.z_j, and a proved magnitude bound |z| <= M picks the arithmetic: float64 BLAS
when 4 d M^2 < 2^53 (every partial sum, in any order, is an integer below 2^53, so every operation is
exact), int64 when the bound is below 2^63, python-flint's fmpz_mat otherwise.  Pairs are formed blockwise
between label groups only, so memory stays bounded.

>>> min_cross([[0, 0], [3, 4], [1, 0]], [1, 2, 1], 2)
(20, 1, 2)
>>> min_cross([[0, 0], [3, 4], [1, 0]], [1, 2, 1], "inf")
(4, 0, 1)
"""
from __future__ import annotations

import math

import numpy as np
from flint import fmpz_mat

BLOCK = 1 << 22


def integer_rows(X) -> tuple:
    """(rows of ints, L) with X = rows / L for a list of rows of fmpq."""
    L = 1
    for r in X:
        for v in r:
            q = int(v.q)
            if L % q:
                L = L * q // math.gcd(L, q)
    return [[int(v.p) * (L // int(v.q)) for v in r] for r in X], L


def _pair(a, b, p):
    if p == 2:
        return sum((u - v) * (u - v) for u, v in zip(a, b))
    diffs = [abs(u - v) for u, v in zip(a, b)]
    return sum(diffs) if p == 1 else max(diffs)


def min_cross(rows, labels, p) -> tuple:
    """(value, i, j), i < j: the least ||z_i - z_j||_2^2 (p = 2), ||.||_1 (p = 1) or ||.||_inf (p = "inf")."""
    n, d = len(rows), len(rows[0])
    M = max(abs(v) for r in rows for v in r)
    bound = 4 * d * M * M if p == 2 else 2 * M * (d if p == 1 else 1)
    order = sorted(range(n), key=lambda i: labels[i])
    starts = [k for k in range(n) if k == 0 or labels[order[k]] != labels[order[k - 1]]] + [n]
    best = None
    if bound >= 2 ** 63:
        for g in range(len(starts) - 2):
            lo, hi = starts[g], starts[g + 1]
            others = order[hi:]
            B = fmpz_mat([rows[c] for c in others]).transpose() if p == 2 else None
            for r in order[lo:hi]:
                if p == 2:
                    G = (fmpz_mat([rows[r]]) * B).entries()
                    rn = _pair(rows[r], [0] * d, 2)
                    vals = (rn + _pair(rows[c], [0] * d, 2) - 2 * int(gv) for c, gv in zip(others, G))
                else:
                    vals = (_pair(rows[r], rows[c], p) for c in others)
                for c, v in zip(others, vals):
                    if best is None or v < best[0]:
                        best = (v, r, c)
    else:
        Z = np.array(rows, dtype=np.float64 if bound < 2 ** 53 else np.int64).reshape(n, d)[order]
        norms = np.einsum("ij,ij->i", Z, Z) if p == 2 else None
        for g in range(len(starts) - 2):
            lo, hi = starts[g], starts[g + 1]
            cols = Z[hi:]
            step = max(1, BLOCK // max(1, (n - hi) * (1 if p == 2 else d)))
            for r0 in range(lo, hi, step):
                r1 = min(hi, r0 + step)
                if p == 2:
                    D = norms[r0:r1, None] + norms[None, hi:] - 2 * (Z[r0:r1] @ cols.T)
                else:
                    diff = np.abs(Z[r0:r1, None, :] - cols[None, :, :])
                    D = diff.sum(axis=2) if p == 1 else diff.max(axis=2)
                k = int(np.argmin(D))
                a, b = divmod(k, n - hi)
                if best is None or int(D[a, b]) < best[0]:
                    best = (int(D[a, b]), order[r0 + a], order[hi + b])
        best = (_pair(rows[best[1]], rows[best[2]], p),) + best[1:]   # recomputed in Python integers
    v, i, j = best
    return (v,) + tuple(sorted((i, j)))
