"""The McShane extension as an exact ReLU network (issue 12, part 4): interpolation, values against a
brute-force Fraction oracle, the exact Lipschitz constant against data_bound, sizes against the formula."""
import random
from fractions import Fraction

import pytest
from flint import fmpq
from hypothesis import given, settings
from hypothesis import strategies as st

from exactmem import ReLUNet, box
from exactmem.errors import (ContradictoryLabelsError, DatasetError, DimensionMismatchError, NormError, ShapeError)
from exactmem.lipschitz import data_bound, lipschitz_constant
from exactmem.lipschitz.mcshane import (cone_envelope_net, least_constant, mcshane_dims, mcshane_net, mcshane_size,
                                        mcshane_value, separation_classifier)
from exactmem.pl1d import constant_on


def _frac(q):
    return Fraction(int(q.p), int(q.q))


def _oracle(X, y, x, p, L=None):
    """min_i (y_i + L ||x - x_i||_p) with Python Fractions; L* by brute force over pairs (independent of the
    module: no shared code)."""
    X = [[Fraction(str(t)) for t in r] for r in X]
    y = [Fraction(str(t)) for t in y]
    x = [Fraction(str(t)) for t in x]

    def nrm(u, v):
        w = [abs(a - b) for a, b in zip(u, v)]
        return sum(w) if p == 1 else max(w)
    if L is None:
        L = max([abs(y[i] - y[j]) / nrm(X[i], X[j]) for i in range(len(X)) for j in range(i)] or [Fraction(0)])
    return min(v + Fraction(str(L)) * nrm(x, c) for c, v in zip(X, y))


def _data(rng, n, d, span=6, den=(1, 2, 3)):
    pts, seen = [], set()
    while len(pts) < n:
        x = tuple(Fraction(rng.randint(-span * 3, span * 3), rng.choice(den)) for _ in range(d))
        if x not in seen:
            seen.add(x)
            pts.append(list(x))
    return pts, [Fraction(rng.randint(-8, 8), rng.choice((1, 2, 5))) for _ in range(n)]


points = st.lists(st.lists(st.fractions(min_value=-5, max_value=5, max_denominator=6), min_size=2, max_size=2),
                  min_size=1, max_size=7, unique_by=tuple)


@settings(max_examples=40)
@given(points, st.data(), st.sampled_from(["inf", 1]))
def test_interpolates_exactly_and_matches_the_formula_everywhere(X, data, p):
    y = data.draw(st.lists(st.fractions(min_value=-4, max_value=4, max_denominator=5), min_size=len(X),
                           max_size=len(X)))
    f = mcshane_net(X, y, p)
    assert [_frac(f(x)[0]) for x in X] == y                             # f*(x_j) = y_j, exact evaluation
    probes = data.draw(st.lists(st.lists(st.fractions(min_value=-8, max_value=8, max_denominator=7), min_size=2,
                                         max_size=2), min_size=1, max_size=6))
    for x in probes:                                                    # the network is the formula, off the data too
        assert _frac(f(x)[0]) == _oracle(X, y, x, p)
        assert _frac(mcshane_value(X, y, x, p)) == _oracle(X, y, x, p)
    assert f.dims == mcshane_dims(len(X), 2, p)


@pytest.mark.parametrize("p", ["inf", 1])
@pytest.mark.parametrize("seed, n, d", [(0, 3, 2), (1, 5, 2), (2, 6, 2), (3, 4, 1), (4, 3, 3)])
def test_exact_lipschitz_constant_is_the_data_bound(seed, n, d, p):
    rng = random.Random(seed)
    X, y = _data(rng, n, d)
    f = mcshane_net(X, y, p)
    L = lipschitz_constant(f, p, box([-7] * d, [7] * d))                # a box holding every data point
    star = data_bound(X, y, p).value
    assert L.is_exact and L.upper == star                               # Lip(f*) = L*: no interpolant does better
    assert _frac(star) == max(abs(Fraction(y[i]) - Fraction(y[j])) / max(abs(a - b) for a, b in zip(X[i], X[j]))
                              if p == "inf" else abs(y[i] - y[j]) / sum(abs(a - b) for a, b in zip(X[i], X[j]))
                              for i in range(n) for j in range(i))
    assert least_constant(X, y, p)[0] == star


def test_a_larger_constant_gives_an_interpolant_with_exactly_that_constant():
    X, y = [[0, 0], [2, 1], [-1, 3]], [0, 1, 2]                         # L*_inf = max(1/2, 2/3, 1/4) = 2/3
    assert least_constant(X, y, "inf")[0] == fmpq(2, 3)
    for L in ("2/3", "1", "5/2"):
        f = mcshane_net(X, y, "inf", L)
        assert [f(x)[0] for x in X] == y
        Lc = lipschitz_constant(f, "inf", box([-2, -2], [3, 4]))
        assert Lc.is_exact and Lc.upper == fmpq(L)
        x = [fmpq(1, 3), fmpq(-2, 7)]
        assert _frac(f(x)[0]) == _oracle(X, y, x, "inf", Fraction(L))
    with pytest.raises(DatasetError, match="below the data's least Lipschitz constant"):
        mcshane_net(X, y, "inf", "1/2")


def test_hand_example():
    # by hand: L*_1 of (0,0)->0, (1,1)->4, (3,0)->-2 is max(4/2, 6/3, 2/3) = 2; f*(1, 0) = min(0 + 2, 4 + 2, -2 + 4)
    X, y = [[0, 0], [1, 1], [3, 0]], [0, 4, -2]
    f = mcshane_net(X, y, 1)
    assert least_constant(X, y, 1)[0] == 2
    assert f([1, 0]) == [2] and f([2, 0]) == [0] and f([3, 0]) == [-2]
    assert lipschitz_constant(f, 1, box([-1, -1], [4, 2])).upper == 2


def test_in_one_dimension_it_is_the_zigzag_between_the_data():
    # alternating data two apart: f*(x) = min_i ((-1)^i + |x - 2i|) is the zigzag with slopes -+1 on [0, 2n - 2];
    # the difference of the two networks is proved constant 0 there from its exact pieces (pl1d)
    from exactmem.lipschitz.families import zigzag, zigzag_data
    for n in (2, 3, 6):
        X, y = zigzag_data(n)
        for p in ("inf", 1):
            diff = ReLUNet.parallel(mcshane_net(X, y, p), zigzag(n)).post_affine([[1, -1]])
            assert constant_on(diff, 0, 2 * n - 2, 0).is_proved


def test_distance_to_a_set():
    X = [[0, 0], [3, 1], [-2, 2]]
    for p in ("inf", 1):
        g = cone_envelope_net(X, [0, 0, 0], 1, p)
        for x in ([1, 1], ["1/2", "-7/3"], [5, 5], [3, 1]):
            assert _frac(g(x)[0]) == _oracle(X, [0, 0, 0], x, p, 1)


def test_sizes_follow_the_formula():
    # by hand for n = 3, d = 2, l_inf: widths 12 (2nd), 3 and 2 (the min tree over 3, then 2 values);
    # params (2+1)12 + (12+1)3 + (3+1)2 + (2+1)1 = 36 + 39 + 8 + 3 = 86
    assert mcshane_dims(3, 2, "inf") == [2, 12, 3, 2, 1]
    assert mcshane_size(3, 2, "inf") == {"params": 86, "depth": 4, "hidden": 3, "width": 12}
    # d = 5, l_inf: 3 values per centre after layer 1 (two pairs and one coordinate), then 3 -> 2 -> 1
    assert mcshane_dims(2, 5, "inf") == [5, 20, 6, 4, 2, 1]
    rng = random.Random(7)
    for n in (1, 2, 3, 5, 8):
        for d in (1, 2, 3, 4, 5):
            for p in ("inf", 1):
                X, y = _data(rng, n, d)
                f = mcshane_net(X, y, p)
                s = mcshane_size(n, d, p)
                assert f.dims == mcshane_dims(n, d, p)
                assert (f.param_count(), f.depth) == (s["params"], s["depth"])
                clog = lambda m: (m - 1).bit_length()                     # ceil(log2 m)
                hidden = (1 if p == 1 else max(1, clog(d))) + clog(n)
                assert s["hidden"] == hidden and s["depth"] == hidden + 1
                # O(nd) nonzeros: layer 1 has 2nd units of <= 3 parameters; every later unit reads a form of <= 4
                # + 4 units and a bias, and the later layers have <= nd + 2n units in all
                assert f.nonzero_count() <= 6 * n * d + 9 * (n * d + 2 * n) + 3


def test_repeated_points_and_constant_data():
    f = mcshane_net([[1], [1], [4]], [2, 2, 2], "inf")                  # merged; L* = 0: the constant 2
    assert f.dims == mcshane_dims(2, 1, "inf") and f([-9]) == [2] and f([100]) == [2]
    g = mcshane_net([[3, 3]], [5], 1)                                   # one point: the constant 5
    assert g([0, 0]) == [5]


def test_bad_input_is_a_clear_error():
    with pytest.raises(NormError, match="p = 1 and p = inf"):
        mcshane_net([[0], [1]], [0, 1], 2)
    with pytest.raises(ContradictoryLabelsError, match="points 0 and 2 coincide"):
        mcshane_net([[0], [1], [0]], [0, 1, 2])
    with pytest.raises(DimensionMismatchError, match="X\\[1\\] has dimension 1"):
        mcshane_net([[0, 0], [1]], [0, 1])
    with pytest.raises(ShapeError, match="2 points but 3 values"):
        mcshane_net([[0], [1]], [0, 1, 2])
    with pytest.raises(ShapeError, match="at least one point"):
        mcshane_net([], [])
    with pytest.raises(DatasetError, match=">= 0"):
        cone_envelope_net([[0]], [0], -1)
    with pytest.raises(ShapeError, match="positive int"):
        mcshane_dims(0, 2)


def test_separation_classifier_scores_are_scaled_distances():
    X, labels = [[0, 0], [3, 1], [-2, 2], [1, -3]], [1, 2, 1, 3]
    g = separation_classifier(X, labels, "1/2", "inf")
    assert g.dims[0] == 2 and g.output_dim == 3
    for x in ([1, 1], ["1/2", "-7/3"], [5, 5], [3, 1]):
        want = [-2 * _oracle([p for p, c in zip(X, labels) if c == k], [0] * labels.count(k), x, "inf", 1)
                for k in (1, 2, 3)]
        assert [_frac(t) for t in g(x)] == want
    with pytest.raises(DatasetError, match="every class present"):
        separation_classifier(X, [1, 3, 1, 3], 1)
    with pytest.raises(DatasetError, match="> 0"):
        separation_classifier(X, labels, 0)
    with pytest.raises(ShapeError, match="4 points but 3 labels"):
        separation_classifier(X, [1, 2, 1], 1)
