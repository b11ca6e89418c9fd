"""Exact minimum distance between differently labelled points (the kernel behind eps_D).

The data arrive as integer rows (rational data are scaled by a common denominator
first).  Three exact back ends are used, chosen by a proved magnitude bound:

* **float64 BLAS.** If every coordinate satisfies ``|x| <= M`` and ``4 d M**2 < 2**53``,
  then every product ``x_ik x_jk`` is an integer of size at most ``M**2``; every partial
  sum of a dot product, in any order the BLAS chooses, is an integer of size at most
  ``d M**2``; and ``|x_i|**2 + |x_j|**2 - 2 x_i.x_j`` stays below ``4 d M**2``.  All of these
  are integers below ``2**53``, hence exactly representable, so every floating-point
  operation is exact and the result is the exact integer.
* **int64** (numpy's non-BLAS integer matmul) when ``4 d M**2 < 2**63``: no overflow.
* **fmpz_mat** otherwise (arbitrary size, slower).

Work is done blockwise so memory stays bounded; points are grouped by label so only
pairs of different labels are ever formed.

>>> min_cross_label_distance([[0, 0], [3, 4], [1, 0]], [1, 2, 1], p=2)
(20, 1, 2)
"""
from __future__ import annotations

import math

import numpy as np
from flint import fmpz_mat

FLOAT_EXACT = 2 ** 53
INT64_SAFE = 2 ** 63
BLOCK_ENTRIES = 1 << 22  # at most ~4M matrix entries per block (32 MB of float64)


def magnitude(rows) -> int:
    """max |x| over all integer entries (0 for no entries)."""
    return max((abs(v) for r in rows for v in r), default=0)


def choose_backend(d: int, M: int, p) -> str:
    """Name of the exact back end licensed by the magnitude bound (see the module docstring)."""
    if p == 2:
        bound = 4 * d * M * M
    else:  # l1 sums d differences of size <= 2M; l-infinity needs only 2M
        bound = 2 * M * (d if p == 1 else 1)
    if bound < FLOAT_EXACT:
        return "float64"
    if bound < INT64_SAFE:
        return "int64"
    return "fmpz"


def _groups(labels):
    order = sorted(range(len(labels)), key=lambda i: labels[i])
    starts = []
    for pos, i in enumerate(order):
        if pos == 0 or labels[i] != labels[order[pos - 1]]:
            starts.append(pos)
    starts.append(len(order))
    return order, starts


def min_cross_label_distance(rows, labels, p=2, backend: str | None = None):
    """Exact ``(value, i, j)``: the minimum over pairs with different labels of
    ``||x_i - x_j||_2**2`` (p = 2), ``||x_i - x_j||_1`` (p = 1) or ``||x_i - x_j||_inf``
    (p = inf), for integer ``rows``; ``i < j`` index the closest pair (first in sorted order).
    """
    n = len(rows)
    d = len(rows[0]) if n else 0
    M = magnitude(rows)
    chosen = backend or choose_backend(d, M, p)
    if chosen == "fmpz":
        return _min_fmpz(rows, labels, p)
    dtype = np.float64 if chosen == "float64" else np.int64
    X = np.array(rows, dtype=dtype).reshape(n, d)
    order, starts = _groups(labels)
    Xs = X[order]
    best = None
    norms = np.einsum("ij,ij->i", Xs, Xs) if p == 2 else None
    for g in range(len(starts) - 2):
        lo, hi = starts[g], starts[g + 1]
        cols = Xs[hi:]
        ncols = n - hi
        step = max(1, BLOCK_ENTRIES // max(1, ncols * (1 if p == 2 else 2)))
        for r0 in range(lo, hi, step):
            r1 = min(hi, r0 + step)
            if p == 2:
                D = Xs[r0:r1] @ cols.T
                D *= -2
                D += norms[r0:r1, None]
                D += norms[None, hi:]
            else:
                D = np.zeros((r1 - r0, ncols), dtype=dtype)
                for k in range(d):
                    diff = np.abs(Xs[r0:r1, k, None] - cols[None, :, k])
                    if p == 1:
                        D += diff
                    else:
                        np.maximum(D, diff, out=D)
            k = int(np.argmin(D))
            a, b = divmod(k, ncols)
            val = D[a, b]
            if best is None or val < best[0]:
                best = (val, r0 + a, hi + b)
    val, a, b = best
    i, j = sorted((order[a], order[b]))
    value = int(val)
    exact = _pair_value(rows[i], rows[j], p)
    if exact != value:  # cannot happen if the bound argument is right; never return a wrong value
        raise AssertionError(f"fast path disagreed with exact recomputation ({value} vs {exact})")
    return value, i, j


def _pair_value(a, b, p):
    if p == 2:
        return sum((u - v) * (u - v) for u, v in zip(a, b))
    if p == 1:
        return sum(abs(u - v) for u, v in zip(a, b))
    return max(abs(u - v) for u, v in zip(a, b))


def _min_fmpz(rows, labels, p):
    """Arbitrary-size exact fallback: fmpz_mat Gram blocks for p = 2, Python integers otherwise."""
    order, starts = _groups(labels)
    best = None
    for g in range(len(starts) - 2):
        lo, hi = starts[g], starts[g + 1]
        col_idx = order[hi:]
        if p == 2:
            B = fmpz_mat([rows[c] for c in col_idx]).transpose()
            cn = [_pair_value(rows[c], [0] * len(rows[c]), 2) for c in col_idx]
            step = max(1, BLOCK_ENTRIES // (16 * max(1, len(col_idx))))
            for r0 in range(lo, hi, step):
                ridx = order[r0:min(hi, r0 + step)]
                G = (fmpz_mat([rows[r] for r in ridx]) * B).tolist()
                for a, r in enumerate(ridx):
                    rn = _pair_value(rows[r], [0] * len(rows[r]), 2)
                    for b, gv in enumerate(G[a]):
                        val = rn + cn[b] - 2 * int(gv)
                        if best is None or val < best[0]:
                            best = (val, r, col_idx[b])
        else:
            for r in order[lo:hi]:
                for c in col_idx:
                    val = _pair_value(rows[r], rows[c], p)
                    if best is None or val < best[0]:
                        best = (val, r, c)
    val, i, j = best
    i, j = sorted((i, j))
    return val, i, j


def isqrt_exact(n: int):
    """The integer square root of n if n is a perfect square, else None."""
    r = math.isqrt(n)
    return r if r * r == n else None
