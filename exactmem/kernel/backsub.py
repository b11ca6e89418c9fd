"""Back-substitution of linear bounds in exact fixed point, on float64 arrays that hold integers.

A bound's rows are (M_r sigma_r) . z + c_r (``Rows``): M an array of integers below 2^(K+2), sigma_r = S 2^(e_r)
an exact positive rational common to the rows (S) times a power of two per row (e_r, an int64 array), and
c_r exact rationals (``Sums``: integer terms summed once over one denominator, numpy arrays of Python
integers).  Every float64 operation below acts on integers whose result and partial sums stay below
2^SAFE < 2^53 (the bounds are stated at each step and checked where data enters) -- or on such integers
times one power of two 2^(B k) < 2^900 per limb, which IEEE-754 holds as exactly (only the exponent differs)
-- so IEEE-754 arithmetic, and any BLAS summation order, computes them exactly: nothing is rounded by the
machine; every float64 that becomes a Python integer is an integer below 2^53 (int64 holds it).  Where the
kernel rounds, it rounds on purpose and in the safe direction:

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
from flint import fmpq, fmpz

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


def limb_width(n: int) -> int:
    """Bits per limb of a layer with n rows: a row below 2^(K+1) times n limbs stays below 2^(SAFE-1)."""
    return SAFE - (K + 2) - bits(n)


def ints(a):
    """A float64 array of integers below 2^53 as an object array of the same Python integers (exact: int64
    holds them)."""
    return np.asarray(a).astype(np.int64).astype(object)


class Layer:
    """One affine layer W = N tau, b = B nu (N, B object arrays of integers), N and B split into limbs so
    that a product with rows below 2^(K+1) stays below 2^(SAFE-1).  ``Nk`` holds N's limbs side by side
    (column k cols + j is limb k's column j), each scaled by 2^(B k) when all the limbs take fewer than 900 bits
    (``scaled``: exact, powers of two far from overflow), and ``b`` B's limbs as columns: one product each."""

    def __init__(self, N, tau, B, nu):
        width = limb_width(N.shape[0])
        if width < 4:
            raise ValueError("a layer this wide is beyond the fixed-point products")
        self.width, limbs = split(N, width)
        self.limbs, self.scaled = len(limbs), width * len(limbs) < 900
        self.Nk = np.hstack([Nk * 2.0 ** (width * k) if self.scaled else Nk for k, Nk in enumerate(limbs)])
        self.b = np.hstack(split(B.reshape(-1, 1), width)[1])
        self.exact, self.tau, self.nu, self.B = N, tau, nu, B


class Sums:
    """Exact rationals, one per row: c_r = sum over the terms (g, a, w, x) of g sum_k a_rk 2^(x_r + w k), g a
    rational common to the rows, a integers (in float64, below 2^53, or Python integers in an object array) in
    columns k placed 2^(w k) apart, x_r an integer per row.  ``add`` only records a term; ``fractions`` puts
    every term over one denominator and adds Python integers: exact, nothing is rounded."""

    def __init__(self, c):
        self.n, self.terms = len(c), []
        if any(c):                                            # c_r = (c_r D) / D, D the common denominator
            D = fmpz(1)
            for v in c:
                D = D.lcm(v.q)
            self.add(fmpq(1, D), np.array([int(v.p * (D // v.q)) for v in c], dtype=object), np.zeros(len(c), int))

    def add(self, g, a, x, w=0):
        """c_r += g sum_k a_rk 2^(x_r + w k) for every row r (a one column when 1-D)."""
        if g != 0:
            self.terms.append((g, a if a.ndim == 2 else a[:, None], w, x))

    def take(self, idx):
        out = Sums([])
        out.n, out.terms = len(idx), [(g, a[idx], w, x[idx]) for g, a, w, x in self.terms]
        return out

    def fractions(self):
        """(C, den): c_r = C_r / den, C an object array of Python integers, den > 0."""
        if not self.terms or not self.n:
            return np.zeros(self.n, dtype=object), 1
        X = np.stack([x for _, _, _, x in self.terms], axis=1)
        # g = u 2^v / q, u and q odd: g a 2^(x_r + w k) = a u 2^(x_r + w k + v) / q; the columns are grouped by
        # kind (float64 or Python integers), by q and by u = 1 (no product) or not, and summed over one
        # denominator Q 2^-s, Q the least common multiple of the q, s the least place
        groups = {}
        for i, (g, a, w, _) in enumerate(self.terms):
            p, q = int(g.p), int(g.q)
            vp, vq = (p & -p).bit_length() - 1, (q & -q).bit_length() - 1
            G = groups.setdefault((a.dtype == object, q >> vq, p >> vp == 1), ([], [], [], []))
            G[0].append(a)
            for k in range(a.shape[1]):
                G[1].append(i)
                G[2].append(w * k + vp - vq)
                G[3].append(p >> vp)
        parts = []
        for (obj, q, one), (A, col, off, U) in groups.items():
            A = np.hstack(A) if obj else ints(np.hstack(A))
            parts.append((q, A if one else A * np.array(U, dtype=object), X[:, col] + np.array(off, dtype=np.int64)))
        s, Q = min(int(P.min()) for _, _, P in parts), 1
        for q, _, _ in parts:
            Q = Q * q // gcd(Q, q)
        C = sum((A << (P - s).astype(object)).sum(axis=1) * (Q // q) for q, A, P in parts)
        return (C << s, Q) if s >= 0 else (C, Q << -s)

    def values(self):
        C, den = self.fractions()
        return [fmpq(int(v), den) for v in C]


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
    M, width, limbs = rows.M, layer.width, layer.limbs
    n, cols = M.shape[0], layer.exact.shape[1]
    if layer.scaled and layer.Nk.size:
        # the parts p_k 2^(B k) (exact: power-of-two multiples below 2^(SAFE + 900)); the exponent of the largest
        # is top = max_k (exponent of max |p_k| + B k), 0 when all are 0, as below; s_r <= top < 1000 keeps 2^-s_r
        # and each nonzero p_k 2^(B k - s_r) (>= 2^-s_r) normal: the products are exact, their floors those below
        P = M @ layer.Nk
        shift = np.maximum(0, np.frexp(np.abs(P).max(axis=1))[1] + (bits(limbs) - K))
        rows.M = np.floor(P * np.ldexp(1.0, -shift)[:, None]).reshape(n, limbs, cols).sum(axis=1)
        rows.S, rows.e = rows.S * layer.tau, rows.e + shift
        return np.minimum(limbs, -(-shift // width))
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
