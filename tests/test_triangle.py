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
