"""KMY25 Lemma B.6: a width-2, depth-2 soft indicator of [m, n - eta]; sizes from the matrices: at most
(1+1)2 + (2+1)2 + (2+1) = 13 parameters (width 2, two hidden layers), and for eta = 2^-e at most
bitlen(max(m, n)) + e + 1 bits (the lemma's O(log m + log n + log(1/eta)))."""
from flint import fmpq

from exactmem import Verdict, all_of
from exactmem.blocks import indicator_net, verify_indicator
from exactmem.claims import claim

from ._sizes import Bound, size_verdict


def _cases():
    for m, n, eta in [(0, 1, fmpq(1, 2)), (2, 5, fmpq(1, 3)), (7, 8, fmpq(1, 100)), (10, 40, fmpq(3, 4)), (1, 2, 1),
                      (1000, 1029, fmpq(1, 64)), (5, 9, fmpq(1, 4))]:
        yield f"[{m}, {n} - {eta}]", (m, n, eta)


@claim("KMY25.LemB.6", "indicator: 1 on [m, n-eta], 0 off (m-eta, n), within [0,1] between; width 2, 2 hidden layers",
       {"hand-picked": _cases}, source="Kim, Moon & Yun 2025, Lemma B.6")
def check(inst):
    m, n, eta = inst
    F = indicator_net(m, n, eta)
    bounds = {"params": Bound(b=13), "depth": Bound(b=3), "width": Bound(b=2)}
    eta = fmpq(eta)
    e = int(eta.q).bit_length() - 1
    if eta.p == 1 and eta.q == 2 ** e:            # dyadic eta: a fixed-point format exists
        bounds["bits"] = Bound(b=max(m, n).bit_length() + e + 1)
    return all_of([verify_indicator(F, m, n, eta), size_verdict(F, bounds, "indicator"),
                   Verdict.from_exact(len(F.layers) == 3, f"{len(F.layers) - 1} hidden layers (the lemma's depth 2)")],
                  f"indicator of [{m}, {n} - {eta}]")
