"""Exact rational linear algebra: null spaces, orthogonal projectors, distances to subspaces.

>>> W = to_matrix([[1, 1, 0]])
>>> B = nullspace(W)            # a basis of {x : x1 + x2 = 0}, as columns
>>> B.ncols(), W * B == fmpq_mat(1, 2)
(2, True)
>>> P = projector(B)
>>> dist_sq_to_subspace([1, 0, 0], P)    # e_1 is at distance 1/sqrt(2) from the plane
1/2
"""
from __future__ import annotations

from flint import fmpq, fmpq_mat, fmpz_mat

from .errors import DimensionMismatchError, ShapeError
from .exact import common_denominator, to_matrix, to_vector


def integer_rows(M: fmpq_mat) -> fmpz_mat:
    """Scale each row of a rational matrix by its denominator lcm (same row space and null space)."""
    rows = []
    for r in M.tolist():
        q = common_denominator(r)
        rows.append([int(v.p) * (q // int(v.q)) for v in r])
    return fmpz_mat(rows) if rows else fmpz_mat(0, M.ncols())


def nullspace(W) -> fmpq_mat:
    """A basis of Null(W) = {x : W x = 0}, as the columns of a d x k rational matrix (k may be 0)."""
    W = to_matrix(W, "W")
    d = W.ncols()
    if d == 0:
        raise ShapeError("W has no columns")
    if W.nrows() == 0:
        return fmpq_mat(d, d, [1 if i == j else 0 for i in range(d) for j in range(d)])
    N, k = integer_rows(W).nullspace()
    cols = [[N[i, j] for i in range(d)] for j in range(k)]
    return fmpq_mat(cols).transpose() if cols else fmpq_mat(d, 0)


def projector(A) -> fmpq_mat:
    """The orthogonal projector A (A^T A)^{-1} A^T onto the column span of A (full column rank)."""
    A = to_matrix(A, "A")
    if A.ncols() == 0:
        return fmpq_mat(A.nrows(), A.nrows())
    G = A.transpose() * A
    if G.rank() != A.ncols():
        raise ShapeError("the columns of A are linearly dependent")
    return A * G.inv() * A.transpose()


def dist_sq_to_subspace(x, P: fmpq_mat) -> fmpq:
    """||x - P x||^2 for an orthogonal projector P (exact)."""
    v = to_vector(x, "x")
    if len(v) != P.nrows():
        raise DimensionMismatchError(f"x has {len(v)} entries but the projector acts on R^{P.nrows()}")
    xm = fmpq_mat(len(v), 1, v)
    r = xm - P * xm
    return sum((t * t for t in r.entries()), fmpq(0))


def column_list(M: fmpq_mat) -> list:
    """The columns of M as lists of fmpq."""
    T = M.transpose().tolist()
    return [list(c) for c in T]


def random_rational_matrix(rng, rows: int, cols: int, span: int = 5, denom: int = 4) -> fmpq_mat:
    """A seeded random rational matrix with entries a/b, |a| <= span, 1 <= b <= denom."""
    return fmpq_mat(rows, cols, [fmpq(rng.randint(-span, span), rng.randint(1, denom)) for _ in range(rows * cols)])
