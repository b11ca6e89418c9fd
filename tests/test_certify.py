import ast
import copy
import json
import pathlib

import pytest

from reference import resign

from exactmem import Dataset
from exactmem.certify import Certificate, check, memorization_certificate, separation_certificate
from exactmem.cli import main
from exactmem.errors import CertificateError
from exactmem.ramp1d import ramp_memorizer_1d

D = Dataset([[0], [4], [5], [9]], [1, 2, 2, 1])


def test_separation_certificate_and_tampering():
    cert = separation_certificate(D).to_json()
    assert check(cert).is_proved
    bad = copy.deepcopy(cert)
    bad["data"]["eps_sq"] = "1/5"
    assert check(resign(bad)).is_refuted
    bad = copy.deepcopy(cert)
    bad["data"]["pair"] = [1, 2]  # same label
    assert check(resign(bad)).is_refuted
    bad = copy.deepcopy(cert)
    bad["data"]["pair"] = [0, 3]  # a valid cross pair, but not the closest: distance 9 != 4
    assert check(resign(bad)).is_refuted


def test_separation_checker_finds_closer_pair():
    cert = separation_certificate(D).to_json()
    cert["dataset"]["points"].append(["1/2"])
    cert["dataset"]["labels"].append(2)  # a new cross pair at distance 1/2 < 4
    assert check(resign(cert)).is_refuted


def test_memorization_certificate_and_tampering():
    f = ramp_memorizer_1d(D, "1/2")
    cert = memorization_certificate(f, D).to_json()
    assert check(cert).is_proved
    bad = copy.deepcopy(cert)
    bad["dataset"]["labels"][0] = 2
    assert check(resign(bad)).is_refuted
    bad = copy.deepcopy(cert)
    bad["network"]["layers"][-1]["b"][0] = "3/2"
    assert check(resign(bad)).is_refuted


@pytest.mark.parametrize("mutate", [
    lambda c: c.update(schema_version=7),
    lambda c: c.update(kind="nonsense"),
    lambda c: c["dataset"].update(points=[["a"]]),
    lambda c: c["dataset"].update(labels=[1]),
    lambda c: c["network"]["layers"][0].update(W=[[0.5]]),
    lambda c: c["network"]["layers"][0].update(b=[]),
    lambda c: c.pop("network"),
])
def test_malformed_certificates(mutate):
    cert = memorization_certificate(ramp_memorizer_1d(D, "1/2"), D).to_json()
    mutate(cert)
    with pytest.raises(CertificateError):
        check(resign(cert))


def test_cli_verify_exit_codes(tmp_path, capsys):
    good = tmp_path / "good.json"
    separation_certificate(D).save(good)
    assert main(["verify", str(good)]) == 0
    bad = tmp_path / "bad.json"
    doc = json.loads(good.read_text())
    doc["data"]["eps_sq"] = "7"
    bad.write_text(json.dumps(doc))
    assert main(["verify", str(bad)]) == 1
    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    assert main(["verify", str(broken)]) == 2
    assert "MALFORMED" in capsys.readouterr().out
    assert Certificate.from_json(str(good)).verify().is_proved


@pytest.mark.parametrize("module", ["exactmem.certify.checker", "exactmem.certify.robust_checks",
                                    "exactmem.certify.moderate_checks", "exactmem.certify.lp_checks",
                                    "exactmem.certify.recipes"])
def test_checker_imports_no_construction_code(module):
    src = pathlib.Path(__import__(module, fromlist=["x"]).__file__).read_text()
    allowed_abs = {"hashlib", "json", "re", "flint", "__future__", "itertools", "math"}
    allowed_rel = {"errors", "verdict", "checker", "recipes", "robust_checks", None}
    for node in ast.walk(ast.parse(src)):
        if isinstance(node, ast.Import):
            assert {a.name.split(".")[0] for a in node.names} <= allowed_abs
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                assert node.module in allowed_rel, node.module
                if node.module is None:  # "from . import x": only the checker modules themselves
                    assert {a.name for a in node.names} <= {"robust_checks", "moderate_checks", "lp_checks", "checker"}
            else:
                assert node.module.split(".")[0] in allowed_abs, node.module


def test_block_certificates_and_tampering():
    from flint import fmpq
    from exactmem.blocks import find_projection, midpoint_translation
    from exactmem.certify import grid_cells_certificate, lattice_margin_certificate, projection_certificate
    pts = [["1/3", 2], ["5/7", "-1/2"], [4, "9/10"]]
    b, margin = midpoint_translation(pts)
    cert = lattice_margin_certificate(pts, b, margin).to_json()
    assert check(cert).is_proved
    cert["data"]["margin"] = str(margin + fmpq(1, 10 ** 6))
    assert check(resign(cert)).is_refuted
    g = grid_cells_certificate([["3/2", "1/2"], ["5/2", "1/2"]], [1, 2], "1/4", "1/8", 4).to_json()
    assert check(g).is_proved
    g["data"]["centres"][1] = ["13/8", "1/2"]   # now in the same cell as ball 0 (and too close to its edge)
    assert check(resign(g)).is_refuted
    import random
    rng = random.Random(3)
    from exactmem import Dataset
    D = Dataset([[rng.randint(-6, 6) for _ in range(16)] for _ in range(10)], [1 + i % 2 for i in range(10)])
    P, _, _ = find_projection(D, 8, fmpq(1, 20), tries=4)
    c = projection_certificate(D, P.full, fmpq(1, 20)).to_json()
    assert check(c).is_proved
    c["data"]["W_full"][0][0] = "1/3"           # any single change breaks exact orthonormality
    assert check(resign(c)).is_refuted
