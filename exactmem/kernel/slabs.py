"""Excluded slabs {frac(alpha u_k + beta) < gamma} on the balls: what each ball pays, in closed form for all balls
and all hints of one (source, alpha, gamma) at once, and the exact intervals of one (ball, source) on demand.

On ball i, u_k = c_ik + lam t with t in [-R, R] (R = R_c of k's source c), so v = alpha u_k + beta ranges over
[v0 - w, v0 + w] with v0 = alpha c_ik + beta and w = |alpha lam| R.  The measure of {v <= x : frac(v) < gamma}
counted from 0 is F(x) = floor(x) gamma + min(frac(x), gamma), so the slabs take (F(v0 + w) - F(v0 - w)) / |alpha lam|
of t's range; the ball pays that times c_d / R_lo, summed over the hints (at least the measure of their union).
The numbers are rounded outward to a grid of 1/Q, Q a power of two chosen so that every integer stays below 2^60
(v0 rounded down, w + 2/Q and gamma rounded up: a wider range, wider slabs, so F(hi) - F(lo) only grows and the
ball pays at least the exact measure), and the arithmetic is int64; numbers too large for that even at Q = 1
(a hint's beta of 10^30) take Python integers.

>>> import numpy as np
>>> [int(x) for x in _F(np.array([-3, 5, 9], dtype=object), 4, 1)]    # gamma = 1/4: 4 F(-3/4), 4 F(5/4), 4 F(9/4)
[0, 2, 3]
"""
from __future__ import annotations

import numpy as np
from flint import fmpq

from . import values as V

BIG = 2 ** 62


def _floor_q(x, Q):
    return int(x.p) * Q // int(x.q)


def _ceil_q(x, Q):
    return -(-int(x.p) * Q // int(x.q))


def _F(x, D, G):
    """D F(x / D) for integers x: floor(x / D) G + min(x mod D, G)."""
    return (x // D) * G + np.minimum(x % D, G)


class Slabs:
    """err[i] (what ball i pays, for the balls ``idx``) and ``gaps(i, c)``: the exact union of the slabs that meet
    ball i's range of source c, as (starts, ends) in t, computed when first asked for."""

    def __init__(self, balls, excl, idx, dens, clock=lambda: None):
        self.balls, self.excl, self.cache = balls, excl, {}
        self.err = {i: fmpq(0) for i in idx}
        self.hits, self.count = {}, 0               # source c -> [(hints, balls hit, hint of each)]; integers tried
        self.worst = (0, 0)                         # (integers, -first hint) of the group that tries most
        C, idx = np.array(balls.c, dtype=object), np.asarray(idx, dtype=np.int64)
        groups = {}
        for h, (k, a, b, g) in enumerate(excl):
            groups.setdefault((k, a, g), []).append(h)
        for (k, alpha, gamma), hs in groups.items():
            clock()
            c, lam = balls.canon[k]
            A = abs(alpha * lam)
            # v0 = alpha c_ik + beta on a grid of 1/Q: floors, and w + 2/Q rounded up, widen [v0 - w, v0 + w]; gamma
            # rounded up widens the slabs: F(hi) - F(lo) only grows (a measure of more points), Q keeps int64
            top = max([abs(alpha) * fmpq(int(np.abs(C[idx, k]).max()), balls.den) if len(idx) else fmpq(0)] +
                      [abs(excl[h][2]) for h in hs]) + A * balls.R[c] + 2
            e = 58 - int(top).bit_length() - (len(hs) + 1).bit_length()
            Q, kind = 1 << max(0, e), np.int64 if e >= 0 else object     # too large for int64: Python integers
            num = C[idx, k] * (int(alpha.p) * Q)
            V0 = (num // (int(alpha.q) * balls.den)).astype(kind)
            Bj = np.array([_floor_q(excl[h][2], Q) for h in hs], dtype=kind)
            W, G = _ceil_q(A * balls.R[c], Q) + 2, _ceil_q(gamma, Q)
            V0 = V0[:, None] + Bj[None, :]
            M = _F(V0 + W, Q, G) - _F(V0 - W, Q, G)                 # Q |alpha lam| x (measure in t), per ball and hint
            per = M.sum(axis=1)
            for r, i in enumerate(idx.tolist()):
                if per[r]:
                    self.err[i] += fmpq(int(per[r]), Q) / A * dens / balls.R_lo[c]
            ii, jj = np.nonzero(M > 0)
            n = int(((V0 + W) // Q - (V0 - W) // Q + 2)[ii, jj].sum()) if len(ii) else 0
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
