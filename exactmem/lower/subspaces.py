"""Lemmas A.1, A.2 (l2) and C.9, C.10 (l-infinity): basis vectors are close to large subspaces.

For a k-dimensional subspace Z of R^d with projector P (exact, from a rational basis):

* A.1: sum_j ||P e_j||^2 = trace P = k, so min_j dist(e_j, Z)^2 = min_j (1 - P_jj) <= 1 - k/d;
* A.2: if k >= d - t, then min_{j <= t} dist(e_j, Z)^2 <= (d - k)/t  (tight: see tight_subspace_a2);
* C.9 / C.10: in l-infinity some e_j (j <= t) is within 1/2 of Z whenever dim(Z) >= d - t + 1,
  with the explicit point z' = (z_j / 2) z for z in Z scaled to ||z||_inf = 1, |z_j| = 1.

>>> from flint import fmpq_mat
>>> r = lemma_a1(fmpq_mat([[1], [1], [0]]))      # the line through (1, 1, 0)
>>> r["trace"], r["min_dist_sq"]
(1, 1/2)
"""
from __future__ import annotations

from flint import fmpq, fmpq_mat

from ..errors import DimensionMismatchError, ShapeError
from ..exact import to_matrix
from ..linalg import column_list, nullspace, projector


def _basis(Z) -> fmpq_mat:
    A = to_matrix(Z, "subspace basis (columns)")
    if A.ncols() and A.rank() != A.ncols():
        raise ShapeError("the basis columns are linearly dependent")
    return A


def lemma_a1(Z) -> dict:
    """Exact quantities of Lemma A.1 for the subspace spanned by the columns of Z."""
    A = _basis(Z)
    d, k = A.nrows(), A.ncols()
    P = projector(A)
    diag = [P[j, j] for j in range(d)]
    dist = [1 - v for v in diag]
    return {"d": d, "k": k, "trace": sum(diag, fmpq(0)), "max_proj_sq": max(diag), "min_dist_sq": min(dist),
            "argmin": dist.index(min(dist)), "bound_proj_sq": fmpq(k, d), "bound_dist_sq": 1 - fmpq(k, d)}


def lemma_a2(Z, t: int) -> dict:
    """min_{j<=t} dist(e_j, Z)^2 and the bound (d - k)/t of Lemma A.2 (requires 1 <= t <= d, k >= d - t)."""
    A = _basis(Z)
    d, k = A.nrows(), A.ncols()
    if not (1 <= t <= d):
        raise ShapeError(f"t must be in 1..d = {d}, got {t}")
    if k < d - t:
        raise ShapeError(f"Lemma A.2 needs dim Z = {k} >= d - t = {d - t}")
    P = projector(A)
    dist = [1 - P[j, j] for j in range(t)]
    m = min(dist)
    return {"d": d, "k": k, "t": t, "min_dist_sq": m, "argmin": dist.index(m), "bound": fmpq(d - k, t)}


def tight_subspace_a2(d: int, t: int, k: int) -> fmpq_mat:
    """A subspace attaining Lemma A.2 with equality: dist(e_j, Z)^2 = (d - k)/t for every j <= t.

    Z = span(e_{t+1..d}) + the orthogonal complement, inside R^t, of the indicators of a partition
    of [t] into s = t - (k - d + t) equal blocks; requires s to divide t.
    """
    kk = k - (d - t)
    s = t - kk
    if not (0 <= kk <= t) or s == 0 or t % s:
        raise ShapeError(f"no balanced construction for d={d}, t={t}, k={k}: need 0 < t - (k - d + t) dividing t")
    size = t // s
    ind = fmpq_mat([[1 if j // size == b else 0 for b in range(s)] for j in range(t)])  # t x s
    inner = nullspace(ind.transpose())  # t x kk: vectors orthogonal to every block indicator
    cols = [c + [fmpq(0)] * (d - t) for c in column_list(inner)]
    cols += [[fmpq(1) if i == j else fmpq(0) for i in range(d)] for j in range(t, d)]
    return fmpq_mat(cols).transpose() if cols else fmpq_mat(d, 0)


def linf_witness(Z, t: int | None = None) -> dict:
    """Lemma C.9 (t = d) / C.10: an index j <= t and z' in Z with ||e_j - z'||_inf <= 1/2, exactly."""
    A = _basis(Z)
    d, k = A.nrows(), A.ncols()
    t = d if t is None else t
    if not (1 <= t <= d):
        raise ShapeError(f"t must be in 1..d = {d}, got {t}")
    if k < d - t + 1:
        raise DimensionMismatchError(f"Lemma C.10 needs dim Z = {k} >= d - t + 1 = {d - t + 1}")
    if t < d:  # Z intersected with span(e_1..e_t): coefficients c with (A c)_i = 0 for i > t
        tail = fmpq_mat([A.tolist()[i] for i in range(t, d)])
        C = nullspace(tail)
        z = (A * fmpq_mat([[v] for v in column_list(C)[0]])).entries()
    else:
        z = column_list(A)[0]
    big = max(abs(v) for v in z)
    z = [v / big for v in z]
    j = next(i for i, v in enumerate(z) if abs(v) == 1)
    zp = [z[j] / 2 * v for v in z]
    e = [fmpq(1) if i == j else fmpq(0) for i in range(d)]
    dist = max(abs(a - b) for a, b in zip(e, zp))
    return {"j": j, "z_prime": zp, "dist_inf": dist}
