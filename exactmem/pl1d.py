"""Complete exact analysis of ReLU networks with one input: their linear pieces.

A network R -> R^k is piecewise linear; :func:`pieces` returns its exact pieces by
pushing affine maps layer by layer and splitting each interval at every exact
zero crossing of a pre-activation.  Statements about the function on an interval
are then proved piece by piece -- nothing is sampled.

>>> from exactmem import ReLUNet
>>> f = ReLUNet([([[1], [-1]], [0, 0]), ([[1, 1]], [0])])    # |x|
>>> [(str(p.lo), str(p.hi), [str(s) for s in p.slope]) for p in pieces(f)]
[('None', '0', ['-1']), ('0', 'None', ['1'])]
>>> constant_on(f, -1, 1, 0).is_refuted
True
"""
from __future__ import annotations

from dataclasses import dataclass

from flint import fmpq

from .errors import DimensionMismatchError, NetworkError
from .exact import fmt, to_rational
from .verdict import Verdict

_ZERO = fmpq(0)


@dataclass(frozen=True)
class Piece:
    """On the open interval (lo, hi) (None = unbounded) the network equals slope * x + intercept;
    by continuity it does so on the closure as well."""

    lo: fmpq | None
    hi: fmpq | None
    slope: tuple
    intercept: tuple

    def value(self, x) -> list:
        x = to_rational(x)
        return [s * x + c for s, c in zip(self.slope, self.intercept)]

    def interior_point(self) -> fmpq:
        if self.lo is None and self.hi is None:
            return fmpq(0)
        if self.lo is None:
            return self.hi - 1
        if self.hi is None:
            return self.lo + 1
        return (self.lo + self.hi) / 2


def _matvec(rows, v):
    return [sum((a * b for a, b in zip(r, v)), _ZERO) for r in rows]


def pieces(net, lo=None, hi=None, merge: bool = True) -> list:
    """The exact linear pieces of a one-input network on the interval (lo, hi) (None = unbounded)."""
    if net.input_dim != 1:
        raise DimensionMismatchError(f"pieces() needs a network with one input, got {net.input_dim}")
    lo = None if lo is None else to_rational(lo)
    hi = None if hi is None else to_rational(hi)
    if lo is not None and hi is not None and not lo < hi:
        raise NetworkError(f"empty interval ({fmt(lo)}, {fmt(hi)})")
    layers = [(W.tolist(), b.entries()) for W, b in net.layers]
    current = [(lo, hi, [fmpq(1)], [_ZERO])]
    L = len(layers)
    for l, (W, b) in enumerate(layers):
        nxt = []
        for a, z, s, c in current:
            zs = _matvec(W, s)
            zc = [u + v for u, v in zip(_matvec(W, c), b)]
            if l == L - 1:
                nxt.append((a, z, zs, zc))
                continue
            cuts = set()
            for sl, ic in zip(zs, zc):
                if sl != 0:
                    x0 = -ic / sl
                    if (a is None or x0 > a) and (z is None or x0 < z):
                        cuts.add(x0)
            bounds = [a] + sorted(cuts) + [z]
            for u, w in zip(bounds, bounds[1:]):
                t = Piece(u, w, (), ()).interior_point()
                act = [(sl * t + ic) > 0 for sl, ic in zip(zs, zc)]
                nxt.append((u, w, [sl if on else _ZERO for sl, on in zip(zs, act)],
                            [ic if on else _ZERO for ic, on in zip(zc, act)]))
        current = nxt
    out = [Piece(a, z, tuple(s), tuple(c)) for a, z, s, c in current]
    if merge:
        merged = []
        for p in out:
            if merged and merged[-1].slope == p.slope and merged[-1].intercept == p.intercept:
                merged[-1] = Piece(merged[-1].lo, p.hi, p.slope, p.intercept)
            else:
                merged.append(p)
        out = merged
    return out


def breakpoints(net, lo=None, hi=None) -> list:
    """The exact points where the slope of a one-input network changes."""
    return [p.lo for p in pieces(net, lo, hi)[1:]]


def constant_on(net, a, b, value, output: int = 0) -> Verdict:
    """PROVED iff output ``output`` of the network equals ``value`` on the whole open interval (a, b).

    A REFUTED verdict carries an exact point of (a, b) where it does not.
    """
    a, b, value = to_rational(a), to_rational(b), to_rational(value)
    for p in pieces(net, a, b):
        s, c = p.slope[output], p.intercept[output]
        if s != 0 or c != value:
            x = p.interior_point()
            got = s * x + c
            if got == value:  # slope != 0 and the midpoint happens to hit the value: move off it
                x = (x + (p.hi if p.hi is not None else x + 2)) / 2
                got = s * x + c
            return Verdict.refuted(f"output {output} is {fmt(got)} != {fmt(value)} at x = {fmt(x)}",
                                   witness={"x": fmt(x), "value": fmt(got)})
    return Verdict.proved(f"every linear piece on ({fmt(a)}, {fmt(b)}) is the constant {fmt(value)}")
