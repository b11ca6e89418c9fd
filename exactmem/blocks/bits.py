"""Bits of integers (Lemma B.8 and the segment lookup of Lemma B.9), as exact ReLU networks.

* BIN_{i:j}(n): bits i..j (1-based, most significant first) of the binary representation of n,
  read as an integer (the paper's example: BIN_{1:3}(37) = 4).
* triangle_net: Telgarsky's map phi(z) = sigma(sigma(2z) - sigma(4z - 2)), the tent map on [0, 1].
* bin_net(n_bits, i, j): a network equal to BIN_{i:j}(x) at every integer 0 <= x < 2^n_bits.  It
  peels off the top bit with the exact integer ramp b = sigma(x - 2^(B-1) + 1) - sigma(x - 2^(B-1))
  (exact at integers), one bit per layer, width 5.  exactmem uses these integer ramps instead of the
  triangle-map encoding of Vardi et al.; both have constant width and one layer per bit.

>>> BIN(1, 3, 37)
4
>>> net = bin_net(6, 1, 3)
>>> [net([x])[0] for x in (37, 63, 8)]
[4, 7, 1]
"""
from __future__ import annotations

from ..errors import NetworkError
from ..network import ReLUNet
from .program import ONE, Program


def BIN(i: int, j: int, n: int) -> int:
    """Bits i..j (1-based, MSB first, inclusive) of n's binary representation, as an integer."""
    if not (isinstance(n, int) and n >= 0 and 1 <= i <= j):
        raise NetworkError(f"BIN needs 1 <= i <= j and a natural n, got i={i}, j={j}, n={n}")
    s = bin(n)[2:]
    if j > len(s):
        raise NetworkError(f"{n} has only {len(s)} bits, cannot read bits {i}..{j}")
    return int(s[i - 1:j], 2)


def triangle_net() -> ReLUNet:
    """phi(z) = sigma(sigma(2z) - sigma(4z - 2))."""
    prog = Program(["z"])
    prog.layer({"a": {"z": 2}, "b": {"z": 4, ONE: -2}})
    prog.layer({"phi": {"a": 1, "b": -1}})
    return prog.output([{"phi": 1}])


def bin_net(n_bits: int, i: int, j: int) -> ReLUNet:
    """x -> BIN_{i:j} of x written with exactly n_bits bits (leading zeros count), for integers 0 <= x < 2^n_bits."""
    if not (isinstance(n_bits, int) and 1 <= i <= j <= n_bits):
        raise NetworkError(f"need 1 <= i <= j <= n_bits, got {i}, {j}, {n_bits}")
    prog = Program(["x"])
    H = 2 ** (n_bits - 1)
    prog.layer({"u": {"x": 1}, "p": {"x": 1, ONE: -H + 1}, "q": {"x": 1, ONE: -H}})
    have_a = False
    for k in range(2, j + 1):  # bit k is taken at this layer; bit k-1's ramp is in p - q
        Hp, H = H, 2 ** (n_bits - k)
        b = {"p": 1, "q": -1}
        u_new = {"u": 1, "p": -Hp, "q": Hp}
        units = {"u": u_new, "p": {**u_new, ONE: -H + 1}, "q": {**u_new, ONE: -H}}
        if k - 1 >= i:  # accumulate bit k-1 into the segment
            units["a"] = {**({"a": 2} if have_a else {}), **b}
            have_a = True
        prog.layer(units)
    return prog.output([{**({"a": 2} if have_a else {}), "p": 1, "q": -1}])
