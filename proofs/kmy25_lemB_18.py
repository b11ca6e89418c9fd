"""KMY25 Lemma B.18 (strengthened Johnson-Lindenstrauss): for N >= 2 points in R^d, alpha in (0, 1) and
24 alpha^-2 ln N <= m <= d there are a 1-Lipschitz linear phi: R^d -> R^m and beta > 0 with
(1 - alpha) beta ||x - x'|| <= ||phi(x) - phi(x')|| <= (1 + alpha) beta ||x - x'|| for all pairs, and
beta >= (1/2) sqrt(m/d) once m >= 10 ln d.

Checked at the paper's m = ceil(24 alpha^-2 ln N) (not below it): exactmem's SRHT projection W has exactly
orthonormal rows (entries +-2^-k, rows pairwise orthogonal -- checked with exact integer dot products), so it is
1-Lipschitz; for every pair the ratio r = ||W(x - x')||^2 / ||x - x'||^2 is an exact rational, and a valid beta
exists iff max r / (1 + alpha)^2 <= min r / (1 - alpha)^2 -- beta^2 is then chosen in that interval (and at least
m/(4d) when m >= 10 ln d), so the statement's conclusion is decided exactly for the drawn W, not just a success
rate.  The proof's constant chain is certified symbolically: alpha^2 beta^2 d / 2 >= 3 ln N from
beta^2 >= m/(4d) and m >= 24 alpha^-2 ln N (24 read from ``M_FACTOR``, the constant ``paper_m`` uses);
e^(-3 ln N) = N^-3; 2 N^-3 <= N^-2 for N >= 2; and the union bound N(N-1)/2 * 2/N^2 = 1 - 1/N < 1.  Each instance
also decides the exponent step at its own m (``exponent_step``: alpha^2 m / 8 >= 3 ln N, exact enclosures of
ln N), so an m computed too small fails there and not only, by luck of the draw, in the two-sided bound.
"""
import random

import sympy as sp
from flint import fmpq

from exactmem import Dataset, Verdict, all_of
from exactmem.blocks import srht
from exactmem.claims import claim
from exactmem.exact import ceil_log, log_enclosure

from ._symbolic import certify_nonneg

M_FACTOR = 24                                   # the lemma's m >= 24 alpha^-2 ln N


def paper_m(N: int, alpha) -> int:
    """ceil(24 alpha^-2 ln N), exactly."""
    return int(ceil_log(N, M_FACTOR / (fmpq(alpha) ** 2)))


def exponent_step(N: int, d: int, alpha, m: int) -> Verdict:
    """The proof's exponent at the instance's own m: alpha^2 beta^2 d / 2 >= 3 ln N with beta^2 = m/(4d) (the least
    beta the lemma gives when m >= 10 ln d), i.e. alpha^2 m / 8 >= 3 ln N; then e^(-alpha^2 beta^2 d/2) <= N^-3.
    Decided with rigorous enclosures of ln N (irrational for N >= 2, so more bits always decide); the quantity
    alpha^2 m / 8 is in the witness."""
    q = fmpq(alpha) ** 2 * fmpq(m, 4 * d) * d / 2
    what = f"alpha^2 beta^2 d/2 = alpha^2 m/8 = {q} at m = {m}, beta^2 = m/(4d), against 3 ln N = 3 ln {N}"
    prec = 64
    while prec <= 1 << 14:
        e = log_enclosure(N, prec)
        if 3 * e.hi <= q:
            return Verdict.proved(f"{what}: {q} >= 3 ln N (3 ln N <= {float(3 * e.hi):.6g})", exponent=str(q))
        if 3 * e.lo > q:
            return Verdict.refuted(f"{what}: {q} < 3 ln N (3 ln N >= {float(3 * e.lo):.6g}), so the union bound "
                                   f"does not follow at this m", {"alpha^2 m/8": q, "m": m, "N": N})
        prec *= 4
    return Verdict.undecided(f"{what}: not separated at {prec // 4} bits")


def is_pm_orthonormal(full) -> bool:
    """Rows of a matrix with entries +-2^-k and 4^k columns are orthonormal: exact integer dot products of +-1 rows
    (as bit masks: <a, b> = D - 2 popcount(a xor b))."""
    D = full.ncols()
    k = (D.bit_length() - 1) // 2
    if 4 ** k != D:
        return False
    s = fmpq(1, 2 ** k)
    masks = []
    for i in range(full.nrows()):
        bits = 0
        for j in range(D):
            v = full[i, j]
            if v == -s:
                bits |= 1 << j
            elif v != s:
                return False
        masks.append(bits)
    return all(bin(a ^ b).count("1") * 2 == D for i, a in enumerate(masks) for b in masks[i + 1:])


def pair_ratios(D: Dataset, W) -> list:
    """||W(x_i - x_j)||^2 / ||x_i - x_j||^2 for every pair i < j, exactly, from the Gram matrices G = X X^T and
    H = (X W^T)(X W^T)^T (||x_i - x_j||^2 = G_ii + G_jj - 2 G_ij): one exact matrix product instead of a sum per
    pair, so N in the hundreds stays fast."""
    X = D.points
    Y = X * W.transpose()
    G, H = X * X.transpose(), Y * Y.transpose()
    g = [[G[i, j] for j in range(D.N)] for i in range(D.N)]
    h = [[H[i, j] for j in range(D.N)] for i in range(D.N)]
    return [(h[i][i] + h[j][j] - 2 * h[i][j]) / (g[i][i] + g[j][j] - 2 * g[i][j])
            for i in range(D.N) for j in range(i + 1, D.N)]


def two_sided_beta(D: Dataset, W, alpha, m: int):
    """beta^2 with (1-a)^2 beta^2 |x-x'|^2 <= |W(x-x')|^2 <= (1+a)^2 beta^2 |x-x'|^2 for all pairs, or None; at least
    m/(4d) when m >= 10 ln d if possible."""
    ratios = pair_ratios(D, W)
    a = fmpq(alpha)
    lo, hi = max(ratios) / (1 + a) ** 2, min(ratios) / (1 - a) ** 2
    if lo > hi:
        return None, lo, hi
    want = fmpq(m, 4 * D.d) if m >= int(ceil_log(D.d, 10)) else fmpq(0)
    beta_sq = max(lo, want)
    return (beta_sq if beta_sq <= hi else None), lo, hi


def find_two_sided(D: Dataset, alpha, m: int, tries: int = 4):
    """(W, beta^2, successes, tries) from fresh SRHT draws; W None if no draw satisfied the two-sided bound."""
    found, successes = None, 0
    for seed in range(tries):
        P = srht(D.d, m, seed=seed)
        b2, _, _ = two_sided_beta(D, P.W, alpha, m)
        if b2 is not None:
            successes += 1
            if found is None:
                found = (P, b2)
    return (found[0] if found else None), (found[1] if found else None), successes, tries


def _points(seed, N, d):
    rng = random.Random(seed)
    return Dataset([[rng.randint(-8, 8) for _ in range(d)] for _ in range(N)], [1 + i % 2 for i in range(N)])


def _instances(grid):
    def make():
        for seed, (N, d, alpha) in enumerate(grid):
            yield f"N={N} d={d} alpha={alpha}", ("lemma", _points(4000 + seed, N, d), fmpq(alpha))
    return make


def _chain():
    yield "exponent: alpha^2 beta^2 d/2 >= 3 ln N", ("chain", "exponent")
    yield "2 N^-3 <= N^-2 for N >= 2", ("chain", "cube")
    yield "union bound N(N-1)/2 * 2/N^2 = 1 - 1/N", ("chain", "union")


@claim("KMY25.LemB.18", "at the paper's m = ceil(24 alpha^-2 ln N) an exactly 1-Lipschitz W and one beta satisfy "
       "the two-sided bound for every pair (beta >= sqrt(m/d)/2 when m >= 10 ln d), decided exactly; the proof's "
       "constant chain certified symbolically",
       {"paper's m": _instances([(2, 64, "9/10"), (3, 256, "1/2"), (4, 128, "3/4"), (6, 256, "9/10"),
                                 (24, 256, "9/10"), (100, 256, "9/10"), (200, 256, "9/10"), (30, 1024, "1/2")]),
        "constant chain": _chain,
        "large": _instances([(2, 1024, "1/6"), (3, 1024, "1/5"), (400, 1024, "3/4"), (1000, 1024, "9/10")])},
       source="Kim, Moon & Yun 2025, Lemma B.18 (from Matousek, Lemma 15.2.2)", slow_families=("large",),
       uses=('KMY25.LemB.17',))
def check(inst):
    if inst[0] == "chain":
        a, m, d, L, s, b, n = sp.symbols("alpha m d L s b n", positive=True)
        if inst[1] == "exponent":    # beta^2 = m/(4d) + b, m = 24 L / alpha^2 + s (24: paper_m's own constant)
            expr = (a ** 2 * (m / (4 * d) + b) * d / 2 - 3 * L).subs(m, M_FACTOR * L / a ** 2 + s)
            return certify_nonneg(expr, [a, d, L, s, b], "alpha^2 beta^2 d/2 - 3 ln N")
        N = 2 + n
        if inst[1] == "cube":
            return certify_nonneg(N ** -2 - 2 * N ** -3, [n], "N^-2 - 2 N^-3")
        x = sp.Symbol("N", positive=True)
        ok = sp.simplify(sp.exp(-3 * sp.log(x)) - x ** -3) == 0 and \
            sp.simplify(x * (x - 1) / 2 * 2 / x ** 2 - (1 - 1 / x)) == 0
        return Verdict.from_exact(bool(ok), "e^(-3 ln N) = N^-3 and N(N-1)/2 * 2/N^2 = 1 - 1/N < 1 (sympy)")
    _, D, alpha = inst
    m = paper_m(D.N, alpha)
    if not m <= D.d:
        return Verdict.refuted(f"the instance has m = {m} > d = {D.d}", {"m": m})
    step = exponent_step(D.N, D.d, alpha, m)
    if step.is_refuted:
        return step
    # the step is tight at the paper's m: m - 1 < 24 alpha^-2 ln N, so alpha^2 (m - 1)/8 < 3 ln N must be refuted
    below = exponent_step(D.N, D.d, alpha, m - 1)
    tight = Verdict.from_exact(below.is_refuted, f"at m - 1 = {m - 1} the exponent step fails, as it must: "
                                                 f"{below.status.value}: {below.reason}")
    if not tight.is_proved:
        return tight
    P, beta_sq, succ, tries = find_two_sided(D, alpha, m)
    if P is None:
        return Verdict.undecided(f"no SRHT draw in {tries} satisfied the two-sided bound at m = {m}")
    return all_of([step, tight, Verdict.from_exact(is_pm_orthonormal(P.full), f"W ({m} x {D.d}) has exactly orthonormal rows"),
                   Verdict.proved(f"beta^2 = {float(beta_sq):.6g} fits every pair; success rate {succ}/{tries} "
                                  f"(the proof guarantees >= 1/N = {fmpq(1, D.N)})", beta_sq=str(beta_sq))],
                  f"m = {m} = ceil(24 alpha^-2 ln N), d = {D.d}")
