"""Soft interval indicators (Lemma B.6) and step tables (Lemma B.7).

indicator_net(m, n, eta): 1 on [m, n - eta], 0 outside (m - eta, n), linear in between; two hidden
layers of width 2 and 1:  v1 = sigma((m - x)/eta), v2 = sigma((x - n + eta)/eta), F = sigma(1 - v1 - v2).

step_table_net(ranges, values): for x >= 0, sum_j values_j * Ind_j(x) with Ind_j the indicator of
range j; groups are processed one after another (two layers each) while x and the accumulators are
carried as non-negative registers, so the width stays 4 for one accumulator (3 + k for k).

>>> F = indicator_net(2, 5, "1/2")
>>> [F([x])[0] for x in [1, "7/4", 2, "9/2", "19/4", 5]]
[0, 1/2, 1, 1, 1/2, 0]
>>> verify_indicator(F, 2, 5, "1/2").is_proved
True
"""
from __future__ import annotations

from flint import fmpq

from ..errors import NetworkError
from ..exact import fmt, to_rational
from ..network import ReLUNet
from ..pl1d import constant_on, pieces
from ..verdict import Verdict, all_of
from .program import ONE, Program


def indicator_net(m, n, eta) -> ReLUNet:
    m, n, eta = to_rational(m), to_rational(n), to_rational(eta)
    if not (0 < eta) or not (m + eta <= n):
        raise NetworkError(f"need eta > 0 and m + eta <= n, got m={fmt(m)}, n={fmt(n)}, eta={fmt(eta)}")
    prog = Program(["x"])
    prog.layer({"v1": {"x": -1 / eta, ONE: m / eta}, "v2": {"x": 1 / eta, ONE: (eta - n) / eta}})
    prog.layer({"F": {"v1": -1, "v2": -1, ONE: 1}})
    return prog.output([{"F": 1}])


def verify_indicator(F: ReLUNet, m, n, eta, output: int = 0, scale=1) -> Verdict:
    """Prove F = scale on [m, n - eta], F = 0 off (m - eta, n), 0 <= F <= scale in between (exact pieces)."""
    m, n, eta, scale = to_rational(m), to_rational(n), to_rational(eta), to_rational(scale)
    parts = [constant_on(F, m, n - eta, scale, output) if m < n - eta else Verdict.proved("empty interior"),
             constant_on(F, m - eta - 10 ** 6, m - eta, 0, output), constant_on(F, n, n + 10 ** 6, 0, output)]
    ends = {m: scale, n - eta: scale, m - eta: 0, n: 0}
    for x, want in ends.items():
        got = F([x])[output]
        parts.append(Verdict.from_exact(got == want, f"F({fmt(x)}) = {fmt(got)}"))
    for p in pieces(F, m - eta, n):
        vals = [p.slope[output] * x + p.intercept[output] for x in (p.lo, p.hi)]
        parts.append(Verdict.from_exact(all(0 <= v <= scale for v in vals), "transition stays in [0, scale]"))
    return all_of(parts, f"indicator of [{fmt(m)}, {fmt(n - eta)}] with transitions of width {fmt(eta)}")


def step_table_net(ranges, values, eta=fmpq(1, 2)) -> ReLUNet:
    """x -> (x, V_1(x), ..., V_k(x)) with V(x) = sum_j values[j] * Ind([a_j, b_j], eta)(x), for x >= 0.

    ``ranges`` = [(a_j, b_j)] with a_{j+1} - eta >= b_j + eta... (disjoint transitions), values[j] a tuple
    of k non-negative numbers.  Returns a network with 1 input and 1 + k outputs.
    """
    ranges = [(to_rational(a), to_rational(b)) for a, b in ranges]
    eta = to_rational(eta)
    if not ranges:
        raise NetworkError("a step table needs at least one range")
    k = len(values[0])
    vals = [[to_rational(v) for v in vs] for vs in values]
    if any(len(v) != k or any(x < 0 for x in v) for v in vals):
        raise NetworkError("values must be tuples of equal length with non-negative entries")
    for (a, b), (a2, _) in zip(ranges, ranges[1:]):
        if not (a <= b and a2 - eta >= b + eta):
            raise NetworkError("ranges must be sorted with gaps of at least 2 eta between them")
    acc = [f"y{i}" for i in range(k)]
    prog = Program(["x"])
    for j, (a, b) in enumerate(ranges):
        # layer A_j: carry x; fold group j-1's indicator F into the accumulators; the two deficits of group j
        units = {"x": {"x": 1}}
        if j:
            for i, name in enumerate(acc):
                units[name] = {**({name: 1} if j > 1 else {}), "F": vals[j - 1][i]}
        units["v1"] = {"x": -1 / eta, ONE: a / eta}
        units["v2"] = {"x": 1 / eta, ONE: -b / eta}
        prog.layer(units)
        # layer B_j: F = sigma(1 - v1 - v2), carry x and the (non-negative) accumulators
        units = {"x": {"x": 1}, "F": {"v1": -1, "v2": -1, ONE: 1}}
        if j:
            units.update({name: {name: 1} for name in acc})
        prog.layer(units)
    last = len(ranges) - 1
    outs = [{"x": 1}] + [{**({name: 1} if last else {}), "F": vals[last][i]} for i, name in enumerate(acc)]
    return prog.output(outs)
