"""KMY25 Theorem B.3: for rho <= 1/(5 N sqrt d), an exact network rho-robustly memorizes D (certified end to end)."""
import random

from flint import fmpq

from exactmem import Dataset, Verdict, all_of, memorize, verify
from exactmem.bounds import evaluate
from exactmem.claims import claim
from exactmem.exact import fmt


def _cases():
    for seed, (N, d, C) in enumerate([(2, 1, 2), (8, 2, 2), (25, 3, 3), (40, 4, 2), (60, 9, 5)]):
        rng = random.Random(900 + seed)
        pts = set()
        while len(pts) < N:
            pts.add(tuple(fmpq(rng.randint(-30, 30), rng.randint(1, 3)) for _ in range(d)))
        D = Dataset([list(p) for p in pts], [1 + i % C for i in range(N)])
        yield f"N={N} d={d} C={C}", D


@claim("KMY25.ThmB.3", "small-rho memorizer at the top of the regime, certified by the kernel; "
       "parameter count reported against O~(sqrt N + d)", {"seeded": _cases}, source="Kim, Moon & Yun 2025, Thm B.3",
       uses=('KMY25.LemB.20', 'KMY25.LemB.15', 'KMY25.LemB.16', 'KMY25.Flatten', 'KMY25.LemB.10'))
def check(D):
    rho = fmpq(1, 5 * D.N * D.d)  # <= 1/(5 N sqrt d) since d >= sqrt d
    net, cert = memorize(D, rho)
    bound = evaluate("KMY25.Thm4.2.i", D.N, D.d, rho)
    # Stage II: the scale s <= 1/(4 N mu) makes every ball's image at most 1/(4N) wide in each coordinate, the room
    # the translation margin 1/(2N) leaves above Floor's gamma = 1/(4N): ||w_k||^2 mu^2 <= 1/(16 N^2) for every row
    # w_k of the first layer, with mu^2 = rho^2 eps_D^2 and eps_D by brute force over the pairs
    X, y = D.points.tolist(), D.labels
    eps_sq = min(sum(((a - b) ** 2 for a, b in zip(X[i], X[j])), fmpq(0))
                 for i in range(D.N) for j in range(i) if y[i] != y[j]) / 4
    W1 = net.layers[0][0]
    widest = max(sum((W1[k, j] ** 2 for j in range(W1.ncols())), fmpq(0)) for k in range(W1.nrows()))
    image = Verdict.from_exact(widest * rho * rho * eps_sq * 16 * D.N * D.N <= 1,
                               f"ball images: max_k ||w_k||^2 mu^2 = {fmt(widest * rho * rho * eps_sq)} <= 1/(16 N^2)",
                               {"max_row_sq_mu_sq": fmt(widest * rho * rho * eps_sq)})
    return all_of([verify(net, D, rho, cert), image],
                  f"N = {D.N}, d = {D.d}: {net.param_count()} params (sqrt N + d = {float(bound):.1f}), depth "
                  f"{net.depth}, width {net.width}")


def _size_cases(grid):
    def make():
        from exactmem.sizes import seeded_dataset
        for N, d, k in grid:
            yield f"N={N} d={d} rho=1/(5Nd*{k})", (seeded_dataset(N, d), fmpq(1, 5 * N * d * k))
    return make


def sizes_small(D, rho, net):
    """Theorem B.3's sizes against docs/sizes.md's bounds, from (N, d, C, rho) and the data's aspect ratio only:
    m is the paper's (Lemma B.20), n bounds the grid's bits from the box diameter of the data."""
    from exactmem.blocks import m_small_rho
    from ._sizes import first_layer_bits_bound, grid_bits_max, size_verdict, small_bounds
    m = m_small_rho(D.N, D.d)
    n = grid_bits_max(D, rho, D.N)
    bounds = small_bounds(D.N, D.d, D.C, m, n)
    if data_is_dyadic(D):
        bounds["bits_first"] = first_layer_bits_bound(D, rho, D.N, n)
    return size_verdict(net, bounds, f"N = {D.N}, d = {D.d}, m = {m}, grid bits <= {n}")


def data_is_dyadic(D) -> bool:
    from ._sizes import data_fraction_bits
    return data_fraction_bits(D) is not None


@claim("KMY25.ThmB.3.size", "small-rho memorizer's params, depth, width and bits within docs/sizes.md's explicit "
       "O~(sqrt N + d) bounds (independent Eq. 3 count), N up to 1000 and rho down to 1/(5Nd 10^3)",
       {"seeded": _size_cases([(10, 1, 1), (100, 1, 1), (300, 2, 1), (1000, 1, 1), (1000, 2, 1), (200, 3, 1000),
                               (64, 8, 1), (40, 16, 1)]),
        "large": _size_cases([(3000, 2, 1), (10000, 1, 1), (1000, 4, 10 ** 6)])},
       source="Kim, Moon & Yun 2025, Theorem B.3 (sizes; Theorem B.1 row i)", slow_families=("large",))
def check_size(inst):
    from exactmem.constructions.small_rho import small_rho_network, small_rho_plan
    D, rho = inst
    return sizes_small(D, rho, small_rho_network(small_rho_plan(D, rho)))
