"""The kernel's step-table lemma (``kernel/steps.py``): bumps and folds computed on the rows near their support.

Oracles: supports derived by hand for Lemma B.6's indicators; the engine's ordinary path (``engine.evaluate``,
and ``robust.check`` with the lemma switched off) on random networks holding bumps and folds with random
weights, at random points and at the breakpoints; networks made wrong in a step table's fold must not be
PROVED; balls on which the carried x is not a constant take the ordinary path's values.
"""
import random
from math import gcd

import numpy as np
import pytest
from flint import fmpq as Q
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from exactmem import Dataset, ReLUNet, memorize
from exactmem.certify.records import robust_certificate
from exactmem.kernel import parse, robust, sandwich, steps
from exactmem.kernel.engine import Col, Compiled, Engine, State, evaluate, run


def _compiled(layers):
    return Compiled([(rows, bias, w) for (rows, bias), w in
                     zip(layers, [max((j for r in layers[0][0] for j, _ in r), default=-1) + 1] +
                         [len(r) for r, _ in layers[:-1]])])


def _with_lemma(layers, X):
    """The outputs at the rows X (fmpq lists) by the engine with the step lemma, and the lemma's units."""
    compiled = _compiled(layers)
    fns, reads = steps.plan(compiled, [])
    return run_points(compiled, X, fns, reads), fns


def run_points(compiled, X, fns, reads, keep=()):
    """The engine's outputs at the rows X (fmpq lists) with the lemma units fns (what they read: reads)."""
    skip = sandwich.unread(compiled, {(l, u) for l, d in fns.items() for u in d}, reads=reads, keep=keep)
    cols = []
    for k in range(len(X[0])):
        den = 1
        for x in X:
            den = den * int(x[k].q) // gcd(den, int(x[k].q))
        cols.append(Col(np.array([int(x[k].p) * (den // int(x[k].q)) for x in X], dtype=object), den))
    st = run(compiled, State(range(len(X)), cols), Engine(skip=skip, lemma=fns))
    return [[Q(int(c.num[r]), c.den) for c in st.cols] for r in range(len(X))]


@pytest.mark.parametrize("a, b, eta", [(7, 9, Q(1, 2)), (0, 0, Q(1, 3)), (Q(5, 2), Q(5, 2), Q(1, 10)), (100, 10 ** 40, Q(1, 10 ** 30))])
def test_the_support_of_an_indicator_is_its_range_widened_by_eta(a, b, eta):
    """By hand (Lemma B.6): 1 - relu((a - x)/eta) - relu((x - b)/eta) > 0 exactly on (a - eta, b + eta); for x >= 0
    the kernel's interval is that one cut at 0."""
    a, b = Q(a), Q(b)
    got = steps.support(Q(1), Q(-1), -1 / eta, a / eta, Q(-1), 1 / eta, -b / eta)
    assert got == (max(a - eta, Q(0)), b + eta)


def test_an_unbounded_or_empty_support_by_hand():
    """relu(x) - relu(x - 5) + ... grows without bound: no lemma (None); -1 - relu(x) is never positive: the
    empty interval at 0; relu(x - 3) - relu(x - 4) - 1/2 is positive on (7/2, oo): None."""
    assert steps.support(Q(1), Q(1), Q(1), Q(0), Q(-1), Q(1), Q(-5)) is None
    assert steps.support(Q(-1), Q(1), Q(-1), Q(0), Q(-1), Q(1), Q(0)) == (0, 0)
    assert steps.support(Q(-1, 2), Q(1), Q(1), Q(-3), Q(-1), Q(1), Q(-4)) is None


def _bump_net(rng, k):
    """Input (x, y0); k blocks of [carry x, carry/fold y, v1, v2] then [carry x, F, carry y]; output x + y.
    Weights random small rationals of both signs (so some supports are unbounded: no lemma there)."""
    r = lambda: Q(rng.randint(-9, 9), rng.choice([1, 2, 3, 7]))
    nz = lambda: Q(rng.choice([-1, 1]) * rng.randint(1, 9), rng.choice([1, 2, 3]))
    layers = [([[(0, Q(1))], [(1, Q(1))]], [Q(0), Q(0)])]            # relu of the inputs
    F = None
    for j in range(k):
        fold = [(1, Q(1))] + ([(F, Q(rng.randint(0, 9), rng.choice([1, 2])))] if F is not None else [])
        layers.append(([[(0, Q(1))], fold, [(0, nz())], [(0, nz())]], [Q(0), Q(0), r(), r()]))
        layers.append(([[(0, Q(1))], [(2, nz()), (3, nz())], [(1, Q(1))]], [Q(0), r(), Q(0)]))
        F = 1
    layers.append(([[(0, Q(1))], [(2, Q(1)), (1, Q(rng.randint(0, 9)))]], [Q(0), Q(0)]))   # fold the last F
    layers.append(([[(0, Q(1)), (1, Q(1))]], [Q(0)]))
    return layers


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 10 ** 9))
def test_bumps_and_folds_equal_the_ordinary_path_on_random_networks(seed):
    """Random bump networks at random points and at each bump's breakpoints and support ends: the engine with
    the lemma gives exactly the outputs of ``engine.evaluate`` (no lemma); every bump with a bounded support is
    taken by the lemma (counted)."""
    rng = random.Random(seed)
    layers = _bump_net(rng, rng.randint(1, 4))
    compiled = _compiled(layers)
    bumps = steps.find(compiled)
    xs = {Q(rng.randint(0, 40), rng.choice([1, 2, 3])) for _ in range(12)}
    for _, (_, _, p1, q1, _, p2, q2), (lo, hi) in bumps.values():
        xs |= {t for t in (-q1 / p1, -q2 / p2, lo, hi) if t >= 0}
    X = [[x, Q(rng.randint(0, 5))] for x in sorted(xs)]
    got, fns = _with_lemma(layers, X)
    assert got == evaluate(layers, X)
    assert sum(len(d) for d in fns.values()) >= len(bumps)


def test_a_network_with_a_lemma_for_every_block_is_exact_at_every_integer():
    """Lemma B.7's table itself (``blocks.indicator.step_table_net``: 30 ranges, eta 1/2, two accumulators):
    every block is a bump and folded, and the outputs at x = 0..200 equal the ordinary path's."""
    from exactmem.blocks.indicator import step_table_net
    rng = random.Random(3)
    ranges, at = [], 1
    for _ in range(30):
        w = rng.randint(0, 3)
        ranges.append((at, at + w))
        at += w + rng.randint(1, 4) + 1
    net = step_table_net(ranges, [(rng.randint(0, 10 ** 30), rng.randint(0, 9)) for _ in ranges])
    layers = net.sparse_layers()
    X = [[Q(x)] for x in range(201)]
    got, fns = _with_lemma(layers, X)
    assert got == evaluate(layers, X)
    compiled = _compiled(layers)
    bumps = steps.find(compiled)
    assert len(bumps) == 29                      # the first block's F reads x of layer 0 (no carry)
    folds = steps.folds(compiled, bumps)         # blocks 2..29 fold into two accumulators (a zero value: no fold)
    assert 28 <= len(folds) <= 56 and sum(len(d) for d in fns.values()) == 29 + len(folds)


def _robust_doc(a, b, eta, points, labels, rho):
    """One bump on x = relu(input) in [a, b] (eta wide) and output 1 + F: a 1-D classifier as a certificate."""
    layers = [([[Q(1)]], [Q(0)]),
              ([[Q(1)], [-1 / eta], [1 / eta]], [Q(0), a / eta, -b / eta]),
              ([[Q(1), Q(0), Q(0)], [Q(0), Q(-1), Q(-1)]], [Q(0), Q(1)]),
              ([[Q(0), Q(1)]], [Q(0)]),
              ([[Q(1)]], [Q(1)])]
    net = ReLUNet([([list(r) for r in W], bias) for W, bias in layers])
    return robust_certificate(Dataset(points, labels), net, rho).to_json()


@pytest.mark.parametrize("use", [True, False])
def test_balls_on_which_x_varies_take_the_ordinary_values_and_a_wrong_table_is_not_proved(use, monkeypatch):
    """By hand: F = 1 on [12/5, 28/5], 0 outside (23/10, 57/10); points 1, 3, 5, 7 labelled 1, 2, 2, 1 (output 1 + F),
    eps_D = 1, rho = 1/2: every ball (radius 1/2) lies where F is constant, x varies on each (so every row
    takes the ordinary path's values inside the lemma): PROVED with and without the lemma.  With the range
    [16/5, 28/5] the ball around 3 meets F's ramp: not PROVED, with or without the lemma."""
    monkeypatch.setattr(steps, "USE", [use])
    pts, labels = [[1], [3], [5], [7]], [1, 2, 2, 1]
    good = _robust_doc(Q(12, 5), Q(28, 5), Q(1, 10), pts, labels, Q(1, 2))
    assert robust.check(good).is_proved
    bad = _robust_doc(Q(16, 5), Q(28, 5), Q(1, 10), pts, labels, Q(1, 2))
    assert not robust.check(bad).is_proved


def _fold_units(doc):
    _, layers = parse.network(doc["network"])
    m = len(layers[0][0])
    compiled = Compiled([([[(k, Q(1))] for k in range(m)], [Q(0)] * m, m)] +
                        [(rows, bias, len(prev[0])) for (rows, bias), prev in zip(layers[1:], layers)])
    return steps.folds(compiled, steps.find(compiled))


@pytest.mark.parametrize("seed", range(3))
def test_a_memorizer_whose_step_table_is_changed_is_not_proved(seed, monkeypatch):
    """Theorem B.3's small-rho memorizer (its integer memorizer holds Lemma B.7's table): PROVED with the lemma
    and without it; then one fold's weight (a packed code or label) is changed -- some point's output changes,
    as the exact evaluation confirms -- and the kernel must not prove it, with the lemma or without."""
    rng = random.Random(seed)
    N = 12
    pts = [[rng.randint(0, 30), rng.randint(0, 30)] for _ in range(N)]
    pts = [list(p) for p in dict.fromkeys(map(tuple, pts))]
    labels = [1 + i % 3 for i in range(len(pts))]
    _, cert = memorize(Dataset(pts, labels), Q(1, 100))
    doc = cert.to_json()
    folds = _fold_units(doc)
    assert folds, "the memorizer holds no step table"
    for use in (True, False):
        monkeypatch.setattr(steps, "USE", [use])
        assert robust.check(doc).is_proved
    (l, u), (F, _, _) = sorted(folds.items())[rng.randrange(len(folds))]
    rows = doc["network"]["layers"][l]["W_rows"]
    rows[u] = [[j, str(Q(w) + 1)] if j == F else [j, w] for j, w in rows[u]]
    changed = parse.network(doc["network"])[1]
    outs = [o[0] for o in evaluate(changed, [[Q(t) for t in p] for p in pts])]
    assert outs != labels                         # the change shows at some centre (exact evaluation)
    for use in (True, False):
        monkeypatch.setattr(steps, "USE", [use])
        assert not robust.check(doc).is_proved


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.integers(-6, 6), st.sampled_from([1, 2, 3])), min_size=7, max_size=7),
       st.sampled_from([None, 1, -1, 2]))
def test_a_support_leaves_no_positive_point_outside_it(ws, tie):
    """Review: for random forms (p != 0; ``tie``: v2's breakpoint equal to or mirrored from v1's), g(x) = b + f1
    relu(p1 x + q1) + f2 relu(p2 x + q2) is <= 0 at every x >= 0 outside the kernel's [s_lo, s_hi] -- checked
    at g's own vertices (it is piecewise linear: 0, the breakpoints, the interval's ends) and by the slope past
    the last breakpoint -- and None only when g is positive on an unbounded ray (slope > 0, or 0 with g > 0)."""
    b, f1, p1, q1, f2, p2, q2 = [Q(n, d) for n, d in ws]
    p1, p2 = p1 or Q(1), p2 or Q(-2)
    if tie is not None:
        p2, q2 = p1 * tie, q1 * tie
    form = (b, f1, p1, q1, f2, p2, q2)

    def g(x):
        return b + f1 * max(p1 * x + q1, Q(0)) + f2 * max(p2 * x + q2, Q(0))
    bps = sorted({Q(0)} | {t for t in (-q1 / p1, -q2 / p2) if t > 0})
    far = bps[-1] + 1
    slope = g(far + 1) - g(far)
    ray = slope > 0 or slope == 0 and g(far) > 0
    s = steps.support(*form)
    if s is None:
        assert ray
        return
    lo, hi = s
    assert not ray and 0 <= lo <= hi
    assert lo == 0 or g(lo) <= 0 and all(g(t) <= 0 for t in bps if t < lo)
    assert g(hi) <= 0 and all(g(t) <= 0 for t in bps if t > hi) and g(max(hi, bps[-1]) + 1) <= 0 and slope <= 0


def _near_miss_net(rng):
    """Review: a random network of 3..7 layers where groups [carry x, v = relu(p x + q), ...] are followed by
    units pairing two v's (bumps, or not: a v with a second reader, p = 1 and q = 0 so that a v is itself a
    carry, three or four v's on one x), then by fold-like units [(F, c)] or [(F, c), (y, w)] with w = 1 or
    not and bias 0 or not, and random carries and dense units.  Returns (d, layers)."""
    r = lambda: Q(rng.randint(-9, 9), rng.choice([1, 2, 3, 7]))
    nz = lambda: Q(rng.choice([-1, 1]) * rng.randint(1, 9), rng.choice([1, 2, 3]))
    d = rng.randint(1, 3)
    layers, width, prev_v, prev_bumps = [([[(k, Q(1))] for k in range(d)], [Q(0)] * d)], d, [], []
    for _ in range(rng.randint(2, 6)):
        rows, bias, bumps = [], [], []
        rng.shuffle(prev_v)
        while len(prev_v) >= 2 and rng.random() < 0.9:
            a, b = prev_v.pop(), prev_v.pop()
            rows.append([(min(a, b), nz()), (max(a, b), nz())])
            bias.append(r())
            bumps.append(len(rows) - 1)
            if rng.random() < 0.1:                          # a second reader of a v: no bump
                rows.append([(a, nz())])
                bias.append(r())
        for F in prev_bumps:
            if rng.random() < 0.8:
                c, y = Q(rng.randint(1, 9) * rng.choice([-1, 1]), rng.choice([1, 2])), rng.randrange(width)
                w = Q(1) if rng.random() < 0.85 else nz()
                rows.append(sorted([(F, c), (y, w)]) if rng.random() < 0.5 and y != F else [(F, c)])
                bias.append(Q(0) if rng.random() < 0.85 else r())
        new_v = []
        for _ in range(rng.randint(0, 2)):
            x = rng.randrange(width)
            if rng.random() < 0.85:
                rows.append([(x, Q(1))])
                bias.append(Q(0))
            for _ in range(rng.choice([2, 2, 2, 3, 4])):
                rows.append([(x, Q(1) if rng.random() < 0.15 else nz())])
                bias.append(Q(0) if rng.random() < 0.2 else r())
                new_v.append(len(rows) - 1)
        for _ in range(rng.randint(1, 3)):
            if rng.random() < 0.6:
                rows.append([(rng.randrange(width), Q(1))])
                bias.append(Q(0))
            else:
                rows.append([(k, nz()) for k in sorted(rng.sample(range(width), min(width, rng.randint(1, 3))))])
                bias.append(r())
        layers.append((rows, bias))
        width, prev_v, prev_bumps = len(rows), new_v, bumps
    layers.append(([[(j, Q(rng.randint(1, 3) * rng.choice([-1, 1]))) for j in range(width)]], [Q(0)]))
    return d, layers


def test_near_miss_networks_equal_the_ordinary_path_at_points():
    """Review: 150 networks of ``_near_miss_net`` at random points (negative inputs too: layer 0's ReLU) and at
    every bump's breakpoints and support ends: the lemma's outputs equal ``engine.evaluate``'s exactly; the
    networks hold bumps and folds (counted)."""
    found = [0, 0]
    for seed in range(150):
        rng = random.Random(seed)
        d, layers = _near_miss_net(rng)
        compiled = _compiled(layers)
        bumps = steps.find(compiled)
        found[0] += len(bumps)
        found[1] += len(steps.folds(compiled, bumps))
        X = [[Q(rng.randint(-10, 30), rng.choice([1, 2, 3])) for _ in range(d)] for _ in range(8)]
        X += [[t] * d for _, (_, _, p1, q1, _, p2, q2), (lo, hi) in bumps.values()
              for t in (-q1 / p1, -q2 / p2, lo, hi) if t >= 0]
        got, _ = _with_lemma(layers, X)
        assert got == evaluate(layers, X), seed
    assert found[0] >= 40 and found[1] >= 25


def _holds(val, t, y):
    """y is one of the values ``val`` (an engine value) allows at the sources' offsets t."""
    from exactmem.kernel import values as V
    if isinstance(val, Q):
        return val == y
    if isinstance(val, V.PL):
        return any(lo <= t[val.k] <= hi and v + a * t[val.k] == y for lo, hi, v, a in val.pieces)
    if isinstance(val, V.Sep):
        return val.c + sum(next(v + a * t[k] for lo, hi, v, a in p.pieces if lo <= t[k] <= hi)
                           for k, p in val.terms.items()) == y
    return y in val if isinstance(val, V.Set) else val[0] <= y <= val[1]


def _ball_sources(C, R, den):
    """The sources of balls with centres C (rows of rationals with denominators dividing den) and radii R: affine
    forms c + t in each source (a constant column where R_k = 0)."""
    n = len(C)
    return [Col(np.array([int(c[k] * den) for c in C], dtype=object), den) if R[k] == 0 else
            Col(np.array([int(c[k] * den) for c in C], dtype=object), den, np.full(n, den, dtype=object),
                np.full(n, k)) for k in range(len(R))]


def test_near_miss_networks_on_balls_hold_the_exact_outputs():
    """Review: ``_near_miss_net`` networks on up to 4 balls at once (each source varying by R in {0, 1/2, 3, 7/3}:
    x is then a form, a piecewise-linear value or a constant by row): the engine with the lemma gives every
    row the value the ordinary path gives, and the exact output at sampled points of each ball is one that
    value allows."""
    runs = 0
    for seed in range(120):
        rng = random.Random(seed)
        d, layers = _near_miss_net(rng)
        compiled = _compiled(layers)
        R = [rng.choice([Q(0), Q(1, 2), Q(3), Q(7, 3)]) for _ in range(d)]
        fns, reads = steps.plan(compiled, R)
        if not fns:
            continue
        nb = rng.randint(1, 4)
        C = [[Q(rng.randint(-5, 30), rng.choice([1, 2, 3])) for _ in range(d)] for _ in range(nb)]
        skip = sandwich.unread(compiled, {(l, u) for l, us in fns.items() for u in us}, reads=reads)
        a = run(compiled, State(range(nb), _ball_sources(C, R, 6)), Engine(R, skip=skip, lemma=fns))
        b = run(compiled, State(range(nb), _ball_sources(C, R, 6)), Engine(R))
        assert a.ball.tolist() == b.ball.tolist() == list(range(nb))
        runs += 1
        for r in range(nb):
            val = a.spec.get(0, {}).get(r, a.cols[0].value(r, R))
            assert val == b.spec.get(0, {}).get(r, b.cols[0].value(r, R))
            for _ in range(4):
                t = [Q(rng.randint(-6, 6), 6) * R[k] for k in range(d)]
                y = evaluate(layers, [[C[r][k] + t[k] for k in range(d)]])[0][0]
                assert _holds(val, t, y), (seed, r, t)
    assert runs >= 30
