"""KMY25 Lemma C.10: if dim Z >= d - t + 1, some e_j with j <= t is within l-inf distance 1/2 of Z."""
from exactmem.claims import claim

from ._instances import random_subspace
from .kmy25_lemC_9 import check_witness


def _random():
    for d in range(2, 8):
        for t in range(1, d + 1):
            for k in range(d - t + 1, d + 1):
                yield f"d={d} t={t} k={k}", (random_subspace(900 + 50 * d + 7 * t + k, d, k), t)


@claim("KMY25.LemC.10", "dim Z >= d-t+1 gives j <= t and z' in Z with ||e_j - z'||_inf <= 1/2 (explicit)",
       {"seeded random subspaces": _random}, source="Kim, Moon & Yun 2025, Lemma C.10")
def check(inst):
    return check_witness(inst)
