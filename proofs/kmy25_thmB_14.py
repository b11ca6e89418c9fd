"""KMY25 Theorem B.14: large rho, Yu et al.-style memorizer (after a projection in Case III) certified end to end."""
import random

from flint import fmpq

from exactmem import Dataset, Verdict, all_of, memorize, verify
from exactmem.bounds import evaluate
from exactmem.claims import claim


def _cases():
    for seed, (N, d, C, rho) in enumerate([(5, 1, 2, fmpq(1, 2)), (12, 2, 3, fmpq(9, 10)), (20, 3, 2, fmpq(1, 3)),
                                          (10, 4, 4, fmpq(99, 100)), (16, 9, 2, fmpq(1, 5))]):
        rng = random.Random(1400 + seed)
        pts = set()
        while len(pts) < N:
            pts.add(tuple(fmpq(rng.randint(-20, 20), rng.randint(1, 3)) for _ in range(d)))
        yield f"N={N} d={d} rho={rho}", (Dataset([list(p) for p in pts], [1 + i % C for i in range(N)]), rho)
    rng = random.Random(1499)  # Case III: N = 2 < 600 ln 2 <= d = 420, data-span projection to R^2 first
    yield "Case III N=2 d=420 rho=1/10", (Dataset([[rng.randint(-3, 3) for _ in range(420)] for _ in range(2)],
                                                   [1, 2]), fmpq(1, 10))


@claim("KMY25.ThmB.14", "large-rho memorizer (Cases I-III) certified by the kernel; size reported against "
       "O~(N d^2 rho^4 + d)", {"seeded": _cases}, source="Kim, Moon & Yun 2025, Theorem B.14 with Lemma D.2",
       uses=('KMY25.LemB.20', 'KMY25.LemD.2', 'KMY25.LemD.1.threshold', 'KMY25.LemB.16'))
def check(inst):
    D, rho = inst
    net, cert = memorize(D, rho)
    bound = evaluate("KMY25.Thm4.2.iii", D.N, D.d, rho)
    return all_of([verify(net, D, rho, cert)],
                  f"Case {cert.info['case']}: {net.param_count()} params (N d^2 rho^4 + d = {float(bound):.1f}), "
                  f"depth {net.depth}, width {net.width}, k = {cert.info['k']}")


def _size_cases():
    from exactmem.sizes import seeded_dataset
    for N, d, rho in [(10, 1, fmpq(1, 2)), (50, 2, fmpq(9, 10)), (30, 4, fmpq(99, 100)), (100, 2, fmpq(1, 3)),
                      (16, 9, fmpq(1, 5)), (40, 4, fmpq(1, 4))]:
        yield f"N={N} d={d} rho={rho}", (seeded_dataset(N, d), rho)
    rng = random.Random(1499)   # Case III: N = 2 < 600 ln 2 <= d = 420
    yield "Case III N=2 d=420 rho=1/10", (Dataset([[rng.randint(-3, 3) for _ in range(420)] for _ in range(2)],
                                                   [1, 2]), fmpq(1, 10))


def _case_boundaries():
    """Theorem B.14's cases at and beside their boundaries, by hand: Case I is rho >= 1/3 (closed); below it, Case II
    is d < 600 ln N, and 600 ln 2 = 415.888 (ln 2 = 0.693147), so with N = 2, d = 415 is Case II and d = 416 (>= 600
    ln N > N) Case III.  Only the case is decided (b14_case reads N, d and rho); nothing is built."""
    def data(N, d):
        return Dataset([[i if j == 0 else 0 for j in range(d)] for i in range(N)], [1 + i % 2 for i in range(N)])
    yield "N=5 d=1 rho=1/3: Case I (closed end)", ("case", data(5, 1), fmpq(1, 3), "I")
    yield "N=5 d=1 rho=33/100: Case II", ("case", data(5, 1), fmpq(33, 100), "II")
    yield "N=2 d=415 rho=1/10: Case II (d < 600 ln 2)", ("case", data(2, 415), fmpq(1, 10), "II")
    yield "N=2 d=416 rho=1/10: Case III (N < 600 ln 2 <= d)", ("case", data(2, 416), fmpq(1, 10), "III")


def threshold_plan(D, rho, k) -> "Verdict":
    """Lemma D.1's conditions on the Yu-style plan of Cases I-II, from the lemma: with mu^2 = rho^2 eps_D^2 and eps_D
    by brute force, B^2 >= hi, the sum of the d squares' errors d B^2 4^-(k+1) fits below lo, lo < hi, and
    hi <= (2 eps - mu)^2 = (2 - rho)^2 eps^2; k is the network's."""
    from exactmem.constructions.large_rho import yu_plan
    X, y = D.points.tolist(), D.labels
    eps_sq = min(sum(((a - b) ** 2 for a, b in zip(X[i], X[j])), fmpq(0))
                 for i in range(D.N) for j in range(i) if y[i] != y[j]) / 4
    pl = yu_plan(D, rho)
    mu_sq, B, lo, hi = rho * rho * eps_sq, pl["B"], pl["lo"], pl["hi"]
    ok = (pl["k"] == k and B * B >= hi and lo >= mu_sq + D.d * B * B / fmpq(4) ** (k + 1) and lo < hi
          and hi <= (2 - rho) ** 2 * eps_sq)
    return Verdict.from_exact(ok, f"Lemma D.1 plan: mu^2 + d B^2 4^-(k+1) <= lo = {float(lo):.6g} < hi = {float(hi):.6g} "
                                  f"<= (2 eps - mu)^2, B^2 >= hi, k = {k}", {"lo": str(lo), "hi": str(hi), "k": k})


def case_relation(case, D, rho, m) -> "Verdict":
    """The paper's step from O~(N m^2) to O~(N d^2 rho^4), exactly: Case I 81 rho^4 >= 1; Case II 625 d^2 rho^4 > 1
    (from 25 d rho^2 > 1) with d < 600 ln N; Case III m = N < 600 ln N (the count is O~(d))."""
    from exactmem.exact import ceil_log
    r4 = rho ** 4
    if case == "I":
        return Verdict.from_exact(81 * r4 >= 1 and m == D.d, f"Case I: 81 rho^4 = {81 * r4} >= 1, m = d")
    t = ceil_log(D.N, 600)                    # d < 600 ln N  <=>  d < ceil(600 ln N) (600 ln N is irrational)
    if case == "II":
        return Verdict.from_exact(625 * D.d ** 2 * r4 > 1 and D.d < t and m == D.d,
                                  f"Case II: 625 d^2 rho^4 = {625 * D.d ** 2 * r4} > 1, d = {D.d} < 600 ln N")
    return Verdict.from_exact(case == "III" and m == D.N and D.N < t <= D.d,
                              f"Case {case}: m = N = {D.N} < 600 ln N <= d = {D.d}")


@claim("KMY25.ThmB.14.size", "large-rho memorizer (Cases I-III) within docs/sizes.md's explicit O(N m^2 k) form "
       "(m = d, or N after Prop. B.21), k = O(log(m/(1-r))), and the paper's case inequalities that turn it into "
       "O~(N d^2 rho^4 + d); independent Eq. 3 count; the cases decided at their boundaries",
       {"seeded": _size_cases, "case boundaries": _case_boundaries},
       source="Kim, Moon & Yun 2025, Theorem B.14 (sizes; Theorem B.1 row iii)")
def check_size(inst):
    from exactmem.constructions.large_rho import b14_case, large_rho_memorizer
    from ._sizes import max_height, yu_height_bound
    from .kmy25_lemD_2 import yu_sizes
    if inst[0] == "case":
        _, D, rho, want = inst
        got = b14_case(D, rho)
        return Verdict.from_exact(got == want, f"N = {D.N}, d = {D.d}, rho = {rho}: Case {got}, by hand {want}",
                                  {"case": got, "by hand": want})
    D, rho = inst
    net, cert = large_rho_memorizer(D, rho)
    case, k = cert.info["case"], cert.info["k"]
    m = cert.info.get("m", D.d)
    parts = [yu_sizes(D, rho, net, k, d_in=D.d, m=m, r_sq=None if case in ("I", "II") else
                      rho * rho * D.eps_sq / projected_eps_sq_of(net, D, m)),
             case_relation(case, D, rho, m)]
    if case in ("I", "II"):
        parts.append(threshold_plan(D, rho, k))
        h, hb = max_height(net, 1), yu_height_bound(D, rho, k)
        parts.append(Verdict.from_exact(hb.holds(h), f"largest height after the first layer {h} <= {hb}"))
    return all_of(parts, f"Case {case}: {net.param_count()} params, depth {net.depth}, width {net.width}, k = {k}")


def projected_eps_sq_of(net, D, m):
    """eps^2 of the data under the network's first m first-layer rows (the projection W, merged with Yu's first layer)."""
    from flint import fmpq_mat
    W0 = net.layers[0][0]
    W = fmpq_mat(m, D.d, [W0[i, j] for i in range(m) for j in range(D.d)])
    return Dataset(D.points * W.transpose(), D.labels).eps_sq
