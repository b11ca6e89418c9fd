"""KMY25 Proposition C.6: l_p first-layer width bounds (p >= 2: rho^2 t; p < 2: rho^2 d^(1-2/p) t)."""
from flint import fmpq

from exactmem import Verdict, all_of
from exactmem.claims import claim
from exactmem.exact import ceil_q
from exactmem.lower import first_layer_witness, width_bound, width_dataset

from ._instances import random_first_layer


def _cases():
    # (N, d, rho, p); p = 1 needs rho^2 t / d > 1 for a nontrivial width, i.e. small d;
    # p = inf only with rho <= 1/2 (above 1/2, Proposition C.7's stronger bound applies)
    for N, d, rho, p in [(9, 8, fmpq(1, 2), "inf"), (12, 11, fmpq(2, 5), "inf"), (9, 4, fmpq(9, 10), 2)]:
        yield f"N={N} d={d} rho={rho} p={p}", (N, d, rho, p)


@claim("KMY25.PropC.6", "l_p width bound: below it an exact l_p witness pair exists (kernel-verified)",
       {"hand-picked cases": _cases}, source="Kim, Moon & Yun 2025, Proposition C.6")
def check(inst):
    N, d, rho, p = inst
    D = width_dataset(N, d)
    b = width_bound(N, d, rho, p)
    t = min(N - 1, d)
    want = rho * rho * t / d if p == 1 else rho * rho * t  # p = 1: d^(1 - 2/p) = 1/d (by hand)
    if b <= 1:
        return Verdict.refuted(f"instance chosen badly: bound {b} gives no width to test", {})
    parts = [Verdict.from_exact(b == want, f"bound {b} = {want}")]
    for m in range(1, ceil_q(b)):
        w = first_layer_witness(random_first_layer(31 * m + d, m, d), D, rho, p)
        parts.append(w.certificate().verify() if w.found else
                     Verdict.refuted(w.message, {"m": m}))
    return all_of(parts, f"l_{p} witnesses below width {b}")


def _l1_grid():
    for N in (2, 3, 10, 100):
        for d in (1, 2, 5, 50):
            for rho in (fmpq(1, 100), fmpq(1, 2), fmpq(999, 1000)):
                yield f"N={N} d={d} rho={rho}", (N, d, rho)


@claim("KMY25.PropC.6.l1", "finding: for p = 1 the width bound rho^2 min(N-1,d)/d is below 1, so never above the "
       "trivial width 1", {"grid": _l1_grid}, source="Kim, Moon & Yun 2025, Proposition C.6 (p = 1)")
def check_l1(inst):
    N, d, rho = inst
    b = width_bound(N, d, rho, 1)
    # in general: min(N-1, d) <= d, so b <= rho^2 < 1
    return Verdict.from_exact(b == rho * rho * min(N - 1, d) / d and b < 1, f"bound {b} < 1")
