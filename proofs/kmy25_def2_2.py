"""KMY25 Definition 2.2: rho-robust memorization on open balls of radius rho * eps_D, for rho in (0, 1).

In one dimension a ramp network built for rho is decided by its exact pieces.  In d = 2 and 3 the networks are
*band networks* whose exact robust radius is known by hand: f(x) = 1 + sum_k c_k clip((v_k . x - a_k)/(b_k - a_k))
(clip(t) = relu(t) - relu(t - 1)), every data point outside every open band a_k < v_k . x < b_k and labelled
1 + sum of the c_k of the bands it lies above.  f = y_i on the closed polyhedron of the points on x_i's side of
every band, so f is right on the open ball B_p(x_i, r) exactly when the ball lies on that side of each band:
r <= r_i = min_k gap_ik / ||v_k||_q (Hoelder; q dual to p, gap_ik the distance of v_k . x_i to the band).  With
c = (1, 2) no crossing of other bands can bring the output back to y_i on an open set, so just above
r* = min_i r_i the argmin ball has a wrong output.  Directions with integer l_2 norm ((3, 4), (1, 2, 2), ...) make
r* rational for p = 1, 2 and inf alike.
"""
from flint import fmpq

from exactmem import Dataset, Verdict, all_of, to_rational
from exactmem.claims import claim
from exactmem.ramp1d import ramp_memorizer_1d
from exactmem.robust import robustly_memorizes

from ._bands import band_dataset, band_net, band_radii
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


# -- d >= 2: band networks with a hand-derived robust radius ------------------------------------------------------

def _norm_lt(u, r, p) -> bool:
    """||u||_p < r, exactly (squares for p = 2)."""
    if p == 1:
        return sum((abs(t) for t in u), fmpq(0)) < r
    if p == "inf":
        return max(abs(t) for t in u) < r
    return sum((t * t for t in u), fmpq(0)) < r * r


def _hand():
    # v = (3, 4) (||v||_2 = 5, ||v||_1 = 7, ||v||_inf = 4), band [5, 20]; (0, 0) -> 1 (v.x = 0, gap 5), (4, 3) -> 2
    # (v.x = 24, gap 4).  l2: r* = 4/5, eps = 5/2, rho* = 8/25; l1: r* = min(5/4, 4/4) = 1, eps = 7/2, rho* = 2/7;
    # l_inf: r* = 4/7, eps = 2, rho* = 2/7
    D2, b2 = Dataset([[0, 0], [4, 3]], [1, 2]), [((3, 4), 5, 20, 1)]
    for p, r, rho in ((2, fmpq(4, 5), fmpq(8, 25)), (1, fmpq(1), fmpq(2, 7)), ("inf", fmpq(4, 7), fmpq(2, 7))):
        yield f"R^2 (3,4) band, l{p}", (D2, b2, p, r, rho)
    # v = (1, 2, 2) (norms 3, 5, 2), band [3, 6]; (0, 0, 0) -> 1 (gap 3), (2, 2, 1) -> 2 (v.x = 8, gap 2), distance
    # 3 (l2), 5 (l1), 2 (l_inf).  l2: r* = 2/3, rho* = 4/9; l1: r* = 1, rho* = 2/5; l_inf: r* = 2/5, rho* = 2/5
    D3, b3 = Dataset([[0, 0, 0], [2, 2, 1]], [1, 2]), [((1, 2, 2), 3, 6, 1)]
    for p, r, rho in ((2, fmpq(2, 3), fmpq(4, 9)), (1, fmpq(1), fmpq(2, 5)), ("inf", fmpq(2, 5), fmpq(2, 5))):
        yield f"R^3 (1,2,2) band, l{p}", (D3, b3, p, r, rho)


def _seeded(cases):
    def make():
        for seed, N, d in cases:
            D, bands = band_dataset(seed, N, d)
            for p in (1, 2, "inf"):
                yield f"seed={seed} N={N} d={d} l{p}", (D, bands, p, None, None)
    return make


ABOVE = fmpq(101, 100)


@claim("KMY25.Def2.2.dims",
       "d = 2, 3, l1, l2, l_inf: a band network whose exact robust radius r* = min_i min_k gap_ik / ||v_k||_q is "
       "derived by hand is proved robust on the open balls of radius r* by the kernel and refuted at 1.01 r*; the "
       "witness is re-checked (strictly inside the ball of a point with r_i < 1.01 r*, exact output != label)",
       {"hand-derived": _hand, "seeded": _seeded([(1, 8, 2)]), "larger": _seeded([(2, 12, 2), (3, 8, 3), (4, 10, 3)])},
       source="Kim, Moon & Yun 2025, Definition 2.2 (Definition C.2 for l1, l_inf)", slow_families=("larger",))
def check_dims(inst):
    D, bands, p, want_r, want_rho = inst
    f = band_net(bands)
    radii = band_radii(D, bands, p)
    r = min(radii)
    parts = []
    if want_r is not None:                      # the hand values: r* and rho* = r* / eps_{D,p}
        eps_ok = (r * r == want_rho * want_rho * D.eps_sq) if p == 2 else r == want_rho * D.eps(p)
        parts.append(Verdict.from_exact(r == want_r and eps_ok, f"r* = {r}, rho* = r*/eps = {want_rho} by hand"))
    at = robustly_memorizes(f, D, radius=r, p=p)
    above = robustly_memorizes(f, D, radius=r * ABOVE, p=p)
    parts.append(at)
    if not above.is_refuted:
        parts.append(Verdict.refuted(f"the band network should fail on the balls of radius {ABOVE} r* but was "
                                     f"{above.status.value}", {"r*": str(r)}))
    else:                                       # re-check the witness: inside the open ball, wrong output
        w = above.witness
        i, x = w["ball"], [to_rational(t) for t in w["x"]]
        u = [a - b for a, b in zip(x, D.point(i))]
        inside = _norm_lt(u, r * ABOVE, p)
        wrong = f(x)[0] != D.labels[i]
        parts.append(Verdict.from_exact(inside and wrong and radii[i] < r * ABOVE,
                                        f"witness in ball {i} (r_{i} = {radii[i]}): inside {inside}, output "
                                        f"{f(x)[0]} vs label {D.labels[i]}", witness=w))
    return all_of(parts, f"r* = {r} (l_{p}): proved at r*, refuted at {ABOVE} r*")
