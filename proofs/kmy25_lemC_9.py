"""KMY25 Lemma C.9: every nonzero subspace is within l-inf distance 1/2 of some e_j, via z' = (z_j/2) z."""
from flint import fmpq

from exactmem import Verdict
from exactmem.claims import claim
from exactmem.linalg import projector
from exactmem.lower import linf_witness

from ._instances import random_subspace


def _random():
    for d in range(1, 7):
        for k in range(1, d + 1):
            yield f"d={d} k={k}", (random_subspace(500 + 10 * d + k, d, k), None)


def check_witness(inst):
    A, t = inst
    w = linf_witness(A, t)
    P = projector(A)
    zp = w["z_prime"]
    in_Z = [sum((P[i, j] * zp[j] for j in range(len(zp))), 0) for i in range(len(zp))] == zp  # P z' = z'
    ok = in_Z and w["dist_inf"] <= fmpq(1, 2) and (t is None or w["j"] < t)
    return Verdict.from_exact(bool(ok), f"j = {w['j']}: ||e_j - z'||_inf = {w['dist_inf']} <= 1/2, P z' = z'",
                              witness={"j": w["j"], "dist": str(w["dist_inf"])})


@claim("KMY25.LemC.9", "any subspace of dim >= 1 has a point z' with ||e_j - z'||_inf <= 1/2 for some j (explicit)",
       {"seeded random subspaces": _random}, source="Kim, Moon & Yun 2025, Lemma C.9")
def check(inst):
    return check_witness(inst)
