"""KMY25 Proposition B.21: for d >= N, a 1-Lipschitz map to R^N keeping eps_D (here: up to a certified 1 - 2^-30).

An exactly orthonormal rational basis of the data span needs square roots in general, so ``data_span`` gives an
exactly orthonormal W (W W^T = I, hence 1-Lipschitz) whose row space approximates span{x_i}; the claim decides
1 - 2^-30 <= eps_{WD}^2 / eps_D^2 <= 1 with both sides recomputed here (squared distances of every cross-label pair
from the Gram matrices X X^T and (X W^T)(X W^T)^T, not ``projected_eps_sq`` or ``Dataset.eps_sq``, which must agree
with them), N from 3 to 32 (64 with ``--full``), d = N included.
"""
from flint import fmpq

from exactmem import Verdict, all_of
from exactmem.blocks import data_span, projected_eps_sq
from exactmem.blocks.projection import identity
from exactmem.claims import claim

from ._instances import random_dataset


def cross_min_sq(points, labels):
    """min over pairs with different labels of ||x_i - x_j||^2 / 4 (eps^2), by brute force from the Gram matrix."""
    G = points * points.transpose()
    n = len(labels)
    g = [[G[i, j] for j in range(n)] for i in range(n)]
    return min(g[i][i] + g[j][j] - 2 * g[i][j] for i in range(n) for j in range(i + 1, n)
               if labels[i] != labels[j]) / 4


def _grid(grid, base):
    def make():
        for seed, (N, d) in enumerate(grid):
            yield f"N={N} d={d}", random_dataset(base + seed, N, d, denom=2)
    return make


@claim("KMY25.PropB.21", "exactly orthonormal W onto (approximately) the data span with eps_{WD}^2 >= (1 - 2^-30) eps_D^2",
       {"seeded": _grid([(3, 3), (5, 8), (8, 12), (16, 16), (24, 40), (32, 40)], 600),
        "large": _grid([(48, 64), (64, 64)], 700)},
       source="Kim, Moon & Yun 2025, Proposition B.21", slow_families=("large",))
def check(D):
    P = data_span(D, bits=40)
    labels = list(D.labels)
    eps2, weps2 = cross_min_sq(D.points, labels), cross_min_sq(D.points * P.W.transpose(), labels)
    ratio = weps2 / eps2
    return all_of([Verdict.from_exact(P.W.nrows() == D.N and P.W.ncols() == D.d and
                                      P.W * P.W.transpose() == identity(D.N), f"W ({D.N} x {D.d}): W W^T = I exactly"),
                   Verdict.from_exact(eps2 == D.eps_sq and weps2 == projected_eps_sq(P.W, D),
                                      "eps_D^2 and eps_WD^2 by brute force equal the library's"),
                   Verdict.from_exact(ratio >= 1 - fmpq(1, 2 ** 30) and ratio <= 1,
                                      f"1 - 2^-30 <= ratio <= 1 (1 - ratio = {float(1 - ratio):.3g})")],
                  "data-span projection (exact isometry would need square roots)")
