"""Seeded instance generators shared by the proof modules."""
from __future__ import annotations

import random
from fractions import Fraction

from exactmem import Dataset


def random_dataset(seed: int, N: int, d: int, C: int = 2, denom: int = 1, span: int = 6) -> Dataset:
    """A seeded random dataset of D_{d,N,C}: coordinates k/denom with |k| <= span*denom, distinct points."""
    rng = random.Random(seed)
    if (2 * span * denom + 1) ** d < N:
        raise ValueError(f"only {(2 * span * denom + 1) ** d} grid points for N = {N}")
    pts, seen = [], set()
    while len(pts) < N:
        p = tuple(Fraction(rng.randint(-span * denom, span * denom), denom) for _ in range(d))
        if p not in seen:
            seen.add(p)
            pts.append(list(p))
    labels = [(i % C) + 1 for i in range(N)]
    rng.shuffle(labels)
    return Dataset(pts, labels)


def basis_and_origin(d: int) -> Dataset:
    """{(e_j, 2)} u {(0, 1)} in R^d (the paper's hard dataset of Proposition 3.2, Case I with N = d + 1)."""
    pts = [[1 if k == j else 0 for k in range(d)] for j in range(d)] + [[0] * d]
    return Dataset(pts, [2] * d + [1])


def brute_force_min(D: Dataset, p) -> tuple:
    """Reference: min over differently labelled pairs with Python Fractions (slow, independent)."""
    X = [[Fraction(int(q.p), int(q.q)) for q in D.point(i)] for i in range(D.N)]
    best = None
    for i in range(D.N):
        for j in range(i + 1, D.N):
            if D.labels[i] == D.labels[j]:
                continue
            diffs = [a - b for a, b in zip(X[i], X[j])]
            if p == 2:
                v = sum(t * t for t in diffs)
            elif p == 1:
                v = sum(abs(t) for t in diffs)
            else:
                v = max(abs(t) for t in diffs)
            if best is None or v < best:
                best = v
    return best


def random_subspace(seed: int, d: int, k: int):
    """A seeded random k-dimensional rational subspace of R^d (basis as columns; full rank guaranteed)."""
    from exactmem.linalg import random_rational_matrix
    rng = random.Random(seed)
    while True:
        A = random_rational_matrix(rng, d, k)
        if A.rank() == k:
            return A


def random_first_layer(seed: int, m: int, d: int):
    """A seeded random m x d rational first-layer matrix."""
    from exactmem.linalg import random_rational_matrix
    return random_rational_matrix(random.Random(seed), m, d, span=7, denom=5)
