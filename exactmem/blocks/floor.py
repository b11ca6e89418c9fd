"""Floor (Lemma B.16): a ReLU network equal to floor(x) on [0, 2^n) wherever x - floor(x) >= gamma.

exactmem's Floor_n computes the binary digits of floor(x) by long division.  With registers
S (digits so far), r (remainder) and the ramp b = sigma(t(r - h)) - sigma(t(r - h) - 1) at
h = 2^(n-k-1): b = 1 for r >= h + 1/t and b = 0 for r <= h; S <- 2S + b, r <- r - h b.  On the
remainders, r - h has the fractional part of x, so when frac(x) >= gamma = 1/t the ramp is never
partial and the digits are exact.  Width 4 (3 in the first layer), 4n - 1 ReLUs, n hidden
layers, all weights integers of size at most t 2^(n-1) + 1: n + log2(t) bits for t a power of two (the largest bias is t 2^(n-1) + 1).

The statement promises width 5, 5n ReLUs and 2n + log2(t) bits; the notes' reconstruction of the
paper's own block (iterated Delta_{gamma,n} on x' = 1 - x/2^n, :func:`floor_delta_net`) needs a
sixth unit per layer to carry x to the output in a plain feed-forward net -- see docs/errata.md.

>>> f = floor_net(3, 4)              # n = 3, gamma = 1/4
>>> [f([x])[0] for x in ["0", "5/4", "13/2", "7.999"]]
[0, 1, 6, 7]
>>> verify_floor(f, 3, "1/4").is_proved
True
"""
from __future__ import annotations

from flint import fmpq

from ..errors import NetworkError
from ..exact import fmt, to_rational
from ..network import ReLUNet
from ..pl1d import pieces
from ..verdict import Verdict
from .program import ONE, Program


def _check_nt(n, t):
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise NetworkError(f"n must be a positive int, got {n!r}")
    if isinstance(t, bool) or not isinstance(t, int) or t < 2:
        raise NetworkError(f"t must be an int >= 2 (gamma = 1/t), got {t!r}")


def floor_net(n: int, t: int) -> ReLUNet:
    """Floor_n for gamma = 1/t (exact on [0, 2^n) where frac(x) >= 1/t)."""
    _check_nt(n, t)
    prog = Program(["x"])
    h = 2 ** (n - 1)
    prog.layer({"r": {"x": 1}, "p": {"x": t, ONE: -t * h}, "q": {"x": t, ONE: -t * h - 1}})
    first = True
    for k in range(1, n):
        h_prev, h = h, 2 ** (n - 1 - k)
        # r' = r - h_prev * b with b = p - q;  S' = 2 S + b
        r_new = {"r": 1, "p": -h_prev, "q": h_prev}
        units = {"S": ({"p": 1, "q": -1} if first else {"S": 2, "p": 1, "q": -1}), "r": r_new,
                 "p": {**{k2: t * v for k2, v in r_new.items()}, ONE: -t * h},
                 "q": {**{k2: t * v for k2, v in r_new.items()}, ONE: -t * h - 1}}
        prog.layer(units)
        first = False
    return prog.output([{"p": 1, "q": -1} if n == 1 else {"S": 2, "p": 1, "q": -1}])


def floor_delta_net(n: int, t: int) -> ReLUNet:
    """The notes' reconstruction of the paper's block: x - 1 + Delta_{gamma,n}^n(1 - x/2^n), with
    Delta(u) = 2 sigma(u) - (sigma(u - 1/2 + g) - sigma(u - 1/2))/g - (sigma(u - 1 + g) - sigma(u - 1))/g,
    g = gamma / 2^n, plus one unit per layer carrying x >= 0 (width 6, 6n ReLUs)."""
    _check_nt(n, t)
    g = fmpq(1, t * 2 ** n)
    half = fmpq(1, 2)
    prog = Program(["x"])
    u = {"x": fmpq(-1, 2 ** n), ONE: 1}  # x' = 1 - x / 2^n

    def delta_units(src):
        out = {"x": {"x": 1}, "s": dict(src)}
        for name, c in (("a1", -half + g), ("a2", -half), ("b1", -1 + g), ("b2", -1)):
            out[name] = {**{k: v for k, v in src.items() if k != ONE}, ONE: src.get(ONE, 0) + c}
        return out

    def delta_value():  # Delta of the current registers, as an affine dict
        return {"s": 2, "a1": -1 / g, "a2": 1 / g, "b1": -1 / g, "b2": 1 / g}

    prog.layer(delta_units(u))
    for _ in range(n - 1):
        prog.layer(delta_units(delta_value()))
    out = delta_value()
    out["x"] = 1
    out[ONE] = -1
    return prog.output([out])


def verify_floor(net: ReLUNet, n: int, gamma) -> Verdict:
    """Prove net(x) = floor(x) for every x in [0, 2^n) with frac(x) >= gamma, from the exact pieces."""
    gamma = to_rational(gamma)
    if not (0 < gamma < 1):
        raise NetworkError(f"gamma must lie in (0, 1), got {fmt(gamma)}")
    top = fmpq(2 ** n)
    ps = pieces(net, fmpq(-1), top + 1)
    checked = 0
    for p in ps:
        lo = p.lo if p.lo is not None else fmpq(-1)
        hi = p.hi if p.hi is not None else top + 1
        # integers m whose good set [m + gamma, m + 1) meets the closed piece [lo, hi]
        m0 = max(0, int((lo - gamma).p // (lo - gamma).q))
        m1 = min(2 ** n - 1, int(hi.p // hi.q))
        for m in range(m0, m1 + 1):
            a, b = max(lo, m + gamma), min(hi, fmpq(m + 1))
            if a > b or (a == b and b == m + 1):
                continue
            s, c = p.slope[0], p.intercept[0]
            bad = None
            if a == b:  # the piece touches the good set in one point: only its value matters
                bad = a if s * a + c != m else None
            elif s != 0:
                bad = a if s * a + c != m else (a + b) / 2
            elif c != m:
                bad = a
            if bad is not None:
                return Verdict.refuted(f"net({fmt(bad)}) = {fmt(s * bad + c)} but floor = {m}",
                                       witness={"x": fmt(bad), "value": fmt(s * bad + c)})
            checked += 1
    return Verdict.proved(f"on each of {len(ps)} exact pieces over [0, 2^{n}) the net equals floor(x) wherever "
                          f"frac(x) >= {fmt(gamma)} ({checked} piece/cell overlaps checked)")
