"""Linear-relaxation proofs (kind ``linear-bounds``): a goal proved on a leaf while neurons stay unstable.

The questions are those of ``region-cover`` (an input set and a goal: clauses of atoms g.f(x) + h > 0 or
>= 0).  The hint for a question is a binary tree in preorder whose inner nodes split the set: ``{"split":
[l, j]}`` (children: z_lj <= 0, then z_lj >= 0) or ``{"cut": [i, t]}`` (children: x_i <= t, then x_i >= t);
a leaf is ``{}`` or carries hints ``{"alpha": [[l, j, a], ...], "beta": [[l, j, b], ...], "mu": [[w, ...],
...]}``.  On a leaf the kernel, on its own and in exact arithmetic:

1. takes the leaf's box: the set's bounding box (a box, or the box around an l_p ball; linear cuts of the
   set are dropped, which only enlarges it) with the path's cuts applied;
2. bounds every hidden pre-activation z_l in [lo_l, up_l], layer by layer: interval arithmetic, intersected
   with a back-substitution through the layers below (CROWN: the lower bound where the interval straddles 0,
   the upper bound where it is not <= 0), each unstable unit relaxed by
   alpha z <= relu(z) <= s (z - lo) with alpha = 1 if up >= -lo else 0 and s >= the chord's slope
   up / (up - lo); the path's splits clamp the interval to z >= 0 or z <= 0 (an empty interval
   or an empty box makes the leaf empty: proved); a split unit's upper line is exact on the leaf (relu(z) <= z
   where split to z >= 0, <= 0 where split to z <= 0) and its lower slope is 1 or 0 by the same sign; where
   the unsplit lower slope (from its interval before the clamp) differs, later layers' back-substitution is
   run with each and the tighter bound kept (relu(z) >= z and relu(z) >= 0 hold everywhere; either
   alone may be the looser); every bound is rounded outward to a dyadic rational with
   ``hints.precision`` bits (a looser bound is still a bound), so numbers stay small;
3. for every clause, with weights mu >= 0 (hint; default: each atom alone) and lower slopes alpha in [0, 1]
   on unstable units (hint; default as above), bounds
   sum_k mu_k (g_k.f(x) + h_k) - sum beta s z_lj from below by the same back-substitution, beta >= 0 (hint)
   multiplying the path's split constraints s z_lj >= 0; a bound > 0 proves that some atom with mu_k > 0 is
   > 0 at every point of the leaf, and a bound >= 0 proves it when those atoms are all non-strict.

Every relaxation is valid for any hint in range, so a wrong hint can only fail to prove.  Cost per leaf:
L interval passes and, for each hidden layer l, one back-substitution of 2 n_l rows through the l layers
below it (L^2/2 matrix products of the network's sizes), on dyadics of ``precision`` bits plus the
weights' own bits per layer.

>>> net = {"format": "exactmem.relunet", "layers": [{"W": [[1], [-1]], "b": [0, 0]}, {"W": [[1, 1]], "b": [1]}]}
>>> q = {"set": {"box": [["-1"], ["1"]]}, "goal": [[[[1], 0, True]]]}      # |x| + 1 > 0 on [-1, 1]
>>> doc = {"network": net, "data": {"questions": [q]}, "hints": {"trees": [[{}]]}}
>>> check(doc).is_proved
True
"""
from __future__ import annotations

from math import gcd

import numpy as np
from flint import fmpq, fmpz_mat

from ..errors import CertificateError
from ..verdict import Verdict
from . import backsub, parse
from .numbers import sqrt_bounds
from .regions import questions

PRECISION = (8, 1024)                     # bits of the dyadic bounds a certificate may ask for
MAX_BITS = 1 << 14                        # bits of a layer's integer weights (float64's range twice over)
CROWN_WIDTH = 4096                        # wider hidden layers get interval bounds only (sound, looser)
UNIT_CACHE = 1 << 22                      # float64 entries of a layer's unit rows kept between leaves
_Z = fmpq(0)


def dyadic(P, R, bits, ceil=False):
    """Per rational q = P_j / R (R > 0): (k_j, e_j) with k / 2^e the largest dyadic <= q (the smallest >= q when
    ``ceil``) with about ``bits`` significant bits, relative to |q| written p / r in lowest terms: 2^e with
    e = bits - (bits of |p| - bits of r), or the integers when that e is negative (e_j = 0 then).

    >>> dyadic([1, -1, 0, 1000], 3, 4)                  # 10/32 <= 1/3, -11/32 <= -1/3, 320 <= 1000/3
    ([10, -11, 0, 320], [5, 5, 0, 0])
    >>> dyadic([1, -1000], 3, 4, ceil=True)
    ([11, -320], [5, 0])
    """
    ks, es, odd = [], [], R >> ((R & -R).bit_length() - 1)
    for p in P:
        g = gcd(p, odd)                      # a common power of two changes neither the bits' difference nor q
        p, r = (-1 if ceil else 1) * (p // g), R // g                 # ceil q = -floor(-q)
        e = bits - (abs(p).bit_length() - r.bit_length()) if p else 0
        k, e = ((p << e) // r, e) if e >= 0 else ((p // (r << -e)) << -e, 0)
        ks.append(-k if ceil else k)
        es.append(e)
    return ks, es


def _lcm_den(values, cap=None) -> int:
    """The least common denominator; None once it has more than ``cap`` bits."""
    d = 1
    for v in values:
        q = int(v.q)
        if d % q:
            d = d * q // gcd(d, q)
            if cap is not None and d.bit_length() > cap:
                return None
    return d


def _common_den(values, n, cols, where) -> int:
    """The least common denominator D of a layer's weights (n rows, cols columns) or biases, refused when some
    w D needs more than MAX_BITS bits or the layer's limbs (``backsub.Layer``) more than ``backsub.LIMBS``
    entries: the fixed point holds a layer as one integer matrix."""
    D = _lcm_den(values, MAX_BITS)
    top = None if D is None else max((int(v.p).bit_length() - int(v.q).bit_length() + D.bit_length() + 1
                                      for v in values), default=0)
    if top is None or top > MAX_BITS:
        raise CertificateError(f"{where}: over one common denominator these rationals need more than {MAX_BITS} "
                               f"bits each (linear bounds hold a layer as one integer matrix)")
    if -(-top // max(1, backsub.limb_width(n))) * n * cols > backsub.LIMBS:
        raise CertificateError(f"{where}: {n} x {cols} integers of {top} bits need more than {backsub.LIMBS} "
                               f"float64 limb entries (linear bounds hold a layer as one integer matrix)")
    return D


def _gcd_all(a) -> int:
    g = 0
    for v in a.ravel():
        g = gcd(g, int(v))
        if g == 1:
            break
    return g or 1


class Net:
    """The network's layers as integer matrices with one rational scale each (W = N tau, b = B nu, the
    fixed-point ``backsub.Layer``), and for interval passes [[N+, N-], [N-, N+]] (N's positive and negative
    parts) as one exact integer matrix per layer."""

    def __init__(self, d, layers):
        self.d, self.layers, self.Wpm, self.b = d, [], [], []
        width = d
        for rows, bias in layers:
            at = f"network layer {len(self.layers)}"
            D = _common_den([w for row in rows for _, w in row], len(rows), width, f"{at} weights")
            E = _common_den(bias, len(rows), 1, f"{at} biases")
            N = np.zeros((len(rows), width), dtype=object)
            for i, row in enumerate(rows):
                for j, w in row:
                    N[i, j] = int(w.p) * (D // int(w.q))
            B = np.array([int(t.p) * (E // int(t.q)) for t in bias], dtype=object)
            g, h = _gcd_all(N), _gcd_all(B)                     # a common factor moves into the scale
            try:
                self.layers.append(backsub.Layer(N // g, fmpq(g, D), B // h, fmpq(h, E)))
            except ValueError as e:
                raise CertificateError(f"network layer {len(self.layers)}: {e}") from None
            P, Q = np.maximum(N // g, 0), np.minimum(N // g, 0)
            self.Wpm.append(fmpz_mat(np.block([[P, Q], [Q, P]]).tolist()) if N.size else None)
            self.b.append(list(bias))
            width = len(rows)
        self.L = len(layers)
        self.widths = [len(rows) for rows, _ in layers[:-1]]
        self.m = len(layers[-1][0])
        self._units, self._first = {}, (None, None)             # the first layer's interval bounds, per box

    def units(self, k, lows, ups):
        """``backsub.Rows`` for the rows e_j (j in lows), then -e_j (j in ups), over z_k, already through layer
        k's bias and product (``_back``'s first step, the same on every leaf: done once for all 2 n rows of a
        layer and kept, unless they take more than ``UNIT_CACHE`` floats)."""
        layer = self.layers[k]
        n = layer.exact.shape[0]
        idx = np.concatenate([lows, np.asarray(ups, dtype=np.int64) + n]).astype(np.int64)
        if k in self._units:
            return self._units[k].take(idx)
        every = 2 * n * (n + layer.Nk.shape[1]) <= UNIT_CACHE
        rows = np.arange(2 * n) if every else idx
        M = np.zeros((len(rows), n))
        M[np.arange(len(rows)), rows % n] = np.where(rows < n, 1.0, -1.0)
        B = backsub.Rows(M, fmpq(1), [_Z] * len(rows))
        backsub.bias(B, layer)
        backsub.times(B, layer)
        if not every:
            return B
        self._units[k] = B
        return B.take(idx)


def box_of(S, where):
    """(lo, hi) of a set's bounding box."""
    if S.p == "all":
        raise CertificateError(f"{where}: linear bounds need a bounded set (a box or a ball), not the whole space")
    if S.p == "box":
        return [c - r for c, r in zip(S.x0, S.r)], [c + r for c, r in zip(S.x0, S.r)]
    r = S.r if S.p != 2 else sqrt_bounds(S.r)[1]           # l_2: radius_sq, enclosed from above
    return [c - r for c in S.x0], [c + r for c in S.x0]


def _interval(net, k, LO, HI, D):
    """Interval bounds (L, U, den) of layer k's pre-activations, L_i / den <= z_i <= U_i / den, from bounds
    LO / D <= input <= HI / D (object arrays of Python integers): N+ LO + N- HI and N+ HI + N- LO in one exact
    integer product, then z = tau N x + nu B over one denominator."""
    layer, n = net.layers[k], len(net.b[k])
    tp, tq, vp, vq = int(layer.tau.p), int(layer.tau.q), int(layer.nu.p), int(layer.nu.q)
    X = np.zeros(2 * n, dtype=object)
    if net.Wpm[k] is not None:
        X[:] = [int(x) for x in (net.Wpm[k] * fmpz_mat(2 * len(LO), 1, list(LO) + list(HI))).entries()]
    X, B = X * (tp * vq), layer.B * (vp * tq * D)
    return X[:n] + B, X[n:] + B, tq * vq * D


class Relax:
    """Hidden layer k's relaxation alpha z <= relu(z) <= s (z - lo), in fixed point: lower slopes A / 2^PB
    (alpha rounded down: still in [0, 1]), upper slopes S / 2^PB (the chord's slope rounded up), intercepts
    I / kappa >= -(S / 2^PB) lo (rounded up: the line stays above relu), each I below 2^(2 room) in two limbs
    below 2^room, room = SAFE - K - 1 - bits(n), so that a row's dot product with each limb is exact; and
    sum_j min(0, lo_j), what rounding a row may cost."""

    def __init__(self, lo, up_, bits=None):
        self._make(len(lo), [(j, int(l.p), int(l.q), int(u.p), int(u.q)) for j, (l, u) in enumerate(zip(lo, up_))
                             if l < 0 < u], [j for j, (l, u) in enumerate(zip(lo, up_)) if u > 0 and l >= 0],
                   sum((l for l in lo if l < 0), _Z))

    @classmethod
    def dyadic(cls, kl, el, ku, eu, inner=()):
        """The relaxation of bounds kl_j / 2^(el_j) <= z_j <= ku_j / 2^(eu_j) (``dyadic``'s pairs); ``inner``:
        pairs (j, a) of split units and their unsplit lower slopes a in {0, 1}: ``A_in`` holds them (relu(z) >= 0
        and relu(z) >= z hold everywhere), and is ``A`` itself where none differs from ``A``."""
        out, E, n = object.__new__(cls), max(el, default=0), len(kl)
        out._make(n, [(j, kl[j], 1 << el[j], ku[j], 1 << eu[j]) for j in range(n) if kl[j] < 0 < ku[j]],
                  [j for j in range(n) if ku[j] > 0 and kl[j] >= 0],
                  fmpq(sum(k << (E - e) for k, e in zip(kl, el) if k < 0), 1 << E))
        inner = [(j, float(a << backsub.PB)) for j, a in inner if kl[j] >= 0 or ku[j] <= 0]   # still stable
        if any(out.A[j] != a for j, a in inner):
            out.A_in = out.A.copy()
            for j, a in inner:
                out.A_in[j] = a
        return out

    def _make(self, n, open_, on, lmin):
        """From the unstable units (j, lp, lq, up, uq), lo_j = lp / lq < 0 < up / uq = up_j, the units that are
        on (lo >= 0 < up; the rest: up <= 0, off) and sum_j min(0, lo_j)."""
        one = 1 << backsub.PB
        self.open, self.lmin = [j for j, *_ in open_], lmin
        self.A, self.S = np.zeros(n), np.zeros(n)
        self.A[on] = self.S[on] = one
        self.A_in = self.A                                        # the same array unless ``dyadic``'s inner
        icp = {}
        for j, lp, lq, up, uq in open_:
            a, b = up * lq, up * lq - lp * uq                     # the chord up / (up - lo) = a / b in (0, 1)
            s = min(one, -((-a * one) // b))                      # rounded up, at most 1
            self.A[j], self.S[j] = (one if a >= -lp * uq else 0), s   # the default lower slope; the upper one
            icp[j] = fmpq(-s * lp, one * lq)                      # -(s / 2^PB) lo > 0 (s >= 1, lo < 0)
        room = backsub.SAFE - backsub.K - 1 - backsub.bits(n)
        top = max(icp.values(), default=_Z)
        e = 2 * room - 2 - (int(top.p).bit_length() - int(top.q).bit_length()) if top > 0 else 0
        self.kappa = fmpq(2) ** e                                 # I_j = ceil(icp_j 2^e) < 2^(2 room)
        kp, kq, I = int(self.kappa.p), int(self.kappa.q), np.zeros((n, 2))
        for j, c in icp.items():
            v = -((-int(c.p) * kp) // (int(c.q) * kq))
            if v >= 1 << (2 * room):
                raise CertificateError("internal: an intercept exceeds its fixed-point room")
            I[j] = v & ((1 << room) - 1), v >> room
        self.room = room                                          # two limbs, each below 2^room
        self.Im = I                                               # (low, high): limb k at place 2^(room k)
        self.I = [I[:, 1].copy(), I[:, 0].copy()]

    def with_alpha(self, alpha, rows=None):
        """The same relaxation with the hinted lower slopes (alpha in [0, 1], rounded down) on unstable units;
        hints on stable units change nothing (their relu is exact).  ``rows``: a list of such hints, one per row
        of a back-substitution (then A is a matrix: each row its own slopes)."""
        if not alpha and rows is None:
            return self
        out = object.__new__(Relax)
        out.__dict__.update(self.__dict__)
        out.A = self.A.copy() if rows is None else np.tile(self.A, (len(rows), 1))
        one, unstable = 1 << backsub.PB, set(self.open)
        for r, al_r in enumerate([alpha] if rows is None else rows):
            for j, al in al_r.items():
                if j in unstable:
                    out.A[(j,) if rows is None else (r, j)] = float((int(al.p) * one) // int(al.q))
        return out


def _back(net, B, top, relax, box, beta=None, first=True, inner=False):
    """Lower bounds over the leaf of the rows of B (``backsub.Rows`` over z_top, their coefficients integers below
    2^(K+1): the kernel's own rows, units and goal rows, checked by the caller), as ``backsub.Sums``;
    ``first=False``: B is already through layer top's bias and product (``Net.units``), top >= 1; ``inner``:
    the lower slopes ``A_in`` (split units' unsplit ones), else ``A``.

    At the input layer the product with the weights' limbs (``backsub.times``) leaves row r's coefficients
    M'_rj sigma'_r below the exact ones by delta_rj sigma'_r with 0 <= delta_rj < f_r, f_r the number of limbs
    that row r floored (0 when the row was not shifted: then delta_r = 0).  The inputs are signed, x_j >= lo_j,
    so delta_rj x_j >= delta_rj min(0, lo_j) >= f_r min(0, lo_j) (delta_rj >= 0 and x_j >= min(0, lo_j); then
    delta_rj < f_r and min(0, lo_j) <= 0), and the exact row is >= M'_r sigma'_r . x + sigma'_r f_r lmin,
    lmin = sum_j min(0, lo_j): adding sigma'_r f_r lmin to c_r keeps a lower bound, and adds nothing where
    nothing was rounded (charging every row the full limb count cost a tight goal over negative inputs
    about 4e-6)."""
    for t in range(top, -1, -1):
        layer = net.layers[t]
        if first or t < top:
            backsub.bias(B, layer)
            limbs = backsub.times(B, layer)
        if t == 0:
            break
        R = relax[t - 1]                                     # now over relu(z_{t-1}) >= 0: rounding down was free
        neg = np.minimum(B.M, 0.0)                           # c_r += sigma_r (negative_r . I) / kappa, the
        B.c.add(B.S / R.kappa, neg @ R.Im, B.e, R.room)      # products exact: below 2^(K+1) 2^room n
        B.M = B.M * np.where(neg < 0, R.S, R.A_in if inner else R.A)   # exact: below 2^(K+1+PB)
        B.e = B.e - backsub.PB                               # sigma_r / 2^PB: the slopes' unit
        for j, w in (beta or {}).get(t - 1, {}).items():      # the objective's - beta s z_j, s the split's sign
            for r in range(B.M.shape[0]):                    # (w: one for all rows, or a list of one per row)
                wr = w[r] if isinstance(w, list) else w
                if not wr:
                    continue
                sigma = B.sigma(r)
                q = fmpq(int(B.M[r, j])) - wr / sigma
                row = [int(v) for v in B.M[r]]
                row[j] = int(q.p) // int(q.q)                # rounded down by less than one unit
                shift = max(0, max(backsub.bits(abs(v)) for v in row) - backsub.K)
                cost = np.zeros(B.M.shape[0], dtype=object)  # c_r += sigma_r (2^shift + 1) lmin
                cost[r] = (1 << shift) + 1
                B.c.add(B.S * R.lmin, cost, B.e)
                B.e = B.e.copy()
                B.e[r] += shift
                B.M[r] = [v >> shift for v in row]
        backsub.keep(B, R.lmin)
    # over x: row r's floors cost < limbs[r] units each (0: the row was not shifted, its product is exact)
    B.c.add(B.S * box.lmin, limbs.astype(np.float64), B.e)
    _over_box(B, box)
    return B.c


class Box:
    """A leaf's input box lo <= x <= hi, with lo = LO / D and hi = HI / D over one denominator (Python integers)
    and lmin = sum_j min(0, lo_j)."""

    def __init__(self, lo, hi):
        self.lo, self.hi = list(lo), list(hi)
        self.D = _lcm_den(self.lo + self.hi)
        self.LO = np.array([int(v.p) * (self.D // int(v.q)) for v in lo], dtype=object)
        self.HI = np.array([int(v.p) * (self.D // int(v.q)) for v in hi], dtype=object)
        self.lmin = sum((v for v in lo if v < 0), _Z)


def _over_box(B, box):
    """c_r + min over the box of (M_r sigma_r) . x = sum_j (M+_rj LO_j + M-_rj HI_j) / D, exactly: Python integers
    where the rows are few; else LO and HI split into limbs of w bits, w = SAFE - (K + 2) - bits(2 d), so that
    each product M+ LO_k + M- HI_k (|M| < 2^(K+2), 2 d terms) is an exact float64 integer below 2^SAFE."""
    M = B.M
    n, d = M.shape
    if n * d <= 40000:                                       # sum_j M_rj (LO_j or HI_j) / D, Python integers
        B.c.add(B.S / box.D, (backsub.ints(M) * np.where(M > 0, box.LO, box.HI)).sum(axis=1), B.e)
        return
    w = backsub.SAFE - (backsub.K + 2) - backsub.bits(2 * d)
    if w < 4:
        raise CertificateError(f"a leaf's input box of {d} coordinates is too wide for the exact fixed point")
    (_, lo), (_, hi) = backsub.split(box.LO, w), backsub.split(box.HI, w)
    zero = np.zeros(d)
    lo, hi = lo + [zero] * (len(hi) - len(lo)), hi + [zero] * (len(lo) - len(hi))
    P, N = np.maximum(M, 0.0), np.minimum(M, 0.0)
    B.c.add(B.S / box.D, np.stack([P @ a + N @ b for a, b in zip(lo, hi)], axis=1), B.e, w)


def leaf_bounds(net, lo_in, hi_in, splits, bits, tights=()):
    """(relaxations per hidden layer, empty?) on a leaf: every hidden layer's bounds, intersected with the
    ``tighten`` bounds of the set and of the leaf's ancestors (``tights``) and clamped by the splits.  A
    layer's bounds are L / den <= z <= U / den (Python integers over one denominator) until they are rounded
    outward to dyadics; the next layer's input bounds are their positive parts over one power of two."""
    relax, box = [], Box(lo_in, hi_in)
    LO, HI, D = box.LO, box.HI, box.D
    key = (tuple(LO), tuple(HI), D)                             # leaves split on units share their box
    if net._first[0] != key:
        net._first = (key, _interval(net, 0, LO, HI, D))
    L0, U0, den0 = net._first[1]
    for k in range(net.L - 1):
        L, U, den = _interval(net, k, LO, HI, D) if k else (L0.copy(), U0.copy(), den0)
        # back-substitute the lower bound where the interval straddles 0, the upper one where it is not <= 0
        if 0 < k and len(L) <= CROWN_WIDTH:
            ups = np.flatnonzero(U > 0)
            lows = ups[L[ups] < 0]
            if len(ups):
                C, cd = _back(net, net.units(k, lows, ups), k, relax, box, first=False).fractions()
                if any(R.A_in is not R.A for R in relax):           # split units whose unsplit slope differs
                    C2, cd2 = _back(net, net.units(k, lows, ups), k, relax, box, first=False, inner=True).fractions()
                    C, cd = np.where(C2 * cd > C * cd2, C2 * cd, C * cd2), cd * cd2    # the better of the two
                L, U, C = L * cd, U * cd, C * den               # over den * cd: max(L, C), min(U, -C)
                L[lows] = np.where(C[:len(lows)] > L[lows], C[:len(lows)], L[lows])
                U[ups] = np.where(-C[len(lows):] < U[ups], -C[len(lows):], U[ups])
                den *= cd
        for TL, TU, td, has_l, has_u in (t[k] for t in tights if k in t):   # the hint ``tighten``'s bounds
            L, U, TL, TU = L * td, U * td, TL * den, TU * den
            L, U, den = np.where(has_l & (TL > L), TL, L), np.where(has_u & (TU < U), TU, U), den * td
        inner = [(j, int(U[j] >= -L[j])) for j in splits.get(k, {}) if L[j] < 0 < U[j]]  # unsplit lower slopes
        for j, s in splits.get(k, {}).items():
            if s > 0:
                L[j] = max(L[j], 0)
            else:
                U[j] = min(U[j], 0)
        if (L > U).any():
            return relax, True
        (kl, el), (ku, eu) = dyadic(L, den, bits), dyadic(U, den, bits, ceil=True)
        relax.append(Relax.dyadic(kl, el, ku, eu, inner))
        E = max(el + eu)                                          # lo = max(l, 0), hi = max(u, 0) over 2^E
        LO = np.array([a << (E - e) if a > 0 else 0 for a, e in zip(kl, el)], dtype=object)
        HI = np.array([a << (E - e) if a > 0 else 0 for a, e in zip(ku, eu)], dtype=object)
        D = 1 << E
    return relax, False


def _pairs(v, where, widths, what):
    """{layer: {unit: value}} from [[l, j, value], ...]."""
    if not isinstance(v, list):
        raise CertificateError(f"{where}.{what} must be a list of [l, j, value]")
    out = {}
    for t in v:
        if not isinstance(t, list) or len(t) != 3:
            raise CertificateError(f"{where}.{what}: {str(t)[:40]} is not [l, j, value]")
        l = parse.integer(t[0], f"{where}.{what} layer", 0, len(widths) - 1)
        j = parse.integer(t[1], f"{where}.{what} unit", 0, widths[l] - 1)
        out.setdefault(l, {})[j] = parse.rational(t[2], f"{where}.{what}")
    return out


def tighten(net, lo, hi, entries, bits, where, splits={}, prior=()):
    """The hint ``tighten`` of a question (the set's box [lo, hi]) or of a node (the box after the path's cuts,
    the path's ``splits``, the bounds ``prior`` of the set and of the node's ancestors): entries [k, j, s,
    alpha] or [k, j, s, alpha, beta] bound s z_kj (s = 1: from below, -1: from above) on that region, so on
    every leaf below, by a back-substitution of its own with its lower slopes alpha ([[l, i, a], ...], l < k, a
    in [0, 1]) and multipliers beta ([[l, i, b], ...], b >= 0) of the path's splits s_li z_li >= 0 below layer
    k; each layer's from the bounds of those below it, themselves tightened.  {k: (L, U, den, has_l, has_u)}."""
    if not isinstance(entries, list):
        raise CertificateError(f"{where} must be a list of [k, j, s, alpha(, beta)]")
    by = {}
    for e in entries:
        if not (isinstance(e, list) and len(e) in (4, 5) and type(e[2]) is int and e[2] in (1, -1)):
            raise CertificateError(f"{where}: {parse.brief(e, 40)} is not [k, j, 1 or -1, alpha(, beta)]")
        k = parse.integer(e[0], f"{where} layer", 1, len(net.widths) - 1)
        j = parse.integer(e[1], f"{where} unit", 0, net.widths[k] - 1)
        alpha, beta = _pairs(e[3], where, net.widths, "alpha"), _pairs(e[4] if len(e) > 4 else [], where, net.widths, "beta")
        if any(l >= k for l in alpha) or any(not 0 <= a <= 1 for g in alpha.values() for a in g.values()):
            raise CertificateError(f"{where}: a bound on layer {k} takes slopes in [0, 1] of the layers below it")
        if any(l >= k or i not in splits.get(l, {}) or b < 0 for l, g in beta.items() for i, b in g.items()):
            raise CertificateError(f"{where}: a bound on layer {k} takes multipliers >= 0 of the path's splits below it")
        by.setdefault(k, []).append((j, e[2], alpha, beta))
    tight, box = {}, Box(lo, hi)
    for k in sorted(by):
        relax, empty = leaf_bounds(net, lo, hi, splits, bits, list(prior) + [tight])
        rows = sorted(by[k], key=lambda r: -r[1])                     # lower bounds first, as ``units``
        if empty:
            break                                                    # the region has no point: its leaves are empty
        per = [R.with_alpha(None, [a.get(l, {}) for _, _, a, _ in rows]) for l, R in enumerate(relax[:k])]
        units = net.units(k, np.array([j for j, s, _, _ in rows if s > 0], dtype=np.int64),
                          [j for j, s, _, _ in rows if s < 0])
        signed = {l: {i: [r[3].get(l, {}).get(i, _Z) * s for r in rows] for i, s in g.items()} for l, g in splits.items()}
        C, cd = _back(net, units, k, per, box, signed, first=False).fractions()
        n = net.widths[k]
        L, U, has_l, has_u = np.zeros(n, dtype=object), np.zeros(n, dtype=object), np.zeros(n, bool), np.zeros(n, bool)
        for (j, s, _, _), c in zip(rows, C):                         # the best of a unit's entries
            if s > 0 and not (has_l[j] and L[j] >= c):
                L[j], has_l[j] = c, True
            elif s < 0 and not (has_u[j] and U[j] <= -c):
                U[j], has_u[j] = -c, True
        tight[k] = (L, U, cd, has_l, has_u)
    return tight


def _leaf_hints(node, widths, goal, where):
    extra = set(node) - {"alpha", "beta", "mu", "tighten"}
    if extra:
        raise CertificateError(f"{where}: unknown leaf field(s) {sorted(extra)[:3]}")
    alpha = _pairs(node.get("alpha", []), where, widths, "alpha")
    beta = _pairs(node.get("beta", []), where, widths, "beta")
    if any(not 0 <= a <= 1 for g in alpha.values() for a in g.values()):
        raise CertificateError(f"{where}.alpha: every slope must lie in [0, 1]")
    if any(b < 0 for g in beta.values() for b in g.values()):
        raise CertificateError(f"{where}.beta: every multiplier must be >= 0")
    mu = node.get("mu")
    if mu is not None:
        if not isinstance(mu, list) or len(mu) != len(goal) or not all(
                isinstance(w, list) and len(w) == len(c) for w, c in zip(mu, goal)):
            raise CertificateError(f"{where}.mu must give one weight per atom of every clause")
        mu = [[parse.rational(x, f"{where}.mu") for x in w] for w in mu]
        if any(x < 0 for w in mu for x in w) or any(not any(w) for w in mu):
            raise CertificateError(f"{where}.mu: weights must be >= 0 and not all zero in a clause")
    return alpha, beta, mu


def _splits(sps):
    out = {}
    for l, j, s in sps:
        out.setdefault(l, {})[j] = s
    return out


def each_leaf(tree, widths, d, where, clock):
    """(splits, cuts, node, marks) per leaf of a preorder tree; splits {l: {j: sign}}, cuts [(i, side, t)], marks
    [(index, splits, cuts, entries)] of the nodes on the path (the leaf too) with the hint ``tighten``.  The path
    from the root is kept once and each stack entry holds one branch (memory linear in the tree, however deep)."""
    if not isinstance(tree, list):
        raise CertificateError(f"{where} must be a list of nodes in preorder")
    sps, cuts, on, marks = [], [], set(), []            # the path's splits (l, j, s), cuts (i, side, t), marks
    stack = [(0, 0, 0, None, None)]                     # (splits, cuts and marks above the branch, the branch)
    for index, node in enumerate(tree):
        clock()
        if not stack:
            raise CertificateError(f"{where} has nodes after its last leaf")
        ns, nc, nm, sp_, ct_ = stack.pop()
        on.difference_update((l, j) for l, j, _ in sps[ns:])
        del sps[ns:], cuts[nc:], marks[nm:]
        if sp_:
            sps.append(sp_)
            on.add(sp_[:2])
        if ct_:
            cuts.append(ct_)
        if not isinstance(node, dict):
            raise CertificateError(f"{where}: a node must be an object")
        if "tighten" in node:
            marks.append((index, _splits(sps), list(cuts), node["tighten"]))
        if "split" in node:
            sp = node["split"]
            if set(node) - {"tighten"} != {"split"} or not (
                    isinstance(sp, list) and len(sp) == 2 and all(type(t) is int for t in sp)
                    and 0 <= sp[0] < len(widths) and 0 <= sp[1] < widths[sp[0]]) or tuple(sp) in on:
                raise CertificateError(f"{where}: split {str(sp)[:30]} is not a new hidden unit [l, j]")
            stack += [(len(sps), len(cuts), len(marks), (sp[0], sp[1], s), None) for s in (1, -1)]   # -1, then +1
        elif "cut" in node:
            ct = node["cut"]
            if set(node) - {"tighten"} != {"cut"} or not (isinstance(ct, list) and len(ct) == 2):
                raise CertificateError(f"{where}: cut {str(ct)[:30]} is not [i, t]")
            i, t = parse.integer(ct[0], f"{where}: cut input", 0, d - 1), parse.rational(ct[1], f"{where}: cut")
            stack += [(len(sps), len(cuts), len(marks), None, (i, side, t)) for side in (1, -1)]   # x_i <= t first
        else:
            yield _splits(sps), list(cuts), node, list(marks)
    if stack:
        raise CertificateError(f"{where} ends before every branch has a leaf")


def _cut(lo, hi, cuts):
    """The box [lo, hi] with the cuts applied (side -1: x_i <= t; +1: x_i >= t)."""
    lo, hi = list(lo), list(hi)
    for i, side, t in cuts:
        if side < 0:
            hi[i] = min(hi[i], t)
        else:
            lo[i] = max(lo[i], t)
    return lo, hi


def prove_leaf(net, lo, hi, goal, splits, cuts, node, bits, where, tights=()):
    """None if the leaf is proved, else the reason it is not; ``tights``: the ``tighten`` bounds of the set and of
    the leaf's path."""
    alpha, beta, mu = _leaf_hints(node, net.widths, goal, where)
    if any(j not in splits.get(l, {}) for l, g in beta.items() for j in g):
        raise CertificateError(f"{where}.beta names a unit that is not split on the leaf's path")
    lo, hi = _cut(lo, hi, cuts)
    if any(a > b for a, b in zip(lo, hi)):
        return None                                              # the cuts leave no point of the box
    relax, empty = leaf_bounds(net, lo, hi, splits, bits, tights)
    if empty:
        return None
    relax = [R.with_alpha(alpha.get(k, {})) for k, R in enumerate(relax)]   # the goal's own lower slopes
    box = Box(lo, hi)
    signed = {l: {j: w * splits[l][j] for j, w in g.items()} for l, g in beta.items()}
    m = net.m
    for c, clause in enumerate(goal):
        tries = [mu[c]] if mu is not None else [[fmpq(int(k == t)) for k in range(len(clause))]
                                               for t in range(len(clause))]
        ok = False
        for w in tries:
            g = [sum((x * a[0][o] for x, a in zip(w, clause)), _Z) for o in range(m)]
            h = sum((x * a[1] for x, a in zip(w, clause)), _Z)
            strict = any(x > 0 and a[2] for x, a in zip(w, clause))
            D = _lcm_den(g)
            ints = [int(v.p) * (D // int(v.q)) for v in g]
            shift = max(0, max(backsub.bits(abs(v)) for v in ints) - backsub.K)
            if shift:                                        # a goal row too long for K bits: scale it exactly
                return f"clause {c}: goal coefficients need more than {backsub.K} bits after a common denominator"
            B = backsub.Rows(np.array([ints], dtype=np.float64), fmpq(1, D), [h])
            low = _back(net, B, net.L - 1, relax, box, signed).values()[0]
            if low > 0 or (low >= 0 and not strict):
                ok = True
                break
        if not ok:
            return f"clause {c}: the linear bound {_approx(low)} does not prove it"
    return None


def _approx(q: fmpq) -> str:
    """q to three digits for a message; beyond the float range, its sign and power of two."""
    try:
        return f"{float(q):.3g}"
    except OverflowError:
        return f"{'-' if q < 0 else ''}2^{int(abs(q.p)).bit_length() - int(q.q).bit_length()} (about)"


def proved(questions, leaves) -> Verdict:
    return Verdict.proved(f"every one of {questions} question(s) holds on each of {leaves} leaf set(s), each by an "
                          f"exact linear bound", questions=questions, leaves=leaves)


def check(doc, progress=None, clock=lambda: None, share=None) -> Verdict:
    """The verdict; ``share`` = (s, n) proves only the leaves k with k mod n = s, as ``regions.check``."""
    d, layers, qs = questions(doc)
    hints = parse.obj(doc.get("hints"), "hints")
    trees = hints.get("trees")
    if not isinstance(trees, list) or len(trees) != len(qs):
        raise CertificateError(f"hints.trees must hold one tree per question ({len(qs)})")
    bits = parse.integer(hints.get("precision", 32), "hints.precision", *PRECISION)
    tights = hints.get("tighten", [[]] * len(qs))
    if not isinstance(tights, list) or len(tights) != len(qs) or not all(isinstance(t, list) for t in tights):
        raise CertificateError(f"hints.tighten must hold one list per question ({len(qs)})")
    net = Net(d, layers)
    leaves = done = 0
    for q, ((S, goal), tree) in enumerate(zip(qs, trees)):
        if progress:
            progress(q, len(qs))
        lo, hi = box_of(S, f"data.questions[{q}].set")
        root = [tighten(net, lo, hi, tights[q], bits, f"hints.tighten[{q}]")] if tights[q] else []
        made = {}                                                # the path's nodes' bounds, each derived once
        for splits, cuts, node, marks in each_leaf(tree, net.widths, d, f"hints.trees[{q}]", clock):
            clock()
            leaves += 1
            if share is not None and (leaves - 1) % share[1] != share[0]:
                continue
            done += 1
            made, ts = {i: made[i] for i, *_ in marks if i in made}, list(root)
            for i, msp, mcuts, entries in marks:
                if i not in made:
                    mlo, mhi = _cut(lo, hi, mcuts)
                    made[i] = {} if any(a > b for a, b in zip(mlo, mhi)) else \
                        tighten(net, mlo, mhi, entries, bits, f"hints.trees[{q}] node {i}.tighten", msp, ts)
                ts.append(made[i])
            why = prove_leaf(net, lo, hi, goal, splits, cuts, node, bits, f"hints.trees[{q}] leaf {leaves}", ts)
            if why:
                return Verdict.undecided(f"question {q}, leaf {leaves} (splits {splits}, cuts "
                                         f"{[(i, s, str(t)) for i, s, t in cuts]}): {why}", question=q, leaves=leaves)
    return proved(len(qs), done)
