"""Translated cones in the hull lemma (``exactmem/kernel/cones.py``): a hinted sum's components derived once per
class of equal weights.  Checked against the hull derived by the engine (``cones.USE[0] = False``) unit by unit
and ball by ball, on random data sets, on random mutants of the cones' weights, and on a hull the engine splits."""
from __future__ import annotations

import copy
import random

from flint import fmpq
from hypothesis import given, settings
from hypothesis import strategies as st

from exactmem import Dataset, kernel, memorize
from exactmem.constructions.layers import yu_threshold_units
from exactmem.kernel import cones, robust, sandwich
from exactmem.kernel import values as V
from exactmem.kernel.engine import Compiled, State


def _setup(doc):
    """(balls, compiled layers, quadratic hints) as robust.check builds them."""
    X, labels, layers, rho, p, _ = robust.claim(doc)
    _, quad, _ = robust._hints(doc, len(layers[0][0]), [len(r) for r, _ in layers])
    m = len(layers[0][0])
    compiled = Compiled([([[(k, fmpq(1))] for k in range(m)], [fmpq(0)] * m, m)] +
                        [(rows, bias, len(prev[0])) for (rows, bias), prev in zip(layers[1:], layers)])
    return robust.Balls(X, labels, layers, rho, p), compiled, quad


def _with(use, f, *args):
    old = cones.USE[0]
    cones.USE[0] = use
    try:
        return f(*args)
    finally:
        cones.USE[0] = old


def _check(doc):
    return kernel.check(kernel.sign({k: v for k, v in doc.items() if k != "digest"}))


def _cells(doc):
    """{(layer, unit): [value on ball i: a Box or a constant]} of every lemma unit, as the balls get it."""
    balls, compiled, quad = _setup(doc)
    _, lemma = sandwich.plan(balls, compiled, quad, lambda: None, {})
    idx, out = list(range(len(balls.c))), {}
    for l, fns in sorted(lemma.items()):
        for u, fn in fns.items():
            col, cells = fn(State(idx, balls.sources(idx)))
            out[l, u] = [cells.get(i, col.value(i, [])) for i in idx]
    return out


def test_theorem_b14_blocks_share_one_key():
    """Every V unit of Theorem B.14 reads d components, each rooted at its carried input X_k; the N blocks then
    derive one function phi: the blocks differ by their centres only, and the coordinates' cones have the same
    weights (the square's sawtooth on |X_k - c_k| / B)."""
    D = Dataset([[0, 0, 1], [3, 1, 0], [1, 4, 2], [4, 4, 4], [2, 0, 3], [5, 2, 1]], [1, 2, 2, 1, 2, 1])
    _, cert = memorize(D, "1/2")
    balls, compiled, quad = _setup(cert.to_json())
    d, C, k = cert.info["d"], cert.info["C"], cert.info["k"]
    units = sorted(v for v, _ in yu_threshold_units(d, C, k, D.N))
    cs = {key: cones.read(compiled.layers, *key) for key in units}
    for (l, u), c in cs.items():
        assert c is not None and len(c.comps) == d and all(root is not None for root, _, _ in c.comps)
        assert sorted(root for root, _, _ in c.comps) == list(range(d))        # X_k: the first d registers
        assert c.a == l - k - 1                                                 # L1, L2, k - 1 square layers
    H = sandwich.Hull(balls, compiled, lambda: None, (), cs)
    sums = [H.pre(l, u) for l, u in units]
    assert all(isinstance(s, cones.Sum) and s.fast() and len(s.terms) == d for s in sums)
    assert len(H.trans.phi) == 1                                              # one key for 6 blocks x 3 coordinates


@settings(max_examples=20, deadline=None)
@given(st.lists(st.tuples(st.integers(-6, 6), st.integers(-6, 6), st.integers(0, 3)), min_size=2, max_size=6,
                unique_by=lambda t: t[:2]),
       st.sampled_from(["1/2", "2/3", "9/10"]), st.sampled_from(["2", "inf", "1"]))
def test_the_balls_get_the_same_cells(pts, rho, p):
    """On random data sets and norms, every hinted unit gives every ball a cell containing the one the hull derived by
    the engine gives (the hull's deviation is taken on the key's window, a superset; a ball's own ranges are
    exact), and the verdict is the same."""
    labels = [1 + t[2] % 2 for t in pts]
    if len(set(labels)) < 2:
        labels[0] = 3 - labels[0]
    _, cert = memorize(Dataset([list(t[:2]) for t in pts], labels), rho)
    doc = copy.deepcopy(cert.to_json())
    doc["data"]["p"] = p
    _contains(_with(True, _cells, doc), _with(False, _cells, doc))
    assert _with(True, _check, doc).status == _with(False, _check, doc).status


def _contains(wide, narrow):
    assert wide.keys() == narrow.keys()
    for key, vals in narrow.items():
        for a, b in zip(wide[key], vals):
            lo, hi = (b, b) if isinstance(b, fmpq) else b
            assert a == b if isinstance(a, fmpq) else a[0] <= lo and hi <= a[1]


def test_random_mutants_of_the_cones_keep_the_verdict():
    """A weight or bias of one block's cone moved (so its key is new, or its translation is): the verdict and the
    balls left open are those of the engine-derived hull, and of the kernel without the hull lemma."""
    D = Dataset([[0, 0], [3, 1], [1, 4], [4, 4], [-2, 3]], [1, 2, 2, 1, 2])
    _, cert = memorize(D, "1/2")
    base = cert.to_json()
    d, C, k = cert.info["d"], cert.info["C"], cert.info["k"]
    first = sorted(v for v, _ in yu_threshold_units(d, C, k, D.N))
    rng, kinds = random.Random(5), set()
    for trial in range(24):
        doc = copy.deepcopy(base)
        l, _ = rng.choice(first)
        layer = doc["network"]["layers"][rng.randint(l - k - 1, l - 1)]     # a cone layer of that block
        unit = rng.randrange(d + C, len(layer["b"]))
        step = fmpq(rng.choice([-3, -1, 1, 2]), rng.choice([1, 4, 7]))
        if rng.random() < 0.5 and layer["W_rows"][unit]:
            e = rng.randrange(len(layer["W_rows"][unit]))
            new = fmpq(layer["W_rows"][unit][e][1]) + step
            if new == 0:
                continue
            layer["W_rows"][unit][e][1] = str(new)
            kinds.add("weight")
        else:
            layer["b"][unit] = str(fmpq(layer["b"][unit]) + step)
            kinds.add("bias")
        on, off = _with(True, _check, doc), _with(False, _check, doc)
        old = sandwich.USE[0]
        sandwich.USE[0] = False
        try:
            none = _check(doc)
        finally:
            sandwich.USE[0] = old
        assert on.status == off.status, trial
        assert on.details.get("balls") == off.details.get("balls"), trial
        assert not on.is_proved or none.is_proved, trial
    assert kinds == {"weight", "bias"}


def test_roots_not_affine_on_the_hull():
    """With the offset o removed, the carried inputs X = sigma(x) bend at 0 on the hull: no component is
    translated (its root is not affine); each is derived on its own root, and the balls' cells and the verdict
    are the engine-derived hull's."""
    D = Dataset([[-3, 0], [3, 1], [1, 4], [4, 4]], [1, 2, 2, 1])
    _, cert = memorize(D, "1/2")
    doc = copy.deepcopy(cert.to_json())
    doc["network"]["layers"][0]["b"] = ["0"] * len(doc["network"]["layers"][0]["b"])
    balls, compiled, quad = _setup(doc)
    d, C, k = cert.info["d"], cert.info["C"], cert.info["k"]
    units = sorted(v for v, _ in yu_threshold_units(d, C, k, D.N))
    H = sandwich.Hull(balls, compiled, lambda: None, (), {key: cones.read(compiled.layers, *key) for key in units})
    sums = [H.pre(l, u) for l, u in units]
    assert all(isinstance(s, cones.Sum) and not s.fast() for s in sums) and not H.trans.phi
    assert _with(True, _check, doc).status == _with(False, _check, doc).status
    _contains(_with(True, _cells, doc), _with(False, _cells, doc))


def test_a_hull_of_several_rows_is_bounded_row_by_row():
    """Roots kept on several rows (a hull the engine split) give the Box of every row's exact value."""
    D = Dataset([[0, 0], [3, 1], [1, 4], [4, 4]], [1, 2, 2, 1])
    _, cert = memorize(D, "1/2")
    balls, compiled, quad = _setup(cert.to_json())
    d, C, k = cert.info["d"], cert.info["C"], cert.info["k"]
    (l, u), = sorted(v for v, _ in yu_threshold_units(d, C, k, D.N))[:1]
    c = cones.read(compiled.layers, l, u)
    H = sandwich.Hull(balls, compiled, lambda: None, (), {(l, u): c})
    exact = H.pre(l, u).value()
    lo, hi = V.bounds(exact)
    H2 = sandwich.Hull(balls, compiled, lambda: None, (), {(l, u): c})
    H2._to(l)
    for key, (vals, _) in list(H2.got.items()):      # row 1: the root moved by 1 (another part of a split hull)
        H2.got[key] = (vals + [V.combine([(fmpq(1), vals[0])], fmpq(1))], False)
    box = H2.pre(l, u)
    moved = cones.hull_sum(c, compiled.layers, cones.Translates(compiled.layers),
                           {r: H2.got[c.a - 1, r][0][1] for r, _, _ in c.comps}).value()
    assert isinstance(box, V.Box) and box == (min(lo, V.bounds(moved)[0]), max(hi, V.bounds(moved)[1]))


def test_cones_that_are_not_read(monkeypatch):
    """A unit whose walk back meets no layer of carries within MAX_DEPTH, or a component with two roots, has no
    Cone (it stays on the engine's path); one reading carries directly has components without units."""
    one = fmpq(1)
    deep = [([[(0, one)]], [fmpq(0)], 1)] + [([[(0, one)]], [fmpq(1)], 1)] * 5       # x + 5 after five shifts
    c = cones.read(deep, 5, 0)
    assert c.a == 1 and [(root, sorted(units)) for root, units, _ in c.comps] == [(0, [1, 2, 3, 4])]
    monkeypatch.setattr(cones, "MAX_DEPTH", 3)
    assert cones.read(deep, 5, 0) is None
    two = [([[(0, one)], [(1, one)]], [fmpq(0)] * 2, 2),
           ([[(0, one), (1, one)]], [fmpq(-1)], 2),              # one unit reads both roots
           ([[(0, 2 * one)]], [fmpq(0)], 1)]
    assert cones.read(two, 2, 0) is None
    flat = [([[(0, one)], [(1, one)]], [fmpq(0)] * 2, 2), ([[(0, one), (1, -one)]], [fmpq(0)], 2)]
    c = cones.read(flat, 1, 0)
    assert c.a == 1 and sorted((root, units) for root, units, _ in c.comps) == [(0, {}), (1, {})]
