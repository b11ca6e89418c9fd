"""KMY25 Theorem B.5 (with Lemma B.13): for rho <= 1/(5 sqrt d) a network rho-robustly memorizes D with
error below eta; certified per ball by an exact slab bound (seeded data, iris, digits).

On the seeded data the claim also recomputes Lemma B.13's union bound over blocks on its own, from the statement:
a ball is exact in its own block, and each of the other B - 1 blocks can only be wrong on the ball where one of its
m Floors sees a fractional part below gamma -- one slab per block and coordinate, of width gamma / ||w_k|| in the
input space (w_k the k-th row of the first layer), so of probability at most gamma V_{d-1}/V_d / (mu ||w_k||)
(Lemma B.11 in the input dimension d).  The sum (B - 1) sum_k gamma V_{d-1}/V_d / (mu ||w_k||) must be below eta
for the construction's gamma; B = ceil(N/g) with g = floor(1/(5 rho sqrt d)) and mu = rho eps_D are computed here
by brute force, V_{d-1}/V_d by the recursion r_d = d/(d-1) r_{d-2} (r_1 = 1/2, r_2 = 2/pi) with
333/106 < pi < 355/113, square roots by integer enclosures.  The seeded family has instances with 8 to 25 blocks,
so that a gamma chosen without the factor B - 1 (right for a few blocks only, where rounding t up to a power of two
hides it) is refuted in the default tier."""
import math
import random

from flint import fmpq

from exactmem import Dataset, Verdict, all_of, memorize, verify
from exactmem.bounds import evaluate
from exactmem.claims import claim
from exactmem.exact import fmt

ETA = fmpq(1, 100)


def _cases():
    for seed, (N, d, C, g) in enumerate([(12, 1, 2, 3), (30, 2, 3, 6), (40, 3, 2, 10), (60, 4, 4, 12),
                                         (40, 2, 3, 4), (45, 3, 2, 3), (100, 2, 2, 3)]):
        rng = random.Random(950 + seed)
        pts = set()
        while len(pts) < N:
            pts.add(tuple(fmpq(rng.randint(-30, 30), rng.randint(1, 3)) for _ in range(d)))
        D = Dataset([list(p) for p in pts], [1 + i % C for i in range(N)])
        yield f"N={N} d={d} C={C} g={g}", (D, fmpq(1, 5 * g * d))    # rho <= 1/(5 g sqrt d): groups of g
    # the data of the second instance scaled by 1000: eps_D ~ 1000 makes the scale s = 1/(4 g mu) < 1, where slab
    # weights computed without s are too small (for eps_D < 5d/4, s > 1 and the same slip only wastes bits)
    rng = random.Random(951)
    pts = set()
    while len(pts) < 30:
        pts.add(tuple(1000 * fmpq(rng.randint(-30, 30), rng.randint(1, 3)) for _ in range(2)))
    yield "N=30 d=2 C=3 g=6 scaled by 1000", (Dataset([list(q) for q in pts], [1 + i % 3 for i in range(30)]),
                                                 fmpq(1, 5 * 6 * 2))


def _sqrt_between(q: fmpq, bits: int = 64) -> tuple:
    """(lo, hi) rationals with lo <= sqrt(q) <= hi for q = a/b >= 0, from the integer square root of a b 4^bits."""
    a, b = int(q.p), int(q.q)
    r = math.isqrt(a * b * 4 ** bits)
    return fmpq(r, b * 2 ** bits), fmpq(r + 1, b * 2 ** bits)


def density_ratio(d: int) -> tuple:
    """(lo, hi) enclosing V_{d-1}/V_d: r_1 = 1/2, r_2 = 2/pi, r_d = d/(d-1) r_{d-2} (from V_d = 2 pi V_{d-2} / d),
    so r_d is rational for odd d and a rational over pi for even d; 333/106 < pi < 355/113."""
    r = fmpq(1, 2) if d % 2 else fmpq(2)
    for e in range(3 if d % 2 else 4, d + 1, 2):
        r *= fmpq(e, e - 1)
    return (r, r) if d % 2 else (r * fmpq(113, 355), r * fmpq(106, 333))


def lemma_b13_union(D, rho, net, cert):
    """Lemma B.13's union bound over the other B - 1 blocks, (B - 1) sum_k gamma V_{d-1}/V_d / (mu ||w_k||), below
    eta for the certified network's gamma and first layer (see the module's docstring); REFUTED when even its lower
    end is not below eta."""
    N, d, X, y = D.N, D.d, D.points.tolist(), D.labels
    rho = fmpq(rho)
    g = 1                                                   # the largest g with 25 g^2 rho^2 d <= 1, at most N
    while g < N and 25 * (g + 1) ** 2 * rho * rho * d <= 1:
        g += 1
    B = -(-N // g)
    eps_sq = min(sum(((a - b) ** 2 for a, b in zip(X[i], X[j])), fmpq(0))
                 for i in range(N) for j in range(i) if y[i] != y[j]) / 4
    mu_lo, mu_hi = _sqrt_between(rho * rho * eps_sq)
    m, gamma = int(cert.info["m"]), fmpq(cert.info["gamma"])
    rows = net.sparse_layers()[0][0][:m]
    norms = [_sqrt_between(sum((w * w for _, w in row), fmpq(0))) for row in rows]
    r_lo, r_hi = density_ratio(d)
    from exactmem.volumes import slab_density_hi
    if not r_lo <= slab_density_hi(d) <= r_hi:             # the library's Lemma B.11 constant against the recursion
        return Verdict.refuted(f"V_(d-1)/V_d for d = {d}: the recursion gives [{fmt(r_lo)}, {fmt(r_hi)}], the library's "
                               f"upper bound is {fmt(slab_density_hi(d))}", {"d": d})
    # Stage II: s <= 1/(4 g mu), so every ball's image has radius ||w_k|| mu <= 1/(4g) in each coordinate (squared)
    wide = [k for k, row in enumerate(rows) if sum((w * w for _, w in row), fmpq(0)) * rho * rho * eps_sq * 16 * g * g > 1]
    if wide:
        return Verdict.refuted(f"row {wide[0]} of the first layer maps a ball of radius mu to one wider than 1/(4g) = "
                               f"1/{4 * g}", {"row": wide[0], "g": g})
    lo = (B - 1) * sum((gamma * r_lo / (mu_hi * n_hi) for _, n_hi in norms), fmpq(0))
    hi = (B - 1) * sum((gamma * r_hi / (mu_lo * n_lo) for n_lo, _ in norms), fmpq(0))
    one_slab = all(2 * mu_hi * n_hi + gamma < 1 for _, n_hi in norms)     # at most one slab per block and row
    what = (f"Lemma B.13's union bound: B = ceil(N/g) = {B} blocks (g = {g}; the network has "
            f"{cert.info['blocks']}), m = {m}, gamma = {fmt(gamma)}: (B - 1) sum_k gamma V_d-1/V_d / (mu ||w_k||) "
            f"in [{float(lo):.3e}, {float(hi):.3e}]")
    slabs = cert.hints.get("exclude", [])                  # what the kernel was told: B m slabs of width gamma
    told = len(slabs) == B * m and all(int(h[0]) < m and fmpq(h[1]) == 1 and fmpq(h[3]) == gamma for h in slabs)
    if cert.info["blocks"] != B or not told or not one_slab:
        why = "; the network does not have B = ceil(N/g) blocks" if cert.info["blocks"] != B else \
            "; the certificate's slabs are not B m slabs of width gamma" if not told else \
            "; a ball's image is wider than 1 - gamma: more than one slab per block and row"
        return Verdict.refuted(what + why, {"blocks": B, "union_bound_lo": fmt(lo)})
    if lo >= ETA:
        return Verdict.refuted(what + f", not below eta = {fmt(ETA)}", {"union_bound_lo": fmt(lo), "gamma": fmt(gamma)})
    if hi < ETA:
        return Verdict.proved(what + f" < eta = {fmt(ETA)}")
    return Verdict.undecided(what + f": its enclosure holds eta = {fmt(ETA)}")


def _real():
    from exactmem import datasets
    yield "iris (N=149, d=4) rho=1/100", (datasets.iris, fmpq(1, 100), 4)
    yield "digits (N=1797, d=64) rho=1/50000", (datasets.digits, fmpq(1, 50000), 1)


def exact_off_slabs(D, net, cert):
    """The construction is exact wherever no Floor sees a fractional part below gamma: every data point outside the
    certificate's excluded slabs frac(a z_k + b) < gamma (z = the first layer's output) must get its label exactly,
    evaluated in exact arithmetic (a wrong output there is refuted, whatever the error bound allows elsewhere)."""
    from exactmem.exact import floor_q
    slabs = [(int(h[0]), fmpq(h[1]), fmpq(h[2]), fmpq(h[3])) for h in cert.hints.get("exclude", [])]
    W1, c1 = net.layers[0]
    X = D.points.tolist()
    free = []
    for i, x in enumerate(X):
        z = [sum((W1[k, j] * x[j] for j in range(len(x))), fmpq(0)) + c1[k, 0] for k in range(W1.nrows())]
        if not any(a * z[k] + b - floor_q(a * z[k] + b) < g for k, a, b, g in slabs):
            free.append(i)
    out = net.evaluate([X[i] for i in free]).entries() if free else []
    wrong = [i for i, v in zip(free, out) if v != D.labels[i]]
    return Verdict.from_exact(bool(free) and not wrong, f"{len(free)} of {D.N} data points outside the excluded slabs, "
                              f"each mapped to its label exactly" + (f"; wrong at {wrong[:5]}" if wrong else ""),
                              {"wrong": wrong[:5], "outside the slabs": len(free)})


def _run(D, rho, mc=2, union=False):
    net, cert = memorize(D, rho, eta=ETA, mc_samples=mc)
    v = verify(net, D, rho, cert)
    parts = [v] + ([lemma_b13_union(D, rho, net, cert), exact_off_slabs(D, net, cert)] if union else [])
    extra = f"; {parts[1].reason}; {parts[2].reason}" if union and parts[1].is_proved and parts[2].is_proved else ""
    bound = evaluate("KMY25.Thm4.2.ii", D.N, D.d, rho)
    mc = cert.info["monte_carlo"]
    err = float(fmpq(v.details["max_error_bound"])) if v.is_proved else float("nan")
    return all_of(parts, f"N = {D.N}, d = {D.d}: {cert.info['regime']} regime, {cert.info['blocks']} blocks of "
                       f"<= {cert.info['group_size']}, {net.param_count()} params (N d^1/4 rho^1/2 = "
                       f"{float(bound):.1f}), depth {net.depth}, width {net.width}; certified error <= {err:.2e} < eta "
                       f"= 1/100; Monte Carlo {mc['misclassified']}/{mc['samples']} (reported only){extra}")


@claim("KMY25.ThmB.5", "moderate-rho memorizer with error below eta = 1/100: the kernel proves an exact "
       "per-ball bound on the misclassified probability, and Lemma B.13's union bound over the other B - 1 blocks "
       "(recomputed here) is below eta for the construction's gamma; 3 to 25 blocks", {"seeded": _cases},
       source="Kim, Moon & Yun 2025, Thm B.5",
       uses=('KMY25.LemB.20', 'KMY25.LemB.13', 'KMY25.LemB.11', 'KMY25.LemB.15', 'KMY25.LemB.16', 'KMY25.LemB.10'))
def check(inst):
    D, rho = inst
    return _run(D, rho, union=True)


@claim("KMY25.ThmB.5.real", "iris and digits in the moderate regime, error below eta = 1/100, certified",
       {"scikit-learn datasets": _real}, source="Kim, Moon & Yun 2025, Theorem B.5")
def check_real(inst):
    load, rho, mc = inst
    return _run(load(), rho, mc)


def _size_cases(grid):
    def make():
        import math
        from exactmem.sizes import seeded_dataset
        for N, d, g in grid:
            sq = math.isqrt(d) + (0 if math.isqrt(d) ** 2 == d else 1)      # ceil(sqrt d)
            yield f"N={N} d={d} rho=1/(5*{g}*{sq})", (seeded_dataset(N, d), fmpq(1, 5 * g * sq))
    return make


def sizes_moderate(D, rho, net, t):
    """Theorem B.5's sizes against docs/sizes.md's bounds: the group size g = floor(1/(5 rho sqrt d)) and the
    B = ceil(N/g) blocks computed here from (N, d, rho), m from Lemma B.20, n from the data's box diameter; t is the
    plan's Floor resolution (its bits enter the bit bound only)."""
    from exactmem.blocks import m_small_rho
    from ._sizes import first_layer_bits_bound, grid_bits_max, group_of, moderate_bounds, size_verdict
    from .kmy25_thmB_3 import data_is_dyadic
    g = group_of(D.N, D.d, rho)
    m = m_small_rho(D.N, D.d)
    n = grid_bits_max(D, rho, g)
    bounds = moderate_bounds(D.N, D.d, D.C, m, n, g, t)
    B = bounds.pop("blocks")
    if data_is_dyadic(D):
        bounds["bits_first"] = first_layer_bits_bound(D, rho, g, n)
    return size_verdict(net, bounds, f"N = {D.N}, d = {D.d}, g = {g}, {B} blocks, m = {m}, grid bits <= {n}")


@claim("KMY25.ThmB.5.size", "moderate-rho memorizer's params, depth, width and bits within docs/sizes.md's explicit "
       "O~(N d^1/4 rho^1/2) bounds (B = ceil(N/g) blocks of O~(sqrt g)), independent Eq. 3 count",
       {"seeded": _size_cases([(30, 1, 5), (100, 2, 4), (200, 3, 20), (100, 5, 50), (64, 8, 8), (1000, 1, 500),
                               (1000, 2, 14)]),
        "large": _size_cases([(3000, 1, 1000), (3000, 2, 30), (2000, 4, 100)])},
       source="Kim, Moon & Yun 2025, Theorem B.5 with Lemma B.13 (sizes; Theorem B.1 row ii)", slow_families=("large",))
def check_size(inst):
    from exactmem.constructions.moderate_rho import moderate_rho_network, moderate_rho_plan
    D, rho = inst
    pl = moderate_rho_plan(D, rho, ETA)
    return sizes_moderate(D, rho, moderate_rho_network(pl), pl["t"])
