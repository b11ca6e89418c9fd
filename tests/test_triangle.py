"""``analysis.triangle``: minimisers of the triangle relaxation, the attack's starts where random starts sit on a
plateau (issue 21: mnistfc property 0 at 0.05).

Oracles: where every unit is stable on the box the relaxation is the network, so the LP point must attain the
exact minimum of an affine function over a box (the corner chosen coordinate by coordinate, by hand); the
relaxation's optimum is a lower bound of the network over the box (checked against exhaustive sampling on a
grid); the "needle" network below fails its goal only on a corner of volume 4^20 / 20!^-1-small, by hand.
"""
import random

import numpy as np
from flint import fmpq
from hypothesis import given, settings, strategies as st

from exactmem import ReLUNet
from exactmem.analysis import bab, cover, triangle
from exactmem.kernel import bounds as kbounds
from exactmem.kernel.regions import Set


def _float_net(net, d):
    return bab.FloatNet(net.sparse_layers(), d)


def _run(fn, x):
    h = x
    for k in range(fn.L):
        h = fn.W[k] @ h + fn.b[k]
        if k < fn.L - 1:
            h = np.maximum(h, 0)
    return h


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 10 ** 6))
def test_on_a_box_where_every_unit_is_stable_the_point_is_the_exact_minimiser(seed):
    """Positive biases larger than the weights' reach keep every first-layer unit on over [-1, 1]^3, so the
    network is affine there; the LP point must give the affine minimum, sum -|c_j| + const (by hand)."""
    rng = random.Random(seed)
    W1 = [[rng.randint(-3, 3) for _ in range(3)] for _ in range(4)]
    b1 = [10 + rng.randint(0, 5) for _ in range(4)]                  # |W1 x| <= 9 < 10: always on
    W2 = [[rng.randint(-3, 3) for _ in range(4)]]
    b2 = rng.randint(-5, 5)
    net = ReLUNet([(W1, b1), (W2, [b2])])
    fn = _float_net(net, 3)
    lo, hi = -np.ones(3), np.ones(3)
    ((x, _),) = triangle.minimisers(fn, lo, hi, {}, [(np.array([[1.0]]), np.array([0.0]))])
    c = np.array(W2[0], float) @ np.array(W1, float)                  # the affine map's input coefficients
    const = float(np.array(W2[0]) @ np.array(b1) + b2)
    assert np.all(x >= lo - 1e-9) and np.all(x <= hi + 1e-9)
    assert abs(_run(fn, x)[0] - (const - np.abs(c).sum())) < 1e-7


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 10 ** 6))
def test_the_relaxed_minimum_is_a_lower_bound_and_its_point_lies_in_the_box(seed):
    """The LP minimises over a superset of the network's graph, so its value can only be at or below the true
    minimum of the clause's largest atom: checked against a 161 x 161 grid of [-1, 1]^2 (the grid's minimum is
    at or above the true one), on random 2-6-2 networks, a one-atom and a two-atom clause."""
    rng = random.Random(seed)
    net = ReLUNet([([[rng.randint(-4, 4) for _ in range(2)] for _ in range(6)], [rng.randint(-3, 3) for _ in range(6)]),
                   ([[rng.randint(-4, 4) for _ in range(6)] for _ in range(2)], [rng.randint(-3, 3) for _ in range(2)])])
    fn = _float_net(net, 2)
    lo, hi = -np.ones(2), np.ones(2)
    rows = [(np.array([[1.0, 0.0]]), np.array([0.0])),
            (np.array([[0.0, 1.0], [1.0, -1.0], [0.5, -0.5]]), np.array([1.0, 0.0, 0.5]))]
    grid = np.array([[a, b] for a in np.linspace(-1, 1, 161) for b in np.linspace(-1, 1, 161)])
    outs = np.array([_run(fn, g) for g in grid])
    for (G, h), p in zip(rows, triangle.minimisers(fn, lo, hi, {}, rows)):
        assert p is not None
        x, value = p
        assert np.all(x >= lo) and np.all(x <= hi)
        atoms = len(G) if len(G) == 1 else len(G) - 1
        worst = np.max(outs @ G[:atoms].T + h[:atoms], axis=1)          # the clause's largest atom per grid point
        assert value <= worst.min() + 1e-7 * (1 + abs(worst.min()))


def test_a_split_unit_keeps_its_sign_in_the_relaxation():
    """|x| on [-1, 2] with the unit relu(x) split off (<= 0): the leaf is x <= 0, where |x| = -x is smallest at 0;
    split on (>= 0) the leaf is x >= 0, again 0 -- but the objective -|x| is smallest at -1 and 2 respectively
    (by hand), which is what the LP must return on each side."""
    net = ReLUNet([([[1], [-1]], [0, 0]), ([[1, 1]], [0])])
    fn = _float_net(net, 1)
    lo, hi, minus = np.array([-1.0]), np.array([2.0]), [(np.array([[-1.0]]), np.array([0.0]))]
    ((left, _),) = triangle.minimisers(fn, lo, hi, {0: {0: -1}}, minus)
    ((right, _),) = triangle.minimisers(fn, lo, hi, {0: {0: 1}}, minus)
    assert abs(left[0] + 1) < 1e-9 and abs(right[0] - 2) < 1e-9


def _needle(d=20):
    """y = 1 - 4 relu(sum x - (d - 1/2)) on [0, 1]^d: the goal y > 0 fails only where sum x >= d - 1/4, a corner
    simplex of volume (1/4)^d / d! (by hand); every random start has the unit off and a zero gradient."""
    return ReLUNet([([[1] * d], [-(fmpq(2 * d - 1, 2))]), ([[-4]], [1])])


def test_the_needle_is_found_only_from_the_relaxations_point():
    d = 20
    net = _needle(d)
    S = Set([fmpq(1, 2)] * d, "box", [fmpq(1, 2)] * d, False)
    goal = [[([fmpq(1)], fmpq(0), True)]]
    layers = net.sparse_layers()
    assert cover.falsify(layers, S, goal, samples=4096, steps=60, seed=1) is None
    assert cover.attack(layers, S, goal, starts=64, steps=40, seed=0) is None
    starts = bab._lp_starts(layers, d, S, goal)
    assert len(starts) == 1 and np.allclose(starts[0][0], 1.0)          # the LP's optimum: the corner, by hand
    x = cover.attack(layers, S, goal, starts=64, steps=40, seed=0, init=starts)
    assert x is not None and all(0 <= t <= 1 for t in x) and net(x)[0] <= 0


def test_bab_decide_refutes_the_needle_with_an_exact_point():
    from exactmem.analysis.ask import _atom, _doc, box
    d = 20
    net = _needle(d)
    doc = _doc(net, "needle", [{"set": box([0] * d, [1] * d).spec, "goal": [[_atom([1], 0, True)]]}])
    v, _ = bab.decide(doc, budget=30)
    assert v is not None and v.is_refuted
    x = [fmpq(t) for t in v.witness["x"]]
    assert all(0 <= t <= 1 for t in x) and net(x)[0] <= 0


def test_weights_beyond_floats_leave_the_lps_out_and_the_answer_exact(tmp_path, capsys):
    """Two hidden layers of weight 10^160 make the float network's products overflow (inf/nan, which HiGHS
    refuses): the relaxation's LPs and the stable-leaf LP must step aside, not raise, and ``exactmem vnnlib``
    still answers unsat exactly (by hand: f = 10^320 (relu(x_0) + relu(-x_0 - 1/2) + 1/4) > 0 on [-1, 1]^20)."""
    from exactmem.cli import main
    d, k = 20, fmpq(10) ** 160
    net = ReLUNet([([[1] + [0] * (d - 1), [-1] + [0] * (d - 1)], [0, fmpq(-1, 2)]), ([[k, 0], [0, k]], [0, 0]),
                   ([[k, 0], [0, k]], [0, 0]), ([[1, 1]], [fmpq(1, 4) * k ** 2])])
    net.save(tmp_path / "big.json")
    lines = [f"(declare-const X_{i} Real)" for i in range(d)] + ["(declare-const Y_0 Real)"]
    lines += [f"(assert (>= X_{i} -1))\n(assert (<= X_{i} 1))" for i in range(d)] + ["(assert (<= Y_0 0))"]
    (tmp_path / "big.vnnlib").write_text("\n".join(lines) + "\n")
    S = Set([fmpq(0)] * d, "box", [fmpq(1)] * d, False)
    with np.errstate(all="ignore"):                              # the float finder's overflows are expected here
        assert bab._lp_starts(net.sparse_layers(), d, S, [[([fmpq(1)], fmpq(0), True)]]) == []
        assert main(["vnnlib", str(tmp_path / "big.json"), str(tmp_path / "big.vnnlib"), "--budget", "60"]) == 0
    assert capsys.readouterr().out.startswith("unsat")


def _two_layer(rng, d=3, n=5):
    return ReLUNet([([[fmpq(rng.randint(-6, 6), rng.randint(1, 3)) for _ in range(d)] for _ in range(n)],
                     [fmpq(rng.randint(-4, 4), 2) for _ in range(n)]),
                    ([[fmpq(rng.randint(-6, 6), rng.randint(1, 3)) for _ in range(n)] for _ in range(n)],
                     [fmpq(rng.randint(-4, 4), 2) for _ in range(n)]),
                    ([[rng.randint(-3, 3) for _ in range(n)]], [rng.randint(-3, 3)])])


def _random_splits(rng, ls, count):
    un = [(k, int(j)) for k, (l, u) in enumerate(ls) for j in np.flatnonzero((l < 0) & (u > 0))]
    splits = {}
    for k, j in rng.sample(un, min(count, len(un))):
        splits.setdefault(k, {})[j] = rng.choice((-1, 1))
    return splits


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 10 ** 6))
def test_lp_hints_give_the_relaxations_minimum_as_the_kernels_bound(seed):
    _lp_case(seed)


def _random_case(seed):
    """(rng, fn, lo, hi, g, h, root bounds): a random 3-5-5-1 network on [-1, 1]^3 and the goal f + h."""
    rng = random.Random(seed)
    fn = _float_net(_two_layer(rng), 3)
    lo, hi = -np.ones(3), np.ones(3)
    g, h = np.array([1.0]), float(rng.randint(-3, 3))
    return rng, fn, lo, hi, g, h, bab.bounds(fn, lo, hi, {})


def _lp_case(seed):
    """On random 3-5-5-1 networks over [-1, 1]^3 with up to two random splits: the value of ``hints`` is the
    minimum of the triangle relaxation, which ``minimisers`` computes by another LP (stable units substituted,
    no z variables, a max-atom objective; it drops the sign row of a split unit whose bounds pin it to 0, so
    there it may only be lower); the slopes and multipliers read off its dual, put through the
    kernel's own back-substitution (mirrored in floats by ``bab._alpha_grad``), never give more (weak duality),
    and give that same value where the dual read off is optimal (returned: True; counted below); and the
    one-model ``LeafLP``, started from the root's basis, agrees with the fresh LP."""
    rng, fn, lo, hi, g, h, root = _random_case(seed)
    lp = triangle.LeafLP(fn, lo, hi, g, h)
    first = lp.solve(lo, hi, root[0], {})
    splits = _random_splits(rng, root[0], rng.randint(0, 2))
    out = bab.bounds(fn, lo, hi, splits)
    if out is None:
        return
    ls, relax = out
    value, alphas, betas, _ = triangle.hints(fn, lo, hi, splits, ls, g, h)
    other = triangle.minimisers(fn, lo, hi, splits, [(g[None, :], np.array([h]))])
    scale = 1 + abs(value)
    pinned = any(np.any((l == 0) & (u == 0)) for l, u in ls)  # a split clamped to z = 0: ``minimisers`` drops
    if other and other[0] is not None:                       # its sign row (a weaker relaxation), ``hints`` keeps it
        assert other[0][1] <= value + 1e-7 * scale
        assert pinned or abs(other[0][1] - value) < 1e-7 * scale     # else the two LPs agree
    signs = bab._signs(splits, [5, 5])
    bound = bab._alpha_grad(fn, g, h, relax, alphas, lo, hi, betas, signs)[0]
    assert bound <= value + 1e-7 * scale          # weak duality: no back-substituted bound exceeds the LP's minimum
    assert all(np.all((a == -1) | ((a >= 0) & (a <= 1))) for a in alphas)
    again = lp.solve(lo, hi, ls, splits, first[4])
    assert again is not None and abs(again[0] - value) < 1e-7 * scale
    return abs(bound - value) < 1e-7 * scale      # strong duality through the read-off slopes (see below)


def test_the_read_off_slopes_reach_the_lp_minimum_on_almost_every_leaf():
    """Seeds 0..199 of the test above: the slopes and multipliers read off the LP's dual give its minimum on 199
    (measured 2026-12-04, with and without that day's kernel change; seed 81, with no split, falls 1.14 short of
    -58, and hypothesis found seed 4381 too: the read-off slopes are then not an optimal dual -- the finder proves
    less than it could there, never more); at least 190 must."""
    assert sum(bool(_lp_case(s)) for s in range(200)) >= 190


def test_lp_hints_prove_in_the_kernel_exactly_what_the_relaxation_gives():
    """f = relu(x_0) + relu(-x_0 - 1/2) + 1/4 on [-1, 1]^20: the triangle relaxation's minimum is 1/4 (both units
    off for x_0 in [-1/2, 0], by hand), but CROWN's default slopes (1 for the first unit, u >= -l; 0 for the
    second) give x_0 + 1/4 >= -3/4.  ``bab.search`` must close the root in one leaf with the LP's slopes, the
    kernel must prove the tree, and without the slopes it must not."""
    from exactmem import kernel
    from exactmem.analysis.ask import _atom, _doc, box
    d = 20
    net = ReLUNet([([[1] + [0] * (d - 1), [-1] + [0] * (d - 1)], [0, fmpq(-1, 2)]), ([[1, 1]], [fmpq(1, 4)])])
    S = Set([fmpq(0)] * d, "box", [fmpq(1)] * d, False)
    goal = [[([fmpq(1)], fmpq(0), True)]]
    out = bab.search(net.sparse_layers(), d, S, goal)
    assert out[0] == "proved" and len(out[1]) == 1 and "alpha" in out[1][0]
    doc = _doc(net, "f > 0", [{"set": box([-1] * d, [1] * d).spec, "goal": [[_atom([1], 0, True)]]}])

    def check(tree):
        return kernel.check(kernel.sign({**doc, "kind": "linear-bounds", "hints": {"trees": [tree]}}))
    assert check(out[1]).is_proved
    assert not check([{}]).is_proved


def test_an_empty_leaf_is_closed_by_the_elastic_multipliers():
    """z_0 = x and z_1 = x - 1/2 on [-1, 1], split z_0 <= 0 and z_1 >= 0: no x meets both (by hand), but the
    clamped bounds [-1, 0] and [0, 1/2] do not show it.  The goal -relu(z_1) - 10 > 0 is false wherever the leaf
    had points; ``hints`` must price the violated signs (a large positive value), and the kernel must prove
    the leaf with those multipliers and not without them."""
    from exactmem import kernel
    from exactmem.analysis.ask import _atom, _doc, box
    net = ReLUNet([([[1], [1]], [0, fmpq(-1, 2)]), ([[0, -1]], [-10])])
    fn = _float_net(net, 1)
    lo, hi, splits = np.array([-1.0]), np.array([1.0]), {0: {0: -1, 1: 1}}
    ls, _ = bab.bounds(fn, lo, hi, splits)
    value, alphas, betas, _ = triangle.hints(fn, lo, hi, splits, ls, np.array([1.0]), 0.0)
    assert value > 100 and betas[0][0] > 0 and betas[0][1] > 0
    leaf = {"beta": [[0, j, str(fmpq(int(round(betas[0][j] * 2 ** 20)), 2 ** 20))] for j in (0, 1)]}
    doc = _doc(net, "empty", [{"set": box([-1], [1]).spec, "goal": [[_atom([1], 0, True)]]}])
    d, layers, ((S1, goal),) = kernel.regions.questions(doc)
    knet = kbounds.Net(d, layers)
    lo_q, hi_q = kbounds.box_of(S1, "set")

    def why(node):                                  # None: the kernel proves the leaf
        return kbounds.prove_leaf(knet, lo_q, hi_q, goal, splits, [], node, 32, "leaf")
    assert why(leaf) is None
    assert why({}) is not None


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 10 ** 6))
def test_a_childs_fsb_score_from_its_parents_slopes_is_a_bound_below_its_own_lp(seed):
    """FSB's child score (``bab._child_score``) uses the parent's LP slopes and multipliers on the child's bounds:
    any slopes in [0, 1] and multipliers >= 0 give a lower bound of the relaxation, so the score can never exceed
    the child's own LP optimum (``hints``, weak duality).  The child's bounds of a unit split on the last hidden
    layer are the parent's with that unit clamped (``bab._child_bounds``), which must be what ``bounds`` computes
    for the child from scratch."""
    rng = random.Random(seed)
    net = _two_layer(rng)
    fn = _float_net(net, 3)
    lo, hi = -np.ones(3), np.ones(3)
    c = rng.randint(-3, 3)
    g, h = np.array([1.0]), float(c)
    S = Set([fmpq(0)] * 3, "box", [fmpq(1)] * 3, False)
    ctx = bab.Context(net.sparse_layers(), 3, S, [[([fmpq(1)], fmpq(c), True)]])
    ls, relax = bab.bounds(fn, lo, hi, {})
    _, alphas, betas, _ = triangle.hints(fn, lo, hi, {}, ls, g, h)
    leaf = ctx.root()
    un = [(k, int(j)) for k, (l, u) in enumerate(ls) for j in np.flatnonzero((l < 0) & (u > 0))]
    for k, j in un:
        for sg in (-1, 1):
            child = bab._child_bounds(fn, leaf, ls, k, j, sg)
            fresh = bab.bounds(fn, lo, hi, {k: {j: sg}})
            if child == "empty":
                assert fresh is None
                continue
            if k == 1:
                assert all(np.array_equal(a, b) for (a, _), (b, _) in zip(child[0], fresh[0]))
                assert all(np.array_equal(a, b) for (_, a), (_, b) in zip(child[0], fresh[0]))
            score = bab._child_score(fn, leaf, ctx, child, (alphas, betas), k, j, sg)
            best = triangle.hints(fn, lo, hi, {k: {j: sg}}, child[0], g, h)[0]
            assert score <= best + 1e-9 * (1 + abs(best))


def test_a_cold_start_does_not_depend_on_the_leaves_solved_before():
    """``LeafLP.solve`` without a basis gives, bit for bit, what a model that solved nothing before gives: a
    work-queue's worker solves other leaves before an item than the serial executor does, and the tree it
    makes must be the same bytes (mnistfc property 1, clause 0, on a pool of 2: it was not, until a cold start
    rebuilt the model; before, some slopes differed, a degenerate LP having several optimal duals).  Here: on
    random 3-5-5-1 networks, each leaf solved cold after all the others have been solved on the same model,
    against a fresh model."""
    for seed in range(40):
        rng, fn, lo, hi, g, h, root = _random_case(seed)
        leaves = [{}] + [_random_splits(rng, root[0], rng.randint(1, 3)) for _ in range(6)]
        leaves = [(sp, bab.bounds(fn, lo, hi, sp)) for sp in leaves]
        leaves = [(sp, out[0]) for sp, out in leaves if out is not None and out != "empty"]
        used = triangle.LeafLP(fn, lo, hi, g, h)
        for sp, ls in leaves:
            used.solve(lo, hi, ls, sp)
        for sp, ls in reversed(leaves):
            a = used.solve(lo, hi, ls, sp)
            b = triangle.LeafLP(fn, lo, hi, g, h).solve(lo, hi, ls, sp)
            assert (a is None) == (b is None)
            if a is not None:
                assert a[0] == b[0] and all(np.array_equal(x, y) for x, y in zip(a[1] + a[2], b[1] + b[2]))
                assert np.array_equal(a[3], b[3])
