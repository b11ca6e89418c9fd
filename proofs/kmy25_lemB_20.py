"""KMY25 Proposition B.19 and Lemma B.20: 1-Lipschitz projections that keep the separation, at the paper's m.

* ``KMY25.LemB.20.m``: the paper's choices of m computed exactly with enclosures of ln, against hand values, each
  inside its own case (Lemma B.20; Theorem B.14 Cases IV and V with m <= d, resp. m <= N).
* ``KMY25.PropB.19``: with m = ceil(24 alpha^-2 ln N) <= d (the hypothesis, not below it), an exactly orthonormal W
  and beta with the two-sided bound of Lemma B.18 give eps_{WD} >= (1 - alpha) beta eps_D, checked exactly on
  squares, and WD is again a dataset (distinct points); Lemma B.18's exponent step is decided at the instance's
  own m.
* ``KMY25.LemB.20``: alpha = 1/6, m = min(d, max(ceil(864 ln N), ceil(10 ln d))): the identity when m = d, else an
  SRHT with eps_{WD}^2 >= (5/12)^2 (m/d) eps_D^2; the constants 24 / (1/6)^2 = 864 and (1 - 1/6)(1/2) = 5/12 are
  checked, and m <= d in the projected case uses Lemma B.22 (d >= 864 ln 2 > e^4).
"""
import random

from flint import fmpq

from exactmem import Dataset, Verdict, all_of
from exactmem.blocks import find_projection, m_case_iv, m_case_v, m_small_rho, projected_eps_sq
from exactmem.claims import claim
from exactmem.errors import ExactmemError
from exactmem.exact import ceil_log

from .kmy25_lemB_18 import exponent_step, find_two_sided, is_pm_orthonormal, paper_m


def _m_values():
    # by hand: 864 ln 2 = 598.88 -> 599; 10 ln 10000 = 92.1 -> 93; 864 ln 100 = 3978.9 -> 3979 > 784 -> d
    yield "m(N=2, d=10000) = 599", ("B.20", (2, 10000), 599)
    yield "m(N=100, d=784) = 784", ("B.20", (100, 784), 784)
    yield "m(N=2, d=600) = 599", ("B.20", (2, 600), 599)
    # where 10 ln d is the larger term: ln 10^27 = 27 * 2.3025851 = 62.16980, so 10 ln d = 621.698 -> 622 > 599; and at
    # N = 1, 864 ln 1 = 0 while 10 ln 10^4 = 92.103 -> 93
    yield "m(N=2, d=10^27) = 622", ("B.20", (2, 10 ** 27), 622)
    yield "m(N=1, d=10000) = 93", ("B.20", (1, 10000), 93)
    # Case IV needs N >= d >= 600 ln N.  N = 6000: ln 6000 = ln 6 + 3 ln 10 = 1.791759 + 6.907755 = 8.699515,
    # 600 ln N = 5219.71 -> 5220 <= d = 5500 <= N; 9 d rho^2 = 9 * 5500 / 16 = 3093.75 -> 3094; 10 ln 5500 = 86.1 -> 87
    yield "Case IV m(N=6000, d=5500, 1/4) = 5220", ("IV", (6000, 5500, fmpq(1, 4)), 5220)
    # rho = 3/10: 9 * 5500 * 9/100 = 4455 exactly
    yield "Case IV m(N=6000, d=5500, 3/10) = 5220", ("IV", (6000, 5500, fmpq(3, 10)), 5220)
    # N = 20000, d = 10000: 600 ln 20000 = 600 * 9.903488 = 5942.09 -> 5943 <= d; 9 d rho^2 = 9 * 10^4 / 9.61... rho = 3/10:
    # 9 * 10000 * 9/100 = 8100 exactly -> 8100
    yield "Case IV m(N=20000, d=10000, 3/10) = 8100", ("IV", (20000, 10000, fmpq(3, 10)), 8100)
    # Case V: d > N >= 600 ln N; N = 6000: 9 N rho^2 = 9 * 6000 / 16 = 3375, 600 ln N -> 5220
    yield "Case V m(N=6000, d=10^4, 1/4) = 5220", ("V", (6000, 10 ** 4, fmpq(1, 4)), 5220)


@claim("KMY25.LemB.20.m", "the paper's choices of m, computed exactly with enclosures of ln, each inside its case "
       "(Case IV: N >= d >= 600 ln N and m <= d; Case V: d > N >= 600 ln N and m <= N)",
       {"hand-derived": _m_values}, source="Kim, Moon & Yun 2025, Lemma B.20, Theorem B.14")
def check_m(inst):
    kind, args, want = inst
    if kind == "B.20":
        got = m_small_rho(*args)
        return Verdict.from_exact(got == want and got <= args[1], f"m = {got}, by hand {want}, m <= d")
    N, d, rho = args
    t = int(ceil_log(N, 600))                     # d >= 600 ln N  <=>  d >= ceil(600 ln N) for an integer d
    if kind == "IV":
        got = m_case_iv(N, d, rho)
        in_case = N >= d >= t and 25 * d * rho * rho > 1 and rho < fmpq(1, 3)
        return Verdict.from_exact(got == want and in_case and got <= d,
                                  f"Case IV (N >= d >= 600 ln N: {in_case}): m = {got}, by hand {want}, m <= d")
    got = m_case_v(N, rho)
    in_case = d > N >= t and 25 * d * rho * rho > 1 and rho < fmpq(1, 3)
    return Verdict.from_exact(got == want and in_case and got <= N,
                              f"Case V (d > N >= 600 ln N: {in_case}): m = {got}, by hand {want}, m <= N")


def _labelled(seed, N, d, C=2):
    rng = random.Random(seed)
    pts = set()
    while len(pts) < N:
        pts.add(tuple(rng.randint(-8, 8) for _ in range(d)))
    return Dataset([list(p) for p in pts], [1 + i % C for i in range(N)])


def _b19(grid):
    def make():
        for seed, (N, d, alpha) in enumerate(grid):
            yield f"N={N} d={d} alpha={alpha}", (_labelled(4100 + seed, N, d), fmpq(alpha))
    return make


@claim("KMY25.PropB.19", "at m = ceil(24 alpha^-2 ln N) <= d: an exactly 1-Lipschitz W and beta (two-sided bound) "
       "with eps_{WD} >= (1 - alpha) beta eps_D, WD a dataset, beta >= sqrt(m/d)/2 when m >= 10 ln d",
       {"paper's m": _b19([(2, 64, "9/10"), (3, 256, "1/2"), (5, 256, "9/10"), (40, 256, "9/10"),
                           (150, 256, "9/10"), (30, 1024, "1/2")]),
        "large": _b19([(3, 1024, "1/5"), (400, 1024, "3/4"), (1000, 1024, "9/10")])},
       source="Kim, Moon & Yun 2025, Proposition B.19", slow_families=("large",),
       uses=('KMY25.LemB.18',))
def check(inst):
    D, alpha = inst
    m = paper_m(D.N, alpha)
    if not m <= D.d:
        return Verdict.refuted(f"the instance has m = {m} > d = {D.d}", {"m": m})
    step = exponent_step(D.N, D.d, alpha, m)      # Lemma B.18's exponent at this instance's own m
    if step.is_refuted:
        return step
    P, beta_sq, succ, tries = find_two_sided(D, alpha, m)
    if P is None:
        return Verdict.undecided(f"no SRHT draw in {tries} satisfied the two-sided bound at m = {m}")
    eps2 = projected_eps_sq(P.W, D)
    try:
        Dataset(D.points * P.W.transpose(), D.labels)
        distinct = True
    except ExactmemError:
        distinct = False
    parts = [step, Verdict.from_exact(is_pm_orthonormal(P.full), f"W ({m} x {D.d}) has exactly orthonormal rows"),
             Verdict.from_exact(distinct, "the projected points are distinct: WD is in D_{m,N,C}"),
             Verdict.from_exact(eps2 >= (1 - alpha) ** 2 * beta_sq * D.eps_sq,
                                f"eps_WD^2 = {float(eps2):.6g} >= (1 - alpha)^2 beta^2 eps_D^2 = "
                                f"{float((1 - alpha) ** 2 * beta_sq * D.eps_sq):.6g}")]
    if m >= int(ceil_log(D.d, 10)):
        parts.append(Verdict.from_exact(beta_sq >= fmpq(m, 4 * D.d), "beta^2 >= m/(4d) (m >= 10 ln d)"))
    return all_of(parts, f"m = {m}, d = {D.d}: success rate {succ}/{tries}")


def _b20(grid):
    """(N, d) seeded 4200 + position, or (N, d, C, seed)."""
    def make():
        for pos, (N, d, *rest) in enumerate(grid):
            C, seed = rest if rest else (2, 4200 + pos)
            yield f"N={N} d={d}" + (f" C={C}" if rest else ""), (_labelled(seed, N, d, C), None)
    return make


def _constants():
    yield "constants 864 and 5/12", (None, "constants")


@claim("KMY25.LemB.20", "alpha = 1/6, m = min(d, max(ceil(864 ln N), ceil(10 ln d))): a 1-Lipschitz W with "
       "eps_{WD}^2 >= (5/12)^2 (m/d) eps_D^2 (the identity when m = d)",
       {"paper's m": _b20([(3, 8), (10, 500), (2, 640), (3, 1000, 3, 4301)]), "constants": _constants,
        "large": _b20([(2, 1024), (3, 1024), (4, 1300, 2, 1)])},
       source="Kim, Moon & Yun 2025, Lemma B.20", slow_families=("large",),
       uses=('KMY25.PropB.19', 'KMY25.LemB.18'))
def check_b20(inst):
    D, what = inst
    if what == "constants":
        return Verdict.from_exact(24 / fmpq(1, 6) ** 2 == 864 and (1 - fmpq(1, 6)) * fmpq(1, 2) == fmpq(5, 12),
                                  "24 / (1/6)^2 = 864 and (1 - 1/6)(1/2) = 5/12")
    m = m_small_rho(D.N, D.d)
    kappa_sq = fmpq(25, 144) * fmpq(m, D.d)
    if m == D.d:
        # the inequality is eps^2 >= (25/144) eps^2 there, true whatever the code does; what can fail is whether
        # d <= max(864 ln N, 10 ln d) (m from the lemma's own formula) and whether Theorem B.3's Stage I then uses
        # the identity (an exact comparison of the matrix it returns)
        from exactmem.constructions.small_rho import stage_one_projection
        ok = m == min(D.d, max(paper_m(D.N, fmpq(1, 6)), int(ceil_log(D.d, 10))))
        W_full, W = stage_one_projection(D)
        ident = W.nrows() == W.ncols() == D.d and all(W[i, j] == (1 if i == j else 0)
                                                       for i in range(D.d) for j in range(D.d))
        return Verdict.from_exact(ok and ident, f"m = d = {m} (d <= 864 ln N: {ok}); Stage I's projection is the "
                                                f"identity: {ident}")
    P, tries, succ = find_projection(D, m, kappa_sq, "srht", tries=2)
    if P is None:
        return Verdict.undecided(f"no certified projection in {tries} tries at m = {m}")
    # both sides recomputed here, not by projected_eps_sq nor D.eps_sq: the cross differences as the columns of V,
    # W V by one exact matrix product, and the squared column norms summed here
    from flint import fmpq_mat
    X, y = D.points.tolist(), D.labels
    pairs = [(i, j) for i in range(D.N) for j in range(i) if y[i] != y[j]]
    V = fmpq_mat(D.d, len(pairs), [X[i][c] - X[j][c] for c in range(D.d) for i, j in pairs])
    WV = P.W * V
    near = [(sum((WV[r, k] ** 2 for r in range(m)), fmpq(0)), sum((V[c, k] ** 2 for c in range(D.d)), fmpq(0)))
            for k in range(len(pairs))]
    eps2, epsd = min(a for a, _ in near) / 4, min(b for _, b in near) / 4
    ratio = eps2 / (fmpq(m, D.d) * epsd)
    return all_of([Verdict.from_exact(m == paper_m(D.N, fmpq(1, 6)) and m <= D.d, f"m = {m} = ceil(864 ln N) <= d"),
                   Verdict.from_exact(is_pm_orthonormal(P.full), "W has exactly orthonormal rows"),
                   Verdict.from_exact(eps2 >= kappa_sq * epsd,
                                      f"eps_WD^2 >= (5/12)^2 (m/d) eps_D^2 over {len(pairs)} cross pairs: "
                                      f"eps_WD^2 / ((m/d) eps_D^2) = {float(ratio):.4f} against 25/144 = 0.1736 "
                                      f"({float(ratio * 144 / 25):.2f} times the bound)",
                                      {"ratio": str(ratio)})],
                  f"m = {m}, d = {D.d}, {len(pairs)} cross pairs: eps_WD^2 / ((m/d) eps_D^2) = {float(ratio):.4f}, "
                  f"{float(ratio * 144 / 25):.2f} times the bound 25/144; success rate {succ}/{tries}")
