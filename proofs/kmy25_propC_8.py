"""KMY25 Proposition C.8: the shattering construction in l_p, k = floor(1/(1 - rho^p))."""
import random

from flint import fmpq

from exactmem.claims import claim

from .kmy25_prop3_3 import _check


def _cases():
    rng = random.Random(8)
    for d, rho, p, groups in [(3, fmpq(3, 4), 1, 2), (4, fmpq(4, 5), 1, 1), (3, fmpq(9, 10), 3, 2), (5, fmpq(5, 6), 4, 1)]:
        yield f"d={d} rho={rho} p={p} all labellings", (d, rho, groups, None, p)
    for d, rho, p in [(6, fmpq(6, 7), 1), (6, fmpq(19, 20), 3)]:
        from exactmem.lower import vc_k
        k = vc_k(rho, d, p)
        yield f"d={d} rho={rho} p={p} random", (d, rho, 3, [rng.choice([1, -1]) for _ in range(3 * k)], p)
    # on the sphere: for p = 1, rho = (k - 1)/k gives k = floor(1/(1 - rho)) exactly and mu = rho eps_1 = k - 1 (eps_1 = k),
    # so every shattered point is at distance exactly mu from its data point -- in the closed ball the proposition
    # uses, not in the open one (p = 2, 3, 4 cannot reach it with a rational rho: (k - 1)/k is no square or higher power)
    for d, rho in [(3, fmpq(1, 2)), (4, fmpq(2, 3)), (5, fmpq(4, 5))]:
        yield f"d={d} rho={rho} p=1 on the sphere (distance = mu), all labellings", (d, rho, 1, None, 1)


@claim("KMY25.PropC.8", "l_p shattering: each shattered point is at l_p distance (k-1)^(1/p) <= mu from its data point",
       {"l1 and integer p": _cases}, source="Kim, Moon & Yun 2025, Proposition C.8")
def check(inst):
    return _check(inst)
