"""KMY25 Remark B.2 (tight bit complexity): with P parameters of B bits, robust memorization of N points forces
B >~ N / P, so O~(sqrt N) parameters need O~(sqrt N) bits and O~(N d^1/4 rho^1/2) parameters need
O~(1/(d^1/4 rho^1/2)) bits -- and the constructions meet this, B P = O~(N).

The paper's necessity argument goes through a VC bound with hidden constants; exactmem checks an exact counting
form of it on the integer memorizer, whose architecture depends only on (N, code bits, label bits): a fixed
architecture with P parameters of B fixed-point bits (and a sign) realises at most 2^(P(B+1)) functions, and all
C^N labellings of the same N points must be realised, so 2^(P(B+1)) >= C^N (checked exactly; the architecture is
checked to be the same for a second labelling).  Tightness, on the integer memorizer and on the small and moderate
regime networks: B P <= 10 N (L + 2)(m + 12)^2, L = m n + bitlen(C) the code width (m = 1 for the integer
memorizer) -- a network whose bits grew linearly in N (one packed group) would break it.
"""
import math
import random

from flint import fmpq

from exactmem import Verdict, all_of
from exactmem.blocks import integer_memorizer
from exactmem.claims import claim

from ._sizes import bits, eq3, grid_bits_max, natural_bits


def _intmem():
    for N in (10, 100, 1000, 5000):
        rng = random.Random(7 * N)
        pts = rng.sample(range(20 * N), N)
        yield f"integer memorizer N={N}", ("intmem", pts, [1 + i % 5 for i in range(N)])


def _networks():
    from exactmem.sizes import seeded_dataset
    for N, d in [(300, 1), (1000, 2)]:
        yield f"small N={N} d={d}", ("small", seeded_dataset(N, d), fmpq(1, 5 * N * d))
    for N, d, g in [(1000, 1, 100), (200, 2, 10)]:
        sq = math.isqrt(d) + (0 if math.isqrt(d) ** 2 == d else 1)
        yield f"moderate N={N} d={d} g={g}", ("moderate", seeded_dataset(N, d), fmpq(1, 5 * g * sq))


def tight(N: int, B: int, P: int, L: int, m: int) -> Verdict:
    bound = 10 * N * (L + 2) * (m + 12) ** 2
    return Verdict.from_exact(B * P <= bound, f"bits x params = {B} x {P} = {B * P} <= 10 N (L+2)(m+12)^2 = {bound}",
                              witness={"bits": B, "params": P, "bound": bound})


@claim("KMY25.RemB.2", "bits and parameters trade off as Remark B.2 says: 2^(P(B+1)) >= C^N for the integer "
       "memorizer's fixed architecture, and B P = O~(N) for the integer memorizer and the small and moderate networks",
       {"integer memorizer": _intmem, "constructions": _networks}, source="Kim, Moon & Yun 2025, Remark B.2")
def check(inst):
    kind = inst[0]
    if kind == "intmem":
        _, pts, labs = inst
        mem = integer_memorizer(pts, labs)
        other = integer_memorizer(pts, [1 + (y % 5) for y in labs])        # another labelling, same label bits
        P, B, N, C = eq3(mem.net), bits(mem.net), len(pts), max(labs)
        counting = (C ** N - 1).bit_length() <= P * (B + 1)              # 2^(P(B+1)) >= C^N, exactly
        return all_of([Verdict.from_exact(other.net.dims == mem.net.dims, "the architecture does not depend on the labels"),
                       Verdict.from_exact(counting, f"2^(P(B+1)) = 2^{P * (B + 1)} >= C^N = {C}^{N}"),
                       tight(N, B, P, max(natural_bits(max(pts)), natural_bits(C)), 1)],
                      f"N = {N}: P = {P}, B = {B}")
    _, D, rho = inst
    from exactmem.blocks import m_small_rho
    m = m_small_rho(D.N, D.d)
    if kind == "small":
        from exactmem.constructions.small_rho import small_rho_network, small_rho_plan
        net, n = small_rho_network(small_rho_plan(D, rho)), grid_bits_max(D, rho, D.N)
    else:
        from exactmem.constructions.moderate_rho import moderate_rho_network, moderate_rho_plan
        from ._sizes import group_of
        from .kmy25_thmB_5 import ETA
        net, n = moderate_rho_network(moderate_rho_plan(D, rho, ETA)), grid_bits_max(D, rho, group_of(D.N, D.d, rho))
    B = bits(net, 1)
    return all_of([tight(D.N, B, eq3(net), m * n + natural_bits(D.C), m)],
                  f"{kind}: bits after the first layer {B}, {eq3(net)} params")
