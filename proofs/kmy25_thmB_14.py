"""KMY25 Theorem B.14: large rho, Yu et al.-style memorizer (after a projection in Case III) certified end to end."""
import random

from flint import fmpq

from exactmem import Dataset, all_of, memorize, verify
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
       "O~(N d^2 rho^4 + d)", {"seeded": _cases}, source="Kim, Moon & Yun 2025, Theorem B.14 with Lemma D.2")
def check(inst):
    D, rho = inst
    net, cert = memorize(D, rho)
    bound = evaluate("KMY25.Thm4.2.iii", D.N, D.d, rho)
    return all_of([verify(net, D, rho, cert)],
                  f"Case {cert.info['case']}: {net.param_count()} params (N d^2 rho^4 + d = {float(bound):.1f}), "
                  f"depth {net.depth}, width {net.width}, k = {cert.info['k']}")
