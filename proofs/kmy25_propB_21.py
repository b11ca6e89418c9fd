"""KMY25 Proposition B.21: for d >= N, a 1-Lipschitz map to R^N keeping eps_D (here: up to a certified 1 - 2^-30)."""
from flint import fmpq

from exactmem import Verdict, all_of
from exactmem.blocks import data_span, projected_eps_sq
from exactmem.blocks.projection import identity
from exactmem.claims import claim

from ._instances import random_dataset


def _cases():
    for seed, (N, d) in enumerate([(3, 3), (5, 8), (8, 12)]):
        yield f"N={N} d={d}", random_dataset(600 + seed, N, d, denom=2)


@claim("KMY25.PropB.21", "exactly orthonormal W onto (approximately) the data span with eps_{WD}^2 >= (1 - 2^-30) eps_D^2",
       {"seeded": _cases}, source="Kim, Moon & Yun 2025, Proposition B.21")
def check(D):
    P = data_span(D, bits=40)
    ratio = projected_eps_sq(P.W, D) / D.eps_sq
    return all_of([Verdict.from_exact(P.W * P.W.transpose() == identity(D.N), "W W^T = I exactly"),
                   Verdict.from_exact(ratio >= 1 - fmpq(1, 2 ** 30) and ratio <= 1, "1 - 2^-30 <= ratio <= 1")],
                  "data-span projection (exact isometry would need square roots)")
