"""Distance-threshold block for large rho (in the style of Yu, Gao & Zhang 2024).

Square (Yarotsky): f_k(t) = t - sum_{s=1..k} g_s(t) / 4^s with g the tent map and g_s its s-fold
iterate; f_k interpolates t^2 at the points j/2^k, so t^2 <= f_k(t) <= t^2 + 4^-(k+1) on [0, 1], and
f_k(t) = (3t - 1)/2 >= 1 for t >= 1 (the tent chain dies).  Both facts are proved from the exact
pieces (``verify_square``).

Threshold: with z = x - c and S(x) = B^2 sum_j f_k(|z_j| / B), ||z||^2 <= S <= ||z||^2 + d B^2 4^-(k+1)
while all |z_j| <= B, and S >= B^2 otherwise.  T = sigma(1 - sigma((S - lo)/(hi - lo))) is then
exactly 1 on the open ball ||z|| < mu (lo = mu^2 + d B^2 4^-(k+1)) and exactly 0 where
||z|| >= r_out (hi = r_out^2 <= B^2).  Width 4d, depth k + 4, O(d^2 k) parameters (block-diagonal
layers are counted in full, as the paper counts parameters).

>>> sq = sawtooth_square_net(3)
>>> sq(["1/2"]), sq(["1/3"])     # exact at j/8; at 1/3 the chord from (1/4, 1/16) to (3/8, 9/64)
([1/4], [11/96])
>>> verify_square(sq, 3).is_proved
True
"""
from __future__ import annotations

from flint import fmpq

from ..errors import NetworkError
from ..exact import fmt, to_rational, to_vector
from ..network import ReLUNet
from ..pl1d import pieces
from ..verdict import Verdict
from .program import ONE, Program


def sawtooth_square_net(k: int) -> ReLUNet:
    """f_k on t >= 0 (one input, one output)."""
    if isinstance(k, bool) or not isinstance(k, int) or k < 1:
        raise NetworkError(f"k must be a positive int, got {k!r}")
    prog = Program(["t"])
    prog.layer({"t": {"t": 1}, "u1": {"t": 1}, "u2": {"t": 1, ONE: fmpq(-1, 2)}})
    have_acc = False
    for s in range(1, k):
        g = {"u1": 2, "u2": -4}  # g_s = 2 sigma(g_{s-1}) - 4 sigma(g_{s-1} - 1/2)
        acc = {**({"A": 1} if have_acc else {}), **{kk: fmpq(v, 4 ** s) for kk, v in g.items()}}
        prog.layer({"t": {"t": 1}, "A": acc, "u1": g, "u2": {**g, ONE: fmpq(-1, 2)}})
        have_acc = True
    g = {"u1": 2, "u2": -4}
    out = {"t": 1, **({"A": -1} if have_acc else {})}
    for kk, v in g.items():
        out[kk] = out.get(kk, 0) - fmpq(v, 4 ** k)
    return prog.output([out])


def verify_square(net: ReLUNet, k: int, top=4) -> Verdict:
    """Prove t^2 <= f(t) <= t^2 + 4^-(k+1) on [0, 1] and f(t) >= 1 on [1, top] and beyond (exact pieces)."""
    err = fmpq(1, 4 ** (k + 1))
    ps = pieces(net, 0, None)
    worst = fmpq(0)
    for p in ps:
        s, c = p.slope[0], p.intercept[0]
        a = p.lo if p.lo is not None else fmpq(0)
        if a < 1:
            b = min(p.hi, fmpq(1)) if p.hi is not None else fmpq(1)
            # L(t) - t^2 is concave: >= 0 on [a, b] iff at both ends; its max is at t* = s/2 if inside
            for t in (a, b):
                if s * t + c < t * t:
                    return Verdict.refuted(f"f({fmt(t)}) < t^2", {"t": fmt(t)})
            cand = [a, b] + ([s / 2] if a < s / 2 < b else [])
            worst = max([worst] + [s * t + c - t * t for t in cand])
        if p.hi is None or p.hi > 1:
            a1 = max(a, fmpq(1))
            if s * a1 + c < 1 or s < 0:
                return Verdict.refuted(f"f < 1 beyond t = 1 (at {fmt(a1)})", {"t": fmt(a1)})
    if worst > err:
        return Verdict.refuted(f"max error {fmt(worst)} > 4^-(k+1)", {"error": fmt(worst)})
    return Verdict.proved(f"{len(ps)} exact pieces: t^2 <= f <= t^2 + {fmt(worst)} <= {fmt(err)} on [0, 1], "
                          f"f >= 1 and non-decreasing on [1, oo)")


def square_depth_for(d: int, B_sq, gap) -> int:
    """Least k with d * B^2 * 4^-(k+1) <= gap / 2."""
    B_sq, gap = to_rational(B_sq), to_rational(gap)
    k = 1
    while d * B_sq / 4 ** (k + 1) > gap / 2:
        k += 1
    return k


def distance_threshold_net(c, mu_sq, r_out_sq, B) -> tuple:
    """(net, facts): net(x) = 1 on ||x - c|| < mu, 0 on ||x - c|| >= r_out; needs r_out^2 <= B^2, mu^2 < r_out^2."""
    c = to_vector(c, "centre")
    mu_sq, r_out_sq, B = to_rational(mu_sq), to_rational(r_out_sq), to_rational(B)
    d = len(c)
    if not (0 < mu_sq < r_out_sq <= B * B):
        raise NetworkError("need 0 < mu^2 < r_out^2 <= B^2")
    gap = r_out_sq - mu_sq
    k = square_depth_for(d, B * B, gap)
    err = d * B * B / 4 ** (k + 1)
    lo, hi = mu_sq + err, r_out_sq
    sq = sawtooth_square_net(k)
    coords = []
    for j in range(d):
        sel = [[1 if i == j else 0 for i in range(d)]]
        absz = ReLUNet([([[1], [-1]], [0, 0]), ([[1 / B, 1 / B]], [0])])  # |z| / B
        coords.append(ReLUNet.affine(sel, [-c[j]]).then(absz).then(sq))
    S = ReLUNet.parallel(*coords).post_affine([[B * B] * d])
    thr = ReLUNet([([[1 / (hi - lo)]], [-lo / (hi - lo)]), ([[-1]], [1]), ([[1]], [0])])
    net = S.then(thr)
    return net, {"k": k, "err": err, "lo": lo, "hi": hi, "B": B, "square": sq}
