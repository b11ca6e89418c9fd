"""KMY25 Lemma E.3 (Yu et al. 2024, nonzero version): width O(d), depth O(N (log(d/gamma^2) + log R)) and
O(N d (log(d/gamma^2) + log R)) NONZERO parameters.

Checked on exactmem's Yu-style network: nonzero weights and biases counted entry by entry must stay below
(d+1) d + N (k+3)(16d + C + 2) + 4C + 1 (docs/sizes.md) -- linear in d per layer, while the dense count of the same
network is quadratic (a dense layer of width 5d would break the bound for every d >= 1); depth N (k+3) + 3.
"""
from flint import fmpq

from exactmem import ReLUNet, Verdict, all_of
from exactmem.claims import claim
from exactmem.constructions.large_rho import yu_plan
from exactmem.constructions.layers import yu_layers

from ._instances import random_dataset
from ._sizes import eq3, nonzero, size_verdict, yu_bounds


def _cases():
    for seed, (N, d, C, rho) in enumerate([(10, 2, 2, fmpq(1, 2)), (8, 12, 3, fmpq(1, 3)), (6, 24, 2, fmpq(9, 10)),
                                           (20, 5, 4, fmpq(3, 4))]):
        yield f"N={N} d={d} C={C} rho={rho}", (random_dataset(2100 + seed, N, d, C=C, denom=2, span=20), rho)


@claim("KMY25.LemE.3", "Yu et al.'s memorizer has O(N d k) nonzero parameters (counted entry by entry), width "
       "O(d), depth N (k+3) + 3, while its dense count is O(N d^2 k)", {"seeded": _cases},
       source="Kim, Moon & Yun 2025, Lemma E.3 (Yu, Gao & Zhang 2024, Theorem B.6)")
def check(inst):
    D, rho = inst
    pl = yu_plan(D, rho)
    net = ReLUNet.from_sparse(yu_layers(pl), pl["d"])
    b = yu_bounds(D.N, D.d, D.d, D.C, pl["k"])
    nz, dense = nonzero(net), eq3(net)
    return all_of([size_verdict(net, {"nonzero": b["nonzero"], "depth": b["depth"], "width": b["width"]}),
                   Verdict.from_exact(nz == net.nonzero_count(), f"library's nonzero count {net.nonzero_count()} = {nz}"),
                   Verdict.from_exact(nz * 2 <= dense, f"nonzero {nz} <= half the dense count {dense}")],
                  f"N = {D.N}, d = {D.d}, k = {pl['k']}")
