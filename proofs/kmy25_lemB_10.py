"""KMY25 Lemma B.10 / Theorem B.4 (d = 1): memorizing N integers with width 12 and O~(sqrt N) parameters.

The sizes are asserted against exactmem's documented bounds (docs/sizes.md): with L the larger of the code
and label bit widths and X = N (L + 2), params <= 170 sqrt X + 120 (L + 2) + 60, depth <= 6 sqrt X + 4 (L + 2) + 3,
bits <= sqrt(2X) + L + 4, width <= 12 -- counted from the matrices, not from ``ReLUNet.param_count``.  A memorizer
of linear size (one group per point, or the one-hidden-layer ramp memorizer) breaks the parameter bound from
N = 300 (resp. N = 30000) on; tests/test_sizes.py applies both.
"""
import random

from exactmem import all_of
from exactmem.blocks import integer_memorizer, verify_integer_memorizer
from exactmem.claims import claim

from ._sizes import b10_bounds, natural_bits, size_verdict


def _inst(sizes):
    def make():
        for N in sizes:
            rng = random.Random(N)
            pts = rng.sample(range(20 * N), N)
            yield f"N={N}", (pts, [rng.randint(1, 7) for _ in range(N)])
    return make


def sizes_of(pts, labs, mem):
    """The size verdict of a memorizer of (pts, labs) against the documented bounds (inputs' own bit widths)."""
    return size_verdict(mem.net, b10_bounds(len(pts), natural_bits(max(pts)), natural_bits(max(labs))),
                        f"N = {len(pts)}")


@claim("KMY25.LemB.10", "F(m_i) = y_i, F = 0 on other naturals (tested densely); width <= 12; params, depth and "
       "bits within exactmem's documented O(sqrt(N L)) bounds (independent Eq. 3 count)",
       {"small": _inst([1, 2, 5, 10, 40, 100, 300]), "large": _inst([1000, 3000])},
       source="Kim, Moon & Yun 2025, Lemma B.10; Vardi et al. 2022, Theorem 3.1", slow_families=("large",),
       uses=('KMY25.LemB.6', 'KMY25.LemB.7', 'KMY25.LemB.8'))
def check(inst):
    pts, labs = inst
    mem = integer_memorizer(pts, labs)
    N = len(pts)
    top = max(pts) + 2
    extra = range(0, top) if top <= 5000 else range(0, top, max(1, top // 3000))
    return all_of([verify_integer_memorizer(mem, extra), sizes_of(pts, labs, mem)],
                  f"N = {N}: depth {mem.net.depth}, {mem.net.param_count()} params")


@claim("KMY25.LemB.10.size", "the integer memorizer's params, depth, width and bits stay within the documented "
       "O(sqrt(N L)) bounds for N up to 30000 (built, not evaluated densely)",
       {"seeded": _inst([1000, 3000, 10000, 30000])},
       source="Kim, Moon & Yun 2025, Lemma B.10 (sizes)")
def check_size(inst):
    pts, labs = inst
    return sizes_of(pts, labs, integer_memorizer(pts, labs))
