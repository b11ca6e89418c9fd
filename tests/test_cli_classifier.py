"""A command line that fits a trained classifier (issue 20, part 4): ``verify`` accepts every certificate kind
against the user's files and names what was proved; "proves less" is its own answer; ``robust --radius`` and
the default semantics; CSV and numpy datasets with a label column and 0-based labels; ``Dataset.save``;
budgeted Lipschitz answers are never PROVED; help on every option; a short repr for deep networks.

The small problems are chosen so that every expected number is found by hand (each test says how)."""
import hashlib
import json
from decimal import Decimal

import numpy as np
import pytest
from flint import fmpq

from exactmem import Dataset, ReLUNet, kernel
from exactmem.cli import build_parser, main
from exactmem.errors import ExactmemError, SerializationError

# D: (0, 0) and (0, 3) labelled 1, (3, 0) labelled 2.  The closest differently labelled pair is (0, 0)-(3, 0)
# (distance 3; (0, 3)-(3, 0) is 3 sqrt 2), so eps_D = 3/2 in l_2, and rho = 1/2 gives radius 3/4.
POINTS, LABELS = [[0, 0], [3, 0], [0, 3]], [1, 2, 1]
# RAMP = 1 + relu(x1 - 1) - relu(x1 - 2): 1 for x1 <= 1, 2 for x1 >= 2.  On balls of radius r around the points
# it is right iff r <= 1 (x1 of ball 0 stays below 1; of ball 1 above 2): PROVED at rho = 1/2 (r = 3/4).
RAMP = ReLUNet([([[1, 0], [1, 0]], [-1, -2]), ([[1, -1]], [1])])
# TWO = (3/2 - x1, x1 - 3/2) through relu(x1), relu(-x1): output 1 is the larger iff x1 < 3/2 -- an argmax
# classifier with two outputs, right on balls of radius < 3/2.
TWO = ReLUNet([([[1, 0], [-1, 0]], [0, 0]), ([[-1, 1], [1, -1]], ["3/2", "-3/2"])])


def _sha12(net):
    """The digest as docs/analysis.md defines it, computed here from its definition."""
    text = json.dumps(net.to_json(sparse=True), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:12]


@pytest.fixture(scope="module")
def work(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("classifier")
    Dataset(POINTS, LABELS).save(tmp / "d.json")
    RAMP.save(tmp / "ramp.json")
    TWO.save(tmp / "two.json")
    return tmp


def _main(capsys, *argv):
    try:
        status = main([str(a) for a in argv])
    except SystemExit as e:             # argparse's usage errors
        status = e.code
    out = capsys.readouterr()
    return status, out.out, out.err


@pytest.fixture(scope="module")
def ramp_cert(work):
    """The certificate ``exactmem robust --out`` writes for RAMP at rho = 1/2."""
    assert main(["robust", str(work / "ramp.json"), str(work / "d.json"), "--rho", "1/2",
                 "--out", str(work / "c.json")]) == 0
    return work / "c.json"


def test_verify_accepts_the_certificate_robust_writes(work, ramp_cert, capsys):
    """It was MALFORMED ('a region-cover certificate does not prove robust memorization')."""
    status, out, _ = _main(capsys, "verify", ramp_cert, "--network", work / "ramp.json", "--dataset", work / "d.json")
    assert status == 0 and out.startswith(f"{ramp_cert}: PROVED")
    assert "MALFORMED" not in out
    assert f"network: sha256 {_sha12(RAMP)}, 2 -> 2 -> 1 (9 parameters), as in {work / 'ramp.json'}" in out
    assert f"data: N = 3 points in R^2, C = 2 labels" in out and f"as in {work / 'd.json'}" in out
    assert "balls: open l_2 balls of radius 3/4 = 0.75 (rho = 1/2 = 0.5 of eps_D = 3/2 = 1.5), semantics label" in out


def test_robust_suggests_the_check_that_works(work, capsys):
    status, out, _ = _main(capsys, "robust", work / "ramp.json", work / "d.json", "--rho", "1/2", "--out",
                           work / "c2.json")
    assert status == 0
    again = out.split("re-check it against your files: ")[1].split(")")[0].split()
    assert again[:2] == ["exactmem", "verify"]
    r = _main(capsys, *again[1:])
    assert r[0] == 0, r


def test_bare_verify_names_network_data_and_rho(ramp_cert, capsys):
    status, out, _ = _main(capsys, "verify", ramp_cert)
    assert status == 0
    assert f"network: sha256 {_sha12(RAMP)}" in out
    assert "data: N = 3 points in R^2, C = 2 labels" in out and "(the certificate's own)" in out
    assert "rho = 1/2" in out and "radius 3/4" in out


def test_a_larger_rho_than_proved_proves_less(work, ramp_cert, capsys):
    """rho = 3/4 (radius 9/8, by hand 3/4 * 3/2) is more than the certificate's 1/2: PROVES LESS, exit 1."""
    status, out, _ = _main(capsys, "verify", ramp_cert, "--network", work / "ramp.json", "--dataset",
                           work / "d.json", "--rho", "3/4")
    assert status == 1
    assert out.startswith(f"{ramp_cert}: PROVES LESS: ") and "MALFORMED" not in out
    assert "radius 3/4" in out and "radius 9/8" in out


def test_a_smaller_rho_is_checked_by_the_kernel_at_that_rho(work, ramp_cert, capsys):
    from exactmem.proves import tie
    doc = kernel.read(str(ramp_cert))
    t = tie(doc, network=RAMP, dataset=Dataset(POINTS, LABELS), rho=fmpq(1, 4))
    assert t.less is None and t.doc["data"]["rho"] == "1/4" and t.doc["digest"] != doc["digest"]
    assert kernel.check(t.doc).is_proved
    status, out, _ = _main(capsys, "verify", ramp_cert, "--dataset", work / "d.json", "--rho", "1/4")
    assert status == 0 and "radius 3/8" in out          # 1/4 * 3/2


def test_verify_of_another_network_is_still_refused(work, ramp_cert, capsys):
    status, out, _ = _main(capsys, "verify", ramp_cert, "--network", work / "two.json")
    assert status == 2 and "MALFORMED" in out and "different network" in out


def test_semantics_default_to_argmax_for_several_outputs(work, capsys):
    """`--semantics label` (the old default) failed on every multi-output network."""
    status, out, _ = _main(capsys, "robust", work / "two.json", work / "d.json", "--rho", "1/2", "--out",
                           work / "two-c.json")
    assert status == 0, out
    assert "semantics argmax (the default for a network with 2 outputs)" in out
    status, out, _ = _main(capsys, "verify", work / "two-c.json", "--network", work / "two.json", "--dataset",
                           work / "d.json")
    assert status == 0 and "semantics argmax" in out
    status, _, err = _main(capsys, "robust", work / "two.json", work / "d.json", "--rho", "1/2", "--semantics", "label")
    assert status == 2 and "needs 1 output" in err


def test_absolute_radius(work, tmp_path, capsys):
    """D2 = {(0, 0) -> 1, (1, 1) -> 2}: eps_D = sqrt(2)/2, irrational.  F = 1 + 2 relu(x+y-3/4) - 2 relu(x+y-5/4)
    is 1 where x + y <= 3/4 and 2 where x + y >= 5/4; on the ball of (0, 0) of radius r, x + y reaches r sqrt 2,
    so F is right iff r sqrt 2 <= 3/4, i.e. r^2 <= 9/32: PROVED at r = 1/2 (r^2 = 8/32), REFUTED at 3/5."""
    Dataset([[0, 0], [1, 1]], [1, 2]).save(tmp_path / "d2.json")
    ReLUNet([([[1, 1], [1, 1]], ["-3/4", "-5/4"]), ([[2, -2]], [1])]).save(tmp_path / "f.json")
    f, d2, c = tmp_path / "f.json", tmp_path / "d2.json", tmp_path / "c.json"
    status, out, _ = _main(capsys, "robust", f, d2, "--radius", "1/2", "--out", c)
    assert status == 0 and "radius 1/2 = 0.5 (rho = sqrt(1/2) ≈ 0.7071068 of eps_D = sqrt(1/2)" in out
    status, out, _ = _main(capsys, "robust", f, d2, "--radius", "3/5")
    assert status == 1 and out.startswith("REFUTED") and "radius 3/5" in out
    status, out, _ = _main(capsys, "verify", c, "--network", f, "--dataset", d2)
    assert status == 0 and "radius 1/2" in out
    status, out, _ = _main(capsys, "verify", c, "--dataset", d2, "--rho", "1/2")     # r = sqrt(2)/4 < 1/2
    assert status == 0 and "rho = 1/2" in out
    status, out, _ = _main(capsys, "verify", c, "--dataset", d2, "--radius", "3/5")
    assert status == 1 and "PROVES LESS" in out
    status, out, err = _main(capsys, "verify", c, "--dataset", d2, "--radius", "1")     # 1 > eps_D = 0.707...
    assert status == 2 and "--radius" in err and "MALFORMED" not in out
    for argv, option in ((["--radius", "1"], "--radius"), (["--radius", "0"], "--radius"),
                         (["--rho", "1/2", "--radius", "1/2"], "--rho"), ([], "--rho")):
        status, _, err = _main(capsys, "robust", f, d2, *argv)
        assert status == 2 and option in err and "Traceback" not in err


def test_every_certificate_kind_verifies_against_the_network(work, tmp_path, capsys):
    """A Lipschitz certificate and a VNN-LIB one are about a network: --network applies, --dataset does not."""
    lc = tmp_path / "lip.json"
    assert _main(capsys, "lipschitz", work / "two.json", "--out", lc)[0] == 0
    status, out, _ = _main(capsys, "verify", lc, "--network", work / "two.json")
    assert status == 0 and "set: all of R^d" in out and f"sha256 {_sha12(TWO)}" in out
    status, out, err = _main(capsys, "verify", lc, "--dataset", work / "d.json")
    assert status == 2 and "--dataset" in err and "lipschitz" in err and out == ""
    (tmp_path / "p.vnnlib").write_text("(declare-const X_0 Real)\n(declare-const X_1 Real)\n(declare-const Y_0 Real)\n"
                                       "(assert (>= X_0 0))\n(assert (<= X_0 1))\n(assert (>= X_1 0))\n"
                                       "(assert (<= X_1 1))\n(assert (<= Y_0 0))\n")     # RAMP >= 1 > 0: unsat
    assert _main(capsys, "vnnlib", work / "ramp.json", tmp_path / "p.vnnlib", "--cert", tmp_path / "v.json")[0] == 0
    status, out, _ = _main(capsys, "verify", tmp_path / "v.json", "--network", work / "ramp.json")
    assert status == 0 and "questions: 1 input set(s)" in out
    status, _, err = _main(capsys, "verify", tmp_path / "v.json", "--rho", "1/2")
    assert status == 2 and "--rho" in err


def test_csv_and_numpy_datasets_with_label_options(work, ramp_cert, tmp_path, capsys):
    """scikit-learn's labels 0..C-1 and its habit of a label column: the same dataset D from every format."""
    (tmp_path / "d.csv").write_text("x1,x2,y\n0,0,0\n3,0,1\n0,3,0\n")
    (tmp_path / "first.csv").write_text("0,0.0,0\n1,3,0\n0,0,3\n")                  # labels in column 0
    X, y = np.array(POINTS, dtype=float), np.array(LABELS) - 1
    np.save(tmp_path / "d.npy", np.column_stack([X, y]))
    np.savez(tmp_path / "d.npz", X=X, y=y)
    runs = [("d.csv", []), ("first.csv", ["--label-column", "0"]), ("d.npy", []), ("d.npz", [])]
    for name, extra in runs:
        status, out, err = _main(capsys, "robust", work / "ramp.json", tmp_path / name, "--rho", "1/2",
                                 "--labels-from", "0", *extra)
        assert status == 0 and "radius 3/4" in out, (name, out, err)
    status, _, err = _main(capsys, "robust", work / "ramp.json", tmp_path / "d.csv", "--rho", "1/2")
    assert status == 2 and "--labels-from 0" in err and "label at index 0 is 0" in err
    status, _, err = _main(capsys, "robust", work / "ramp.json", work / "d.json", "--rho", "1/2",
                           "--label-column", "0")
    assert status == 2 and "--label-column" in err
    status, out, _ = _main(capsys, "verify", ramp_cert, "--dataset", tmp_path / "d.npy", "--labels-from", "0")
    assert status == 0 and "PROVED" in out
    assert Dataset.load(tmp_path / "d.npz", labels_from=0) == Dataset(POINTS, LABELS)


def test_numpy_floats_are_their_binary_values_csv_text_its_decimals(tmp_path):
    X = np.array([[0.1, 0.0], [0.3, 0.2]])
    np.save(tmp_path / "x.npy", np.column_stack([X, [1, 2]]))
    (tmp_path / "x.csv").write_text("0.1,0.0,1\n0.3,0.2,2\n")
    assert Dataset.load(tmp_path / "x.npy").point(0)[0] == fmpq(*Decimal(0.1).as_integer_ratio())
    assert Dataset.load(tmp_path / "x.csv").point(0)[0] == fmpq(1, 10)


@pytest.mark.parametrize("points", [
    [[0, "1/3"], ["-5/2", 7]],
    [[0.1, 0.0], [0.3, -2.5e-300]],                  # dyadic values of floats: exact decimals in CSV
    [["123456789012345678901234567890", "1/7"], [0, 0]],
])
def test_dataset_save_round_trips(tmp_path, points):
    D = Dataset(points, [2, 1])
    for name in ("d.json", "d.csv", "d.JSON"):
        D.save(tmp_path / name)
        assert Dataset.load(tmp_path / name) == D


def test_csv_writes_exact_decimals(tmp_path):
    """A float's binary value has a finite decimal expansion, which Python's Decimal gives independently."""
    Dataset([[0.1, "1/3"], [1, 0]], [1, 2]).save(tmp_path / "d.csv")
    lines = (tmp_path / "d.csv").read_text().splitlines()
    assert lines[0] == "x1,x2,label"
    assert lines[1] == f"{Decimal(0.1)},1/3,1" and lines[2] == "1,0,2"


def test_floats_in_a_data_file_are_not_called_a_certificate(tmp_path):
    """A JSON dataset file holds decimals as written (as docs/datasets.md says); a network file refuses them,
    naming the file, not a certificate."""
    (tmp_path / "d.json").write_text('{"format": "exactmem.dataset", "schema_version": 1, '
                                     '"points": [[0.1, 0], [0.3, 1e-1]], "labels": [1, 2]}')
    D = Dataset.from_json(tmp_path / "d.json")
    assert D.points[0][0] == fmpq(1, 10) and D.points[1] == [fmpq(3, 10), fmpq(1, 10)]
    (tmp_path / "n.json").write_text(json.dumps(RAMP.to_json()).replace('"1"', "0.5", 1))
    with pytest.raises(SerializationError) as e:
        ReLUNet.from_json(tmp_path / "n.json")
    assert "certificate" not in str(e.value) and "n.json" in str(e.value) and "0.5" in str(e.value)


def test_zero_based_labels_have_a_hint_and_a_shift():
    with pytest.raises(ExactmemError, match="labels_from=0"):
        Dataset([[0], [1]], [0, 1])
    assert Dataset.from_numpy(np.array([[0.0], [1.0]]), np.array([0, 1]), labels_from=0).labels == (1, 2)
    with pytest.raises(ExactmemError, match="below the first label 0"):
        Dataset.from_numpy(np.array([[0.0], [1.0]]), [-1, 0], labels_from=0)


def _steep():
    rng = np.random.default_rng(3)
    W1, b1 = rng.integers(-3, 4, (6, 2)), rng.integers(-3, 4, 6)
    W2, b2, W3 = rng.integers(-3, 4, (6, 6)), rng.integers(-3, 4, 6), rng.integers(-3, 4, (1, 6))
    return ReLUNet([(W1, b1), (W2, b2), (W3, [0])])


def test_a_budgeted_lipschitz_answer_is_never_proved(tmp_path, capsys):
    """With a budget spent after the first region the interval is certified, not closed: CERTIFIED INTERVAL, exit
    1 (it said PROVED and exited 0).  Without a budget the constant is decided (PROVED, exact, exit 0), and it
    lies in the budgeted interval."""
    from exactmem.exact import to_rational
    _steep().save(tmp_path / "n.json")
    status, out, _ = _main(capsys, "lipschitz", tmp_path / "n.json", "--p", "inf")
    assert status == 0 and out.startswith("PROVED: ") and "(exact)" in out
    exact = to_rational(out.split("= ")[1].split(" ")[0])
    status, out, _ = _main(capsys, "lipschitz", tmp_path / "n.json", "--p", "inf", "--budget", "1e-9")
    assert status == 1 and out.startswith("CERTIFIED INTERVAL: ") and "PROVED" not in out.splitlines()[0]
    lo, hi = (to_rational(t.split(" ")[0]) for t in out.split(" in [")[1].split("]")[0].split(", "))
    assert lo <= exact <= hi and lo < hi


def test_every_option_and_subcommand_has_help():
    import argparse

    def walk(parser, name):
        for action in parser._actions:
            assert action.help and action.help.strip(), f"{name}: {action.option_strings or action.dest} has no help"
            if isinstance(action, argparse._SubParsersAction):
                for sub, p in action.choices.items():
                    assert p.description, f"{name} {sub} --help has no description"
                    yield from walk(p, f"{name} {sub}")
                    yield f"{name} {sub}"
    seen = list(walk(build_parser(), "exactmem"))
    assert "exactmem bounds eval" in seen and "exactmem law experiment" in seen and len(seen) >= 15


@pytest.mark.parametrize("command", ["robust", "vnnlib", "lipschitz", "verify"])
def test_network_help_names_pytorch(command, capsys):
    with pytest.raises(SystemExit):
        main([command, "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert ".pt" in text and ".onnx" in text and ".nnet" in text


def test_repr_of_a_deep_network_is_short():
    small = ReLUNet([([[1], [-1]], [0, 0]), ([[1, 1]], [0])])
    assert repr(small) == "ReLUNet(dims=[1, 2, 1], params=7)"          # 2 + 2 + 2 + 1 parameters
    deep = ReLUNet([([[1, 0], [0, 1]], [0, 0])] * 900 + [([[1, 1]], [0])])
    text = repr(deep)
    assert text == "ReLUNet(dims=[2, 2, 2, ..., 2, 1] (901 layers), params=5403)"    # 900 * (4 + 2) + 2 + 1
    assert len(str(deep)) < 80


def test_a_scikit_learn_classifier_from_its_own_files(tmp_path, capsys):
    """As a new user would: three clusters, labels 0..2 in a CSV file, an MLPClassifier (three outputs) whose
    float weights are read exactly; robust at a small rho with the defaults (argmax for three outputs), then
    verify the certificate against the same files."""
    sklearn = pytest.importorskip("sklearn.neural_network")
    rng = np.random.default_rng(0)
    centres = np.array([[0.0, 0.0], [4.0, 0.0], [0.0, 4.0]])
    y = np.repeat([0, 1, 2], 6)
    X = np.round(centres[y] + rng.normal(scale=0.5, size=(18, 2)), 2)
    clf = sklearn.MLPClassifier(hidden_layer_sizes=(8,), random_state=0, max_iter=2000).fit(X, y)
    assert (clf.predict(X) == y).all()
    with open(tmp_path / "data.csv", "w") as fh:
        fh.write("a,b,label\n" + "".join(f"{a},{b},{c}\n" for (a, b), c in zip(X.tolist(), y.tolist())))
    net = ReLUNet.from_numpy([W.T for W in clf.coefs_], clf.intercepts_)
    net.save(tmp_path / "net.json")
    status, out, err = _main(capsys, "robust", tmp_path / "net.json", tmp_path / "data.csv", "--rho", "1/100",
                             "--labels-from", "0", "--out", tmp_path / "c.json")
    assert status == 0, (out, err)
    assert "semantics argmax (the default for a network with 3 outputs)" in out
    status, out, _ = _main(capsys, "verify", tmp_path / "c.json", "--network", tmp_path / "net.json", "--dataset",
                           tmp_path / "data.csv", "--labels-from", "0")
    assert status == 0 and "data: N = 18 points in R^2, C = 3 labels" in out


@pytest.mark.parametrize("net, size", [("ramp.json", ["--rho", "1/2"]), ("ramp.json", ["--rho", "9/10"]),
                                       ("two.json", ["--radius", "1"])])
def test_robust_over_two_workers_answers_what_serial_does(work, capsys, net, size):
    """``robust -j 2``: the searches on two worker processes and the check in shares; the verdict line, the exit
    status and the witness line are those of the serial run. By hand (see RAMP above): radius 3/4 is PROVED,
    rho = 9/10 (radius 27/20 > 1) is REFUTED; TWO at radius 1 < 3/2 is PROVED."""
    runs = [_main(capsys, "robust", work / net, work / "d.json", *size, *extra) for extra in ([], ["-j", "2"])]
    assert runs[0][0] == runs[1][0] == (1 if "9/10" in size else 0)
    assert runs[0][1] == runs[1][1] and runs[0][1].startswith("REFUTED" if "9/10" in size else "PROVED")
