"""The ``linear-bounds`` hint ``tighten`` (kernel.bounds.tighten) and its finder (analysis.tighten).

Oracles: the worked example is derived by hand (below); z3 gives the exact range of a hidden unit over the box,
which every tightened bound must contain, and decides random goals, which no ``tighten`` hint may prove when
they are false.
"""
import json
import random

import numpy as np
import pytest
from flint import fmpq
from hypothesis import HealthCheck, given, settings, strategies as st

from exactmem import ReLUNet, kernel
from exactmem.analysis import bab, tighten
from exactmem.errors import CertificateError
from exactmem.kernel import bounds

z3 = pytest.importorskip("z3")
from test_linear_bounds import _doc  # noqa: E402
from z3_oracle import outputs, q  # noqa: E402

# By hand: on [-1, 1]^2 the unit v = -(relu(x+y) + relu(x-y) - relu(x)) - 3/5 is <= -3/5 (relu(x+y) + relu(x-y)
# >= relu(2x) >= relu(x)); interval arithmetic gives v <= 1 - 3/5 = 2/5 and CROWN's default slopes (1 on the
# two unstable units x +- y, whose u = -l) no better.  The triangle LP bounds relu(x+y) + relu(x-y) - relu(x) by
# -1/2 (at x = y = 0, relu(x) <= (x + 1)/2 reaches 1/2), so v <= -1/10: v is stable, off, and f = -relu(v) = 0.
# The slopes 1/4 on x +- y reach it: (x+y)/4 + (x-y)/4 - (x+1)/2 = -1/2.  The goal f + 1/20 > 0 holds.
NET = ReLUNet([([[1, 1], [1, -1], [1, 0]], [0, 0, 0]), ([[-1, -1, 1]], ["-3/5"]), ([[-1]], [0])])
LO, HI = [fmpq(-1), fmpq(-1)], [fmpq(1), fmpq(1)]
GOAL = [[([fmpq(1)], fmpq(1, 20), True)]]


def test_the_worked_example_is_proved_only_with_the_lp_slopes():
    v = kernel.check(_doc(NET, LO, HI, GOAL, [[{}]]))
    assert v.is_undecided and "does not prove" in v.reason
    by_hand = [[1, 0, -1, [[0, 0, "1/4"], [0, 1, "1/4"]]]]
    assert kernel.check(_doc(NET, LO, HI, GOAL, [[{}]], tighten=[by_hand])).is_proved
    default = [[1, 0, -1, [[0, 0, "1"], [0, 1, "1"]]]]          # CROWN's own slopes: nothing gained
    assert kernel.check(_doc(NET, LO, HI, GOAL, [[{}]], tighten=[default])).is_undecided
    lower = [[1, 0, 1, [[0, 0, "1/4"], [0, 1, "1/4"]]]]         # a bound from below does not help here
    assert kernel.check(_doc(NET, LO, HI, GOAL, [[{}]], tighten=[lower])).is_undecided
    # the exact bound: v <= -1/10, rounded outward at 32 bits
    N = bounds.Net(2, NET.sparse_layers())
    TL, TU, den, has_l, has_u = bounds.tighten(N, LO, HI, by_hand, 32, "t")[1]
    assert not has_l[0] and has_u[0] and fmpq(-1, 10) <= fmpq(int(TU[0]), int(den)) < fmpq(-1, 10) + fmpq(1, 10 ** 6)


def test_the_finder_names_those_slopes_and_decide_proves_the_goal(monkeypatch):
    fn = bab.FloatNet(NET.sparse_layers(), 2)
    entries, tight = tighten.of(fn, np.array([-1.0, -1.0]), np.array([1.0, 1.0]))
    assert [e[:3] for e in entries] == [[1, 0, -1]]
    assert sorted(entries[0][3]) == [[0, 0, "1/4"], [0, 1, "1/4"]]
    assert abs(tight[1][1][0] + 0.1) < 1e-9 and tight[1][0][0] == -np.inf
    monkeypatch.setattr(bab, "CUT_INPUTS", 1)                    # two inputs count as many: units are split
    S = kernel.regions.Set([fmpq(0), fmpq(0)], "box", [fmpq(1), fmpq(1)], False)
    out = bab.search(NET.sparse_layers(), 2, S, GOAL)
    assert out[0] == "proved" and out[2] == 1                   # one leaf: the root, with the tightened bound
    layers = NET.sparse_layers()
    hints = bab.hints_of([out[1]], layers, 2, [(S, GOAL)])
    assert hints["tighten"] == [entries]
    assert kernel.check(_doc(NET, LO, HI, GOAL, hints["trees"], tighten=hints["tighten"])).is_proved


@pytest.mark.parametrize("entry, why", [
    ([0, 0, 1, []], "layer"), ([2, 0, 1, []], "layer"), ([1, 3, 1, []], "unit"), ([1, 0, 2, []], "1 or -1"),
    ([1, 0, True, []], "1 or -1"), ([1, 0, 1], "1 or -1"), ([1, 0, 1, [[1, 0, "1"]]], "below"),
    ([1, 0, 1, [[0, 0, "2"]]], "in \\[0, 1\\]"), ([1, 0, 1, [[0, 0, "-1/3"]]], "in \\[0, 1\\]"),
    ([1, 0, 1, [[0, 7, "1"]]], "unit"), ([1, 0, 1, "x"], "alpha"), ("x", "1 or -1")])
def test_malformed_entries_are_refused_with_their_place(entry, why):
    with pytest.raises(CertificateError, match=why):
        kernel.check(_doc(NET, LO, HI, GOAL, [[{}]], tighten=[[entry]]))
    for bad in ([[], []], [0], [{}], [""]):                         # (a falsy non-list was taken as no hint)
        with pytest.raises(CertificateError, match="one list per question"):
            kernel.check(_doc(NET, LO, HI, GOAL, [[{}]], tighten=bad))


def _random(seed):
    rng = random.Random(seed)
    d = rng.randint(1, 3)
    dims = [d] + [rng.randint(1, 4) for _ in range(rng.randint(2, 3))] + [rng.randint(1, 2)]
    layers = [([[fmpq(rng.randint(-9, 9), rng.randint(1, 4)) for _ in range(a)] for _ in range(b)],
               [fmpq(rng.randint(-9, 9), rng.randint(1, 4)) for _ in range(b)]) for a, b in zip(dims, dims[1:])]
    net = ReLUNet(layers)
    lo = [fmpq(rng.randint(-6, 2), rng.randint(1, 3)) for _ in range(d)]
    hi = [a + fmpq(rng.randint(0, 6), rng.randint(1, 3)) for a in lo]
    return rng, net, lo, hi


def _entries(rng, widths, many):
    slopes = ["0", "1", "1/3", "1/4", f"1/{10 ** 300}", f"{10 ** 300 - 1}/{10 ** 300}"]
    out = []
    for _ in range(many):
        k = rng.randrange(1, len(widths))
        alpha = [[l, rng.randrange(widths[l]), rng.choice(slopes)] for l in range(k) for _ in range(rng.randint(0, 2))]
        out.append([k, rng.randrange(widths[k]), rng.choice([1, -1]), alpha])
    return out


def _pre(net, x):
    """z3 terms of every hidden pre-activation at the input terms x."""
    zs, a = [], x
    for W, b in net.layers[:-1]:
        z = [z3.Sum([q(w) * v for w, v in zip(row, a)]) + q(c) for row, c in zip(W.tolist(), b.entries())]
        zs.append(z)
        a = [z3.If(t > 0, t, 0) for t in z]
    return zs


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 10 ** 9))
def test_every_tightened_bound_holds_over_the_whole_box(seed):
    """Random networks of 2-3 hidden layers, random entries with slopes at the ends of [0, 1]: each bound the
    kernel derives lies below (above) the exact minimum (maximum) of its unit over the box (z3)."""
    rng, net, lo, hi = _random(seed)
    N = bounds.Net(net.input_dim, net.sparse_layers())
    tight = bounds.tighten(N, lo, hi, _entries(rng, net.widths, 6), rng.choice([8, 32]), "t")
    x = [z3.Real(f"x{i}") for i in range(net.input_dim)]
    zs = _pre(net, x)
    for k, (TL, TU, den, has_l, has_u) in tight.items():
        for j in range(net.widths[k]):
            for has, T, bad in ((has_l[j], TL[j], lambda z, t: z < t), (has_u[j], TU[j], lambda z, t: z > t)):
                if not has:
                    continue
                s = z3.Solver()
                s.add(*[z3.And(q(a) <= v, v <= q(b)) for v, a, b in zip(x, lo, hi)])
                s.add(bad(zs[k][j], q(fmpq(int(T), int(den)))))
                assert s.check() == z3.unsat


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 10 ** 9))
def test_no_tighten_hint_proves_a_false_goal(seed):
    """Goals z3 refutes on random networks are never PROVED, whatever entries (and a split at the root)."""
    rng, net, lo, hi = _random(seed)
    m = net.output_dim
    goal = [[([fmpq(rng.randint(-3, 3)) for _ in range(m)], fmpq(rng.randint(-20, 20), 2), rng.random() < 0.5)]]
    x = [z3.Real(f"x{i}") for i in range(net.input_dim)]
    s = z3.Solver()
    s.add(*[z3.And(q(a) <= v, v <= q(b)) for v, a, b in zip(x, lo, hi)])
    y = outputs(net, x)
    (g, h, strict), = goal[0]
    val = z3.Sum([q(c) * o for c, o in zip(g, y)]) + q(h)
    s.add(val <= 0 if strict else val < 0)
    if s.check() == z3.unsat:
        return
    tree = [{}] if rng.random() < 0.5 else [{"split": [rng.randrange(len(net.widths)), 0]}, {}, {}]
    assert not kernel.check(_doc(net, lo, hi, goal, [tree], tighten=[_entries(rng, net.widths, 8)])).is_proved


# By hand, a node's bounds: on [-1, 1], z0 = x, z1 = x + 1/2, v = relu(z1) - 3/4, p = relu(z0), f = -relu(v) + 2 relu(p),
# goal f + 1/10 > 0.  On the leaf z0 <= 0, p = 0 and f = -relu(v); the box alone gives v <= 3/4 x (the chord of relu
# over z1 in [-1/2, 3/2]), so f >= -3/8 x - 3/8 >= -3/4 and the bound is -0.65.  With the split's multiplier
# beta = 3/4 on -z0 >= 0: -v + beta z0 >= -3/4 (x + 1) + 3/4 + 3/4 x = 0, so v <= 0 on the leaf, off, and f = 0.
NODE_NET = ReLUNet([([[1], [1]], [0, "1/2"]), ([[0, 1], [1, 0]], ["-3/4", 0]), ([[-1, 2]], [0])])
ONE_D = ([fmpq(-1)], [fmpq(1)])
T = [[1, 0, -1, [], [[0, 0, "3/4"]]]]


def test_a_nodes_bounds_take_its_paths_splits_and_hold_on_its_whole_subtree():
    check = lambda tree: kernel.check(_doc(NODE_NET, *ONE_D, [[([fmpq(1)], fmpq(1, 10), True)]], [tree]))
    v = check([{"split": [0, 0]}, {}, {}])
    assert v.is_undecided and "leaf 1" in v.reason and "-0.65" in v.reason
    v = check([{"split": [0, 0]}, {"tighten": T}, {}])                  # leaf 1 proved; leaf 2 (x >= 0) is not
    assert v.is_undecided and "leaf 2" in v.reason
    v = check([{"split": [0, 0]}, {"split": [1, 1], "tighten": T}, {}, {}, {}])    # both leaves below inherit it
    assert v.is_undecided and "leaf 3" in v.reason
    for weak in ([[1, 0, -1, []]], [[1, 0, -1, [], [[0, 0, "1/2"]]]]):          # beta 0 or 1/2: v <= 1/4 at best
        v = check([{"split": [0, 0]}, {"tighten": weak}, {}])
        assert v.is_undecided and "leaf 1" in v.reason
    with pytest.raises(CertificateError, match="multipliers"):              # a node's own split is not on its path
        check([{"split": [0, 0], "tighten": T}, {}, {}])
    with pytest.raises(CertificateError, match="multipliers"):
        check([{"split": [0, 0]}, {"tighten": [[1, 0, -1, [], [[0, 0, "-1"]]]]}, {}])


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 10 ** 9))
def test_a_nodes_bounds_hold_on_its_region(seed):
    """Random networks, a random path of 1-3 splits and random entries with slopes and multipliers (10^-300 to
    10^300) of the path's splits: each bound the kernel derives holds at every point of the box where the
    path's splits hold (z3), or the kernel finds the region empty and z3 agrees."""
    rng, net, lo, hi = _random(seed)
    free = [(l, j) for l in range(len(net.widths) - 1) for j in range(net.widths[l])]
    path = rng.sample(free, min(len(free), rng.randint(1, 3)))
    splits = {}
    for l, j in path:
        splits.setdefault(l, {})[j] = rng.choice([1, -1])
    entries = _entries(rng, net.widths, 6)
    for e in entries:
        e.append([[l, j, rng.choice(["0", "1/3", "2", str(10 ** 300), f"1/{10 ** 300}"])] for l, j in path
                  if l < e[0] and rng.random() < 0.7])
    N = bounds.Net(net.input_dim, net.sparse_layers())
    tight = bounds.tighten(N, lo, hi, entries, 32, "t", splits)
    x = [z3.Real(f"x{i}") for i in range(net.input_dim)]
    zs = _pre(net, x)
    region = [z3.And(q(a) <= v, v <= q(b)) for v, a, b in zip(x, lo, hi)]
    region += [zs[l][j] >= 0 if s > 0 else zs[l][j] <= 0 for l, g in splits.items() for j, s in g.items()]
    if not tight and entries:
        s = z3.Solver()
        s.add(*region)
        assert s.check() == z3.unsat or not any(e[0] for e in entries)
    for k, (TL, TU, den, has_l, has_u) in tight.items():
        for j in range(net.widths[k]):
            for has, T_, bad in ((has_l[j], TL[j], lambda z, t: z < t), (has_u[j], TU[j], lambda z, t: z > t)):
                if has:
                    s = z3.Solver()
                    s.add(*region, bad(zs[k][j], q(fmpq(int(T_), int(den)))))
                    assert s.check() == z3.unsat


def test_the_finder_tightens_nodes_and_the_queue_carries_their_bounds(monkeypatch):
    """With ``NODE_TIGHTEN`` = 1 the finder gives open leaves bounds of their own, which their children inherit
    (sent to workers with each leaf); the kernel proves the tree, and the work-queue finds the same tree on one
    process and on two (each item starts its LPs from the model as built, so not the serial search's tree)."""
    import sys
    sys.path.insert(0, str(__import__("pathlib").Path(__file__).parent))
    from test_bab_queue import _wide
    from exactmem import parallel
    from exactmem.analysis import bab_queue
    monkeypatch.setattr(bab, "NODE_TIGHTEN", [1])
    monkeypatch.setattr(bab, "NODE_UNITS", [8])
    doc = _wide(3)
    d, layers, qs = kernel.regions.questions(doc)
    out = bab.search(layers, d, *qs[0])
    assert out[0] == "proved" and any("tighten" in n for n in out[1])
    assert any(len(e) == 5 for n in out[1] for e in n.get("tighten", []))          # multipliers of a path's splits
    cert = kernel.sign({**doc, "kind": "linear-bounds", "hints": bab.hints_of([out[1]], layers, d, qs)})
    assert kernel.check(cert).is_proved
    queued = bab_queue.search(doc, 0, parallel.Serial(), batch=4, per_item=1, steps=2)
    assert queued[0] == "proved" and any("tight" in n for n in json.dumps(queued[1]).split('"')[1::2])
    with parallel.Pool(2) as pool:                                        # the same bytes on other processes
        assert json.dumps(bab_queue.search(doc, 0, pool, batch=4, per_item=1, steps=2)) == json.dumps(queued)
    cert = kernel.sign({**doc, "kind": "linear-bounds", "hints": bab.hints_of([queued[1]], layers, d, qs)})
    assert kernel.check(cert).is_proved
