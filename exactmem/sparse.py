"""Sparse exact layers: a layer is ``(rows, b)``, each row the sorted list of its nonzeros ``[(column, fmpq)]``.

This is how ``ReLUNet`` stores a network and what the kernel's engine runs; the constructions write their
layers in it, so that building, saving, checking and evaluating cost in proportion to the nonzeros, never
to the dense size of Eq. (3).

>>> W, b = [[(0, fmpq(2))], [(1, fmpq(1))]], [fmpq(0), fmpq(1)]      # (x, y) -> (2x, y + 1)
>>> G, c = [[(0, fmpq(1)), (1, fmpq(-1))]], [fmpq(0)]                 # (u, v) -> u - v
>>> compose((W, b), (G, c))                                          # 2x - y - 1
([[(0, 2), (1, -1)]], [-1])
"""
from __future__ import annotations

import gc
from contextlib import contextmanager

from flint import fmpq, fmpq_mat

from .errors import NetworkError

ZERO, ONE = fmpq(0), fmpq(1)


def row(entries: dict) -> list:
    """A dict {column: value} as a sorted row without zeros."""
    return sorted((j, w) for j, w in entries.items() if w != 0)


def from_matrix(W: fmpq_mat) -> list:
    """The rows of a dense ``fmpq_mat``."""
    return [[(j, w) for j, w in enumerate(r) if w != 0] for r in W.tolist()]


def to_matrix(rows: list, ncols: int) -> fmpq_mat:
    """The dense ``fmpq_mat`` of rows with ``ncols`` columns."""
    M = fmpq_mat(len(rows), ncols)
    for i, r in enumerate(rows):
        for j, w in r:
            M[i, j] = w
    return M


def dense_rows(rows: list, ncols: int) -> list:
    """Rows as dense Python lists of ``fmpq``."""
    out = []
    for r in rows:
        full = [ZERO] * ncols
        for j, w in r:
            full[j] = w
        out.append(full)
    return out


def compose(first: tuple, second: tuple) -> tuple:
    """The affine layer ``second o first`` (no ReLU between): rows of G W, bias G b + c.

    Cost: for each nonzero G[i, k], the nonzeros of row k of W.
    """
    (W, b), (G, c) = first, second
    if any(k >= len(W) for r in G for k, _ in r):
        raise NetworkError(f"cannot compose: a row of the second layer reads beyond the first's {len(W)} outputs")
    rows, bias = [], []
    for r, ci in zip(G, c):
        if len(r) == 1:                         # a selection or a scaled copy: no accumulation
            k, g = r[0]
            rows.append(W[k] if g == 1 else [(j, g * w) for j, w in W[k]])     # rows are shared, never mutated
            bias.append(ci + g * b[k])
            continue
        acc, s = {}, ci
        for k, g in r:
            s += g * b[k]
            for j, w in W[k]:
                acc[j] = acc.get(j, ZERO) + g * w
        rows.append(row(acc))
        bias.append(s)
    return rows, bias


def shifted(rows: list, offset: int) -> list:
    """The rows with every column moved by ``offset`` (a block placed to the right)."""
    return [[(j + offset, w) for j, w in r] for r in rows] if offset else rows


_UNITS = []                 # unit(k) for k < len: one shared row object per column (rows are never mutated)


def unit(k: int) -> list:
    """The row selecting column k, [(k, 1)]: one object per k, shared by every layer that carries or selects
    that column (Theorem B.5's chain carries z and y through every layer: millions of such rows).

    >>> unit(3), unit(3) is unit(3)
    ([(3, 1)], True)
    """
    if k >= len(_UNITS):
        _UNITS.extend([(j, ONE)] for j in range(len(_UNITS), 2 * k + 64))
    return _UNITS[k]


def identity(n: int, offset: int = 0, value=ONE) -> list:
    """n rows selecting columns offset .. offset + n - 1 (times ``value``)."""
    if value == 1:
        return [unit(offset + i) for i in range(n)]
    return [[(offset + i, value)] for i in range(n)]


def block_diag(blocks: list) -> list:
    """Rows of the block-diagonal matrix of ``[(rows, ncols)]``."""
    out, c0 = [], 0
    for rows, ncols in blocks:
        out.extend(shifted(rows, c0))
        c0 += ncols
    return out


class Interner:
    """Equal rows as one shared row object, and equal biases as one fmpq, across the layers given to ``layer``.
    A construction repeats few distinct rows many times in distinct objects (Theorem B.5 on 400 digits: 421,000
    row objects, 1,712 distinct rows; 946,540 weight objects, 1,353 values); rows are never mutated, so they
    may be shared.  Cost: one dict lookup per row and bias, a key per distinct object.  Every object looked up
    is kept alive here, so that its id is never reused by another while this lives.

    >>> a, b = [(0, fmpq(1, 2))], [(0, fmpq(1, 2))]
    >>> it = Interner()
    >>> r, c = it.layer([a, b], [fmpq(3), fmpq(3)])
    >>> r[0] is r[1], r[0] == a, it.layer([b, a], [fmpq(3), fmpq(3)]) == (r, c)
    (True, True, True)
    """

    def __init__(self):
        self.rows_id, self.rows, self.vals_id, self.vals, self.lists = {}, {}, {}, {}, {}

    def layer(self, rows, b) -> tuple:
        """(rows, b) with shared rows and values; a list of rows (or of biases) equal to an earlier one is that
        list (Theorem B.5's blocks repeat their Floor layers: 400 digits have 57,925 layers, 777 row lists)."""
        new, bias, rows_id, vals_id = [], [], self.rows_id, self.vals_id
        for r in rows:
            c = rows_id.get(id(r))
            if c is None:
                c = rows_id[id(r)] = (r, self.rows.setdefault(tuple((j, int(w.p), int(w.q)) for j, w in r), r))
            new.append(c[1])
        for v in b:
            c = vals_id.get(id(v))
            if c is None:
                c = vals_id[id(v)] = (v, self.vals.setdefault((int(v.p), int(v.q)), v))
            bias.append(c[1])
        new = self.lists.setdefault((0,) + tuple(map(id, new)), new)      # ids of kept objects: never reused
        return new, self.lists.setdefault((1,) + tuple(map(id, bias)), bias)


def intern(layers: list) -> list:
    """``Interner`` over whole layers [(rows, b)]."""
    it = Interner()
    return [it.layer(rows, b) for rows, b in layers]


def nonzeros(layers: list) -> int:
    """Nonzero weights and biases of [(rows, b)]."""
    return sum(sum(len(r) for r in rows) + sum(1 for v in b if v != 0) for rows, b in layers)


@contextmanager
def gc_paused():
    """Pause Python's cyclic garbage collector for a bulk build: a network of millions of (column, weight)
    tuples makes the collector rescan the young objects again and again (8x slower measured on identity
    rows).  Nothing here makes cycles, so reference counting frees everything; the previous state is restored.

    >>> with gc_paused():
    ...     rows = identity(3)
    >>> rows[2]
    [(2, 1)]
    """
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()
