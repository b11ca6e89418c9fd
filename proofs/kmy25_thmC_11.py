"""KMY25 Theorem C.11 (C.12-C.14): l_1 and l_inf robust memorizers through the l_2 constructions, certified in
all three regimes (the moderate one with the slab bound of the l_p measure, docs/errata.md).  The gamma_p reduction
is checked on its own, with eps_{D,1}, eps_{D,2}, eps_{D,inf} by brute force: the l_2 ratio rho2 the network is built
for makes the l_2 balls contain the l_p balls (rho2^2 eps_2^2 >= rho^2 eps_1^2 for p = 1, since ||v||_2 <= ||v||_1;
>= d rho^2 eps_inf^2 for p = inf, since ||v||_2 <= sqrt(d) ||v||_inf), and rho2 <= gamma_p(d) rho = sqrt(d) rho."""
import random

from flint import fmpq

from exactmem import Dataset, Verdict, all_of, memorize, verify
from exactmem.claims import claim


def _cases():
    for seed, (N, d, p, rho) in enumerate([(10, 2, "inf", fmpq(1, 500)), (10, 2, "1", fmpq(1, 500)),
                                            (8, 3, "inf", fmpq(1, 4)), (8, 3, "1", fmpq(1, 3)),
                                            (10, 2, "inf", fmpq(1, 40)), (10, 2, "1", fmpq(1, 40))]):
        rng = random.Random(970 + seed)
        pts = set()
        while len(pts) < N:
            pts.add(tuple(fmpq(rng.randint(-30, 30), rng.randint(1, 3)) for _ in range(d)))
        D = Dataset([list(p_) for p_ in pts], [1 + i % 2 for i in range(N)])
        yield f"N={N} d={d} p={p} rho={rho}", (D, p, rho)


@claim("KMY25.ThmC.11", "l_p memorizers (p = 1, inf) built for an l_2 ratio rho2 <= gamma_p(d) rho, certified "
       "by the kernel on the l_p balls themselves", {"seeded": _cases}, source="Kim, Moon & Yun 2025, Thms C.11-C.14",
       uses=('KMY25.ThmB.3', 'KMY25.ThmB.5', 'KMY25.ThmB.14'))
def check(inst):
    D, p, rho = inst
    net, cert = memorize(D, rho, p=p, eta=fmpq(1, 100))
    g = D.d ** 0.5
    X, y, d = D.points.tolist(), D.labels, D.d
    cross = [[a - b for a, b in zip(X[i], X[j])] for i in range(D.N) for j in range(i) if y[i] != y[j]]
    e2 = min(sum((t * t for t in v), fmpq(0)) for v in cross) / 4                 # eps_2^2
    ep = min((sum((abs(t) for t in v), fmpq(0)) if p == "1" else max(abs(t) for t in v)) for v in cross) / 2
    rho2 = fmpq(cert.info["rho2"])
    need = rho * rho * ep * ep * (1 if p == "1" else d)
    reduction = Verdict.from_exact(rho2 * rho2 * e2 >= need and rho2 * rho2 <= d * rho * rho,
                                   f"gamma_p reduction: rho2^2 eps_2^2 = {float(rho2 * rho2 * e2):.6g} >= "
                                   f"{'' if p == '1' else 'd '}rho^2 eps_p^2 = {float(need):.6g}, rho2^2 <= d rho^2",
                                   {"rho2": str(rho2), "eps_p": str(ep)})
    return all_of([verify(net, D, rho, cert, p=p), reduction],
                  f"p = {p}: l_2 ratio {float(fmpq(cert.info['rho2'])):.4g} vs gamma_p rho = {g * float(rho):.4g}; "
                  f"{cert.info['regime']} regime, {net.param_count()} params")
