"""KMY25 Lemma B.15: translations b with dist(x_ij - b_j, Z) >= 1/(2N), and a ceil(log2 6N)-bit one with >= 1/(3N)."""
import random

from flint import fmpq

from exactmem import Verdict, all_of
from exactmem.blocks import midpoint_translation, truncated_translation
from exactmem.certify import lattice_margin_certificate
from exactmem.claims import claim


def _cases():
    yield "worst case: equally spaced fractional parts", [[fmpq(i, 5)] for i in range(5)]
    for seed, (N, m) in enumerate([(1, 1), (2, 3), (7, 2), (30, 4), (200, 3)]):
        rng = random.Random(seed)
        yield f"N={N} m={m}", [[fmpq(rng.randint(-999, 999), rng.randint(1, 60)) for _ in range(m)] for _ in range(N)]


@claim("KMY25.LemB.15", "midpoint translation: margin >= 1/(2N); truncated to ceil(log2 6N) bits: margin >= 1/(3N)",
       {"seeded": _cases}, source="Kim, Moon & Yun 2025, Lemma B.15")
def check(pts):
    N = len(pts)
    b, margin = midpoint_translation(pts)
    bb, mb, K = truncated_translation(pts)
    dyadic = all(2 ** K % int(v.q) == 0 for v in bb)
    return all_of([Verdict.from_exact(margin >= fmpq(1, 2 * N), f"margin {margin} >= 1/(2N)"),
                   Verdict.from_exact(mb >= fmpq(1, 3 * N) and dyadic and 2 ** K >= 6 * N > 2 ** (K - 1),
                                      f"truncated margin {mb} >= 1/(3N) with K = {K} bits"),
                   lattice_margin_certificate(pts, b, fmpq(1, 2 * N)).verify(),
                   lattice_margin_certificate(pts, bb, fmpq(1, 3 * N)).verify()], f"N = {N}")
