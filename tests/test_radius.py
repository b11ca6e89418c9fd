"""The anytime certified radius (``certified_radius`` with a budget) and ``exactmem radius`` (issue 21, item 5)."""
from __future__ import annotations

import json
import random
import time

import pytest
from flint import fmpq

from exactmem import ReLUNet, kernel
from exactmem.analysis import ask
from exactmem.analysis.ask import certified_radius
from exactmem.cli import main

# f = (relu(x1 + 5), relu(x2 + 5)): near (1, 0) both units are on, so output 1 is the largest exactly where
# x1 > x2.  By hand, the nearest point of x1 = x2 to (1, 0) is (1/2, 1/2): l_inf distance 1/2, l_1 distance 1,
# l_2 distance 1/sqrt(2) (r^2 = 1/2); the same point is at distance 1/2 from (0, 1) for label 2.
TWO = ReLUNet([([[1, 0], [0, 1]], [5, 5]), ([[1, 0], [0, 1]], [0, 0])])


def _fails(net, w, label):
    """Output ``label`` (1-based) is not strictly the largest at w (argmax fails), exactly."""
    out = net(w)
    return any(out[k] >= out[label - 1] for k in range(len(out)) if k != label - 1)


def _dist(w, x, p):
    v = [fmpq(a) - fmpq(b) for a, b in zip(w, x)]
    return max(map(abs, v)) if p == "inf" else sum(map(abs, v), fmpq(0)) if p == 1 else sum((t * t for t in v), fmpq(0))


@pytest.mark.parametrize("p, want", [("inf", fmpq(1, 2)), (1, fmpq(1)), (2, fmpq(1, 2))])
def test_radius_agrees_with_the_value_derived_by_hand(p, want):
    c = certified_radius(TWO, [1, 0], 1, p=p, semantics="argmax")
    got = (c.lower_sq, c.upper_sq) if p == 2 else (c.lower, c.upper)
    assert got == (want, want) and c.is_exact
    assert kernel.check(c.certificate).is_proved and _fails(TWO, c.witness, 1)


def _random_net(seed, dims):
    rng = random.Random(seed)
    return ReLUNet([([[fmpq(rng.randint(-40, 40), 16) for _ in range(a)] for _ in range(b)],
                     [fmpq(rng.randint(-16, 16), 16) for _ in range(b)]) for a, b in zip(dims, dims[1:])])


def _classified_point(net, seed):
    rng = random.Random(seed)
    x = [fmpq(rng.randint(-8, 8), 8) for _ in range(net.input_dim)]
    out = net(x)
    label = max(range(len(out)), key=lambda k: out[k]) + 1
    assert not _fails(net, x, label)
    return x, label


def test_when_the_exact_search_eats_the_budget_a_positive_radius_is_still_proved(monkeypatch):
    """Regression (issue 21): the nearest-failing-point search over the whole ball used to run first and spend
    the budget, leaving lower bound 0.  Here it is made to spend its whole share and find nothing; the radius
    proved before it (a small ball, then four times it) must survive, with its certificate and an exact
    failing point beyond it."""
    net = _random_net(1, [6, 16, 3])
    x, label = _classified_point(net, 1)

    def slow(layers, S, goal, p, budget):
        time.sleep(budget or 0)
        return None
    monkeypatch.setattr(ask, "_nearest", slow)
    c = certified_radius(net, x, label, p="inf", semantics="argmax", budget=1.5)
    assert c.verdict.is_proved and c.lower > 0
    doc = json.loads(json.dumps(c.certificate))
    assert kernel.check(doc).is_proved and doc["data"]["questions"][0]["set"]["radius"] == str(c.lower)
    assert c.upper is not None and c.lower < c.upper and _fails(net, c.witness, label)
    assert _dist(c.witness, x, "inf") == c.upper


@pytest.mark.parametrize("p", ["inf", 2])
def test_a_tiny_budget_still_proves_a_positive_radius(p):
    net = _random_net(7, [8, 24, 24, 3])
    x, label = _classified_point(net, 7)
    start = time.monotonic()
    c = certified_radius(net, x, label, p=p, semantics="argmax", budget=1.5)
    assert time.monotonic() - start < 10
    assert c.verdict.is_proved and c.lower > 0 and kernel.check(c.certificate).is_proved
    if c.upper is not None:                                     # the witness fails exactly at the stated distance
        assert _fails(net, c.witness, label)
        assert _dist(c.witness, x, p) == (c.upper_sq if p == 2 else c.upper)
        assert (c.lower_sq < c.upper_sq) if p == 2 else (c.lower <= c.upper)


def test_with_a_budget_the_exact_answer_is_still_reached():
    """The budgeted path (a small ball first, then the exact nearest failing point in its share of the time)
    still ends exact on the hand-derived network: 1/2 from (0, 1) in l_inf."""
    c = certified_radius(TWO, [0, 1], 2, p="inf", semantics="argmax", budget=30)
    assert c.lower == c.upper == fmpq(1, 2) and c.is_exact


@pytest.fixture
def files(tmp_path):
    net = tmp_path / "net.json"
    net.write_text(json.dumps(TWO.to_json()))
    good = tmp_path / "good.csv"
    good.write_text("1,0,1\n0,1,2\n")
    missed = tmp_path / "missed.csv"
    missed.write_text("1,0,1\n0,1,1\n0,2,2\n")               # at (0, 1) output 2 is the largest, not output 1
    return tmp_path, net, good, missed


def test_cli_prints_both_ends_and_exits_0_when_every_point_is_proved(files, capsys):
    tmp, net, good, _ = files
    out = tmp / "r.json"
    assert main(["radius", str(net), str(good), "--p", "inf", "--budget", "20", "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "point 0 (label 1): EXACT  r >= 1/2" in text and "r <= 1/2" in text and "2 of 2 points" in text
    rows = json.loads(out.read_text())["points"]
    assert [(r["lower"], r["upper"], r["exact"]) for r in rows] == [("1/2", "1/2", True)] * 2


def test_cli_exits_1_when_a_point_has_no_radius(files, capsys):
    _, net, _, missed = files
    assert main(["radius", str(net), str(missed), "--p", "1"]) == 1
    text = capsys.readouterr().out
    assert "point 1 (label 1): MISSED" in text and "2 of 3 points" in text


@pytest.mark.parametrize("extra, match", [(["--p", "3"], "--p"), (["--budget", "-1"], "--budget"),
                                          (["--semantics", "vote"], "--semantics"),
                                          (["--label-column", "x"], "--label-column")])
def test_cli_bad_options_are_one_line_errors(files, capsys, extra, match):
    _, net, good, _ = files
    assert main(["radius", str(net), str(good)] + extra) == 2
    err = capsys.readouterr().err
    assert err.startswith("exactmem: error:") and match in err and err.count("\n") == 1


def test_cli_bad_files_are_one_line_errors(files, capsys):
    tmp, net, good, _ = files
    wide = tmp / "wide.csv"
    wide.write_text("1,0,0,1\n0,1,0,2\n")
    for argv, match in (([str(net), str(tmp / "none.csv")], "none.csv"), ([str(net), str(wide)], "3 coordinates"),
                        ([str(good), str(good)], "good.csv"), ([str(net), str(good), "--out", str(tmp)], "folder")):
        assert main(["radius"] + argv) == 2
        err = capsys.readouterr().err
        assert err.startswith("exactmem: error:") and match in err and err.count("\n") == 1, err


@pytest.mark.parametrize("p", ["inf", "2"])
def test_cli_over_two_workers_prints_and_writes_what_serial_does(files, capsys, p):
    """``-j 2``: the points go to two worker processes (one point per work item); the printed lines and the rows
    written are those of the serial run (the radii are exact, so nothing may differ), on a file with a missed
    centre (exit 1 on both)."""
    tmp, net, _, missed = files
    runs = []
    for extra in ([], ["-j", "2"]):
        out = tmp / f"r{len(extra)}.json"
        status = main(["radius", str(net), str(missed), "--p", p, "--out", str(out)] + extra)
        text = capsys.readouterr().out.replace(str(out), "OUT")
        runs.append((status, text, json.loads(out.read_text())["points"]))
    assert runs[0] == runs[1]
    assert runs[0][0] == 1 and "point 1 (label 1): MISSED" in runs[0][1]


def test_rows_on_a_bad_executor_and_a_worker_error_are_clear_errors():
    """A non-executor is an OptionError; a point the worker refuses (a label beyond the outputs) comes back as an
    ExactmemError naming the point."""
    from exactmem import parallel
    from exactmem.analysis import radii
    from exactmem.errors import ExactmemError, OptionError
    with pytest.raises(OptionError, match="executor"):
        radii.rows(TWO, [[1, 0]], [1], "inf", "argmax", None, object())
    with parallel.executor() as ex, pytest.raises(ExactmemError, match="point 1"):
        radii.rows(TWO, [[1, 0], [0, 1]], [1, 7], "inf", "argmax", None, ex)


def test_robust_with_a_bad_executor_is_an_option_error():
    """``robustly_memorizes(..., executor=object())`` names the executor (an OptionError), as the queues do."""
    from exactmem import Dataset
    from exactmem.errors import OptionError
    from exactmem.robust import robustly_memorizes
    with pytest.raises(OptionError, match="executor"):
        robustly_memorizes(TWO, Dataset([[1, 0], [0, 1]], [1, 2]), "1/2", p="inf", executor=object())
