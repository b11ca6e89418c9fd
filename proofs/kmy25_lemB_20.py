"""KMY25 Lemmas B.18-B.20 / Prop. B.19: 1-Lipschitz projections that keep the separation (certified exactly)."""
import random

from flint import fmpq

from exactmem import Dataset, Verdict, all_of
from exactmem.blocks import find_projection, m_case_iv, m_small_rho
from exactmem.blocks.projection import identity
from exactmem.certify import projection_certificate
from exactmem.claims import claim


def _m_values():
    # by hand: 864 ln 2 = 598.88 -> 599; 10 ln 10000 = 92.1 -> 93; 864 ln 100 = 3978.9 -> 3979 > 784 -> d
    yield "m(N=2, d=10000) = 599", ((2, 10000), 599)
    yield "m(N=100, d=784) = 784", ((100, 784), 784)
    yield "m(N=2, d=600) = 599", ((2, 600), 599)
    # Case IV: 9 d rho^2 = 9 * 1000 / 25 = 360; 600 ln 1000 = 4144.65 -> 4145
    yield "Case IV m(N=1000, d=1000, 1/5) = 4145", ((1000, 1000, fmpq(1, 5)), 4145)


def _projections():
    for seed, (N, d, m) in enumerate([(20, 64, 24), (40, 256, 40), (30, 784, 64)]):
        rng = random.Random(seed)
        X = [[rng.randint(-8, 8) for _ in range(d)] for _ in range(N)]
        yield f"N={N} d={d} m={m}", (Dataset(X, [1 + i % 2 for i in range(N)]), m)


@claim("KMY25.LemB.20.m", "the paper's choices of m, computed exactly with enclosures of ln",
       {"hand-derived": _m_values}, source="Kim, Moon & Yun 2025, Lemma B.20, Theorem B.14")
def check_m(inst):
    args, want = inst
    got = m_small_rho(*args) if len(args) == 2 else m_case_iv(*args)
    return Verdict.from_exact(got == want, f"m = {got}, by hand {want}")


@claim("KMY25.PropB.19", "exactly orthonormal rational W (W W^T = I) with eps_{WD}^2 >= (5/12)^2 (m/d) eps_D^2, "
       "found by retrying; success rate reported", {"seeded": _projections},
       source="Kim, Moon & Yun 2025, Proposition B.19 / Lemma B.20")
def check(inst):
    D, m = inst
    kappa_sq = fmpq(25, 144) * fmpq(m, D.d)
    P, tries, succ = find_projection(D, m, kappa_sq, "srht", tries=5)
    if P is None:
        return Verdict.refuted(f"no certified projection in {tries} tries", {"successes": succ})
    return all_of([Verdict.from_exact(P.full * P.full.transpose() == identity(m), "W W^T = I exactly"),
                   projection_certificate(D, P.full, kappa_sq).verify(),
                   Verdict.proved(f"separation certified; success rate {succ}/{tries} (proof guarantees >= 1/N "
                                  f"= {fmpq(1, D.N)})", successes=succ, tries=tries)], "projection")
