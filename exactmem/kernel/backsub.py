"""Back-substitution of linear bounds in exact fixed point, on float64 arrays that hold integers.

A bound's coefficients are kept as Lambda_r = M_r sigma_r: M an array of integers below 2^(K+2), sigma_r an
exact positive rational per row.  Every float64 operation below acts on integers whose result and partial
sums stay below 2^SAFE < 2^53 (the bounds are stated at each step and checked where data enters), so
IEEE-754 arithmetic, and any BLAS summation order, computes them exactly: nothing is rounded by the
machine.  Where the kernel rounds, it rounds on purpose and in the safe direction:

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
"""
from __future__ import annotations

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


class Layer:
    """One affine layer W = N tau, b = B nu (N, B object arrays of integers), N and B split into limbs so
    that a product with rows below 2^(K+1) stays below 2^(SAFE-1)."""

    def __init__(self, N, tau, B, nu):
        width = limb_width(N.shape[0])
        if width < 4:
            raise ValueError("a layer this wide is beyond the fixed-point products")
        self.width, self.N = split(N, width)
        self.b = split(B.reshape(1, -1), width)[1]
        self.exact, self.tau, self.nu, self.B = N, tau, nu, B


def _exact_rowsum(parts, width):
    """Per row, sum_k parts[k] 2^(width k) as exact Python integers (each part an exact integer float)."""
    out = [0] * len(parts[0])
    for k, p in enumerate(parts):
        for r, v in enumerate(p):
            out[r] += int(v) << (width * k)
    return out


def bias(M, sigma, c, layer):
    """c_r += (M_r sigma_r) . b, exactly."""
    parts = [M @ bl[0] for bl in layer.b]                   # each below 2^(K+1) 2^B n <= 2^(SAFE-1)
    for r, v in enumerate(_exact_rowsum(parts, layer.width)):
        if v:
            c[r] += sigma[r] * layer.nu * v


def times(M, sigma, layer):
    """(M N rounded down per row to about K bits, per row the number of limbs that were rounded): each
    coefficient of row r is below the exact one by less than that number (in the row's new unit), and equal to
    it when the number is 0; sigma absorbs tau and the shift.

    Why: row r is shifted right by s_r bits and its coefficients are sum_k floor(p_k 2^(B k - s_r)), each p_k
    an exact integer (a float64 below 2^(SAFE-1)).  Where B k - s_r >= 0 the scaled part is an integer (a
    power-of-two scaling of a float64 is exact; the result stays below 2^K, far from overflow) and its floor
    loses nothing; every other floor loses less than 1.  So the loss is below #{k : B k < s_r} =
    min(limbs, ceil(s_r / B)), which is 0 when s_r = 0."""
    parts = [M @ Nk for Nk in layer.N]                      # each exact: below 2^(K+1) 2^B n <= 2^(SAFE-1)
    if parts[0].size:                                       # |row of sum_k p_k 2^(B k)| < 2^top: integer exponents
        mags = [np.abs(p).max(axis=1) for p in parts]      # (a zero part adds nothing: it does not raise top)
        top = np.max([np.where(m > 0, np.frexp(m)[1] + layer.width * k, 0) for k, m in enumerate(mags)], axis=0)
        shift = np.maximum(0, top + bits(len(parts)) - K).astype(np.int64)
    else:
        shift = np.zeros(M.shape[0], dtype=np.int64)
    out = np.zeros_like(parts[0])
    for k, p in enumerate(parts):                           # exact power-of-two scalings, exact floors
        e = (layer.width * k - shift)[:, None]
        tiny = e < -1000                                    # |p| 2^e < 2^-947: the floor is 0 or -1, not ldexp's
        out += np.where(tiny, np.where(p < 0, -1.0, 0.0), np.floor(np.ldexp(p, np.where(tiny, 0, e))))
    for r in range(M.shape[0]):
        sigma[r] = sigma[r] * layer.tau * (fmpq(2) ** int(shift[r]))
    floored = np.minimum(len(parts), -(-shift // layer.width))          # the limbs k with B k < s_r
    return out, [int(v) for v in floored]


def keep(M, sigma, c, lmin):
    """Round each row of M (coefficients of a signed variable with sum_j min(0, lo_j) = lmin) down to K bits."""
    big = np.abs(M).max(axis=1) if M.size else np.zeros(M.shape[0])
    shift = np.maximum(0, np.frexp(big)[1] - K).astype(np.int64)
    if not shift.any():
        return M
    M = np.floor(np.ldexp(M, -shift[:, None]))
    for r in np.flatnonzero(shift):
        step = fmpq(2) ** int(shift[r])
        c[r] += sigma[r] * step * lmin                      # each coefficient lost less than one step
        sigma[r] = sigma[r] * step
    return M


__all__ = ["SAFE", "K", "PB", "Layer", "bias", "times", "keep", "split"]
