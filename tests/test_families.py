"""Families separating the weight-norm proxy from the Lipschitz constant (issue 12, part 4): proxies against
hand formulas, Lip by the kernel-certified lipschitz_constant and, independently, from the exact pieces of
pl1d (all of R); the zigzag floor on random two-layer interpolants."""
import random

import pytest
from flint import fmpq
from hypothesis import given, settings
from hypothesis import strategies as st

from exactmem import ReLUNet, box
from exactmem.errors import NetworkError, ProxyMisuseError
from exactmem.lipschitz import LowerBound, data_bound, lipschitz_constant, weight_norm_proxy
from exactmem.lipschitz.families import (FAMILIES, cancelling_pairs, carried_identity, husain_balle_demo, member,
                                         path_sum, pl_interpolant, rescaled_units, slope_variation, table, zigzag,
                                         zigzag_data, zigzag_floor)
from exactmem.pl1d import pieces


def _frobenius_product(net):
    """prod_l sum_ij W_ij^2 from the raw layer lists (independent of bounds.weight_norm_proxy)."""
    out = fmpq(1)
    for W, _ in net.layers:
        out *= sum((t * t for row in W.tolist() for t in row), fmpq(0))
    return out


def _lip_on_R(net):
    """max |slope| over the exact pieces of a one-input network on all of R."""
    return max(abs(p.slope[0]) for p in pieces(net))


def _shape(net):
    """The function as its exact pieces (breakpoints, slopes, intercepts)."""
    return [(p.lo, p.hi, p.slope, p.intercept) for p in pieces(net)]


RELU = _shape(ReLUNet([([[1]], [0]), ([[1]], [0])]))


@pytest.mark.parametrize("t", [fmpq(1, 3), 1, 2, 5, fmpq(17, 2), 100])
def test_rescaled_units_keep_the_function_and_lip_while_the_proxy_grows(t):
    f = rescaled_units(t)
    assert _shape(f) == RELU                                             # it is relu(x), exactly, on all of R
    t = fmpq(t)
    # by hand: ||W1||^2 = t^2 + 1, ||W2||^2 = 1/(4t^2) + 1/4
    assert weight_norm_proxy(f).value == _frobenius_product(f) == (t * t + 1) ** 2 / (4 * t * t)
    assert weight_norm_proxy(f).value >= t * t / 4
    L = lipschitz_constant(f, 2, box([-1], [1]))
    assert L.is_exact and L.upper_sq == 1 and _lip_on_R(f) == 1


def test_the_proxy_is_unbounded_on_each_family_and_lip_stays_one():
    for fam, ts in [("rescaled", [1, 2, 4, 8, 16]), ("deep", [1, 2, 3, 5]), ("cancelling", [1, 2, 4, 8]),
                    ("zigzag", [3, 4, 6, 9])]:
        rows = husain_balle_demo(fam, ts)
        assert [r.proxy for r in rows] == [r.formula for r in rows] == [_frobenius_product(r.net) for r in rows]
        assert all(a.proxy < b.proxy for a, b in zip(rows, rows[1:]))   # strictly increasing in t
        assert all(r.exact and r.lip_sq == 1 and r.lip == 1 and _lip_on_R(r.net) == 1 for r in rows)
        assert all(r.proxy >= r.lip_sq for r in rows)                    # the part that is true: P >= Lip^2
        assert all(r.floor <= r.proxy for r in rows)
    assert "289/64" in table(husain_balle_demo("rescaled", [4]))


def test_deep_and_cancelling_families_by_hand():
    for k in (1, 2, 5):
        f = carried_identity(k)
        assert f.depth == k + 1 and weight_norm_proxy(f).value == 4 ** k   # 2 * 4^(k-1) * 2
        assert _shape(f) == [(None, None, (1,), (0,))]
    for t, k in ((3, 1), (fmpq(1, 2), 4)):
        f = cancelling_pairs(t, k)
        t = fmpq(t)
        assert _shape(f) == RELU and weight_norm_proxy(f).value == (1 + 2 * k * t * t) * (1 + 2 * k)


@pytest.mark.parametrize("n", [2, 3, 4, 7, 12])
def test_zigzag_interpolates_with_lip_one_and_the_floor_chain_holds(n):
    X, y = zigzag_data(n)
    f = zigzag(n)
    # the network written out by hand: 1 - relu(x) + relu(-x) + sum_i 2 (-1)^(i+1) relu(x - 2i)
    hand = ReLUNet([([[1], [-1]] + [[1]] * (n - 2), [0, 0] + [-2 * i for i in range(1, n - 1)]),
                    ([[-1, 1] + [2 * (-1) ** (i + 1) for i in range(1, n - 1)]], [1])])
    assert f == hand
    assert [f(x)[0] for x in X] == y
    assert data_bound(X, y, 2).value == 1                               # L* = 1: the zigzag is optimal
    L = lipschitz_constant(f, 2, box([-1], [2 * n - 1]))
    assert L.is_exact and L.upper_sq == 1 and _lip_on_R(f) == 1
    P = weight_norm_proxy(f).value
    assert P == n * (4 * n - 6)                                          # n * (2 + 4(n - 2)), by hand
    tv = slope_variation(f)
    assert tv == 2 * (n - 2)                                             # the TV bound is attained: the floor is tight in it
    assert P >= path_sum(f) ** 2 >= tv ** 2 >= zigzag_floor(n) == 4 * (n - 2) ** 2


def _random_interpolant(rng, n, extra):
    """A two-layer interpolant of zigzag_data(n) through extra random knots with random values."""
    X, y = zigzag_data(n)
    ts, vs = [x[0] for x in X], list(y)
    for _ in range(extra):
        t = fmpq(rng.randint(-4, 8 * n), 4)
        if t not in ts:
            ts.append(t)
            vs.append(fmpq(rng.randint(-12, 12), rng.choice((1, 3, 4))))
    return pl_interpolant(ts, vs)


def _reparametrize(rng, f):
    """The same function with units rescaled (w, b, a) -> (s w, s b, a / s), s > 0, and split in two."""
    (W, b), (A, c) = f.layers
    rows, bias, out = [], [], []
    for j in range(W.nrows()):
        s = fmpq(rng.randint(1, 9), rng.randint(1, 9))
        share = fmpq(rng.randint(1, 5), 6)
        for part in (share, 1 - share):
            rows.append([s * W[j, 0]])
            bias.append(s * b[j, 0])
            out.append(A[0, j] * part / s)
    return ReLUNet([(rows, bias), ([out], [c[0, 0]])])


@settings(max_examples=40)
@given(st.integers(3, 9), st.integers(0, 6), st.integers(0, 10 ** 6))
def test_every_two_layer_interpolant_pays_the_floor(n, extra, seed):
    rng = random.Random(seed)
    f = _random_interpolant(rng, n, extra)
    X, y = zigzag_data(n)
    assert [f(x)[0] for x in X] == y
    for g in (f, _reparametrize(rng, f)):
        assert _shape(g) == _shape(f)
        P = weight_norm_proxy(g).value
        assert P >= path_sum(g) ** 2 >= slope_variation(g) ** 2 >= zigzag_floor(n)
        assert _lip_on_R(g) >= 1                                         # and Lip >= L* = 1, as for any interpolant


def test_a_proxy_is_never_a_lower_bound():
    P = weight_norm_proxy(zigzag(6))
    with pytest.raises(ProxyMisuseError):
        LowerBound(P, 2, "the Husain-Balle step")
    L = lipschitz_constant(zigzag(6), 2, box([-1], [11]))
    assert P.value >= 64 > 1 == L.upper_sq                              # P >= (2(n-2))^2 = 64 while Lip^2 = 1


def test_bad_input():
    with pytest.raises(NetworkError, match="> 0"):
        rescaled_units(0)
    with pytest.raises(NetworkError, match=">= 1"):
        carried_identity(0)
    with pytest.raises(NetworkError, match=">= 2"):
        zigzag(1)
    with pytest.raises(NetworkError, match="unknown family"):
        member("nope", 1)
    with pytest.raises(NetworkError, match="distinct knots"):
        pl_interpolant([0, 0], [1, 2])
    with pytest.raises(NetworkError, match="two-layer"):
        path_sum(carried_identity(2))
    assert set(FAMILIES) == {"rescaled", "deep", "cancelling", "zigzag"}
