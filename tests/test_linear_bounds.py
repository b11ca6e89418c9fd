"""The kernel kind ``linear-bounds`` (issue 21) and its finder ``analysis.bab``.

Oracles: z3 (exact real arithmetic) decides each random question independently; a false statement must never
be PROVED whatever hints a certificate carries; a slow exact-rational reference of the same
back-substitution bounds the fixed-point kernel from above.
"""
import random

import numpy as np
import pytest
from flint import fmpq
from hypothesis import HealthCheck, given, settings, strategies as st

from exactmem import ReLUNet, kernel
from exactmem.analysis import bab
from exactmem.errors import CertificateError
from exactmem.kernel import backsub, bounds

z3 = pytest.importorskip("z3")
from z3_oracle import outputs, q  # noqa: E402


def _net(rng, dims, scale=1):
    return ReLUNet([([[fmpq(rng.randint(-9, 9), rng.randint(1, 4)) * scale for _ in range(a)] for _ in range(b)],
                     [fmpq(rng.randint(-9, 9), rng.randint(1, 4)) * scale for _ in range(b)])
                    for a, b in zip(dims, dims[1:])])


def _doc(net, lo, hi, goal, trees, **hints):
    atoms = [[[[str(v) for v in g], str(h), s] for g, h, s in clause] for clause in goal]
    return kernel.sign({"format": "exactmem.certificate", "schema_version": 2, "kind": "linear-bounds",
                        "claim": "test", "network": net.to_json(sparse=True),
                        "data": {"questions": [{"set": {"box": [[str(v) for v in lo], [str(v) for v in hi]]},
                                                "goal": atoms}]},
                        "hints": {"trees": trees, **hints}})


def _holds_z3(net, lo, hi, goal):
    """True iff the goal holds at every point of the box (z3 finds no point where a clause fails)."""
    x = [z3.Real(f"x{i}") for i in range(net.input_dim)]
    y = outputs(net, x)
    s = z3.Solver()
    s.add(*[z3.And(q(a) <= v, v <= q(b)) for v, a, b in zip(x, lo, hi)])
    fails = [z3.And(*[(z3.Sum([q(c) * o for c, o in zip(g, y)]) + q(h) <= 0) if strict else
                      (z3.Sum([q(c) * o for c, o in zip(g, y)]) + q(h) < 0) for g, h, strict in clause])
             for clause in goal]
    s.add(z3.Or(*fails))
    return s.check() == z3.unsat


def _case(seed):
    rng = random.Random(seed)
    d = rng.randint(1, 3)
    dims = [d] + [rng.randint(1, 5) for _ in range(rng.randint(1, 3))] + [rng.randint(1, 2)]
    net = _net(rng, dims)
    lo = [fmpq(rng.randint(-6, 2), rng.randint(1, 3)) for _ in range(d)]
    hi = [a + fmpq(rng.randint(0, 6), rng.randint(1, 3)) for a in lo]
    m = dims[-1]
    goal = [[([fmpq(rng.randint(-3, 3)) for _ in range(m)], fmpq(rng.randint(-20, 20), 2), rng.random() < 0.5)
             for _ in range(rng.randint(1, 2))] for _ in range(rng.randint(1, 2))]
    return rng, net, lo, hi, goal


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 10 ** 9))
def test_proved_only_what_z3_confirms_and_found_where_it_holds_with_room(seed):
    """Every PROVED certificate (the finder's tree) is a true statement by z3; every REFUTED point is a real
    counterexample (exact evaluation inside the box)."""
    rng, net, lo, hi, goal = _case(seed)
    from exactmem.kernel.regions import Set
    S = Set([(a + b) / 2 for a, b in zip(lo, hi)], "box", [(b - a) / 2 for a, b in zip(lo, hi)], False)
    out = bab.search(net.sparse_layers(), net.input_dim, S, goal, budget=5, max_leaves=400)
    truth = _holds_z3(net, lo, hi, goal)
    if out[0] == "proved":
        v = kernel.check(_doc(net, lo, hi, goal, [out[1]]))
        assert not (v.is_proved and not truth)
    elif out[0] == "refuted":
        assert not truth
        assert all(a <= t <= b for t, a, b in zip(out[1], lo, hi))


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 10 ** 9), st.data())
def test_no_hint_proves_a_false_statement(seed, data):
    """Random trees (splits, cuts) and random in-range hints (alpha, beta, mu) on statements z3 refutes: the
    kernel never says PROVED; hints out of range are CertificateErrors."""
    rng, net, lo, hi, goal = _case(seed)
    if _holds_z3(net, lo, hi, goal):
        return
    widths = net.widths
    tree, open_ = [], 1
    while open_:
        kind = data.draw(st.sampled_from(["leaf", "leaf", "split", "cut"])) if len(tree) < 7 else "leaf"
        if kind == "split" and widths:
            l = data.draw(st.integers(0, len(widths) - 1))
            tree.append({"split": [l, data.draw(st.integers(0, widths[l] - 1))]})
            open_ += 1
        elif kind == "cut":
            i = data.draw(st.integers(0, net.input_dim - 1))
            tree.append({"cut": [i, str(lo[i] + (hi[i] - lo[i]) * fmpq(data.draw(st.integers(0, 4)), 4))]})
            open_ += 1
        else:
            leaf = {}
            if widths and data.draw(st.booleans()):
                l = data.draw(st.integers(0, len(widths) - 1))
                leaf["alpha"] = [[l, data.draw(st.integers(0, widths[l] - 1)), data.draw(st.sampled_from(["0", "1/3", "1"]))]]
            if data.draw(st.booleans()):
                leaf["mu"] = [[str(data.draw(st.integers(0, 3))) for _ in c] for c in goal]
                if any(all(w == "0" for w in row) for row in leaf["mu"]):
                    leaf["mu"] = [["1"] * len(c) for c in goal]
            tree.append(leaf)
            open_ -= 1
    try:
        v = kernel.check(_doc(net, lo, hi, goal, [tree]))
    except CertificateError:
        return                                        # e.g. a split repeated on one path: malformed, not proved
    assert not v.is_proved


def test_hints_out_of_range_are_refused():
    net = ReLUNet([([[1], [-1]], [0, 0]), ([[1, 1]], [1])])
    goal = [[([fmpq(1)], fmpq(0), True)]]
    lo, hi = [fmpq(-1)], [fmpq(1)]
    assert kernel.check(_doc(net, lo, hi, goal, [[{}]])).is_proved            # |x| + 1 > 0: by hand
    for leaf, why in [({"alpha": [[0, 0, "2"]]}, "alpha"), ({"alpha": [[0, 5, "1"]]}, "unit"),
                      ({"beta": [[0, 0, "-1"]]}, "beta"), ({"mu": [["-1"]]}, "mu"), ({"mu": [["0"]]}, "mu"),
                      ({"gamma": 1}, "unknown"), ({"beta": [[0, 0, "1"]]}, "not split")]:
        with pytest.raises(CertificateError, match=why):
            kernel.check(_doc(net, lo, hi, goal, [[leaf]]))
    with pytest.raises(CertificateError, match="precision"):
        kernel.check(_doc(net, lo, hi, goal, [[{}]], precision=10 ** 6))
    with pytest.raises(CertificateError, match="new hidden unit"):
        kernel.check(_doc(net, lo, hi, goal, [[{"split": [0, 0]}, {"split": [0, 0]}, {}, {}, {}]]))
    with pytest.raises(CertificateError, match="ends before"):
        kernel.check(_doc(net, lo, hi, goal, [[{"cut": [0, "0"]}, {}]]))


def test_alpha_and_beta_hints_change_what_is_proved_and_never_prove_a_falsehood():
    """f(x) = relu(x) + relu(-x) - 1/2 = |x| - 1/2 on [-1, 1], goal f + 3/5 > 0 (true: f >= -1/2; by hand).
    With slopes alpha = (1, 0) the bound is x - 1/2 + 3/5 >= -9/10 (fails).  On the leaf z = x <= 0 with
    alpha = 1 on relu(-x), the box is not shrunk, so f >= -x - 1/2 gives -9/10 again; the multiplier beta = 1
    on the split adds beta x: (beta - 1) x + 1/10 = 1/10 > 0.  A false goal (f + 2/5 > 0 fails at x = 0) is
    never proved, whatever beta."""
    net = ReLUNet([([[1], [-1]], [0, 0]), ([[1, 1]], ["-1/2"])])
    goal = [[([fmpq(1)], fmpq(3, 5), True)]]
    lo, hi = [fmpq(-1)], [fmpq(1)]
    assert kernel.check(_doc(net, lo, hi, goal, [[{}]])).is_proved               # default slopes: f >= -1/2
    v = kernel.check(_doc(net, lo, hi, goal, [[{"alpha": [[0, 0, "1"], [0, 1, "0"]]}]]))
    assert v.is_undecided and "-0.9" in v.reason
    a1 = {"alpha": [[0, 1, "1"]]}
    v = kernel.check(_doc(net, lo, hi, goal, [[{"split": [0, 0]}, a1, {}]]))
    assert v.is_undecided and "-0.9" in v.reason
    assert kernel.check(_doc(net, lo, hi, goal, [[{"split": [0, 0]}, {**a1, "beta": [[0, 0, "1"]]}, {}]])).is_proved
    wrong = [[([fmpq(1)], fmpq(2, 5), True)]]
    for b in ("1", "1/2", "3"):
        assert not kernel.check(_doc(net, lo, hi, wrong, [[{"split": [0, 0]}, {"beta": [[0, 0, b]]}, {}]])).is_proved


def test_empty_leaves_are_proved_and_inconsistent_splits_are_empty():
    """Both splits z <= 0 and z >= 0 of one unit cannot hold with z = x + 1 >= 1 on [0, 1]: the z <= 0 leaf
    is empty (the interval [1, 2] clamped to <= 0), so even a false goal holds there."""
    net = ReLUNet([([[1]], [1]), ([[1]], [0])])
    false_goal = [[([fmpq(1)], fmpq(-10), True)]]                  # f - 10 > 0: false everywhere
    lo, hi = [fmpq(0)], [fmpq(1)]
    v = kernel.check(_doc(net, lo, hi, false_goal, [[{"split": [0, 0]}, {}, {}]]))
    assert v.is_undecided and "leaf 2" in v.reason                   # the first leaf (empty) passed


def test_fixed_point_bound_is_below_the_exact_rational_one_at_every_scale():
    """The kernel's fixed-point back-substitution against the same relaxation in exact rationals (a slow,
    independent reference): never above it (sound rounding), and within 10^-5 of it relative to its terms,
    for weights scaled by 10^-300 .. 10^300."""
    for scale in [fmpq(1, 10 ** 300), fmpq(1, 10 ** 7), fmpq(1), fmpq(10 ** 9), fmpq(10 ** 300)]:
        rng = random.Random(7)
        net = _net(rng, [3, 6, 6, 2], scale)
        lo, hi = [fmpq(-1)] * 3, [fmpq(1)] * 3
        N = bounds.Net(3, net.sparse_layers())
        relax, empty = bounds.leaf_bounds(N, lo, hi, {}, 32)
        assert not empty
        g = [1, -1]
        got = bounds._back(N, [g], [fmpq(1)], [fmpq(0)], 2, relax, lo, hi)[0]
        ref = _exact_back(net, g, relax, lo, hi)
        assert got <= ref
        terms = _exact_back(net, g, relax, lo, hi, absolute=True)
        assert ref - got <= terms * fmpq(1, 10 ** 5)


def _exact_back(net, g, relax, lo, hi, absolute=False):
    """The same relaxation (slopes A, S over 2^PB, intercepts I / kappa) back-substituted in exact rationals:
    written from the docstring of ``bounds.Relax``, sharing no code with ``bounds._back``."""
    unit = fmpq(1, 1 << backsub.PB)
    lam, c = list(map(fmpq, g)), fmpq(0)
    layers = net.layers
    for t in range(len(layers) - 1, -1, -1):
        W, b = layers[t]
        c += sum((abs(a) if absolute else a) * bb for a, bb in zip(lam, b.entries()))
        lam = [sum((a * W[i, j] for i, a in enumerate(lam)), fmpq(0)) for j in range(W.ncols())]
        if t == 0:
            break
        R = relax[t - 1]
        new = []
        for j, a in enumerate(lam):
            slope = (int(R.A[j]) if a > 0 else int(R.S[j])) * unit
            if a < 0:                                    # the intercept's two limbs, joined
                icp = fmpq((int(R.I[0][j]) << R.room) + int(R.I[1][j])) / R.kappa
                c += (-a if absolute else a) * icp
            new.append(a * slope)
        lam = new
    if absolute:
        return c + sum(abs(a) * max(abs(x), abs(y)) for a, x, y in zip(lam, lo, hi))
    return c + sum(a * (x if a > 0 else y) for a, x, y in zip(lam, lo, hi))


def test_acasxu_instances_decide_with_a_kernel_checked_certificate():
    """Two ACAS Xu instances that the competition's tools all call unsat: decided with a linear-bounds
    certificate that the kernel re-checks (VNN-COMP 2021 files beside the checkout)."""
    import os
    base = os.path.join(os.path.dirname(__file__), "..", "..", "shared", "benchmarks", "vnncomp2021", "acasxu")
    if not os.path.isdir(base):
        pytest.skip("the VNN-COMP 2021 files are not beside the checkout")
    from exactmem import vnnlib
    from exactmem.importers import from_onnx
    for net_name, prop in [("ACASXU_run2a_2_1_batch_2000.onnx", "prop_3.vnnlib"),
                           ("ACASXU_run2a_3_2_batch_2000.onnx", "prop_4.vnnlib")]:
        net = from_onnx(os.path.join(base, net_name))
        r = vnnlib.decide(net, vnnlib.read(os.path.join(base, prop)), budget=60)
        assert r.status == "unsat", r.reason
        assert r.certificate["kind"] == "linear-bounds" and kernel.check(r.certificate).is_proved
