"""Bubeck & Sellke 2021, §3 (two-layer specialisation): a k-neuron two-layer network x -> sum_l a_l psi(w_l.x + b_l)
has p = k(d+2) parameters, k(d+2) + 1 with an output bias (reference notes §7, item 16).

Three counts are compared on every small (d, k): the catalog's formula, exactmem's ``ReLUNet.param_count()``
(which always counts the output bias, zeros included) and the number of stored entries of the network built.
"""
import random


from exactmem import ReLUNet, Verdict
from exactmem.bounds.law_catalog import TWO_LAYER_PARAMS, d, k
from exactmem.claims import claim


def _shapes():
    for dv in range(1, 7):
        for kv in range(1, 9):
            yield f"d = {dv}, k = {kv}", (dv, kv)


@claim("BS21.Sec3.params", "p = k(d+2) for a two-layer network without output bias, k(d+2) + 1 with one: the "
       "formula equals ReLUNet.param_count() - 1 and the count of stored entries, for d <= 6, k <= 8",
       {"every small (d, k)": _shapes}, source="Bubeck & Sellke 2021, §3 (two-layer specialisation)")
def check(inst):
    dv, kv = inst
    rng = random.Random(1000 * dv + kv)
    Wm = [[rng.randint(-3, 3) for _ in range(dv)] for _ in range(kv)]     # rows w_l
    b = [rng.randint(-3, 3) for _ in range(kv)]
    a = [[rng.randint(-3, 3) for _ in range(kv)]]                          # output weights a_l
    net = ReLUNet([(Wm, b), (a, [0])])                                     # output bias c = 0: still a parameter
    formula = int(TWO_LAYER_PARAMS.subs({d: dv, k: kv}))
    stored = sum(1 for _ in net.parameters())
    ok = net.param_count() == formula + 1 == stored and net.dims == [dv, kv, 1]
    return Verdict.from_exact(bool(ok), f"k(d+2) = {formula}; param_count() = {net.param_count()}; stored entries "
                              f"= {stored} (the +1 is the output bias)", witness={"formula": formula,
                              "param_count": net.param_count(), "stored": stored})
