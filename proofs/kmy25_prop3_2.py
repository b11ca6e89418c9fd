"""KMY25 Proposition 3.2: first-layer width >= rho^2 min(N-1, d), with constructive failure witnesses."""
import random

from flint import fmpq

from exactmem import ReLUNet, Verdict, all_of
from exactmem.claims import claim
from exactmem.exact import ceil_q
from exactmem.linalg import random_rational_matrix
from exactmem.lower import first_layer_witness, width_dataset

from ._instances import random_first_layer


def _datasets():
    for N, d in [(2, 1), (3, 5), (6, 5), (4, 3), (9, 3), (12, 4), (5, 8)]:
        yield f"N={N} d={d}", (N, d)


@claim("KMY25.Prop3.2.dataset", "the hard dataset (both cases) is in D_{d,N,2} with eps_D = 1/2 in l1, l2, l-inf",
       {"cases I and II": _datasets}, source="Kim, Moon & Yun 2025, App. A.2")
def check_dataset(inst):
    N, d = inst
    D = width_dataset(N, d)
    # by hand: ||e_j - 0||_p = 1 for all p; label-2 points k e_1 (k >= 2) are >= 2 from the origin
    ok = D.N == N and D.d == d and D.C == 2 and D.eps_sq == fmpq(1, 4) and D.eps(1) == D.eps("inf") == fmpq(1, 2)
    return Verdict.from_exact(ok, f"N={D.N}, C={D.C}, eps^2={D.eps_sq}, eps_1={D.eps(1)}, eps_inf={D.eps('inf')}")


def _narrow():
    for seed, (N, d, rho) in enumerate([(4, 3, "9/10"), (6, 5, "3/4"), (9, 4, "19/20"), (8, 7, "2/3"),
                                        (12, 6, "99/100"), (3, 6, "9/10"), (20, 3, "7/8")]):
        rho = fmpq(*map(int, rho.split("/")))
        t = min(N - 1, d)
        for m in range(1, ceil_q(rho * rho * t)):
            yield f"N={N} d={d} rho={rho} m={m}", (N, d, rho, random_first_layer(seed * 100 + m, m, d), False)
        # a whole network, not just W: the witness must use its first layer
        rng = random.Random(seed)
        m = max(1, ceil_q(rho * rho * t) - 1)
        if m < rho * rho * t:
            W = random_rational_matrix(rng, m, d)
            net = ReLUNet([(W, [rng.randint(-2, 2) for _ in range(m)]), ([[rng.randint(-3, 3) for _ in range(m)]], [1])])
            yield f"network N={N} d={d} rho={rho}", (N, d, rho, net, True)


@claim("KMY25.Prop3.2", "below width rho^2 min(N-1,d) an exact witness pair defeats the first layer (kernel-verified)",
       {"narrow first layers": _narrow}, source="Kim, Moon & Yun 2025, Proposition 3.2")
def check(inst):
    N, d, rho, W, is_net = inst
    D = width_dataset(N, d)
    w = first_layer_witness(W, D, rho)
    if not (w.guaranteed and w.found):
        return Verdict.refuted(f"no witness although width < bound: {w.message}", {"m": str(w.W.nrows())})
    cert = w.certificate(W if is_net else None)
    return all_of([cert.verify()], f"witness for width {w.W.nrows()} < {w.bound}")


def _wide():
    for N, d, rho in [(4, 3, fmpq(1, 2)), (6, 5, fmpq(1, 3))]:
        yield f"identity N={N} d={d}", (N, d, rho)


@claim("KMY25.Prop3.2.nowitness", "at full width (injective first layer) the argument gives no witness, and says so",
       {"injective first layers": _wide}, source="Kim, Moon & Yun 2025, Proposition 3.2")
def check_wide(inst):
    N, d, rho = inst
    I = [[1 if i == j else 0 for j in range(d)] for i in range(d)]
    w = first_layer_witness(I, width_dataset(N, d), rho)
    return Verdict.from_exact(not w.found and not w.guaranteed and "no witness" in w.message, w.message)


def _extremal():
    half, eps = fmpq(1, 2), fmpq(1, 1000)
    grid = [  # (N, d, m, rho): rho^2 min(N-1, d) exactly m ("at"), a hair above m ("below": m < bound), below m
        (5, 4, 1, half), (9, 8, 2, half), (10, 9, 1, fmpq(1, 3)), (13, 12, 3, half), (10, 4, 1, half),
        (13, 12, 3, half + eps), (9, 8, 2, half + eps), (10, 9, 1, fmpq(1, 3) + eps), (10, 4, 1, half + eps),
        (13, 12, 4, half + eps), (7, 6, 2, half), (7, 6, 1, half)]
    for N, d, m, rho in grid:
        yield f"N={N} d={d} m={m} rho={rho}", (N, d, m, rho)


@claim("KMY25.Prop3.2.extremal", "at the extremal first layers (Lemma A.2 with equality) the witness exists exactly "
       "when the width is below rho^2 min(N-1, d): widths just below the bound are defeated, widths at it are not",
       {"extremal layers": _extremal}, source="Kim, Moon & Yun 2025, Proposition 3.2 and Lemma A.2")
def check_extremal(inst):
    from exactmem.linalg import nullspace, projector
    from exactmem.lower import extremal_first_layer
    N, d, m, rho = inst
    t = min(N - 1, d)
    bound = rho * rho * t                                     # the proposition's bound, computed here
    W = extremal_first_layer(N, d, m)
    P = projector(nullspace(W))
    dists = [1 - P[j, j] for j in range(t)]                  # dist(e_j, Null W)^2, exactly
    collide = min(dists) < rho * rho                         # a collision exists iff dist < 2 mu = rho
    w = first_layer_witness(W, width_dataset(N, d), rho)
    parts = [Verdict.from_exact(W.nrows() == m and all(x == fmpq(m, t) for x in dists),
                                f"width {m}, dist(e_j, Null W)^2 = m/t = {fmpq(m, t)} for every j <= t (extremal)"),
             Verdict.from_exact(collide == (m < bound), f"collision {collide} exactly when m = {m} < {bound}"),
             Verdict.from_exact(w.bound == bound, f"the library's width bound {w.bound} = rho^2 min(N-1, d) = {bound}"),
             Verdict.from_exact(w.guaranteed == (m < bound) and w.found == collide,
                                f"library: guaranteed {w.guaranteed}, found {w.found}; expected {m < bound}, {collide}")]
    if w.found:
        parts.append(w.certificate().verify())
    return all_of(parts, f"width {m} {'<' if m < bound else '>='} bound {bound}: "
                         f"{'defeated (kernel-verified witness)' if w.found else 'no witness exists'}")
