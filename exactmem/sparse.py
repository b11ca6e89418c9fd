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
