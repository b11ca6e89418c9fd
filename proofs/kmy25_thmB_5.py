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
       "per-ball bound on the misclassified probability", {"seeded": _cases}, source="Kim, Moon & Yun 2025, Thm B.5")
def check(inst):
    D, rho = inst
    return _run(D, rho)


@claim("KMY25.ThmB.5.real", "iris and digits in the moderate regime, error below eta = 1/100, certified",
       {"scikit-learn datasets": _real}, source="Kim, Moon & Yun 2025, Theorem B.5")
def check_real(inst):
    load, rho, mc = inst
    return _run(load(), rho, mc)
