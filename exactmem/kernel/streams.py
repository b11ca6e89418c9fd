"""Bit streams (Lemma B.8's role in Lemma B.10): a run of layers that peels a register's bits one per layer,
derived per row in closed form instead of layer by layer.

A *stream step* of a layer reads four of its input columns (v, a, p, q) and has four units
  v' = relu(v - H p + H q),  a' = relu(w a + p - q)  (w = 2, or no a: w = 0),
  p' = relu(v - H p + H q - H' + 1),  q' = relu(v - H p + H q - H'),   H, H' >= 1 integers.
A *chain* is a run of layers l0..l1 (at least ``MIN`` of them, none the last) whose units are stream steps and
carries (row [(j, 1)], bias 0, j no stream's input), where each stream of a layer after l0 reads the four
units of a stream of the layer before, with H equal to that stream's H' and its own H' = H / 2.  Where, on a
row, v, a, p, q at l0 are integers with b = p - q in {0, 1}, a >= 0 and v1 = v - H b in [0, 2 H'_0), the chain
computes (induction on the layers: an integer v_i in [0, 2 H_i) has p_i - q_i = [v_i >= H_i], its top bit)
  a_k = (w a + b) 2^(k-1) + v1 // (2 H'_(l1)),  v_k = v1 mod (2 H'_(l1))  (k = l1 - l0 + 1),
and p_k, q_k from v_k by their rows; every other row runs the k layers one by one, exactly.  The values of
layer l0's streams are derived when the engine reaches l0 and handed out at l1 (the units between are holes,
read by nobody); if the engine's rows change between the two (a cut, a dead row), ``Unsteady`` is raised and
the caller analyses the balls again without the lemma.

>>> from exactmem.blocks.intmem import integer_memorizer
>>> from exactmem.kernel.engine import Compiled
>>> mem = integer_memorizer([3, 10, 11, 40, 41, 42, 77], [1, 2, 2, 1, 3, 1, 2])
>>> layers = mem.net.sparse_layers()
>>> [(l0, l1, len(s)) for l0, l1, s in chains(Compiled([(r, b, 1) for r, b in layers]))]
[(17, 20, 1)]
"""
from __future__ import annotations

import numpy as np
from flint import fmpq

from . import values as V
from .engine import Col, _lcm, hole

MIN = 4                     # layers in a chain at least
USE = [True]                # False: every stream on the ordinary path (for measurements and tests)
ZERO, ONE = fmpq(0), fmpq(1)


class Unsteady(Exception):
    """The engine's rows changed inside a chain: its stashed values no longer match the rows."""


def _steps(rows, bias):
    """(streams, ok) of a layer: streams [((v, a, p, q) inputs, (v', a', p', q') units, H, H')] and whether every
    other unit is a carry of a column no stream reads."""
    by_row, streams, used = {}, [], set()
    for u, nz in enumerate(rows):               # keyed by integers: an fmpq hashes through Fraction, slowly
        by_row.setdefault(tuple((c, int(x.p), int(x.q)) for c, x in sorted(nz)), []).append(u) if len(nz) == 3 else 0
    for units in by_row.values():
        if len(units) != 3:
            continue
        w = dict(key := sorted(rows[units[0]]))
        ones = [c for c, x in key if x == 1]
        negs = [c for c, x in key if x < 0 and x.q == 1]
        if len(ones) != 1 or len(negs) != 1 or w.get(next(iter(set(w) - {ones[0], negs[0]}), None)) != -w[negs[0]]:
            continue
        v, p = ones[0], negs[0]
        q = next(iter(set(w) - {v, p}))
        H = -w[p]
        bs = sorted(units, key=lambda u: bias[u])          # biases -H', -H' + 1, 0 (H' = 1: -1, 0, 0)
        q2, p2, v2 = bs
        H2 = -bias[q2]
        if H2 < 1 or H2.q != 1 or bias[p2] != 1 - H2 or bias[v2] != 0:
            continue
        a_units = [u for u, nz in enumerate(rows) if bias[u] == 0 and u not in units and
                   ({c: x for c, x in nz} == {p: ONE, q: -ONE} or
                    len(nz) == 3 and dict(nz).get(p) == ONE and dict(nz).get(q) == -ONE and
                    2 in [x for c, x in nz if c not in (p, q)])]
        if not a_units:
            continue
        a2 = a_units[0]
        a = next((c for c, x in rows[a2] if c not in (p, q)), None)
        if len({v, p, q, a} - {None}) != 3 + (a is not None):
            continue
        streams.append(((v, a, p, q), (v2, a2, p2, q2), H, H2))
        used |= {v2, a2, p2, q2}
    ins = {c for s in streams for c in s[0] if c is not None}
    ok = bool(streams) and len(used) == 4 * len(streams) and all(
        u in used or len(nz) == 1 and nz[0][1] == 1 and bias[u] == 0 and nz[0][0] not in ins
        for u, nz in enumerate(rows))
    return streams, ok


def chains(compiled) -> list:
    """[(l0, l1, [stream per layer l0..l1 for each of its streams])]: the chains of the layers 1..L-2."""
    layers, out, run, quiet = compiled.layers, [], None, getattr(compiled, "quiet", ())
    for l in range(1, len(layers) - 1):
        streams, ok = _steps(layers[l][0], layers[l][1]) if l not in quiet else ([], False)
        linked = None
        if ok and run is not None:
            prev = {s[1]: i for i, s in enumerate(run[2][-1])}   # the previous layer's streams, by their units
            order = [prev.get(s[0]) for s in streams]
            if None not in order and len(set(order)) == len(run[2][-1]) == len(streams) and all(
                    s[2] == run[2][-1][i][3] and s[3] * 2 == s[2] for s, i in zip(streams, order)):
                linked = [streams[order.index(i)] for i in range(len(streams))]
        if linked is not None:
            run[2].append(linked)
            continue
        if run is not None and len(run[2]) >= MIN:
            out.append((run[0], l - 1, run[2]))
        run = (l, l, [streams]) if ok else None
    if run is not None and len(run[2]) >= MIN:
        out.append((run[0], len(layers) - 2, run[2]))
    return [(l0, l0 + len(ls) - 1, [[ls[t][i] for t in range(len(ls))] for i in range(len(ls[0]))]) for l0, _, ls in out]


def _iterate(vals, steps, relu=lambda x: max(x, ZERO), comb=None):
    """One stream's values (v, a, p, q) after its steps, run one by one (exact; ``comb`` for engine values)."""
    v, a, p, q = vals
    for (_, a_in, _, _), _, H, H2 in steps:
        w = 2 if a_in is not None else 0
        if comb is None:
            s = v - H * p + H * q
            v, a, p, q = relu(s), relu(w * (a or ZERO) + p - q), relu(s - H2 + 1), relu(s - H2)
        else:
            s = comb([(ONE, v), (-H, p), (H, q)], ZERO)
            acc = comb([(fmpq(w), a)] if w else [], ZERO)
            v, a, p, q = (relu(s), relu(comb([(ONE, acc), (ONE, p), (-ONE, q)], ZERO)),
                          relu(comb([(ONE, s)], 1 - H2)), relu(comb([(ONE, s)], -H2)))
    return v, a, p, q


def _closed(v, a, p, q, steps):
    """The closed form, or None where its conditions fail on the row (integers, b in {0, 1}, range): with
    H'_i = H'_k 2^(k-i), the bits taken from v1 < 2 H'_0 are those of v1 // (2 H'_k), greatest first (long
    division by 2 H'_k), and v_k is the remainder."""
    H0, H1, Hk = steps[0][2], int(steps[0][3]), int(steps[-1][3])
    if any(x is not None and x.q != 1 for x in (v, a, p, q)) or p - q not in (ZERO, ONE) or (a or ZERO) < 0:
        return None
    b, k = p - q, len(steps)
    v1 = int(v - H0 * b)
    if not 0 <= v1 < 2 * H1:
        return None
    w = 2 if steps[0][0][1] is not None else 0
    top, vk = divmod(v1, 2 * Hk)
    ak = ((w * int(a or ZERO) + int(b)) << (k - 1)) + top
    return vk, ak, max(vk - Hk + 1, 0), max(vk - Hk, 0)


def plan(compiled, R, taken=()) -> tuple:
    """({layer: {unit: fn(state) -> (column, cells)}}, {(l, u): columns read}, keep {(l, u)}): the chains' units."""
    found = [c for c in chains(compiled) if not any((c[0] + t, u) in taken for s in c[2]
                                                   for t, step in enumerate(s) for u in step[1])] if USE[0] else []
    out, reads, keep = {}, {}, set()
    for l0, l1, streams in found:
        box = {}

        def start(st, streams=streams, box=box):
            if box.get("st") is not st:
                box.update(st=st, ball=st.ball, cols=[_run(st, s, R) for s in streams])
            return hole(len(st.ball)), None

        for i, s in enumerate(streams):
            for t, u in enumerate(s[0][1]):
                out.setdefault(l0, {})[u] = start
                reads[l0, u] = tuple(c for c in s[0][0] if c is not None)
                keep.add((l0, u))

                def end(st, i=i, t=t, box=box):
                    if box.get("ball") is not st.ball:
                        raise Unsteady("the rows changed inside a bit stream")
                    return box["cols"][i][t]
                out.setdefault(l1, {})[s[-1][1][t]] = end
                reads[l1, s[-1][1][t]] = ()
    return out, reads, keep


def _run(st, steps, R):
    """The four output columns (and cells) of one stream over the chain, for every row of st."""
    n, ins = len(st.ball), steps[0][0]
    cols = [st.cols[c] if c is not None else None for c in ins]
    for c in cols:
        if c is not None and not c.den:
            raise Unsteady("a bit stream reads a register that was skipped")
    vals, cells = [[None] * n for _ in range(4)], [{} for _ in range(4)]
    for r in range(n):
        odd = any(c is not None and (r in st.spec.get(j, ()) or c.tan is not None and c.src[r] >= 0)
                  for j, c in zip(ins, cols))
        if odd:
            x = [None if j is None else (st.spec[j][r] if r in st.spec.get(j, ()) else cols[k].value(r, R))
                 for k, j in enumerate(ins)]
            x[1] = x[1] if x[1] is not None else ZERO
            res = _iterate(x, steps, V.relu, V.combine)
            for t in range(4):
                (cells[t].__setitem__(r, res[t]) if not isinstance(res[t], fmpq) else vals[t].__setitem__(r, res[t]))
            continue
        x = [None if c is None else fmpq(int(c.num[r]), c.den) for c in cols]
        res = _closed(*x, steps)
        if res is None:
            x[1] = x[1] if x[1] is not None else ZERO
            res = _iterate(x, steps)
        for t in range(4):
            vals[t][r] = res[t] if isinstance(res[t], fmpq) else fmpq(res[t])
    out = []
    for t in range(4):
        den = 1
        for r, v in enumerate(vals[t]):
            if v is not None and v.q != 1:
                den = _lcm(den, int(v.q))
        num = np.array([0 if v is None else int(v.p) * (den // int(v.q)) for v in vals[t]], dtype=object)
        out.append((Col(num, den, nonneg=True), cells[t]))
    return out
