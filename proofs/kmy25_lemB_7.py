"""KMY25 Lemma B.7: a step table F(x) = w_ceil(i/N2) on [m_i, m_i + 1 - eta], width 4, depth 3 N1 + 2; the
parameters of any network of that width and depth with outputs (x, F(x)) are at most
(1+1)4 + (3 N1 + 1)(4+1)4 + (4+1)2 = 60 N1 + 38 (counted from the matrices)."""
import random

from flint import fmpq

from exactmem import Verdict, all_of
from exactmem.blocks import step_table_net
from exactmem.claims import claim
from exactmem.pl1d import constant_on

from ._sizes import Bound, size_verdict


def _cases():
    for seed, (N1, N2) in enumerate([(1, 3), (3, 2), (5, 4), (8, 3), (20, 2)]):
        rng = random.Random(seed)
        ms = sorted(rng.sample(range(0, 6 * N1 * N2), N1 * N2))
        ws = [rng.randint(0, 9) for _ in range(N1)]
        yield f"N1={N1} N2={N2}", (ms, ws, N2, fmpq(1, 2 + seed))


@claim("KMY25.LemB.7", "step table: constant w_j on [m_i, m_i + 1 - eta] for the points of group j; width <= 4",
       {"seeded": _cases}, source="Kim, Moon & Yun 2025, Lemma B.7")
def check(inst):
    ms, ws, N2, eta = inst
    groups = [ms[j * N2:(j + 1) * N2] for j in range(len(ws))]
    ranges = [(g[0], g[-1] + 1 - eta) for g in groups]
    # consecutive naturals are >= 1 apart, so ranges of width eta transitions never overlap when eta <= 1/2
    F = step_table_net(ranges, [(w,) for w in ws], eta / 2)
    N1 = len(ws)
    parts = [size_verdict(F, {"width": Bound(b=4), "depth": Bound(b=3 * N1 + 2), "params": Bound(b=60 * N1 + 38)},
                          f"N1 = {N1}")]
    for g, w in zip(groups, ws):
        for m in g:
            parts.append(constant_on(F, m, m + 1 - eta, w, output=1))
            parts.append(Verdict.from_exact(F([m])[1] == w and F([m + 1 - eta])[1] == w, f"end points of [{m}, ..]"))
    return all_of(parts, f"{len(ms)} intervals proved constant")
