"""Robust memorization against Lipschitz bounds (reference notes on the laws, §7 item 9): no network memorizes
on balls of radius mu > eps_D; a +-1 interpolant has Lip >= 1/eps_D, so its Lipschitz-certified radius is at
most eps_D, and the McShane interpolant reaches eps_D, as a Lipschitz radius and as its exact certified radius."""
from flint import fmpq

from exactmem import Dataset, Verdict, all_of, certified_radius, robustly_memorizes
from exactmem.claims import claim
from exactmem.exact import fmt
from exactmem.lipschitz import data_bound, lipschitz_constant
from exactmem.lipschitz.mcshane import mcshane_net
from exactmem.norms import vec_norm

from ._lipschitz_instances import bounding_box, lip_equals, signed_dataset


def _hand():
    # by hand: the closest opposite pair is (0,0)-(2,0) in both norms, eps_D = 1; the midpoint is (1, 0)
    D = Dataset([[0, 0], [2, 0], [0, 3], [3, 3]], [1, 2, 2, 1])
    yield "4 points, l_inf, eps = 1", (D, [-1, 1, 1, -1], "inf", fmpq(1))
    yield "4 points, l_1, eps = 1", (D, [-1, 1, 1, -1], 1, fmpq(1))


def _seeded():
    for seed, (n, d, p) in enumerate([(5, 2, "inf"), (6, 2, 1)]):
        D, y = signed_dataset(700 + seed, n, d)
        yield f"n={n} d={d} p={p} seed={seed}", (D, y, p, None)


def _slow():
    for seed, (n, d, p) in enumerate([(8, 2, "inf"), (8, 2, 1), (4, 3, "inf")]):
        D, y = signed_dataset(750 + seed, n, d)
        yield f"n={n} d={d} p={p} seed={seed}", (D, y, p, None)


def _norm(u, v, p):
    return vec_norm([a - b for a, b in zip(u, v)], 2 if p == 2 else 1 if p == 1 else float("inf"))


@claim("Law.feasibility",
       "robust memorization needs mu <= eps_D (the midpoint of the closest opposite pair lies in both balls when "
       "mu > eps_D); a +-1 interpolant has Lip >= 1/eps_D, and the McShane interpolant attains it, with exact "
       "certified radius eps_D at the closest pair",
       {"hand-made": _hand, "seeded random": _seeded, "larger": _slow}, slow_families=("larger",),
       source="standard (reference notes §7 item 9, INFERRED); eps_D of Kim, Moon & Yun 2025, Definition 2.1",
       uses=('McShane34.ext', 'KMY25.Def2.1'))
def check(inst):
    D, y, p, eps_by_hand = inst
    X = [D.point(i) for i in range(D.N)]
    eps = D.eps(p)
    parts = []
    if eps_by_hand is not None:
        parts.append(Verdict.from_exact(eps == eps_by_hand, f"eps_D = {fmt(eps)} (by hand {fmt(eps_by_hand)})"))
    i, j = D.eps_pair(p)
    m = [(a + b) / 2 for a, b in zip(X[i], X[j])]
    # ||m - x_i|| = ||m - x_j|| = eps: m is inside both open balls of every radius mu > eps, and a network's
    # value at m cannot carry both labels
    parts.append(Verdict.from_exact(_norm(m, X[i], p) == eps == _norm(m, X[j], p) and D.labels[i] != D.labels[j],
                                    f"the midpoint {[fmt(t) for t in m]} of points {i}, {j} is at distance eps_D from "
                                    f"both", witness={"midpoint": [fmt(t) for t in m]}))
    parts.append(Verdict.from_exact(data_bound(X, y, p).value == 1 / eps, "data_bound of the +-1 labels = 1/eps_D"))
    f = mcshane_net(X, y, p)
    parts.append(Verdict.from_exact(f.evaluate(X).entries() == [fmpq(t) for t in y], "f* interpolates the labels"))
    parts.append(lip_equals(lipschitz_constant(f, p, bounding_box(X)), 1 / eps, "Lip(f*) = 1/eps_D"))
    # the Lipschitz-certified radius |f*(x_k)| / Lip(f*) = eps_D at every point; at the midpoint f* = 0
    parts.append(Verdict.from_exact(f(m)[0] == 0, "f*(midpoint) = 0: the closed ball of radius eps_D fails",
                                    witness={"value": fmt(f(m)[0])}))
    v = robustly_memorizes(f, D, fmpq(99, 100), p, semantics="sign")
    parts.append(v)
    r = certified_radius(f, X[i], D.labels[i], p, semantics="sign")     # >= eps_D by Lip, <= eps_D by m
    if not r.verdict.is_proved:
        parts.append(Verdict.undecided(f"certified radius at point {i}: {r.verdict.reason}"))
    else:
        parts.append(Verdict.from_exact(r.lower == r.upper == eps, f"the certified radius at point {i} is exactly eps_D",
                                        witness={"lower": fmt(r.lower), "upper": fmt(r.upper)}))
    return all_of(parts, f"{D.N} points in R^{D.d}, p = {p}, eps_D = {fmt(eps)}")
