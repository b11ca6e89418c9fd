"""VNN-LIB properties decided exactly (issue 11), on files written by tests/make_files.py.

Float traps: a network whose float32 evaluation says sat where the exact answer is unsat (a margin of 2^-30,
below one float32 ulp of 1), a box with lower = upper bounds, and inconsistent bounds (a clear error)."""
import json

import pytest
from flint import fmpq

from exactmem import kernel, vnnlib
from exactmem.cli import load_network, main
from exactmem.vnnlib import VnnlibError, decimal, parse

pytest.importorskip("onnx")
import make_files  # noqa: E402


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    return make_files.write(tmp_path_factory.mktemp("vnn"))


def test_parse_reads_decimals_exactly_and_negates_the_unsafe_set():
    p = parse("""; comment
    (declare-const X_0 Real) (declare-const X_1 Real) (declare-const Y_0 Real) (declare-const Y_1 Real)
    (assert (<= X_0 0.1)) (assert (>= X_0 (- 0.3))) (assert (<= X_1 1e-3)) (assert (>= X_1 -1))
    (assert (<= (+ X_0 (* 2 X_1)) 0.5))
    (assert (or (and (>= Y_0 Y_1) (< Y_1 2)) (and (> (- Y_0 Y_1) 0.25))))""")
    lo, hi, rows = p.boxes[0]
    assert lo == [fmpq(-3, 10), -1] and hi == [fmpq(1, 10), fmpq(1, 1000)]
    assert rows == [[-1, -2, fmpq(1, 2)]]                       # 0.5 - x0 - 2 x1 >= 0
    # unsafe: (Y0 - Y1 >= 0 and 2 - Y1 > 0) or (Y0 - Y1 - 1/4 > 0); safe = its negation, clause by clause
    assert p.goal == [[([-1, 1], 0, True), ([0, 1], -2, False)], [([-1, 1], fmpq(1, 4), False)]]


@pytest.mark.parametrize("text, match", [
    ("(declare-const X_0 Real)(declare-const Y_0 Real)(assert (<= X_0 1))(assert (<= Y_0 0))", "lower and an upper"),
    ("(declare-const X_0 Real)(declare-const Y_0 Real)(assert (<= X_0 1)", "unbalanced"),
    ("(declare-const X_0 Real)(declare-const Y_0 Real)(assert (<= (* X_0 X_0) 1))", "not linear"),
    ("(declare-const X_0 Real)(declare-const Y_0 Real)(assert (<= X_0 Y_0))", "mixing"),
    ("(declare-const X_1 Real)(declare-const Y_0 Real)", "X_0"),
    ("(declare-const X_0 Real)(declare-const Y_0 Real)(assert (<= X_0 z))", "unknown symbol"),
    ("(declare-const X_0 Real)(declare-const Y_0 Real)(assert (< X_0 1))(assert (>= X_0 0))(assert (<= Y_0 0))",
     "strict input"),
    ("(declare-const X_0 Real)(declare-const Y_0 Real)(check-sat)", "unsupported command"),
    ("(declare-const X_0 Real)(declare-const Y_0 Real)(assert (<= X_0 1))(assert (>= X_0 0))(assert (>= Y_3 1))",
     "Y_3 is used but not declared"),                                   # review finding: was dropped (unsat)
    ("(declare-const X_0 Real)(declare-const Y_0 Real)(assert (<= X_5 1))", "X_5 is used but not declared"),
])
def test_malformed_properties_are_named(text, match):
    with pytest.raises(VnnlibError, match=match):
        parse(text)


def test_float_trap_is_unsat_exactly_and_sat_in_float32(files):
    arrays = make_files.trap_arrays()
    assert make_files.float32_forward(arrays, [2.0 ** 24])[0] < 0             # a float32 verifier: "sat"
    net = load_network(files / "trap.onnx")
    assert net([2 ** 24])[0] == fmpq(1, 2 ** 30)                               # exactly 2^-30 > 0
    r = vnnlib.decide(net, vnnlib.read(files / "trap.vnnlib"))
    assert r.status == "unsat" and kernel.check(r.certificate).is_proved
    doc = json.loads(json.dumps(r.certificate))                                # the same tree for "f <= -2^-29"
    doc["data"]["questions"][0]["goal"][0][0][1] = str(fmpq(-1, 2 ** 29))      # would claim f > 2^-29: false
    assert not kernel.check(kernel.sign(doc)).is_proved


def test_local_properties_and_the_result_format(files, tmp_path, capsys):
    for name in ("mlp.onnx", "mlp.nnet"):
        assert main(["vnnlib", str(files / name), str(files / "local_unsat.vnnlib"), "--out", str(tmp_path / "r")]) == 0
        assert (tmp_path / "r").read_text() == "unsat\n"
        assert main(["verify", str(tmp_path / "r.cert.json")]) == 0
    assert main(["vnnlib", str(files / "mlp.onnx"), str(files / "local_sat.vnnlib"), "--out", str(tmp_path / "s")]) == 0
    lines = (tmp_path / "s").read_text().splitlines()
    assert lines[0] == "sat" and len(lines) == 5
    vals = [fmpq(to.split()[1].rstrip(")")) if "/" in to else _dec(to.split()[1].rstrip(")")) for to in lines[1:]]
    net = load_network(files / "mlp.onnx")
    x, y = vals[:2], vals[2:]
    assert net(x) == y and y[1] >= y[0]                                        # the assignment meets the property
    assert all(-8 <= t <= 8 for t in x)
    capsys.readouterr()
    assert main(["vnnlib", str(files / "mlp.onnx"), str(files / "inconsistent.vnnlib")]) == 2
    assert "inconsistent bounds" in capsys.readouterr().err


def _dec(s):
    """A decimal string exactly (the result file holds exact decimals for dyadic values)."""
    from exactmem import to_rational
    return to_rational(s)


def test_decimal_is_exact_for_finite_decimals():
    assert decimal(fmpq(-3, 8)) == "-0.375" and decimal(fmpq(5)) == "5" and decimal(fmpq(1, 1000)) == "0.001"
    from fractions import Fraction                                             # reads decimals exactly
    for q in (fmpq(1, 2 ** 30), fmpq(-123456789, 2 ** 70), fmpq(7, 5 ** 9)):
        assert Fraction(decimal(q)) == Fraction(int(q.p), int(q.q))
    assert decimal(fmpq(-1, 3)).startswith("-0.3333333333")


HDR = "(declare-const X_0 Real)(declare-const X_1 Real)(declare-const Y_0 Real)"
BOX = "(assert (>= X_0 0))(assert (<= X_0 1))(assert (>= X_1 0))(assert (<= X_1 1))"


def test_empty_disjunction_is_unsat_and_huge_dnfs_are_refused():
    """(or) is false: nothing meets the property, whatever the network.  A conjunction of 15 two-way
    disjunctions would be 2^15 boxes: refused at the first product beyond 10^4 (2^14), with its count."""
    from exactmem import ReLUNet
    net = ReLUNet([([[3, 0], [0, 3]], [0, 0]), ([[1, -1]], [0])])
    for text in (HDR + BOX + "(assert (or))", HDR + BOX + "(assert (or))(assert (>= Y_0 0))"):
        r = vnnlib.decide(net, parse(text))
        assert r.status == "unsat" and "empty disjunction" in r.reason and r.vnncomp() == "unsat\n"
    many = "".join(f"(assert (or (>= Y_0 {i}) (<= Y_0 -{i})))" for i in range(1, 16))
    with pytest.raises(VnnlibError, match="16384 disjuncts"):
        parse(HDR + BOX + many)


def test_a_counterexample_without_a_decimal_expansion_is_said_to_be_rounded():
    """3 x_0 = 1 forces x_0 = 1/3: the exact point is sat, and no decimal meets the property, which the
    result's reason says (its VNN-COMP file can only round)."""
    from exactmem import ReLUNet
    net = ReLUNet([([[3, 0], [0, 3]], [0, 0]), ([[1, -1]], [0])])     # y = 3 relu(x_0) - 3 relu(x_1)
    r = vnnlib.decide(net, parse(HDR + BOX + "(assert (>= (* 3 X_0) 1))(assert (<= (* 3 X_0) 1))(assert (>= Y_0 1))"))
    assert r.status == "sat" and r.x == [fmpq(1, 3), 0] and r.y == [1] and "rounds" in r.reason
    r = vnnlib.decide(net, parse(HDR + BOX + "(assert (>= Y_0 1))"))
    assert r.status == "sat" and "rounds" not in r.reason and net(r.x)[0] >= 1
    assert all(vnnlib._places(t) is not None for t in r.x)
