"""KMY25 Lemma B.23 (finite precision): a network with P parameters, depth L, width D and parameters of size at most
M >= 1 has, for R >= 1 and 0 < nu < 1, a network of the same architecture with O~(L) bits per parameter that is
within nu of it on the ball ||x|| <= R.

exactmem's constructions need no rounding (exact rationals), so the lemma is checked on its own, on networks whose
weights have no short fixed-point form (the Yu-style network of Theorem B.14, whose thresholds are arbitrary
rationals): every parameter is rounded to the nearest multiple of 2^-b, with b the least integer for which the
sound error recursion (sup norms; s_0 = R, s_l = D M s_(l-1) + M bounds the activations, e_l = D (M + z) e_(l-1)
+ D z s_(l-1) + z the error, z = 2^-b) gives e_L <= nu -- computed in exact rationals, so the bound holds for every
x in the ball.  Then: b <= L log2(4 D (M + 1)) + log2(R + 1) + log2(1/nu) + 4 (the O~(L) of the lemma; decided
exactly as 2^(b-4) <= (4 D (M + 1))^L (R + 1)/nu, no float logarithm), the rounded
network has that many fractional bits, the same dimensions, and is within nu of the original at the data points
and at seeded points of their balls (exact evaluation; a cross-check of the recursion).
"""
import math
import random

from flint import fmpq, fmpq_mat

from exactmem import ReLUNet, Verdict, all_of
from exactmem.claims import claim
from exactmem.constructions.large_rho import yu_plan
from exactmem.constructions.layers import yu_layers

from ._instances import random_dataset
from ._sizes import fixed_point_bits


def rounded(net: ReLUNet, b: int) -> ReLUNet:
    """Every parameter rounded to the nearest multiple of 2^-b (exactly)."""
    s = 2 ** b

    def r(v):
        return fmpq(int((v * s + fmpq(1, 2)).p // (v * s + fmpq(1, 2)).q), s)
    return ReLUNet([([[r(v) for v in W.tolist()[i]] for i in range(W.nrows())], [r(v) for v in bias.entries()])
                    for W, bias in net.layers])


def error_bound(net: ReLUNet, R, b: int):
    """The recursion's bound on sup_{||x|| <= R} |rounded(net, b)(x) - net(x)|_inf (exact rationals)."""
    z = fmpq(1, 2 ** b)
    M = max(max((abs(v) for v in list(W.entries()) + list(bb.entries())), default=fmpq(0)) for W, bb in net.layers)
    M = max(M, fmpq(1))
    s, e = fmpq(R), fmpq(0)
    for W, _ in net.layers:
        D = W.ncols()
        e = D * (M + z) * e + D * z * s + z
        s = D * M * s + M
    return e, M


def within_limit(b: int, L: int, D: int, M, R, nu) -> bool:
    """Exactly: b <= L log2(4 D (M + 1)) + log2(R + 1) + log2(1/nu) + 4, i.e. (log2 being increasing, every
    factor positive) 2^(b - 4) <= (4 D (M + 1))^L (R + 1) / nu, in rationals -- no float log2, whose rounding
    can accept a b one above the limit (4(M + 1) = 2^62 - 4 has log2 = 62.0 as a float)."""
    M, R, nu = fmpq(M), fmpq(R), fmpq(nu)
    return fmpq(2) ** (b - 4) <= (4 * D * (M + 1)) ** L * (R + 1) / nu


def limit_text(L: int, D: int, M, R, nu) -> str:
    """The limit L log2(4 D (M+1)) + log2(R+1) + log2(1/nu) + 4 as a decimal, for the message only (display; the
    comparison is :func:`within_limit`'s)."""
    v = L * math.log2(4 * D * (float(M) + 1)) + math.log2(float(R) + 1) + math.log2(float(1 / fmpq(nu))) + 4
    return f"{v:.1f}"


def _cases():
    for seed, (N, d, rho) in enumerate([(4, 1, fmpq(1, 2)), (6, 2, fmpq(9, 10)), (5, 3, fmpq(1, 3))]):
        D = random_dataset(3000 + seed, N, d, C=2, denom=3, span=4)
        yield f"Yu network N={N} d={d} rho={rho}", (D, rho, fmpq(1, 10))


@claim("KMY25.LemB.23", "rounding every weight to b = O(L log(D M) + log(R/nu)) fractional bits keeps the network within "
       "nu on ||x|| <= R: a sound exact error recursion, the bit count, and exact evaluation at ball points",
       {"Yu-style networks": _cases}, source="Kim, Moon & Yun 2025, Lemma B.23")
def check(inst):
    D, rho, nu = inst
    pl = yu_plan(D, rho)
    net = ReLUNet.from_sparse(yu_layers(pl), pl["d"])
    X = D.points.tolist()
    mu = rho * D.eps(1) / D.d                     # mu_2 >= mu_1 / sqrt(d) >= this, a rational radius inside each ball
    R_sq = max(sum((t * t for t in x), fmpq(0)) for x in X)
    R = fmpq(math.isqrt(int(R_sq.p // R_sq.q)) + 2 + int(mu.p // mu.q))     # R >= max ||x_i|| + mu, R >= 1
    b = 1
    while error_bound(net, R, b)[0] > nu:
        b += 1
    e, M = error_bound(net, R, b)
    L, Dw = len(net.layers), max(W.ncols() for W, _ in net.layers)
    low = rounded(net, b)
    rng = random.Random(D.N)
    pts = [list(x) for x in X]
    for x in X:
        for _ in range(5):
            pts.append([t + mu * fmpq(rng.randint(-99, 99), 100 * D.d) for t in x])
    diff = (low.evaluate(fmpq_mat(pts)) - net.evaluate(fmpq_mat(pts))).entries()
    worst = max(abs(v) for v in diff)
    frac = max(int(v.q).bit_length() - 1 for W, bb in low.layers for v in list(W.entries()) + list(bb.entries()))
    return all_of([Verdict.from_exact(e <= nu, f"recursion: sup error <= {float(e):.3g} <= nu = {nu} with b = {b}"),
                   Verdict.from_exact(within_limit(b, L, Dw, M, R, nu),
                                      f"b = {b} <= L log2(4 D (M+1)) + log2(R+1) + log2(1/nu) + 4 ≈ "
                                      f"{limit_text(L, Dw, M, R, nu)}, decided exactly as 2^(b-4) <= "
                                      f"(4 D (M+1))^L (R+1)/nu (L = {L}, D = {Dw}, M = {float(M):.3g})"),
                   Verdict.from_exact(low.dims == net.dims and frac <= b and fixed_point_bits(low.parameters()) is not None,
                                      f"same dimensions, {frac} <= b fractional bits"),
                   Verdict.from_exact(worst <= nu, f"max |difference| at {len(pts)} ball points = {float(worst):.3g} <= nu",
                                      witness={"worst": str(worst)})],
                  f"L = {L}: b = {b} bits after the point suffice for nu = {nu}")
