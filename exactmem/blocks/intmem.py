"""Memorizing N integers with O~(sqrt N) parameters (Lemma B.10; Theorem B.4 in dimension 1, after
Vardi, Yehudai & Shamir 2022).

Given distinct naturals m_1 < ... < m_N with labels y_i in 1..C, the network F satisfies
F(m_i) = y_i and F(m) = 0 for every other natural m.  Construction:

1. the sorted m_i are split into G groups of at most s consecutive points; group j packs the
   rho-bit codes of its points into one integer u_j and their c-bit labels into w_j
   (rho = bitlen(max m), c = bitlen(C)), padding with code 0 / label 0;
2. a step table (Lemma B.7, eta = 1/2, exact at integers) maps x to (x, u_j, w_j) when x lies in
   group j's range [first_j, last_j] and to (x, 0, 0) otherwise;
3. for each of the s segments, the top rho bits of u and c bits of w are peeled off one per layer
   with exact integer ramps (Lemma B.8's role), the equality x = code is tested with the hat
   sigma(z + 1) - 2 sigma(z) + sigma(z - 1) (exact at integers), and the label is added as
   sigma(l - 2^c (1 - eq)) (Lemma B.9's role).

Width 10, depth about 2G + s (max(rho, c) + 2); G is chosen to minimise the parameter count,
which is O(sqrt(N (rho + c))) * const = O~(sqrt N).  Bit complexity about s * rho (the packed u_j).

>>> mem = integer_memorizer([3, 10, 11, 40, 41, 42, 77], [1, 2, 2, 1, 3, 1, 2])
>>> [mem.net([m])[0] for m in (3, 11, 41, 77, 4, 0, 1000)]
[1, 2, 3, 2, 0, 0, 0]
>>> verify_integer_memorizer(mem, extra=range(0, 100)).is_proved
True
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from flint import fmpq_mat

from ..errors import NetworkError
from ..network import ReLUNet
from ..verdict import Verdict
from .program import ONE, Program


class _Stream:
    """Peels bits off a packed integer register, one per layer, into an accumulator register."""

    def __init__(self, name: str, total_bits: int):
        self.v, self.acc, self.p, self.q = name, "a" + name, "p" + name, "q" + name
        self.remaining = total_bits
        self.pending = None  # threshold H of the ramp whose units are in the current layer
        self.acc_live = False

    def value(self) -> dict:
        e = {self.v: 1}
        if self.pending is not None:
            e.update({self.p: -self.pending, self.q: self.pending})
        return e

    def accumulated(self) -> dict:
        """2 acc + pending bit when a bit is pending; acc itself otherwise (idle steps carry it)."""
        if self.pending is None:
            return {self.acc: 1} if self.acc_live else {}
        e = {self.acc: 2} if self.acc_live else {}
        e.update({self.p: 1, self.q: -1})
        return e

    def units(self, extract: bool) -> dict:
        val, acc = self.value(), self.accumulated()
        out = {self.v: val}
        if acc:
            out[self.acc] = acc
        self.acc_live = bool(acc)
        if extract:
            H = 2 ** (self.remaining - 1)
            out[self.p] = {**val, ONE: -H + 1}
            out[self.q] = {**val, ONE: -H}
            self.remaining -= 1
            self.pending = H
        else:
            self.pending = None
        return out

    def finish_segment(self):
        """Affine expressions of (remaining value, segment) after the last bit; resets the accumulator."""
        val, acc = self.value(), self.accumulated()
        self.pending, self.acc_live = None, False
        return val, acc


@dataclass
class IntegerMemorizer:
    net: ReLUNet
    points: list
    labels: list
    groups: int
    group_size: int
    code_bits: int
    label_bits: int


def _plan(N, rho, c):
    L = max(rho, c)
    best = None
    for G in range(1, N + 1):
        s = -(-N // G)
        cost = 2 * G * 30 + s * (L + 2) * 120
        if best is None or cost < best[0]:
            best = (cost, G, s)
        if G > 4 * math.isqrt(N * (L + 2)) + 4:
            break
    return best[1], best[2]


def integer_memorizer(points, labels, groups: int | None = None) -> IntegerMemorizer:
    """Build F with F(m_i) = y_i and F = 0 on all other naturals (see the module docstring)."""
    pts = [int(m) for m in points]
    labs = [int(y) for y in labels]
    if len(pts) != len(labs) or not pts:
        raise NetworkError("need as many labels as points, and at least one point")
    if any(m < 0 for m in pts) or len(set(pts)) != len(pts):
        raise NetworkError("points must be distinct naturals")
    if any(y < 1 for y in labs):
        raise NetworkError("labels must be positive integers")
    order = sorted(range(len(pts)), key=lambda i: pts[i])
    pts, labs = [pts[i] for i in order], [labs[i] for i in order]
    N = len(pts)
    rho, c = max(1, max(pts).bit_length()), max(1, max(labs).bit_length())
    if groups is None:
        G, s = _plan(N, rho, c)
    else:
        G, s = groups, -(-N // groups)
    chunks = [list(range(j * s, min(N, (j + 1) * s))) for j in range(G)]
    chunks = [ch for ch in chunks if ch]
    ranges, values = [], []
    for ch in chunks:
        codes = [pts[i] for i in ch] + [0] * (s - len(ch))
        labels_ = [labs[i] for i in ch] + [0] * (s - len(ch))
        u = 0
        w = 0
        for code, lab in zip(codes, labels_):
            u = (u << rho) | code
            w = (w << c) | lab
        ranges.append((pts[ch[0]], pts[ch[-1]]))
        values.append((u, w))
    net = _build(ranges, values, s, rho, c)
    return IntegerMemorizer(net, pts, labs, len(chunks), s, rho, c)


def _build(ranges, values, s, rho, c) -> ReLUNet:
    from .indicator import step_table_net
    table = step_table_net(ranges, values)  # x -> (x, u, w), exact at integers
    prog = Program(["x", "u", "w"])
    su, sw = _Stream("u", s * rho), _Stream("w", s * c)
    y_live = False
    pending_t = False
    big = 2 ** c
    for seg in range(s):
        L = max(rho, c)
        for step in range(L):
            units = {"x": {"x": 1}}
            y = ({"y": 1} if y_live else {})
            if pending_t:
                y = {**y, "t": 1}
            if y:
                units["y"] = y
                y_live = True
            pending_t = False
            units.update(su.units(step < rho))
            units.update(sw.units(step < c))
            prog.layer(units)
        # E layer: commit the last bits, test x == code with the integer hat
        u_val, a = su.finish_segment()
        w_val, lab = sw.finish_segment()
        diff = {"x": 1, **{k: -v for k, v in a.items()}}
        units = {"x": {"x": 1}, "u": u_val, "w": w_val, "l": lab or {ONE: 0},
                 "e1": {**diff, ONE: 1}, "e2": dict(diff), "e3": {**diff, ONE: -1}}
        if y_live:
            units["y"] = {"y": 1}
        prog.layer(units)
        # P layer: the label if x matched, else 0
        units = {"x": {"x": 1}, "u": {"u": 1}, "w": {"w": 1},
                 "t": {"l": 1, "e1": big, "e2": -2 * big, "e3": big, ONE: -big}}
        if y_live:
            units["y"] = {"y": 1}
        prog.layer(units)
        pending_t = True
    out = prog.output([{**({"y": 1} if y_live else {}), "t": 1}])
    return table.then(out)


def verify_integer_memorizer(mem: IntegerMemorizer, extra=()) -> Verdict:
    """Exact batched evaluation at every memorized natural (must give y_i), at m_i +- 1 and at ``extra``
    naturals (must give 0 unless memorized)."""
    want = dict(zip(mem.points, mem.labels))
    xs = set(mem.points)
    for m in mem.points:
        xs.update((m - 1, m + 1))
    xs.update(int(e) for e in extra)
    xs = sorted(x for x in xs if x >= 0)
    out = mem.net.evaluate(fmpq_mat([[x] for x in xs])).entries()
    for x, v in zip(xs, out):
        if v != want.get(x, 0):
            return Verdict.refuted(f"F({x}) = {v}, expected {want.get(x, 0)}", {"x": x, "value": str(v)})
    return Verdict.proved(f"F(m_i) = y_i at all {len(mem.points)} points and F = 0 at the other "
                          f"{len(xs) - len(mem.points)} naturals tested (exact batched evaluation)")


def naive_memorizer(points, labels) -> ReLUNet:
    """One hidden layer, a ramp of two ReLUs at every change of label between consecutive points (O(N))."""
    from ..data import Dataset
    from ..ramp1d import ramp_memorizer_1d
    labels = [int(y) for y in labels]
    if len(set(labels)) == 1:
        return ReLUNet.affine([[0]], [labels[0]])
    return ramp_memorizer_1d(Dataset([[int(m)] for m in points], labels), "1/2")
