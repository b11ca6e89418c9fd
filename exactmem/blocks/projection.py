"""Separation-preserving projections (Lemmas B.18-B.20, Propositions B.19, B.21) with exact certificates.

Building is randomised; what is certified is exact:
* the rows of W are exactly orthonormal (W W^T = I), hence ||W||_2 = 1: W is 1-Lipschitz;
* the projected data keep their separation: eps_{WD}^2 >= kappa^2 eps_D^2 for the stated kappa^2.

Two exactly orthonormal rational families:
* ``srht``: W = (rows S of H_{4^k}) diag(signs) / 2^k restricted to the first d columns, where H is
  Sylvester's Hadamard matrix of size 4^k >= d: rows orthonormal, entries +-1/2^k (tiny bit size).
  The full m x 4^k matrix has W W^T = I; its first d columns (the data are padded with zeros) form a
  sub-matrix of it, so ||W||_2 <= 1 still holds;
* ``householder``: Householder QR of a Gaussian d x m matrix with reflections I - 2 v v^T / v^T v for
  rational v (exactly orthogonal whatever v is); the first m rows of the product span approximately a
  uniformly random m-dimensional subspace.  Rational sizes grow with m: meant for small d.

>>> W = srht(d=5, m=3, seed=1)
>>> W.full * W.full.transpose() == identity(3)
True
"""
from __future__ import annotations

import math
import random
from dataclasses import dataclass

from flint import fmpq, fmpq_mat

from ..data import Dataset
from ..errors import NetworkError
from ..exact import ceil_log, ceil_q, to_rational
from ..separation import min_cross_label_distance


def identity(n: int) -> fmpq_mat:
    return fmpq_mat(n, n, [1 if i == j else 0 for i in range(n) for j in range(n)])


def m_small_rho(N: int, d: int) -> int:
    """Lemma B.20 (alpha = 1/6): m = min(d, max(ceil(864 ln N), ceil(10 ln d)))."""
    return min(d, max(ceil_log(N, 864), ceil_log(d, 10)))


def m_case_iv(N: int, d: int, rho) -> int:
    """Theorem B.14, Case IV (alpha = 1/5): m = max(ceil(9 d rho^2), ceil(600 ln N), ceil(10 ln d))."""
    rho = to_rational(rho)
    return max(ceil_q(9 * d * rho * rho), ceil_log(N, 600), ceil_log(d, 10))


def m_case_v(N: int, rho) -> int:
    """Theorem B.14, Case V: m = max(ceil(9 N rho^2), ceil(600 ln N)) (in R^N after Prop. B.21)."""
    rho = to_rational(rho)
    return max(ceil_q(9 * N * rho * rho), ceil_log(N, 600))


@dataclass
class Projection:
    """W (m x d) used on the data; ``full`` (m x D, D >= d) has exactly orthonormal rows and W = full[:, :d]."""

    W: fmpq_mat
    full: fmpq_mat
    method: str

    @property
    def m(self) -> int:
        return self.W.nrows()


def _hadamard_row(i: int, j: int) -> int:
    return -1 if bin(i & j).count("1") % 2 else 1


def srht(d: int, m: int, seed: int = 0) -> Projection:
    if not (1 <= m <= d):
        raise NetworkError(f"need 1 <= m <= d, got m={m}, d={d}")
    k = 0
    while 4 ** k < d:
        k += 1
    D = 4 ** k
    rng = random.Random(seed)
    rows = rng.sample(range(D), m)
    signs = [rng.choice((1, -1)) for _ in range(D)]
    scale = fmpq(1, 2 ** k)
    full = fmpq_mat(m, D, [scale * _hadamard_row(r, j) * signs[j] for r in rows for j in range(D)])
    W = fmpq_mat(m, d, [full[i, j] for i in range(m) for j in range(d)])
    return Projection(W, full, "srht")


def _rat(x: float, bits: int) -> fmpq:
    return fmpq(round(x * 2 ** bits), 2 ** bits)


def householder(d: int, m: int, seed: int = 0, bits: int = 16, G=None) -> Projection:
    """Exactly orthonormal W (m x d) from a Householder QR of a Gaussian d x m matrix (or of G).

    Each reflection I - 2 v v^T / v^T v is exactly orthogonal whatever the rational v, so only W's accuracy (its
    row space against the span of G's columns) depends on how v is chosen: the reduced matrix that the v are read
    from is carried in floats, each v rounded to ``bits`` fractional bits, and only W is built exactly (carrying
    the reduced matrix exactly made its rationals grow with every reflection: seconds at m = 8)."""
    if not (1 <= m <= d):
        raise NetworkError(f"need 1 <= m <= d, got m={m}, d={d}")
    rng = random.Random(seed)
    if G is None:
        A = [[float(_rat(rng.gauss(0, 1), bits)) for _ in range(m)] for _ in range(d)]
    else:
        A = [[float(to_rational(v)) for v in row] for row in G.tolist()]
        m = len(A[0])
    vs = []
    for k in range(m):
        x = [A[i][k] for i in range(k, d)]
        norm = math.sqrt(sum(t * t for t in x))
        v = [_rat(t, bits) for t in x]
        v[0] = v[0] + (1 if x[0] >= 0 else -1) * _rat(norm, bits)
        vv = sum((t * t for t in v), fmpq(0))
        if vv == 0:
            v = [fmpq(1)] + [fmpq(0)] * (len(x) - 1)
            vv = fmpq(1)
        vs.append((k, v, vv))
        vf = [float(t) for t in v]
        vvf = sum(t * t for t in vf)
        for col in range(k, m):  # A <- H_k A on rows k..d-1 (in floats: A only guides the choice of v)
            f = 2 * sum(vf[i] * A[k + i][col] for i in range(len(vf))) / vvf
            for i in range(len(vf)):
                A[k + i][col] -= f * vf[i]
    rows = []
    for r in range(m):  # row r of Q^T = (Q e_r)^T, Q = H_0 H_1 ... H_{m-1}
        y = [fmpq(1) if i == r else fmpq(0) for i in range(d)]
        for k, v, vv in reversed(vs):
            dot = sum((v[i] * y[k + i] for i in range(len(v))), fmpq(0))
            f = 2 * dot / vv
            for i in range(len(v)):
                y[k + i] -= f * v[i]
        rows.append(y)
    W = fmpq_mat(rows)
    return Projection(W, W, "householder")


def data_span(D: Dataset, bits: int = 40) -> Projection:
    """Proposition B.21: an exactly orthonormal W (N x d) whose row space is (up to ~2^-bits) span{x_i};
    certified separation eps_{WD}^2 >= (1 - delta) eps_D^2 with tiny delta, not exact isometry
    (an exactly orthonormal rational basis of the span needs square roots in general)."""
    if D.d < D.N:
        raise NetworkError("Proposition B.21 is for d >= N")
    return householder(D.d, D.N, bits=bits, G=D.points.transpose())


def projected_eps_sq(W: fmpq_mat, D: Dataset) -> fmpq:
    """eps^2 of the projected dataset {(W x_i, y_i)} (exact; projected points may coincide -> 0)."""
    Y = (D.points * W.transpose()).tolist()
    den = 1
    for r in Y:
        for v in r:
            q = int(v.q)
            den = den * q // math.gcd(den, q)
    rows = [[int(v.p) * (den // int(v.q)) for v in r] for r in Y]
    val, _, _ = min_cross_label_distance(rows, list(D.labels), 2)
    return fmpq(val, 4 * den * den)


def find_projection(D: Dataset, m: int, kappa_sq, method: str = "srht", tries: int = 20, seed: int = 0):
    """Retry fresh randomness until eps_{WD}^2 >= kappa_sq * eps_D^2 is certified.

    Returns (projection or None, attempts, successes)."""
    kappa_sq = to_rational(kappa_sq)
    target = kappa_sq * D.eps_sq
    make = {"srht": srht, "householder": householder}[method]
    successes = 0
    found = None
    for t in range(tries):
        P = make(D.d, m, seed=seed + t)
        if projected_eps_sq(P.W, D) >= target:
            successes += 1
            if found is None:
                found = (P, t + 1)
    return (found[0] if found else None), tries, successes
