"""KMY25 Lemma A.2: if dim Z = k >= d - t then min_{j<=t} dist(e_j, Z)^2 <= (d - k)/t, and this is tight."""
from exactmem import Verdict
from exactmem.claims import claim
from exactmem.lower import lemma_a2, tight_subspace_a2
from exactmem.linalg import projector

from ._instances import random_subspace


def _random():
    for d in range(2, 8):
        for t in range(1, d + 1):
            for k in range(max(1, d - t), d + 1):
                yield f"d={d} t={t} k={k}", (random_subspace(7 * d + 31 * t + k, d, k), t, False)


def _tight():
    for d in range(2, 9):
        for t in range(1, d + 1):
            for k in range(d - t, d):
                s = t - (k - d + t)
                if s and t % s == 0:
                    yield f"d={d} t={t} k={k}", (tight_subspace_a2(d, t, k), t, True)


@claim("KMY25.LemA.2", "min_{j<=t} dist(e_j, Z)^2 <= (d-k)/t for dim Z = k >= d-t; equality on balanced subspaces",
       {"seeded random subspaces": _random, "tight instances": _tight}, source="Kim, Moon & Yun 2025, Lemma A.2")
def check(inst):
    A, t, tight = inst
    r = lemma_a2(A, t)
    if not tight:
        return Verdict.from_exact(r["min_dist_sq"] <= r["bound"], f"{r['min_dist_sq']} <= {r['bound']}",
                                  witness={"min": str(r["min_dist_sq"]), "bound": str(r["bound"])})
    P = projector(A)
    dists = [1 - P[j, j] for j in range(t)]
    ok = A.ncols() == r["k"] and all(v == r["bound"] for v in dists)
    return Verdict.from_exact(ok, f"dist(e_j, Z)^2 = {r['bound']} = (d-k)/t for every j <= t: the bound is attained",
                              witness=[str(v) for v in dists])
