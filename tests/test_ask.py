"""Output ranges, constancy and certified radii of any network (issue 11): exact answers checked against z3.

Oracles: z3's Optimize over exact reals (the minimum and maximum of an output on a box or an l_inf/l_1 ball;
the distance to the nearest failing point, as a minimisation of an epigraph variable), exact evaluation of
every returned point, and the kernel on altered certificates."""
import copy
import random

import pytest
from flint import fmpq
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from exactmem import ReLUNet, kernel
from exactmem.analysis.ask import ball, box, certified_radius, is_constant_on, output_range
from exactmem.errors import DimensionMismatchError, InputSetError, NetworkError

z3 = pytest.importorskip("z3")
import z3_oracle  # noqa: E402


def _net(rng, dims, dens=(1, 2, 3, 4)):
    return ReLUNet([([[fmpq(rng.randint(-9, 9), rng.choice(dens)) for _ in range(a)] for _ in range(b)],
                     [fmpq(rng.randint(-9, 9), rng.choice(dens)) for _ in range(b)]) for a, b in zip(dims, dims[1:])])


def _f(net, x):
    return net.evaluate([x]).entries()


@pytest.mark.parametrize("seed", range(12))
def test_output_range_on_boxes_is_z3s_optimum(seed):
    rng = random.Random(seed)
    d = 2 + seed % 3
    net = _net(rng, [d, 5, 4, 2])
    lo = [fmpq(rng.randint(-4, 0), rng.choice([1, 3])) for _ in range(d)]
    hi = [a + fmpq(rng.randint(0, 3)) for a in lo]                 # some coordinates fixed (lower = upper)
    r = output_range(net, box(lo, hi))
    assert r.verdict.is_proved and r.is_exact
    x = [z3.Real(f"x{j}") for j in range(d)]
    cons = [z3.And(x[j] >= z3_oracle.q(lo[j]), x[j] <= z3_oracle.q(hi[j])) for j in range(d)]
    for k, out in enumerate(z3_oracle.outputs(net, x)):
        assert r.minimum[k].lo == z3_oracle.optimum(cons, out)
        assert r.maximum[k].hi == z3_oracle.optimum(cons, out, maximize=True)
        for pt, want in ((r.argmin[k], r.minimum[k].lo), (r.argmax[k], r.maximum[k].hi)):
            assert all(a <= t <= b for a, t, b in zip(lo, pt, hi)) and _f(net, pt)[k] == want


@pytest.mark.parametrize("p", ["inf", 1])
@pytest.mark.parametrize("seed", range(4))
def test_output_range_on_polytope_balls_is_z3s_optimum(seed, p):
    rng = random.Random(100 + seed)
    net = _net(rng, [2, 6, 1])
    c, r = [fmpq(rng.randint(-3, 3)) for _ in range(2)], fmpq(rng.randint(1, 5), 2)
    cut = [[1, 1, 0]]                                               # and x + y >= 0
    x = [z3.Real("a"), z3.Real("b")]
    cons = [z3_oracle.inside(x, c, r, p, False), x[0] + x[1] >= 0]
    if z3.Solver().check(*cons) == z3.unsat:                        # an empty set has no range: the kernel
        with pytest.raises(InputSetError, match="the set is empty"):  # proves it empty (issue 20)
            output_range(net, ball(c, r, p, constraints=cut))
        return
    out = output_range(net, ball(c, r, p, constraints=cut))
    assert out.is_exact
    f = z3_oracle.outputs(net, x)[0]
    assert out.minimum[0].lo == z3_oracle.optimum(cons, f)
    assert out.maximum[0].hi == z3_oracle.optimum(cons, f, maximize=True)


def test_output_range_on_an_l2_ball_encloses_the_extremes():
    """l_2 extremes are irrational in general: the enclosure is proved (z3 finds no point below the lower end)
    and narrow, and its other end is attained at an exact point of the ball."""
    rng = random.Random(7)
    net = _net(rng, [2, 6, 1])
    r = output_range(net, ball([0, 0], 1, 2))
    assert r.verdict.is_proved
    x = [z3.Real("a"), z3.Real("b")]
    f = z3_oracle.outputs(net, x)[0]
    s = z3.Solver()
    s.add(z3_oracle.inside(x, [fmpq(0)] * 2, fmpq(1), 2, False), f < z3_oracle.q(r.minimum[0].lo))
    assert s.check() == z3.unsat
    assert r.minimum[0].width <= abs(r.minimum[0].hi) * fmpq(1, 10 ** 5) + fmpq(1, 10 ** 5)
    pt = r.argmin[0]
    assert sum((t * t for t in pt), fmpq(0)) <= 1 and _f(net, pt)[0] == r.minimum[0].hi


def test_output_range_certificate_is_the_kernels():
    net = _net(random.Random(3), [2, 4, 1])
    r = output_range(net, box([0, 0], [1, 1]))
    assert kernel.check(r.certificate).is_proved
    doc = copy.deepcopy(r.certificate)
    goal = doc["data"]["questions"][0]["goal"][0][0]
    goal[1] = str(fmpq(goal[1]) - 1)                               # claim a minimum one above the true one
    assert not kernel.check(kernel.sign(doc)).is_proved


def test_is_constant_on():
    # relu(x) - relu(x - 1) - relu(-x) ... is 1 on [1, 2] and not on [0, 2]
    f = ReLUNet([([[1], [1]], [0, -1]), ([[1, -1]], [0])])
    assert is_constant_on(f, box([1], [2])).is_proved
    v = is_constant_on(f, box([0], [2]))
    assert v.is_refuted and _f(f, [fmpq(t) for t in v.witness["x"]])[0] != 1
    assert is_constant_on(f, ball([5], 1, "inf", open=True)).is_proved
    # [-3, 3] cut to x >= 1: the centre 0 lies outside the set (f(0) = 0, f = 1 on the set): compare at a point
    # of the set, not at the centre (review finding; was REFUTED)
    assert is_constant_on(f, box([-3], [3], constraints=[[1, -1]])).is_proved      # review finding


@pytest.mark.parametrize("p", ["inf", 1])
@pytest.mark.parametrize("seed", range(8))
def test_certified_radius_is_the_distance_to_the_nearest_failure(seed, p):
    """Sign semantics (label 2: f > 0): the certified radius is min ||y - x|| over y with f(y) <= 0, which z3
    minimises exactly (epigraph variable t >= |y_j - x_j|)."""
    rng = random.Random(200 + seed)
    while True:
        net = _net(rng, [2, 5, 1])
        x = [fmpq(rng.randint(-2, 2)) for _ in range(2)]
        if _f(net, x)[0] > 0:
            break
    c = certified_radius(net, x, 2, p=p, semantics="sign")
    y = [z3.Real("a"), z3.Real("b")]
    t = [z3.Real("t0"), z3.Real("t1")]
    cons = [z3_oracle.outputs(net, y)[0] <= 0] + [z3.And(tj >= yj - z3_oracle.q(xj), tj >= z3_oracle.q(xj) - yj)
                                                    for tj, yj, xj in zip(t, y, x)]
    if z3.Solver().check(*cons) == z3.unsat:
        assert c.upper is None
        return
    if p == "inf":
        m = z3.Real("m")
        want = z3_oracle.optimum(cons + [m >= t[0], m >= t[1]], m)
    else:
        want = z3_oracle.optimum(cons, t[0] + t[1])
    assert c.verdict.is_proved and c.is_exact and c.lower == want == c.upper
    assert kernel.check(c.verdict.details["certificate"]).is_proved
    w = c.witness
    assert _f(net, w)[0] <= 0 and (max if p == "inf" else sum)(abs(a - b) for a, b in zip(w, x)) == want


def test_certified_radius_l2_is_exact_in_its_square():
    # f = x + y - 1 on the plane, label 2 (f > 0) at (1, 1): the failing set x + y <= 1 is at distance 1/sqrt(2)
    f = ReLUNet([([[1, 1]], [3]), ([[1]], [-4])])                   # relu(x + y + 3) - 4 = x + y - 1 near (1, 1)
    c = certified_radius(f, [1, 1], 2, p=2, semantics="sign")
    assert c.lower_sq == c.upper_sq == fmpq(1, 2) and c.is_exact
    assert c.lower ** 2 <= fmpq(1, 2) <= c.upper ** 2 and c.upper - c.lower < fmpq(1, 10 ** 15)


def test_certified_radius_label_semantics_is_an_enclosure():
    """f = y fails on an open set: the radius is enclosed within tol, the lower end proved, the upper a point."""
    f = ReLUNet([([[1], [1]], [0, -1]), ([[1, -1]], [0])])          # 1 on [1, inf), x on [0, 1]
    c = certified_radius(f, [2], 1, p="inf", semantics="label", tol="1/1024")
    assert c.verdict.is_proved and c.lower <= 1 <= c.upper and c.upper - c.lower <= c.upper / 1024
    assert _f(f, c.witness)[0] != 1


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 10 ** 6))
def test_output_range_bounds_every_sampled_point(seed):
    """Property: every exact point of the box maps into [min.lo, max.hi], and the range ends are attained."""
    rng = random.Random(seed)
    net = _net(rng, [2, 4, 3, 1])
    r = output_range(net, box([-1, -1], [1, 1]))
    assert r.is_exact
    for _ in range(20):
        pt = [fmpq(rng.randint(-64, 64), 64) for _ in range(2)]
        assert r.minimum[0].lo <= _f(net, pt)[0] <= r.maximum[0].hi


def test_bad_input_is_a_clear_error():
    f = ReLUNet([([[1, 1]], [0]), ([[1]], [0])])
    with pytest.raises(InputSetError, match="exceeds"):
        box([1, 0], [0, 1])
    with pytest.raises(InputSetError, match="radius"):
        ball([0, 0], -1)
    with pytest.raises(DimensionMismatchError):
        output_range(f, box([0], [1]))
    with pytest.raises(InputSetError, match="closed"):
        output_range(f, ball([0, 0], 1, open=True))
    with pytest.raises(NetworkError, match="budget"):
        output_range(f, box([0, 0], [1, 1]), budget=-1)
    with pytest.raises(NetworkError, match="label"):
        certified_radius(f, [0, 0], 3, semantics="sign")
    with pytest.raises(NetworkError, match="centre"):
        certified_radius(f, [1, 1], 1, semantics="sign")          # f(1, 1) = 2 is not < 0
    with pytest.raises(DimensionMismatchError, match="constraint"):
        box([0, 0], [1, 1], constraints=[[1, 0]])


@pytest.mark.parametrize("e", [300, -300])
def test_answers_at_scales_beyond_the_float_range(e):
    """Data at 10^300 and 10^-300, and weights at 10^300 whose products leave the float range: the answers
    are the exact ones derived by hand.  f = relu(x+y) + relu(x-y) - s = x + max(x, |y|) - s; from (2s, 0)
    the nearest zero of f is (s/2, 0) at distance 3s/2 in every norm (a move in y does not lower f)."""
    s = fmpq(10) ** e if e > 0 else fmpq(1, 10 ** -e)
    f = ReLUNet([([[1, 1], [1, -1]], [0, 0]), ([[1, 1]], [-s])])
    for p in (1, 2, "inf"):
        r = certified_radius(f, [2 * s, 0], 2, p=p, semantics="sign")
        assert r.is_exact and (r.lower_sq == s * s * fmpq(9, 4) if p == 2 else r.lower == s * fmpq(3, 2)), p
    r = output_range(f, box([0, -s], [s, s]))                     # min at (0, 0): -s; max at (s, +-s): s + s - s
    assert r.is_exact and r.minimum[0].lo == -s and r.maximum[0].hi == s
    W = fmpq(10) ** 300                                           # g = W (W (x + max(x, |y|))) - W on a box
    g = ReLUNet([([[W, W], [W, -W]], [0, 0]), ([[W, W]], [-W])])
    r = output_range(g, box([0, -1], [1, 1]))                     # min at (0, 0): -W; max at (1, +-1): 2 W^2 - W
    assert r.is_exact and r.minimum[0].lo == -W and r.maximum[0].hi == 2 * W * W - W


def test_bad_arguments_are_exactmem_errors():
    f = ReLUNet([([[1, 0]], [-1]), ([[1]], [-1])])
    with pytest.raises(DimensionMismatchError, match="at least 2 outputs"):
        certified_radius(f, [0, 0], 1, semantics="argmax")
    with pytest.raises(InputSetError, match="list of rows"):
        box([0], [1], constraints=3)
    with pytest.raises(NetworkError, match="no columns"):
        ReLUNet([([[], []], [0, 0])], input_dim=0)


def _degenerate(seed):
    """Small integer weights and biases: many activation hyperplanes meet at the same points, so optima sit at
    degenerate vertices (more tight rows than the dimension) -- where float multipliers are not enough."""
    rng = random.Random(seed)
    d, h = rng.choice([2, 3]), rng.choice([4, 6, 8])
    W1 = [[rng.randint(-2, 2) for _ in range(d)] for _ in range(h)]
    b1 = [rng.randint(-1, 1) for _ in range(h)]
    net = ReLUNet([(W1, b1), ([[rng.randint(-2, 2) for _ in range(h)]], [rng.randint(-2, 2)])])
    return net, [fmpq(rng.randint(-1, 1)) for _ in range(d)]


@pytest.mark.parametrize("p", ["inf", 1])
@pytest.mark.parametrize("seed", [4, 5, 35, 41, 54, 57])
def test_certified_radius_at_degenerate_vertices_is_z3s(seed, p):
    """Seeds where the float multipliers failed (UNDECIDED, or an enclosure where the radius is rational)
    before the exact simplex fall-back: now exact, and equal to z3's minimum distance to a failing point;
    where z3 finds no failing point at all the radius is proved on a large ball with no upper end."""
    net, x = _degenerate(seed)
    y0 = _f(net, x)[0]
    assert y0 != 0
    c = certified_radius(net, x, 2 if y0 > 0 else 1, p=p, semantics="sign")
    d = len(x)
    y, t = [z3.Real(f"y{j}") for j in range(d)], [z3.Real(f"t{j}") for j in range(d)]
    fy = z3_oracle.outputs(net, y)[0]
    cons = [fy <= 0 if y0 > 0 else fy >= 0] + [z3.And(tj >= yj - z3_oracle.q(xj), tj >= z3_oracle.q(xj) - yj)
                                               for tj, yj, xj in zip(t, y, x)]
    assert c.verdict.is_proved and kernel.check(c.verdict.details["certificate"]).is_proved
    if z3.Solver().check(*cons) == z3.unsat:
        assert c.upper is None
        return
    if p == "inf":
        m = z3.Real("m")
        want = z3_oracle.optimum(cons + [m >= tj for tj in t], m)
    else:
        want = z3_oracle.optimum(cons, z3.Sum(t))
    assert c.is_exact and c.lower == want == c.upper


@pytest.mark.parametrize("seed, r2", [(3, fmpq(5, 36)), (66, fmpq(1, 2))])
def test_certified_radius_l2_at_degenerate_vertices(seed, r2):
    """l_2, where the nearest failing point is a vertex of two activation hyperplanes on the sphere.  By hand
    (seed 3): f = -4 at 0 and f = 0 at (1/3, -1/6), |.|^2 = 5/36; on the region there -f = 4 s_3 with s_3 >= 0,
    and the KKT system at that vertex gives -f = (8/5) s_2 + v.x + 4 with v = (-48/5, 24/5), whose minimum on
    the closed ball of radius^2 5/36 is 4 - sqrt(5/36) |v| = 0 (attained only on the sphere).  Seed 66: f = 3
    at (-1, 0), f = 0 at (-3/2, -1/2), |.|^2 = 1/2, multipliers (0, 2, 1) with residual (2, 2)."""
    net, x = _degenerate(seed)
    y0 = _f(net, x)[0]
    c = certified_radius(net, x, 2 if y0 > 0 else 1, p=2, semantics="sign")
    assert c.is_exact and c.lower_sq == r2 == c.upper_sq
    assert _f(net, c.witness)[0] == 0
