"""KMY25 Lemma A.1: for a k-dim subspace Z of R^d, sum_j ||P_Z e_j||^2 = k and some e_j is within sqrt(1 - k/d).

The bound 1 - k/d is written here from the lemma (d and k read off the basis, not from ``lemma_a1``'s own bound),
and it is reached: on the balanced subspaces span(1, ..., 1) (k = 1, P_jj = 1/d) and its orthogonal complement
(k = d - 1, P_jj = 1 - 1/d) every dist(e_j, Z)^2 equals 1 - k/d, so a bound weakened by any amount is refuted."""
from flint import fmpq, fmpq_mat

from exactmem import Verdict
from exactmem.claims import claim
from exactmem.lower import lemma_a1

from ._instances import random_subspace


def _random():
    for d in range(1, 8):
        for k in range(1, d + 1):
            yield f"d={d} k={k}", random_subspace(1000 * d + k, d, k)


def _balanced():
    for d in range(2, 8):
        ones = fmpq_mat([[1] for _ in range(d)])                                      # span(1, ..., 1): k = 1
        perp = fmpq_mat([[1 if i == j else (-1 if i == j + 1 else 0) for j in range(d - 1)] for i in range(d)])
        yield f"d={d} k=1 span(1,...,1)", (ones, True)                                # e_j - e_(j+1): k = d - 1
        yield f"d={d} k={d - 1} (1,...,1)^perp", (perp, True)


@claim("KMY25.LemA.1", "trace of a rank-k projector is k; min_j dist(e_j, Z)^2 <= 1 - k/d (exact), with equality on "
       "balanced subspaces", {"seeded random subspaces": _random, "balanced subspaces (equality)": _balanced},
       source="Kim, Moon & Yun 2025, Lemma A.1")
def check(inst):
    A, tight = inst if isinstance(inst, tuple) else (inst, False)
    r = lemma_a1(A)
    d, k = A.nrows(), A.ncols()
    bound = 1 - fmpq(k, d)                                 # the lemma's bound, from the shape of the basis
    ok = r["trace"] == k and r["max_proj_sq"] >= fmpq(k, d) and r["min_dist_sq"] <= bound and \
        r["bound_dist_sq"] == bound and (not tight or r["min_dist_sq"] == bound)
    return Verdict.from_exact(ok, f"trace = {r['trace']} (k = {k}), min dist^2 = {r['min_dist_sq']} <= 1 - k/d = {bound}"
                                  f" (lemma_a1's bound {r['bound_dist_sq']}){'; equality' if tight else ''}",
                              witness={key: str(v) for key, v in r.items()})
