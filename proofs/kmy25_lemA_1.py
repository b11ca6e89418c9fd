"""KMY25 Lemma A.1: for a k-dim subspace Z of R^d, sum_j ||P_Z e_j||^2 = k and some e_j is within sqrt(1 - k/d)."""
from exactmem import Verdict
from exactmem.claims import claim
from exactmem.lower import lemma_a1

from ._instances import random_subspace


def _random():
    for d in range(1, 8):
        for k in range(1, d + 1):
            yield f"d={d} k={k}", random_subspace(1000 * d + k, d, k)


@claim("KMY25.LemA.1", "trace of a rank-k projector is k; min_j dist(e_j, Z)^2 <= 1 - k/d (exact)",
       {"seeded random subspaces": _random}, source="Kim, Moon & Yun 2025, Lemma A.1")
def check(A):
    r = lemma_a1(A)
    ok = r["trace"] == r["k"] and r["max_proj_sq"] >= r["bound_proj_sq"] and r["min_dist_sq"] <= r["bound_dist_sq"]
    return Verdict.from_exact(ok, f"trace = {r['trace']} (k = {r['k']}), min dist^2 = {r['min_dist_sq']} <= "
                                  f"{r['bound_dist_sq']}", witness={k: str(v) for k, v in r.items()})
