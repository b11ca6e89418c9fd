"""The checking kernel: trust base, exactness against independent oracles, and the findings of issue 10.

Oracles used here share no code with the kernel: Python ``Fraction`` evaluation (``reference``), brute-force
pair minima, and z3's exact real arithmetic (nonlinear: the l_2 ball is a quadratic constraint)."""
import ast
import copy
import json
import pathlib
import random
from fractions import Fraction

import pytest
from flint import fmpq, fmpz
from hypothesis import HealthCheck, given, settings, strategies as st

from reference import eval_fraction, frac, resign

import exactmem
from exactmem import Dataset, ReLUNet, kernel, memorize, verify
from exactmem.certify import check as decide, memorization_certificate, robust_certificate, separation_certificate
from exactmem.errors import CertificateError, ExactmemError, LabelError
from exactmem.kernel import engine, parse
from exactmem.kernel.separation import min_cross
from exactmem.kernel.values import PL, combine, relu

KERNEL = pathlib.Path(kernel.__file__).parent
ALLOWED = {"__future__", "bisect", "gc", "hashlib", "itertools", "json", "math", "re", "time", "flint", "numpy"}


# -- trust base ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("path", sorted(KERNEL.glob("*.py")), ids=lambda p: p.name)
def test_kernel_imports_nothing_else(path):
    """The kernel imports python-flint, numpy, the standard library above, its own modules and exactmem's
    errors and verdict -- nothing that builds networks or certificates."""
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            assert {a.name.split(".")[0] for a in node.names} <= ALLOWED, path.name
        elif isinstance(node, ast.ImportFrom):
            if node.level == 0:
                assert node.module.split(".")[0] in ALLOWED, (path.name, node.module)
            elif node.level == 1:
                assert node.module is None or (KERNEL / f"{node.module}.py").exists(), (path.name, node.module)
            else:
                assert node.level == 2 and node.module in ("errors", "verdict"), (path.name, node.module)


def test_kernel_is_small():
    lines = sum(len(p.read_text().splitlines()) for p in KERNEL.glob("*.py"))
    assert lines < 4975, lines          # docs/kernel.md counts its lines per module


# -- exact evaluation ------------------------------------------------------------------------------------

def _random_layers(rng, dims, big=False):
    def q():
        if big and rng.random() < 0.3:
            return fmpq(rng.randint(-10 ** 30, 10 ** 30), rng.randint(1, 10 ** 25))
        return fmpq(rng.randint(-9, 9), rng.randint(1, 4)) if rng.random() < 0.7 else fmpq(0)
    return [([[(j, w) for j in range(a) for w in [q()] if w != 0] for _ in range(b)], [q() for _ in range(b)])
            for a, b in zip(dims, dims[1:])]


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 10 ** 6), st.lists(st.integers(1, 7), min_size=2, max_size=6), st.booleans())
def test_engine_evaluation_equals_fractions(seed, dims, big):
    rng = random.Random(seed)
    layers = _random_layers(rng, dims, big)
    X = [[fmpq(rng.randint(-10 ** 12, 10 ** 12), rng.randint(1, 10 ** 9)) for _ in range(dims[0])] for _ in range(5)]
    dense = [([[frac(dict(row).get(j, fmpq(0))) for j in range(a)] for row in rows], [frac(b) for b in bias])
             for a, (rows, bias) in zip(dims, layers)]
    got = engine.evaluate(layers, X)
    want = [eval_fraction(dense, [frac(v) for v in x]) for x in X]
    assert [[frac(v) for v in r] for r in got] == want


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(-50, 50), st.integers(-50, 50)), min_size=2, max_size=12, unique=True),
       st.sampled_from([2, 1, "inf"]), st.sampled_from([1, 10 ** 40]))
def test_separation_equals_brute_force(pts, p, scale):
    labels = [1 + i % 2 for i in range(len(pts))]
    rows = [[a * scale, b * scale] for a, b in pts]
    want = min((sum((u - v) ** 2 for u, v in zip(rows[i], rows[j])) if p == 2 else
                sum(abs(u - v) for u, v in zip(rows[i], rows[j])) if p == 1 else
                max(abs(u - v) for u, v in zip(rows[i], rows[j])))
               for i in range(len(rows)) for j in range(i + 1, len(rows)) if labels[i] != labels[j])
    assert min_cross(rows, labels, p)[0] == want


@settings(max_examples=80, deadline=None)
@given(st.lists(st.tuples(st.integers(-20, 20), st.integers(-20, 20)), min_size=1, max_size=4),
       st.lists(st.fractions(-3, 3, max_denominator=7), min_size=1, max_size=4))
def test_pl_algebra_matches_pointwise(coefs, cuts):
    """combine and relu of PLs agree with pointwise evaluation at many rational points (Fraction oracle)."""
    R = fmpq(3)
    pts = sorted({fmpq(c.numerator, c.denominator) for c in cuts} | {-R, R})
    f = PL(0, [(a, b, fmpq(v), fmpq(s, 3)) for (a, b), (v, s) in zip(zip(pts, pts[1:]), coefs * 8)])
    g = relu(combine([(fmpq(2), f), (fmpq(-1), relu(f))], fmpq(1, 2)))

    def at(val, t):
        if isinstance(val, fmpq):
            return val
        for lo, hi, v, a in val.pieces:
            if lo <= t <= hi:
                return v + a * t
        raise AssertionError("not covered")
    for k in range(-60, 61):
        t = fmpq(k, 20)
        ft = at(f, t)
        assert at(g, t) == max(2 * ft - max(ft, 0) + fmpq(1, 2), 0)


# -- robust memorization against z3 ----------------------------------------------------------------------

def _doc(D, net, rho, p="2", eta=None, hints=None):
    return robust_certificate(D, net, rho, {"2": 2, "1": 1, "inf": float("inf")}[p], eta, hints=hints).to_json()


def _z3_counterexample(net, D, rho, p):
    """An x in some open ball with f(x) != y_i found by z3 (exact reals), or None if there is none."""
    z3 = pytest.importorskip("z3")
    mu2 = rho * rho * D.eps_sq if p == "2" else None
    mu = rho * D.eps(p) if p != "2" else None
    for i in range(D.N):
        s = z3.Solver()
        s.set("timeout", 60000)
        x = [z3.Real(f"x{j}") for j in range(D.d)]
        c = [z3.Q(int(v.p), int(v.q)) for v in D.point(i)]
        if p == "2":
            s.add(z3.Sum([(a - b) * (a - b) for a, b in zip(x, c)]) < z3.Q(int(mu2.p), int(mu2.q)))
        elif p == "inf":
            s.add(*[z3.And(a - b < z3.Q(int(mu.p), int(mu.q)), b - a < z3.Q(int(mu.p), int(mu.q))) for a, b in zip(x, c)])
        else:
            s.add(z3.Sum([z3.If(a > b, a - b, b - a) for a, b in zip(x, c)]) < z3.Q(int(mu.p), int(mu.q)))
        h = x
        for l, (W, b) in enumerate(net.layers):
            h = [z3.Sum([z3.Q(int(w.p), int(w.q)) * v for w, v in zip(row, h) if w != 0] or [z3.RealVal(0)]) +
                 z3.Q(int(bb.p), int(bb.q)) for row, bb in zip(W.tolist(), b.entries())]
            if l < net.depth - 1:
                h = [z3.If(v > 0, v, 0) for v in h]
        s.add(h[0] != D.labels[i])
        r = s.check()
        assert r != z3.unknown, "z3 gave up"
        if r == z3.sat:
            return i
    return None


def _ramp_net(w, a, b, y1, y2):
    """f(x) = y1 + (y2 - y1) clip((w.x - a) / (b - a), 0, 1): one hidden layer of two units."""
    s = 1 / (b - a)
    return ReLUNet([([[s * v for v in w], [s * v for v in w]], [-a * s, -a * s - 1]), ([[y2 - y1, y1 - y2]], [y1])])


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 10 ** 6), st.sampled_from(["2", "1", "inf"]), st.integers(1, 2))
def test_verdicts_agree_with_z3(seed, p, d):
    """Ramps whose transition lies near the balls: the kernel's PROVED / REFUTED agree with z3 exactly."""
    rng = random.Random(seed)
    D = Dataset([[0] * d, [rng.randint(2, 5)] + [rng.randint(-2, 2) for _ in range(d - 1)]], [1, 2])
    w = [fmpq(1)] + [fmpq(rng.randint(-2, 2), 3) for _ in range(d - 1)]
    proj = sum((u * v for u, v in zip(w, D.point(1))), fmpq(0))
    a = proj * fmpq(rng.randint(5, 60), 100)
    b = a + proj * fmpq(rng.randint(5, 60), 100)
    rho = fmpq(rng.randint(1, 9), 10)
    net = _ramp_net(w, a, b, 1, 2)
    v = decide(_doc(D, net, rho, p))            # the kernel, and a counterexample search the kernel checks
    assert not v.is_undecided, v
    bad = _z3_counterexample(net, D, rho, p)
    assert v.is_proved == (bad is None), (v, bad)
    if v.is_refuted:
        assert D.in_ball(v.witness["ball"], v.witness["x"], rho, p)
        assert net([fmpq(t) for t in v.witness["x"]])[0] != D.labels[v.witness["ball"]]


@pytest.mark.parametrize("rho", ["1/2", "9/10"])
def test_large_regime_agrees_with_z3(rho):
    """A Theorem B.14 network on three points in R^2 is PROVED and z3 finds no counterexample; with its output
    bias moved it is REFUTED and z3 finds one too."""
    D = Dataset([[0, 0], [3, 1], [1, 3]], [1, 2, 1])
    net, cert = memorize(D, rho)
    assert verify(net, D, rho, cert).is_proved
    assert _z3_counterexample(net, D, fmpq(rho), "2") is None
    W, b = net.layers[-1]
    bad = ReLUNet(net.layers[:-1] + [(W, b + fmpq_col(fmpq(1, 3)))])
    assert decide(_doc(D, bad, fmpq(rho), "2", hints=cert.hints)).is_refuted
    assert _z3_counterexample(bad, D, fmpq(rho), "2") is not None


def fmpq_col(v):
    from flint import fmpq_mat
    return fmpq_mat([[v]])


# -- the findings of issue 10, as regression tests --------------------------------------------------------

def test_verify_requires_a_robust_memorization_certificate():
    """A separation or exact-memorization certificate of the right objects once made verify() PROVED for a
    network that is not rho-robust (f = 1 + x/4 on {0 -> 1, 4 -> 2}, rho = 1/2)."""
    D = Dataset([[0], [4]], [1, 2])
    f = ReLUNet([([[1]], [0]), ([["1/4"]], [1])])
    for cert in (separation_certificate(D), memorization_certificate(f, D)):
        with pytest.raises(CertificateError, match="does not prove robust memorization"):
            verify(f, D, "1/2", cert)
    v = decide(_doc(D, f, fmpq(1, 2)))
    assert v.is_refuted and D.in_ball(0, v.witness["x"], "1/2")
    assert kernel.check(_doc(D, f, fmpq(1, 2))).is_undecided      # the kernel alone proves, it does not search


@pytest.mark.parametrize("bad", [None, [], {"kind": "robust-memorization"}, "not json", 5])
def test_verify_bad_arguments_are_clear_errors(bad):
    D = Dataset([[0], [3], [5]], [1, 2, 1])
    net, cert = memorize(D, "1/100")
    with pytest.raises(ExactmemError):
        verify(net, D, "1/100", bad)
    with pytest.raises(CertificateError, match="ReLUNet"):
        verify("net", D, "1/100", cert)
    with pytest.raises(CertificateError, match="Dataset"):
        verify(net, [[0]], "1/100", cert)
    doc = cert.to_json()
    doc["data"] = None
    with pytest.raises(CertificateError, match="data"):
        verify(net, D, "1/100", resign(doc))
    doc["data"] = [1, 2]
    with pytest.raises(CertificateError, match="data"):
        verify(net, D, "1/100", resign(doc))


def test_verify_says_what_differs():
    D = Dataset([[0], [3], [5]], [1, 2, 1])
    net, cert = memorize(D, "1/100")
    with pytest.raises(CertificateError, match=r"dataset.points\[1\]\[0\]"):
        verify(net, Dataset([[0], ["3.1"], [5]], [1, 2, 1]), "1/100", cert)
    with pytest.raises(CertificateError, match=r"dataset.labels\[2\]"):
        verify(net, Dataset([[0], [3], [5]], [1, 2, 2]), "1/100", cert)
    other, _ = memorize(D, "1/200")
    with pytest.raises(CertificateError, match=r"network"):
        verify(other, D, "1/100", cert)


def test_tiny_rho_checks_fast_and_exactly():
    """rho = 1/10^4 and 1/10^300 on the README dataset: the Floor block is analysed only where the balls are,
    never on all 2^n pieces (the old checker did not finish in 140 s at 1/10^4)."""
    D = Dataset([[0], [3], [5]], [1, 2, 1])
    for rho in (fmpq(1, 10 ** 4), fmpq(1, 10 ** 300)):
        net, cert = memorize(D, rho)
        assert verify(net, D, rho, cert).is_proved


@pytest.mark.parametrize("scale", [fmpq(1, 10 ** 30), fmpq(10 ** 30), fmpq(1, 2 ** 64), fmpq(1, 10 ** 300)])
def test_any_scale(scale):
    """Data scaled by 10^-30, 10^30, 2^-64, 10^-300: every regime certifies (relative enclosures only)."""
    base = [[0, 0], [3, 1], [1, 4], [4, 4], [6, 0]]
    D = Dataset([[v * scale for v in r] for r in base], [1, 2, 2, 1, 2])
    for rho, eta in (("1/200", None), ("1/20", "1/100"), ("4/5", None)):
        net, cert = memorize(D, rho, eta=eta)
        v = verify(net, D, rho, cert)
        assert v.is_proved, (rho, v)
        if cert.info["regime"] == "large":
            assert cert.info["k"] <= 6            # the data's scale does not enter the depth


def test_huge_integers_and_labels_are_clear_errors():
    big = "1" * 5000
    with pytest.raises(LabelError):
        Dataset([[0], [1]], [1, 10 ** 30])                 # no set of 10^30 labels is ever built
    D = Dataset([[0], [big]], [1, 2])                       # 5000-digit coordinates are fine
    B = fmpz(big)                                           # int(big) itself raises past 4,300 digits
    assert D.eps_sq == (fmpq(B) / 2) ** 2
    assert exactmem.to_rational(big + "/7") == fmpq(B, 7)
    assert ReLUNet.from_json({"format": "exactmem.relunet", "schema_version": 1,
                              "layers": [{"W": [[big]], "b": [0]}]})([1])[0] == B
    doc = kernel.parse.load('{"x": ' + big + "}")
    assert doc["x"] == B


def test_moderate_precision_at_tiny_scale():
    """Data scaled by 2^-60 and 2^-70: the moderate certificate is PROVED with the same error bound (the old
    checker's absolute 2^-64 square roots refuted it, and divided by zero below 2^-64)."""
    base = [[0, 0], [3, 1], [1, 4], [4, 4], [6, 0], [2, 7]]
    bounds = []
    for e in (0, 60, 70):
        D = Dataset([[fmpq(v, 2 ** e) for v in r] for r in base], [1, 2, 2, 1, 2, 1])
        net, cert = memorize(D, "1/25", eta="1/100")
        v = verify(net, D, "1/25", cert)
        assert v.is_proved
        bounds.append(v.details["max_error_bound"])
    assert bounds[1] == bounds[0] == bounds[2]


def test_hints_never_prove_a_wrong_network():
    """A network wrong on one ball stays unproved whatever the hints say: exclusions are paid for by their
    measure, quadratic sandwiches are checked piece by piece."""
    D = Dataset([[0, 0], [3, 1], [1, 4], [4, 4]], [1, 2, 2, 1])
    net, cert = memorize(D, "1/2")
    W, b = net.layers[-1]
    wrong = ReLUNet(net.layers[:-1] + [(W, b + fmpq_col(fmpq(1)))])
    rng = random.Random(5)
    for _ in range(8):
        hints = copy.deepcopy(cert.hints)
        for q in hints["quadratic"]:
            q["alpha"] = str(fmpq(q["alpha"]) * fmpq(rng.randint(1, 9), rng.randint(1, 9)))
            q["clip"] = str(fmpq(rng.randint(1, 40), 4))
        hints["exclude"] = [[rng.randrange(4), str(rng.randint(1, 3)), str(fmpq(rng.randint(0, 9), 7)), "1/1000"]]
        for eta in (None, fmpq(1, 2)):
            v = kernel.check(_doc(D, wrong, fmpq(1, 2), "2", eta, hints) if eta else
                             _doc(D, wrong, fmpq(1, 2), "2", None, {"quadratic": hints["quadratic"]}))
            assert not v.is_proved


def test_budget_and_progress():
    D = Dataset([[0, 0], [3, 1], [1, 4], [4, 4]], [1, 2, 2, 1])
    net, cert = memorize(D, "1/2")
    seen = []
    assert kernel.check(cert.to_json(), progress=lambda l, L: seen.append((l, L))).is_proved
    assert seen[0] == (0, net.depth) and seen[-1] == (net.depth - 1, net.depth)
    v = kernel.check(cert.to_json(), budget=0)
    assert v.is_undecided and "budget" in v.reason


def test_strict_rationals():
    for bad in ["1.5", "1e3", " 3", "3/-7", "+3", "0x10", "\u0663", "3/0", True, None, 1.5, [1]]:
        with pytest.raises(CertificateError):
            parse.rational(bad, "x")
    assert parse.rational("-0", "x") == 0 and parse.rational("6/4", "x") == fmpq(3, 2)


def test_independent_sources_never_cancel():
    """f(x) = (sigma(x1 + 5) - sigma(x2 + 5)) / 5 + 1: slopes on two independent sources sum to 0 on
    every row, yet f is not constant on the balls; the kernel must not call it constant (a one-line slip
    in the engine once did, and this test caught it)."""
    D = Dataset([[0, 0], [10, 5]], [1, 2])                     # f = 1 and 2 at the centres
    f = ReLUNet([([[1, 0], [0, 1]], [5, 5]), ([["1/5", "-1/5"]], [1])])
    v = kernel.check(_doc(D, f, fmpq(1, 2)))
    assert not v.is_proved
    assert _z3_counterexample(f, D, fmpq(1, 2), "2") == 0


def test_rows_merge_only_when_carried_cells_agree():
    import numpy as np
    """Review of issue 22 (a reviewer's reproducer): a carried register's piecewise-linear cell is clipped to its
    row's cut; when two rows of a ball merged without comparing it, the merged row's cut was widened but the cell
    was not, and the points of the other row were silently lost (output 0 claimed on all of the ball; the exact
    output at t0 = 2, t1 = 0, outside the excluded slabs, is 1, by evaluate below).  Every row covering t0 = 2
    must now keep a value that is not the constant 0."""
    from flint import fmpq as Q
    one = Q(1)
    net = [([[(0, one)]] * 6 + [[(1, one)], [(0, one)]], [Q(3, 2), Q(1), Q(-1), Q(-3, 2), Q(3), Q(-3), Q(4), Q(0)]),
           ([[(0, Q(2)), (1, Q(-2)), (2, Q(-2)), (3, Q(2))], [(4, one), (5, one), (7, one)], [(6, one)]], [Q(0)] * 3),
           ([[(0, Q(10)), (2, one)], [(1, one)]], [Q(-6), Q(0)]), ([[(1, one)]], [Q(-6)]), ([[(0, one)]], [Q(0)])]
    assert engine.evaluate(net, [[Q(2), Q(0)]]) == [[1]]
    layers, w = [], 2
    for rows, b in net:
        layers.append(engine.compile_layer(rows, b, w))
        w = len(rows)
    gaps = lambda ball, k: ([Q(-3, 2), Q(1)], [Q(-1), Q(3, 2)]) if k == 0 else None
    cols = [engine.Col(np.array([0], dtype=object), 1, np.array([1], dtype=object), np.array([k])) for k in (0, 1)]
    st = engine.run(layers, engine.State([0], cols), engine.Engine([Q(4), Q(4)], gaps))
    covering = [r for r in range(len(st.ball)) if (lambda c: c is None or c[0] <= 2 <= c[1])(st.cut.get(r, {}).get(0))]
    assert covering
    for r in covering:
        out = st.spec.get(0, {}).get(r, st.cols[0].value(r, [Q(4), Q(4)]))
        assert not (isinstance(out, type(Q(0))) and out == 0), (r, st.cut.get(r))


def test_proportional_wide_units_share_their_sums(monkeypatch):
    """Stop 34: a unit with more than engine.WIDE inputs whose weights are lam times an earlier unit's in the same
    layer takes that unit's piecewise-linear sums, lam (sum - b0) + bias, instead of summing its inputs again.
    The reference is the same analysis with the sharing off (WIDE above the width), and exact evaluation at the
    pieces' midpoints (a third method): the values must be equal cell for cell."""
    import numpy as np
    from flint import fmpq as Q
    m, one = 10, Q(1)
    first = ([[(k, one)] for k in range(m)], [Q(k, 7) - Q(1, 2) for k in range(m)])       # unstable on t in [-1, 1]
    w = [Q(k + 1, 3) for k in range(m)]
    second = ([[(k, w[k]) for k in range(m)], [(k, -2 * w[k]) for k in range(m)], [(k, w[k] / 5) for k in range(m)]],
              [Q(1, 3), Q(5), Q(-2)])
    net, R = [first, second], [one] * m             # the second layer is the last: no ReLU, the sums stay exact

    def run():
        layers, width = [], m
        for rows, b in net:
            layers.append(engine.compile_layer(rows, b, width))
            width = len(rows)
        cols = [engine.Col(np.array([0], dtype=object), 1, np.array([1], dtype=object), np.array([k])) for k in range(m)]
        st = engine.run(layers, engine.State([0], cols), engine.Engine(R))
        return [st.spec.get(u, {}).get(0, st.cols[u].value(0, R)) for u in range(3)]
    calls = []
    real = engine.V.combine
    monkeypatch.setattr(engine.V, "combine", lambda ins, *a: (calls.append(len(ins)), real(ins, *a))[1])
    shared = run()
    assert calls.count(m) == 1                      # one sum of the m inputs; the two multiples derived from it
    monkeypatch.setattr(engine, "WIDE", 10 ** 9)
    assert run() == shared and calls.count(m) == 4
    def at(val, t):                                  # the Sep's value at the point t (a piece containing t_k)
        return val.c + sum((next(v + a * t[k] for lo, hi, v, a in pl.pieces if lo <= t[k] <= hi)
                            for k, pl in val.terms.items()), Q(0))
    for t in ([Q((3 * k) % 7 - 3, 4) for k in range(m)], [Q(1 - 2 * (k % 2)) for k in range(m)], [Q(0)] * m):
        out = engine.evaluate(net, [t])[0]
        for u in range(3):
            assert isinstance(shared[u], engine.V.Sep) and at(shared[u], t) == out[u], (u, t)


def _old_digest(doc):
    import hashlib
    body = json.dumps({k: v for k, v in doc.items() if k != "digest"}, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(body.encode()).hexdigest()


_json = st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=4) |
                     st.floats(allow_nan=False, allow_infinity=False),
                     lambda c: st.lists(c, max_size=40) | st.dictionaries(st.text(max_size=3), c, max_size=20),
                     max_leaves=200)


@settings(max_examples=150, deadline=None)
@given(_json, st.lists(st.lists(st.integers(0, 3), max_size=3), min_size=0, max_size=40), st.integers(0, 40))
def test_streamed_digest_is_the_canonical_json_digest(extra, rows, repeat):
    """``kernel.digest`` writes a network's layers a piece at a time and shared rows once: the same bytes, so the
    same SHA-256, as json.dumps of the whole document (the digest every certificate was issued with)."""
    shared = [[0, "1"]]
    layer = {"cols": 5, "W_rows": [shared] * repeat + [[[j, str(w)] for j, w in enumerate(r)] for r in rows],
             "b": ["0"] * (repeat + len(rows))}
    doc = {"format": "exactmem.certificate", "kind": "x", "extra": extra, "digest": "ignored",
           "network": {"format": "exactmem.relunet", "dims": [5, 3], "layers": [layer, layer, {"W": [[1]], "b": [extra]}]}}
    assert kernel.digest(doc) == _old_digest(doc)
    doc["network"] = extra
    assert kernel.digest(doc) == _old_digest(doc)


def test_streamed_digest_of_real_certificates():
    from exactmem.constructions.moderate_rho import moderate_rho_memorizer
    from exactmem import Dataset
    D = Dataset([[0, 0], [3, 1], [1, 4], [4, 4], [6, 0], [2, 7], [5, 2], [7, 7]], [1, 2, 2, 1, 2, 1, 1, 2])
    doc = moderate_rho_memorizer(D, "1/20", "1/10")[1].to_json()
    assert kernel.digest(doc) == _old_digest(doc) == doc["digest"]
    assert kernel.digest(json.loads(json.dumps(doc))) == doc["digest"]
