"""The sqrt(n/k) experiment (issue 12, part 5): rational points exactly on the sphere, exact interpolation by a
corrected two-layer net (refused when the pattern would flip), the exact chain data <= Lip <= bounds,
reproducibility by seed, and the command ``exactmem law experiment``."""
from fractions import Fraction

import pytest
from flint import fmpq
from hypothesis import given, settings, strategies as st

from exactmem import ReLUNet
from exactmem.cli import main
from exactmem.lipschitz import experiment as E
from exactmem.lipschitz import report as R
from exactmem.lipschitz.interpolation import cap_interpolant, correct, interpolates, trained_interpolant
from exactmem.lipschitz.sphere import lift, random_signs, sphere_points


def _by_hand(net, x):
    """sum_l a_l max(w_l.x + b_l, 0) + c in Python Fractions: an evaluator independent of the kernel's engine."""
    (W, b), (a, c) = net.layers
    F = [Fraction(int(t.p), int(t.q)) for t in x]
    out = Fraction(int(c[0, 0].p), int(c[0, 0].q))
    for l in range(W.nrows()):
        z = sum(Fraction(int(W[l, j].p), int(W[l, j].q)) * F[j] for j in range(len(F))) + \
            Fraction(int(b[l, 0].p), int(b[l, 0].q))
        out += Fraction(int(a[0, l].p), int(a[0, l].q)) * max(z, 0)
    return out


def _q(f):
    return fmpq(f.numerator, f.denominator)


# -- points -------------------------------------------------------------------------------------------------

@given(st.lists(st.fractions(min_value=-50, max_value=50, max_denominator=1000), min_size=1, max_size=5))
def test_lift_is_on_the_sphere_and_inverts_the_stereographic_projection(u):
    x = lift([_q(t) for t in u])
    assert sum((t * t for t in x), fmpq(0)) == 1
    assert x[-1] != 1                                                 # never the pole
    assert [t / (1 - x[-1]) for t in x[:-1]] == [_q(t) for t in u]    # u = x' / (1 - x_d), the projection


@settings(max_examples=15, deadline=None)
@given(st.integers(1, 30), st.integers(2, 6), st.integers(0, 10 ** 6))
def test_sphere_points_are_exact_distinct_and_seeded(n, d, seed):
    X = sphere_points(n, d, seed)
    assert len(X) == n and all(len(x) == d for x in X)
    assert all(sum((t * t for t in x), fmpq(0)) == 1 for x in X)
    assert len({tuple(x) for x in X}) == n
    assert X == sphere_points(n, d, seed)
    y = random_signs(n, d, seed)
    assert set(y) <= {1, -1} and y == random_signs(n, d, seed)


def test_points_are_spread_over_the_sphere():
    """Near-uniform points: the mean is near 0 and the second moment near I/d (floats: a sanity check of the
    finder, not a proof); with 2000 points the sampling error is about 0.02."""
    X = [[float(t) for t in x] for x in sphere_points(2000, 3, 1)]
    for j in range(3):
        assert abs(sum(x[j] for x in X) / 2000) < 0.08
        assert abs(sum(x[j] ** 2 for x in X) / 2000 - 1 / 3) < 0.05
    y = random_signs(2000, 3, 1)
    assert abs(sum(int(t) for t in y)) < 200                           # about 4.5 standard deviations


# -- exact interpolation ------------------------------------------------------------------------------------

@pytest.mark.parametrize("n, d, k", [(4, 2, 4), (8, 3, 4), (10, 4, 4)])
def test_trained_interpolant_is_exact(n, d, k):
    X, y = E.dataset(n, d, 0)
    net, log = trained_interpolant(X, y, k, 0)
    assert net is not None, log
    assert net.dims == [d, k, 1]
    assert all(_by_hand(net, x) == Fraction(int(t.p), int(t.q)) for x, t in zip(X, y))
    assert interpolates(net, X, y).is_proved
    (W, b), (a, c) = net.layers                                       # moving c by 2^-80 breaks it
    bad = ReLUNet([(W, b), (a, [c[0, 0] + fmpq(1, 2 ** 80)])])
    v = interpolates(bad, X, y)
    assert v.is_refuted and v.witness["index"] == 0


def _one_unit(bias):
    return ReLUNet([([[1]], [bias]), ([[1]], [0])])                  # relu(x + bias)


def test_correction_by_hand_and_its_refusal_when_a_pattern_would_flip():
    """X = (1, 2), f = relu(x - 19/10): pre-activations -9/10 and 1/10, so A has rows (w, b, c) = (0, 0, 1) and
    (2, 1, 1); A A^T = [[1, 1], [1, 6]].  For y = (0, 1/5) the residual is (0, 1/10), lambda = (-1/50, 1/50) and
    Delta = A^T lambda = (1/25, 1/50, 0): w = 26/25, b = -47/25, pre-activations -21/25 < 0 and 1/5 > 0 (the
    pattern holds).  For y = (0, 10) the residual is (0, 99/10), Delta = (99/25, 99/50, 0), and at x = 1 the
    pre-activation becomes 1 + 99/25 - 19/10 + 99/50 = 126/25 > 0: the unit would switch on, so refuse."""
    X = [[1], [2]]
    fix = correct(_one_unit(fmpq(-19, 10)), X, [0, fmpq(1, 5)])
    assert fix.kind == "exact"
    (W, b), (a, c) = fix.net.layers
    assert (W[0, 0], b[0, 0], c[0, 0], a[0, 0]) == (fmpq(26, 25), fmpq(-47, 25), 0, 1)
    assert fix.margin == fmpq(1, 5) and fix.details["correction_sq"] == fmpq(1, 625) + fmpq(1, 2500)
    flip = correct(_one_unit(fmpq(-19, 10)), X, [0, 10])
    assert flip.net is None and flip.kind == "flip" and "unit 0 at x_0" in flip.reason


def test_correction_refuses_singular_zero_and_overdetermined_systems():
    X = [[1], [2]]
    s = correct(_one_unit(-5), X, [0, 1])                 # the unit is off at both: two rows (0, 0, 1)
    assert s.net is None and s.kind == "singular"
    z = correct(_one_unit(-1), X, [0, 1])                 # pre-activation exactly 0 at x = 1
    assert z.net is None and z.kind == "zero"
    o = correct(_one_unit(-1), [[1], [2], [3], [4]], [0, 1, 0, 1])   # 4 equations, k(d+1)+1 = 3 unknowns
    assert o.net is None and o.kind == "overdetermined"
    net, log = trained_interpolant([[1], [2], [3], [4]], [0, 1, 0, 1], 1)
    assert net is None and "overdetermined" in log[-1][2]


def test_cap_interpolant_is_exact():
    X, y = E.dataset(12, 3, 2)
    net = cap_interpolant(X, y)
    assert net.dims == [3, 12, 1]
    assert all(_by_hand(net, x) == Fraction(int(t.p), int(t.q)) for x, t in zip(X, y))


# -- rows, chain, table ----------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def tiny():
    return E.experiment([4], [2], [4], seed=0)


def test_rows_and_the_exact_chain(tiny):
    assert [r.family for r in tiny] == ["trained", "constructed"]
    for r in tiny:
        assert r.interpolation.is_proved and r.params == r.net.param_count()
        assert r.ball.is_exact and r.chain.is_proved
        assert r.data_sq <= r.ball.upper_sq <= min(r.path_sq, r.product_sq)
        if r.whole is not None:
            assert r.ball.upper_sq <= r.whole.upper_sq
    # the chain can fail: a result below the data bound is refuted
    r = tiny[0]
    fake = E.Row(**{**r.__dict__, "whole": None})
    fake.ball = type(r.ball)(r.ball.lower, r.ball.upper, 2, r.ball.verdict, fmpq(0), r.data_sq / 2)
    assert E._chain(fake).is_refuted


def test_table_shows_exact_and_missing_rows(tiny):
    text = R.markdown(tiny, None)
    assert text.startswith(R.HEAD)
    assert "| trained | 4 | 2 | 4 | 17 |" in text and "| constructed | 4 | 2 | 4 | 17 |" in text
    assert "neither confirms nor refutes" in text
    missing = E.Row("trained", 16, 2, 1, 0, None, "why not", fmpq(3))
    text = R.markdown([missing], None)
    assert "| trained | 16 | 2 | 1 | 5 | — |" in text and "why not" in text


def test_without_lipschitz_on_the_whole_space(monkeypatch):
    """Until region=None is supported, lipschitz_constant raises InputSetError for it: the rows fall back to
    the unit ball and say so."""
    from exactmem.errors import InputSetError
    real = E.lipschitz_constant

    def ball_only(net, p, region, budget):
        if region is None:
            raise InputSetError("lipschitz_constant needs a bounded set")
        return real(net, p, region, budget)

    monkeypatch.setattr(E, "lipschitz_constant", ball_only)
    rows = E.experiment([4], [2], [4], 0, families=("trained",))
    assert rows[0].whole is None and rows[0].whole_status == "unsupported" and rows[0].chain.is_proved
    text = R.markdown(rows, None)
    assert "| trained | 4 | 2 | 4 | 17 | n/a | " in text and "not supported" in text


def test_budget_gives_certified_intervals():
    rows = E.experiment([8], [3], [4], 0, budget=1e-9, families=("trained",))
    r = rows[0]
    assert not r.ball.is_exact and r.ball.lower_sq <= r.ball.upper_sq and r.chain.is_proved
    assert "[" in R.lip_cell(r.ball)


@settings(max_examples=60, deadline=None)
@given(st.fractions(min_value=Fraction(1, 10 ** 9), max_value=10 ** 9), st.sampled_from([None, True, False]))
def test_decimals_round_outward(f, up):
    q = _q(f)
    t = R.decimal(q, up=up)
    v = _q(Fraction(t))
    if up is True:
        assert v >= q
    elif up is False:
        assert v <= q
    assert abs(v - q) <= q / 500                                      # 4 significant digits


def test_reproducible_by_seed(tmp_path):
    opts = {"ns": [4, 6], "ds": [3], "ks": [4], "seed": 3, "budget": None, "families": E.FAMILIES, "steps": 2000}
    a = R.to_json_text(E.experiment([4, 6], [3], [4], 3), opts)
    b = R.to_json_text(E.experiment([4, 6], [3], [4], 3), opts)
    assert a == b
    c = R.to_json_text(E.experiment([4, 6], [3], [4], 4), {**opts, "seed": 4})
    assert c != a


# -- the command ----------------------------------------------------------------------------------------------

def test_cli_tiny_instance(tmp_path, capsys):
    png, js = tmp_path / "f.png", tmp_path / "f.json"
    assert main(["law", "experiment", "--n", "4", "--d", "2", "--k", "4", "--plot", str(png), "--json",
                 str(js)]) == 0
    out = capsys.readouterr().out
    assert R.HEAD in out and "| trained | 4 | 2 | 4 | 17 |" in out
    assert "`exactmem law experiment --n 4 --d 2 --k 4 --seed 0`" in out
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    import json
    doc = json.loads(js.read_text())
    assert doc["format"] == "exactmem.law-experiment" and len(doc["rows"]) == 2
    row = doc["rows"][0]
    net = ReLUNet.from_json(row["network"])                         # the JSON alone re-proves interpolation
    assert net.dims == [2, 4, 1] and interpolates(net, row["points"], row["labels"]).is_proved
    assert row["n_over_k"] == "1" and row["interpolation"] == "PROVED" and row["lipschitz_ball"]["exact"]
    again = tmp_path / "g.json"
    assert main(["law", "experiment", "--n", "4", "--d", "2", "--k", "4", "--json", str(again)]) == 0
    assert again.read_text() == js.read_text()                       # same command, same numbers


@pytest.mark.parametrize("argv, words", [
    (["--n", "0"], "--n"), (["--n", "4,x"], "--n"), (["--n", ""], "--n"), (["--d", "1"], "--d"),
    (["--k", "0"], "--k"), (["--k", "2.5"], "--k"), (["--seed", "x"], "--seed"), (["--seed", "-1"], "--seed"),
    (["--budget", "0"], "--budget"), (["--budget", "abc"], "--budget"), (["--budget", "nan"], "--budget"),
    (["--family", "trained,foo"], "--family"), (["--steps", "-3"], "--steps"), (["--plot", ""], "--plot")])
def test_cli_bad_options(argv, words, capsys):
    assert main(["law", "experiment", "--n", "4", "--d", "2", "--k", "4"] + argv) == 2
    err = capsys.readouterr().err
    assert "exactmem: error:" in err and words in err
