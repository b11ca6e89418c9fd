"""Build ReLU networks layer by layer over named registers.

Each hidden layer defines new registers as sigma(affine function of the previous registers);
the output is an affine function of the last registers.  An affine function is a dict
``{register: coefficient, 1: constant}``.  A register is carried unchanged by
``{"r": 1}``, which is exact only when r >= 0 (sigma(r) = r); the builder records this and
callers document why it holds.  Coefficients are exact rationals: nothing is rounded.

>>> prog = Program(["x"])
>>> prog.layer({"pos": {"x": 1}, "neg": {"x": -1}})
>>> net = prog.output([{"pos": 1, "neg": 1}])             # |x|
>>> net(["-5/2"])
[5/2]
"""
from __future__ import annotations

from flint import fmpq

from ..errors import NetworkError
from ..exact import to_rational
from ..network import ReLUNet

ONE = 1


class Program:
    def __init__(self, inputs):
        inputs = list(inputs)
        if not inputs or len(set(inputs)) != len(inputs):
            raise NetworkError("inputs must be distinct register names")
        self.inputs = inputs
        self.registers = list(inputs)
        self.layers = []

    def _row(self, affine: dict) -> tuple:
        unknown = [k for k in affine if k != ONE and k not in self.registers]
        if unknown:
            raise NetworkError(f"unknown register(s) {unknown}; current registers are {self.registers}")
        row = [to_rational(affine.get(r, 0)) for r in self.registers]
        return row, to_rational(affine.get(ONE, 0))

    def layer(self, units: dict) -> None:
        """Append a hidden layer: each new register is sigma(affine) of the current registers."""
        if not units:
            raise NetworkError("a layer needs at least one unit")
        rows, bias = [], []
        for name, affine in units.items():
            r, b = self._row(affine)
            rows.append(r)
            bias.append(b)
        self.layers.append((rows, bias))
        self.registers = list(units)

    def output(self, affines: list) -> ReLUNet:
        rows, bias = [], []
        for affine in affines:
            r, b = self._row(affine)
            rows.append(r)
            bias.append(b)
        return ReLUNet(self.layers + [(rows, bias)])


def ramp_units(prefix: str, src: dict, threshold, slope) -> dict:
    """Two units whose difference is the ramp min(1, max(0, slope * (v - threshold))) of v = src.

    ``src`` is an affine dict for v; the ramp rises from 0 at v = threshold to 1 at
    v = threshold + 1/slope.  Returns {prefix+'_a': ..., prefix+'_b': ...}.
    """
    s = to_rational(slope)
    th = to_rational(threshold)
    a = {k: s * to_rational(v) for k, v in src.items() if k != ONE}
    c = s * (to_rational(src.get(ONE, 0)) - th)
    ua = dict(a)
    ua[ONE] = c
    ub = dict(a)
    ub[ONE] = c - 1
    return {prefix + "_a": ua, prefix + "_b": ub}


def scaled(affine: dict, c) -> dict:
    c = to_rational(c)
    return {k: c * to_rational(v) for k, v in affine.items()}


def add(*affines) -> dict:
    out = {}
    for a in affines:
        for k, v in a.items():
            out[k] = out.get(k, fmpq(0)) + to_rational(v)
    return out
