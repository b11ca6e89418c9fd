"""KMY25 Theorem B.5 (with Lemma B.13): for rho <= 1/(5 sqrt d) a network rho-robustly memorizes D with
error below eta; certified per ball by an exact slab bound (seeded data, iris, digits)."""
import random

from flint import fmpq

from exactmem import Dataset, all_of, memorize, verify
from exactmem.bounds import evaluate
from exactmem.claims import claim

ETA = fmpq(1, 100)


def _cases():
    for seed, (N, d, C, g) in enumerate([(12, 1, 2, 3), (30, 2, 3, 6), (40, 3, 2, 10), (60, 4, 4, 12)]):
        rng = random.Random(950 + seed)
        pts = set()
        while len(pts) < N:
            pts.add(tuple(fmpq(rng.randint(-30, 30), rng.randint(1, 3)) for _ in range(d)))
        D = Dataset([list(p) for p in pts], [1 + i % C for i in range(N)])
        yield f"N={N} d={d} C={C} g={g}", (D, fmpq(1, 5 * g * d))    # rho <= 1/(5 g sqrt d): groups of g


def _real():
    from exactmem import datasets
    yield "iris (N=149, d=4) rho=1/100", (datasets.iris, fmpq(1, 100), 4)
    yield "digits (N=1797, d=64) rho=1/50000", (datasets.digits, fmpq(1, 50000), 1)


def _run(D, rho, mc=2):
    net, cert = memorize(D, rho, eta=ETA, mc_samples=mc)
    v = verify(net, D, rho, cert)
    bound = evaluate("KMY25.Thm4.2.ii", D.N, D.d, rho)
    mc = cert.info["monte_carlo"]
    err = float(fmpq(v.details["max_error_bound"])) if v.is_proved else float("nan")
    return all_of([v], f"N = {D.N}, d = {D.d}: {cert.info['regime']} regime, {cert.info['blocks']} blocks of "
                       f"<= {cert.info['group_size']}, {net.param_count()} params (N d^1/4 rho^1/2 = {float(bound):.1f}), "
                       f"depth {net.depth}, width {net.width}; certified error <= {err:.2e} < eta = 1/100; Monte "
                       f"Carlo {mc['misclassified']}/{mc['samples']} (reported only)")


@claim("KMY25.ThmB.5", "moderate-rho memorizer with error below eta = 1/100: the kernel proves an exact "
       "per-ball bound on the misclassified probability", {"seeded": _cases}, source="Kim, Moon & Yun 2025, Thm B.5",
       uses=('KMY25.LemB.20', 'KMY25.LemB.13', 'KMY25.LemB.11', 'KMY25.LemB.15', 'KMY25.LemB.16', 'KMY25.LemB.10'))
def check(inst):
    D, rho = inst
    return _run(D, rho)


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
