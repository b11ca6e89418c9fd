"""Excluded slabs {frac(alpha u_k + beta) < gamma} on the balls: what each ball pays, in closed form for all balls
and all hints of one (source, alpha, gamma) at once, and the exact intervals of one (ball, source) on demand.

On ball i, u_k = c_ik + lam t with t in [-R, R] (R = R_c of k's source c), so v = alpha u_k + beta ranges over
[v0 - w, v0 + w] with v0 = alpha c_ik + beta and w = |alpha lam| R.  The measure of {v <= x : frac(v) < gamma}
counted from 0 is F(x) = floor(x) gamma + min(frac(x), gamma), so the slabs take (F(v0 + w) - F(v0 - w)) / |alpha lam|
of t's range; the ball pays that times c_d / R_lo, summed over the hints (at least the measure of their union).
All numbers are multiples of 1/D (w rounded up to the grid: a larger range, a larger measure); the integers are
int64 when a bound computed first keeps every intermediate below 2^62, else Python integers.

>>> import numpy as np
>>> [int(x) for x in _F(np.array([-3, 5, 9], dtype=object), 4, 1)]    # gamma = 1/4, D = 4: F(-3/4), F(5/4), F(9/4)
[-1, 1, 2]
"""
from __future__ import annotations

from math import gcd

import numpy as np
from flint import fmpq

from . import values as V

BIG = 2 ** 62


def _F(x, D, G):
    """D F(x / D) for integers x: floor(x / D) G + min(x mod D, G)."""
    return (x // D) * G + np.minimum(x % D, G)


class Slabs:
    """err[i] (what ball i pays, for the balls ``idx``) and ``gaps(i, c)``: the exact union of the slabs that meet
    ball i's range of source c, as (starts, ends) in t, computed when first asked for."""

    def __init__(self, balls, excl, idx, dens):
        self.balls, self.excl, self.cache = balls, excl, {}
        self.err = {i: fmpq(0) for i in idx}
        self.hits, self.count = {}, 0               # source c -> [(hints, balls hit, hint of each)]; integers tried
        self.worst = (0, 0)                         # (integers, -first hint) of the group that tries most
        C, idx = np.array(balls.c, dtype=object), np.asarray(idx, dtype=np.int64)
        groups = {}
        for h, (k, a, b, g) in enumerate(excl):
            groups.setdefault((k, a, g), []).append(h)
        for (k, alpha, gamma), hs in groups.items():
            c, lam = balls.canon[k]
            A = abs(alpha * lam)
            D = int(alpha.q) * balls.den * int(gamma.q)
            for h in hs:
                D = D * int(excl[h][2].q) // gcd(D, int(excl[h][2].q))
            W, G = -(-int((A * balls.R[c]).p) * D // int((A * balls.R[c]).q)), int(gamma.p) * (D // int(gamma.q))
            Bj = np.array([int(excl[h][2].p) * (D // int(excl[h][2].q)) for h in hs], dtype=object)
            V0 = C[idx, k] * (int(alpha.p) * (D // (int(alpha.q) * balls.den)))
            mx = (int(np.abs(V0).max()) if len(V0) else 0) + int(np.abs(Bj).max()) + W + 2 * D
            small = 4 * mx * (len(hs) + 1) < BIG
            V0, Bj = (V0.astype(np.int64), Bj.astype(np.int64)) if small else (V0, Bj)
            V0 = V0[:, None] + Bj[None, :]
            M = _F(V0 + W, D, G) - _F(V0 - W, D, G)                 # D |alpha lam| x (measure in t), per ball and hint
            per = M.sum(axis=1)
            for r, i in enumerate(idx.tolist()):
                if per[r]:
                    self.err[i] += fmpq(int(per[r]), D) / A * dens / balls.R_lo[c]
            ii, jj = np.nonzero(M > 0)
            n = int(((V0 + W) // D - (V0 - W) // D + 2)[ii, jj].sum()) if len(ii) else 0
            self.count += n
            self.worst = max(self.worst, (n, -hs[0]))
            self.hits.setdefault(c, []).append((hs, idx[ii], jj))

    def gaps(self, i, c):
        """(starts, ends) of the union of the slabs on ball i's range of source c, or None."""
        key = (i, c)
        if key not in self.cache:
            iv = []
            for hs, ii, jj in self.hits.get(c, ()):
                lo, hi = np.searchsorted(ii, i), np.searchsorted(ii, i, side="right")
                for j in jj[lo:hi].tolist():
                    iv.extend(self.balls.slabs(i, *self.excl[hs[j]])[1])
            u = V.union(iv)
            self.cache[key] = ([s for s, _ in u], [e for _, e in u]) if u else None
        return self.cache[key]
