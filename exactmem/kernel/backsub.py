"""Back-substitution of linear bounds in exact fixed point, on float64 arrays that hold integers.

A bound's rows are (M_r sigma_r) . z + c_r (``Rows``): M an array of integers below 2^(K+2), sigma_r = S 2^(e_r)
an exact positive rational common to the rows (S) times a power of two per row (e_r, an int64 array), and
c_r exact rationals (``Sums``: Python integers over one common denominator, numpy object arrays).  Every
float64 operation below acts on integers whose result and partial sums stay below 2^SAFE < 2^53 (the bounds
are stated at each step and checked where data enters), so IEEE-754 arithmetic, and any BLAS summation order,
computes them exactly: nothing is rounded by the machine; every float64 that becomes a Python integer is such
an integer (below 2^53, so int64 holds it).  Where the kernel rounds, it rounds on purpose and in the safe
direction:

* coefficients of a non-negative variable (a ReLU output) are rounded *down*: the bound stays a lower bound;
* coefficients of a signed variable z in [lo, up] are rounded down by less than e, and e sum_j min(0, lo_j)
  is added to the constant (the most the rounding can cost);
* a weight matrix is split into limbs N = sum_k N_k 2^(B k) so that each product M N_k is exact; a row is
  shifted right by s bits, and limb k's part, scaled by 2^(B k - s), is an exact integer when B k >= s: only
  the limbs with B k < s are floored, so the sum is below the exact quotient by less than their number,
  min(limbs, ceil(s / B)) (in units of the shift), and equals it when s = 0.

>>> B, limbs = split(np.array([[5, -(2 ** 40 + 3)]], dtype=object), 20)
>>> [l.tolist() for l in limbs]
[[[5.0, -3.0]], [[0.0, 0.0]], [[0.0, -1.0]]]
>>> sum(int(l[0, 1]) << (B * k) for k, l in enumerate(limbs)) == -(2 ** 40 + 3)
True
>>> c = Sums([fmpq(1, 3), fmpq(0)])
>>> c.add(fmpq(-1, 5), np.array([7, 1], dtype=object), np.array([-2, 40]))
>>> c.values() == [fmpq(1, 3) - fmpq(7, 20), -fmpq(2) ** 40 / 5]
True
"""
from __future__ import annotations

from math import gcd

import numpy as np
from flint import fmpq

SAFE = 51                  # every integer held in a float64 here stays below 2^SAFE in magnitude
K = 30                     # bits kept per coefficient row after a step
PB = 18                    # bits of a relaxation slope's numerator (slopes are k / 2^PB)
LIMBS = 2 * 10 ** 8        # float64 entries of one layer's limbs (1.6 GB): more is refused


def bits(n: int) -> int:
    return int(n).bit_length()


def split(N, width: int):
    """(limb width B, [N_0, N_1, ...]) with N = sum_k N_k 2^(B k) exactly, |N_k| < 2^B, as float64 arrays;
    N is an object array of Python integers, ``width`` the bits a limb may have."""
    big = max((bits(abs(v)) for v in N.ravel()), default=0)
    sign, mag, mask = np.where(N < 0, -1, 1), np.abs(N), (1 << width) - 1
    return width, [(((mag >> (width * k)) & mask) * sign).astype(np.float64)
                   for k in range(max(1, -(-big // width)))]


def inner_bits(n: int) -> int:
    """ceil(log2(n + 1)): a sum of n terms below 2^a stays below 2^(a + inner_bits(n))."""
    return bits(n)


def limb_width(n: int) -> int:
    """Bits per limb of a layer with n rows: a row below 2^(K+1) times n limbs stays below 2^(SAFE-1)."""
    return SAFE - (K + 2) - bits(n)


def ints(a):
    """A float64 array of integers below 2^53 as an object array of the same Python integers (exact: int64
    holds them)."""
    return np.asarray(a).astype(np.int64).astype(object)


class Layer:
    """One affine layer W = N tau, b = B nu (N, B object arrays of integers), N and B split into limbs so
    that a product with rows below 2^(K+1) stays below 2^(SAFE-1).  ``Nk`` holds the limbs of N side by side
    (column k cols + j is limb k's column j) and ``b`` those of B as columns: one product each."""

    def __init__(self, N, tau, B, nu):
        width = limb_width(N.shape[0])
        if width < 4:
            raise ValueError("a layer this wide is beyond the fixed-point products")
        self.width, self.N = split(N, width)
        self.Nk = np.hstack(self.N)
        self.b = np.hstack(split(B.reshape(-1, 1), width)[1])
        self.exact, self.tau, self.nu, self.B = N, tau, nu, B


class Sums:
    """Exact rationals, one per row: c_r = c0_r + sum over the terms (g, a, w, x) of g sum_k a_rk 2^(x_r + w k),
    g a rational common to the rows, a integers (in float64, below 2^53, or Python integers in an object array)
    in columns k placed 2^(w k) apart, x_r an integer per row.  ``add`` only records a term; ``values`` puts
    every term over one denominator Q 2^F (Q the least common multiple of the g's denominators, F >= -x_r) and
    adds Python integers: exact, nothing is rounded."""

    def __init__(self, c):
        self.c0, self.terms = (list(c) if any(c) else None), []

    def add(self, g, a, x, w=0):
        """c_r += g sum_k a_rk 2^(x_r + w k) for every row r (a one column when 1-D)."""
        if g != 0:
            self.terms.append((g, a if a.ndim == 2 else a[:, None], w, x))

    def take(self, idx):
        out = Sums([])
        out.c0 = None if self.c0 is None else [self.c0[i] for i in idx]
        out.terms = [(g, a[idx], w, x[idx]) for g, a, w, x in self.terms]
        return out

    def values(self):
        if not self.terms:
            return list(self.c0) if self.c0 is not None else []
        Q = 1
        for g, _, _, _ in self.terms:
            Q = Q * int(g.q) // gcd(Q, int(g.q))
        F = max(0, max(-int(x.min()) for _, _, _, x in self.terms))
        # g a 2^(x_r + w k) = a (p Q / q) 2^(x_r + F + w k) / (Q 2^F), with x_r + F + w k >= 0
        fl = [t for t in self.terms if t[1].dtype != object]
        C = 0
        if fl:
            A = ints(np.hstack([a for _, a, _, _ in fl]))
            places = np.hstack([x[:, None] + F + w * np.arange(a.shape[1]) for _, a, w, x in fl]).astype(object)
            m = [int(g.p) * (Q // int(g.q)) for g, a, _, _ in fl for _ in range(a.shape[1])]
            if any(v != 1 for v in m):
                A = A * np.array(m, dtype=object)
            C = (A << places).sum(axis=1)
        for g, a, w, x in self.terms:
            if a.dtype == object:
                C = C + (a * (int(g.p) * (Q // int(g.q))) << (x[:, None] + F + w * np.arange(a.shape[1])
                                                                ).astype(object)).sum(axis=1)
        den = Q << F
        out = [fmpq(int(v), den) for v in C]
        return out if self.c0 is None else [a + b for a, b in zip(self.c0, out)]


class Rows:
    """Rows (M_r sigma_r) . z + c_r with sigma_r = S 2^(e_r) (see the module's docstring); c given as
    rationals, M rows of integers below 2^(K+1) in float64, S > 0 common to the rows."""

    def __init__(self, M, S, c):
        self.M, self.S, self.c = M, S, Sums(c)
        self.e = np.zeros(M.shape[0], dtype=np.int64)

    def sigma(self, r) -> fmpq:
        return self.S * fmpq(2) ** int(self.e[r])

    def take(self, idx):
        """The rows idx (a copy)."""
        out = object.__new__(Rows)
        out.M, out.S, out.e, out.c = self.M[idx], self.S, self.e[idx], self.c.take(idx)
        return out


def bias(rows, layer):
    """c_r += (M_r sigma_r) . b, exactly."""
    parts = rows.M @ layer.b                                 # each below 2^(K+1) 2^B n <= 2^(SAFE-1)
    rows.c.add(rows.S * layer.nu, parts, rows.e, layer.width)


def times(rows, layer):
    """M <- M N rounded down per row to about K bits, sigma absorbing tau and the shift; returns per row the
    number of limbs that were rounded (an int64 array): each coefficient of row r is below the exact one by
    less than that number (in the row's new unit), and equal to it when the number is 0.

    Why: row r is shifted right by s_r bits and its coefficients are sum_k floor(p_k 2^(B k - s_r)), each p_k
    an exact integer (a float64 below 2^(SAFE-1)).  Where B k - s_r >= 0 the scaled part is an integer (a
    power-of-two scaling of a float64 is exact; the result stays below 2^K, far from overflow) and its floor
    loses nothing; every other floor loses less than 1.  So the loss is below #{k : B k < s_r} =
    min(limbs, ceil(s_r / B)), which is 0 when s_r = 0.  The floored parts are integers below 2^(K - bits(limbs))
    + 1, so their sum, in any order, is exact."""
    M, width, limbs = rows.M, layer.width, len(layer.N)
    n, cols = M.shape[0], layer.N[0].shape[1]
    P = (M @ layer.Nk).reshape(n, limbs, cols)              # each exact: below 2^(K+1) 2^B n <= 2^(SAFE-1)
    place = width * np.arange(limbs)
    if P.size:                                              # |row of sum_k p_k 2^(B k)| < 2^top: integer exponents
        mags = np.abs(P).max(axis=2)                        # (a zero part adds nothing: it does not raise top)
        top = np.where(mags > 0, np.frexp(mags)[1] + place, 0).max(axis=1)
        shift = np.maximum(0, top + bits(limbs) - K).astype(np.int64)
    else:
        shift = np.zeros(n, dtype=np.int64)
    # p_k 2^(B k - s_r), floored: where p_k != 0, B k < top, so B k - s_r < top - s_r <= K; below 2^-1000 the
    # floor of p 2^e (|p| < 2^51) is 0 or -1 by p's sign whatever e: clipped to [-1000, K], the factor is a
    # normal float64 power of two, the products are exact (normal results) and their floors those wanted
    e = np.clip(place[None, :] - shift[:, None], -1000, K)
    rows.M = np.floor(P * np.ldexp(1.0, e)[:, :, None]).sum(axis=1)
    rows.S = rows.S * layer.tau
    rows.e = rows.e + shift
    return np.minimum(limbs, -(-shift // width))            # the limbs k with B k < s_r


def keep(rows, lmin):
    """Round each row of M (coefficients of a signed variable with sum_j min(0, lo_j) = lmin) down to K bits."""
    M = rows.M
    big = np.abs(M).max(axis=1) if M.size else np.zeros(M.shape[0])
    shift = np.maximum(0, np.frexp(big)[1] - K).astype(np.int64)
    if not shift.any():
        return
    rows.M = np.floor(M * np.ldexp(1.0, -shift)[:, None])   # exact: M < 2^(K+1+PB), so no underflow
    # each coefficient lost less than one step 2^shift (in units of sigma): c_r += sigma_r 2^shift_r lmin
    rows.e = rows.e + shift
    rows.c.add(rows.S * lmin, (shift > 0).astype(np.float64), rows.e)


__all__ = ["SAFE", "K", "PB", "Layer", "Rows", "Sums", "bias", "times", "keep", "split"]
