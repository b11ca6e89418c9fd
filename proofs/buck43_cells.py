"""Buck 1943 (and Zaslavsky 1975): k affine hyperplanes in R^d cut it into at most sum_{i <= d} C(k, i) open
cells, exactly that many in general position; k central ones (through 0) into at most 2 sum_{i < d} C(k-1, i),
with equality in general position (reference notes on the law of robustness, §7 item 5).  These are the
activation cells of a two-layer ReLU network, the count that bounds exact Lipschitz computation.

Cells are counted exactly and independently of exactmem's region walk: every vertex (the intersection of d
hyperplanes) is computed exactly, a box strictly containing all of them meets every cell (a cell whose
normals span R^d is a pointed polyhedron, so it has a vertex, and points of the cell lie near it), and every
sign pattern is tested by the exact simplex method (``meets``).  General position is checked exactly: every
d normals independent, no d + 1 hyperplanes through one point."""
import itertools
import math
import random

from flint import fmpq, fmpq_mat

from exactmem import Verdict
from exactmem.claims import claim

from ._lipschitz_instances import meets


def arrangement(seed, d, k, central=False):
    rng = random.Random(seed)
    W = [[fmpq(rng.randint(-9, 9)) for _ in range(d)] for _ in range(k)]
    b = [fmpq(0) if central else fmpq(rng.randint(-9, 9)) for _ in range(k)]
    return W, b


def vertices(W, b):
    d, out = len(W[0]), []
    for S in itertools.combinations(range(len(W)), d):
        A = fmpq_mat([W[i] for i in S])
        if A.rank() == d:
            out.append(A.solve(fmpq_mat(d, 1, [-b[i] for i in S])).entries())
    return out


def general(W, b, central):
    """Every d normals independent (for central arrangements: every d - 1 of the hyperplanes meet only in a
    line through 0, i.e. every d normals independent too), and (affine) no d + 1 hyperplanes share a point."""
    d, k = len(W[0]), len(W)
    if any(fmpq_mat([W[i] for i in S]).rank() < min(d, len(S)) for S in itertools.combinations(range(k), min(d, k))):
        return False
    if central:
        return True
    for S in itertools.combinations(range(k), d + 1):
        A = fmpq_mat([W[i] + [b[i]] for i in S])                     # d + 1 hyperplanes share a point iff rank <= d
        if A.rank() <= d:
            return False
    return True


def cells(W, b):
    d = len(W[0])
    if fmpq_mat(W).rank() < d:
        raise ValueError("the normals do not span R^d: cells without vertices are not counted here")
    R = max([abs(t) for v in vertices(W, b) for t in v] + [fmpq(0)]) + 1
    lo, hi = [-R] * d, [R] * d
    return sum(1 for s in itertools.product((1, -1), repeat=len(W)) if meets(W, b, s, lo, hi))


def _instances():
    for seed, d, k in ((0, 2, 4), (1, 2, 6), (2, 3, 5), (3, 1, 5), (4, 3, 6)):
        yield f"affine, d = {d}, k = {k}", (seed, d, k, False)
    for seed, d, k in ((5, 2, 5), (6, 3, 5)):
        yield f"central, d = {d}, k = {k}", (seed, d, k, True)
    yield "affine, parallel lines (not general)", "parallel"


@claim("Buck43.cells", "k hyperplanes cut R^d into at most sum_{i<=d} C(k, i) cells (central: 2 sum_{i<d} C(k-1, "
       "i)), exactly that many in general position", {"seeded arrangements": _instances},
       source="Buck 1943, Partition of space; Zaslavsky 1975; reference notes on the law of robustness, §7 item 5")
def check(inst):
    if inst == "parallel":                               # x = 0, 1, 2 and y = 0 in R^2: 4 x 2 = 8 < 1 + 4 + 6
        W, b = [[fmpq(1), fmpq(0)]] * 3 + [[fmpq(0), fmpq(1)]], [fmpq(0), fmpq(-1), fmpq(-2), fmpq(0)]
        n, bound = cells(W, b), 1 + 4 + 6
        return Verdict.from_exact(n == 8 and n < bound, f"{n} cells (8 by hand) < Buck's {bound}")
    seed, d, k, central = inst
    W, b = arrangement(seed, d, k, central)
    n = cells(W, b)
    bound = 2 * sum(math.comb(k - 1, i) for i in range(d)) if central else sum(math.comb(k, i) for i in range(d + 1))
    gp = general(W, b, central)
    ok = n <= bound and (n == bound or not gp)
    return Verdict.from_exact(ok, f"{n} cells, bound {bound}, general position: {gp}")
