"""Lipschitz constants (issue 12): exact on a box or ball, against z3 over every activation pattern; the
kernel's ``lipschitz`` certificates under mutation; certified bounds and the proxy type."""
import itertools
import random

import pytest
import sympy
from flint import fmpq, fmpq_mat

from exactmem import ReLUNet, kernel
from exactmem.analysis.ask import ball, box
from exactmem.errors import DimensionMismatchError, InputSetError, NetworkError, NormError, ProxyMisuseError
from exactmem.lipschitz import (LowerBound, UpperBound, best, data_bound, gram_bound, lipschitz_constant, path_bound,
                                product_bound, weight_norm_proxy)

z3 = pytest.importorskip("z3")
import z3_oracle  # noqa: E402


def _net(rng, dims):
    return ReLUNet([([[fmpq(rng.randint(-6, 6), rng.choice((1, 2))) for _ in range(a)] for _ in range(b)],
                     [fmpq(rng.randint(-4, 4), rng.choice((1, 2))) for _ in range(b)]) for a, b in zip(dims, dims[1:])])


def _dual(g, p):
    return sum((t * t for t in g), fmpq(0)) if p == 2 else \
        sum(map(abs, g), fmpq(0)) if p == "inf" else max(map(abs, g))


def _patterns(net, lo=None, hi=None):
    """The exact Jacobian of every activation pattern whose open cell meets the open box (all of R^d when lo
    is None), each cell decided by z3 with strict inequalities, exactly: independent of the region walk."""
    d = net.input_dim
    x = [z3.Real(f"x{j}") for j in range(d)]
    widths = [W.nrows() for W, _ in net.layers[:-1]]
    for pattern in itertools.product((0, 1), repeat=sum(widths)):
        cons = [] if lo is None else [z3.And(z3_oracle.q(a) < v, v < z3_oracle.q(b)) for v, a, b in zip(x, lo, hi)]
        h, J, k = x, fmpq_mat([[int(i == j) for j in range(d)] for i in range(d)]), 0
        for l, (W, b) in enumerate(net.layers):
            z = [z3.Sum([z3_oracle.q(w) * v for w, v in zip(row, h)]) + z3_oracle.q(bb)
                 for row, bb in zip(W.tolist(), b.entries())]
            J = W * J
            if l == net.depth - 1:
                break
            s = pattern[k:k + len(z)]
            k += len(z)
            cons += [zz > 0 if t else zz < 0 for zz, t in zip(z, s)]
            h = [zz if t else z3.RealVal(0) for zz, t in zip(z, s)]
            J = fmpq_mat([[J[i, j] * s[i] for j in range(d)] for i in range(J.nrows())])
        if z3.Solver().check(*cons) == z3.sat:
            yield J


def _enumerate(net, lo, hi, p):
    """max ||grad||_* over the realised patterns (``_patterns``): the constant by brute force."""
    return max((_dual([J[0, j] for j in range(net.input_dim)], p) for J in _patterns(net, lo, hi)), default=fmpq(0))


@pytest.mark.parametrize("p", ["inf", 1, 2])
@pytest.mark.parametrize("seed, dims", [(s, [2, 4, 1]) for s in range(4)] + [(s, [2, 3, 3, 1]) for s in range(4, 7)]
                         + [(7, [3, 4, 1])])
def test_exact_constant_is_the_largest_gradient_over_realised_patterns(seed, dims, p):
    rng = random.Random(seed)
    net = _net(rng, dims)
    d = dims[0]
    lo, hi = [fmpq(-1)] * d, [fmpq(rng.randint(1, 2))] * d
    L = lipschitz_constant(net, p=p, region=box(lo, hi))
    want = _enumerate(net, lo, hi, p)
    assert L.is_exact and (L.upper_sq if p == 2 else L.upper) == want
    assert kernel.check(L.certificate).is_proved


def test_hand_examples_and_balls():
    f = ReLUNet([([[3, 4]], [0]), ([[1]], [0])])                    # relu(3x + 4y): gradient (3, 4) or 0
    assert lipschitz_constant(f, 2, box([-1, -1], [1, 1])).upper_sq == 25
    assert lipschitz_constant(f, "inf", box([-1, -1], [1, 1])).upper == 7
    assert lipschitz_constant(f, 1, ball([0, 0], 1, p=1)).upper == 4
    L = lipschitz_constant(f, 2, ball([-5, -5], 1))                # the unit is off on the whole ball: Lip = 0
    assert L.is_exact and L.upper_sq == 0
    g = ReLUNet([([[1], [1]], [0, -1]), ([[1, -1]], [0])])          # clamp(x, 0, 1): slope 1 on (0, 1)
    L = lipschitz_constant(g, "inf", box([-2], [2]))
    assert L.is_exact and L.upper == 1 and 0 < L.point[0] < 1


def _flat_certificate(upper, flat):
    """10 relu(x) - 9 relu(x) = relu(x) on [-1, 1] (Lip 1); the leaf z_0 >= 0, z_1 <= 0 is the point x = 0,
    whose formula 10 x has slope 10: only a proved ``flat`` mark lets the bound 1 through."""
    from exactmem.certify.records import Certificate
    net = ReLUNet([([[1], [1]], [0, 0]), ([[10, -9]], [0])])
    leaf = {"goals": [], **({"flat": flat} if flat is not None else {})}
    tree = [{"split": [0, 0]}, {"goals": [], "stable": [[0, 1, -1, [[0, 0, "1"]]]]}, {"split": [0, 1]}, leaf,
            {"goals": []}]
    data = {"set": {"box": [["-1"], ["1"]]}, "p": "inf", "upper": upper}
    return Certificate("lipschitz", "test", None, net.to_json(sparse=True), data, {"tree": tree}).to_json()


def test_kernel_accepts_only_proved_flat_leaves_and_true_bounds():
    assert kernel.check(_flat_certificate("1", [0, 1, [[0, 0, "1"]]])).is_proved
    assert not kernel.check(_flat_certificate("1", None)).is_proved           # slope 10 on the flat leaf
    assert not kernel.check(_flat_certificate("1", [0, 1, []])).is_proved     # flatness needs the multiplier
    assert not kernel.check(_flat_certificate("99/100", [0, 1, [[0, 0, "1"]]])).is_proved


def test_kernel_rejects_altered_certificates():
    net = ReLUNet([([[1, 1], [1, -1]], [0, 0]), ([[1, 1]], [0])])
    L = lipschitz_constant(net, "inf", box([-1, -1], [1, 1]))
    doc = L.certificate
    assert kernel.check(doc).is_proved
    for key, value in (("upper", "19/10"), ("lower", "5/2"), ("point", ["0", "0"]), ("point", ["2", "0"])):
        bad = kernel.sign({**doc, "data": {**doc["data"], key: value}})
        assert not kernel.check(bad).is_proved, key
    short = kernel.sign({**doc, "hints": {"tree": doc["hints"]["tree"][:-1]}})
    with pytest.raises(Exception):
        kernel.check(short)


def test_bounds_bracket_the_exact_constant():
    rng = random.Random(5)
    for _ in range(5):
        net = _net(rng, [2, 4, 3, 1])
        for p in ("inf", 1, 2):
            L = lipschitz_constant(net, p, box([-3, -3], [3, 3]))
            exact = L.upper_sq if p == 2 else L.upper
            pb, qb = product_bound(net, p), path_bound(net, p)
            assert exact <= qb.value and exact <= pb.value
            if p != 2:
                assert qb.value <= pb.value                          # |W_L|...|W_1| never exceeds the product
            assert best([LowerBound(exact, p, "exact"), pb, qb])[1].value == min(pb.value, qb.value)


def test_gram_bound_is_an_upper_bound_and_tightens():
    """sigma_max^2 <= U iff U I - W^T W is positive semidefinite: for 2 x 2, trace and determinant >= 0."""
    W = fmpq_mat([[2, 1], [1, 3]])
    G = W.transpose() * W
    for steps in range(4):
        U = gram_bound(W, steps)
        tr = 2 * U - G[0, 0] - G[1, 1]
        det = (U - G[0, 0]) * (U - G[1, 1]) - G[0, 1] ** 2
        assert tr >= 0 and det >= 0
    assert gram_bound(W, 3) < gram_bound(W, 0) == 15                  # ||W||_F^2 = 4 + 1 + 1 + 9


def test_data_bound_and_proxies():
    assert data_bound([[0], [2], [3]], [0, 1, 4], "inf").value == 3       # |4 - 1| / 1
    assert data_bound([[0, 0], [1, 1]], [0, 2], 2).value == 2            # (2 / sqrt 2)^2
    net = ReLUNet([([[3, 4]], [0]), ([[1]], [0])])
    proxy = weight_norm_proxy(net)
    assert proxy.value == 25
    with pytest.raises(ProxyMisuseError):
        LowerBound(proxy, 2, "a proxy taken for a bound")
    with pytest.raises(ProxyMisuseError):
        best([proxy, UpperBound(1, 2, "x")])
    with pytest.raises(ProxyMisuseError):
        _ = UpperBound(1, 2, "x") < proxy
    with pytest.raises(ProxyMisuseError):
        _ = proxy < 3
    with pytest.raises(ProxyMisuseError):
        float(proxy)


def test_bad_input_is_a_clear_error():
    f = ReLUNet([([[1, 1]], [0]), ([[1]], [0])])
    with pytest.raises(InputSetError, match="region must be"):
        lipschitz_constant(f, 2, region=[[0, 0], [1, 1]])
    with pytest.raises(InputSetError, match="full-dimensional"):
        lipschitz_constant(f, 2, box([0, 0], [0, 1]))
    with pytest.raises(DimensionMismatchError, match="2 inputs"):
        lipschitz_constant(f, 2, box([0], [1]))
    with pytest.raises(NetworkError, match="budget"):
        lipschitz_constant(f, 2, budget=-1)
    with pytest.raises(NormError):
        lipschitz_constant(f, 3)
    with pytest.raises(DimensionMismatchError):
        data_bound([[0]], [1])


@pytest.mark.parametrize("seed, dims", [(10, [2, 4, 1]), (11, [2, 3, 3, 1]), (12, [1, 4, 1]), (13, [3, 4, 1])])
def test_global_constant_against_every_cell_of_the_space(seed, dims):
    """region=None: all of R^d, the cells of the arrangement unbounded or not (z3 decides each one)."""
    net = _net(random.Random(seed), dims)
    for p in ("inf", 2):
        L = lipschitz_constant(net, p)
        want = _enumerate(net, None, None, p)
        assert L.is_exact and (L.upper_sq if p == 2 else L.upper) == want, (p, L)
        assert L.certificate["data"]["set"] == {"all": True}


def test_global_constant_on_hand_examples():
    clamp = ReLUNet([([[1], [1]], [0, -1]), ([[1, -1]], [0])])         # clamp(x, 0, 1): slope 1 on (0, 1) only
    L = lipschitz_constant(clamp, "inf")
    assert L.is_exact and L.upper == 1 and 0 < L.point[0] < 1
    hat = ReLUNet([([[1], [1], [1]], [1, 0, -1]), ([[1, -2, 1]], [0])])  # the hat on [-1, 1]: slopes 0, 1, -1, 0
    assert lipschitz_constant(hat, 2).upper_sq == 1
    far = ReLUNet([([[1]], [-10 ** 6]), ([[3]], [0])])                  # 3 relu(x - 10^6): steep only far away
    assert lipschitz_constant(far, 1).upper == 3
    assert lipschitz_constant(far, 1, box([-1], [1])).upper == 0


def _eigen_max(J):
    """The largest eigenvalue of J^T J by sympy's exact eigenvalues (algebraic numbers), an independent route."""
    G = sympy.Matrix([[sympy.Rational(int(t.p), int(t.q)) for t in r] for r in (J.transpose() * J).tolist()])
    return max(G.eigenvals(), key=lambda e: sympy.N(e, 50))


@pytest.mark.parametrize("seed", range(3))
def test_several_outputs_operator_norms(seed):
    """m outputs: l_2 -> l_2 (sigma_max, algebraic: enclosed, and attained), l_inf -> l_inf (max row sum of |J|),
    l_1 -> l_1 (max column sum), against every realised cell."""
    rng = random.Random(20 + seed)
    net = _net(rng, [2, 3, 2])
    lo, hi = [fmpq(-2)] * 2, [fmpq(2)] * 2
    Js = list(_patterns(net, lo, hi))
    L2 = lipschitz_constant(net, 2, box(lo, hi))
    top = max((_eigen_max(J) for J in Js), key=lambda e: sympy.N(e, 50))
    r = lambda q: sympy.Rational(int(q.p), int(q.q))                     # noqa: E731
    assert L2.verdict.is_proved and L2.attained and L2.is_exact
    assert sympy.simplify(r(L2.lower_sq) - top) <= 0 <= sympy.simplify(r(L2.upper_sq) - top)
    assert L2.upper_sq - L2.lower_sq <= L2.upper_sq / 2 ** 60
    for p, want in (("inf", max(max(sum(abs(J[i, j]) for j in range(2)) for i in range(2)) for J in Js)),
                    (1, max(max(sum(abs(J[i, j]) for i in range(2)) for j in range(2)) for J in Js))):
        L = lipschitz_constant(net, p, box(lo, hi))
        assert L.is_exact and L.upper == want, p


def _cert(net, tree, data):
    from exactmem.certify.records import Certificate
    return Certificate("lipschitz", "test", None, net.to_json(sparse=True), data, {"tree": tree}).to_json()


def test_kernel_leaves_with_free_units():
    """relu(x + y) + relu(x - y) on [-1, 1]^2, one leaf with both units free: the interval envelope gives
    |grad| <= (2, 1), i.e. 5; the pairwise bound ||v1||^2 + ||v2||^2 + 2 max(0, v1.v2) = 2 + 2 + 0 = 4, the
    true Lip^2 (gradient (2, 0)); only it proves U = 4, and nothing proves less."""
    net = ReLUNet([([[1, 1], [1, -1]], [0, 0]), ([[1, 1]], [0])])
    S = {"box": [["-1", "-1"], ["1", "1"]]}
    ok = lambda U, p="2": kernel.check(_cert(net, [{"goals": []}], {"set": S, "p": p, ("upper_sq" if p == "2" else "upper"): U}))  # noqa
    assert ok("4").is_proved and not ok("39/10").is_proved
    assert ok("3", "inf").is_proved and not ok("29/10", "inf").is_proved     # l_1 envelope: 2 + 1
    deep = ReLUNet([([[1, 1], [1, -1]], [0, 0]), ([[1, 0], [1, 1]], [0, 0]), ([[1, 1]], [0])])
    # a free unit in layer 0 makes every later unit free: |J| <= |W3| |W2| |W1| = [[3, 2]] (l_1: 5; squared: 13)
    D = lambda U, p: kernel.check(_cert(deep, [{"goals": []}], {"set": S, "p": p, ("upper_sq" if p == "2" else "upper"): U}))  # noqa
    assert D("5", "inf").is_proved and not D("49/10", "inf").is_proved
    assert D("13", "2").is_proved and not D("129/10", "2").is_proved


def test_kernel_several_outputs_by_descartes():
    """J = [[2, 1], [1, 3]] (an affine map): Lip_2^2 = the largest eigenvalue of J^T J = (15 + 5 sqrt 5) / 2."""
    net = ReLUNet([([[2, 1], [1, 3]], [5, 5]), ([[1, 0], [0, 1]], [0, 0])])
    S = {"box": [["-1", "-1"], ["1", "1"]]}
    lam = (15 + 5 * 5 ** 0.5) / 2                                         # 13.090...
    assert kernel.check(_cert(net, [{"goals": []}], {"set": S, "p": "2", "upper_sq": "13091/1000"})).is_proved
    assert not kernel.check(_cert(net, [{"goals": []}], {"set": S, "p": "2", "upper_sq": "13090/1000"})).is_proved
    doc = _cert(net, [{"goals": []}], {"set": S, "p": "2", "upper_sq": "13091/1000", "point": ["0", "0"],
                                        "lower_sq": "13090/1000"})
    v = kernel.check(doc)
    assert v.is_proved and v.details["attained"] and 13.090 < lam < 13.091
    bad = _cert(net, [{"goals": []}], {"set": S, "p": "2", "upper_sq": "14", "point": ["0", "0"], "lower_sq": "13091/1000"})
    assert not kernel.check(bad).is_proved                                 # the point's norm is below 13.091


def test_budget_gives_a_certified_interval():
    net = _net(random.Random(3), [2, 8, 1])
    exact = lipschitz_constant(net, 2, box([-3, -3], [3, 3]))
    L = lipschitz_constant(net, 2, box([-3, -3], [3, 3]), budget=1e-9)   # stops right after the root
    assert L.verdict.is_proved and L.stopped and "budget" in L.stopped
    assert L.lower_sq <= exact.upper_sq <= L.upper_sq


def test_scale_covariance_at_extreme_scales():
    """g(x) = f(x / s): Lip(g) = Lip(f) / s, for s = 10^300 and 10^-300 (exact, in the square for p = 2)."""
    net = _net(random.Random(4), [2, 4, 1])
    base = lipschitz_constant(net, 2, box([-1, -1], [1, 1]))
    for s in (fmpq(10) ** 300, fmpq(1, 10) ** 300):
        W, b = net.layers[0]
        g = ReLUNet([(W * (1 / s), b)] + list(net.layers[1:]))
        L = lipschitz_constant(g, 2, box([-s, -s], [s, s]))
        assert L.is_exact and L.upper_sq == base.upper_sq / (s * s)
        assert lipschitz_constant(g, 2).upper_sq == lipschitz_constant(net, 2).upper_sq / (s * s)


def test_region_cover_on_the_whole_space():
    """The kernel's set {"all": true} in region-cover questions: |x| >= 0 everywhere is proved, x >= 0 is not."""
    from exactmem.analysis.cover import search
    from exactmem.kernel.regions import parse_set
    absx = ReLUNet([([[1], [-1]], [0, 0]), ([[1, 1]], [0])])
    S = parse_set({"all": True}, 1, "set")
    out = search(absx.sparse_layers(), S, [[([fmpq(1)], fmpq(0), False)]])
    assert out[0] == "proved"
    ident = ReLUNet([([[1]], [0]), ([[1]], [0])])                        # relu(x) > 0 fails at x <= 0
    assert search(ident.sparse_layers(), S, [[([fmpq(1)], fmpq(0), True)]])[0] == "refuted"


def test_command_line(tmp_path, capsys):
    import json

    from exactmem.cli import main
    net = ReLUNet([([[1, 1], [1, -1]], [0, 0]), ([[1, 1]], [0])])        # x + max(x, |y|)
    (tmp_path / "n.json").write_text(json.dumps(net.to_json()))
    cert = tmp_path / "c.json"
    assert main(["lipschitz", str(tmp_path / "n.json"), "--box=-1:1,-1:1", "--p", "inf", "--out", str(cert)]) == 0
    out = capsys.readouterr().out
    assert "PROVED: Lip_inf on the box: = 2 (exact)" in out
    assert main(["verify", str(cert)]) == 0
    assert main(["lipschitz", str(tmp_path / "n.json"), "--ball=0,0", "--radius", "1"]) == 0
    assert "Lip_2^2 on the ball: = 4 (exact)" in capsys.readouterr().out
    assert main(["lipschitz", str(tmp_path / "n.json")]) == 0                  # no set: all of R^2
    assert "Lip_2^2 on R^d: = 4 (exact)" in capsys.readouterr().out
    two = ReLUNet([([[2, 1], [1, 3]], [5, 5]), ([[1, 0], [0, 1]], [0, 0])])   # sigma_max^2 = (15 + 5 sqrt 5)/2
    (tmp_path / "two.json").write_text(json.dumps(two.to_json()))
    assert main(["lipschitz", str(tmp_path / "two.json"), "--box=-1:1,-1:1"]) == 0
    out = capsys.readouterr().out
    assert "2 outputs" in out and "≈ 13.09017" in out and "algebraic" in out
    assert main(["lipschitz", str(tmp_path / "n.json"), "--box=-1:1"]) == 2    # wrong dimension
    assert main(["lipschitz", str(tmp_path / "n.json"), "--box=-1:1,0:1", "--ball=0,0", "--radius", "1"]) == 2
    assert main(["lipschitz", str(tmp_path / "n.json"), "--budget", "-3"]) == 2
    assert "error" in capsys.readouterr().err


def test_a_unit_that_is_zero_everywhere_does_not_hide_the_gradient():
    """Unit 1 has weight 0 and bias 0: its pre-activation is 0 at every point, yet f = 2 relu(x) is affine near
    every x != 0; the lower end needs a point, and the constant is exactly 2 (found by hand)."""
    net = ReLUNet([([[1], [0]], [0, 0]), ([[2, 5]], [0])])
    L = lipschitz_constant(net, "inf", box([-1], [1]))
    assert L.is_exact and L.lower == L.upper == 2 and L.point is not None


def test_region_bound_is_below_the_constant_and_refuses_kinks():
    from exactmem.lipschitz import region_bound
    net = _net(random.Random(6), [2, 5, 1])
    L = lipschitz_constant(net, 2)
    for x in ([fmpq(1, 3), fmpq(2, 7)], [fmpq(-5, 3), fmpq(1, 11)], L.point):
        assert region_bound(net, x, 2).value <= L.upper_sq
    assert region_bound(net, L.point, 2).value == L.upper_sq              # the steepest region's own point
    two = ReLUNet([([[2, 1], [1, 3]], [5, 5]), ([[1, 0], [0, 1]], [0, 0])])
    b = region_bound(two, [0, 0], 2)                                      # below (15 + 5 sqrt 5)/2 = 13.09..
    assert fmpq(13090, 1000) < b.value < fmpq(13091, 1000)
    kink = ReLUNet([([[1, 0]], [0]), ([[1]], [0])])
    with pytest.raises(NetworkError, match="kink"):
        region_bound(kink, [0, 5], 2)
