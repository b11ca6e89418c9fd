"""The hull lemma of the kernel (``exactmem/kernel/sandwich.py``): a hinted separable sum derived once on the box
of all balls and bounded per ball by its quadratic.  Checked against the ordinary path (every unit on every ball),
against sums computed independently, and on networks wrong in a unit the lemma lets the balls skip."""
from __future__ import annotations

import copy
import random

import pytest
from flint import fmpq
from hypothesis import given, settings
from hypothesis import strategies as st

from exactmem import Dataset, kernel, memorize
from exactmem.constructions.layers import yu_threshold_units
from exactmem.kernel import cones as cones_
from exactmem.kernel import robust, sandwich
from exactmem.kernel import values as V
from exactmem.kernel.engine import Compiled, Engine, State, Undecided, compile_layer, evaluate, run


def _check(doc, use):
    old = sandwich.USE[0]
    sandwich.USE[0] = use
    try:
        return kernel.check(kernel.sign({k: v for k, v in doc.items() if k != "digest"}))
    finally:
        sandwich.USE[0] = old


def _setup(doc):
    """(balls, compiled layers, quadratic hints) as robust.check builds them."""
    X, labels, layers, rho, p, _ = robust.claim(doc)
    _, quad, _ = robust._hints(doc, len(layers[0][0]), [len(r) for r, _ in layers])
    balls = robust.Balls(X, labels, layers, rho, p)
    m = len(layers[0][0])
    compiled = Compiled([([[(k, fmpq(1))] for k in range(m)], [fmpq(0)] * m, m)] +
                        [(rows, bias, len(prev[0])) for (rows, bias), prev in zip(layers[1:], layers)])
    return balls, compiled, quad


points = st.lists(st.tuples(st.integers(-6, 6), st.integers(-6, 6), st.integers(0, 3)), min_size=2, max_size=6,
                  unique_by=lambda t: t[:2])


@settings(max_examples=25, deadline=None)
@given(points, st.sampled_from(["1/2", "2/3", "9/10"]), st.sampled_from(["2", "inf"]))
def test_lemma_agrees_with_the_ordinary_path(pts, rho, p):
    """Theorem B.14's network is PROVED with and without the lemma; its output moved by 1/3 is proved by neither."""
    labels = [1 + t[2] % 2 for t in pts]
    if len(set(labels)) < 2:
        labels[0] = 3 - labels[0]
    D = Dataset([list(t[:2]) for t in pts], labels)
    net, cert = memorize(D, rho)
    doc = copy.deepcopy(cert.to_json())
    doc["data"]["p"] = p                                # the same network, claimed for l_inf balls too
    assert _check(doc, True).status == _check(doc, False).status
    assert _check(cert.to_json(), True).is_proved
    bad = copy.deepcopy(cert.to_json())
    out = bad["network"]["layers"][-1]
    out["b"] = [str(fmpq(out["b"][0]) + fmpq(1, 3))]
    assert not _check(bad, True).is_proved and not _check(bad, False).is_proved


def test_the_hull_sum_is_the_balls_sum():
    """On every ball, the hull's sum shifted to the ball (``_on_ball``) is the function the ordinary engine
    derives on that ball, compared at every breakpoint of either and between them."""
    D = Dataset([[0, 0], [3, 1], [1, 4], [4, 4], [-2, 3]], [1, 2, 2, 1, 2])
    _, cert = memorize(D, "1/2")
    balls, compiled, quad = _setup(cert.to_json())
    seen = {}

    def capture(i, l, u):
        def bound(sep):
            seen[i, l, u] = sep
            return V.bounds(sep)
        return bound if (l, u) in quad else None
    idx = list(range(D.N))
    run(compiled, State(idx, balls.sources(idx)), Engine(balls.R, sep_bounds=capture))
    H = sandwich.Hull(balls, compiled, lambda: None, set(quad))
    cones = {key: cones_.read(compiled.layers, *key) for key in quad}
    Hc = sandwich.Hull(balls, compiled, lambda: None, (), {key: c for key, c in cones.items() if c is not None})
    compared = 0
    for (l, u) in sorted({(l, u) for _, l, u in seen}):
        hull_sum = H.pre(l, u)
        assert isinstance(hull_sum, V.Sep)
        by_cones = Hc.pre(l, u)                 # the translated cones' sum: the same function on H
        assert isinstance(by_cones, cones_.Sum) and by_cones.fast() and by_cones.c == hull_sum.c
        by_cones = by_cones.value()
        assert set(by_cones.terms) == set(hull_sum.terms)
        for k, pl in hull_sum.terms.items():
            ts = sorted({t for q in (pl, by_cones.terms[k]) for pc in q.pieces for t in pc[:2]})
            assert all(_at(pl, t) == _at(by_cones.terms[k], t) for t in ts + [(a + b) / 2 for a, b in zip(ts, ts[1:])])
        for i in idx:
            if (i, l, u) not in seen:
                continue
            mine, theirs = sandwich._on_ball(hull_sum, balls, H.mid, i), seen[i, l, u]
            assert set(mine.terms) == set(theirs.terms) and mine.c == theirs.c
            for k in mine.terms:
                ts = sorted({t for pl in (mine.terms[k], theirs.terms[k]) for pc in pl.pieces for t in pc[:2]})
                for t in ts + [(a + b) / 2 for a, b in zip(ts, ts[1:])]:
                    assert _at(mine.terms[k], t) == _at(theirs.terms[k], t)
                    compared += 1
    assert compared >= 40          # the sums whose box straddles 0 (where the ordinary path asks for the sandwich)


def _at(pl, t):
    vals = {v + a * t for lo, hi, v, a in pl.pieces if lo <= t <= hi}
    assert len(vals) == 1, (t, pl.pieces)
    return vals.pop()


def test_lemma_units_and_skipped_units_of_theorem_b14():
    """The lemma takes exactly the W = sigma(1 - V) units of Theorem B.14 (``yu_threshold_units``: V's sole reader);
    the balls then compute only the accumulators: skipped are the d inputs, and per block the d carried inputs X in
    each of its k + 3 layers, 2d (P, Q), 3d (T, U1, U2), 4d per further square layer (T, S, U1, U2) and V itself --
    counted from ``yu_layers`` by hand."""
    D = Dataset([[0, 0, 1], [3, 1, 0], [1, 4, 2], [4, 4, 4]], [1, 2, 2, 1])
    _, cert = memorize(D, "1/2")
    balls, compiled, quad = _setup(cert.to_json())
    skip, lemma = sandwich.plan(balls, compiled, quad, lambda: None, {})
    d, C, k = cert.info["d"], cert.info["C"], cert.info["k"]
    W_units = {w for _, w in yu_threshold_units(d, C, k, D.N)}
    assert {(l, u) for l, us in lemma.items() for u in us} == W_units
    per_block = d * (k + 3) + 2 * d + 3 * d + 4 * d * (k - 1) + 1
    assert sum(len(s) for s in skip.values()) == d + D.N * per_block


def test_a_wrong_unit_the_balls_skip_is_still_seen():
    """Moving one distance block's centre (the bias of its P units, which the balls never compute) leaves its own
    ball wrong: neither path proves it, and the lemma path agrees with the ordinary one."""
    D = Dataset([[0, 0], [3, 1], [1, 4], [4, 4]], [1, 2, 2, 1])
    _, cert = memorize(D, "1/2")
    doc = copy.deepcopy(cert.to_json())
    assert _check(doc, True).is_proved
    layer = doc["network"]["layers"][1]                   # block 0's first layer: X, A, P = sigma(X - c), Q
    d, C = cert.info["d"], cert.info["C"]
    for j in range(d):
        layer["b"][d + C + j] = str(fmpq(layer["b"][d + C + j]) - 40)
        layer["b"][2 * d + C + j] = str(fmpq(layer["b"][2 * d + C + j]) + 40)
    on, off = _check(doc, True), _check(doc, False)
    assert not on.is_proved and not off.is_proved
    assert 0 in on.details["balls"] and on.details["balls"] == off.details["balls"]


def test_a_loose_hull_falls_back_to_the_balls(monkeypatch):
    """A hull that knows nothing (every hinted sum a wide Box) decides no ball; the balls then take the ordinary
    path, which proves them."""
    D = Dataset([[0, 0], [3, 1], [1, 4], [4, 4]], [1, 2, 2, 1])
    _, cert = memorize(D, "1/2")
    calls = []
    monkeypatch.setattr(sandwich.Hull, "pre", lambda self, l, u: calls.append(l) or V.Box((fmpq(-10 ** 6), fmpq(10 ** 6))))
    wrong = []
    orig = robust._wrong
    monkeypatch.setattr(robust, "_wrong", lambda *a: wrong.append(orig(*a)) or wrong[-1])
    assert _check(cert.to_json(), True).is_proved
    assert calls and len(wrong) == 2 and sorted(wrong[0]) == list(range(D.N)) and wrong[1] == {}


def test_reading_a_skipped_register_is_undecided():
    """A unit the plan wrongly skips must not be read as 0: the engine stops instead."""
    layers = [compile_layer([[(0, fmpq(1))], [(0, fmpq(-1))]], [fmpq(0)] * 2, 1),
              compile_layer([[(0, fmpq(1)), (1, fmpq(1))]], [fmpq(0)], 2)]
    eng = Engine(skip={0: {1}})
    with pytest.raises(Undecided, match="skipped"):
        run(layers, State([0], [robust.Col(__import__("numpy").array([3], dtype=object), 1)]), eng)


@settings(max_examples=30, deadline=None)
@given(st.lists(st.lists(st.integers(-50, 50), min_size=3, max_size=3), min_size=1, max_size=4),
       st.lists(st.lists(st.fractions(-9, 9, max_denominator=12), min_size=3, max_size=3), min_size=1, max_size=3),
       st.integers(1, 7))
def test_squared_distances_by_hand(C, Z, den):
    """One matrix product gives ||C_i / den - Z_u||^2; compared with the sum of squares written out."""
    Zq = [[fmpq(z.numerator, z.denominator) for z in row] for row in Z]
    got = sandwich.squared_distances(C, den, Zq)
    for i, row in enumerate(C):
        for u, z in enumerate(Zq):
            assert got[i][u] == sum(((fmpq(c, den) - t) ** 2 for c, t in zip(row, z)), fmpq(0))


def test_random_centres_keep_the_verdicts():
    """Shuffled quadratic hints (another block's centre, a scaled alpha) never prove a network the ordinary path
    refuses, and a correct one stays proved or becomes undecided, never refuted."""
    D = Dataset([[0, 0], [3, 1], [1, 4], [4, 4]], [1, 2, 2, 1])
    _, cert = memorize(D, "1/2")
    rng = random.Random(3)
    for _ in range(6):
        doc = copy.deepcopy(cert.to_json())
        qs = doc["hints"]["quadratic"]
        for q in qs:
            q["centre"] = list(rng.choice(qs)["centre"])
            q["alpha"] = str(fmpq(q["alpha"]) * fmpq(rng.randint(1, 4), rng.randint(1, 4)))
        on, off = _check(doc, True), _check(doc, False)
        assert not on.is_refuted and not off.is_refuted
        out = doc["network"]["layers"][-1]
        out["b"] = [str(fmpq(out["b"][0]) + 1)]
        assert not _check(doc, True).is_proved


def test_shares_of_a_lemma_check_compose_to_the_whole():
    """Checked in shares, each share takes its own balls through the lemma; the shares compose to PROVED, and with
    a label changed (which also changes eps_D) the shares name, between them, exactly the balls the whole check
    names, each in the share that owns it."""
    D = Dataset([[0, 0], [3, 1], [1, 4], [4, 4], [-2, 3]], [1, 2, 2, 1, 2])
    _, cert = memorize(D, "1/2")
    doc = cert.to_json()
    parts = kernel.split(doc, 2)
    assert kernel.compose(doc, [kernel.shares.report(p, kernel.check(p)) for p in parts]).is_proved
    bad = copy.deepcopy(doc)
    bad["dataset"]["labels"][3] = 2
    bad = kernel.sign({k: v for k, v in bad.items() if k != "digest"})
    whole = kernel.check(bad).details["balls"]
    named = [kernel.check(p).details.get("balls", []) for p in kernel.split(bad, 2)]
    assert 3 in whole and sorted(named[0] + named[1]) == whole
    assert all(i % 2 == s for s, b in enumerate(named) for i in b)


def _random_certificate(rng):
    """A random small network (first-layer rows some of which are multiples -- lam 2, -1, -1/2, 3/2, -3 -- of
    earlier rows, or zero), hints.quadratic on random units of every hidden layer but the first (random alpha of
    either sign, centre, clip or none), p in {1, 2, inf}."""
    d, N = rng.choice([1, 2, 3]), rng.randint(2, 5)
    pts = set()
    while len(pts) < N:
        pts.add(tuple(rng.randint(-4, 4) for _ in range(d)))
    labels = [rng.choice([1, 2]) for _ in pts]
    labels[0] = 3 - labels[-1]
    w = lambda: rng.choice([0, 0, 1, -1, 2, -2, fmpq(1, 2), fmpq(-3, 2), 3])
    b = lambda: fmpq(rng.randint(-4, 4), rng.choice([1, 2]))
    W1 = []
    for _ in range(rng.randint(2, 5)):
        r = rng.random()
        W1.append([rng.choice([2, -1, fmpq(-1, 2), fmpq(3, 2), -3]) * fmpq(t) for t in rng.choice(W1)] if W1 and r < 0.4
                  else [0] * d if r < 0.5 else [w() for _ in range(d)])
    layers, width = [(W1, [b() for _ in W1])], len(W1)
    for n in [rng.randint(1, 4) for _ in range(rng.randint(1, 3))] + [1]:
        layers.append(([[w() if rng.random() < 0.6 else 0 for _ in range(width)] for _ in range(n)], [b() for _ in range(n)]))
        width = n
    quad = [{"layer": l, "unit": u, "alpha": str(rng.choice([1, -1, fmpq(1, 3), fmpq(-5, 2), 4])),
             "centre": [str(fmpq(rng.randint(-8, 8), rng.choice([1, 2, 3]))) for _ in W1],
             **({"clip": str(rng.choice([fmpq(1, 2), 1, 5]))} if rng.random() < 0.5 else {})}
            for l in range(1, len(layers) - 1) for u in range(len(layers[l][0])) if rng.random() < 0.7]
    return {"format": "exactmem.certificate", "schema_version": 2, "kind": "robust-memorization", "claim": "",
            "data": {"rho": rng.choice(["1/2", "9/10", "1/5"]), "p": rng.choice(["1", "2", "inf"])},
            "hints": {"quadratic": quad}, "dataset": {"points": [[str(v) for v in p] for p in pts], "labels": labels},
            "network": {"format": "exactmem.relunet", "layers": [{"W": [[str(t) for t in r] for r in W], "b": [str(t) for t in bs]}
                                                                 for W, bs in layers]}}


def _lemma_misses(doc, rng, samples=20):
    """The (unit, ball, point) where the lemma's value on the ball does not contain the unit's exact value at an
    exact point of the open ball (``engine.evaluate`` on the layers up to the unit's, which ends without a ReLU),
    and the number of cells the lemma gave."""
    balls, compiled, quad = _setup(doc)
    X, _, layers, _, p, _ = robust.claim(doc)
    _, lemma = sandwich.plan(balls, compiled, quad, lambda: None, {})
    mu, misses, cells = float(balls.mu_sq) ** 0.5, [], 0
    pts = {}
    for i, x in enumerate(X):               # directions to the sphere of the l_p ball (or inside it), scaled by 1 - 1e-6
        pts[i] = []
        for _ in range(samples):
            v = [rng.gauss(0, 1) for _ in x]
            n = max(map(abs, v)) if p == "inf" else sum(map(abs, v)) if p == 1 else sum(t * t for t in v) ** 0.5
            s = mu * (1 - 1e-6) * (rng.random() if rng.random() < 0.3 else 1) / n
            y = [a + fmpq(int(t * s * 10 ** 9), 10 ** 9) for a, t in zip(x, v)]
            assert balls.inside(i, y, X)
            pts[i].append(y)
    for l, units in lemma.items():
        for u, fn in units.items():
            col, got = fn(State(range(len(X)), []))
            cells += len(X)
            for i in range(len(X)):
                box = got.get(i) or V.Box((col.value(i, []), col.value(i, [])))     # a constant without a cell
                for y, out in zip(pts[i], evaluate(layers[:l + 1], pts[i])):
                    if not box[0] <= max(out[u], fmpq(0)) <= box[1]:
                        misses.append(((l, u), i, y))
    return misses, cells


def test_lemma_values_contain_the_exact_values_of_random_networks(monkeypatch):
    """On 40 random networks (non-canonical sources with lam of either sign, zero rows, p = 1, 2, inf, clips), every
    lemma value contains the unit's exact value at 20 exact points of each ball; the same check finds misses when
    ``interval`` is narrowed by 1/2 on each side (so it can fail), and the balls' own pieces were used."""
    own = []
    monkeypatch.setattr(sandwich, "_on_ball", lambda *a, f=sandwich._on_ball: own.append(1) or f(*a))
    total = 0
    for seed in range(40):
        rng = random.Random(seed)
        misses, cells = _lemma_misses(_random_certificate(rng), rng)
        assert misses == []
        total += cells
    assert total >= 200 and len(own) >= 50
    narrow = lambda *a, f=sandwich.interval: (lambda lo, hi: (lo + fmpq(1, 2), hi - fmpq(1, 2)))(*f(*a))
    monkeypatch.setattr(sandwich, "interval", narrow)
    assert sum(bool(_lemma_misses(_random_certificate(random.Random(s)), random.Random(s))[0]) for s in range(40)) >= 5


def test_holes_stay_holes_when_rows_are_taken_and_joined():
    """A skipped register's column survives the engine's row operations as a hole (denominator 0) and is never
    turned into numbers: ``take`` keeps it, ``Col.cat`` with a hole on either side gives a hole."""
    import numpy as np
    from exactmem.kernel.engine import Col, hole
    h, c = hole(3), Col(np.array([1, 2, 3], dtype=object), 2)
    t = h.take(np.array([2, 0]))
    assert t.den == 0 and len(t.num) == 2
    for (a, b), n in (((h, c), 6), ((c, h), 6), ((t, h), 5)):
        joined = Col.cat(a, b)
        assert joined.den == 0 and joined.tan is None and len(joined.num) == n
    assert Col.cat(c, c).den == 2


def test_the_sole_reader_holds_the_exact_values_of_theorem_b14(monkeypatch):
    """W = sigma(1 - V) taken from V's cells (V's sole reader): at exact points of every ball, on random data sets
    and norms, W's value is within the lemma's cell or equals its constant; many balls are decided by the
    distance threshold alone.  A threshold of 0 (every ball far from every centre) is caught: W = 1 on a ball's
    own block, not 0."""
    far, calls = [], []
    monkeypatch.setattr(sandwich, "threshold", lambda *a, f=sandwich.threshold: far.append(f(*a)) or far[-1])
    monkeypatch.setattr(sandwich, "interval", lambda *a, f=sandwich.interval: calls.append(1) or f(*a))
    for seed in range(6):
        rng = random.Random(seed)
        pts = set()
        while len(pts) < 5:
            pts.add((rng.randint(-5, 5), rng.randint(-5, 5)))
        D = Dataset([list(t) for t in sorted(pts)], [1, 2, 1, 2, rng.choice([1, 2])])
        doc = copy.deepcopy(memorize(D, rng.choice(["1/2", "2/3"]))[1].to_json())
        doc["data"]["p"] = rng.choice(["1", "2", "inf"])
        misses, cells = _lemma_misses(doc, rng)
        assert misses == [] and cells == D.N * D.N
    assert len(far) >= 30 and all(t is not None and t > 0 for t in far)
    assert len(calls) <= 6 * 25 - 30                # the other (ball, block) pairs: decided by the threshold
    monkeypatch.setattr(sandwich, "threshold", lambda *a: fmpq(0))
    D = Dataset([[0, 0], [3, 1], [1, 4], [4, 4]], [1, 2, 2, 1])
    assert _lemma_misses(memorize(D, "1/2")[1].to_json(), random.Random(0))[0]
