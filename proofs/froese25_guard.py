"""Computing the Lipschitz constant of a two-layer ReLU network is NP-hard, and W[1]-hard in the dimension
(Froese, Grillo, Hertrich & Stargalla 2025; Virmaux & Scaman 2018): no method avoids exponential work in
general (reference notes on the law of robustness, §7 item 22).  What a tool owes its user then is honesty:
with a budget, ``lipschitz_constant`` returns an interval the kernel certifies -- never an estimate -- says
that it stopped, and the interval contains the exact constant (computed here without a budget).  The walk's
region count is reported beside Buck's bound sum_{i <= d} C(k, i)."""
import math

from exactmem import Verdict, box
from exactmem.claims import claim
from exactmem.lipschitz import lipschitz_constant

from .law_two_layer import two_layer


def _instances():
    for seed, d, k in ((0, 3, 12), (1, 4, 14)):
        yield f"d = {d}, k = {k}", (seed, d, k)


def _slow():
    yield "d = 5, k = 30", (2, 5, 30)


@claim("Froese25.guard", "a budget gives a certified interval that contains the exact constant and says it "
       "stopped; the exact constant needs the full walk", {"seeded": _instances, "larger": _slow},
       source="Froese, Grillo, Hertrich & Stargalla 2025 (NP- and W[1]-hardness); reference notes §7 item 22",
       slow_families=("larger",),
       uses=('Buck43.cells',))
def check(inst):
    seed, d, k = inst
    net = two_layer(seed, d, k)
    S = box([-2] * d, [2] * d)
    exact = lipschitz_constant(net, 2, S)
    cut = lipschitz_constant(net, 2, S, budget=1e-9)                   # stops right after the first region
    buck = sum(math.comb(k, i) for i in range(d + 1))
    ok = exact.is_exact and cut.verdict.is_proved and cut.stopped is not None and not cut.is_exact and \
        cut.lower_sq <= exact.upper_sq <= cut.upper_sq
    return Verdict.from_exact(ok, f"exact Lip^2 = {exact.upper_sq} after {exact.regions} regions (Buck's bound "
                              f"{buck}); with the budget: [{float(cut.lower_sq):.6g}, {float(cut.upper_sq):.6g}], "
                              f"{cut.stopped}")
