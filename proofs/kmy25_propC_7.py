"""KMY25 Proposition C.7: under l-inf with rho > 1/2, the first layer needs width >= min(d, N-1)."""
from flint import fmpq

from exactmem import Verdict, all_of
from exactmem.claims import claim
from exactmem.lower import first_layer_witness, width_bound, width_dataset

from ._instances import random_first_layer


def _cases():
    for N, d, rho in [(4, 3, fmpq(51, 100)), (6, 5, fmpq(3, 5)), (9, 4, fmpq(9, 10)), (4, 7, fmpq(2, 3))]:
        yield f"N={N} d={d} rho={rho}", (N, d, rho)


@claim("KMY25.PropC.7", "l-inf, rho > 1/2: every first layer of width < min(d, N-1) has an exact witness pair",
       {"hand-picked cases": _cases}, source="Kim, Moon & Yun 2025, Proposition C.7")
def check(inst):
    N, d, rho = inst
    D = width_dataset(N, d)
    t = min(N - 1, d)
    parts = [Verdict.from_exact(width_bound(N, d, rho, "inf") == t, f"bound = min(d, N-1) = {t}")]
    for m in range(1, t):
        w = first_layer_witness(random_first_layer(77 * m + N, m, d), D, rho, "inf")
        parts.append(w.certificate().verify() if w.found else Verdict.refuted(w.message, {"m": m}))
    return all_of(parts, f"l-inf witnesses for all widths 1..{t - 1}")
