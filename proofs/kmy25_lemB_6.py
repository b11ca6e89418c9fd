"""KMY25 Lemma B.6: a width-2, depth-2 soft indicator of [m, n - eta]."""
from flint import fmpq

from exactmem import Verdict, all_of
from exactmem.blocks import indicator_net, verify_indicator
from exactmem.claims import claim


def _cases():
    for m, n, eta in [(0, 1, fmpq(1, 2)), (2, 5, fmpq(1, 3)), (7, 8, fmpq(1, 100)), (10, 40, fmpq(3, 4)), (1, 2, 1)]:
        yield f"[{m}, {n} - {eta}]", (m, n, eta)


@claim("KMY25.LemB.6", "indicator: 1 on [m, n-eta], 0 off (m-eta, n), within [0,1] between; width 2, 2 hidden layers",
       {"hand-picked": _cases}, source="Kim, Moon & Yun 2025, Lemma B.6")
def check(inst):
    m, n, eta = inst
    F = indicator_net(m, n, eta)
    return all_of([verify_indicator(F, m, n, eta),
                   Verdict.from_exact(F.width <= 2 and F.depth - 1 == 2, f"width {F.width}, {F.depth - 1} hidden layers")],
                  f"indicator of [{m}, {n} - {eta}]")
