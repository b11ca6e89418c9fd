"""KMY25 Definition 2.2: rho-robust memorization on open balls of radius rho * eps_D, for rho in (0, 1)."""
from flint import fmpq

from exactmem import Dataset, Verdict, all_of, to_rational
from exactmem.claims import claim
from exactmem.ramp1d import ramp_memorizer_1d
from exactmem.robust import robustly_memorizes

from ._instances import random_dataset


def _one_dim():
    yield "two points", (Dataset([[0], [4]], [1, 2]), fmpq(1, 2))
    yield "alternating", (Dataset([[0], [1], [3], ["7/2"], [5]], [1, 2, 3, 1, 2]), fmpq(9, 10))
    for seed in range(8):
        D = random_dataset(100 + seed, N=6 + 2 * seed, d=1, C=2 + seed % 3, denom=1 + seed % 3, span=10)
        yield f"seed={seed}", (D, fmpq(1 + seed, 10))


@claim("KMY25.Def2.2",
       "1-D exact decision: a ramp net built for rho is proved rho-robust and refuted (with witness) above rho",
       {"one-dimensional": _one_dim}, source="Kim, Moon & Yun 2025, Definition 2.2")
def check(inst):
    D, rho = inst
    f = ramp_memorizer_1d(D, rho)
    at_rho = robustly_memorizes(f, D, rho)
    above = (1 + rho) / 2
    v_above = robustly_memorizes(f, D, above)
    parts = [at_rho]
    if not v_above.is_refuted:
        parts.append(Verdict.refuted("the ramp net should fail just above rho but was not refuted",
                                     {"rho'": str(above)}))
    else:  # re-verify the witness independently: it lies in the ball and the output is wrong
        w = v_above.witness
        i, x = w["ball"], [to_rational(t) for t in w["x"]]
        inside = D.in_ball(i, x, above)
        wrong = f(x)[0] != D.labels[i]
        parts.append(Verdict.from_exact(inside and wrong, "witness above rho lies in the ball and is mislabelled",
                                        witness=w))
    return all_of(parts, "decided at rho and just above rho")


def _geometry():
    for seed in range(10):
        yield f"seed={seed}", random_dataset(200 + seed, N=10 + seed, d=1 + seed % 4, C=2 + seed % 3, denom=1 + seed % 3)


@claim("KMY25.Def2.2.range",
       "open balls of different labels are disjoint for every rho <= 1; for rho > 1 two of them meet",
       {"seeded random": _geometry}, source="Kim, Moon & Yun 2025, Sec. 2.2 (why rho is in (0, 1))")
def check_range(D):
    # rho <= 1: ||x_i - x_j||^2 >= 4 eps^2 >= (2 mu)^2 for every different-label pair, so open balls are disjoint
    rows, den = D.integer_form
    four_eps2 = 4 * D.eps_sq
    for i in range(D.N):
        for j in range(i + 1, D.N):
            if D.labels[i] != D.labels[j]:
                d2 = fmpq(sum((a - b) ** 2 for a, b in zip(rows[i], rows[j])), den * den)
                if d2 < four_eps2:
                    return Verdict.refuted("a pair closer than 2 eps_D", {"pair": (i, j)})
    # rho > 1: the midpoint m of the closest pair has ||m - x_i||^2 = eps^2 < rho^2 eps^2 for both
    i, j = D.eps_pair()
    m = [(a + b) / 2 for a, b in zip(D.point(i), D.point(j))]
    d2 = sum(((a - b) ** 2 for a, b in zip(m, D.point(i))), fmpq(0))
    d2j = sum(((a - b) ** 2 for a, b in zip(m, D.point(j))), fmpq(0))
    ok = d2 == D.eps_sq == d2j
    return Verdict.from_exact(ok, "all cross-label pairs >= 2 eps_D apart; the midpoint of the closest pair is at "
                                  "distance exactly eps_D from both, so inside both open balls iff rho > 1",
                              witness={"pair": (i, j)})
