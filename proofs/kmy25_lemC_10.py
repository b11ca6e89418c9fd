"""KMY25 Lemma C.10: if dim Z >= d - t + 1, some e_j with j <= t is within l-inf distance 1/2 of Z.

The hypothesis is sharp, and the claim shows it: Z = span(e_(t+1), ..., e_d) has dim Z = d - t, and for j <= t every
z in Z has (e_j - z)_j = 1, so ||e_j - z||_inf >= 1 > 1/2 (by hand); ``linf_witness`` must refuse such a Z (its
hypothesis check), not return a witness or fail some other way."""
from flint import fmpq_mat

from exactmem import Verdict
from exactmem.claims import claim
from exactmem.errors import DimensionMismatchError
from exactmem.lower import linf_witness

from ._instances import random_subspace
from .kmy25_lemC_9 import check_witness


def _random():
    for d in range(2, 8):
        for t in range(1, d + 1):
            for k in range(d - t + 1, d + 1):
                yield f"d={d} t={t} k={k}", (random_subspace(900 + 50 * d + 7 * t + k, d, k), t)


def _outside():
    for d, t in ((2, 1), (3, 1), (3, 2), (5, 2), (6, 5)):
        Z = fmpq_mat([[1 if i == j else 0 for j in range(t, d)] for i in range(d)])     # span(e_(t+1), ..., e_d)
        yield f"d={d} t={t} k={d - t}: outside the hypothesis", (Z, t, "outside")


@claim("KMY25.LemC.10", "dim Z >= d-t+1 gives j <= t and z' in Z with ||e_j - z'||_inf <= 1/2 (explicit); with "
       "dim Z = d - t it can fail, and the witness search refuses it", {"seeded random subspaces": _random,
                                                                         "outside the hypothesis": _outside},
       source="Kim, Moon & Yun 2025, Lemma C.10")
def check(inst):
    if len(inst) == 2:
        return check_witness(inst)
    Z, t, _ = inst
    try:
        w = linf_witness(Z, t)
    except DimensionMismatchError as e:
        return Verdict.proved(f"dim Z = {Z.ncols()} = d - t: every e_j (j <= t) is at l-inf distance >= 1 from Z (by "
                              f"hand), and the search refuses it: {e}")
    except Exception as e:  # noqa: BLE001 -- not refused by the hypothesis check: it went on and failed
        return Verdict.refuted(f"dim Z = {Z.ncols()} = d - t is outside Lemma C.10's hypothesis, and linf_witness did not "
                               f"refuse it: it went on and raised {type(e).__name__}: {e}", {"raised": type(e).__name__})
    return Verdict.refuted(f"dim Z = {Z.ncols()} = d - t is outside Lemma C.10's hypothesis (every e_j, j <= t, is at "
                           f"distance >= 1), yet linf_witness returned j = {w['j']} at distance {w['dist_inf']}",
                           {"j": w["j"], "dist": str(w["dist_inf"])})
