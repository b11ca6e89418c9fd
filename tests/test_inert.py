"""The inert-block lemma (``kernel/inert.py``): Theorem B.5's chain of blocks, each block skipped on the balls
whose cell index misses its memorized indices.

Oracles: the ordinary path of the same kernel (the lemma off), exact evaluation of the network at points of
the balls, and mutants that make the network wrong on some ball.  The small case has d = 4 and rho = 1/20, so
that g = 2 and the chain layout (B > m) appears with 14 points.
"""
from __future__ import annotations

import copy
import itertools
import random

import pytest
from flint import fmpq
from hypothesis import given, settings
from hypothesis import strategies as st

from exactmem import Dataset
from exactmem.constructions.moderate_rho import moderate_rho_memorizer
from exactmem.errors import CertificateError
from exactmem.kernel import inert, robust
from exactmem.verdict import Status


def _doc(seed, N=14, d=4, labels=3):
    rng = random.Random(seed)
    pts = set()
    while len(pts) < N:
        pts.add(tuple(rng.randint(0, 9) for _ in range(d)))
    ys = [1 + i % labels for i in range(N)]              # every class present (Dataset requires 1..C)
    rng.shuffle(ys)
    D = Dataset([list(p) for p in sorted(pts)], ys)
    _, cert = moderate_rho_memorizer(D, "1/20", "1/10")
    return cert.to_json()


def _check(doc, use=True):
    """(verdict, [rows by the lemma, rows through the layers])."""
    got, orig = [], inert.Inert.__init__

    def init(self, *a, **k):
        orig(self, *a, **k)
        got.append(self)
    inert.Inert.__init__, inert.USE[0] = init, use
    try:
        v = robust.check(doc)
    finally:
        inert.Inert.__init__, inert.USE[0] = orig, True
    return v, [sum(g.counts[i] for g in got) for i in (0, 1)]


def test_chain_hints_name_each_block():
    doc = _doc(1)
    blocks = doc["hints"]["blocks"]
    assert len(blocks) == 7 and blocks[0] == [1, 29, 0, 4]
    assert all(b[0] == a[1] + 1 for a, b in itertools.pairwise(blocks))        # consecutive spans


@settings(max_examples=12, deadline=None)
@given(st.integers(0, 10 ** 6))
def test_same_verdict_and_bound_as_the_ordinary_path(seed):
    doc = _doc(seed)
    on, (idle, busy) = _check(doc)
    off, _ = _check(doc, use=False)
    assert on.status == off.status == Status.PROVED
    assert on.details["max_error_bound"] == off.details["max_error_bound"]
    assert idle > 0 and busy == 0          # every row of every span by the lemma: far rows and each ball's own block


def _mutate(doc, layer, unit, bias=None, weight=None):
    doc = copy.deepcopy(doc)
    L = doc["network"]["layers"][layer]
    if bias is not None:
        L["b"][unit] = str(fmpq(L["b"][unit]) + bias)
    if weight is not None:
        j, w = weight
        L["W_rows"][unit] = [[c, str(fmpq(x) + w) if c == j else x] for c, x in L["W_rows"][unit]]
    return doc


def test_a_block_that_fires_everywhere_is_not_proved():
    """t's bias + 100 in block 0: its memorizer outputs >= 96 on every ball, so every ball's output is wrong."""
    doc = _doc(1)
    b = doc["hints"]["blocks"][0][1]
    rows = doc["network"]["layers"][b - 1]["W_rows"]
    t = next(u for u, r in enumerate(rows) if len(r) == 4)
    bad = _mutate(doc, b - 1, t, bias=100)
    for use in (True, False):
        v, _ = _check(bad, use)
        assert v.status != Status.PROVED


def test_a_wrong_label_is_not_proved():
    """The dataset's label of one point changed: the network is wrong on its ball (the lemma's exact index)."""
    doc = copy.deepcopy(_doc(2))
    y = doc["dataset"]["labels"]
    y[3] = 1 + y[3] % 3
    for use in (True, False):
        v, _ = _check(doc, use)
        assert v.status != Status.PROVED and 3 in v.details.get("balls", [3])


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 10 ** 6), st.data())
def test_mutants_proved_only_if_the_ordinary_path_proves_them(seed, data):
    """A random weight or bias of a random block changed: the lemma proves a mutant only when the lemma-free
    kernel (exact, and precise on these small networks) proves it too."""
    doc = _doc(seed % 50)
    a, b = data.draw(st.sampled_from([tuple(x[:2]) for x in doc["hints"]["blocks"]]))
    l = data.draw(st.integers(a, b))
    rows = doc["network"]["layers"][l]["W_rows"]
    u = data.draw(st.integers(0, len(rows) - 1))
    delta = fmpq(data.draw(st.sampled_from([-3, -1, 1, 2, 7])), data.draw(st.sampled_from([1, 2, 1000])))
    if rows[u] and data.draw(st.booleans()):
        bad = _mutate(doc, l, u, weight=(data.draw(st.sampled_from(rows[u]))[0], delta))
    else:
        bad = _mutate(doc, l, u, bias=delta)
    on, _ = _check(bad)
    off, _ = _check(bad, use=False)
    if on.status == Status.PROVED:
        assert off.status == Status.PROVED and on.details["max_error_bound"] == off.details["max_error_bound"]


def test_a_misplaced_span_is_not_used():
    """Spans shifted by one layer do not fit the structure: the ordinary path, the same verdict."""
    doc = copy.deepcopy(_doc(3))
    doc["hints"]["blocks"] = [[a + 1, b + 1, e0, e1] for a, b, e0, e1 in doc["hints"]["blocks"][:-1]]
    v, (idle, _) = _check(doc)
    assert v.status == Status.PROVED and idle == 0


def test_slabs_of_another_block_are_not_taken():
    """Each span given the slab hints of the next block: no slab matches its cones, so no row is inert."""
    doc = copy.deepcopy(_doc(4))
    bl = doc["hints"]["blocks"]
    doc["hints"]["blocks"] = [[a, b, bl[(i + 1) % len(bl)][2], bl[(i + 1) % len(bl)][3]] for i, (a, b, _, _) in enumerate(bl)]
    v, (idle, _) = _check(doc)
    assert v.status == Status.PROVED and idle == 0


@pytest.mark.parametrize("entry, where", [("x", "hints.blocks[0]"), ([1, 2, 3], "hints.blocks[0]"),
                                          ([0, 5, 0, 4], "hints.blocks[0][0]"), ([5, 5, 0, 4], "hints.blocks[0][1]"),
                                          ([1, 29, 0, 10 ** 6], "hints.blocks[0][3]")])
def test_malformed_blocks_are_refused_with_their_place(entry, where):
    doc = copy.deepcopy(_doc(1))
    doc["hints"]["blocks"] = [entry]
    with pytest.raises(CertificateError, match=where.replace("[", r"\[").replace("]", r"\]")):
        robust.check(doc)


@settings(max_examples=15, deadline=None)
@given(st.integers(0, 10 ** 6), st.sampled_from(["1", "3", "-2", "7/3"]), st.sampled_from(["1/16", "1/1000", "1/3"]))
def test_slab_measures_bound_the_exact_union_closely(seed, alpha, gamma):
    """``slabs.Slabs``: each ball pays at least the exact sum of its slabs' measures (interval by interval, by
    ``Balls.slabs``; at least their union), and at most that plus a few grid steps per slab; the lazy gaps are
    the exact union."""
    from exactmem.kernel.numbers import slab_density
    from exactmem.kernel.slabs import Slabs
    from exactmem.kernel import values as V
    doc = _doc(seed % 40)
    X, labels, layers, rho, p, eta = robust.claim(doc)
    balls = robust.Balls(X, labels, layers, rho, p)
    rng = random.Random(seed)
    excl = [(rng.randrange(4), fmpq(alpha), fmpq(rng.randrange(100), 37), fmpq(gamma)) for _ in range(6)]
    dens = slab_density(len(X[0]), p)
    sl = Slabs(balls, excl, list(range(len(X))), dens)
    for i in range(len(X)):
        union, total, n = fmpq(0), fmpq(0), 0
        for c in {balls.canon[k][0] for k, *_ in excl}:
            per = [balls.slabs(i, *e)[1] for e in excl if balls.canon[e[0]][0] == c]
            u = V.union([s for iv in per for s in iv])
            n += sum(map(len, per))
            union += sum((e - s for s, e in u), fmpq(0)) * dens / balls.R_lo[c]
            total += sum((e - s for iv in per for s, e in iv), fmpq(0)) * dens / balls.R_lo[c]
            g = sl.gaps(i, c)
            assert (g is None and not u) or g == ([s for s, _ in u], [e for _, e in u])
        # the sum over hints: at least their union, and the exact sum up to a few grid steps per slab
        assert union <= total <= sl.err[i] <= total + fmpq(8 * (n + 6), 2 ** 30) * dens / min(balls.R_lo)


def _toy(first_bias="7", extra_w=None, extra_row=False, beta="0", blocks=True):
    """d = 1, points 0 (label 1) and 10 (label 2): register 0's cone is a step at 105 read by a bump whose output
    is the network's output minus 1 -- wrong on ball 1 whatever the hints (found by review; hand-built)."""
    def R(*pairs):
        return [[j, str(w)] for j, w in pairs]
    layers = [{"cols": 1, "W_rows": [R((0, 1)), R((0, 1))], "b": ["201/2", "201/2"]},
              {"cols": 2, "W_rows": [R((0, 1)), R((0, 8)), R((0, 8)), R((1, 8)), R((1, 8))],
               "b": [first_bias, "-840", "-841", "-840", "-841"]},
              {"cols": 5, "W_rows": [R((1, 1), (2, -1), (3, 1), (4, -1))] * 2, "b": ["-1/2", "-1"]},
              {"cols": 2, "W_rows": [R((0, 2), (1, -4))], "b": ["0"]},
              {"cols": 1, "W_rows": [R((0, 1))], "b": ["0"]},
              {"cols": 1, "W_rows": [R((0, 1))], "b": ["1"]}]
    if extra_w:                             # a cone unit in the wide layer, before the wide units
        layers[2]["W_rows"] = [R(extra_w)] + layers[2]["W_rows"]
        layers[2]["b"] = ["0"] + layers[2]["b"]
        layers[3] = {"cols": 3, "W_rows": [R((1, 2), (2, -4))], "b": ["0"]}
    if extra_row:                           # an empty unit in the wide layer, read by the scalar stage
        layers[2]["W_rows"] = layers[2]["W_rows"] + [[]]
        layers[2]["b"] = layers[2]["b"] + ["0"]
        layers[3] = {"cols": 3, "W_rows": [R((0, 2), (1, -4), (2, 1))], "b": ["0"]}
    return {"dataset": {"points": [[0], [10]], "labels": [1, 2]},
            "network": {"format": "exactmem.relunet", "layers": layers},
            "data": {"rho": "1/20", "p": "2", "eta": "1/10"},
            "hints": {"exclude": [[0, "1", beta, "1/8"]], "blocks": [[1, 4, 0, 1]] if blocks else []}}


def _toy_wide_cone():
    """Review's case: two dead cone units in the wide layer copy a step at 105 under the numbers of the real cone's
    outputs; read as the cone, S would be 2 on ball 1 instead of 1."""
    doc = _toy()
    R = lambda *pairs: [[j, str(w)] for j, w in pairs]          # noqa: E731
    doc["network"]["layers"][1:4] = [
        {"cols": 2, "W_rows": [R((0, 8)), R((0, 8)), R((1, 8)), R((1, 8)), R((0, 8)), R((0, 8))],
         "b": ["-920", "-921", "-840", "-841", "-840", "-841"]},
        {"cols": 6, "W_rows": [R((4, 1)), R((5, 1)), R((0, 1), (1, -1), (2, 1), (3, -1)), R((0, 1), (1, -1), (2, 1), (3, -1))],
         "b": ["0", "0", "-3/2", "-2"]},
        {"cols": 4, "W_rows": [R((2, 2), (3, -4))], "b": ["0"]}]
    return doc


@pytest.mark.parametrize("doc", [_toy_wide_cone(),
                                 _toy(first_bias=str(2 ** 23 - 1)),     # s near 2^23: the int64 grid would wrap
                                 _toy(first_bias=str(2 ** 24)),
                                 _toy(extra_w=(4, 1)),                  # the cone unit's number equals an output's
                                 _toy(extra_w=(1, 1)),
                                 _toy(extra_row=True),
                                 _toy(beta=str(10 ** 30)),              # a slab too far out for int64 even at Q = 1
                                 _toy(beta=str(10 ** 30), blocks=False)])
def test_review_cases_are_not_proved_and_do_not_crash(doc):
    """Each network is wrong on every point of ball 1 (exact evaluation below); the kernel must not prove it, with
    the lemma or without, and must answer (not raise) -- stop 36's review found false PROVEDs and crashes here."""
    from exactmem.kernel import engine
    X, labels, layers, *_ = robust.claim(doc)
    assert all(engine.evaluate(layers, [[fmpq(x)]])[0][0] != 2 for x in ("10", "201/20", "199/20"))
    for use in (True, False):
        v, _ = _check(copy.deepcopy(doc), use)
        assert v.status != Status.PROVED


def _sole_reader_in_a_span():
    """Theorem B.5 (d = 4, N = 14) with two equal registers V1 = V2 = sigma(u_0) added at the last layer of block 1,
    carried to the output, which adds V1 - V2 = 0 (the same function), and a quadratic hint on V1: its sole reader
    is a passive carry in the first layer of block 2's span (found by the review of 2026-12-05)."""
    import json

    from exactmem import kernel
    rng = random.Random(1)
    pts = set()
    while len(pts) < 14:
        pts.add(tuple(rng.randint(0, 9) for _ in range(4)))
    ys = [1 + i % 3 for i in range(14)]
    rng.shuffle(ys)
    doc = json.loads(json.dumps(moderate_rho_memorizer(Dataset([list(p) for p in sorted(pts)], ys), "1/20",
                                                       "1/10")[1].to_json()))
    L, a2 = doc["network"]["layers"], doc["hints"]["blocks"][1][0]
    L[a2 - 1]["W_rows"] += [[[0, "1"]], [[0, "1"]]]
    L[a2 - 1]["b"] += ["0", "0"]
    for l in range(a2, len(L)):
        L[l]["cols"] += 2
        n1, n2 = L[l]["cols"] - 2, L[l]["cols"] - 1
        if l < len(L) - 1:
            L[l]["W_rows"] += [[[n1, "1"]], [[n2, "1"]]]
            L[l]["b"] += ["0", "0"]
        else:
            L[l]["W_rows"][0] += [[n1, "1"], [n2, "-1"]]
    doc["hints"]["quadratic"] = [{"layer": a2 - 1, "unit": len(L[a2 - 1]["b"]) - 2, "alpha": "1",
                                  "centre": ["0"] * len(L[0]["b"])}]
    return kernel.sign({k: v for k, v in doc.items() if k != "digest"})


def test_a_sole_reader_in_an_inert_span_is_not_planned(monkeypatch):
    """The hull lemma does not value a sole reader that sits in an inert span (the span's idle rows run its first
    layer without the lemma); and where a plan does skip a register such rows read (the guard of ``quiet``
    removed), the engine's Skipped makes the check run again without the lemma: PROVED either way, as before."""
    from exactmem import kernel
    from exactmem.kernel import sandwich
    doc = _sole_reader_in_a_span()
    assert kernel.check(doc).is_proved
    orig, planned = sandwich.plan, []

    def plan(balls, compiled, *a):
        quiet, compiled.quiet = compiled.quiet, set()
        try:
            planned.append(orig(balls, compiled, *a))
            return planned[-1]
        finally:
            compiled.quiet = quiet
    monkeypatch.setattr(sandwich, "plan", plan)
    assert kernel.check(doc).is_proved
    a2 = doc["hints"]["blocks"][1][0]
    assert a2 in planned[0][1] and a2 - 1 in planned[0][0]          # the reader valued, V skipped: Skipped, then again


def test_a_wide_range_of_cells_is_tabulated_in_parts(monkeypatch):
    """Wine (90 points, decimals, rho = eta = 1/100: a chain of 18 blocks): each cone's table covers many cells
    (2,932 on all 178 points), and Floor's transitions make many pieces per cell.  Derived in parts of CELLS cells with the slabs
    [n, n + gamma) left out, every row of every span is inert (found 2026-12-05: derived in one piece it was a Box
    and no row was, 1,620 rows through the layers); with one part, the same certificate loses them all."""
    datasets = pytest.importorskip("sklearn.datasets")
    from exactmem import kernel
    X, y = datasets.load_wine(return_X_y=True)
    idx = sorted(random.Random(0).sample(range(len(X)), 90))
    labels = {c: k + 1 for k, c in enumerate(sorted({int(y[i]) for i in idx}))}
    D = Dataset([[repr(float(v)) for v in X[i]] for i in idx], [labels[int(y[i])] for i in idx])
    doc = moderate_rho_memorizer(D, "1/100", "1/100")[1].to_json()
    assert len(doc["hints"]["blocks"]) == 18
    got, orig = [], inert.Inert.__init__
    monkeypatch.setattr(inert.Inert, "__init__", lambda self, *a: orig(self, *a) or got.append(self))
    assert kernel.check(doc).is_proved and got[-1].counts == [18 * 90, 0]
    monkeypatch.setattr(inert, "CELLS", 10 ** 6)
    assert kernel.check(doc).is_proved and got[-1].counts == [0, 18 * 90]
