"""KMY25 Proposition 3.3: robust memorizers shatter k*floor(N/2) points, k = floor(1/(1-rho^2))."""
import itertools
import random

from flint import fmpq

from exactmem import Verdict, all_of
from exactmem.claims import claim
from exactmem.lower import shattering_instance, vc_k


def _exhaustive():
    for d, rho in [(2, fmpq(1, 2)), (2, fmpq(3, 4)), (3, fmpq(4, 5)), (3, fmpq(5, 6)), (4, fmpq(6, 7))]:
        k = vc_k(rho, d)
        for groups in (1, 2):
            if k * groups <= 8:
                yield f"d={d} rho={rho} k={k} groups={groups} (all {2 ** (k * groups)} labellings)", \
                    (d, rho, groups, None, 2)


def _random():
    rng = random.Random(33)
    for d, rho, groups in [(5, fmpq(9, 10), 3), (6, fmpq(19, 20), 4), (8, fmpq(14, 15), 2)]:
        k = vc_k(rho, d)
        for r in range(3):
            yield f"d={d} rho={rho} k={k} groups={groups} #{r}", \
                (d, rho, groups, [rng.choice([1, -1]) for _ in range(k * groups)], 2)


def _check(inst):
    d, rho, groups, labelling, p = inst
    k = vc_k(rho, d, p)
    labellings = [labelling] if labelling else [list(y) for y in itertools.product([1, -1], repeat=k * groups)]
    parts = []
    for y in labellings:
        parts.append(shattering_instance(d, rho, groups, y, p).check())
    # k is the largest integer with (k-1)/k <= rho^p (exact), capped at d: found here by counting up, not by the
    # library's floor(1/(1 - rho^p))
    rp = rho ** p
    k_hand = 1
    while k_hand < d and fmpq(k_hand, k_hand + 1) <= rp:
        k_hand += 1
    parts.append(Verdict.from_exact(k == k_hand, f"k = {k}: the largest integer with (k-1)/k <= rho^{p}, capped at "
                                                 f"d = {d}, is {k_hand}", {"k": k, "k_hand": k_hand}))
    return all_of(parts, f"{len(labellings)} labellings shattered")


@claim("KMY25.Prop3.3", "for every labelling, the two data points per group put each shattered point in the closed "
       "ball of its label, with eps_D >= sqrt(k)", {"exhaustive labellings": _exhaustive, "seeded labellings": _random},
       source="Kim, Moon & Yun 2025, Proposition 3.3")
def check(inst):
    return _check(inst)
