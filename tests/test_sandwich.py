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
from exactmem.kernel import robust, sandwich
from exactmem.kernel import values as V
from exactmem.kernel.engine import Engine, State, Undecided, compile_layer, run


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
    _, quad = robust._hints(doc, len(layers[0][0]), [len(r) for r, _ in layers])
    balls = robust.Balls(X, labels, layers, rho, p)
    m = len(layers[0][0])
    compiled, width = [compile_layer([[(k, fmpq(1))] for k in range(m)], [fmpq(0)] * m, m)], m
    for rows, bias in layers[1:]:
        compiled.append(compile_layer(rows, bias, width))
        width = len(rows)
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
    compared = 0
    for (l, u) in sorted({(l, u) for _, l, u in seen}):
        hull_sum = H.pre(l, u)
        assert isinstance(hull_sum, V.Sep)
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
    """The lemma takes exactly the V units of Theorem B.14 (``yu_threshold_units``); the balls then compute only the
    accumulators: skipped are the d inputs, and per block the d carried inputs X in each of its k + 3 layers, 2d
    (P, Q), 3d (T, U1, U2) and 4d per further square layer (T, S, U1, U2) -- counted from ``yu_layers`` by hand."""
    D = Dataset([[0, 0, 1], [3, 1, 0], [1, 4, 2], [4, 4, 4]], [1, 2, 2, 1])
    _, cert = memorize(D, "1/2")
    balls, compiled, quad = _setup(cert.to_json())
    skip, lemma = sandwich.plan(balls, compiled, quad, lambda: None, {})
    d, C, k = cert.info["d"], cert.info["C"], cert.info["k"]
    V_units = {v for v, _ in yu_threshold_units(d, C, k, D.N)}
    assert {(l, u) for l, us in lemma.items() for u in us} == V_units
    per_block = d * (k + 3) + 2 * d + 3 * d + 4 * d * (k - 1)
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
