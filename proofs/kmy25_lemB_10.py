"""KMY25 Lemma B.10 / Theorem B.4 (d = 1): memorizing N integers with width 12 and O~(sqrt N) parameters."""
import random

from exactmem import Verdict, all_of
from exactmem.blocks import integer_memorizer, verify_integer_memorizer
from exactmem.claims import claim


def _inst(sizes):
    def make():
        for N in sizes:
            rng = random.Random(N)
            pts = rng.sample(range(20 * N), N)
            yield f"N={N}", (pts, [rng.randint(1, 7) for _ in range(N)])
    return make


@claim("KMY25.LemB.10", "F(m_i) = y_i, F = 0 on other naturals (tested densely); width <= 12; params <= 600 sqrt(N) log2(20N)",
       {"small": _inst([1, 2, 5, 10, 40, 100, 300]), "large": _inst([1000, 3000])},
       source="Kim, Moon & Yun 2025, Lemma B.10; Vardi et al. 2022, Theorem 3.1", slow_families=("large",))
def check(inst):
    pts, labs = inst
    mem = integer_memorizer(pts, labs)
    N = len(pts)
    top = max(pts) + 2
    extra = range(0, top) if top <= 5000 else range(0, top, max(1, top // 3000))
    bound = 600 * N ** 0.5 * (20 * N).bit_length()
    return all_of([verify_integer_memorizer(mem, extra),
                   Verdict.from_exact(mem.net.width <= 12, f"width {mem.net.width} <= 12"),
                   Verdict.from_exact(mem.net.param_count() <= bound,
                                      f"{mem.net.param_count()} params <= 600 sqrt(N) log2(20N) = {bound:.0f}")],
                  f"N = {N}: depth {mem.net.depth}, {mem.net.param_count()} params")
