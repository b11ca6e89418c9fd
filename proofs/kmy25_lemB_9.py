"""KMY25 Lemma B.9 (segment lookup, after Vardi et al. Lemma A.5): from u holding n pairwise distinct rho-bit
segments and w holding n c-bit segments, a width-12 network of depth 3 n max(rho, c) + 2n + 2 and bit complexity
n max(rho, c) + 2 returns the j-th c-bit segment of w when x is the j-th rho-bit segment of u, and 0 at every
other natural x.

exactmem's lookup is the second half of its integer memorizer (exactmem/blocks/intmem.py): the segments are
peeled off one bit per layer with exact integer ramps and compared with x by an integer hat.  With one group the
memorizer is exactly "a step table that supplies (u, w), then the lookup", so the claim builds it with
groups = 1 and checks, exhaustively over every natural x below 2^rho + 2, that the output is the j-th label at
the j-th code and 0 elsewhere; width <= 12, depth <= 3 n max(rho, c) + 2n + 2 plus the table's 2 layers,
bits <= n max(rho, c) + 2.  Only integer x are claimed (exactmem's hat is exact at integers, which is all
Lemma B.10 uses); the lemma's real intervals [segment, segment + 1 - eta] are not.
"""
import random

from flint import fmpq_mat

from exactmem import Verdict, all_of
from exactmem.blocks import integer_memorizer
from exactmem.claims import claim

from ._sizes import Bound, size_verdict


def _cases():
    for seed, (n, rho, c) in enumerate([(1, 1, 1), (2, 3, 2), (4, 4, 3), (6, 5, 2), (8, 6, 4), (12, 7, 3)]):
        rng = random.Random(900 + seed)
        codes = rng.sample(range(2 ** rho), n)                  # pairwise distinct rho-bit segments
        labels = [rng.randint(1, 2 ** c - 1) for _ in range(n)]   # c-bit segments (0 is the "no match" output)
        yield f"n={n} rho={rho} c={c}", (codes, labels, rho, c)


@claim("KMY25.LemB.9", "segment lookup: at every natural x below 2^rho + 2 the lookup returns the c-bit segment of w "
       "paired with x's rho-bit segment of u, else 0; width <= 12, depth and bits within the lemma's",
       {"seeded": _cases}, source="Kim, Moon & Yun 2025, Lemma B.9 (Vardi et al. 2022, Lemma A.5)")
def check(inst):
    codes, labels, rho, c = inst
    n = len(codes)
    mem = integer_memorizer(codes, labels, groups=1)
    xs = list(range(2 ** rho + 2))
    out = mem.net.evaluate(fmpq_mat([[x] for x in xs])).entries()
    want = dict(zip(codes, labels))
    bad = next(((x, v) for x, v in zip(xs, out) if v != want.get(x, 0)), None)
    L = max(rho, c)
    sizes = size_verdict(mem.net, {"width": Bound(b=12), "depth": Bound(b=3 * n * L + 2 * n + 2 + 2),
                                   "bits": Bound(b=n * L + 2)}, f"n = {n}")
    return all_of([Verdict.from_exact(mem.groups == 1 and mem.group_size == n, f"one group of {n} segments"),
                   Verdict.from_exact(bad is None, f"exact at all {len(xs)} naturals below 2^rho + 2"
                                      if bad is None else f"F({bad[0]}) = {bad[1]}, expected {want.get(bad[0], 0)}",
                                      witness=None if bad is None else {"x": bad[0], "value": str(bad[1])}),
                   sizes], f"lookup of {n} segments of {rho} and {c} bits")
