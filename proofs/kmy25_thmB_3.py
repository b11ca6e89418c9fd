"""KMY25 Theorem B.3: for rho <= 1/(5 N sqrt d), an exact network rho-robustly memorizes D (certified end to end)."""
import random

from flint import fmpq

from exactmem import Dataset, all_of, memorize, verify
from exactmem.bounds import evaluate
from exactmem.claims import claim


def _cases():
    for seed, (N, d, C) in enumerate([(2, 1, 2), (8, 2, 2), (25, 3, 3), (40, 4, 2), (60, 9, 5)]):
        rng = random.Random(900 + seed)
        pts = set()
        while len(pts) < N:
            pts.add(tuple(fmpq(rng.randint(-30, 30), rng.randint(1, 3)) for _ in range(d)))
        D = Dataset([list(p) for p in pts], [1 + i % C for i in range(N)])
        yield f"N={N} d={d} C={C}", D


@claim("KMY25.ThmB.3", "small-rho memorizer at the top of the regime, certified by the kernel; "
       "parameter count reported against O~(sqrt N + d)", {"seeded": _cases}, source="Kim, Moon & Yun 2025, Thm B.3")
def check(D):
    rho = fmpq(1, 5 * D.N * D.d)  # <= 1/(5 N sqrt d) since d >= sqrt d
    net, cert = memorize(D, rho)
    bound = evaluate("KMY25.Thm4.2.i", D.N, D.d, rho)
    return all_of([verify(net, D, rho, cert)],
                  f"N = {D.N}, d = {D.d}: {net.param_count()} params (sqrt N + d = {float(bound):.1f}), depth "
                  f"{net.depth}, width {net.width}")
