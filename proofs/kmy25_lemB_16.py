"""KMY25 Lemma B.16: Floor_n equals floor(x) on [0, 2^n) where frac(x) > gamma; width 5, 5n ReLUs, 2n + log2 t bits.
An n-layer width-5 net with one input and one output has at most (1+1)5 + (n-1)(5+1)5 + (5+1) = 30n - 14
parameters: asserted with the count from the matrices."""
from flint import fmpq

from exactmem import Verdict, all_of
from exactmem.blocks import floor_delta_net, floor_net, verify_floor
from exactmem.claims import claim

from ._sizes import Bound, size_verdict


def _cases(ns, ts):
    def make():
        for n in ns:
            for t in ts:
                yield f"n={n} t={t}", (n, t)
    return make


@claim("KMY25.LemB.16", "Floor_n is exact on every piece where frac(x) >= 1/t; width <= 5, ReLUs <= 5n, "
       "bits <= 2n + log2 t", {"small": _cases(range(1, 7), (2, 3, 4, 7, 16)), "large": _cases((9, 10), (4, 5))},
       source="Kim, Moon & Yun 2025, Lemma B.16", slow_families=("large",))
def check(inst):
    n, t = inst
    f = floor_net(n, t)
    parts = [verify_floor(f, n, fmpq(1, t))]
    bits = f.bit_complexity()
    log2t = t.bit_length() - 1 if t & (t - 1) == 0 else None
    parts.append(Verdict.from_exact(sum(W.nrows() for W, _ in f.layers[:-1]) <= 5 * n,
                                    f"{sum(f.widths)} ReLUs <= 5n = {5 * n}"))
    parts.append(size_verdict(f, {"width": Bound(b=5), "depth": Bound(b=n + 1), "params": Bound(b=30 * n - 14)},
                              f"Floor_{n}"))
    if log2t is not None:
        parts.append(Verdict.from_exact(bits <= 2 * n + log2t, f"{bits} bits <= 2n + log2 t = {2 * n + log2t}"))
    if n <= 5:  # the notes' reconstruction of the paper's own block is exact too (width 6, see errata)
        parts.append(verify_floor(floor_delta_net(n, t), n, fmpq(1, t)))
    return all_of(parts, f"Floor_{n}, gamma = 1/{t}")
