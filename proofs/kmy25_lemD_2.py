"""KMY25 Lemma D.2 (Yu et al. 2024, p = 2, all parameters counted): a rho-robust memorizer with
O(N d^2 (log(d/gamma^2) + log R)) parameters, width O(d), depth O~(N).

exactmem's Yu-style network (constructions/large_rho.py) is checked for its sizes, counted from the matrices,
against docs/sizes.md's explicit form: params <= (d+1)(d+C) + N (k+3)(5d+C+1)(5d+C) + (d+C+2) C + C + 1,
depth = N (k+3) + 3, width <= 5d + C, with Yarotsky's depth k = 1 or 4^k (1 - rho) < 3d (k = O(log(d/(1-rho))),
the scale-free form of log(d/gamma^2)); the construction applies to every rho in (0, 1), not only the large
regime.  Correctness of the same network is Theorem B.14's claim (kernel-certified).
"""
from flint import fmpq

from exactmem import ReLUNet, Verdict, all_of
from exactmem.claims import claim
from exactmem.constructions.large_rho import yu_plan
from exactmem.constructions.layers import yu_layers

from ._instances import random_dataset
from ._sizes import eq3, max_height, size_verdict, yu_bounds, yu_height_bound, yu_k_ok


def _cases():
    for seed, (N, d, C, rho) in enumerate([(10, 1, 2, fmpq(1, 100)), (20, 2, 3, fmpq(1, 10)), (30, 3, 2, fmpq(1, 2)),
                                           (12, 6, 4, fmpq(9, 10)), (8, 4, 2, fmpq(999, 1000)), (60, 2, 5, fmpq(1, 3))]):
        yield f"N={N} d={d} C={C} rho={rho}", (random_dataset(2000 + seed, N, d, C=C, denom=2, span=20), rho)


def yu_sizes(D, rho, net, k, d_in=None, m=None, r_sq=None) -> Verdict:
    """Sizes of a Yu-style network on m coordinates (default: the data's own d) against docs/sizes.md."""
    m = D.d if m is None else m
    d_in = D.d if d_in is None else d_in
    r_sq = rho * rho if r_sq is None else r_sq
    bounds = yu_bounds(D.N, d_in, m, D.C, k)
    parts = [size_verdict(net, bounds, f"N = {D.N}, m = {m}, k = {k}"),
             Verdict.from_exact(yu_k_ok(k, m, r_sq), f"k = {k}: k = 1 or 4^k (1 - r) < 3m = {3 * m}")]
    return all_of(parts, f"Yu-style network, {D.N} centres in R^{m}")


@claim("KMY25.LemD.2", "Yu et al.'s memorizer as built by exactmem: params, depth, width within the explicit "
       "O(N d^2 k) form, k = O(log(d/(1-rho))), for rho from 1/100 to 999/1000 (independent Eq. 3 count)",
       {"seeded": _cases}, source="Kim, Moon & Yun 2025, Lemma D.2 (Yu, Gao & Zhang 2024, Theorem B.6)")
def check(inst):
    D, rho = inst
    pl = yu_plan(D, rho)
    net = ReLUNet.from_sparse(yu_layers(pl), pl["d"])
    h = max_height(net, 1)
    hb = yu_height_bound(D, rho, pl["k"])
    return all_of([yu_sizes(D, rho, net, pl["k"]),
                   Verdict.from_exact(hb.holds(h), f"largest height after the first layer {h} <= {hb}")],
                  f"N = {D.N}, d = {D.d}, rho = {rho}: {eq3(net)} params, depth {len(net.layers)}, k = {pl['k']}, "
                  f"height {h}")
