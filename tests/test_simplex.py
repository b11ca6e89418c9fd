"""The exact simplex method (analysis.simplex), against brute force over every vertex of the polytope.

A bounded polytope {x : rows, lo <= x <= hi} is non-empty exactly when it has a vertex, and a linear
objective attains its minimum at one: enumerating every d-subset of the constraints, solving it exactly and
keeping the feasible solutions gives the optimum independently of any pivoting rule."""
import itertools
import random

from flint import fmpq, fmpq_mat
from hypothesis import given, settings
from hypothesis import strategies as st

from exactmem.analysis.simplex import minimize


def _brute(g, rows, lo, hi):
    d = len(g)
    A = [list(c) for c, _ in rows] + [[fmpq(int(i == j)) for i in range(d)] for j in range(d)] + \
        [[fmpq(-int(i == j)) for i in range(d)] for j in range(d)]
    b = [-e for _, e in rows] + list(lo) + [-t for t in hi]
    best = None
    for S in itertools.combinations(range(len(A)), d):
        M = fmpq_mat([A[i] for i in S])
        if M.rank() < d:
            continue
        x = M.solve(fmpq_mat(d, 1, [b[i] for i in S])).entries()
        if all(sum((a * v for a, v in zip(A[i], x)), fmpq(0)) >= b[i] for i in range(len(A))):
            val = sum((a * v for a, v in zip(g, x)), fmpq(0))
            best = val if best is None else min(best, val)
    return best


def _box_min(v, lo, hi):
    return sum((a * (l if a > 0 else h) for a, l, h in zip(v, lo, hi)), fmpq(0))


@settings(max_examples=120, deadline=None)
@given(st.integers(0, 10 ** 9))
def test_simplex_agrees_with_vertex_enumeration(seed):
    rng = random.Random(seed)
    d = rng.randint(1, 3)
    rows = [([fmpq(rng.randint(-3, 3)) for _ in range(d)], fmpq(rng.randint(-4, 4))) for _ in range(rng.randint(0, 5))]
    lo = [fmpq(rng.randint(-3, 0)) for _ in range(d)]
    hi = [l if rng.random() < 0.15 else l + rng.randint(1, 4) for l in lo]      # some coordinates fixed
    g = [fmpq(rng.randint(-3, 3)) for _ in range(d)]
    start = rng.sample(range(len(rows) + 2 * d), rng.randint(0, min(d, len(rows) + 2 * d)))
    out = minimize(g, rows, lo, hi, start)
    want = _brute(g, rows, lo, hi)
    lam = out[-1]
    assert all(t >= 0 for t in lam) and len(lam) == len(rows)
    # the multipliers certify the answer by themselves (weak duality over the box)
    v = list(g)
    for (c, e), t in zip(rows, lam):
        v = [a - t * b for a, b in zip(v, c)]
    if want is None:
        assert out[0] == "infeasible"                                   # sum lam (c.x + e) < 0 on the whole box
        w = [sum((t * c[j] for (c, _), t in zip(rows, lam)), fmpq(0)) for j in range(d)]
        assert -_box_min([-a for a in w], lo, hi) + sum((t * e for (_, e), t in zip(rows, lam)), fmpq(0)) < 0
    else:
        assert out[0] == "optimal" and out[1] == want
        x = out[2]
        assert all(l <= t <= h for t, l, h in zip(x, lo, hi))
        assert all(sum((a * t for a, t in zip(c, x)), e) >= 0 for c, e in rows)
        assert _box_min(v, lo, hi) - sum((t * e for (_, e), t in zip(rows, lam)), fmpq(0)) == want


def test_a_vertex_where_twelve_rows_meet():
    """x + k y >= 0 and x - k y >= 0 for k = 1..6 give x >= 6|y|, so x + y >= 5|y| >= 0: by hand the minimum
    of x + y is 0, at the origin, where all twelve rows are tight (Bland's rule must not cycle there)."""
    rows = [([fmpq(1), fmpq(s * k)], fmpq(0)) for k in range(1, 7) for s in (1, -1)]
    g, lo, hi = [fmpq(1), fmpq(1)], [fmpq(-1)] * 2, [fmpq(1)] * 2
    for start in ([0, 6], [3, 4], [12, 13], []):
        out = minimize(g, rows, lo, hi, start=start)
        assert out[0] == "optimal" and out[1] == 0 == _brute(g, rows, lo, hi)
