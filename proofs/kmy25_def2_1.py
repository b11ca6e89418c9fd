"""KMY25 Definition 2.1: eps_D is half the least distance between differently labelled points."""
from fractions import Fraction

from exactmem import Verdict, all_of
from exactmem.claims import claim
from exactmem.certify import separation_certificate

from ._instances import basis_and_origin, brute_force_min, random_dataset


def _hand_made():
    from exactmem import Dataset
    for d in range(1, 7):
        # ||e_j - 0|| = 1 and ||e_j - e_k|| = sqrt(2) (same label, ignored): eps = 1/2 by hand
        yield f"basis+origin d={d}", (basis_and_origin(d), Fraction(1, 4), Fraction(1, 2), Fraction(1, 2))
    # same-label points 1/100 apart are ignored; the closest cross pair, (0,0)-(2,0), is 2 apart: eps = 1
    yield "same-label pairs ignored", (Dataset([[0, 0], ["-1/100", 0], [2, 0]], [1, 1, 2]),
                                       Fraction(1), Fraction(1), Fraction(1))
    # a 3-4-5 right triangle: eps_2 = 5/2, eps_1 = 7/2, eps_inf = 2 (by hand)
    yield "3-4-5", (Dataset([[0, 0], [3, 4]], [1, 2]), Fraction(25, 4), Fraction(7, 2), Fraction(2))


def _random():
    for seed in range(12):
        D = random_dataset(seed, N=8 + 3 * seed, d=1 + seed % 5, C=2 + seed % 3, denom=1 + seed % 4, span=12)
        yield f"seed={seed} N={D.N} d={D.d}", (D, None, None, None)


@claim("KMY25.Def2.1",
       "eps_D = half the least distance across labels; fast exact kernel equals a Fraction brute force",
       {"hand-made": _hand_made, "seeded random": _random}, source="Kim, Moon & Yun 2025, Definition 2.1")
def check(inst):
    D, eps2_hand, eps1_hand, epsinf_hand = inst
    parts = []
    for p, hand in ((2, eps2_hand), (1, eps1_hand), ("inf", epsinf_hand)):
        ref = brute_force_min(D, 2 if p == 2 else (1 if p == 1 else "inf"))
        got = D.eps_sq if p == 2 else D.eps(p)
        want = ref / 4 if p == 2 else ref / 2
        ok = Fraction(int(got.p), int(got.q)) == want and (hand is None or want == hand)
        i, j = D.eps_pair(p)
        ok = ok and D.labels[i] != D.labels[j]
        parts.append(Verdict.from_exact(ok, f"l{p}: kernel {got} vs brute force {want}"
                                            + ("" if hand is None else f" vs hand {hand}"),
                                        witness={"p": str(p), "kernel": str(got), "reference": str(want)}))
    parts.append(separation_certificate(D).verify())
    return all_of(parts, "eps_D in l1, l2, l-inf and the kernel")
