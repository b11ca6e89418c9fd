"""Translation away from the integer lattice (Lemma B.15).

For points z_1..z_N in R^m and each coordinate j, sort the fractional parts; the N circular gaps
between consecutive ones sum to 1, so the largest is >= 1/N.  Putting b_j at its midpoint gives
dist(z_ij - b_j, Z) >= 1/(2N) for all i, j (exactly, in rationals).  Truncating b_j to
K = ceil(log2(6N)) binary digits moves it by at most 2^-K <= 1/(6N), leaving margin >= 1/(3N).

>>> b, margin = midpoint_translation([[0, "1/2"], ["1/4", "3/4"]])
>>> b, margin
([5/8, 1/8], 3/8)
>>> lattice_margin([[0, "1/2"], ["1/4", "3/4"]], b) == margin
True
"""
from __future__ import annotations

from flint import fmpq

from ..errors import ShapeError
from ..exact import floor_q, to_matrix


def frac(q: fmpq) -> fmpq:
    return q - floor_q(q)


def dist_to_Z(q: fmpq) -> fmpq:
    f = frac(q)
    return min(f, 1 - f)


def lattice_margin(points, b) -> fmpq:
    """min over i, j of dist(z_ij - b_j, Z), exactly."""
    Z = to_matrix(points, "points").tolist()
    b = [fmpq(v) if not isinstance(v, fmpq) else v for v in b]
    if any(len(r) != len(b) for r in Z):
        raise ShapeError("b must have one entry per coordinate")
    return min(dist_to_Z(r[j] - b[j]) for r in Z for j in range(len(b)))


def midpoint_translation(points):
    """(b, margin): b_j at the midpoint of the largest circular gap of the fractional parts; margin >= 1/(2N)."""
    Z = to_matrix(points, "points")
    if Z.nrows() == 0:
        raise ShapeError("need at least one point")
    cols = Z.transpose().tolist()
    b = []
    for col in cols:
        fr = sorted(set(frac(v) for v in col))
        best_gap, best_mid = None, None
        for k, f in enumerate(fr):
            nxt = fr[k + 1] if k + 1 < len(fr) else fr[0] + 1
            gap = nxt - f
            if best_gap is None or gap > best_gap:
                best_gap, best_mid = gap, f + gap / 2
        b.append(frac(best_mid))
    return b, lattice_margin(points, b)


def truncated_translation(points, K: int | None = None):
    """(b_bar, margin, K): b truncated to K = ceil(log2(6N)) binary digits; margin >= 1/(3N)."""
    Z = to_matrix(points, "points")
    N = Z.nrows()
    if K is None:
        K = (6 * N - 1).bit_length()  # least K with 2^K >= 6N
    b, _ = midpoint_translation(points)
    bb = [fmpq(floor_q(v * 2 ** K), 2 ** K) for v in b]
    return bb, lattice_margin(points, bb), K
