"""Husain & Balle, "A Law of Robustness for Weight-bounded Neural Networks" (arXiv:2102.08093, withdrawn): a
Rademacher-complexity bound on a weight-norm-bounded class gives a lower bound on a weight norm of every fit,
and the argument reads it as a lower bound on the Lipschitz constant.  What survives, checked exactly: the
proxy P = prod_l ||W_l||_F^2 bounds Lip_2^2 from above.  What fails: P >= c^2 does not give Lip >= c, even when
P >= c^2 holds for EVERY two-layer fit of the data (the zigzag data of ``exactmem.lipschitz.families``)."""
import random

from flint import fmpq

from exactmem import ReLUNet, Verdict, all_of, box
from exactmem.claims import claim
from exactmem.exact import fmt
from exactmem.lipschitz import lipschitz_constant, weight_norm_proxy
from exactmem.lipschitz.families import (kink_box, member, path_sum, pl_interpolant, slope_variation, zigzag,
                                         zigzag_data, zigzag_floor)
from exactmem.lipschitz.mcshane import mcshane_net
from exactmem.pl1d import pieces

from ._lipschitz_instances import bounding_box, random_net, valued_data

SOURCE = "Husain & Balle 2021, arXiv:2102.08093 v1, main result (withdrawn by the authors)"


def _nets():
    for fam, t in (("rescaled", fmpq(1, 3)), ("rescaled", fmpq(4)), ("deep", 3), ("cancelling", fmpq(5, 2)),
                   ("zigzag", 6)):
        net, _, _ = member(fam, t)
        yield f"{fam} t={t}", (net, box(*kink_box(fam, t)))
    X, y = valued_data(1300, 5, 2)
    yield "McShane l_inf network, 5 points in R^2", (mcshane_net(X, y, "inf"), bounding_box(X))
    for seed, dims in enumerate([[2, 4, 1], [2, 3, 3, 1], [3, 4, 2, 1]]):
        yield f"random {dims}", (random_net(1310 + seed, dims), box([-1] * dims[0], [1] * dims[0]))


@claim("HB21.proxy_bounds_lip",
       "what survives of the withdrawn argument: the weight-norm proxy prod ||W_l||_F^2 is at least Lip_2^2 (exact "
       "Lip on a box, proxy by rational arithmetic)",
       {"families, McShane and random networks": _nets}, source=SOURCE, status="withdrawn", tags=("law",))
def check_upper(inst):
    net, B = inst
    L = lipschitz_constant(net, 2, B)
    if not L.verdict.is_proved:
        return Verdict.undecided(f"Lip was not proved: {L.verdict.reason}")
    P = weight_norm_proxy(net).value
    return Verdict.from_exact(P >= L.upper_sq, f"P = {fmt(P)} >= {fmt(L.upper_sq)} >= Lip^2 (dims {net.dims})",
                              witness={"proxy": fmt(P), "lip_sq": fmt(L.upper_sq)})


def _random_fit(rng, n):
    """A two-layer fit of zigzag_data(n) through random extra knots, with its units rescaled at random."""
    X, y = zigzag_data(n)
    ts, vs = [x[0] for x in X], list(y)
    for _ in range(rng.randint(1, 5)):
        t = fmpq(rng.randint(-4, 8 * n), 4)
        if t not in ts:
            ts.append(t)
            vs.append(fmpq(rng.randint(-8, 8), rng.choice((1, 2, 3))))
    f = pl_interpolant(ts, vs)
    (W, b), (A, c) = f.layers
    s = [fmpq(rng.randint(1, 9), rng.randint(1, 9)) for _ in range(W.nrows())]    # (w, b, a) -> (s w, s b, a / s)
    return ReLUNet([([[s[j] * W[j, 0]] for j in range(W.nrows())], [s[j] * b[j, 0] for j in range(W.nrows())]),
                        ([[A[0, j] / s[j] for j in range(W.nrows())]], [c[0, 0]])])


def _steps():
    for n in (3, 5, 10, 25):
        yield f"zigzag n={n}", ("zigzag", n)
    for t in (4, 100):
        yield f"rescaled t={t}", ("rescaled", fmpq(t))


@claim("HB21.step",
       "the withdrawn step 'proxy >= c^2 implies Lip >= c' is refuted exactly: every two-layer fit of (2i, (-1)^i), "
       "i < n, has proxy >= 4(n-2)^2 (checked on the fits tried: P >= (sum |a_j w_j|)^2 >= TV(f')^2 >= 4(n-2)^2), yet "
       "a fit with Lip = 1 exists; and relu(x) has representations with proxy >= t^2/4 for every t",
       {"instances": _steps}, source=SOURCE, status="withdrawn", tags=("law",),
       uses=('BLN21.proxy', 'Law.pairwise'))
def check_step(inst):
    fam, t = inst
    if fam == "rescaled":
        net, P_hand, _ = member(fam, t)
        P = weight_norm_proxy(net).value
        L = lipschitz_constant(net, 2, box(*kink_box(fam, t)))
        refutes = P == P_hand and P >= t * t / 4 > 1 and L.is_exact and L.upper_sq == 1
        return Verdict.from_exact(refutes, f"P = {fmt(P)} >= (t/2)^2 = {fmt(t * t / 4)}, yet Lip^2 = 1: the step fails",
                                  witness={"proxy": fmt(P), "lip_sq": fmt(L.upper_sq)})
    n = t
    X, y = zigzag_data(n)
    floor, c_sq = zigzag_floor(n), fmpq(4 * (n - 2) ** 2)
    f = zigzag(n)
    parts = [Verdict.from_exact(f.evaluate(X).entries() == [fmpq(v) for v in y], "the zigzag fits the data")]
    L = lipschitz_constant(f, 2, box(*kink_box("zigzag", n)))
    on_R = max(abs(p.slope[0]) for p in pieces(f))                     # all of R, from the exact pieces
    parts.append(Verdict.from_exact(L.is_exact and L.upper_sq == 1 and on_R == 1,
                                    "Lip = 1 (lipschitz_constant on the kinks' box; max |slope| over R)"))
    rng = random.Random(n)
    for g in [f] + [_random_fit(rng, n) for _ in range(4)]:
        fits = g.evaluate(X).entries() == [fmpq(v) for v in y]
        P, path, tv = weight_norm_proxy(g).value, path_sum(g), slope_variation(g)
        parts.append(Verdict.from_exact(fits and P >= path ** 2 >= tv ** 2 >= floor,
                                        f"a two-layer fit: P = {fmt(P)} >= path^2 = {fmt(path ** 2)} >= TV^2 = "
                                        f"{fmt(tv ** 2)} >= 4(n-2)^2 = {fmt(floor)}",
                                        witness={"proxy": fmt(P), "path": fmt(path), "tv": fmt(tv)}))
    P = weight_norm_proxy(f).value
    parts.append(Verdict.from_exact(P >= c_sq > 1 == L.upper_sq,
                                    f"P = {fmt(P)} >= c^2 = {fmt(c_sq)} with c = 2(n-2), yet Lip^2 = 1 < c^2",
                                    witness={"proxy": fmt(P), "c_sq": fmt(c_sq), "lip_sq": "1"}))
    return all_of(parts, f"zigzag data, n = {n}: the proxy floor {fmt(floor)} holds, Lip = 1")
