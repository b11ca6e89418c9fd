"""Memorizing N points of R^d through a line (Theorem B.4, Vardi, Yehudai & Shamir 2022, Theorem 3.1).

Vardi et al. project the data onto a direction that keeps the points apart, then memorize N numbers on the
line.  Here the projection is exact and the numbers are integers, so that the one-dimensional step is Lemma
B.10's integer memorizer (``integer_memorizer``, exact at integers):

1. the points are ``rows / q`` with integer rows and q the common denominator of the coordinates;
2. an integer direction w in {1..K}^d with w . (x_i - x_j) != 0 for every pair of distinct points: for a fixed
   non-zero integer vector v, fixing every coordinate of w but one where v_j != 0 leaves at most one bad value
   of w_j, so P[w . v = 0] <= 1/K for w uniform (Schwartz-Zippel); with K = max(2, N^2) a seeded draw separates
   all N (N - 1)/2 pairs with probability above 1/2, and the draws are tried in turn, each checked exactly;
3. the codes m_i = q w . x_i - min_k q w . x_k are distinct naturals at most q K sum_j (max_i x_ij - min_i x_ij)
   (the role of Vardi et al.'s R = O(r N^2 sqrt(d) / eps), up to the data's denominator), and the affine map
   x -> q w . x - min merges into the first layer of the integer memorizer of (m_i, y_i): width, depth and bits
   of Lemma B.10 at these codes, plus (d - 1) times the first layer's width in parameters.

>>> mem = point_memorizer([[0, 0], [1, 2], ["1/2", 3], [2, 1]], [1, 2, 2, 1])
>>> [mem.net(x)[0] for x in ([0, 0], [1, 2], ["1/2", 3], [2, 1])]
[1, 2, 2, 1]
>>> mem.denominator, len(set(mem.codes)) == 4, min(mem.codes)
(2, True, 0)
"""
from __future__ import annotations

import random
from dataclasses import dataclass

from flint import fmpq

from ..errors import DuplicatePointError, LabelError, NetworkError, OptionError, ShapeError
from ..exact import common_denominator, to_int, to_matrix
from ..network import ReLUNet
from .intmem import IntegerMemorizer, integer_memorizer


@dataclass
class PointMemorizer:
    """F = integer memorizer o (x -> q w . x - shift); ``codes[i]`` is the natural point i is sent to."""
    net: ReLUNet
    direction: tuple
    denominator: int
    shift: int
    codes: list
    line: IntegerMemorizer
    draws: int


def _integer_rows(points) -> tuple:
    """``(rows, q)``: integer rows with points = rows / q, q the least common denominator."""
    X = to_matrix(points, "points")
    if X.nrows() == 0 or X.ncols() == 0:
        raise ShapeError("need at least one point of dimension d >= 1")
    entries = X.entries()
    q = common_denominator(entries)
    d = X.ncols()
    return [[int(v.p) * (q // int(v.q)) for v in entries[i * d:(i + 1) * d]] for i in range(X.nrows())], q


def separates(w, rows) -> bool:
    """True iff w . r takes a different value at every distinct integer row (exact integers)."""
    seen = {}
    for r in rows:
        v = sum(a * b for a, b in zip(w, r))
        if v in seen and seen[v] != tuple(r):
            return False
        seen[v] = tuple(r)
    return True


def separating_direction(points, K: int | None = None, seed: int = 0, tries: int = 64) -> tuple:
    """``(w, draws)``: an integer direction in {1..K}^d taking distinct values at the distinct points, found by
    seeded draws (K = max(2, N^2) by default: each draw works with probability above 1/2), checked exactly.

    >>> w, draws = separating_direction([[0, 1], [1, 0]])      # w . (1, -1) != 0 means w_1 != w_2
    >>> w[0] != w[1], separates((1, 1), [[0, 1], [1, 0]])
    (True, False)
    """
    rows, _ = _integer_rows(points)
    N, d = len(rows), len(rows[0])
    K = max(2, N * N) if K is None else to_int(K, "K")
    if K < 1:
        raise OptionError(f"K must be a positive integer, got {K}")
    if d == 1:
        if separates((1,), rows):
            return (1,), 1
        raise DuplicatePointError("the points are not distinct", [])
    rng = random.Random(seed)
    for t in range(1, tries + 1):
        w = tuple(rng.randint(1, K) for _ in range(d))
        if separates(w, rows):
            return w, t
    raise NetworkError(f"no separating direction in {tries} draws from {{1..{K}}}^{d}: are the points distinct?")


def point_memorizer(points, labels, K: int | None = None, seed: int = 0) -> PointMemorizer:
    """A ReLU network F: R^d -> R with F(x_i) = y_i exactly (distinct points; labels positive integers)."""
    rows, q = _integer_rows(points)
    labs = [to_int(y, f"label {i}") for i, y in enumerate(labels)]
    if len(labs) != len(rows):
        raise ShapeError(f"there are {len(rows)} points but {len(labs)} labels")
    if any(y < 1 for y in labs):
        raise LabelError(f"label at index {next(i for i, y in enumerate(labs) if y < 1)} is below 1; labels must be "
                         f"positive integers")
    seen = {}
    for i, r in enumerate(rows):
        if tuple(r) in seen:
            raise DuplicatePointError(f"points {seen[tuple(r)]} and {i} coincide; the points must be distinct",
                                      [(seen[tuple(r)], i)])
        seen[tuple(r)] = i
    w, draws = separating_direction(points, K, seed)
    raw = [sum(a * b for a, b in zip(w, r)) for r in rows]
    shift = min(raw)
    codes = [v - shift for v in raw]
    line = integer_memorizer(codes, labs)
    proj = ReLUNet.affine([[fmpq(q * a) for a in w]], [fmpq(-shift)])
    return PointMemorizer(proj.then(line.net), w, q, shift, codes, line, draws)


__all__ = ["PointMemorizer", "point_memorizer", "separates", "separating_direction"]
