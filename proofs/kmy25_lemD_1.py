"""KMY25 Lemma D.1 (Yu et al. 2024): a distance-threshold block separating B(c, mu) from ||x - c|| >= 2 eps - mu."""
import random

from flint import fmpq

from exactmem import Verdict, all_of
from exactmem.blocks import distance_threshold_net, sawtooth_square_net, verify_square
from exactmem.claims import claim

from ._sizes import Bound, size_verdict


def _squares():
    for k in (1, 2, 4, 8):
        yield f"f_{k}", k


@claim("KMY25.LemD.1.square", "Yarotsky's sawtooth square: t^2 <= f_k <= t^2 + 4^-(k+1) on [0,1], f_k >= 1 beyond",
       {"depths": _squares}, source="Yarotsky 2017, as used by Yu et al. 2024 (Kim et al. Lemma D.1)")
def check_square(k):
    """The bound is proved on the exact pieces and is attained: f_k is the chord of t^2 between the grid points 0
    and 2^-k, so f_k(2^-(k+1)) = 2^-k 2^-(k+1) = 2 * 4^-(k+1), an error of exactly 4^-(k+1) (by hand); so the
    verifier must refute the tighter allowance 4^-(k+2) for the same network."""
    net = sawtooth_square_net(k)
    t = fmpq(1, 2 ** (k + 1))
    err = net([t])[0] - t * t
    tighter = verify_square(net, k + 1)
    return all_of([verify_square(net, k),
                   Verdict.from_exact(err == fmpq(1, 4 ** (k + 1)), f"f_{k}(2^-{k + 1}) - 2^-{2 * k + 2} = {err}: the "
                                      f"error 4^-(k+1) is attained", {"error": str(err)}),
                   Verdict.from_exact(tighter.is_refuted, f"the allowance 4^-(k+2) is refuted for f_{k}: "
                                      f"{tighter.status.value}")], f"f_{k}")


def unit_vector(rng, d):
    """A seeded exact rational point of the unit sphere S^(d-1) (inverse stereographic projection of a rational
    u in Q^(d-1): (2u, |u|^2 - 1) / (|u|^2 + 1)), in general position: its first d - 1 coordinates are non-zero,
    and off the sawtooth's dyadic grid in general, so each coordinate's square carries its approximation error."""
    if d == 1:
        return [fmpq(rng.choice((1, -1)))]
    u = [fmpq(rng.choice((1, -1)) * rng.randint(1, 9), rng.randint(1, 5)) for _ in range(d - 1)]
    n = sum((t * t for t in u), fmpq(0))
    return [2 * t / (n + 1) for t in u] + [(n - 1) / (n + 1)]


def _blocks():
    for seed, d in enumerate([1, 2, 4, 3, 8]):
        rng = random.Random(seed)
        c = [fmpq(rng.randint(-9, 9), 2) for _ in range(d)]
        eps_sq, rho = fmpq(1), fmpq(1, 2 + seed)  # eps = 1
        yield f"d={d} rho={rho}", (c, eps_sq, rho)


@claim("KMY25.LemD.1.threshold", "the block is 1 at the centre and at probes inside the ball, 0 at probes at distance "
       ">= 2 eps - mu (axis-aligned and in general position, at distance (1 - 10^-6) mu and exactly 2 eps - mu); "
       "O(d^2 k) parameters", {"seeded": _blocks}, source="Kim, Moon & Yun 2025, Lemma D.1 (Yu et al.)")
def check_threshold(inst):
    """Axis-aligned probes move one coordinate, so only one square's approximation error enters the sum S; the
    probes along seeded exact unit vectors in general position move all d, so S carries up to d of them, and a
    threshold whose error allowance does not grow with d is refuted (at d >= 2)."""
    c, eps_sq, rho = inst
    mu_sq = rho * rho * eps_sq
    r_out_sq = (2 - rho) ** 2 * eps_sq  # (2 eps - mu)^2 with eps = 1
    net, facts = distance_threshold_net(c, mu_sq, r_out_sq, 2)
    d = len(c)
    parts = [Verdict.from_exact(facts["lo"] < facts["hi"], f"lo {facts['lo']} < hi {facts['hi']}")]
    probes_in, probes_out = [list(c)], []
    mu = rho  # eps = 1 so mu = rho exactly
    for j in range(d):
        for s in (1, -1):
            x = list(c)
            x[j] += s * mu * fmpq(99, 100)
            probes_in.append(x)
            y = list(c)
            y[j] += s * (2 - rho)
            probes_out.append(y)
    axis = len(probes_in)
    rng = random.Random(100 + d)
    for _ in range(16):                                  # general position: |s| = 1 exactly, distances exact
        s = unit_vector(rng, d)
        probes_in.append([a + mu * (1 - fmpq(1, 10 ** 6)) * t for a, t in zip(c, s)])
        probes_in.append([a + mu / 2 * t for a, t in zip(c, s)])
        probes_out.append([a + (2 - rho) * t for a, t in zip(c, s)])
        probes_out.append([a + 3 * t for a, t in zip(c, s)])
    vin = net.evaluate(probes_in).entries()
    vout = net.evaluate(probes_out).entries()
    bad_in = [i for i, v in enumerate(vin) if v != 1]
    bad_out = [i for i, v in enumerate(vout) if v != 0]
    where = "" if not bad_in else f"; first inside probe not 1: {'axis' if bad_in[0] < axis else 'general'} " \
        f"{bad_in[0]}, value {vin[bad_in[0]]}"
    parts.append(Verdict.from_exact(not bad_in and not bad_out,
                                    f"{len(vin)} inside probes -> 1 ({axis} axis-aligned), {len(vout)} outside probes "
                                    f"-> 0; {len(bad_in)} inside and {len(bad_out)} outside wrong{where}"))
    k = facts["k"]     # width 4d, depth k + 4, at most (k + 1)(4d + 1) 4d + 10 parameters (O(d^2 k), Eq. 3)
    # the lemma's square depth: the least k with d B^2 4^-(k+1) <= (r_out^2 - mu^2) / 2 (B = 2), so that the sum of
    # the d squares' errors takes at most half the gap; counted up here
    k_hand = 1
    while d * 4 / fmpq(4) ** (k_hand + 1) > (r_out_sq - mu_sq) / 2:
        k_hand += 1
    parts.append(Verdict.from_exact(k == k_hand, f"square depth k = {k}; the least k with d B^2 4^-(k+1) <= gap/2 is "
                                                 f"{k_hand}", {"k": k, "k_hand": k_hand}))
    parts.append(size_verdict(net, {"width": Bound(b=4 * d), "depth": Bound(b=k + 4),
                                    "params": Bound(b=(k + 1) * (4 * d + 1) * 4 * d + 10)}, f"k = {k}"))
    parts.append(verify_square(facts["square"], facts["k"]))
    return all_of(parts, "distance threshold")
